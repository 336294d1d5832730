#pragma once

#include "common/Result.h"

#include <QByteArrayView>
#include <QJsonValue>
#include <QString>

#include <array>
#include <cstddef>
#include <memory>
#include <string_view>

namespace simdjson::dom {
class document;
class element;
} // namespace simdjson::dom

namespace billing {

// A read-only view of one value in a JsonDocument, with the reading half of
// QJsonValue's API and the same answers (tst_jsonview compares them). A key
// that is missing, or asked of something that is not an object, gives an
// undefined view, so lookups chain: event.value("data").value("object").
//
// Like std::string_view it owns nothing: it is valid while its document lives
// and is not parsed into again.
class JsonView
{
public:
    JsonView() = default; // undefined

    JsonView value(std::string_view key) const;
    JsonView at(qsizetype index) const;
    JsonView first() const { return at(0); }
    qsizetype size() const; // an object's keys or an array's items; 0 for anything else

    bool isUndefined() const { return !m_defined; }
    bool isNull() const;
    bool isBool() const;
    bool isNumber() const; // QJsonValue::isDouble: any JSON number
    bool isString() const;
    bool isArray() const;
    bool isObject() const;

    QString toString() const; // a null QString unless a string
    bool toBool(bool defaultValue = false) const;
    // The number when it is integral and fits, else defaultValue (as QJsonValue).
    qint64 toInteger(qint64 defaultValue = 0) const;
    int toInt(int defaultValue = 0) const;
    QJsonValue toJsonValue() const; // a copy, for building Qt JSON from it

private:
    friend class JsonDocument;
    // A simdjson::dom::element (a document pointer and a tape position),
    // stored as bytes so that simdjson's large header stays in one .cpp.
    using Element = std::array<std::byte, 16>;
    static JsonView of(const simdjson::dom::element &element);
    simdjson::dom::element asElement() const;

    Element m_element{};
    bool m_defined = false;
};

// One parsed JSON text (simdjson: validated as UTF-8 and JSON, nesting up to
// 1024 levels). Parsing again reuses its memory. A leading byte order mark
// is skipped, as Qt does. Where it differs from QJsonDocument: an integer
// beyond 64 bits is an error rather than a double, so are an unknown escape
// and a raw control character in a string (Qt lets them through); an escaped
// lone UTF-16 surrogate reads as U+FFFD (Qt keeps the lone code unit); of a
// repeated key the first counts, not the last. Stripe sends none of these
// (tst_jsonview checks each).
class JsonDocument
{
public:
    JsonDocument();
    ~JsonDocument();
    JsonDocument(JsonDocument &&) noexcept;
    JsonDocument &operator=(JsonDocument &&) noexcept;

    // The root of json. Views from an earlier parse become invalid.
    Result<JsonView> parse(QByteArrayView json);

private:
    std::unique_ptr<simdjson::dom::document> m_document;
};

} // namespace billing
