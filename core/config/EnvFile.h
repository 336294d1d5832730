#pragma once

#include "common/Result.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace billing {

// A parsed `.env` file: KEY=VALUE lines as dotenv tools write them.
//
// Accepted: blank lines, `# comments`, an optional `export ` prefix, unquoted
// values (trimmed; ` #` starts a comment), 'single-quoted' values (literal) and
// "double-quoted" values (\n, \t, \", \\ escapes). Anything else is an error
// naming the line, because a silently skipped line is a setting that is not set.
class EnvFile final
{
public:
    struct Entry
    {
        QString key;
        QString value;
        int line = 0;
    };

    static Result<EnvFile> parse(const QByteArray &content);
    static Result<EnvFile> read(const QString &path);

    const QList<Entry> &entries() const { return m_entries; }
    // Non-fatal findings, such as a key given twice (the last one wins).
    const QStringList &warnings() const { return m_warnings; }

private:
    QList<Entry> m_entries;
    QStringList m_warnings;
};

} // namespace billing
