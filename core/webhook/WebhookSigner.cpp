#include "WebhookSigner.h"

#include <QStringList>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace billing {

QByteArray WebhookSigner::signatureV1(QByteArrayView key, qint64 timestamp, const QByteArray &payload)
{
    const QByteArray message = QByteArray::number(timestamp) + '.' + payload;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.constData(), int(key.size()),
         reinterpret_cast<const unsigned char *>(message.constData()), size_t(message.size()), digest,
         &length);
    return QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex();
}

QByteArray WebhookSigner::header(const QStringList &secrets, qint64 timestamp, const QByteArray &payload)
{
    QByteArray header = "t=" + QByteArray::number(timestamp);
    for (const QString &secret : secrets)
        header += ",v1=" + signatureV1(secret.toUtf8(), timestamp, payload);
    return header;
}

} // namespace billing
