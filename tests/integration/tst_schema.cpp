#include "TestDatabase.h"
#include "db/Migrator.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;
using billing::test::TestDatabase;

namespace {

// Runs one statement with positional values; returns the driver's error text, empty on success.
QString run(QSqlDatabase &db, const QString &sql, const QVariantList &values = {})
{
    QSqlQuery query(db);
    if (!query.prepare(sql))
        return query.lastError().text();
    for (const QVariant &value : values)
        query.addBindValue(value);
    return query.exec() ? QString() : query.lastError().text() + u" ["_s + sql + u']';
}

qint64 count(QSqlDatabase &db, const QString &table)
{
    QSqlQuery query(db);
    if (!query.exec(u"SELECT COUNT(*) FROM "_s + table) || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

} // namespace

// The uniqueness and integrity rules live in the schema itself, so that no
// code path, retry or second instance can write a duplicate.
class TestSchema final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void oneRowPerStripeEvent();
    void storesPayloadBytesExactly();
    void rejectsUnknownEventStatus();
    void oneLicencePerSubscription();
    void licenceNeedsKnownTenant();
    void rejectsUnknownSubscriptionStatus();
    void subscriptionNeedsKnownCustomer();
    void onePaymentPerInvoice();
    void oneNoticePerDedupeKey();
    void staffNamesAndTokensAreUnique();
    void textKeysAreNeverNull();
    void enumeratedColumnsAcceptTheirValuesOnly_data();
    void enumeratedColumnsAcceptTheirValuesOnly();
    void writingARowBuildsNoTemporaryTable();
    void sameSchemaOnSqliteAndPostgres();

private:
    void insertTenantAndCustomer(const QString &tenant, const QString &customer);

    std::unique_ptr<TestDatabase> m_test;
    QSqlDatabase m_db;
};

void TestSchema::init()
{
    QString error;
    m_test = TestDatabase::create(test::backendUnderTest(), &error);
    QVERIFY2(m_test, qPrintable(error));
    Result<MigrationCatalog> catalog = MigrationCatalog::builtIn();
    QVERIFY(catalog.ok());
    Result<QList<Migration>> applied = Migrator(m_test->database(), catalog.value()).migrate();
    QVERIFY2(applied.ok(), qPrintable(applied.ok() ? QString() : applied.error().message));
    m_db = m_test->database().connection().value();
}

void TestSchema::cleanup()
{
    m_db = QSqlDatabase();
    m_test.reset();
}

void TestSchema::insertTenantAndCustomer(const QString &tenant, const QString &customer)
{
    QCOMPARE(
        run(m_db, u"INSERT INTO tenants (tenant_id, created_at, updated_at) VALUES (?, 1, 1)"_s, {tenant}),
        QString());
    QCOMPARE(run(m_db,
                 u"INSERT INTO customers (stripe_customer_id, tenant_id, livemode, created_at, updated_at) "
                 "VALUES (?, ?, ?, 1, 1)"_s,
                 {customer, tenant, false}),
             QString());
}

void TestSchema::oneRowPerStripeEvent()
{
    const QString insert = u"INSERT INTO payment_events (stripe_event_id, event_type, livemode, "
                           "stripe_created_at, payload, received_at) VALUES (?, ?, ?, ?, ?, ?)"_s;
    QCOMPARE(run(m_db, insert, {u"evt_1"_s, u"invoice.paid"_s, false, 1700000000, "{}"_ba, 1700000001}),
             QString());
    QVERIFY(!run(m_db, insert, {u"evt_1"_s, u"invoice.paid"_s, false, 1700000000, "{}"_ba, 1700000002})
                 .isEmpty());
    QCOMPARE(count(m_db, u"payment_events"_s), 1);
}

void TestSchema::storesPayloadBytesExactly()
{
    // Not valid UTF-8 and with a NUL byte: a TEXT column would alter or refuse it.
    static const char raw[] = "{\"id\":\"evt_2\",\"x\":\"\xff\xfe\x00\xc3\"}";
    const QByteArray payload(raw, sizeof(raw) - 1);
    QCOMPARE(run(m_db,
                 u"INSERT INTO payment_events (stripe_event_id, event_type, livemode, "
                 "stripe_created_at, payload, received_at) VALUES (?, ?, ?, ?, ?, ?)"_s,
                 {u"evt_2"_s, u"x"_s, false, 1, payload, 2}),
             QString());
    QSqlQuery query(m_db);
    QVERIFY(query.exec(
        u"SELECT payload, status, attempts FROM payment_events WHERE stripe_event_id = 'evt_2'"_s));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toByteArray(), payload);
    QCOMPARE(query.value(1).toString(), u"received"_s);
    QCOMPARE(query.value(2).toInt(), 0);
}

