#include "ProcessorFixture.h"
#include "StripeObjects.h"
#include "admin/DashboardSummary.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace billing;
using Outcome = EventProcessor::Outcome;
using test::stripeEvent;
using test::StripeSale;

namespace {

constexpr qint64 kNow = 1764000000;
constexpr qint64 kMonth = 2592000;
const PlanPrices kPrices{u"price_solo"_s, u"price_team"_s, u"price_enterprise"_s};

// A sale as the checkout endpoint makes it for a raw price id: metadata[plan]=custom.
StripeSale rawPriceSale()
{
    StripeSale sale;
    sale.tenantId = u"tenant_raw"_s;
    sale.customerId = u"cus_raw"_s;
    sale.subscriptionId = u"sub_raw"_s;
    sale.plan = u"custom"_s;
    sale.price = test::stripePrice(u"price_1RawQuarterly"_s, 30000, u"eur"_s, u"month"_s, 3);
    return sale;
}

// A customer of another product on the same Stripe account: no tenant metadata,
// a customer this service never sold to.
StripeSale strangerSale()
{
    StripeSale sale;
    sale.tenantId.clear();
    sale.customerId = u"cus_stranger"_s;
    sale.subscriptionId = u"sub_stranger"_s;
    sale.plan.clear();
    sale.withTenantMetadata = false;
    sale.price = test::stripePrice(u"price_other_product"_s, 4900);
    return sale;
}

} // namespace

// What real Stripe accounts do that the demo's three monthly test-mode plans
// never show (#16): raw prices, quarterly and yearly prices, other products'
// customers on the same account. Built from Stripe's published object shapes.
class TestRealAccounts final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void rawPriceCheckoutIsProvisioned_data();
    void rawPriceCheckoutIsProvisioned();
    void strangersOnTheSameAccountTouchNothing();
    void strangerFoundThroughAnOlderApiVersionsInvoice();
    void mrrNormalisesEveryIntervalAndCount();
    void invoicePaidOutOfBandRestoresTheSubscription();

private:
    EventProcessor::Report process(const QByteArray &payload) { return m_fixture->process(payload); }
    qint64 count(const QString &table, const QString &where = {}) { return m_fixture->count(table, where); }
    QVariant value(const QString &sql) { return m_fixture->value(sql); }
    // A sale's three checkout events, applied; the subscription in `status`.
    void sell(const StripeSale &sale, const QString &status = u"active"_s);

    std::unique_ptr<test::ProcessorFixture> m_fixture;
};

void TestRealAccounts::init()
{
    QString error;
    m_fixture = test::ProcessorFixture::create(kPrices, kNow, &error);
    QVERIFY2(m_fixture, qPrintable(error));
}

void TestRealAccounts::cleanup()
{
    m_fixture.reset();
}

void TestRealAccounts::sell(const StripeSale &sale, const QString &status)
{
    const QString prefix = u"evt_"_s + sale.subscriptionId;
    const QList<QByteArray> events = {
        stripeEvent(prefix + u"_cs"_s, u"checkout.session.completed"_s, kNow,
                    test::stripeCheckoutSession(sale)),
        stripeEvent(prefix + u"_sub"_s, u"customer.subscription.created"_s, kNow,
                    test::stripeSubscription(sale, status, kNow + kMonth)),
        stripeEvent(prefix + u"_inv"_s, u"invoice.payment_succeeded"_s, kNow,
                    test::stripeInvoice(sale, u"in_"_s + sale.subscriptionId, u"paid"_s, 1, kNow + kMonth)),
    };
    for (const QByteArray &event : events) {
        const EventProcessor::Report report = process(event);
        QVERIFY2(report.outcome == Outcome::Processed, qPrintable(report.message));
    }
}

void TestRealAccounts::rawPriceCheckoutIsProvisioned_data()
{
    QTest::addColumn<QList<int>>("order");
    QList<int> order{0, 1, 2};
    do {
        QTest::addRow("%d%d%d", order[0], order[1], order[2]) << order;
    } while (std::next_permutation(order.begin(), order.end()));
}

void TestRealAccounts::rawPriceCheckoutIsProvisioned()
{
    QFETCH(QList<int>, order);
    const StripeSale sale = rawPriceSale();
    const QList<QByteArray> events = {
        stripeEvent(u"evt_cs"_s, u"checkout.session.completed"_s, kNow, test::stripeCheckoutSession(sale)),
        stripeEvent(u"evt_sub"_s, u"customer.subscription.created"_s, kNow,
                    test::stripeSubscription(sale, u"active"_s, kNow + 3 * kMonth)),
        stripeEvent(u"evt_inv"_s, u"invoice.payment_succeeded"_s, kNow,
                    test::stripeInvoice(sale, u"in_1"_s, u"paid"_s, 1, kNow + 3 * kMonth)),
    };
    for (int index : order) {
        const EventProcessor::Report report = process(events[index]);
        QVERIFY2(report.outcome == Outcome::Processed, qPrintable(report.message));
    }
    QCOMPARE(count(u"tenants"_s, u"tenant_id = 'tenant_raw' AND status = 'active'"_s), 1);
    QCOMPARE(count(u"subscriptions"_s), 1);
    // Outside the catalogue: no plan name, the price as Stripe has it.
    QCOMPARE(count(u"subscriptions"_s, u"plan IS NULL AND stripe_price_id = 'price_1RawQuarterly' AND "
                                       "status = 'active' AND tenant_id = 'tenant_raw'"_s),
             1);
    QCOMPARE(count(u"licenses"_s, u"status = 'active'"_s), 1);
    const Result<LicenseClaims> claims =
        m_fixture->signer().verify(value(u"SELECT license_key FROM licenses"_s).toString());
    QVERIFY(claims.ok());
    QCOMPARE(claims->tenantId, u"tenant_raw"_s);
    QCOMPARE(claims->plan, u"custom"_s);
    QCOMPARE(claims->expiresAt, kNow + 3 * kMonth);
    QCOMPARE(count(u"payments"_s), 1);
}

