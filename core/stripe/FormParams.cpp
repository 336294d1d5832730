#include "FormParams.h"

#include <QStringDecoder>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

// Unreserved characters plus the brackets of nested keys stay as they are.
QByteArray percentEncode(const QString &text, bool keepBrackets)
{
    return QUrl::toPercentEncoding(text, keepBrackets ? "[]"_ba : QByteArray());
}

Result<QString> percentDecode(QByteArray bytes, const QString &what)
{
    bytes.replace('+', ' ');
    const QByteArray decoded = QByteArray::fromPercentEncoding(bytes);
    // ConvertInitialBom: a leading U+FEFF is part of the text, not a marker to
    // drop (by default the decoder would strip one from every name and value).
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom);
    QString text = decoder.decode(decoded);
    if (decoder.hasError())
        return Error{ErrorCode::InvalidInput, u"%1 is not valid UTF-8"_s.arg(what)};
    return text;
}

// "line_items[0][price]" → {"line_items", "0", "price"}; empty on a malformed key.
QStringList splitKey(const QString &key)
{
    const qsizetype open = key.indexOf(u'[');
    if (open < 0)
        return {key};
    QStringList parts{key.left(open)};
    qsizetype pos = open;
    while (pos < key.size()) {
        if (key[pos] != u'[')
            return {};
        const qsizetype close = key.indexOf(u']', pos);
        if (close < 0)
            return {};
        parts << key.mid(pos + 1, close - pos - 1);
        pos = close + 1;
    }
    if (parts.constFirst().isEmpty())
        return {};
    return parts;
}

bool isIndex(const QString &part)
{
    bool ok = false;
    const int index = part.toInt(&ok);
    return ok && index >= 0 && QString::number(index) == part;
}

// Inserts value at path into node; returns false on a conflict.
bool insertAt(QVariant &node, const QStringList &path, qsizetype depth, const QString &value)
{
    if (depth == path.size()) {
        if (node.isValid())
            return false; // the same key twice, or a key that is also a parent
        node = value;
        return true;
    }
    const QString &part = path[depth];
    // "expand[]=a&expand[]=b" appends, as Stripe accepts for arrays.
    if (isIndex(part) || (part.isEmpty() && depth > 0)) {
        if (node.isValid() && node.typeId() != QMetaType::QVariantList)
            return false;
        QVariantList list = node.toList();
        const int index = part.isEmpty() ? int(list.size()) : part.toInt();
        if (index > list.size())
            return false; // indexes must be dense: [0], [1], …
        if (index == list.size())
            list.append(QVariant());
        QVariant child = list[index];
        if (!insertAt(child, path, depth + 1, value))
            return false;
        list[index] = child;
        node = list;
        return true;
    }
    if (part.isEmpty() || (node.isValid() && node.typeId() != QMetaType::QVariantMap))
        return false;
    QVariantMap map = node.toMap();
    QVariant child = map.value(part);
    if (!insertAt(child, path, depth + 1, value))
        return false;
    map.insert(part, child);
    node = map;
    return true;
}

} // namespace

FormParams &FormParams::add(const QString &key, const QString &value)
{
    m_pairs.append({key, value});
    return *this;
}

FormParams &FormParams::add(const QString &key, qint64 value)
{
    return add(key, QString::number(value));
}

FormParams &FormParams::add(const QString &key, bool value)
{
    return add(key, value ? u"true"_s : u"false"_s);
}

QString FormParams::value(const QString &key) const
{
    for (auto it = m_pairs.crbegin(); it != m_pairs.crend(); ++it) {
        if (it->first == key)
            return it->second;
    }
    return {};
}

QByteArray FormParams::encode() const
{
    QByteArray body;
    for (const auto &[key, value] : m_pairs) {
        if (!body.isEmpty())
            body += '&';
        body += percentEncode(key, true) + '=' + percentEncode(value, false);
    }
    return body;
}

Result<FormParams> FormParams::decode(const QByteArray &body)
{
    FormParams params;
    if (body.isEmpty())
        return params;
    const QList<QByteArray> fields = body.split('&');
    for (const QByteArray &field : fields) {
        if (field.isEmpty())
            continue;
        const qsizetype equals = field.indexOf('=');
        const QByteArray rawKey = equals < 0 ? field : field.left(equals);
        const QByteArray rawValue = equals < 0 ? QByteArray() : field.mid(equals + 1);
        Result<QString> key = percentDecode(rawKey, u"a parameter name"_s);
        if (!key)
            return key.error();
        Result<QString> value = percentDecode(rawValue, u"the value of %1"_s.arg(key.value()));
        if (!value)
            return value.error();
        if (key->isEmpty())
            return Error{ErrorCode::InvalidInput, u"a parameter has an empty name"_s};
        params.add(key.value(), value.value());
    }
    return params;
}

Result<QVariantMap> FormParams::toTree() const
{
    QVariant root = QVariantMap();
    for (const auto &[key, value] : m_pairs) {
        const QStringList path = splitKey(key);
        if (path.isEmpty() || !insertAt(root, path, 0, value))
            return Error{ErrorCode::InvalidInput, key};
    }
    return root.toMap();
}

} // namespace billing
