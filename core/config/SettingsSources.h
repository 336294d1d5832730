#pragma once

#include "common/Result.h"

#include <QHash>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace billing {

// The raw setting values and where each came from: the process environment
// wins over the .env file; an empty environment variable counts as unset, so an
// exported-but-empty variable does not hide the file's value.
class SettingsSources final
{
public:
    enum class Origin { Unset, EnvFile, Environment };

    // envFilePath: the file given with --env-file (must be readable), or empty to
    // use ./.env when one exists.
    static Result<SettingsSources> load(const QProcessEnvironment &environment, const QString &envFilePath);
    // Only the given values, as if from the environment (tests, tools).
    static SettingsSources fromValues(const QHash<QString, QString> &values);

    QString value(const QString &name) const;
    Origin origin(const QString &name) const;
    // Absolute path of the .env file read, or empty when none was.
    const QString &envFilePath() const { return m_envFilePath; }
    const QStringList &warnings() const { return m_warnings; }

private:
    struct Entry
    {
        QString value;
        Origin origin = Origin::Unset;
    };
    QHash<QString, Entry> m_entries;
    QString m_envFilePath;
    QStringList m_warnings;
};

QString settingOriginName(SettingsSources::Origin origin);

} // namespace billing
