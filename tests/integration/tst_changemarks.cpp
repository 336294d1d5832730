#include "TestDatabase.h"
#include "db/ChangeMarks.h"
#include "db/Migrator.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;
using billing::test::TestDatabase;

namespace {

QString run(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    return query.exec(sql) ? QString() : query.lastError().text() + u" ["_s + sql + u']';
}

// One row of each listed table, then one update and one delete of it; the
// keys make each row valid on its own (the foreign keys included).
struct TableWrites
{
    QString insert;
    QString update;
    QString remove;
};

QMap<QString, TableWrites> writesOfEachTable()
{
    return {
        {u"tenants"_s,
         {u"INSERT INTO tenants (tenant_id, created_at, updated_at) VALUES ('t_extra', 1, 1)"_s,
          u"UPDATE tenants SET updated_at = 2 WHERE tenant_id = 't_extra'"_s,
          u"DELETE FROM tenants WHERE tenant_id = 't_extra'"_s}},
        {u"customers"_s,
         {u"INSERT INTO customers (stripe_customer_id, tenant_id, livemode, created_at, updated_at) "
          "VALUES ('cus_extra', 't_base', FALSE, 1, 1)"_s,
          u"UPDATE customers SET updated_at = 2 WHERE stripe_customer_id = 'cus_extra'"_s,
          u"DELETE FROM customers WHERE stripe_customer_id = 'cus_extra'"_s}},
        {u"subscriptions"_s,
         {u"INSERT INTO subscriptions (stripe_subscription_id, stripe_customer_id, status, livemode, "
          u"created_at, "
          "updated_at) VALUES ('sub_extra', 'cus_base', 'active', FALSE, 1, 1)"_s,
          u"UPDATE subscriptions SET status = 'past_due' WHERE stripe_subscription_id = 'sub_extra'"_s,
          u"DELETE FROM subscriptions WHERE stripe_subscription_id = 'sub_extra'"_s}},
        {u"invoices"_s,
         {u"INSERT INTO invoices (stripe_invoice_id, stripe_customer_id, currency, amount_due, livemode, "
          "stripe_created_at, created_at, updated_at) VALUES ('in_extra', 'cus_base', 'eur', 100, FALSE, 1, 1, 1)"_s,
          u"UPDATE invoices SET amount_paid = 100 WHERE stripe_invoice_id = 'in_extra'"_s,
          u"DELETE FROM invoices WHERE stripe_invoice_id = 'in_extra'"_s}},
        {u"payments"_s,
         {u"INSERT INTO payments (stripe_invoice_id, stripe_customer_id, amount, currency, paid_at, "
          u"stripe_event_id, "
          "created_at) VALUES ('in_base', 'cus_base', 100, 'eur', 1, 'evt_paid', 1)"_s,
          u"UPDATE payments SET amount = 50 WHERE stripe_invoice_id = 'in_base'"_s,
          u"DELETE FROM payments WHERE stripe_invoice_id = 'in_base'"_s}},
        {u"licenses"_s,
         {u"INSERT INTO licenses (license_key, tenant_id, stripe_subscription_id, issued_at, "
          u"source_event_id, "
          "updated_at) VALUES ('lic_extra', 't_base', 'sub_licensed', 1, 'evt_lic', 1)"_s,
          u"UPDATE licenses SET status = 'suspended' WHERE license_key = 'lic_extra'"_s,
          u"DELETE FROM licenses WHERE license_key = 'lic_extra'"_s}},
        {u"notification_outbox"_s,
         {u"INSERT INTO notification_outbox (kind, dedupe_key, payload, created_at) VALUES ('dunning', "
          u"'k_extra', "
          "'{}', 1)"_s,
          u"UPDATE notification_outbox SET status = 'sent' WHERE dedupe_key = 'k_extra'"_s,
          u"DELETE FROM notification_outbox WHERE dedupe_key = 'k_extra'"_s}},
        {u"payment_events"_s,
         {u"INSERT INTO payment_events (stripe_event_id, event_type, livemode, stripe_created_at, payload, "
          "received_at) VALUES ('evt_extra', 'x', FALSE, 1, 'p', 1)"_s,
          u"UPDATE payment_events SET status = 'processed' WHERE stripe_event_id = 'evt_extra'"_s,
          u"DELETE FROM payment_events WHERE stripe_event_id = 'evt_extra'"_s}},
        {u"audit_log"_s,
         {u"INSERT INTO audit_log (occurred_at, actor, action, target_id) VALUES (1, 'ops', 'x', 'y')"_s,
          u"UPDATE audit_log SET target_id = 'z' WHERE actor = 'ops'"_s,
          u"DELETE FROM audit_log WHERE actor = 'ops'"_s}},
        {u"webhook_delivery_failures"_s,
         {u"INSERT INTO webhook_delivery_failures (received_at, reason) VALUES (1, 'bad signature')"_s,
          u"UPDATE webhook_delivery_failures SET reason = 'other' WHERE received_at = 1"_s,
          u"DELETE FROM webhook_delivery_failures WHERE received_at = 1"_s}},
    };
}

} // namespace

