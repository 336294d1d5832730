#pragma once

#include "LicenseSigner.h"
#include "db/SigningKeyStore.h"

#include <vector>

namespace billing {

// One installation, one signing identity: every instance on the database signs
// licences with the key recorded in license_signing_keys, so a licence verifies
// wherever it is checked. The first instance records its key; any other
// instance must have a copy of that key file.
namespace SigningIdentity {

// The signer for this instance: the key at keyPath when it is the
// installation's current key (created and recorded when the database has
// none yet). Otherwise an error that says which key is expected and how to
// copy it; no key file is created then.
Result<LicenseSigner> load(Database &database, const QString &keyPath, qint64 now);

// Verifiers for every recorded key, current and retired, for `license
// verify`; the key file's own only while the database has recorded none.
Result<std::vector<LicenseSigner>> verifiers(Database &database, const QString &keyPath);

// A new key pair becomes the current key, the old one retired but still
// verifying. The new key is written to <keyPath>.next first, recorded, and
// only then moved to keyPath (the old file kept as
// <keyPath>.retired-<fingerprint>). Returns the new signer.
Result<LicenseSigner> rotate(Database &database, const QString &keyPath, qint64 now);

} // namespace SigningIdentity
} // namespace billing
