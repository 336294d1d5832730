#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace billing::server {

// An error answer: {"error": {"type", "message", "param"}} with an HTTP status.
struct ApiError
{
    int status = 400;
    QString type = QStringLiteral("invalid_request_error");
    QString message;
    QString param;
    // Stripe's Request-Id when the error came from Stripe, for support.
    QString stripeRequestId;
    QList<QPair<QByteArray, QByteArray>> headers;

    static ApiError invalidRequest(const QString &message, const QString &param = {})
    {
        return {400, QStringLiteral("invalid_request_error"), message, param, {}, {}};
    }
};

} // namespace billing::server