// The change feed's marks (#16 item 6): every committed insert, update or
// delete of a listed table moves that table's mark, seen by every connection
// once committed and only then, whatever order transactions commit in.
class TestChangeMarks final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void everyTableIsTracked();
    void eachWriteMovesItsTableOnly_data();
    void eachWriteMovesItsTableOnly();
    void inPlaceUpdateMovesTheMark();
    void rolledBackWritesMoveNothing();
    void commitsInAnyOrderAreAllSeen();
    void concurrentWritersDoNotWaitOnTheMarks();
    void compactingKeepsEverySum();
    void anOlderReadingIsNotNews();

private:
    ChangeMarks::Reading read();

    std::unique_ptr<TestDatabase> m_test;
    std::unique_ptr<Database> m_second; // another instance's connection to the same database
    QSqlDatabase m_db;
    QSqlDatabase m_other;
};

void TestChangeMarks::init()
{
    QString error;
    m_test = TestDatabase::create(test::backendUnderTest(), &error);
    QVERIFY2(m_test, qPrintable(error));
    Result<MigrationCatalog> catalog = MigrationCatalog::builtIn();
    QVERIFY(catalog.ok());
    Result<QList<Migration>> applied = Migrator(m_test->database(), catalog.value()).migrate();
    QVERIFY2(applied.ok(), qPrintable(applied.ok() ? QString() : applied.error().message));
    m_db = m_test->database().connection().value();
    QCOMPARE(run(m_db, u"INSERT INTO tenants (tenant_id, created_at, updated_at) VALUES ('t_base', 1, 1)"_s),
             QString());
    QCOMPARE(run(m_db,
                 u"INSERT INTO customers (stripe_customer_id, tenant_id, livemode, created_at, updated_at) "
                 "VALUES ('cus_base', 't_base', FALSE, 1, 1)"_s),
             QString());
    QCOMPARE(
        run(m_db,
            u"INSERT INTO invoices (stripe_invoice_id, stripe_customer_id, currency, amount_due, livemode, "
            "stripe_created_at, created_at, updated_at) VALUES ('in_base', 'cus_base', 'eur', 100, FALSE, "
            "1, 1, 1)"_s),
        QString());
    m_second = std::make_unique<Database>(m_test->url());
    Result<QSqlDatabase> other = m_second->connection();
    QVERIFY2(other.ok(), qPrintable(other.ok() ? QString() : other.error().message));
    m_other = other.value();
}

void TestChangeMarks::cleanup()
{
    m_other = QSqlDatabase();
    m_second.reset();
    m_db = QSqlDatabase();
    m_test.reset();
}

ChangeMarks::Reading TestChangeMarks::read()
{
    // Read through the other connection: what another instance would see.
    Result<ChangeMarks::Reading> reading = ChangeMarks(m_other).read();
    if (!reading) {
        qWarning("%s", qPrintable(reading.error().message));
        return {};
    }
    return reading.value();
}

