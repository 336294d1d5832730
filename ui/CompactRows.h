#pragma once

#include <QByteArray>
#include <QCborArray>
#include <QHash>
#include <QJsonObject>
#include <QStringList>

#include <vector>

namespace billing::ui {

// The rows of a long list, kept small: a list scrolled to its millionth
// event must fit in the dashboard's memory. Each row is its values in CBOR,
// in the order of a key list shared by all rows (about 150 bytes for an
// event, against about 1 KB as a QJsonObject).
class CompactRows final
{
public:
    void clear();
    void append(const QJsonObject &row);
    qsizetype size() const { return qsizetype(m_rows.size()); }

    QJsonValue value(qsizetype row, const QString &key) const;
    QJsonObject object(qsizetype row) const;

private:
    const QCborArray &decoded(qsizetype row) const;

    QStringList m_keys;
    QHash<QString, qsizetype> m_keyIndex;
    std::vector<QByteArray> m_rows;
    // Views ask for every column of a row in turn: the last row decoded is kept.
    mutable qsizetype m_cachedRow = -1;
    mutable QCborArray m_cached;
};

} // namespace billing::ui
