#include "ApiError.h"

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {
const QString kInvalidRequest = u"invalid_request_error"_s;
const QString kApiError = u"api_error"_s;
} // namespace

ApiError ApiError::invalidRequest(const QString &message, const QString &param)
{
    return {400, kInvalidRequest, message, param, {}, {}};
}

ApiError ApiError::notFound(const QString &message, const QString &param)
{
    return {404, kInvalidRequest, message, param, {}, {}};
}

ApiError ApiError::conflict(const QString &message, const QString &param)
{
    return {409, kInvalidRequest, message, param, {}, {}};
}

ApiError ApiError::bodyTooLarge(qsizetype maxBytes)
{
    return {413, kInvalidRequest, u"the request body is larger than %1 bytes"_s.arg(maxBytes), {}, {}, {}};
}

ApiError ApiError::unauthorized(const QString &message)
{
    return {401, u"authentication_error"_s, message, {}, {}, {{"WWW-Authenticate"_ba, "Bearer"_ba}}};
}

ApiError ApiError::unavailable(const QString &message, int retryAfterSeconds)
{
    ApiError error{503, kApiError, message, {}, {}, {}};
    if (retryAfterSeconds > 0)
        error.headers.append({"Retry-After"_ba, QByteArray::number(retryAfterSeconds)});
    return error;
}

ApiError ApiError::databaseUnavailable(const Error &error)
{
    return unavailable(u"the billing database is unavailable: "_s + error.message);
}

ApiError ApiError::badGateway(const QString &message, const QString &stripeRequestId)
{
    return {502, kApiError, message, {}, stripeRequestId, {}};
}

ApiError ApiError::fromError(const Error &error)
{
    switch (error.code) {
    case ErrorCode::InvalidInput: return invalidRequest(error.message, error.param);
    case ErrorCode::NotFound: return notFound(error.message, error.param);
    case ErrorCode::DatabaseUnavailable:
    case ErrorCode::Database: return databaseUnavailable(error);
    case ErrorCode::Io:
    case ErrorCode::Configuration:
    case ErrorCode::SchemaTooNew:
    case ErrorCode::SchemaMismatch: break;
    }
    return {500, kApiError, error.message, {}, {}, {}};
}

} // namespace billing::server
