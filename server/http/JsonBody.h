#pragma once

#include "ApiError.h"
#include "HttpRequest.h"

#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace billing::server {

// Reads a JSON request body field by field. The first problem is kept and named
// after its field, so the client is told exactly what to fix; later reads are
// no-ops once there is an error.
class JsonBody final
{
public:
    // The body must be a JSON object sent as application/json; an empty body
    // counts as {} when emptyAllowed. Fields not in knownFields are refused.
    static JsonBody parse(const HttpRequest &request, const QStringList &knownFields,
                          bool emptyAllowed = false);

    QString requiredString(const QString &field, qsizetype maxLength);
    QString optionalString(const QString &field, qsizetype maxLength);
    std::optional<qint64> optionalInteger(const QString &field, qint64 minimum, qint64 maximum);
    std::optional<bool> optionalBool(const QString &field);

    // Records a problem found by the caller's own checks.
    void fail(const QString &field, const QString &message);

    const std::optional<ApiError> &error() const { return m_error; }

private:
    bool present(const QString &field) const;

    QJsonObject m_object;
    std::optional<ApiError> m_error;
};

} // namespace billing::server