void TestSchema::rejectsUnknownEventStatus()
{
    const QString error =
        run(m_db,
            u"INSERT INTO payment_events (stripe_event_id, event_type, livemode, "
            "stripe_created_at, payload, received_at, status) VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
            {u"evt_3"_s, u"x"_s, false, 1, "{}"_ba, 2, u"done"_s});
    QVERIFY(!error.isEmpty());
    QCOMPARE(count(m_db, u"payment_events"_s), 0);
}

void TestSchema::oneLicencePerSubscription()
{
    insertTenantAndCustomer(u"tenant_1"_s, u"cus_1"_s);
    const QString insert = u"INSERT INTO licenses (license_key, tenant_id, stripe_subscription_id, plan, "
                           "issued_at, source_event_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"_s;
    QCOMPARE(run(m_db, insert, {u"KEY-1"_s, u"tenant_1"_s, u"sub_1"_s, u"solo"_s, 1, u"evt_a"_s, 1}),
             QString());
    // The same subscription again, even with another key: refused.
    QVERIFY(
        !run(m_db, insert, {u"KEY-2"_s, u"tenant_1"_s, u"sub_1"_s, u"solo"_s, 1, u"evt_b"_s, 1}).isEmpty());
    // The same key for another subscription: refused.
    QVERIFY(
        !run(m_db, insert, {u"KEY-1"_s, u"tenant_1"_s, u"sub_2"_s, u"solo"_s, 1, u"evt_c"_s, 1}).isEmpty());
    QCOMPARE(count(m_db, u"licenses"_s), 1);
}

void TestSchema::licenceNeedsKnownTenant()
{
    const QString error = run(m_db,
                              u"INSERT INTO licenses (license_key, tenant_id, stripe_subscription_id, "
                              "issued_at, source_event_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)"_s,
                              {u"KEY-9"_s, u"no_such_tenant"_s, u"sub_9"_s, 1, u"evt_9"_s, 1});
    QVERIFY2(!error.isEmpty(), "foreign keys are not enforced");
    QCOMPARE(count(m_db, u"licenses"_s), 0);
}

void TestSchema::rejectsUnknownSubscriptionStatus()
{
    insertTenantAndCustomer(u"tenant_1"_s, u"cus_1"_s);
    const QString insert =
        u"INSERT INTO subscriptions (stripe_subscription_id, tenant_id, stripe_customer_id, "
        "status, livemode, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, 1)"_s;
    QCOMPARE(run(m_db, insert, {u"sub_1"_s, u"tenant_1"_s, u"cus_1"_s, u"past_due"_s, false}), QString());
    QVERIFY(!run(m_db, insert, {u"sub_2"_s, u"tenant_1"_s, u"cus_1"_s, u"expired"_s, false}).isEmpty());
    QVERIFY(!run(m_db, insert, {u"sub_1"_s, u"tenant_1"_s, u"cus_1"_s, u"active"_s, false}).isEmpty());
    QCOMPARE(count(m_db, u"subscriptions"_s), 1);
}

void TestSchema::subscriptionNeedsKnownCustomer()
{
    const QString error = run(m_db,
                              u"INSERT INTO subscriptions (stripe_subscription_id, stripe_customer_id, "
                              "status, livemode, created_at, updated_at) VALUES (?, ?, ?, ?, 1, 1)"_s,
                              {u"sub_1"_s, u"cus_unknown"_s, u"active"_s, false});
    QVERIFY(!error.isEmpty());
}

void TestSchema::onePaymentPerInvoice()
{
    QCOMPARE(
        run(m_db,
            u"INSERT INTO invoices (stripe_invoice_id, stripe_customer_id, status, currency, amount_due, "
            "livemode, stripe_created_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, 1, 1)"_s,
            {u"in_1"_s, u"cus_1"_s, u"paid"_s, u"eur"_s, 4900, false}),
        QString());
    const QString insert = u"INSERT INTO payments (stripe_invoice_id, stripe_customer_id, amount, currency, "
                           "paid_at, stripe_event_id, created_at) VALUES (?, ?, ?, ?, ?, ?, 1)"_s;
    QCOMPARE(run(m_db, insert, {u"in_1"_s, u"cus_1"_s, 4900, u"eur"_s, 10, u"evt_1"_s}), QString());
    QVERIFY(!run(m_db, insert, {u"in_1"_s, u"cus_1"_s, 4900, u"eur"_s, 11, u"evt_2"_s}).isEmpty());
    // A payment for an invoice that was never stored is refused too.
    QVERIFY(!run(m_db, insert, {u"in_unknown"_s, u"cus_1"_s, 4900, u"eur"_s, 11, u"evt_3"_s}).isEmpty());
    QCOMPARE(count(m_db, u"payments"_s), 1);
}

