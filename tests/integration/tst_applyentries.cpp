#include "ProcessorFixture.h"
#include "StripeObjects.h"
#include "billing/SnapshotImporter.h"
#include "billing/StripeEvent.h"
#include "db/EventStore.h"
#include "db/WriteTransaction.h"

#include <QJsonDocument>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;
using test::StripeSale;

namespace {

constexpr qint64 kNow = 1764000000;
constexpr qint64 kMonth = 2592000;
const PlanPrices kPrices{u"price_solo"_s, u"price_team"_s, u"price_enterprise"_s};

// One thing that happened on the Stripe account: the event Stripe sends and
// the object as it was then.
struct Step
{
    QString type;
    QJsonObject object;
};

// A history of one or more sales, as the events that tell it.
class History
{
public:
    void add(const QString &type, const QJsonObject &object) { m_steps.append({type, object}); }
    void addSale(const StripeSale &sale) { m_sales.append(sale); }

    // A sale as the checkout makes it: the subscription, its first invoice
    // paid, the session completed (Stripe's usual order).
    void buy(const StripeSale &sale, const QString &status = u"active"_s)
    {
        addSale(sale);
        add(u"customer.subscription.created"_s, test::stripeSubscription(sale, status, kNow + kMonth));
        add(u"invoice.payment_succeeded"_s,
            test::stripeInvoice(sale, u"in_1_"_s + sale.subscriptionId, u"paid"_s, 1, kNow));
        add(u"checkout.session.completed"_s, test::stripeCheckoutSession(sale));
    }

    const QList<Step> &steps() const { return m_steps; }
    const QList<StripeSale> &sales() const { return m_sales; }

    // Each event's payload, one second apart, oldest first.
    QList<QByteArray> events() const
    {
        QList<QByteArray> payloads;
        for (qsizetype i = 0; i < m_steps.size(); ++i) {
            payloads.append(test::stripeEvent(u"evt_%1"_s.arg(qint64(i + 1), 3, 10, QChar(u'0')),
                                              m_steps[i].type, kNow - 1000 + i, m_steps[i].object));
        }
        return payloads;
    }