// Every table the dashboard lists is written below, so that a table listed
// without its triggers, or a trigger that moves another table's mark, fails.
void TestChangeMarks::everyTableIsTracked()
{
    QStringList tested = writesOfEachTable().keys();
    QStringList tracked = ChangeMarks::trackedTables();
    tested.sort();
    tracked.sort();
    QCOMPARE(tested, tracked);
}

void TestChangeMarks::eachWriteMovesItsTableOnly_data()
{
    QTest::addColumn<QString>("table");
    for (const QString &table : writesOfEachTable().keys())
        QTest::newRow(qPrintable(table)) << table;
}

void TestChangeMarks::eachWriteMovesItsTableOnly()
{
    QFETCH(QString, table);
    const TableWrites writes = writesOfEachTable().value(table);
    for (const QString &sql : {writes.insert, writes.update, writes.remove}) {
        const ChangeMarks::Reading before = read();
        QCOMPARE(run(m_db, sql), QString());
        const ChangeMarks::Reading after = read();
        QCOMPARE(ChangeMarks::changedTables(before, after), QStringList{table});
        QVERIFY(after[ChangeMarks::trackedTables().indexOf(table)] >
                before[ChangeMarks::trackedTables().indexOf(table)]);
    }
}

// What the old feed (new row ids only) missed: a notice marked sent, an event
// that failed and was processed on a retry.
void TestChangeMarks::inPlaceUpdateMovesTheMark()
{
    QCOMPARE(run(m_db, writesOfEachTable().value(u"payment_events"_s).insert), QString());
    QCOMPARE(run(m_db, u"UPDATE payment_events SET status = 'failed' WHERE stripe_event_id = 'evt_extra'"_s),
             QString());
    const ChangeMarks::Reading before = read();
    QCOMPARE(
        run(m_db, u"UPDATE payment_events SET status = 'processed' WHERE stripe_event_id = 'evt_extra'"_s),
        QString());
    QCOMPARE(ChangeMarks::changedTables(before, read()), QStringList{u"payment_events"_s});
}

void TestChangeMarks::rolledBackWritesMoveNothing()
{
    const ChangeMarks::Reading before = read();
    QVERIFY(beginWriteTransaction(m_db, m_test->database().dialect()).ok());
    QCOMPARE(run(m_db, writesOfEachTable().value(u"audit_log"_s).insert), QString());
    QCOMPARE(run(m_db, u"UPDATE tenants SET updated_at = 5"_s), QString());
    QVERIFY(m_db.rollback());
    QCOMPARE(read(), before);
}

// Two writers: the one that began first commits last. Its change is not seen
// before its commit (a dashboard reloading then would miss it), and is seen
// after, although the other's later commit was read in between.
void TestChangeMarks::commitsInAnyOrderAreAllSeen()
{
    if (m_test->database().dialect() == SqlDialect::Sqlite)
        QSKIP("SQLite has one writer at a time: its commits cannot interleave");
    const ChangeMarks::Reading start = read();
    QVERIFY(m_db.transaction());
    QCOMPARE(run(m_db, u"UPDATE tenants SET updated_at = 7 WHERE tenant_id = 't_base'"_s), QString());
    QCOMPARE(run(m_db, writesOfEachTable().value(u"payment_events"_s).insert), QString());

    QVERIFY(m_other.transaction());
    QCOMPARE(
        run(m_other,
            u"INSERT INTO audit_log (occurred_at, actor, action, target_id) VALUES (2, 'b', 'x', 'y')"_s),
        QString());
    QCOMPARE(run(m_other, writesOfEachTable().value(u"webhook_delivery_failures"_s).insert), QString());
    QVERIFY(m_other.commit());

    const ChangeMarks::Reading middle = read();
    QCOMPARE(ChangeMarks::changedTables(start, middle),
             (QStringList{u"audit_log"_s, u"webhook_delivery_failures"_s}));
    QVERIFY(m_db.commit());
    QCOMPARE(ChangeMarks::changedTables(middle, read()), (QStringList{u"payment_events"_s, u"tenants"_s}));
}