void TestSchema::oneNoticePerDedupeKey()
{
    const QString insert = u"INSERT INTO notification_outbox (kind, dedupe_key, payload, created_at) "
                           "VALUES (?, ?, ?, 1)"_s;
    QCOMPARE(run(m_db, insert, {u"payment_failed"_s, u"payment_failed:in_1:1"_s, u"{}"_s}), QString());
    QVERIFY(!run(m_db, insert, {u"payment_failed"_s, u"payment_failed:in_1:1"_s, u"{}"_s}).isEmpty());
    QCOMPARE(run(m_db, insert, {u"payment_failed"_s, u"payment_failed:in_1:2"_s, u"{}"_s}), QString());
    QCOMPARE(count(m_db, u"notification_outbox"_s), 2);
}

void TestSchema::staffNamesAndTokensAreUnique()
{
    const QString insert = u"INSERT INTO staff_members (name, token_hash, created_at) VALUES (?, ?, 1)"_s;
    QCOMPARE(run(m_db, insert, {u"alice"_s, u"hash1"_s}), QString());
    QVERIFY(!run(m_db, insert, {u"alice"_s, u"hash2"_s}).isEmpty());
    QVERIFY(!run(m_db, insert, {u"bob"_s, u"hash1"_s}).isEmpty());
    QVERIFY(!run(m_db, insert, {QString(u""_s), u"hash3"_s}).isEmpty());
}

void TestSchema::textKeysAreNeverNull()
{
    // SQLite lets a TEXT PRIMARY KEY be NULL unless told otherwise; PostgreSQL never does.
    QVERIFY(!run(m_db, u"INSERT INTO tenants (tenant_id, created_at, updated_at) VALUES (NULL, 1, 1)"_s)
                 .isEmpty());
    QVERIFY(!run(m_db,
                 u"INSERT INTO customers (stripe_customer_id, livemode, created_at, updated_at) "
                 "VALUES (NULL, ?, 1, 1)"_s,
                 {false})
                 .isEmpty());
    QVERIFY(
        !run(m_db,
             u"INSERT INTO invoices (stripe_invoice_id, stripe_customer_id, currency, amount_due, livemode, "
             "stripe_created_at, created_at, updated_at) VALUES (NULL, 'cus_1', 'eur', 1, ?, 1, 1, 1)"_s,
             {false})
             .isEmpty());
    QCOMPARE(count(m_db, u"tenants"_s) + count(m_db, u"customers"_s) + count(m_db, u"invoices"_s), 0);
}

void TestSchema::enumeratedColumnsAcceptTheirValuesOnly_data()
{
    QTest::addColumn<QString>("table");
    QTest::addColumn<QString>("column");
    QTest::addColumn<QStringList>("allowed");
    QTest::newRow("payment_events.source")
        << u"payment_events"_s << u"source"_s << QStringList{u"webhook"_s, u"sync"_s, u"replay"_s};
    QTest::newRow("payment_events.status")
        << u"payment_events"_s << u"status"_s
        << QStringList{u"received"_s, u"processed"_s, u"failed"_s, u"ignored"_s};
    QTest::newRow("tenants.status") << u"tenants"_s << u"status"_s
                                    << QStringList{u"pending"_s, u"active"_s, u"suspended"_s, u"canceled"_s};
    QTest::newRow("subscriptions.plan")
        << u"subscriptions"_s << u"plan"_s << QStringList{u"solo"_s, u"team"_s, u"enterprise"_s};
    QTest::newRow("subscriptions.status")
        << u"subscriptions"_s << u"status"_s
        << QStringList{u"incomplete"_s, u"incomplete_expired"_s, u"trialing"_s, u"active"_s, u"past_due"_s,
                       u"unpaid"_s,     u"canceled"_s,           u"paused"_s};
    QTest::newRow("invoices.status") << u"invoices"_s << u"status"_s
                                     << QStringList{u"draft"_s, u"open"_s, u"paid"_s, u"uncollectible"_s,
                                                    u"void"_s};
    QTest::newRow("licenses.plan") << u"licenses"_s << u"plan"_s
                                   << QStringList{u"solo"_s, u"team"_s, u"enterprise"_s};
    QTest::newRow("licenses.status") << u"licenses"_s << u"status"_s
                                     << QStringList{u"active"_s, u"grace"_s, u"suspended"_s, u"revoked"_s};
    QTest::newRow("notification_outbox.status")
        << u"notification_outbox"_s << u"status"_s << QStringList{u"pending"_s, u"sent"_s, u"failed"_s};
    QTest::newRow("sync_cursors.resource") << u"sync_cursors"_s << u"resource"_s
                                           << QStringList{u"customers"_s, u"subscriptions"_s, u"invoices"_s};
}

