#pragma once

#include "DatabaseUrl.h"
#include "common/Result.h"

#include <QList>
#include <QString>

#include <optional>

namespace billing {

// One file of migrations/: YYYYMMDD_NNN_name.sql.
struct Migration
{
    QString version; // "20260127_001": orders migrations and is recorded when applied
    QString name;    // "payment_events"
    QString fileName;
    QString sql;      // as written, with dialect placeholders
    QString checksum; // SHA-256 of the file, to notice an applied migration edited later
    // Set by a first line "-- dialect: sqlite" (or postgres): a change that one
    // database needs and the other does not. Elsewhere it is recorded as applied.
    std::optional<SqlDialect> onlyFor;

    // The SQL for one database (empty where it does not apply). The files are
    // written once for both; the few differences are placeholders so that they
    // stay visible:
    //   {{AUTO_ID}}  an auto-numbered 64-bit primary key
    //   {{BLOB}}     raw bytes (webhook bodies exactly as received)
    QString sqlFor(SqlDialect dialect) const;
};

// The migrations this build knows, in order. Built in (compiled from
// migrations/ into the binary) so the executable and its schema always agree.
class MigrationCatalog final
{
public:
    static Result<MigrationCatalog> builtIn();
    static Result<MigrationCatalog> fromDirectory(const QString &directory);

    const QList<Migration> &migrations() const { return m_migrations; }
    QString latestVersion() const;
    const Migration *find(const QString &version) const;

private:
    QList<Migration> m_migrations;
};

} // namespace billing
