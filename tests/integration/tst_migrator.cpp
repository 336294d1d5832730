#include "TestDatabase.h"
#include "db/Migrator.h"

#include <QDir>
#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace Qt::StringLiterals;
using namespace billing;
using billing::test::TestDatabase;

namespace {

const QStringList kExpectedTables = {
    u"audit_log"_s,
    u"change_marks"_s,
    u"customers"_s,
    u"invoices"_s,
    u"license_signing_keys"_s,
    u"licenses"_s,
    u"notification_outbox"_s,
    u"payment_events"_s,
    u"payments"_s,
    u"reconcile_divergences"_s,
    u"reconcile_runs"_s,
    u"schema_migrations"_s,
    u"staff_members"_s,
    u"subscriptions"_s,
    u"sync_cursors"_s,
    u"tenants"_s,
    u"webhook_delivery_failures"_s,
};

MigrationCatalog builtInCatalog()
{
    Result<MigrationCatalog> catalog = MigrationCatalog::builtIn();
    if (!catalog)
        qFatal("built-in migrations missing: %s", qPrintable(catalog.error().message));
    return std::move(catalog).value();
}

// A catalog made of the first `count` built-in migrations, copied to `dir` so a test can edit them.
void copyMigrations(const QString &dir, qsizetype count)
{
    const MigrationCatalog catalog = builtInCatalog();
    const QList<Migration> &all = catalog.migrations();
    for (qsizetype i = 0; i < count && i < all.size(); ++i) {
        QFile::remove(dir + u'/' + all[i].fileName);
        QVERIFY(QFile::copy(u":/migrations/"_s + all[i].fileName, dir + u'/' + all[i].fileName));
        QFile::setPermissions(dir + u'/' + all[i].fileName, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
}

qsizetype indexOf(const MigrationCatalog &catalog, const QString &name)
{
    const QList<Migration> &all = catalog.migrations();
    for (qsizetype i = 0; i < all.size(); ++i) {
        if (all[i].name == name)
            return i;
    }
    return -1;
}

void writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(content);
}

struct AppliedRecord
{
    QString version;
    qint64 appliedAt;
    bool operator==(const AppliedRecord &other) const = default;
};

QList<AppliedRecord> appliedRecords(Database &database)
{
    QList<AppliedRecord> records;
    QSqlDatabase db = database.connection().value();
    QSqlQuery query(db);
    if (!query.exec(u"SELECT version, applied_at FROM schema_migrations ORDER BY version"_s))
        return records;
    while (query.next())
        records.append({query.value(0).toString(), query.value(1).toLongLong()});
    return records;
}

} // namespace

class TestMigrator final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void migratesFreshDatabase();
    void secondRunChangesNothing();
    void appliesOnlyWhatIsPending();
    void refusesSchemaNewerThanBuild();
    void refusesUnknownRecordedMigration();
    void refusesEditedMigration();
    void failedMigrationLeavesNoTrace();
    void concurrentMigratorsApplyEachMigrationOnce();
    void rewritingCheckRulesKeepsStoredRows();
    void idsContinueAfterAutoincrementIsDropped();
    void paymentsTakeTheirInvoicesMode();

private:
    void migrateUpTo(const QString &name);

    std::unique_ptr<TestDatabase> m_db;
};

void TestMigrator::init()
{
    QString error;
    m_db = TestDatabase::create(test::backendUnderTest(), &error);
    QVERIFY2(m_db, qPrintable(error));
}

void TestMigrator::cleanup()
{
    m_db.reset();
}

