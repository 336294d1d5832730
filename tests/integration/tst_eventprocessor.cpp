#include "ProcessorFixture.h"
#include "StripeObjects.h"
#include "TestDatabase.h"
#include "billing/EventProcessor.h"
#include "db/Migrator.h"
#include "license/LicenseSigner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <thread>

using namespace Qt::StringLiterals;
using namespace billing;
using Outcome = EventProcessor::Outcome;
using test::stripeEvent;

namespace {

constexpr qint64 kNow = 1764000000;
const PlanPrices kPrices{u"price_solo"_s, u"price_team"_s, u"price_enterprise"_s};

QJsonObject fixture(const QString &kind)
{
    return test::stripeFixture(kind);
}

QJsonObject subscription(const QString &status, qint64 periodEnd, bool withPeriodOnItem = true)
{
    return test::stripeSubscription(test::StripeSale(), status, periodEnd, withPeriodOnItem);
}

QJsonObject checkoutSession()
{
    return test::stripeCheckoutSession(test::StripeSale());
}

QJsonObject invoice(const QString &id, const QString &status, int attempt, qint64 periodEnd)
{
    return test::stripeInvoice(test::StripeSale(), id, status, attempt, periodEnd);
}

// Data rows "012" … "210": every order in which three deliveries can arrive.
void addEveryOrderOfThree()
{
    QTest::addColumn<QList<int>>("order");
    QList<int> order{0, 1, 2};
    do {
        QTest::addRow("%d%d%d", order[0], order[1], order[2]) << order;
    } while (std::next_permutation(order.begin(), order.end()));
}

} // namespace

class TestEventProcessor final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void checkoutInAnyOrderGivesOneOfEach_data();
    void customerEmailFollowsTheNewestEvent();
    void aRenewalLearntAfterALaterPaymentStillMovesThePeriod();
    void anEmailChangeBeforeItsCheckoutIsKept();
    void checkoutInAnyOrderGivesOneOfEach();
    void duplicateIsNotAppliedAgain();
    void concurrentCheckoutDeliveriesMakeOneLicence();
    void subscriptionEventsInAnyOrderEndInLatestState_data();
    void subscriptionEventsInAnyOrderEndInLatestState();
    void cancellationNeverReverts();
    void failedPaymentQueuesOneNoticePerAttempt();
    void paymentAfterFailureRestoresTheLicence();
    void unknownTypeIsStoredAndIgnored();
    void failureRollsBackAndIsRecorded();
    void otherModeIsRefused();
    void apiVersionDriftIsRecorded();
    void batchIsolatesAFailingEvent();
    void everyLicenceKeyExpires();
    void failureAfterPaymentSendsNoNotice();
    void recoversFromADroppedConnection();

private:
    EventProcessor::Report process(const QByteArray &payload);
    // Checkout completed and its subscription active, period ending at kNow + 10.
    void provisionActiveSubscription();
    qint64 count(const QString &table, const QString &where = {});
    QVariant value(const QString &sql);

    std::unique_ptr<test::ProcessorFixture> m_fixture;
};

void TestEventProcessor::init()
{
    QString error;
    m_fixture = test::ProcessorFixture::create(kPrices, kNow, &error);
    QVERIFY2(m_fixture, qPrintable(error));
}

void TestEventProcessor::cleanup()
{
    m_fixture.reset();
}

EventProcessor::Report TestEventProcessor::process(const QByteArray &payload)
{
    return m_fixture->process(payload);
}

qint64 TestEventProcessor::count(const QString &table, const QString &where)
{
    return m_fixture->count(table, where);
}

QVariant TestEventProcessor::value(const QString &sql)
{
    return m_fixture->value(sql);
}

void TestEventProcessor::checkoutInAnyOrderGivesOneOfEach_data()
{
    addEveryOrderOfThree();
}