// The rules migration 012 rewrote for SQLite: each still takes every value it
// listed and refuses any other, on both databases.
void TestSchema::enumeratedColumnsAcceptTheirValuesOnly()
{
    QFETCH(QString, table);
    QFETCH(QString, column);
    QFETCH(QStringList, allowed);

    insertTenantAndCustomer(u"tenant_1"_s, u"cus_1"_s);
    const QStringList seeds = {
        u"INSERT INTO payment_events (stripe_event_id, event_type, livemode, stripe_created_at, payload, "
        "received_at) VALUES ('evt_1', 'x', FALSE, 1, 'e30=', 1)"_s,
        u"INSERT INTO subscriptions (stripe_subscription_id, tenant_id, stripe_customer_id, status, "
        u"livemode, "
        "created_at, updated_at) VALUES ('sub_1', 'tenant_1', 'cus_1', 'active', FALSE, 1, 1)"_s,
        u"INSERT INTO invoices (stripe_invoice_id, stripe_customer_id, status, currency, amount_due, "
        u"livemode, "
        "stripe_created_at, created_at, updated_at) VALUES ('in_1', 'cus_1', 'open', 'eur', 1, FALSE, 1, 1, 1)"_s,
        u"INSERT INTO licenses (license_key, tenant_id, stripe_subscription_id, plan, issued_at, "
        "source_event_id, updated_at) VALUES ('KEY-1', 'tenant_1', 'sub_1', 'solo', 1, 'evt_1', 1)"_s,
        u"INSERT INTO notification_outbox (kind, dedupe_key, payload, created_at) "
        "VALUES ('payment_failed', 'k1', '{}', 1)"_s,
        u"INSERT INTO sync_cursors (resource, started_at, updated_at) VALUES ('customers', 1, 1)"_s,
    };
    for (const QString &seed : seeds)
        QCOMPARE(run(m_db, seed), QString());

    const QString update = u"UPDATE %1 SET %2 = ?"_s.arg(table, column);
    for (const QString &value : allowed)
        QCOMPARE(run(m_db, update, {value}), QString());
    QVERIFY(!run(m_db, update, {u"bogus"_s}).isEmpty());
    QVERIFY(!run(m_db, update, {allowed.constFirst().toUpper()}).isEmpty());
    QCOMPARE(count(m_db, table), 1);
}

// SQLite builds a temporary b-tree for a CHECK's IN list of three or more
// values each time a row is written (a quarter of storing an event); the
// rules are written so that none is needed.
void TestSchema::writingARowBuildsNoTemporaryTable()
{
    if (test::backendUnderTest() != SqlDialect::Sqlite)
        QSKIP("a SQLite query plan");
    for (const QString &table : test::tableNames(m_db)) {
        // An INSERT's plan checks every CHECK rule of the table.
        const std::optional<QStringList> opcodes = test::insertOpcodes(m_db, table);
        QVERIFY2(opcodes, qPrintable(table));
        QVERIFY2(!opcodes->contains(u"OpenEphemeral"_s),
                 qPrintable(u"writing to %1 builds a temporary table"_s.arg(table)));
    }
}

void TestSchema::sameSchemaOnSqliteAndPostgres()
{
    if (test::backendUnderTest() != SqlDialect::Postgres)
        QSKIP("compared once, in the postgres run, against a fresh SQLite database");

    QString error;
    std::unique_ptr<TestDatabase> sqlite = TestDatabase::create(SqlDialect::Sqlite, &error);
    QVERIFY2(sqlite, qPrintable(error));
    Result<MigrationCatalog> catalog = MigrationCatalog::builtIn();
    QVERIFY(Migrator(sqlite->database(), catalog.value()).migrate().ok());
    QSqlDatabase sqliteDb = sqlite->database().connection().value();

    QCOMPARE(test::tableNames(m_db), test::tableNames(sqliteDb));
    for (const QString &table : test::tableNames(m_db))
        QCOMPARE(test::columnNames(m_db, table), test::columnNames(sqliteDb, table));
}

QTEST_GUILESS_MAIN(TestSchema)
#include "tst_schema.moc"
