#pragma once

#include "db/Database.h"

#include <QTemporaryDir>

#include <memory>
#include <optional>

namespace billing::test {

// The backend a test run targets: BILLING_TEST_BACKEND=sqlite (default) or postgres.
SqlDialect backendUnderTest();
QString backendName(SqlDialect dialect);

// A throwaway database: an SQLite file in a temporary directory, or a freshly
// created database on the suite's private PostgreSQL server, dropped afterwards.
class TestDatabase final
{
public:
    // On failure returns nullptr and sets *error; a test should QFAIL with it.
    static std::unique_ptr<TestDatabase> create(SqlDialect dialect, QString *error);
    ~TestDatabase();

    const DatabaseUrl &url() const { return m_url; }
    Database &database() { return *m_database; }
    // The admin URL of the suite's PostgreSQL server, read from the fixture's
    // state file (BILLING_TEST_POSTGRES_URL_FILE) or BILLING_TEST_POSTGRES_URL.
    static QString postgresAdminUrl(QString *error);

private:
    TestDatabase() = default;

    DatabaseUrl m_url;
    std::unique_ptr<QTemporaryDir> m_sqliteDir;
    std::unique_ptr<Database> m_database;
    DatabaseUrl m_adminUrl;
};

// Sorted names of the user tables, and of one table's columns.
QStringList tableNames(QSqlDatabase &db);
QStringList columnNames(QSqlDatabase &db, const QString &table);

// SQLite: the first line PRAGMA integrity_check answers ("ok" when the file
// is sound), or why it gave none.
QString integrityCheck(QSqlDatabase &db);
// SQLite: the opcodes of the program that inserts a row into the table,
// nullopt if it could not be explained.
std::optional<QStringList> insertOpcodes(QSqlDatabase &db, const QString &table);

} // namespace billing::test