void TestEventProcessor::checkoutInAnyOrderGivesOneOfEach()
{
    QFETCH(QList<int>, order);
    const qint64 periodEnd = kNow + 2592000;
    const QList<QByteArray> events = {
        stripeEvent(u"evt_sub"_s, u"customer.subscription.created"_s, kNow,
                    subscription(u"active"_s, periodEnd)),
        stripeEvent(u"evt_inv"_s, u"invoice.payment_succeeded"_s, kNow,
                    invoice(u"in_1"_s, u"paid"_s, 1, periodEnd)),
        stripeEvent(u"evt_cs"_s, u"checkout.session.completed"_s, kNow, checkoutSession()),
    };
    for (int index : order) {
        const EventProcessor::Report report = process(events[index]);
        QVERIFY2(report.outcome == Outcome::Processed, qPrintable(report.message));
    }
    QCOMPARE(count(u"tenants"_s, u"status = 'active'"_s), 1);
    QCOMPARE(count(u"customers"_s, u"tenant_id = 'tenant_1'"_s), 1);
    QCOMPARE(count(u"subscriptions"_s, u"status = 'active' AND tenant_id = 'tenant_1' AND plan = 'team'"_s),
             1);
    QCOMPARE(value(u"SELECT current_period_end FROM subscriptions"_s).toLongLong(), periodEnd);
    QCOMPARE(count(u"invoices"_s, u"status = 'paid' AND tenant_id = 'tenant_1'"_s), 1);
    QCOMPARE(count(u"payments"_s), 1);
    QCOMPARE(count(u"licenses"_s, u"status = 'active'"_s), 1);
    QCOMPARE(value(u"SELECT valid_until FROM licenses"_s).toLongLong(), periodEnd);
    const Result<LicenseClaims> claims =
        m_fixture->signer().verify(value(u"SELECT license_key FROM licenses"_s).toString());
    QVERIFY(claims.ok());
    QCOMPARE(claims->tenantId, u"tenant_1"_s);
    QCOMPARE(claims->plan, u"team"_s);
    QCOMPARE(claims->expiresAt, periodEnd);
    QCOMPARE(count(u"payment_events"_s, u"status = 'processed'"_s), 3);
}

void TestEventProcessor::duplicateIsNotAppliedAgain()
{
    const QByteArray paid = stripeEvent(u"evt_inv"_s, u"invoice.payment_succeeded"_s, kNow,
                                        invoice(u"in_1"_s, u"paid"_s, 1, kNow));
    QCOMPARE(process(paid).outcome, Outcome::Processed);
    QCOMPARE(process(paid).outcome, Outcome::Duplicate);
    QCOMPARE(process(paid).outcome, Outcome::Duplicate);
    QCOMPARE(count(u"payment_events"_s), 1);
    QCOMPARE(value(u"SELECT attempts FROM payment_events"_s).toInt(), 1);
    QCOMPARE(count(u"payments"_s), 1);
}

void TestEventProcessor::concurrentCheckoutDeliveriesMakeOneLicence()
{
    constexpr int kDeliveries = 50;
    const QByteArray payload =
        stripeEvent(u"evt_cs"_s, u"checkout.session.completed"_s, kNow, checkoutSession());
    std::vector<Outcome> outcomes(kDeliveries, Outcome::Failed);
    std::vector<QString> messages(kDeliveries);
    {
        std::vector<std::thread> threads;
        for (int i = 0; i < kDeliveries; ++i) {
            threads.emplace_back([&, i] {
                // One database handle per thread, as separate requests or instances have.
                Database database(m_fixture->database().url());
                EventProcessor processor(database, m_fixture->signer(), PlanCatalog(kPrices),
                                         {StripeMode::Test, u"2025-03-31.basil"_s, std::chrono::seconds(0)},
                                         m_fixture->clock());
                const EventProcessor::Report report = processor.process(payload, 0);
                outcomes[size_t(i)] = report.outcome;
                messages[size_t(i)] = report.message;
            });
        }
        for (std::thread &thread : threads)
            thread.join();
    }
    for (int i = 0; i < kDeliveries; ++i)
        QVERIFY2(outcomes[size_t(i)] != Outcome::Failed, qPrintable(messages[size_t(i)]));
    QCOMPARE(std::count(outcomes.begin(), outcomes.end(), Outcome::Processed), 1);
    QCOMPARE(count(u"licenses"_s), 1);
    QCOMPARE(count(u"tenants"_s), 1);
    QCOMPARE(count(u"payment_events"_s), 1);
}

