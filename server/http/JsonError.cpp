#include "JsonError.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace billing::server {

QHttpServerResponse jsonError(const ApiError &error)
{
    QJsonObject body{
        {u"type"_s, error.type},
        {u"message"_s, error.message},
        {u"param"_s, error.param.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(error.param)},
    };
    if (!error.stripeRequestId.isEmpty())
        body.insert(u"stripe_request_id"_s, error.stripeRequestId);
    QHttpServerResponse response(QJsonObject{{u"error"_s, body}},
                                 static_cast<QHttpServerResponse::StatusCode>(error.status));
    for (const auto &[name, value] : error.headers)
        response.addHeader(name, value);
    return response;
}

} // namespace billing::server
