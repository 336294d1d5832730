#pragma once

#include "common/JsonView.h"

#include <QVariant>

namespace billing {

// NULL-aware conversions for binding JSON and optional values in the stores.
inline QVariant nullString(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

inline QVariant nullInteger(const JsonView &value)
{
    return value.isNumber() ? QVariant(value.toInteger()) : QVariant(QMetaType::fromType<qint64>());
}

inline QVariant nullInteger(qint64 value, bool present)
{
    return present ? QVariant(value) : QVariant(QMetaType::fromType<qint64>());
}

// An expandable Stripe field: the id, or the object with an id when expanded.
inline QString stripeId(const JsonView &value)
{
    return value.isObject() ? value.value("id").toString() : value.toString();
}

} // namespace billing
