#pragma once

#include "common/Result.h"

#include <QMap>
#include <QString>

namespace billing {

enum class SqlDialect { Sqlite, Postgres };

// Where the data lives, parsed from BILLING_DATABASE_URL:
//   sqlite:///absolute/path/billing.sqlite3
//   sqlite:relative/path.sqlite3            (relative to BILLING_DATA_DIR)
//   postgresql://user:password@host:5432/dbname?sslmode=require
class DatabaseUrl final
{
public:
    static Result<DatabaseUrl> parse(const QString &url, const QString &dataDir);
    static DatabaseUrl sqliteFile(const QString &absolutePath);

    SqlDialect dialect() const { return m_dialect; }

    // SQLite
    const QString &sqlitePath() const { return m_sqlitePath; }

    // PostgreSQL
    const QString &host() const { return m_host; }
    int port() const { return m_port; }
    const QString &user() const { return m_user; }
    const QString &password() const { return m_password; }
    const QString &databaseName() const { return m_databaseName; }
    // libpq connection parameters from the query string (sslmode, ...).
    const QMap<QString, QString> &options() const { return m_options; }

    // The same server with another database name (tests create throwaway databases).
    DatabaseUrl withDatabaseName(const QString &name) const;

    // For logs, errors and check-config: the password is masked.
    QString toDisplayString() const;

private:
    SqlDialect m_dialect = SqlDialect::Sqlite;
    QString m_sqlitePath;
    QString m_host;
    int m_port = 5432;
    QString m_user;
    QString m_password;
    QString m_databaseName;
    QMap<QString, QString> m_options;
};

} // namespace billing