void TestEventProcessor::subscriptionEventsInAnyOrderEndInLatestState_data()
{
    addEveryOrderOfThree();
}

void TestEventProcessor::subscriptionEventsInAnyOrderEndInLatestState()
{
    QFETCH(QList<int>, order);
    // created (incomplete) and updated (active) in the same second, then a renewal.
    const QList<QByteArray> events = {
        stripeEvent(u"evt_a"_s, u"customer.subscription.created"_s, kNow,
                    subscription(u"incomplete"_s, kNow + 100)),
        stripeEvent(u"evt_b"_s, u"customer.subscription.updated"_s, kNow,
                    subscription(u"active"_s, kNow + 100)),
        stripeEvent(u"evt_c"_s, u"customer.subscription.updated"_s, kNow + 50,
                    subscription(u"active"_s, kNow + 200, false)),
    };
    for (int index : order)
        QCOMPARE(process(events[index]).outcome, Outcome::Processed);
    QCOMPARE(value(u"SELECT status FROM subscriptions"_s).toString(), u"active"_s);
    QCOMPARE(value(u"SELECT current_period_end FROM subscriptions"_s).toLongLong(), kNow + 200);
    QCOMPARE(value(u"SELECT state_event_id FROM subscriptions"_s).toString(), u"evt_c"_s);
}

void TestEventProcessor::cancellationNeverReverts()
{
    QCOMPARE(process(stripeEvent(u"evt_del"_s, u"customer.subscription.deleted"_s, kNow,
                                 subscription(u"canceled"_s, kNow)))
                 .outcome,
             Outcome::Processed);
    QCOMPARE(process(stripeEvent(u"evt_cs"_s, u"checkout.session.completed"_s, kNow - 10, checkoutSession()))
                 .outcome,
             Outcome::Processed);
    // A later-delivered but newer-looking active state cannot bring it back.
    QCOMPARE(process(stripeEvent(u"evt_upd"_s, u"customer.subscription.updated"_s, kNow + 5,
                                 subscription(u"active"_s, kNow + 99)))
                 .outcome,
             Outcome::Processed);
    QCOMPARE(value(u"SELECT status FROM subscriptions"_s).toString(), u"canceled"_s);
    QCOMPARE(value(u"SELECT status FROM licenses"_s).toString(), u"revoked"_s);
}

void TestEventProcessor::provisionActiveSubscription()
{
    QCOMPARE(
        process(stripeEvent(u"evt_cs"_s, u"checkout.session.completed"_s, kNow, checkoutSession())).outcome,
        Outcome::Processed);
    QCOMPARE(process(stripeEvent(u"evt_sub"_s, u"customer.subscription.created"_s, kNow,
                                 subscription(u"active"_s, kNow + 10)))
                 .outcome,
             Outcome::Processed);
}

