#include "JsonView.h"

#include <QJsonArray>
#include <QJsonObject>

#include <simdjson.h>

#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

namespace dom = simdjson::dom;
using dom::element_type;

static_assert(sizeof(dom::element) == sizeof(std::array<std::byte, 16>) &&
                  std::is_trivially_copyable_v<dom::element>,
              "JsonView stores a simdjson::dom::element as 16 bytes");

// Texts up to this size reuse their thread's parser and their document's
// memory; Stripe's objects are a few KiB.
constexpr size_t kRetainedCapacity = 64 * 1024;

// The parser's buffers are reused by every parse on its thread; the results
// live in each JsonDocument.
dom::parser &threadParser()
{
    thread_local dom::parser parser;
    return parser;
}

// QJsonValue's rule (QJsonValue::toInteger): a double counts when it is integral
// and representable.
bool integralDouble(double value, qint64 *result)
{
    // 2^63 is exactly representable; every double below it converts safely.
    constexpr double limit = 9223372036854775808.0;
    if (!(value >= -limit && value < limit) || std::trunc(value) != value)
        return false;
    *result = qint64(value);
    return true;
}

// The value of the four hex digits at json[at], or -1.
int hexUnit(QByteArrayView json, qsizetype at)
{
    if (at + 4 > json.size())
        return -1;
    int unit = 0;
    for (qsizetype i = at; i < at + 4; ++i) {
        const char c = json[i];
        const int digit = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
        if (digit < 0)
            return -1;
        unit = unit * 16 + digit;
    }
    return unit;
}

// json with each \u escape of a lone UTF-16 surrogate replaced by \ufffd.
// Escapes are read in pairs from each backslash, so an escaped backslash
// followed by "ud800" is left alone.
QByteArray withLoneSurrogatesReplaced(QByteArrayView json)
{
    QByteArray mended;
    mended.reserve(json.size());
    for (qsizetype i = 0; i < json.size(); ++i) {
        if (json[i] != '\\' || i + 1 == json.size()) {
            mended += json[i];
            continue;
        }
        const int unit = json[i + 1] == 'u' ? hexUnit(json, i + 2) : -1;
        if (unit < 0xD800 || unit > 0xDFFF) { // not a surrogate: the escape as it is
            const qsizetype length = unit < 0 ? 2 : 6;
            mended += json.sliced(i, length);
            i += length - 1;
            continue;
        }
        const bool paired = unit <= 0xDBFF && i + 12 <= json.size() && json[i + 6] == '\\' &&
                            json[i + 7] == 'u' && hexUnit(json, i + 8) >= 0xDC00 &&
                            hexUnit(json, i + 8) <= 0xDFFF;
        if (paired) {
            mended += json.sliced(i, 12);
            i += 11;
        } else {
            mended += "\\ufffd";
            i += 5;
        }
    }
    return mended;
}

} // namespace

JsonView JsonView::of(const dom::element &element)
{
    JsonView view;
    view.m_element = std::bit_cast<Element>(element);
    view.m_defined = true;
    return view;
}

dom::element JsonView::asElement() const
{
    return std::bit_cast<dom::element>(m_element);
}

JsonView JsonView::value(std::string_view key) const
{
    dom::object object;
    dom::element found;
    if (!m_defined || asElement().get_object().get(object) != simdjson::SUCCESS ||
        object.at_key(key).get(found) != simdjson::SUCCESS) {
        return {};
    }
    return of(found);
}

JsonView JsonView::at(qsizetype index) const
{
    dom::array array;
    dom::element found;
    if (!m_defined || index < 0 || asElement().get_array().get(array) != simdjson::SUCCESS ||
        array.at(size_t(index)).get(found) != simdjson::SUCCESS) {
        return {};
    }
    return of(found);
}

qsizetype JsonView::size() const
{
    if (!m_defined)
        return 0;
    dom::object object;
    if (asElement().get_object().get(object) == simdjson::SUCCESS)
        return qsizetype(object.size());
    dom::array array;
    if (asElement().get_array().get(array) == simdjson::SUCCESS)
        return qsizetype(array.size());
    return 0;
}

bool JsonView::isNull() const
{
    return m_defined && asElement().type() == element_type::NULL_VALUE;
}

bool JsonView::isBool() const
{
    return m_defined && asElement().type() == element_type::BOOL;
}

bool JsonView::isNumber() const
{
    if (!m_defined)
        return false;
    const element_type type = asElement().type();
    return type == element_type::INT64 || type == element_type::UINT64 || type == element_type::DOUBLE;
}

bool JsonView::isString() const
{
    return m_defined && asElement().type() == element_type::STRING;
}

bool JsonView::isArray() const
{
    return m_defined && asElement().type() == element_type::ARRAY;
}

bool JsonView::isObject() const
{
    return m_defined && asElement().type() == element_type::OBJECT;
}

