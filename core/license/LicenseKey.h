#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QString>

namespace billing {

// What a licence key says. The key is "AOB1.<claims>.<signature>", both parts
// base64url without padding: claims are compact JSON
// {"lid","tid","plan","iat","exp"}, the signature Ed25519 over "AOB1.<claims>".
// Copy-pasteable (no spaces, no padding), about 200 characters.
struct LicenseClaims
{
    QString licenseId;
    QString tenantId;
    QString plan;
    qint64 issuedAt = 0;
    qint64 expiresAt = 0; // 0: no expiry

    bool operator==(const LicenseClaims &other) const = default;
};

class LicenseKey final
{
public:
    static constexpr char kPrefix[] = "AOB1";

    // The part the signature covers, and the key assembled from it.
    static QByteArray signedPart(const LicenseClaims &claims);
    static QString assemble(const QByteArray &signedPart, const QByteArray &signature);

    struct Parsed
    {
        LicenseClaims claims;
        QByteArray signedPart;
        QByteArray signature;
    };
    // Structure only; LicenseSigner::verify checks the signature.
    static Result<Parsed> parse(const QString &key);
};

} // namespace billing