void TestEventProcessor::failedPaymentQueuesOneNoticePerAttempt()
{
    provisionActiveSubscription();
    if (QTest::currentTestFailed())
        return;
    const QByteArray firstFailure = stripeEvent(u"evt_f1"_s, u"invoice.payment_failed"_s, kNow + 20,
                                                invoice(u"in_2"_s, u"open"_s, 1, kNow + 10));
    QCOMPARE(process(firstFailure).outcome, Outcome::Processed);
    QCOMPARE(process(firstFailure).outcome, Outcome::Duplicate);
    // Stripe's retry of the charge fails again: a second notice, a different event.
    QCOMPARE(process(stripeEvent(u"evt_f2"_s, u"invoice.payment_failed"_s, kNow + 30,
                                 invoice(u"in_2"_s, u"open"_s, 2, kNow + 10)))
                 .outcome,
             Outcome::Processed);
    // The same attempt reported by another event id queues nothing new.
    QCOMPARE(process(stripeEvent(u"evt_f2b"_s, u"invoice.payment_failed"_s, kNow + 31,
                                 invoice(u"in_2"_s, u"open"_s, 2, kNow + 10)))
                 .outcome,
             Outcome::Processed);

    QCOMPARE(count(u"notification_outbox"_s), 2);
    QCOMPARE(count(u"notification_outbox"_s, u"dedupe_key = 'payment_failed:in_2:2'"_s), 1);
    const QJsonObject payload =
        QJsonDocument::fromJson(
            value(u"SELECT payload FROM notification_outbox ORDER BY id LIMIT 1"_s).toByteArray())
            .object();
    QCOMPARE(payload.value(u"tenant_id"_s).toString(), u"tenant_1"_s);
    QCOMPARE(payload.value(u"customer_email"_s).toString(), u"billing@tenant.test"_s);
    QCOMPARE(payload.value(u"amount_due"_s).toInt(), 9900);
    QCOMPARE(payload.value(u"currency"_s).toString(), u"eur"_s);
    QCOMPARE(payload.value(u"attempt_count"_s).toInt(), 1);
    QCOMPARE(payload.value(u"hosted_invoice_url"_s).toString(), u"https://invoice.stripe.com/i/x"_s);
    QCOMPARE(value(u"SELECT status FROM subscriptions"_s).toString(), u"past_due"_s);
    QCOMPARE(value(u"SELECT status FROM licenses"_s).toString(), u"grace"_s);
    QCOMPARE(value(u"SELECT valid_until FROM licenses"_s).toLongLong(), kNow + 7 * 86400);
    QCOMPARE(value(u"SELECT attempt_count FROM invoices"_s).toInt(), 2);
}

// Found by the lifecycle simulator (seed 1053): the customer changed their
// e-mail while the checkout's events were still undelivered. customer.updated
// came first, for a customer not known yet (skipped); the checkout, older,
// then links it, and the stored change applies.
void TestEventProcessor::anEmailChangeBeforeItsCheckoutIsKept()
{
    QJsonObject customer = fixture(u"customer"_s);
    customer.insert(u"id"_s, u"cus_1"_s);
    customer.insert(u"email"_s, u"changed@tenant.test"_s);
    customer.insert(u"livemode"_s, false);
    customer.insert(u"metadata"_s, QJsonObject());
    QCOMPARE(process(stripeEvent(u"evt_changed"_s, u"customer.updated"_s, kNow + 20, customer)).outcome,
             Outcome::Ignored);
    QCOMPARE(
        process(stripeEvent(u"evt_cs"_s, u"checkout.session.completed"_s, kNow, checkoutSession())).outcome,
        Outcome::Processed);
    QCOMPARE(value(u"SELECT email FROM customers WHERE stripe_customer_id = 'cus_1'"_s).toString(),
             u"changed@tenant.test"_s);
}

// Found by the lifecycle simulator (seed 1076): a failed renewal, then a paid
// one whose events came late (catch-up), while the earlier invoice's payment,
// newer, arrived first and moved the status at its own time. The late
// renewal is older than that status, yet its period is the current one.
void TestEventProcessor::aRenewalLearntAfterALaterPaymentStillMovesThePeriod()
{
    provisionActiveSubscription();
    if (QTest::currentTestFailed())
        return;
    const qint64 month = 2592000;
    QCOMPARE(process(stripeEvent(u"evt_failed"_s, u"invoice.payment_failed"_s, kNow + 20,
                                 invoice(u"in_2"_s, u"open"_s, 1, kNow + 10 + month)))
                 .outcome,
             Outcome::Processed);
    QCOMPARE(process(stripeEvent(u"evt_past_due"_s, u"customer.subscription.updated"_s, kNow + 20,
                                 subscription(u"past_due"_s, kNow + 10 + month)))
                 .outcome,
             Outcome::Processed);
    // The earlier invoice is paid at kNow + 60: delivered at once.
    QCOMPARE(process(stripeEvent(u"evt_paid"_s, u"invoice.payment_succeeded"_s, kNow + 60,
                                 invoice(u"in_2"_s, u"paid"_s, 2, kNow + 10 + month)))
                 .outcome,
             Outcome::Processed);
    // The renewal at kNow + 40, into the next period: delivered late.
    QCOMPARE(process(stripeEvent(u"evt_renewed"_s, u"customer.subscription.updated"_s, kNow + 40,
                                 subscription(u"active"_s, kNow + 10 + 2 * month)))
                 .outcome,
             Outcome::Processed);
    QCOMPARE(value(u"SELECT status FROM subscriptions"_s).toString(), u"active"_s);
    QCOMPARE(value(u"SELECT current_period_end FROM subscriptions"_s).toLongLong(), kNow + 10 + 2 * month);
    QCOMPARE(value(u"SELECT valid_until FROM licenses"_s).toLongLong(), kNow + 10 + 2 * month);
    // An older period delivered later still changes nothing.
    process(stripeEvent(u"evt_old"_s, u"customer.subscription.updated"_s, kNow + 30,
                        subscription(u"past_due"_s, kNow + 10 + month)));
    QCOMPARE(value(u"SELECT status FROM subscriptions"_s).toString(), u"active"_s);
    QCOMPARE(value(u"SELECT current_period_end FROM subscriptions"_s).toLongLong(), kNow + 10 + 2 * month);
}

