#pragma once

#include "Database.h"
#include "MigrationCatalog.h"
#include "common/Clock.h"

namespace billing {

struct MigrationStatus
{
    QList<Migration> applied;
    QList<Migration> pending;
    // False when the SQLite file does not exist yet (status never creates it).
    bool databaseExists = true;

    bool isCurrent() const { return pending.isEmpty(); }
};

// Brings a database to the catalog's latest schema.
//
// Each migration runs in its own transaction together with the row that records
// it in schema_migrations, so a migration is either wholly applied and recorded
// or not at all. Several processes may migrate at once: on PostgreSQL they
// queue on an advisory lock, on SQLite on BEGIN IMMEDIATE's write lock, and each
// re-reads the applied versions once it holds the lock.
//
// The migrator refuses a database that records a version it does not know (a
// newer build migrated it) or whose applied migration files have since changed.
class Migrator final
{
public:
    Migrator(Database &database, MigrationCatalog catalog, const Clock &clock = Clock::system());

    Result<MigrationStatus> status();
    // Applies what is pending; returns the migrations applied by this call.
    Result<QList<Migration>> migrate();

    // PostgreSQL advisory lock key shared by every instance of the service.
    static constexpr qint64 kAdvisoryLockKey = 0x4167656e63794f53; // "AgencyOS"

private:
    struct AppliedRow
    {
        QString version;
        QString checksum;
    };
    Result<QList<AppliedRow>> readApplied(QSqlDatabase &db);
    Result<MigrationStatus> compare(const QList<AppliedRow> &applied) const;
    Result<void> ensureVersionTable(QSqlDatabase &db);
    Result<bool> applyOne(const Migration &migration);

    Database &m_database;
    MigrationCatalog m_catalog;
    const Clock &m_clock;
};

} // namespace billing
