#include "SettingsSources.h"

#include "EnvFile.h"
#include "SettingKeys.h"

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

bool looksLikeOurSetting(const QString &key)
{
    return key.startsWith(u"STRIPE_") || key.startsWith(u"BILLING_");
}

} // namespace

Result<SettingsSources> SettingsSources::load(const QProcessEnvironment &environment,
                                              const QString &envFilePath)
{
    SettingsSources sources;

    QString path = envFilePath;
    if (path.isEmpty() && QFileInfo::exists(u".env"_s))
        path = u".env"_s;

    if (!path.isEmpty()) {
        Result<EnvFile> file = EnvFile::read(path);
        if (!file) {
            return Error{ErrorCode::Configuration,
                         u"cannot use the .env file: %1"_s.arg(file.error().message)};
        }
        const QFileInfo info(path);
        sources.m_envFilePath = info.absoluteFilePath();
        sources.m_warnings << file->warnings();
        if (info.permissions() & QFileDevice::ReadOther) {
            sources.m_warnings << u"%1 is readable by every user on this machine and may hold "
                                  "secrets: run chmod 600 on it"_s.arg(sources.m_envFilePath);
        }
        for (const EnvFile::Entry &entry : file->entries()) {
            if (findSettingDescriptor(entry.key)) {
                sources.m_entries.insert(entry.key, {entry.value, Origin::EnvFile});
            } else if (looksLikeOurSetting(entry.key)) {
                sources.m_warnings << u"%1 line %2: %3 is not a setting of this product (a typo?)"_s
                                          .arg(sources.m_envFilePath)
                                          .arg(entry.line)
                                          .arg(entry.key);
            }
        }
    }

    for (const SettingDescriptor &descriptor : settingDescriptors()) {
        const QString value = environment.value(descriptor.name);
        if (!value.isEmpty())
            sources.m_entries.insert(descriptor.name, {value, Origin::Environment});
    }
    return sources;
}

SettingsSources SettingsSources::fromValues(const QHash<QString, QString> &values)
{
    SettingsSources sources;
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        if (!it.value().isEmpty())
            sources.m_entries.insert(it.key(), {it.value(), Origin::Environment});
    }
    return sources;
}

QString SettingsSources::value(const QString &name) const
{
    return m_entries.value(name).value;
}

SettingsSources::Origin SettingsSources::origin(const QString &name) const
{
    return m_entries.value(name).origin;
}

QString settingOriginName(SettingsSources::Origin origin)
{
    switch (origin) {
    case SettingsSources::Origin::Environment: return u"environment"_s;
    case SettingsSources::Origin::EnvFile: return u".env file"_s;
    case SettingsSources::Origin::Unset: break;
    }
    return u"default"_s;
}

} // namespace billing
