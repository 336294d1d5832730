#include "Migrator.h"

#include "SqlScript.h"
#include "WriteTransaction.h"
#include "common/Logging.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

const QString kVersionTable = u"schema_migrations"_s;

Error databaseError(const QString &what, const QSqlError &error)
{
    return {ErrorCode::Database, u"%1: %2"_s.arg(what, error.text())};
}

// Holds the PostgreSQL advisory lock for its lifetime; does nothing on SQLite.
class MigrationLock final
{
public:
    MigrationLock(QSqlDatabase &db, SqlDialect dialect)
        : m_db(db)
        , m_enabled(dialect == SqlDialect::Postgres)
    {}
    ~MigrationLock()
    {
        if (m_held) {
            QSqlQuery query(m_db);
            query.prepare(u"SELECT pg_advisory_unlock(?)"_s);
            query.addBindValue(Migrator::kAdvisoryLockKey);
            if (!query.exec())
                qCWarning(lcMigrations)
                    << "could not release the migration lock:" << query.lastError().text();
        }
    }
    MigrationLock(const MigrationLock &) = delete;
    MigrationLock &operator=(const MigrationLock &) = delete;

    Result<void> acquire()
    {
        if (!m_enabled)
            return {};
        QSqlQuery query(m_db);
        query.prepare(u"SELECT pg_advisory_lock(?)"_s);
        query.addBindValue(Migrator::kAdvisoryLockKey);
        if (!query.exec())
            return databaseError(u"could not take the migration lock"_s, query.lastError());
        m_held = true;
        return {};
    }

private:
    QSqlDatabase &m_db;
    bool m_enabled;
    bool m_held = false;
};

} // namespace

Migrator::Migrator(Database &database, MigrationCatalog catalog, const Clock &clock)
    : m_database(database)
    , m_catalog(std::move(catalog))
    , m_clock(clock)
{}

Result<QList<Migrator::AppliedRow>> Migrator::readApplied(QSqlDatabase &db)
{
    QList<AppliedRow> rows;
    if (!db.tables().contains(kVersionTable))
        return rows;
    QSqlQuery query(db);
    if (!query.exec(u"SELECT version, checksum FROM schema_migrations ORDER BY version"_s))
        return databaseError(u"cannot read schema_migrations"_s, query.lastError());
    while (query.next())
        rows.append({query.value(0).toString(), query.value(1).toString()});
    return rows;
}

Result<MigrationStatus> Migrator::compare(const QList<AppliedRow> &applied) const
{
    MigrationStatus status;
    const QString latest = m_catalog.latestVersion();
    for (const AppliedRow &row : applied) {
        const Migration *known = m_catalog.find(row.version);
        if (!known && row.version > latest) {
            return Error{
                ErrorCode::SchemaTooNew,
                u"the database schema is at version %1, newer than this build knows "
                "(latest %2): a newer agencyos-billing-server migrated it. Upgrade this "
                "installation instead of running an older one against it"_s.arg(row.version, latest)};
        }
        if (!known) {
            return Error{ErrorCode::SchemaMismatch,
                         u"the database records migration %1, which this build does not have; "
                         "it was migrated by a different build"_s.arg(row.version)};
        }
        if (known->checksum != row.checksum) {
            return Error{ErrorCode::SchemaMismatch,
                         u"migration %1 (%2) was changed after it was applied to this database; "
                         "applied migrations must never be edited: add a new migration instead"_s.arg(
                             row.version, known->fileName)};
        }
        status.applied << *known;
    }
    for (const Migration &migration : m_catalog.migrations()) {
        const bool isApplied = std::any_of(applied.cbegin(), applied.cend(), [&](const AppliedRow &row) {
            return row.version == migration.version;
        });
        if (!isApplied)
            status.pending << migration;
    }
    return status;
}

Result<MigrationStatus> Migrator::status()
{
    // Opening would create the file: a mistyped path must not become a new, empty database.
    if (m_database.dialect() == SqlDialect::Sqlite && !QFileInfo::exists(m_database.url().sqlitePath())) {
        MigrationStatus status;
        status.pending = m_catalog.migrations();
        status.databaseExists = false;
        return status;
    }
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    Result<QList<AppliedRow>> applied = readApplied(db.value());
    if (!applied)
        return applied.error();
    return compare(applied.value());
}