void TestRealAccounts::strangersOnTheSameAccountTouchNothing()
{
    sell(StripeSale()); // one tenant of ours, so that the tables are not empty by accident
    if (QTest::currentTestFailed())
        return;
    const qint64 outboxBefore = count(u"notification_outbox"_s);
    const StripeSale stranger = strangerSale();
    const QList<QByteArray> events = {
        stripeEvent(u"evt_s_sub"_s, u"customer.subscription.created"_s, kNow + 1,
                    test::stripeSubscription(stranger, u"active"_s, kNow + kMonth)),
        stripeEvent(u"evt_s_paid"_s, u"invoice.payment_succeeded"_s, kNow + 2,
                    test::stripeInvoice(stranger, u"in_s1"_s, u"paid"_s, 1, kNow + kMonth)),
        stripeEvent(u"evt_s_failed"_s, u"invoice.payment_failed"_s, kNow + 3,
                    test::stripeInvoice(stranger, u"in_s2"_s, u"open"_s, 1, kNow + kMonth)),
        stripeEvent(u"evt_s_upd"_s, u"customer.subscription.updated"_s, kNow + 4,
                    test::stripeSubscription(stranger, u"past_due"_s, kNow + kMonth)),
    };
    for (const QByteArray &event : events) {
        const EventProcessor::Report report = process(event);
        QVERIFY2(report.outcome == Outcome::Ignored, qPrintable(report.message));
    }
    // Stored, as every verified event is; nothing of theirs is mirrored, paid or dunned.
    QCOMPARE(count(u"payment_events"_s, u"stripe_event_id LIKE 'evt_s_%' AND status = 'ignored'"_s), 4);
    QCOMPARE(count(u"customers"_s, u"stripe_customer_id = 'cus_stranger'"_s), 0);
    QCOMPARE(count(u"subscriptions"_s, u"stripe_subscription_id = 'sub_stranger'"_s), 0);
    QCOMPARE(count(u"invoices"_s, u"stripe_customer_id = 'cus_stranger'"_s), 0);
    QCOMPARE(count(u"payments"_s), 1);
    QCOMPARE(count(u"notification_outbox"_s), outboxBefore);
    QCOMPARE(count(u"tenants"_s), 1);

    // The Overview counts only this service's tenants.
    QSqlDatabase db = m_fixture->database().database().connection().value();
    const Result<QJsonObject> summary = DashboardSummary::read(db, kNow + 10, false);
    QVERIFY(summary.ok());
    qint64 paymentsCounted = 0;
    for (const QJsonValue &day : summary->value(u"payments_by_day"_s).toArray())
        paymentsCounted += day.toObject().value(u"count"_s).toInteger();
    QCOMPARE(paymentsCounted, 1);
    QCOMPARE(summary->value(u"active_subscriptions"_s).toInteger(), 1);

    // A payment an instance older than migration 024 recorded on a shared
    // database has no mode: it counts in its invoice's.
    const auto paymentsIn = [&db](bool livemode) {
        const Result<QJsonObject> figures = DashboardSummary::read(db, kNow + 10, livemode);
        qint64 counted = -1;
        if (figures) {
            counted = 0;
            for (const QJsonValue &day : figures->value(u"payments_by_day"_s).toArray())
                counted += day.toObject().value(u"count"_s).toInteger();
        }
        return counted;
    };
    QCOMPARE(count(u"payments"_s, u"livemode IS NOT NULL"_s), 1);
    QSqlQuery forget(db);
    QVERIFY(forget.exec(u"UPDATE payments SET livemode = NULL"_s));
    QCOMPARE(paymentsIn(false), 1);
    QCOMPARE(paymentsIn(true), 0);
}

