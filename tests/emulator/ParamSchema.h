#pragma once

#include <QString>
#include <QStringList>
#include <QVariant>

#include <map>
#include <memory>
#include <optional>

namespace billing::emulator {

// A Stripe-style parameter error: what Stripe answers with HTTP 400.
struct ParamError
{
    QString code; // parameter_unknown, parameter_missing, parameter_invalid_integer, …
    QString message;
    QString param;
};

// The accepted shape of a request's parameters, strict as Stripe is: unknown
// parameters, missing required ones and mistyped values are errors naming the
// parameter in Stripe's bracket notation.
class ParamSchema final
{
public:
    enum class Type { String, Integer, Boolean, Enum, Object, Map, List };

    static ParamSchema string(int maxLength = 5000);
    static ParamSchema integer();
    static ParamSchema boolean();
    static ParamSchema oneOf(QStringList values);
    static ParamSchema object(std::map<QString, ParamSchema> properties, QStringList required = {});
    static ParamSchema map(); // metadata: string keys (≤40) to string values (≤500)
    static ParamSchema list(ParamSchema items);

    // This object schema with more properties (endpoints sharing the list parameters).
    ParamSchema with(const std::map<QString, ParamSchema> &moreProperties) const;

    // tree: as FormParams::toTree() makes it.
    std::optional<ParamError> validate(const QVariant &tree) const;

private:
    std::optional<ParamError> validateAt(const QVariant &value, const QString &path) const;

    Type m_type = Type::String;
    int m_maxLength = 5000;
    QStringList m_values;
    std::shared_ptr<std::map<QString, ParamSchema>> m_properties;
    QStringList m_required;
    std::shared_ptr<ParamSchema> m_items;
};

} // namespace billing::emulator
