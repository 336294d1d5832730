#include "LicenseKey.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

Error invalidKey(const QString &why)
{
    return {ErrorCode::InvalidInput, u"not a valid licence key: "_s + why};
}

} // namespace

QByteArray LicenseKey::signedPart(const LicenseClaims &claims)
{
    const QJsonObject object{
        {u"lid"_s, claims.licenseId}, {u"tid"_s, claims.tenantId},  {u"plan"_s, claims.plan},
        {u"iat"_s, claims.issuedAt},  {u"exp"_s, claims.expiresAt},
    };
    return QByteArray(kPrefix) + '.' +
           QJsonDocument(object).toJson(QJsonDocument::Compact).toBase64(kBase64Url);
}

QString LicenseKey::assemble(const QByteArray &signedPart, const QByteArray &signature)
{
    return QString::fromLatin1(signedPart + '.' + signature.toBase64(kBase64Url));
}

Result<LicenseKey::Parsed> LicenseKey::parse(const QString &key)
{
    const QByteArray text = key.trimmed().toLatin1();
    if (key.trimmed().size() > 2048)
        return invalidKey(u"too long"_s);
    const QList<QByteArray> parts = text.split('.');
    if (parts.size() != 3 || parts[0] != kPrefix)
        return invalidKey(u"expected AOB1.<claims>.<signature>"_s);

    auto decode = [](const QByteArray &part) {
        return QByteArray::fromBase64Encoding(part, QByteArray::Base64UrlEncoding |
                                                        QByteArray::AbortOnBase64DecodingErrors);
    };
    const auto claimsBytes = decode(parts[1]);
    const auto signature = decode(parts[2]);
    if (!claimsBytes || !signature || signature.decoded.size() != 64)
        return invalidKey(u"damaged encoding"_s);
    // Re-encoding must give back the same text: no alternative spellings of one key.
    if (claimsBytes.decoded.toBase64(kBase64Url) != parts[1] ||
        signature.decoded.toBase64(kBase64Url) != parts[2])
        return invalidKey(u"damaged encoding"_s);

    const QJsonObject object = QJsonDocument::fromJson(claimsBytes.decoded).object();
    Parsed parsed;
    parsed.claims.licenseId = object.value(u"lid"_s).toString();
    parsed.claims.tenantId = object.value(u"tid"_s).toString();
    parsed.claims.plan = object.value(u"plan"_s).toString();
    parsed.claims.issuedAt = object.value(u"iat"_s).toInteger();
    parsed.claims.expiresAt = object.value(u"exp"_s).toInteger();
    if (parsed.claims.licenseId.isEmpty() || parsed.claims.tenantId.isEmpty())
        return invalidKey(u"the claims are incomplete"_s);
    parsed.signedPart = parts[0] + '.' + parts[1];
    parsed.signature = signature.decoded;
    return parsed;
}

} // namespace billing
