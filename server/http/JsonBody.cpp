#include "JsonBody.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

bool hasControlCharacters(const QString &text)
{
    return std::any_of(text.cbegin(), text.cend(),
                       [](QChar c) { return c.category() == QChar::Other_Control; });
}

} // namespace

JsonBody JsonBody::parse(const HttpRequest &request, const QStringList &knownFields, bool emptyAllowed)
{
    JsonBody body;
    if (request.body.trimmed().isEmpty() && emptyAllowed)
        return body;

    const QByteArray contentType = request.header("Content-Type").split(';').constFirst().trimmed().toLower();
    if (contentType != "application/json") {
        body.m_error = ApiError::invalidRequest(
            u"the request body must be JSON sent with Content-Type: application/json (got \"%1\")"_s.arg(
                QString::fromLatin1(contentType.left(60))));
        return body;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        body.m_error = ApiError::invalidRequest(
            u"the request body is not valid JSON: %1 at offset %2"_s.arg(parseError.errorString())
                .arg(parseError.offset));
        return body;
    }
    if (!document.isObject()) {
        body.m_error = ApiError::invalidRequest(u"the request body must be a JSON object"_s);
        return body;
    }
    body.m_object = document.object();
    for (auto it = body.m_object.constBegin(); it != body.m_object.constEnd(); ++it) {
        if (!knownFields.contains(it.key())) {
            body.fail(it.key(), u"unknown field \"%1\"; the fields are %2"_s.arg(it.key().left(60),
                                                                                 knownFields.join(u", ")));
            break;
        }
    }
    return body;
}

bool JsonBody::present(const QString &field) const
{
    const QJsonValue value = m_object.value(field);
    return !value.isUndefined() && !value.isNull();
}

void JsonBody::fail(const QString &field, const QString &message)
{
    if (!m_error)
        m_error = ApiError::invalidRequest(message, field);
}

QString JsonBody::requiredString(const QString &field, qsizetype maxLength)
{
    if (m_error)
        return {};
    if (!present(field)) {
        fail(field, u"%1 is required"_s.arg(field));
        return {};
    }
    return optionalString(field, maxLength);
}

QString JsonBody::optionalString(const QString &field, qsizetype maxLength)
{
    if (m_error || !present(field))
        return {};
    const QJsonValue value = m_object.value(field);
    if (!value.isString()) {
        fail(field, u"%1 must be a string"_s.arg(field));
        return {};
    }
    const QString text = value.toString();
    if (text.trimmed().isEmpty()) {
        fail(field, u"%1 must not be empty"_s.arg(field));
        return {};
    }
    if (text.size() > maxLength) {
        fail(field, u"%1 is longer than %2 characters"_s.arg(field).arg(maxLength));
        return {};
    }
    if (hasControlCharacters(text)) {
        fail(field, u"%1 contains control characters"_s.arg(field));
        return {};
    }
    return text;
}

std::optional<qint64> JsonBody::optionalInteger(const QString &field, qint64 minimum, qint64 maximum)
{
    if (m_error || !present(field))
        return std::nullopt;
    const QJsonValue value = m_object.value(field);
    const double number = value.toDouble();
    if (!value.isDouble() || std::floor(number) != number) {
        fail(field, u"%1 must be a whole number"_s.arg(field));
        return std::nullopt;
    }
    if (number < double(minimum) || number > double(maximum)) {
        fail(field, u"%1 must be from %2 to %3"_s.arg(field).arg(minimum).arg(maximum));
        return std::nullopt;
    }
    return qint64(number);
}

std::optional<bool> JsonBody::optionalBool(const QString &field)
{
    if (m_error || !present(field))
        return std::nullopt;
    const QJsonValue value = m_object.value(field);
    if (!value.isBool()) {
        fail(field, u"%1 must be true or false"_s.arg(field));
        return std::nullopt;
    }
    return value.toBool();
}

} // namespace billing::server
