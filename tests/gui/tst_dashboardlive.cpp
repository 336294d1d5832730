#include "ApiClient.h"
#include "ApiListModel.h"
#include "CancelSubscriptionDialog.h"
#include "HttpTestClient.h"
#include "ListPage.h"
#include "MainWindow.h"
#include "PortalLinkDialog.h"
#include "ReconcilePage.h"
#include "ServerProcess.h"
#include "StripeEmulator.h"
#include "TestDatabase.h"

#include <QAction>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;

namespace {

const QString kSecretKey = u"sk_test_51DashboardLiveTestKey000"_s;
const QString kWebhookSecret = u"whsec_test/dashboard/live"_s;
const QByteArray kApiToken = "dashboard-live-test-token-0123456789abcdef0"_ba;

} // namespace

// The dashboard against the real service: a checkout completed in the Stripe
// emulator reaches the open window through the webhook and the change feed,
// with nobody pressing Refresh.
class TestDashboardLive final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void checkoutAppearsWithoutRefresh();
    void staffActionsReachStripeAndTheAuditLog();
    void driftIsShownAndFixedFromTheReconciliationView();

private:
    QString sellSubscription(const QString &tenantId);

    std::unique_ptr<QTemporaryDir> m_workDir;
    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<emulator::StripeEmulator> m_stripe;
    std::unique_ptr<test::ServerProcess> m_server;
    QString m_staffToken;
};

void TestDashboardLive::init()
{
    m_workDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_workDir->isValid());
    QString error;
    m_db = test::TestDatabase::create(SqlDialect::Sqlite, &error);
    QVERIFY2(m_db, qPrintable(error));
    emulator::StripeEmulator::Options options;
    options.webhookSecrets = {kWebhookSecret};
    m_stripe = std::make_unique<emulator::StripeEmulator>(options);
    // Stripe's events two minutes old when reconciliation reads (see tst_reconcile).
    m_stripe->store().setClockOffset(-120);
    QVERIFY(m_stripe->listen(QHostAddress::LocalHost, 0).ok());

    QHash<QString, QString> settings = test::ServerProcess::testSettings(
        *m_db, m_workDir->filePath(u"data"_s), u"http://127.0.0.1:%1"_s.arg(m_stripe->port()));
    settings.insert({{u"STRIPE_SECRET_KEY"_s, kSecretKey},
                     {u"STRIPE_WEBHOOK_SECRET"_s, kWebhookSecret},
                     {u"BILLING_API_TOKEN"_s, QString::fromLatin1(kApiToken)}});
    m_server =
        std::make_unique<test::ServerProcess>(QStringLiteral(BILLING_SERVER_BINARY), m_workDir->path());
    QString output;
    QVERIFY2(m_server->run({u"migrate"_s}, settings, &output, &output) == 0, qPrintable(output));
    QVERIFY(m_server->run({u"staff"_s, u"add"_s, u"carol"_s}, settings, &output) == 0);
    m_staffToken = output.trimmed().split(u'\n').constLast();
    QVERIFY2(m_server->start(settings, &output), qPrintable(output));
    m_stripe->webhooks().setTarget(QUrl(m_server->baseUrl() + u"/payments/stripe/webhook"_s));
}

void TestDashboardLive::cleanup()
{
    if (m_server)
        QVERIFY(m_server->stop());
    m_server.reset();
    m_stripe.reset();
    m_db.reset();
    m_workDir.reset();
}

void TestDashboardLive::checkoutAppearsWithoutRefresh()
{
    QNetworkAccessManager network;
    ui::ApiClient client(&network);
    client.setServiceUrl(QUrl(m_server->baseUrl()));
    client.setToken(m_staffToken);
    ui::MainWindow window(&client);
    window.show();
    window.start();

    auto *events = qobject_cast<ui::ApiListModel *>(window.findChild<QTableView *>(u"eventsView"_s)->model());
    auto *subscriptions =
        qobject_cast<ui::ApiListModel *>(window.findChild<QTableView *>(u"subscriptionsView"_s)->model());
    QVERIFY(events && subscriptions);
    QTRY_VERIFY(events->isLoaded() && subscriptions->isLoaded());
    QCOMPARE(events->rowCount(), 0);
    QTRY_COMPARE(window.findChild<QLabel *>(u"staffLabel"_s)->text().contains(u"carol"_s), true);
    // Give the change feed time to start waiting, as an idle dashboard does.
    QTest::qWait(500);

    QVERIFY(sellSubscription(u"tenant_live_ui"_s).startsWith(u"sub_"_s));

    // Within about 2 s of the webhooks: the feed polls the database each second.
    QTRY_VERIFY_WITH_TIMEOUT(subscriptions->rowCount() == 1, 5000);
    QCOMPARE(subscriptions->rowObject(0).value(u"tenant_id"_s).toString(), u"tenant_live_ui"_s);
    QTRY_VERIFY_WITH_TIMEOUT(events->rowCount() >= 1, 5000);
}