// Each PostgreSQL connection moves a counter of its own: a writer holding an
// open transaction on a table never makes another wait to write that table.
void TestChangeMarks::concurrentWritersDoNotWaitOnTheMarks()
{
    if (m_test->database().dialect() == SqlDialect::Sqlite)
        QSKIP("SQLite has one writer at a time");
    QVERIFY(m_db.transaction());
    QCOMPARE(run(m_db, writesOfEachTable().value(u"payment_events"_s).insert), QString());
    // Would wait for the first transaction if both moved one row: fail fast instead.
    QCOMPARE(run(m_other, u"SET lock_timeout = '2s'"_s), QString());
    const ChangeMarks::Reading before = read();
    QCOMPARE(run(m_other,
                 u"INSERT INTO payment_events (stripe_event_id, event_type, livemode, stripe_created_at, "
                 "payload, received_at) VALUES ('evt_other', 'x', FALSE, 1, 'p', 1)"_s),
             QString());
    QCOMPARE(ChangeMarks::changedTables(before, read()), QStringList{u"payment_events"_s});
    QVERIFY(m_db.commit());
}

// Counters of connections that are gone fold into one row a table, and no
// cursor notices: every sum stays what it was.
void TestChangeMarks::compactingKeepsEverySum()
{
    QCOMPARE(run(m_other, writesOfEachTable().value(u"audit_log"_s).insert), QString());
    QCOMPARE(run(m_db, writesOfEachTable().value(u"payment_events"_s).insert), QString());
    qint64 otherPid = 0;
    if (m_test->database().dialect() == SqlDialect::Postgres) {
        QSqlQuery pid(m_other);
        QVERIFY(pid.exec(u"SELECT pg_backend_pid()"_s) && pid.next());
        otherPid = pid.value(0).toLongLong();
    }
    m_other = QSqlDatabase();
    m_second.reset(); // that connection is gone now
    const ChangeMarks::Reading before = ChangeMarks(m_db).read().value();
    QVERIFY(ChangeMarks(m_db).compact(m_test->database().dialect()).ok());
    QCOMPARE(ChangeMarks(m_db).read().value(), before);
    if (m_test->database().dialect() != SqlDialect::Postgres)
        return;
    // The gone connection's rows fold into writer 0 (once the server has
    // noticed it left); this connection's stay its own.
    auto rowsOfTheGoneWriter = [this, otherPid] {
        QSqlQuery query(m_db);
        return query.exec(u"SELECT COUNT(*) FROM change_marks WHERE writer = %1"_s.arg(otherPid)) &&
                       query.next()
                   ? query.value(0).toInt()
                   : -1;
    };
    QVERIFY(otherPid > 0);
    QTRY_COMPARE((ChangeMarks(m_db).compact(SqlDialect::Postgres).ok() ? rowsOfTheGoneWriter() : -1), 0);
    QCOMPARE(ChangeMarks(m_db).read().value(), before);
    QSqlQuery own(m_db);
    QVERIFY(own.exec(u"SELECT COUNT(*) FROM change_marks WHERE writer = pg_backend_pid()"_s) && own.next());
    QVERIFY(own.value(0).toInt() > 0);
}

// The change feed's two readers can hand back readings out of order: one
// that began before a waiter's own must not answer it as a change (#17).
void TestChangeMarks::anOlderReadingIsNotNews()
{
    const ChangeMarks::Reading older = read();
    QCOMPARE(run(m_db, writesOfEachTable().value(u"invoices"_s).insert), QString());
    QCOMPARE(run(m_db, writesOfEachTable().value(u"audit_log"_s).insert), QString());
    const ChangeMarks::Reading newer = read();
    QVERIFY(ChangeMarks::isNewer(older, newer));
    QVERIFY(!ChangeMarks::isNewer(newer, older));
    QVERIFY(!ChangeMarks::isNewer(newer, newer));        // nothing changed
    QVERIFY(!ChangeMarks::isNewer(older, newer.mid(1))); // another version's cursor
}

QTEST_GUILESS_MAIN(TestChangeMarks)
#include "tst_changemarks.moc"
