#include "LicenseCommand.h"

#include "CliDatabase.h"
#include "CliSettings.h"
#include "common/Clock.h"
#include "db/SigningKeyStore.h"
#include "license/SigningIdentity.h"

#include <QDateTime>
#include <QFile>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

QString formatTime(qint64 seconds)
{
    return seconds == 0 ? u"never"_s : QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(Qt::ISODate);
}

} // namespace

QString LicenseCommand::name() const
{
    return u"license"_s;
}

QString LicenseCommand::summary() const
{
    return u"license verify <key> | public-key [--all] | rotate-key: the installation's licence keys"_s;
}

void LicenseCommand::addOptions(QCommandLineParser &parser) const
{
    addConfigurationOptions(parser);
    parser.addPositionalArgument(u"action"_s, u"verify <key>, public-key or rotate-key."_s,
                                 u"verify <key> | public-key | rotate-key"_s);
    parser.addOption({u"public-key"_s,
                      u"verify: check with this public key (PEM file) only, not the installation's keys."_s,
                      u"path"_s});
    parser.addOption({u"all"_s, u"public-key: every recorded key, retired ones included."_s});
}

int LicenseCommand::run(const QCommandLineParser &parser, CliStreams streams)
{
    const QStringList arguments = parser.positionalArguments();
    const QString action = arguments.value(0);
    if (!((action == u"verify" && arguments.size() == 2) ||
          ((action == u"public-key" || action == u"rotate-key") && arguments.size() == 1))) {
        streams.err << u"usage: agencyos-billing-server license verify <key> [--public-key FILE] | "
                       "license public-key [--all] | license rotate-key"_s
                    << Qt::endl;
        return ExitUsage;
    }

    std::vector<LicenseSigner> verifiers;
    if (action == u"verify" && parser.isSet(u"public-key"_s)) {
        QFile file(parser.value(u"public-key"_s));
        if (!file.open(QIODevice::ReadOnly)) {
            streams.err << u"error: cannot read %1: %2"_s.arg(file.fileName(), file.errorString())
                        << Qt::endl;
            return ExitUsage;
        }
        Result<LicenseSigner> loaded = LicenseSigner::fromPublicKeyPem(file.readAll());
        if (!loaded) {
            streams.err << u"error: "_s << loaded.error().message << Qt::endl;
            return ExitUsage;
        }
        verifiers.push_back(std::move(loaded).value());
    } else {
        const std::optional<Settings> settings =
            loadSettingsForCommand(parser, SettingsScope::Database, streams);
        if (!settings)
            return ExitConfiguration;
        std::optional<CliDatabase> opened = openMigratedCliDatabase(settings.value(), streams);
        if (!opened)
            return ExitConfiguration;
        Database &database = *opened->database;
        const qint64 now = Clock::system().nowSecondsSinceEpoch();
        if (action == u"rotate-key")
            return rotateKey(database, settings->licenseKeyPath, now, streams);
        if (action == u"public-key")
            return printPublicKeys(database, settings->licenseKeyPath, parser.isSet(u"all"_s), now, streams);
        Result<std::vector<LicenseSigner>> all =
            SigningIdentity::verifiers(database, settings->licenseKeyPath);
        if (!all) {
            streams.err << u"error: "_s << all.error().message << Qt::endl;
            return ExitFailure;
        }
        if (all->empty()) {
            streams.err
                << u"error: this installation has no licence signing key yet (none recorded, none at %1); "
                   "give --public-key FILE"_s.arg(settings->licenseKeyPath)
                << Qt::endl;
            return ExitConfiguration;
        }
        verifiers = std::move(all).value();
    }

    // Every recorded key, current and retired: a licence signed before a rotation still verifies.
    std::optional<Result<LicenseClaims>> firstRefusal;
    for (const LicenseSigner &verifier : verifiers) {
        Result<LicenseClaims> claims = verifier.verify(arguments.at(1));
        if (!claims) {
            if (!firstRefusal)
                firstRefusal = claims;
            continue;
        }
        const bool expired =
            claims->expiresAt != 0 && claims->expiresAt < Clock::system().nowSecondsSinceEpoch();
        streams.out << (expired ? u"valid signature, but expired"_s : u"valid"_s) << Qt::endl
                    << u"  licence: "_s << claims->licenseId << Qt::endl
                    << u"  tenant:  "_s << claims->tenantId << Qt::endl
                    << u"  plan:    "_s << claims->plan << Qt::endl
                    << u"  issued:  "_s << formatTime(claims->issuedAt) << Qt::endl
                    << u"  expires: "_s << formatTime(claims->expiresAt) << Qt::endl
                    << u"  key:     "_s << verifier.fingerprint() << Qt::endl;
        return expired ? ExitFailure : ExitOk;
    }
    streams.out << u"invalid: "_s << firstRefusal->error().message << Qt::endl;
    return ExitFailure;
}

int LicenseCommand::printPublicKeys(Database &database, const QString &keyPath, bool all, qint64 now,
                                    CliStreams streams)
{
    Result<QList<SigningKeyStore::Key>> recorded = SigningKeyStore(database).keys();
    if (!recorded) {
        streams.err << u"error: "_s << recorded.error().message << Qt::endl;
        return ExitFailure;
    }
    if (recorded->isEmpty()) {
        // The first key of the installation: made and recorded now, as serve would.
        Result<LicenseSigner> signer = SigningIdentity::load(database, keyPath, now);
        if (!signer) {
            streams.err << u"error: "_s << signer.error().message << Qt::endl;
            return ExitFailure;
        }
        streams.out << QString::fromLatin1(signer->publicKeyPem());
        return ExitOk;
    }
    for (const SigningKeyStore::Key &key : recorded.value()) {
        if (all) {
            streams.out << (key.retiredAt == 0
                                ? u"# %1, current since %2\n"_s.arg(key.fingerprint,
                                                                    formatTime(key.createdAt))
                                : u"# %1, retired on %2\n"_s.arg(key.fingerprint, formatTime(key.retiredAt)));
        }
        streams.out << QString::fromLatin1(key.publicKeyPem);
        if (!all)
            break; // the current key
    }
    return ExitOk;
}

int LicenseCommand::rotateKey(Database &database, const QString &keyPath, qint64 now, CliStreams streams)
{
    Result<LicenseSigner> next = SigningIdentity::rotate(database, keyPath, now);
    if (!next) {
        streams.err << u"error: "_s << next.error().message << Qt::endl;
        return ExitFailure;
    }
    streams.out << u"license: %1 is the installation's licence signing key now; the previous key is retired "
                   "and still verifies the licences it signed."_s.arg(next->fingerprint())
                << Qt::endl
                << u"license: copy %1 to every other instance (mode 0600) and restart them: until then they "
                   "sign with the retired key, and refuse to start after a restart."_s.arg(keyPath)
                << Qt::endl;
    return ExitOk;
}

} // namespace billing::server