QString TestDashboardLive::sellSubscription(const QString &tenantId)
{
    const QString subscription = m_server->sellSubscription(m_stripe->port(), kApiToken, tenantId, u"team"_s);
    // The licence comes with the first of the sale's events; the tests look at all of them.
    if (!QTest::qWaitFor([this] { return m_stripe->webhooks().isIdle(); }, 15000))
        qWarning("the sale's webhooks were still being delivered after 15 s");
    return subscription;
}

// As a new member of staff would: select the subscription, make a portal
// link, cancel at the period end; then find both in the audit log under
// their name.
void TestDashboardLive::staffActionsReachStripeAndTheAuditLog()
{
    const QString subscription = sellSubscription(u"tenant_actions_ui"_s);
    QVERIFY(subscription.startsWith(u"sub_"));

    QNetworkAccessManager network;
    ui::ApiClient client(&network);
    client.setServiceUrl(QUrl(m_server->baseUrl()));
    client.setToken(m_staffToken);
    ui::MainWindow window(&client);
    window.show();
    window.start();
    QVERIFY(window.showView(u"subscriptions"_s));
    auto *view = window.findChild<QTableView *>(u"subscriptionsView"_s);
    QTRY_VERIFY_WITH_TIMEOUT(view->model()->rowCount() == 1, 10000);
    view->selectRow(0);

    QAction *portal = window.findChild<QAction *>(u"portalLinkAction"_s);
    QTRY_VERIFY(portal->isEnabled());
    portal->trigger();
    ui::PortalLinkDialog *link = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((link = window.findChild<ui::PortalLinkDialog *>()), 10000);
    QTRY_VERIFY(link->findChild<QLineEdit *>(u"portalUrlEdit"_s)->text().startsWith(u"https://"_s));
    link->close();

    window.findChild<QAction *>(u"cancelSubscriptionAction"_s)->trigger();
    ui::CancelSubscriptionDialog *cancel = nullptr;
    QTRY_VERIFY((cancel = window.findChild<ui::CancelSubscriptionDialog *>()));
    cancel->findChild<QCheckBox *>(u"confirmCancelCheck"_s)->click();
    cancel->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();

    test::HttpTestClient http;
    const auto audit = [&] {
        QStringList actions;
        const auto reply = http.get(QUrl(m_server->baseUrl() + u"/admin/v1/audit?actor=carol"_s),
                                    {{"Authorization"_ba, "Bearer " + m_staffToken.toLatin1()}});
        for (const QJsonValue &entry : reply.json().value(u"data"_s).toArray())
            actions << entry[u"action"_s].toString() + u' ' + entry[u"target_id"_s].toString();
        return actions;
    };
    QTRY_VERIFY_WITH_TIMEOUT(audit().contains(u"subscription.cancel_at_period_end "_s + subscription), 10000);
    QVERIFY(audit().filter(u"customer.portal_link cus_"_s).size() == 1);
    // Stripe has it: the emulator's subscription now ends with its period.
    const auto stripe =
        http.get(QUrl(u"http://127.0.0.1:%1/v1/subscriptions/%2"_s.arg(m_stripe->port()).arg(subscription)),
                 {{"Authorization"_ba, "Bearer " + kSecretKey.toLatin1()}});
    QCOMPARE(stripe.json().value(u"cancel_at_period_end"_s).toBool(), true);
}