    // The newest state of each object of `object` kind ("subscription",
    // "invoice"), as Stripe's list endpoint would answer at the end.
    QList<QJsonObject> latest(const QString &object) const
    {
        QList<QJsonObject> objects;
        QHash<QString, qsizetype> index;
        for (const Step &step : m_steps) {
            if (step.object.value(u"object"_s).toString() != object)
                continue;
            const QString id = step.object.value(u"id"_s).toString();
            if (auto found = index.constFind(id); found != index.constEnd()) {
                objects[found.value()] = step.object;
            } else {
                index.insert(id, objects.size());
                objects.append(step.object);
            }
        }
        return objects;
    }

private:
    QList<Step> m_steps;
    QList<StripeSale> m_sales;
};

StripeSale sale(const QString &name, const QJsonObject &price, const QString &plan = {})
{
    StripeSale made;
    made.tenantId = u"tenant_"_s + name;
    made.customerId = u"cus_"_s + name;
    made.subscriptionId = u"sub_"_s + name;
    made.plan = plan;
    made.price = price;
    return made;
}

StripeSale stranger()
{
    StripeSale made = sale(u"stranger"_s, test::stripePrice(u"price_other_product"_s, 4900));
    made.tenantId.clear();
    made.withTenantMetadata = false;
    return made;
}

QJsonObject withFields(QJsonObject object, const QJsonObject &fields)
{
    for (auto it = fields.begin(); it != fields.end(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

QJsonObject customerOf(const StripeSale &sold)
{
    QJsonObject customer = test::stripeFixture(u"customer"_s);
    customer.insert(u"id"_s, sold.customerId);
    customer.insert(u"email"_s, sold.withTenantMetadata ? u"owner@tenant.test"_s : u"buyer@elsewhere.test"_s);
    customer.insert(u"livemode"_s, sold.livemode);
    customer.insert(u"metadata"_s, QJsonObject{});
    return customer;
}

// Each column of each row, sorted, for comparing what two databases hold.
QStringList rows(test::ProcessorFixture &fixture, const QString &sql)
{
    QSqlDatabase db = fixture.database().database().connection().value();
    QSqlQuery query(db);
    if (!query.exec(sql))
        return {u"query failed: "_s + sql};
    QStringList result;
    while (query.next()) {
        QStringList columns;
        const QSqlRecord record = query.record();
        for (int i = 0; i < record.count(); ++i)
            columns.append(record.fieldName(i) + u'=' + query.value(i).toString());
        result.append(columns.join(u" | "_s));
    }
    result.sort();
    return result;
}

// What a tenant's billing state is, without what names its source (event ids,
// "sync"), the licence keys' signatures or the row ids.
const QList<std::pair<QString, QString>> kBillingState = {
    {u"tenants"_s, u"SELECT tenant_id, email, status, provisioned_at FROM tenants"_s},
    {u"customers"_s, u"SELECT stripe_customer_id, tenant_id, email, livemode FROM customers"_s},
    {u"subscriptions"_s,
     u"SELECT stripe_subscription_id, tenant_id, stripe_customer_id, stripe_price_id, plan, status, "
     u"currency, "
     "unit_amount, billing_interval, billing_interval_count, quantity, current_period_start, "
     "current_period_end, "
     "cancel_at_period_end, cancel_at, canceled_at, ended_at, trial_start, trial_end, livemode, state_rank "
     "FROM subscriptions"_s},
    {u"invoices"_s,
     u"SELECT stripe_invoice_id, stripe_customer_id, stripe_subscription_id, tenant_id, status, currency, "
     "amount_due, amount_paid, amount_remaining, attempt_count, period_start, period_end, paid_at, livemode "
     "FROM invoices"_s},
    {u"payments"_s,
     u"SELECT stripe_invoice_id, stripe_customer_id, stripe_subscription_id, tenant_id, amount, currency, "
     "paid_at FROM payments"_s},
    {u"licenses"_s, u"SELECT tenant_id, stripe_subscription_id, plan, status, valid_until, issued_at, "
                    u"suspended_at, revoked_at "
                    "FROM licenses"_s},
};

const QString kNotices = u"SELECT kind, dedupe_key, tenant_id, stripe_customer_id, stripe_invoice_id, "
                         "recipient_email, payload, status FROM notification_outbox"_s;

} // namespace

// One way from a Stripe object to local state (#17): the same histories,
// delivered as webhooks, stored and then replayed (`events replay`), or read
// back from Stripe's lists (`sync`), leave the same rows.
class TestApplyEntries final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyEntryLeavesTheSameRows_data();
    void everyEntryLeavesTheSameRows();

private:
    static std::unique_ptr<test::ProcessorFixture> fixture();
    static void deliverAsWebhooks(test::ProcessorFixture &fixture, const History &history);
    static void storeThenReplay(test::ProcessorFixture &fixture, const History &history);
    static void importAsSync(test::ProcessorFixture &fixture, const History &history);
};

std::unique_ptr<test::ProcessorFixture> TestApplyEntries::fixture()
{
    QString error;
    std::unique_ptr<test::ProcessorFixture> made = test::ProcessorFixture::create(kPrices, kNow, &error);
    if (!made)
        qWarning("%s", qPrintable(error));
    return made;
}

void TestApplyEntries::deliverAsWebhooks(test::ProcessorFixture &fixture, const History &history)
{
    for (const QByteArray &payload : history.events()) {
        const EventProcessor::Report report = fixture.process(payload);
        QVERIFY2(report.outcome == EventProcessor::Outcome::Processed ||
                     report.outcome == EventProcessor::Outcome::Ignored,
                 qPrintable(report.eventId + u": "_s + report.message));
    }
}

// As after an outage of the database: every event stored as failed, then
// `events replay` applies them in order.
void TestApplyEntries::storeThenReplay(test::ProcessorFixture &fixture, const History &history)
{
    QSqlDatabase db = fixture.database().database().connection().value();
    EventStore store(db);
    QStringList ids;
    for (const QByteArray &payload : history.events()) {
        Result<StripeEvent> event = StripeEvent::parse(payload);
        QVERIFY(event);
        EventStore::Delivery delivery;
        delivery.payload = payload;
        Result<void> recorded = store.recordFailure(event.value(), delivery, u"database unavailable"_s, kNow);
        QVERIFY2(recorded, qPrintable(recorded ? QString() : recorded.error().message));
        ids.append(event->id);
    }
    QCOMPARE(fixture.count(u"payment_events"_s, u"status = 'failed'"_s), qint64(ids.size()));
    for (const QString &id : std::as_const(ids)) {
        const EventProcessor::Report report = fixture.processor().replay(id);
        QVERIFY2(report.outcome == EventProcessor::Outcome::Processed ||
                     report.outcome == EventProcessor::Outcome::Ignored,
                 qPrintable(report.eventId + u": "_s + report.message));
    }
}

// As `sync` reads Stripe's lists at the end: subscriptions (customer
// expanded), then customers, then invoices, each in its newest state.
void TestApplyEntries::importAsSync(test::ProcessorFixture &fixture, const History &history)
{
    Result<WriteTransaction> transaction = WriteTransaction::begin(fixture.database().database());
    QVERIFY2(transaction, qPrintable(transaction ? QString() : transaction.error().message));
    SnapshotImporter importer(transaction->db(), fixture.signer(), PlanCatalog(kPrices), 7 * 24 * 3600, kNow);
    QHash<QString, QJsonObject> customers;
    for (const StripeSale &sold : history.sales())
        customers.insert(sold.customerId, customerOf(sold));

    for (QJsonObject subscription : history.latest(u"subscription"_s)) {
        subscription.insert(u"customer"_s, customers.value(subscription.value(u"customer"_s).toString()));
        Result<SnapshotImporter::Outcome> imported = importer.importSubscription(subscription, kNow);
        QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
    }
    for (const QJsonObject &customer : std::as_const(customers)) {
        Result<SnapshotImporter::Outcome> imported = importer.importCustomer(customer, kNow);
        QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
    }
    for (const QJsonObject &invoice : history.latest(u"invoice"_s)) {
        Result<SnapshotImporter::Outcome> imported = importer.importInvoice(invoice);
        QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
    }
    Result<void> committed = transaction->commit();
    QVERIFY2(committed, qPrintable(committed ? QString() : committed.error().message));
}

void TestApplyEntries::everyEntryLeavesTheSameRows_data()
{
    QTest::addColumn<History>("history");
    QTest::addColumn<int>("tenants");

    const QJsonObject team = test::stripePrice(u"price_team"_s, 9900);
    {
        History history;
        history.buy(sale(u"team"_s, team, u"team"_s));
        QTest::newRow("a plan bought") << history << 1;
    }
    {
        History history;
        history.buy(sale(u"raw"_s,
                         test::stripePrice(u"price_1RawQuarterly"_s, 30000, u"eur"_s, u"month"_s, 3),
                         u"custom"_s));
        QTest::newRow("a raw quarterly price bought") << history << 1;
    }
    {
        // A yearly renewal fails twice, then the card is updated and it is paid.
        const StripeSale sold =
            sale(u"yearly"_s, test::stripePrice(u"price_yearly"_s, 99000, u"eur"_s, u"year"_s, 1));
        History history;
        history.buy(sold);
        const QString renewal = u"in_2_"_s + sold.subscriptionId;
        const qint64 nextEnd = kNow + 2 * kMonth;
        history.add(u"invoice.payment_failed"_s,
                    test::stripeInvoice(sold, renewal, u"open"_s, 1, kNow + kMonth));
        history.add(u"customer.subscription.updated"_s,
                    test::stripeSubscription(sold, u"past_due"_s, nextEnd));
        history.add(u"invoice.payment_failed"_s,
                    test::stripeInvoice(sold, renewal, u"open"_s, 2, kNow + kMonth));
        history.add(u"invoice.payment_succeeded"_s,
                    test::stripeInvoice(sold, renewal, u"paid"_s, 3, kNow + kMonth));
        history.add(u"invoice.paid"_s, test::stripeInvoice(sold, renewal, u"paid"_s, 3, kNow + kMonth));
        history.add(u"customer.subscription.updated"_s, test::stripeSubscription(sold, u"active"_s, nextEnd));
        QTest::newRow("a yearly renewal fails, then is paid") << history << 1;
    }
    {
        const StripeSale sold = sale(u"unpaid"_s, team, u"team"_s);
        History history;
        history.buy(sold);
        const QString renewal = u"in_2_"_s + sold.subscriptionId;
        const qint64 nextEnd = kNow + 2 * kMonth;
        history.add(u"invoice.payment_failed"_s,
                    test::stripeInvoice(sold, renewal, u"open"_s, 1, kNow + kMonth));
        history.add(u"customer.subscription.updated"_s,
                    test::stripeSubscription(sold, u"past_due"_s, nextEnd));
        history.add(u"invoice.payment_failed"_s,
                    test::stripeInvoice(sold, renewal, u"open"_s, 2, kNow + kMonth));
        history.add(u"customer.subscription.updated"_s, test::stripeSubscription(sold, u"unpaid"_s, nextEnd));
        QTest::newRow("every retry fails: unpaid") << history << 1;
    }
    {
        // Paid in Stripe's Dashboard (out of band): invoice.paid alone.
        const StripeSale sold = sale(u"oob"_s, team, u"team"_s);
        History history;
        history.buy(sold);
        const QString renewal = u"in_2_"_s + sold.subscriptionId;
        const qint64 nextEnd = kNow + 2 * kMonth;
        history.add(u"invoice.payment_failed"_s,
                    test::stripeInvoice(sold, renewal, u"open"_s, 1, kNow + kMonth));
        history.add(u"customer.subscription.updated"_s,
                    test::stripeSubscription(sold, u"past_due"_s, nextEnd));
        history.add(u"invoice.paid"_s, test::stripeInvoice(sold, renewal, u"paid"_s, 1, kNow + kMonth));
        history.add(u"customer.subscription.updated"_s, test::stripeSubscription(sold, u"active"_s, nextEnd));
        QTest::newRow("a renewal paid out of band") << history << 1;
    }
    {
        const StripeSale sold = sale(u"leaving"_s, team, u"team"_s);
        History history;
        history.buy(sold);
        const QJsonObject active = test::stripeSubscription(sold, u"active"_s, kNow + kMonth);
        history.add(u"customer.subscription.updated"_s,
                    withFields(active, {{u"cancel_at_period_end"_s, true}, {u"cancel_at"_s, kNow + kMonth}}));
        history.add(u"customer.subscription.deleted"_s,
                    withFields(active, {{u"status"_s, u"canceled"_s},
                                        {u"canceled_at"_s, kNow - 100},
                                        {u"ended_at"_s, kNow - 100},
                                        {u"cancel_at_period_end"_s, true},
                                        {u"cancel_at"_s, kNow + kMonth}}));
        QTest::newRow("cancelled at period end, then ended") << history << 1;
    }
    {
        const StripeSale sold = sale(u"trial"_s, team, u"team"_s);
        History history;
        history.addSale(sold);
        const qint64 trialEnd = kNow + 14 * 86400;
        const QJsonObject trial = withFields(test::stripeSubscription(sold, u"trialing"_s, trialEnd),
                                             {{u"trial_start"_s, kNow - 1000}, {u"trial_end"_s, trialEnd}});
        history.add(u"customer.subscription.created"_s, trial);
        history.add(u"checkout.session.completed"_s, test::stripeCheckoutSession(sold));
        history.add(u"customer.subscription.updated"_s,
                    withFields(test::stripeSubscription(sold, u"active"_s, trialEnd + kMonth),
                               {{u"trial_start"_s, kNow - 1000}, {u"trial_end"_s, trialEnd}}));
        history.add(u"invoice.payment_succeeded"_s,
                    test::stripeInvoice(sold, u"in_1_"_s + sold.subscriptionId, u"paid"_s, 1, trialEnd));
        QTest::newRow("a trial, then paid") << history << 1;
    }
    {
        // Another product on the same Stripe account sells between two of ours, and its renewal fails.
        const StripeSale other = stranger();
        History history;
        history.buy(sale(u"first"_s, team, u"team"_s));
        history.addSale(other);
        history.add(u"customer.subscription.created"_s,
                    test::stripeSubscription(other, u"active"_s, kNow + kMonth));
        history.add(u"invoice.payment_succeeded"_s,
                    test::stripeInvoice(other, u"in_1_stranger"_s, u"paid"_s, 1, kNow));
        history.buy(sale(u"second"_s, test::stripePrice(u"price_solo"_s, 2900), u"solo"_s));
        history.add(u"invoice.payment_failed"_s,
                    test::stripeInvoice(other, u"in_2_stranger"_s, u"open"_s, 1, kNow + kMonth));
        history.add(u"customer.subscription.updated"_s,
                    test::stripeSubscription(other, u"past_due"_s, kNow + 2 * kMonth));
        QTest::newRow("a stranger on the same account") << history << 2;
    }
}

void TestApplyEntries::everyEntryLeavesTheSameRows()
{
    QFETCH(History, history);
    QFETCH(int, tenants);

    std::unique_ptr<test::ProcessorFixture> webhooks = fixture();
    std::unique_ptr<test::ProcessorFixture> replayed = fixture();
    std::unique_ptr<test::ProcessorFixture> synced = fixture();
    QVERIFY(webhooks && replayed && synced);
    deliverAsWebhooks(*webhooks, history);
    if (QTest::currentTestFailed())
        return;
    storeThenReplay(*replayed, history);
    if (QTest::currentTestFailed())
        return;
    importAsSync(*synced, history);
    if (QTest::currentTestFailed())
        return;

    // The history did something: a failure of all three alike would pass unseen.
    QCOMPARE(webhooks->count(u"tenants"_s, u"status = 'active'"_s), qint64(tenants));
    QCOMPARE(webhooks->count(u"licenses"_s), qint64(tenants));
    QCOMPARE(webhooks->count(u"customers"_s, u"tenant_id IS NULL"_s), qint64(0));

    for (const auto &[table, sql] : kBillingState) {
        const QStringList fromWebhooks = rows(*webhooks, sql);
        QVERIFY2(!fromWebhooks.isEmpty(), qPrintable(table));
        QCOMPARE(rows(*replayed, sql), fromWebhooks);
        QCOMPARE(rows(*synced, sql), fromWebhooks);
    }
    // What belongs to the moment a payment failed comes only with its events.
    QCOMPARE(rows(*replayed, kNotices), rows(*webhooks, kNotices));
    QCOMPARE(synced->count(u"notification_outbox"_s), qint64(0));
    QCOMPARE(rows(*replayed, u"SELECT stripe_event_id, event_type, status FROM payment_events"_s),
             rows(*webhooks, u"SELECT stripe_event_id, event_type, status FROM payment_events"_s));
}

QTEST_GUILESS_MAIN(TestApplyEntries)
#include "tst_applyentries.moc"