void TestEventProcessor::paymentAfterFailureRestoresTheLicence()
{
    provisionActiveSubscription();
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(process(stripeEvent(u"evt_f1"_s, u"invoice.payment_failed"_s, kNow + 20,
                                 invoice(u"in_2"_s, u"open"_s, 1, kNow + 10)))
                 .outcome,
             Outcome::Processed);
    QCOMPARE(process(stripeEvent(u"evt_p"_s, u"invoice.payment_succeeded"_s, kNow + 40,
                                 invoice(u"in_2"_s, u"paid"_s, 2, kNow + 2592000)))
                 .outcome,
             Outcome::Processed);
    QCOMPARE(value(u"SELECT status FROM subscriptions"_s).toString(), u"active"_s);
    QCOMPARE(value(u"SELECT status FROM licenses"_s).toString(), u"active"_s);
    QCOMPARE(value(u"SELECT valid_until FROM licenses"_s).toLongLong(), kNow + 2592000);
    QCOMPARE(count(u"payments"_s), 1);
    QCOMPARE(value(u"SELECT status FROM invoices"_s).toString(), u"paid"_s);
}

// customer.updated (an e-mail changed in the Customer Portal) moves the
// customer's e-mail; an older event delivered late, whether another
// customer.updated or the checkout, leaves the newer e-mail.
void TestEventProcessor::customerEmailFollowsTheNewestEvent()
{
    QCOMPARE(
        process(stripeEvent(u"evt_cs"_s, u"checkout.session.completed"_s, kNow, checkoutSession())).outcome,
        Outcome::Processed);
    QCOMPARE(value(u"SELECT email FROM customers WHERE stripe_customer_id = 'cus_1'"_s).toString(),
             u"owner@tenant.test"_s);
    auto customerWithEmail = [](const QString &email) {
        QJsonObject customer = fixture(u"customer"_s);
        customer.insert(u"id"_s, u"cus_1"_s);
        customer.insert(u"email"_s, email);
        customer.insert(u"livemode"_s, false);
        return customer;
    };
    QCOMPARE(process(stripeEvent(u"evt_new"_s, u"customer.updated"_s, kNow + 20,
                                 customerWithEmail(u"new@tenant.test"_s)))
                 .outcome,
             Outcome::Processed);
    QCOMPARE(value(u"SELECT email FROM customers WHERE stripe_customer_id = 'cus_1'"_s).toString(),
             u"new@tenant.test"_s);
    // Older, delivered late.
    process(
        stripeEvent(u"evt_old"_s, u"customer.updated"_s, kNow + 10, customerWithEmail(u"old@tenant.test"_s)));
    QJsonObject laterCheckout = checkoutSession();
    laterCheckout.insert(u"id"_s, u"cs_test_again"_s);
    process(stripeEvent(u"evt_cs_late"_s, u"checkout.session.completed"_s, kNow + 5, laterCheckout));
    QCOMPARE(value(u"SELECT email FROM customers WHERE stripe_customer_id = 'cus_1'"_s).toString(),
             u"new@tenant.test"_s);
    // A customer of another product on the account: stored as an event, nothing else.
    QJsonObject stranger = customerWithEmail(u"someone@elsewhere.example"_s);
    stranger.insert(u"id"_s, u"cus_stranger"_s);
    stranger.insert(u"metadata"_s, QJsonObject());
    QCOMPARE(process(stripeEvent(u"evt_stranger"_s, u"customer.updated"_s, kNow + 30, stranger)).outcome,
             Outcome::Ignored);
    QCOMPARE(count(u"customers"_s, u"stripe_customer_id = 'cus_stranger'"_s), 0);
}