// #18's dashboard: a renewal whose events were all dropped shows in the
// Reconciliation view after Run now; Fix (with a confirmation naming each
// change) repairs that subscription's lines, Fix all the rest.
void TestDashboardLive::driftIsShownAndFixedFromTheReconciliationView()
{
    const QString subscription = sellSubscription(u"tenant_drift_ui"_s);
    QVERIFY(subscription.startsWith(u"sub_"_s));
    test::HttpTestClient http;
    const auto renewed = http.send(
        "POST",
        QUrl(u"http://127.0.0.1:%1/_emulator/subscriptions/%2/renew?deliver=false"_s.arg(m_stripe->port())
                 .arg(subscription)));
    QCOMPARE(renewed.status, 200);

    QNetworkAccessManager network;
    ui::ApiClient client(&network);
    client.setServiceUrl(QUrl(m_server->baseUrl()));
    client.setToken(m_staffToken);
    ui::MainWindow window(&client);
    window.show();
    window.start();
    QVERIFY(window.showView(u"reconciliation"_s));
    auto *page = window.findChild<ui::ReconcilePage *>();
    QVERIFY(page);
    auto *label = page->findChild<QLabel *>(u"lastRun"_s);
    QTRY_VERIFY(label->text().contains(u"No reconciliation has run yet"_s));
    QTRY_VERIFY(page->runAction()->isEnabled());
    page->runAction()->trigger();

    auto *model = qobject_cast<ui::ApiListModel *>(page->divergences()->view()->model());
    QVERIFY(model);
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() >= 3, 15000);
    QTRY_VERIFY(label->text().contains(u"not fixed"_s));
    int periodEnd = -1;
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->rowObject(row).value(u"kind"_s) == u"subscription.current_period_end"_s)
            periodEnd = row;
    }
    QVERIFY(periodEnd >= 0);
    page->divergences()->selectRow(periodEnd);
    QTRY_VERIFY(page->fixAction()->isEnabled());
    page->fixAction()->trigger();
    QMessageBox *confirm = nullptr;
    QTRY_VERIFY((confirm = page->findChild<QMessageBox *>(u"confirmFix"_s)));
    // It names what will change, here and in Stripe.
    QVERIFY2(confirm->informativeText().contains(u"subscription.current_period_end "_s + subscription),
             qPrintable(confirm->informativeText()));
    QVERIFY(confirm->informativeText().contains(u"license.valid_until"_s));
    confirm->button(QMessageBox::Yes)->click();

    // That subscription's lines are fixed; the invoice's are not yet.
    auto openOf = [model](const QString &objectPrefix) {
        int open = 0;
        for (int row = 0; row < model->rowCount(); ++row) {
            const QJsonObject divergence = model->rowObject(row);
            if (divergence.value(u"object_id"_s).toString().startsWith(objectPrefix) &&
                divergence.value(u"fixed_at"_s).isNull())
                ++open;
        }
        return open;
    };
    QTRY_COMPARE_WITH_TIMEOUT(openOf(subscription), 0, 10000);
    QVERIFY(openOf(u"in_"_s) > 0);

    QTRY_VERIFY(page->fixAllAction()->isEnabled());
    page->fixAllAction()->trigger();
    QTRY_VERIFY((confirm = page->findChild<QMessageBox *>(u"confirmFix"_s)));
    QVERIFY(confirm->informativeText().contains(u"invoice."_s));
    confirm->button(QMessageBox::Yes)->click();
    QTRY_VERIFY_WITH_TIMEOUT(label->text().contains(u", 0 not fixed"_s), 10000);
    // The list reloads after the run's line: a moment later under the sanitizers.
    QTRY_COMPARE_WITH_TIMEOUT(openOf(QString()), 0, 10000);

    const auto audit = http.get(QUrl(m_server->baseUrl() + u"/admin/v1/audit?action=reconcile.fix"_s),
                                {{"Authorization"_ba, "Bearer " + m_staffToken.toLatin1()}});
    const QJsonArray entries = audit.json().value(u"data"_s).toArray();
    QVERIFY(entries.size() >= 2);
    for (const QJsonValue &entry : entries)
        QCOMPARE(entry[u"actor"_s].toString(), u"carol"_s);
}

QTEST_MAIN(TestDashboardLive)
#include "tst_dashboardlive.moc"