Result<void> Migrator::ensureVersionTable(QSqlDatabase &db)
{
    if (Result<void> done = execSql(db, u"CREATE TABLE IF NOT EXISTS schema_migrations ("
                                        " version TEXT NOT NULL PRIMARY KEY,"
                                        " name TEXT NOT NULL,"
                                        " checksum TEXT NOT NULL,"
                                        " applied_at BIGINT NOT NULL)"_s);
        !done) {
        return Error{ErrorCode::Database, u"cannot create schema_migrations: "_s + done.error().message};
    }
    return {};
}

Result<bool> Migrator::applyOne(const Migration &migration)
{
    // A second process migrating at the same time waits here.
    // On the connection that holds the migration lock, or not at all.
    Result<WriteTransaction> transaction =
        WriteTransaction::begin(m_database, WriteTransaction::OnDeadConnection::Fail);
    if (!transaction)
        return transaction.error();
    QSqlDatabase &db = transaction->db();

    {
        QSqlQuery check(db);
        check.prepare(u"SELECT 1 FROM schema_migrations WHERE version = ?"_s);
        check.addBindValue(migration.version);
        if (!check.exec())
            return transaction->fail(databaseError(u"cannot read schema_migrations"_s, check.lastError()));
        if (check.next()) {
            check.finish();
            if (Result<void> committed = transaction->commit(); !committed)
                return committed.error();
            return false; // another process applied it while we waited for the lock
        }
    }

    const QStringList statements = splitSqlStatements(migration.sqlFor(m_database.dialect()));
    for (qsizetype i = 0; i < statements.size(); ++i) {
        QSqlQuery query(db);
        if (!query.exec(statements[i])) {
            return transaction->fail(
                Error{ErrorCode::Database,
                      u"migration %1 failed at statement %2 of %3: %4"_s.arg(migration.fileName)
                          .arg(i + 1)
                          .arg(statements.size())
                          .arg(query.lastError().text())});
        }
    }

    QSqlQuery record(db);
    record.prepare(
        u"INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)"_s);
    record.addBindValue(migration.version);
    record.addBindValue(migration.name);
    record.addBindValue(migration.checksum);
    record.addBindValue(m_clock.nowSecondsSinceEpoch());
    if (!record.exec())
        return transaction->fail(
            databaseError(u"cannot record migration %1"_s.arg(migration.version), record.lastError()));

    if (Result<void> committed = transaction->commit(); !committed)
        return Error{ErrorCode::Database,
                     u"cannot commit migration %1: %2"_s.arg(migration.version, committed.error().message)};
    return true;
}

Result<QList<Migration>> Migrator::migrate()
{
    Result<QSqlDatabase> connection = m_database.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase &db = connection.value();

    MigrationLock lock(db, m_database.dialect());
    if (Result<void> locked = lock.acquire(); !locked)
        return locked.error();
    if (Result<void> table = ensureVersionTable(db); !table)
        return table.error();

    Result<QList<AppliedRow>> applied = readApplied(db);
    if (!applied)
        return applied.error();
    Result<MigrationStatus> status = compare(applied.value());
    if (!status)
        return status.error();

    QList<Migration> appliedNow;
    for (const Migration &migration : std::as_const(status->pending)) {
        Result<bool> done = applyOne(migration);
        if (!done)
            return done.error();
        if (done.value()) {
            qCInfo(lcMigrations).noquote() << "applied migration" << migration.fileName;
            appliedNow << migration;
        }
        // A definition rewritten in place (012, 013) is re-read before the next
        // migration: an ALTER TABLE on the stale one writes a broken definition.
        if (m_database.dialect() == SqlDialect::Sqlite &&
            migration.sqlFor(SqlDialect::Sqlite).contains(u"writable_schema"_s, Qt::CaseInsensitive)) {
            if (Result<void> reread = execSql(db, u"PRAGMA writable_schema = RESET"_s); !reread)
                return reread.error();
        }
    }
    // A SQLite migration may rewrite stored table definitions in place (012
    // does); the connection that ran it keeps what it had read, so it is
    // opened afresh.
    if (!appliedNow.isEmpty() && m_database.dialect() == SqlDialect::Sqlite) {
        if (Result<QSqlDatabase> reopened = m_database.reconnect(); !reopened)
            return reopened.error();
    }
    return appliedNow;
}

} // namespace billing