void TestEventProcessor::unknownTypeIsStoredAndIgnored()
{
    QJsonObject customer = fixture(u"customer"_s);
    QCOMPARE(process(stripeEvent(u"evt_x"_s, u"customer.created"_s, kNow, customer)).outcome,
             Outcome::Ignored);
    QCOMPARE(count(u"payment_events"_s, u"status = 'ignored'"_s), 1);
    QCOMPARE(process(stripeEvent(u"evt_x"_s, u"customer.created"_s, kNow, customer)).outcome,
             Outcome::Duplicate);
}

void TestEventProcessor::failureRollsBackAndIsRecorded()
{
    QJsonObject broken = subscription(u"active"_s, kNow + 10);
    broken.remove(u"customer"_s);
    const QByteArray payload = stripeEvent(u"evt_bad"_s, u"customer.subscription.updated"_s, kNow, broken);
    const EventProcessor::Report report = process(payload);
    QCOMPARE(report.outcome, Outcome::Failed);
    QVERIFY(report.message.contains(u"no id or customer"_s));
    QCOMPARE(count(u"subscriptions"_s), 0);
    QCOMPARE(count(u"customers"_s), 0);
    QCOMPARE(count(u"payment_events"_s, u"status = 'failed' AND attempts = 1"_s), 1);
    QVERIFY(value(u"SELECT error FROM payment_events"_s).toString().contains(u"no id or customer"_s));
    // Stripe's retry fails again and is counted; it is never marked done.
    QCOMPARE(process(payload).outcome, Outcome::Failed);
    QCOMPARE(value(u"SELECT attempts FROM payment_events"_s).toInt(), 2);
    QCOMPARE(m_fixture->processor().replay(u"evt_bad"_s).outcome, Outcome::Failed);
}

void TestEventProcessor::otherModeIsRefused()
{
    const EventProcessor::Report report =
        process(stripeEvent(u"evt_live"_s, u"checkout.session.completed"_s, kNow, checkoutSession(), true));
    QCOMPARE(report.outcome, Outcome::Refused);
    QVERIFY(report.message.contains(u"a live-mode event reached a test-mode installation"_s));
    QCOMPARE(count(u"payment_events"_s), 0);
    QCOMPARE(count(u"tenants"_s), 0);
}

void TestEventProcessor::apiVersionDriftIsRecorded()
{
    QCOMPARE(process(stripeEvent(u"evt_v"_s, u"customer.created"_s, kNow, fixture(u"customer"_s), false,
                                 u"2023-08-16"_s))
                 .outcome,
             Outcome::Ignored);
    QCOMPARE(value(u"SELECT warning FROM payment_events"_s).toString(),
             u"rendered at API version 2023-08-16, not the pinned 2025-03-31.basil"_s);
    QCOMPARE(value(u"SELECT api_version FROM payment_events"_s).toString(), u"2023-08-16"_s);
}