QString JsonView::toString() const
{
    if (!isString())
        return {};
    const std::string_view text = asElement().get_string().value_unsafe();
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

bool JsonView::toBool(bool defaultValue) const
{
    return isBool() ? asElement().get_bool().value_unsafe() : defaultValue;
}

qint64 JsonView::toInteger(qint64 defaultValue) const
{
    if (!m_defined)
        return defaultValue;
    const dom::element value = asElement();
    switch (value.type()) {
    case element_type::INT64: return value.get_int64().value_unsafe();
    case element_type::UINT64: {
        // Only values above INT64_MAX are stored unsigned; as a double, Qt
        // rounds them to 2^63 or more, which does not fit either.
        return defaultValue;
    }
    case element_type::DOUBLE: {
        qint64 integral = 0;
        return integralDouble(value.get_double().value_unsafe(), &integral) ? integral : defaultValue;
    }
    default: return defaultValue;
    }
}

int JsonView::toInt(int defaultValue) const
{
    constexpr qint64 missing = std::numeric_limits<qint64>::min();
    const qint64 value = toInteger(missing);
    if (value == missing || value < std::numeric_limits<int>::min() ||
        value > std::numeric_limits<int>::max())
        return defaultValue;
    return int(value);
}

QJsonValue JsonView::toJsonValue() const
{
    if (!m_defined)
        return QJsonValue(QJsonValue::Undefined);
    const dom::element value = asElement();
    switch (value.type()) {
    case element_type::NULL_VALUE: return QJsonValue(QJsonValue::Null);
    case element_type::BOOL: return value.get_bool().value_unsafe();
    case element_type::INT64: return QJsonValue(qint64(value.get_int64().value_unsafe()));
    case element_type::UINT64: return double(value.get_uint64().value_unsafe());
    case element_type::DOUBLE: return value.get_double().value_unsafe();
    case element_type::STRING: return toString();
    case element_type::ARRAY: {
        dom::array items;
        QJsonArray array;
        if (value.get_array().get(items) == simdjson::SUCCESS) {
            for (const dom::element item : items)
                array.append(of(item).toJsonValue());
        }
        return array;
    }
    case element_type::OBJECT: {
        dom::object fields;
        QJsonObject object;
        if (value.get_object().get(fields) != simdjson::SUCCESS)
            return object;
        for (const dom::key_value_pair field : fields) {
            const QString key = QString::fromUtf8(field.key.data(), qsizetype(field.key.size()));
            // The first of a repeated key counts, as in value().
            if (!object.contains(key))
                object.insert(key, of(field.value).toJsonValue());
        }
        return object;
    }
    }
    return QJsonValue(QJsonValue::Undefined);
}

JsonDocument::JsonDocument()
    : m_document(std::make_unique<dom::document>())
{}

JsonDocument::~JsonDocument() = default;
JsonDocument::JsonDocument(JsonDocument &&) noexcept = default;
JsonDocument &JsonDocument::operator=(JsonDocument &&) noexcept = default;

Result<JsonView> JsonDocument::parse(QByteArrayView json)
{
    // Qt's parser skips a UTF-8 byte order mark; simdjson leaves that to us.
    if (json.startsWith("\xEF\xBB\xBF"))
        json = json.sliced(3);
    // Also keeps a null view's data pointer from simdjson's memcpy.
    if (json.isEmpty())
        return Error{ErrorCode::InvalidInput, u"not valid JSON: the text is empty"_s};
    // Buffers grow to the largest text parsed (about 14 bytes per byte of
    // JSON); those of a large one, up to the 1 MiB a webhook may be, are not
    // kept for the small ones after it.
    const bool large = size_t(json.size()) > kRetainedCapacity;
    if (!m_document || (!large && m_document->capacity() > kRetainedCapacity))
        m_document = std::make_unique<dom::document>();
    std::optional<dom::parser> oneOff;
    dom::parser &parser = large ? oneOff.emplace() : threadParser();
    dom::element root;
    // Copies json into the parser's padded buffer: simdjson reads past the end.
    simdjson::error_code error =
        parser.parse_into_document(*m_document, json.data(), size_t(json.size())).get(root);
    if (error == simdjson::STRING_ERROR) {
        // Perhaps a \uD800-\uDFFF escape without its pair: valid JSON that
        // simdjson refuses and Qt reads. Read it as U+FFFD instead.
        const QByteArray mended = withLoneSurrogatesReplaced(json);
        if (QByteArrayView(mended) != json) {
            error =
                parser.parse_into_document(*m_document, mended.constData(), size_t(mended.size())).get(root);
        }
    }
    if (error != simdjson::SUCCESS)
        return Error{ErrorCode::InvalidInput,
                     u"not valid JSON: "_s + QString::fromUtf8(simdjson::error_message(error))};
    return JsonView::of(root);
}

} // namespace billing
