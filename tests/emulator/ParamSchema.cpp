#include "ParamSchema.h"

#include <QVariantList>
#include <QVariantMap>

using namespace Qt::StringLiterals;

namespace billing::emulator {

namespace {

QString child(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + u'[' + key + u']';
}

ParamError invalid(const QString &code, const QString &message, const QString &param)
{
    return {code, message, param};
}

} // namespace

ParamSchema ParamSchema::string(int maxLength)
{
    ParamSchema schema;
    schema.m_type = Type::String;
    schema.m_maxLength = maxLength;
    return schema;
}

ParamSchema ParamSchema::integer()
{
    ParamSchema schema;
    schema.m_type = Type::Integer;
    return schema;
}

ParamSchema ParamSchema::boolean()
{
    ParamSchema schema;
    schema.m_type = Type::Boolean;
    return schema;
}

ParamSchema ParamSchema::oneOf(QStringList values)
{
    ParamSchema schema;
    schema.m_type = Type::Enum;
    schema.m_values = std::move(values);
    return schema;
}

ParamSchema ParamSchema::object(std::map<QString, ParamSchema> properties, QStringList required)
{
    ParamSchema schema;
    schema.m_type = Type::Object;
    schema.m_properties = std::make_shared<std::map<QString, ParamSchema>>(std::move(properties));
    schema.m_required = std::move(required);
    return schema;
}

ParamSchema ParamSchema::with(const std::map<QString, ParamSchema> &moreProperties) const
{
    Q_ASSERT(m_type == Type::Object);
    std::map<QString, ParamSchema> properties = *m_properties;
    properties.insert(moreProperties.begin(), moreProperties.end());
    return object(std::move(properties), m_required);
}

ParamSchema ParamSchema::map()
{
    ParamSchema schema;
    schema.m_type = Type::Map;
    return schema;
}

ParamSchema ParamSchema::list(ParamSchema items)
{
    ParamSchema schema;
    schema.m_type = Type::List;
    schema.m_items = std::make_shared<ParamSchema>(std::move(items));
    return schema;
}

std::optional<ParamError> ParamSchema::validate(const QVariant &tree) const
{
    return validateAt(tree, {});
}

std::optional<ParamError> ParamSchema::validateAt(const QVariant &value, const QString &path) const
{
    const bool isLeaf = value.typeId() == QMetaType::QString;
    switch (m_type) {
    case Type::String:
        if (!isLeaf)
            return invalid(u"parameter_invalid_string"_s, u"Invalid string: %1"_s.arg(path), path);
        if (value.toString().size() > m_maxLength)
            return invalid(u"string_too_long"_s,
                           u"Invalid string: must be at most %1 characters"_s.arg(m_maxLength), path);
        return std::nullopt;
    case Type::Integer: {
        bool ok = false;
        value.toString().toLongLong(&ok);
        if (!isLeaf || !ok)
            return invalid(u"parameter_invalid_integer"_s, u"Invalid integer: %1"_s.arg(value.toString()),
                           path);
        return std::nullopt;
    }
    case Type::Boolean:
        if (!isLeaf || (value.toString() != u"true" && value.toString() != u"false"))
            return invalid(u"parameter_invalid_boolean"_s, u"Invalid boolean: %1"_s.arg(value.toString()),
                           path);
        return std::nullopt;
    case Type::Enum:
        if (!isLeaf || !m_values.contains(value.toString())) {
            return invalid(u"parameter_invalid_enum"_s,
                           u"Invalid %1: must be one of %2"_s.arg(path, m_values.join(u", ")), path);
        }
        return std::nullopt;
    case Type::Map: {
        if (value.typeId() != QMetaType::QVariantMap)
            return invalid(u"parameter_invalid_object"_s, u"Invalid object"_s, path);
        const QVariantMap map = value.toMap();
        for (auto it = map.cbegin(); it != map.cend(); ++it) {
            if (it.key().size() > 40)
                return invalid(u"parameter_invalid_metadata"_s,
                               u"Metadata keys must be at most 40 characters"_s, child(path, it.key()));
            if (it.value().typeId() != QMetaType::QString || it.value().toString().size() > 500)
                return invalid(u"parameter_invalid_metadata"_s,
                               u"Metadata values must be strings of at most 500 characters"_s,
                               child(path, it.key()));
        }
        return std::nullopt;
    }
    case Type::List: {
        if (value.typeId() != QMetaType::QVariantList)
            return invalid(u"parameter_invalid_array"_s, u"Invalid array"_s, path);
        const QVariantList list = value.toList();
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (std::optional<ParamError> error =
                    m_items->validateAt(list[i], child(path, QString::number(i))))
                return error;
        }
        return std::nullopt;
    }
    case Type::Object: {
        if (value.typeId() != QMetaType::QVariantMap)
            return invalid(u"parameter_invalid_object"_s, u"Invalid object"_s, path);
        const QVariantMap map = value.toMap();
        for (auto it = map.cbegin(); it != map.cend(); ++it) {
            const auto property = m_properties->find(it.key());
            if (property == m_properties->end()) {
                return invalid(u"parameter_unknown"_s,
                               u"Received unknown parameter: %1"_s.arg(child(path, it.key())),
                               child(path, it.key()));
            }
            if (std::optional<ParamError> error =
                    property->second.validateAt(it.value(), child(path, it.key())))
                return error;
        }
        for (const QString &required : m_required) {
            if (!map.contains(required)) {
                return invalid(u"parameter_missing"_s,
                               u"Missing required param: %1."_s.arg(child(path, required)),
                               child(path, required));
            }
        }
        return std::nullopt;
    }
    }
    return std::nullopt;
}

} // namespace billing::emulator