void TestEventProcessor::batchIsolatesAFailingEvent()
{
    QJsonObject broken = subscription(u"active"_s, kNow + 10);
    broken.remove(u"customer"_s);
    const QList<EventProcessor::Delivery> batch = {
        {stripeEvent(u"evt_good1"_s, u"invoice.payment_succeeded"_s, kNow,
                     invoice(u"in_a"_s, u"paid"_s, 1, kNow)),
         0},
        {stripeEvent(u"evt_bad"_s, u"customer.subscription.updated"_s, kNow, broken), 0},
        {"not json"_ba, 0},
        {stripeEvent(u"evt_good2"_s, u"invoice.payment_succeeded"_s, kNow,
                     invoice(u"in_b"_s, u"paid"_s, 1, kNow)),
         0},
    };
    const QList<EventProcessor::Report> reports = m_fixture->processor().processBatch(batch);
    QCOMPARE(reports.size(), 4);
    QCOMPARE(reports[0].outcome, Outcome::Processed);
    QCOMPARE(reports[1].outcome, Outcome::Failed);
    QCOMPARE(reports[2].outcome, Outcome::Refused);
    QCOMPARE(reports[3].outcome, Outcome::Processed);
    // The good events are committed in full; the bad one left only its failure record.
    QCOMPARE(count(u"payments"_s), 2);
    QCOMPARE(count(u"payment_events"_s, u"status = 'processed'"_s), 2);
    QCOMPARE(count(u"payment_events"_s, u"status = 'failed' AND stripe_event_id = 'evt_bad'"_s), 1);
    QCOMPARE(count(u"subscriptions"_s), 0);
}

void TestEventProcessor::everyLicenceKeyExpires()
{
    // Checkout alone: a provisional licence through the grace period, not forever.
    QCOMPARE(
        process(stripeEvent(u"evt_cs"_s, u"checkout.session.completed"_s, kNow, checkoutSession())).outcome,
        Outcome::Processed);
    Result<LicenseClaims> provisional =
        m_fixture->signer().verify(value(u"SELECT license_key FROM licenses"_s).toString());
    QVERIFY(provisional.ok());
    QCOMPARE(provisional->expiresAt, kNow + 7 * 86400);

    // Cancelled: revoked, and its key expires now.
    QCOMPARE(process(stripeEvent(u"evt_del"_s, u"customer.subscription.deleted"_s, kNow + 5,
                                 subscription(u"canceled"_s, kNow + 100)))
                 .outcome,
             Outcome::Processed);
    QCOMPARE(value(u"SELECT status FROM licenses"_s).toString(), u"revoked"_s);
    Result<LicenseClaims> revoked =
        m_fixture->signer().verify(value(u"SELECT license_key FROM licenses"_s).toString());
    QVERIFY(revoked.ok());
    QCOMPARE(revoked->expiresAt, kNow);
    QVERIFY(revoked->expiresAt != 0);
}

void TestEventProcessor::failureAfterPaymentSendsNoNotice()
{
    QCOMPARE(process(stripeEvent(u"evt_paid"_s, u"invoice.payment_succeeded"_s, kNow + 10,
                                 invoice(u"in_late"_s, u"paid"_s, 2, kNow)))
                 .outcome,
             Outcome::Processed);
    QCOMPARE(process(stripeEvent(u"evt_late"_s, u"invoice.payment_failed"_s, kNow,
                                 invoice(u"in_late"_s, u"open"_s, 1, kNow)))
                 .outcome,
             Outcome::Processed);
    QCOMPARE(count(u"notification_outbox"_s), 0);
    QCOMPARE(value(u"SELECT status FROM invoices"_s).toString(), u"paid"_s);
}

void TestEventProcessor::recoversFromADroppedConnection()
{
    if (test::backendUnderTest() != SqlDialect::Postgres)
        QSKIP("a server that drops connections is a PostgreSQL matter");
    QCOMPARE(
        process(stripeEvent(u"evt_before"_s, u"customer.created"_s, kNow, fixture(u"customer"_s))).outcome,
        Outcome::Ignored);
    {
        // What a server restart does to the service's open connection.
        Database admin(m_fixture->database().url());
        QSqlDatabase db = admin.connection().value();
        QSqlQuery kill(db);
        QVERIFY(kill.exec(u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"_s));
    }
    const EventProcessor::Report after =
        process(stripeEvent(u"evt_after"_s, u"customer.created"_s, kNow, fixture(u"customer"_s)));
    QVERIFY2(after.outcome == Outcome::Ignored, qPrintable(after.message));
    QCOMPARE(count(u"payment_events"_s), 2);
}

QTEST_GUILESS_MAIN(TestEventProcessor)
#include "tst_eventprocessor.moc"
