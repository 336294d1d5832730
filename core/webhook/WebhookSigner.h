#pragma once

#include <QByteArray>
#include <QString>

namespace billing {

// Stripe's webhook signature scheme v1: the lowercase hex HMAC-SHA256 of
// "<timestamp>.<raw body>" keyed with the whole endpoint secret (whsec_…).
// Used by the Stripe emulator to sign deliveries exactly as Stripe does.
class WebhookSigner final
{
public:
    // key: the whole whsec_… secret as UTF-8 bytes. Empty if OpenSSL fails.
    static QByteArray signatureV1(QByteArrayView key, qint64 timestamp, const QByteArray &payload);
    // "t=<timestamp>,v1=<sig>[,v1=<sig>…]", one v1 per secret, as Stripe sends during a rotation.
    static QByteArray header(const QStringList &secrets, qint64 timestamp, const QByteArray &payload);
};

} // namespace billing
