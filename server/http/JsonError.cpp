#include "JsonError.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace billing::server {

QHttpServerResponse jsonError(QHttpServerResponse::StatusCode status, const QString &type,
                              const QString &message, const QString &param)
{
    const QJsonObject error{
        {u"type"_s, type},
        {u"message"_s, message},
        {u"param"_s, param.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(param)},
    };
    return QHttpServerResponse(QJsonObject{{u"error"_s, error}}, status);
}

} // namespace billing::server