void TestMigrator::migratesFreshDatabase()
{
    const MigrationCatalog catalog = builtInCatalog();
    Migrator migrator(m_db->database(), catalog);

    Result<MigrationStatus> before = migrator.status();
    QVERIFY(before.ok());
    QCOMPARE(before->pending.size(), catalog.migrations().size());
    QVERIFY(before->applied.isEmpty());

    Result<QList<Migration>> applied = migrator.migrate();
    QVERIFY2(applied.ok(), qPrintable(applied.ok() ? QString() : applied.error().message));
    QCOMPARE(applied->size(), catalog.migrations().size());

    QSqlDatabase db = m_db->database().connection().value();
    QCOMPARE(test::tableNames(db), kExpectedTables);

    Result<MigrationStatus> after = migrator.status();
    QVERIFY(after.ok());
    QVERIFY(after->isCurrent());
    QCOMPARE(after->applied.size(), catalog.migrations().size());
}

void TestMigrator::secondRunChangesNothing()
{
    Migrator migrator(m_db->database(), builtInCatalog());
    QVERIFY(migrator.migrate().ok());
    QSqlDatabase db = m_db->database().connection().value();
    const QList<AppliedRecord> recordsBefore = appliedRecords(m_db->database());
    QStringList columnsBefore;
    for (const QString &table : test::tableNames(db))
        columnsBefore << table + u": "_s + test::columnNames(db, table).join(u',');

    Result<QList<Migration>> second = migrator.migrate();
    QVERIFY(second.ok());
    QVERIFY(second->isEmpty());

    QCOMPARE(appliedRecords(m_db->database()), recordsBefore);
    QStringList columnsAfter;
    for (const QString &table : test::tableNames(db))
        columnsAfter << table + u": "_s + test::columnNames(db, table).join(u',');
    QCOMPARE(columnsAfter, columnsBefore);
}

void TestMigrator::appliesOnlyWhatIsPending()
{
    QTemporaryDir dir;
    copyMigrations(dir.path(), 2);
    Result<MigrationCatalog> firstTwo = MigrationCatalog::fromDirectory(dir.path());
    QVERIFY(firstTwo.ok());
    Migrator early(m_db->database(), firstTwo.value());
    Result<QList<Migration>> earlyApplied = early.migrate();
    QVERIFY2(earlyApplied.ok(), qPrintable(earlyApplied.ok() ? QString() : earlyApplied.error().message));
    QCOMPARE(earlyApplied->size(), 2);

    const MigrationCatalog full = builtInCatalog();
    Migrator later(m_db->database(), full);
    Result<QList<Migration>> applied = later.migrate();
    QVERIFY2(applied.ok(), qPrintable(applied.ok() ? QString() : applied.error().message));
    QCOMPARE(applied->size(), full.migrations().size() - 2);
    QCOMPARE(applied->constFirst().version, full.migrations().at(2).version);
    QCOMPARE(appliedRecords(m_db->database()).size(), full.migrations().size());
}

