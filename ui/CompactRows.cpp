#include "CompactRows.h"

#include <QCborValue>

namespace billing::ui {

void CompactRows::clear()
{
    m_rows.clear();
    m_rows.shrink_to_fit();
    m_keys.clear();
    m_keyIndex.clear();
    m_cachedRow = -1;
    m_cached = {};
}

void CompactRows::append(const QJsonObject &row)
{
    QCborArray values;
    for (auto it = row.begin(); it != row.end(); ++it) {
        qsizetype index = m_keyIndex.value(it.key(), -1);
        if (index < 0) {
            index = m_keys.size();
            m_keys.append(it.key());
            m_keyIndex.insert(it.key(), index);
        }
        while (values.size() <= index)
            values.append(QCborValue(QCborValue::Undefined));
        values[index] = QCborValue::fromJsonValue(it.value());
    }
    QByteArray encoded = values.toCborValue().toCbor();
    encoded.squeeze();
    m_rows.push_back(std::move(encoded));
}

const QCborArray &CompactRows::decoded(qsizetype row) const
{
    if (row != m_cachedRow) {
        m_cached = QCborValue::fromCbor(m_rows[size_t(row)]).toArray();
        m_cachedRow = row;
    }
    return m_cached;
}

QJsonValue CompactRows::value(qsizetype row, const QString &key) const
{
    const qsizetype index = m_keyIndex.value(key, -1);
    if (row < 0 || row >= size() || index < 0)
        return QJsonValue(QJsonValue::Undefined);
    const QCborArray &values = decoded(row);
    if (index >= values.size() || values.at(index).isUndefined())
        return QJsonValue(QJsonValue::Undefined);
    return values.at(index).toJsonValue();
}

QJsonObject CompactRows::object(qsizetype row) const
{
    QJsonObject object;
    if (row < 0 || row >= size())
        return object;
    const QCborArray &values = decoded(row);
    for (qsizetype i = 0; i < values.size() && i < m_keys.size(); ++i) {
        if (!values.at(i).isUndefined())
            object.insert(m_keys.at(i), values.at(i).toJsonValue());
    }
    return object;
}

} // namespace billing::ui
