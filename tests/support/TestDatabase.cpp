#include "TestDatabase.h"

#include <QFile>
#include <QProcessEnvironment>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace billing::test {

SqlDialect backendUnderTest()
{
    const QString backend = qEnvironmentVariable("BILLING_TEST_BACKEND", u"sqlite"_s);
    return backend == u"postgres" ? SqlDialect::Postgres : SqlDialect::Sqlite;
}

QString backendName(SqlDialect dialect)
{
    return dialect == SqlDialect::Postgres ? u"postgres"_s : u"sqlite"_s;
}

QString TestDatabase::postgresAdminUrl(QString *error)
{
    const QString direct = qEnvironmentVariable("BILLING_TEST_POSTGRES_URL");
    if (!direct.isEmpty())
        return direct;
    const QString path = qEnvironmentVariable("BILLING_TEST_POSTGRES_URL_FILE");
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly)) {
        *error = u"no PostgreSQL server for the tests: the postgres fixture did not start "
                 "(see tests/support/postgres-fixture.sh) and BILLING_TEST_POSTGRES_URL is unset"_s;
        return {};
    }
    return QString::fromUtf8(file.readAll()).trimmed();
}

std::unique_ptr<TestDatabase> TestDatabase::create(SqlDialect dialect, QString *error)
{
    std::unique_ptr<TestDatabase> result(new TestDatabase);
    if (dialect == SqlDialect::Sqlite) {
        result->m_sqliteDir = std::make_unique<QTemporaryDir>();
        if (!result->m_sqliteDir->isValid()) {
            *error = u"cannot create a temporary directory"_s;
            return nullptr;
        }
        result->m_url = DatabaseUrl::sqliteFile(result->m_sqliteDir->filePath(u"test.sqlite3"_s));
    } else {
        const QString adminText = postgresAdminUrl(error);
        if (adminText.isEmpty())
            return nullptr;
        Result<DatabaseUrl> admin = DatabaseUrl::parse(adminText, {});
        if (!admin) {
            *error = admin.error().message;
            return nullptr;
        }
        const QString name = u"billing_test_"_s + QUuid::createUuid().toString(QUuid::Id128).left(16);
        {
            Database adminDb(admin.value());
            Result<QSqlDatabase> connection = adminDb.connection();
            if (!connection) {
                *error = connection.error().message;
                return nullptr;
            }
            if (Result<void> created = execSql(connection.value(), u"CREATE DATABASE "_s + name); !created) {
                *error = created.error().message;
                return nullptr;
            }
        }
        result->m_adminUrl = admin.value();
        result->m_url = admin->withDatabaseName(name);
    }
    result->m_database = std::make_unique<Database>(result->m_url);
    return result;
}

TestDatabase::~TestDatabase()
{
    m_database.reset();
    if (m_url.dialect() == SqlDialect::Postgres) {
        Database adminDb(m_adminUrl);
        if (Result<QSqlDatabase> connection = adminDb.connection()) {
            Result<void> dropped = execSql(
                connection.value(), u"DROP DATABASE IF EXISTS %1 WITH (FORCE)"_s.arg(m_url.databaseName()));
            if (!dropped)
                qWarning("could not drop test database: %s", qPrintable(dropped.error().message));
        }
    }
}

QStringList tableNames(QSqlDatabase &db)
{
    QStringList tables = db.tables(QSql::Tables);
    tables.removeIf([](const QString &name) { return name.startsWith(u"sqlite_"); });
    tables.sort();
    return tables;
}

QString integrityCheck(QSqlDatabase &db)
{
    QSqlQuery check(db);
    if (!check.exec(u"PRAGMA integrity_check"_s) || !check.next())
        return u"no answer: "_s + check.lastError().text();
    return check.value(0).toString();
}

std::optional<QStringList> insertOpcodes(QSqlDatabase &db, const QString &table)
{
    QSqlQuery plan(db);
    if (!plan.exec(u"EXPLAIN INSERT INTO %1 DEFAULT VALUES"_s.arg(table)))
        return std::nullopt;
    QStringList opcodes;
    while (plan.next())
        opcodes << plan.value(1).toString();
    return opcodes;
}

QStringList columnNames(QSqlDatabase &db, const QString &table)
{
    const QSqlRecord record = db.record(table);
    QStringList names;
    for (int i = 0; i < record.count(); ++i)
        names << record.fieldName(i);
    names.sort();
    return names;
}

} // namespace billing::test