void TestMigrator::refusesSchemaNewerThanBuild()
{
    Migrator migrator(m_db->database(), builtInCatalog());
    QVERIFY(migrator.migrate().ok());
    QSqlDatabase db = m_db->database().connection().value();
    QVERIFY(execSql(db, u"INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                        "VALUES ('29991231_001', 'from_the_future', 'x', 0)"_s)
                .ok());

    Result<QList<Migration>> applied = migrator.migrate();
    QVERIFY(!applied.ok());
    QCOMPARE(applied.error().code, ErrorCode::SchemaTooNew);
    QVERIFY2(applied.error().message.contains(u"29991231_001, newer than this build knows"_s),
             qPrintable(applied.error().message));
    QCOMPARE(migrator.status().error().code, ErrorCode::SchemaTooNew);
}

void TestMigrator::refusesUnknownRecordedMigration()
{
    Migrator migrator(m_db->database(), builtInCatalog());
    QVERIFY(migrator.migrate().ok());
    QSqlDatabase db = m_db->database().connection().value();
    QVERIFY(execSql(db, u"INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                        "VALUES ('20260127_000', 'branch', 'x', 0)"_s)
                .ok());
    Result<QList<Migration>> applied = migrator.migrate();
    QVERIFY(!applied.ok());
    QCOMPARE(applied.error().code, ErrorCode::SchemaMismatch);
    QVERIFY(applied.error().message.contains(u"20260127_000, which this build does not have"_s));
}

void TestMigrator::refusesEditedMigration()
{
    QTemporaryDir dir;
    copyMigrations(dir.path(), 1);
    Result<MigrationCatalog> original = MigrationCatalog::fromDirectory(dir.path());
    QVERIFY(original.ok());
    QVERIFY(Migrator(m_db->database(), original.value()).migrate().ok());

    const QString file = dir.filePath(original->migrations().constFirst().fileName);
    QFile in(file);
    QVERIFY(in.open(QIODevice::ReadOnly));
    QByteArray content = in.readAll();
    in.close();
    writeFile(file, content + "\n-- edited after release\n");

    Result<MigrationCatalog> edited = MigrationCatalog::fromDirectory(dir.path());
    QVERIFY(edited.ok());
    Result<QList<Migration>> applied = Migrator(m_db->database(), edited.value()).migrate();
    QVERIFY(!applied.ok());
    QCOMPARE(applied.error().code, ErrorCode::SchemaMismatch);
    QVERIFY2(applied.error().message.contains(u"was changed after it was applied"_s),
             qPrintable(applied.error().message));
}

void TestMigrator::failedMigrationLeavesNoTrace()
{
    QTemporaryDir dir;
    copyMigrations(dir.path(), 1);
    writeFile(dir.filePath(u"20260127_002_broken.sql"_s), "CREATE TABLE half_done (id INTEGER);\n"
                                                          "INSERT INTO half_done (id) VALUES (1);\n"
                                                          "CREATE TABLE broken (id INTEGER,;\n");
    Result<MigrationCatalog> catalog = MigrationCatalog::fromDirectory(dir.path());
    QVERIFY(catalog.ok());

    Result<QList<Migration>> applied = Migrator(m_db->database(), catalog.value()).migrate();
    QVERIFY(!applied.ok());
    QVERIFY2(applied.error().message.contains(u"20260127_002_broken.sql failed at statement 3 of 3"_s),
             qPrintable(applied.error().message));

    QSqlDatabase db = m_db->database().connection().value();
    QVERIFY(!test::tableNames(db).contains(u"half_done"_s));
    QCOMPARE(appliedRecords(m_db->database()).size(), 1);

    // Fixed, it applies.
    writeFile(dir.filePath(u"20260127_002_broken.sql"_s), "CREATE TABLE broken (id INTEGER);\n");
    Result<MigrationCatalog> fixed = MigrationCatalog::fromDirectory(dir.path());
    QVERIFY(fixed.ok());
    Result<QList<Migration>> retried = Migrator(m_db->database(), fixed.value()).migrate();
    QVERIFY2(retried.ok(), qPrintable(retried.ok() ? QString() : retried.error().message));
    QCOMPARE(retried->size(), 1);
    QVERIFY(test::tableNames(db).contains(u"broken"_s));
}

void TestMigrator::concurrentMigratorsApplyEachMigrationOnce()
{
    constexpr int kInstances = 4;
    const MigrationCatalog catalog = builtInCatalog();
    std::vector<QString> errors(kInstances);
    std::vector<qsizetype> appliedCounts(kInstances, 0);
    {
        std::vector<std::thread> threads;
        for (int i = 0; i < kInstances; ++i) {
            threads.emplace_back([&, i] {
                // Each "instance" opens the database on its own thread, as a process would.
                Database database(m_db->url());
                Migrator migrator(database, catalog);
                Result<QList<Migration>> applied = migrator.migrate();
                if (applied)
                    appliedCounts[size_t(i)] = applied->size();
                else
                    errors[size_t(i)] = applied.error().message;
            });
        }
        for (std::thread &thread : threads)
            thread.join();
    }

    for (const QString &error : errors)
        QVERIFY2(error.isEmpty(), qPrintable(error));
    qsizetype total = 0;
    for (qsizetype count : appliedCounts)
        total += count;
    QCOMPARE(total, catalog.migrations().size());

    const QList<AppliedRecord> records = appliedRecords(m_db->database());
    QCOMPARE(records.size(), catalog.migrations().size());
}

// Applies the built-in migrations that come before the one named.
void TestMigrator::migrateUpTo(const QString &name)
{
    const qsizetype before = indexOf(builtInCatalog(), name);
    QVERIFY2(before > 0, qPrintable(name));
    QTemporaryDir dir;
    copyMigrations(dir.path(), before);
    Result<MigrationCatalog> earlier = MigrationCatalog::fromDirectory(dir.path());
    QVERIFY(earlier.ok());
    QVERIFY(Migrator(m_db->database(), earlier.value()).migrate().ok());
}

// 012 rewrites SQLite's stored table definitions in place: a database that
// already holds rows keeps them, stays sound, and every connection, the one
// that migrated included, writes by the new rules (no temporary b-tree).
void TestMigrator::rewritingCheckRulesKeepsStoredRows()
{
    migrateUpTo(u"sqlite_check_constraints"_s);
    if (QTest::currentTestFailed())
        return;
    const MigrationCatalog full = builtInCatalog();

    QSqlDatabase db = m_db->database().connection().value();
    QSqlQuery insert(db);
    QVERIFY(insert.prepare(
        u"INSERT INTO payment_events (stripe_event_id, event_type, livemode, "
        "stripe_created_at, payload, received_at, status) VALUES (?, 'x', FALSE, 1, ?, 1, ?)"_s));
    for (const QString &status : {u"processed"_s, u"failed"_s, u"ignored"_s}) {
        insert.addBindValue(QString(u"evt_"_s + status));
        insert.addBindValue(status.toUtf8());
        insert.addBindValue(status);
        QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
    }

    Result<QList<Migration>> applied = Migrator(m_db->database(), full).migrate();
    QVERIFY2(applied.ok(), qPrintable(applied.ok() ? QString() : applied.error().message));
    QCOMPARE(applied->size(), full.migrations().size() - indexOf(full, u"sqlite_check_constraints"_s));

    db = m_db->database().connection().value();
    QSqlQuery rows(db);
    QVERIFY(rows.exec(u"SELECT stripe_event_id, payload, status FROM payment_events ORDER BY id"_s));
    QStringList stored;
    while (rows.next()) {
        QCOMPARE(rows.value(1).toByteArray(), rows.value(2).toString().toUtf8());
        stored << rows.value(0).toString();
    }
    QCOMPARE(stored, (QStringList{u"evt_processed"_s, u"evt_failed"_s, u"evt_ignored"_s}));
    QSqlQuery bad(db);
    QVERIFY(!bad.exec(u"UPDATE payment_events SET status = 'done'"_s));

    if (test::backendUnderTest() != SqlDialect::Sqlite)
        return;
    QCOMPARE(test::integrityCheck(db), u"ok"_s);
    const std::optional<QStringList> opcodes = test::insertOpcodes(db, u"payment_events"_s);
    QVERIFY(opcodes);
    QVERIFY(!opcodes->contains(u"OpenEphemeral"_s));
}

// 013 drops AUTOINCREMENT from SQLite's stored definitions: the rows stored
// before keep their ids, new ids continue above the largest, and no insert
// touches sqlite_sequence any more (its program has no MemMax), on the
// connection that migrated too.
void TestMigrator::idsContinueAfterAutoincrementIsDropped()
{
    migrateUpTo(u"sqlite_ids_without_autoincrement"_s);
    if (QTest::currentTestFailed())
        return;
    const MigrationCatalog full = builtInCatalog();

    QSqlDatabase db = m_db->database().connection().value();
    auto insertEvent = [&db](const QString &eventId) {
        QSqlQuery insert(db);
        if (!insert.prepare(u"INSERT INTO payment_events (stripe_event_id, event_type, livemode, "
                            "stripe_created_at, payload, received_at) VALUES (?, 'x', FALSE, 1, 'p', 1)"_s))
            return false;
        insert.addBindValue(eventId);
        return insert.exec();
    };
    for (const QString &eventId : {u"evt_1"_s, u"evt_2"_s, u"evt_3"_s})
        QVERIFY(insertEvent(eventId));

    Result<QList<Migration>> applied = Migrator(m_db->database(), full).migrate();
    QVERIFY2(applied.ok(), qPrintable(applied.ok() ? QString() : applied.error().message));
    QVERIFY(insertEvent(u"evt_4"_s));

    QSqlQuery rows(db);
    QVERIFY(rows.exec(u"SELECT id, stripe_event_id FROM payment_events ORDER BY id"_s));
    QStringList stored;
    qint64 lastId = 0;
    while (rows.next()) {
        QVERIFY(rows.value(0).toLongLong() > lastId);
        lastId = rows.value(0).toLongLong();
        stored << rows.value(1).toString();
    }
    QCOMPARE(stored, (QStringList{u"evt_1"_s, u"evt_2"_s, u"evt_3"_s, u"evt_4"_s}));

    if (test::backendUnderTest() != SqlDialect::Sqlite)
        return;
    QCOMPARE(test::integrityCheck(db), u"ok"_s);
    QSqlQuery sequences(db);
    QVERIFY(sequences.exec(u"SELECT COUNT(*) FROM sqlite_sequence"_s) && sequences.next());
    QCOMPARE(sequences.value(0).toInt(), 0);
    for (const QString &table : test::tableNames(db)) {
        const std::optional<QStringList> opcodes = test::insertOpcodes(db, table);
        QVERIFY2(opcodes, qPrintable(table));
        QVERIFY2(!opcodes->contains(u"MemMax"_s),
                 qPrintable(u"an insert into %1 still keeps an AUTOINCREMENT counter"_s.arg(table)));
    }
}

// Migration 024 copies each stored payment's mode from its invoice: the
// summary counts a mode's payments by that column from then on (#17).
void TestMigrator::paymentsTakeTheirInvoicesMode()
{
    migrateUpTo(u"payment_mode"_s);
    if (QTest::currentTestFailed())
        return;
    QSqlDatabase db = m_db->database().connection().value();
    QSqlQuery insert(db);
    for (const auto &[invoice, live] : {std::pair{u"in_live"_s, true}, std::pair{u"in_test"_s, false}}) {
        QVERIFY(insert.prepare(u"INSERT INTO invoices (stripe_invoice_id, stripe_customer_id, currency, "
                               "amount_due, livemode, stripe_created_at, created_at, updated_at) "
                               "VALUES (?, 'cus_1', 'eur', 100, ?, 1, 1, 1)"_s));
        insert.addBindValue(invoice);
        insert.addBindValue(live);
        QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
        QVERIFY(insert.prepare(
            u"INSERT INTO payments (stripe_invoice_id, stripe_customer_id, amount, currency, "
            "paid_at, stripe_event_id, created_at) VALUES (?, 'cus_1', 100, 'eur', 1, ?, 1)"_s));
        insert.addBindValue(invoice);
        insert.addBindValue(QString(u"evt_"_s + invoice));
        QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
    }

    Result<QList<Migration>> applied = Migrator(m_db->database(), builtInCatalog()).migrate();
    QVERIFY2(applied.ok(), qPrintable(applied.ok() ? QString() : applied.error().message));
    QSqlQuery rows(db);
    QVERIFY(rows.exec(u"SELECT stripe_invoice_id, livemode FROM payments ORDER BY stripe_invoice_id"_s));
    QVERIFY(rows.next());
    QCOMPARE(rows.value(0).toString(), u"in_live"_s);
    QCOMPARE(rows.value(1).toBool(), true);
    QVERIFY(rows.next());
    QCOMPARE(rows.value(0).toString(), u"in_test"_s);
    QVERIFY(!rows.value(1).isNull());
    QCOMPARE(rows.value(1).toBool(), false);
}

QTEST_GUILESS_MAIN(TestMigrator)
#include "tst_migrator.moc"
