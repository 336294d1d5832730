#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace billing::server {

// An error answer: {"error": {"type", "message", "param"}} with an HTTP status.
// Made by the named factories below, so that a status and its type agree.
struct ApiError
{
    int status = 400;
    QString type = QStringLiteral("invalid_request_error");
    QString message;
    QString param;
    // Stripe's Request-Id when the error came from Stripe, for support.
    QString stripeRequestId;
    QList<QPair<QByteArray, QByteArray>> headers;

    static ApiError invalidRequest(const QString &message, const QString &param = {});
    static ApiError notFound(const QString &message, const QString &param = {});
    static ApiError conflict(const QString &message, const QString &param = {});
    static ApiError bodyTooLarge(qsizetype maxBytes);
    // 401 with WWW-Authenticate: Bearer.
    static ApiError unauthorized(const QString &message);
    static ApiError unavailable(const QString &message, int retryAfterSeconds = 0);
    static ApiError databaseUnavailable(const Error &error);
    // Stripe answered, but not with what it documents.
    static ApiError badGateway(const QString &message, const QString &stripeRequestId);
    // A core error as an answer: bad input 400, unknown 404, the database 503.
    static ApiError fromError(const Error &error);
};

} // namespace billing::server