void TestRealAccounts::strangerFoundThroughAnOlderApiVersionsInvoice()
{
    // Events are rendered at the account's API version: before 2025-03 an
    // invoice names its subscription and metadata at the top level. A tenant's
    // invoice found that way is applied; a stranger's is not.
    sell(StripeSale());
    if (QTest::currentTestFailed())
        return;
    StripeSale second; // a second subscription of tenant_1, not seen here yet
    second.customerId = u"cus_new_for_tenant_1"_s;
    second.subscriptionId = u"sub_2"_s;
    QJsonObject ours = test::stripeInvoice(second, u"in_old"_s, u"paid"_s, 1, kNow + kMonth);
    ours.remove(u"parent"_s);
    // Only the metadata names the tenant: neither the customer nor the subscription is known.
    ours.insert(u"subscription"_s, second.subscriptionId);
    ours.insert(u"subscription_details"_s, QJsonObject{{u"metadata"_s, second.metadata()}});
    QCOMPARE(process(stripeEvent(u"evt_old"_s, u"invoice.payment_succeeded"_s, kNow + 5, ours, false,
                                 u"2024-06-20"_s))
                 .outcome,
             Outcome::Processed);
    QCOMPARE(count(u"invoices"_s, u"stripe_invoice_id = 'in_old' AND tenant_id = 'tenant_1'"_s), 1);
}

void TestRealAccounts::mrrNormalisesEveryIntervalAndCount()
{
    auto sale = [](const QString &suffix, const QJsonObject &price, const QString &plan = u"custom"_s) {
        StripeSale made;
        made.tenantId = u"tenant_"_s + suffix;
        made.customerId = u"cus_"_s + suffix;
        made.subscriptionId = u"sub_"_s + suffix;
        made.plan = plan;
        made.price = price;
        return made;
    };
    sell(sale(u"quarterly"_s, test::stripePrice(u"price_q"_s, 30000, u"eur"_s, u"month"_s, 3)));
    sell(sale(u"yearly"_s, test::stripePrice(u"price_y"_s, 120000, u"eur"_s, u"year"_s, 1)));
    sell(sale(u"biweekly"_s, test::stripePrice(u"price_w"_s, 1000, u"usd"_s, u"week"_s, 2)));
    sell(sale(u"team"_s, test::stripePrice(u"price_team"_s, 9900), u"team"_s));
    sell(sale(u"trial"_s, test::stripePrice(u"price_t"_s, 5000)), u"trialing"_s);
    if (QTest::currentTestFailed())
        return;

    QSqlDatabase db = m_fixture->database().database().connection().value();
    const Result<QJsonObject> summary = DashboardSummary::read(db, kNow + 10, false);
    QVERIFY(summary.ok());
    QMap<QString, qint64> byPlan;
    QMap<QString, qint64> counts;
    for (const QJsonValue &entry : summary->value(u"mrr"_s).toArray()) {
        const QString key = entry[u"plan"_s].toString() + u'/' + entry[u"currency"_s].toString();
        byPlan[key] += entry[u"amount"_s].toInteger();
        counts[key] += entry[u"subscriptions"_s].toInteger();
    }
    // 300.00 every 3 months and 1,200.00 a year are 100.00 a month each;
    // 10.00 every 2 weeks is 10.00 × 52 / 24 = 21.666… → 21.67. Trials bill nothing yet.
    QCOMPARE(byPlan.value(u"custom/eur"_s), 20000);
    QCOMPARE(counts.value(u"custom/eur"_s), 2);
    QCOMPARE(byPlan.value(u"custom/usd"_s), 2167);
    QCOMPARE(byPlan.value(u"team/eur"_s), 9900);
    QCOMPARE(byPlan.size(), 3);
}

void TestRealAccounts::invoicePaidOutOfBandRestoresTheSubscription()
{
    // A failed renewal later settled by bank transfer, marked paid in Stripe's
    // Dashboard: Stripe sends invoice.paid (no invoice.payment_succeeded).
    const StripeSale sale;
    sell(sale);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(process(stripeEvent(u"evt_fail"_s, u"invoice.payment_failed"_s, kNow + 10,
                                 test::stripeInvoice(sale, u"in_2"_s, u"open"_s, 1, kNow + 2 * kMonth)))
                 .outcome,
             Outcome::Processed);
    QCOMPARE(value(u"SELECT status FROM subscriptions"_s).toString(), u"past_due"_s);

    QJsonObject paid = test::stripeInvoice(sale, u"in_2"_s, u"paid"_s, 1, kNow + 2 * kMonth);
    paid.insert(u"paid_out_of_band"_s, true);
    QCOMPARE(process(stripeEvent(u"evt_oob"_s, u"invoice.paid"_s, kNow + 20, paid)).outcome,
             Outcome::Processed);
    QCOMPARE(count(u"payments"_s, u"stripe_invoice_id = 'in_2'"_s), 1);
    QCOMPARE(value(u"SELECT status FROM invoices WHERE stripe_invoice_id = 'in_2'"_s).toString(), u"paid"_s);
    QCOMPARE(value(u"SELECT status FROM subscriptions"_s).toString(), u"active"_s);
    QCOMPARE(value(u"SELECT status FROM licenses"_s).toString(), u"active"_s);
    // A charge that pays sends both events: still one payment.
    QCOMPARE(
        process(stripeEvent(u"evt_oob_succeeded"_s, u"invoice.payment_succeeded"_s, kNow + 20, paid)).outcome,
        Outcome::Processed);
    QCOMPARE(count(u"payments"_s, u"stripe_invoice_id = 'in_2'"_s), 1);
}

QTEST_GUILESS_MAIN(TestRealAccounts)
#include "tst_realaccounts.moc"
