#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QVariant>

namespace billing {

// Stripe's request encoding: application/x-www-form-urlencoded with nesting in
// bracketed keys (line_items[0][price]=…, metadata[tenant_id]=…), in the order
// the parameters were added. Values are UTF-8, percent-encoded; brackets stay
// literal, as Stripe's Node SDK sends them.
class FormParams final
{
public:
    using Pair = std::pair<QString, QString>;

    FormParams() = default;
    FormParams(std::initializer_list<Pair> pairs)
        : m_pairs(pairs)
    {}

    FormParams &add(const QString &key, const QString &value);
    FormParams &add(const QString &key, qint64 value);
    FormParams &add(const QString &key, bool value);

    const QList<Pair> &pairs() const { return m_pairs; }
    bool isEmpty() const { return m_pairs.isEmpty(); }
    // The last value given for key, or a null string.
    QString value(const QString &key) const;

    QByteArray encode() const;

    // Parses a form body (also with %5B/%5D-encoded brackets and '+' for space).
    static Result<FormParams> decode(const QByteArray &body);

    // The nested structure the keys describe: objects become QVariantMap, runs of
    // [0], [1], … become QVariantList, leaves stay QString. Inconsistent keys
    // (a[b]=1 with a=2, or a[1] without a[0]) are an error naming the key.
    Result<QVariantMap> toTree() const;

private:
    QList<Pair> m_pairs;
};

} // namespace billing
