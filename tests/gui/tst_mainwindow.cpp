#include "ApiClient.h"
#include "CancelSubscriptionDialog.h"
#include "ChangeWatcher.h"
#include "ErrorBanner.h"
#include "FakeAdminApi.h"
#include "MainWindow.h"
#include "PortalLinkDialog.h"

#include <QAction>
#include <QChartView>
#include <QCheckBox>
#include <QClipboard>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;
using billing::test::FakeAdminApi;
using billing::test::FakeRequest;
using namespace billing::ui;

class TestMainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void hasTheViews();
    void modeBadgeFollowsSession_data();
    void modeBadgeFollowsSession();
    void overviewShowsSummary();
    void cancelSubscriptionAtPeriodEndByDefault();
    void cancelSubscriptionNow();
    void portalLinkForSelectedCustomer();
    void replayEventAfterConfirmation();
    void copyLicenseKeyToClipboard();
    void resendDunningNotice();
    void actionsNeedASelection();
    void errorBannerShowsServiceMessageUntilSuccess();
    void errorBannerWhenServiceUnreachable();
    void liveUpdatesReloadChangedViews();
    void liveUpdatesStartOverFromARefusedCursor();
    void eventsFilterByDateRange();
    void columnsFitTheFirstPage();

private:
    void startWindow(bool liveUpdates = false);
    QTableView *selectRowIn(const QString &viewName, const QString &pageName);
    QAction *action(const QString &name) const { return m_window->findChild<QAction *>(name); }
    int requestCount(const QByteArray &method, const QString &path) const
    {
        return static_cast<int>(m_fake->requestsTo(method, path).size());
    }

    std::unique_ptr<FakeAdminApi> m_fake;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<ApiClient> m_client;
    std::unique_ptr<MainWindow> m_window;
};

void TestMainWindow::initTestCase()
{
    QNetworkProxyFactory::setUseSystemConfiguration(false);
}

void TestMainWindow::init()
{
    m_fake = std::make_unique<FakeAdminApi>();
    QVERIFY(m_fake->listen());
    const QString prefix = u"/admin/v1"_s;
    m_fake->setResponse(
        "GET", prefix + u"/summary"_s, 200,
        {{u"mode"_s, u"test"_s},
         {u"active_subscriptions"_s, 42},
         {u"mrr"_s, QJsonArray{QJsonObject{{u"plan"_s, u"pro"_s},
                                           {u"currency"_s, u"eur"_s},
                                           {u"amount"_s, 205800},
                                           {u"subscriptions"_s, 42}}}},
         {u"trials_ending_soon"_s, 3},
         {u"past_due"_s, QJsonObject{{u"count"_s, 2},
                                     {u"amounts"_s, QJsonArray{QJsonObject{{u"currency"_s, u"eur"_s},
                                                                           {u"amount"_s, 9800}}}}}},
         {u"failed_deliveries_24h"_s, 1},
         {u"payments_by_day"_s, QJsonArray{QJsonObject{{u"day"_s, u"2024-05-01"_s},
                                                       {u"currency"_s, u"eur"_s},
                                                       {u"amount"_s, 4900},
                                                       {u"count"_s, 1}},
                                           QJsonObject{{u"day"_s, u"2024-05-02"_s},
                                                       {u"currency"_s, u"eur"_s},
                                                       {u"amount"_s, 9800},
                                                       {u"count"_s, 2}}}}});
    m_fake->setResponse("GET", prefix + u"/events"_s, 200,
                        FakeAdminApi::page({{{u"id"_s, u"evt_1"_s},
                                             {u"type"_s, u"invoice.payment_failed"_s},
                                             {u"status"_s, u"failed"_s},
                                             {u"received_at"_s, 1714550000}}}));
    m_fake->setResponse("GET", prefix + u"/events/evt_1"_s, 200,
                        {{u"id"_s, u"evt_1"_s}, {u"payload"_s, QJsonObject{{u"object"_s, u"event"_s}}}});
    m_fake->setResponse("POST", prefix + u"/events/evt_1/replay"_s, 200,
                        {{u"event"_s, u"evt_1"_s}, {u"outcome"_s, u"processed"_s}, {u"message"_s, u"ok"_s}});
    m_fake->setResponse("GET", prefix + u"/subscriptions"_s, 200,
                        FakeAdminApi::page({{{u"id"_s, u"sub_1"_s},
                                             {u"tenant_id"_s, u"acme"_s},
                                             {u"customer_id"_s, u"cus_1"_s},
                                             {u"plan"_s, u"pro"_s},
                                             {u"status"_s, u"active"_s},
                                             {u"currency"_s, u"eur"_s},
                                             {u"unit_amount"_s, 4900},
                                             {u"interval"_s, u"month"_s}},
                                            {{u"id"_s, u"sub_2"_s},
                                             {u"tenant_id"_s, u"globex"_s},
                                             {u"customer_id"_s, u"cus_2"_s},
                                             {u"plan"_s, u"basic"_s},
                                             {u"status"_s, u"canceled"_s},
                                             {u"currency"_s, u"usd"_s},
                                             {u"unit_amount"_s, 1900}}}));
    m_fake->setResponse(
        "POST", prefix + u"/subscriptions/sub_1/cancel"_s, 200,
        {{u"id"_s, u"sub_1"_s}, {u"status"_s, u"active"_s}, {u"cancel_at_period_end"_s, true}});
    m_fake->setResponse("POST", prefix + u"/portal"_s, 200,
                        {{u"url"_s, u"https://billing.stripe.com/p/session_1"_s}});
    m_fake->setResponse("GET", prefix + u"/licenses"_s, 200,
                        FakeAdminApi::page({{{u"id"_s, 7},
                                             {u"tenant_id"_s, u"acme"_s},
                                             {u"plan"_s, u"pro"_s},
                                             {u"status"_s, u"active"_s},
                                             {u"license_key"_s, u"AOS-LIC-KEY-123"_s}}}));
    m_fake->setResponse("GET", prefix + u"/invoices"_s, 200,
                        FakeAdminApi::page({{{u"id"_s, u"in_1"_s},
                                             {u"tenant_id"_s, u"acme"_s},
                                             {u"customer_id"_s, u"cus_1"_s},
                                             {u"status"_s, u"open"_s},
                                             {u"currency"_s, u"eur"_s},
                                             {u"amount_due"_s, 4900}}}));
    m_fake->setResponse("GET", prefix + u"/dunning"_s, 200,
                        FakeAdminApi::page({{{u"id"_s, 11},
                                             {u"kind"_s, u"payment_failed"_s},
                                             {u"tenant_id"_s, u"acme"_s},
                                             {u"status"_s, u"failed"_s}}}));
    m_fake->setResponse("POST", prefix + u"/dunning/11/resend"_s, 200,
                        {{u"id"_s, 11}, {u"status"_s, u"pending"_s}});
    m_fake->setResponse("GET", prefix + u"/deliveries"_s, 200, FakeAdminApi::page({}));
    m_fake->setResponse("GET", prefix + u"/audit"_s, 200, FakeAdminApi::page({}));
    m_fake->setResponse("GET", prefix + u"/reconcile/runs"_s, 200, FakeAdminApi::page({}));
    m_fake->setResponse("GET", prefix + u"/reconcile/divergences"_s, 200, FakeAdminApi::page({}));

    m_network = std::make_unique<QNetworkAccessManager>();
    m_client = std::make_unique<ApiClient>(m_network.get());
    m_client->setServiceUrl(m_fake->url());
    m_client->setToken(u"tok_alice"_s);
    m_window = std::make_unique<MainWindow>(m_client.get());
}

void TestMainWindow::cleanup()
{
    m_window.reset();
    m_client.reset();
    m_network.reset();
    m_fake.reset();
}

void TestMainWindow::startWindow(bool liveUpdates)
{
    m_window->setLiveUpdatesEnabled(liveUpdates);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->start();
}

QTableView *TestMainWindow::selectRowIn(const QString &viewName, const QString &pageName)
{
    auto *tabs = m_window->findChild<QTabWidget *>(u"views"_s);
    tabs->setCurrentWidget(m_window->findChild<QWidget *>(pageName));
    auto *view = m_window->findChild<QTableView *>(viewName);
    if (!view)
        return nullptr;
    if (!QTest::qWaitFor([view] { return view->model()->rowCount() > 0; }))
        return nullptr;
    view->selectRow(0);
    return view;
}

void TestMainWindow::hasTheViews()
{
    auto *tabs = m_window->findChild<QTabWidget *>(u"views"_s);
    QVERIFY(tabs);
    QCOMPARE(tabs->count(), 8);
    QStringList titles;
    for (int i = 0; i < tabs->count(); ++i)
        titles << tabs->tabText(i).remove(u'&');
    QCOMPARE(titles, (QStringList{u"Overview"_s, u"Events"_s, u"Subscriptions"_s, u"Licences"_s,
                                  u"Invoices  Dunning"_s, u"Deliveries"_s, u"Audit"_s, u"Reconciliation"_s}));
    for (const QString &name : {u"eventsView"_s, u"subscriptionsView"_s, u"licensesView"_s, u"invoicesView"_s,
                                u"dunningView"_s, u"deliveriesView"_s, u"auditView"_s, u"divergencesView"_s})
        QVERIFY2(m_window->findChild<QTableView *>(name), qPrintable(name));
    QVERIFY(!m_window->findChild<ErrorBanner *>(u"errorBanner"_s)->isVisible());
}

void TestMainWindow::modeBadgeFollowsSession_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("badge");
    QTest::newRow("test") << u"test"_s << u"TEST"_s;
    QTest::newRow("live") << u"live"_s << u"LIVE"_s;
}

void TestMainWindow::modeBadgeFollowsSession()
{
    QFETCH(QString, mode);
    QFETCH(QString, badge);
    m_fake->setResponse("GET", u"/admin/v1/session"_s, 200,
                        {{u"staff"_s, u"bob"_s}, {u"mode"_s, mode}, {u"version"_s, u"0.1.0"_s}});
    m_fake->setResponse("GET", u"/admin/v1/summary"_s, 200, {{u"mode"_s, mode}});
    auto *label = m_window->findChild<QLabel *>(u"modeBadge"_s);
    QVERIFY(label);
    QVERIFY(label->text() != badge);
    startWindow();
    QTRY_COMPARE(label->text(), badge);
    QVERIFY(label->isVisible());
    QTRY_COMPARE(m_window->findChild<QLabel *>(u"staffLabel"_s)->text(), u"Signed in as bob"_s);
    QCOMPARE(m_fake->requestsTo("GET", u"/admin/v1/session"_s).at(0).authorization,
             QByteArray("Bearer tok_alice"));
}

void TestMainWindow::overviewShowsSummary()
{
    startWindow();
    QTRY_COMPARE(m_window->findChild<QLabel *>(u"activeSubscriptionsValue"_s)->text(), u"42"_s);
    QCOMPARE(m_window->findChild<QLabel *>(u"mrrValue"_s)->text(), u"2058.00 EUR"_s);
    QCOMPARE(m_window->findChild<QLabel *>(u"trialsEndingValue"_s)->text(), u"3"_s);
    QVERIFY(m_window->findChild<QLabel *>(u"pastDueValue"_s)->text().contains(u"98.00 EUR"_s));
    QCOMPARE(m_window->findChild<QChartView *>(u"mrrChart"_s)->chart()->series().size(), 1);
    QCOMPARE(m_window->findChild<QChartView *>(u"paymentsChart"_s)->chart()->series().size(), 1);
}

void TestMainWindow::cancelSubscriptionAtPeriodEndByDefault()
{
    startWindow();
    QVERIFY(selectRowIn(u"subscriptionsView"_s, u"subscriptionsPage"_s));
    QAction *cancel = action(u"cancelSubscriptionAction"_s);
    QVERIFY(cancel->isEnabled());
    const int listsBefore = requestCount("GET", u"/admin/v1/subscriptions"_s);
    cancel->trigger();
    CancelSubscriptionDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<CancelSubscriptionDialog *>()));
    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    dialog->findChild<QCheckBox *>(u"confirmCancelCheck"_s)->click();
    ok->click();
    QTRY_COMPARE(requestCount("POST", u"/admin/v1/subscriptions/sub_1/cancel"_s), 1);
    const QJsonObject body =
        m_fake->requestsTo("POST", u"/admin/v1/subscriptions/sub_1/cancel"_s).at(0).json();
    QCOMPARE(body.value("at_period_end"_L1), QJsonValue(true));
    QTRY_VERIFY(requestCount("GET", u"/admin/v1/subscriptions"_s) > listsBefore); // reloaded after success
}

void TestMainWindow::cancelSubscriptionNow()
{
    startWindow();
    QVERIFY(selectRowIn(u"subscriptionsView"_s, u"subscriptionsPage"_s));
    action(u"cancelSubscriptionAction"_s)->trigger();
    CancelSubscriptionDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<CancelSubscriptionDialog *>()));
    dialog->findChild<QRadioButton *>(u"cancelNowRadio"_s)->click();
    dialog->findChild<QCheckBox *>(u"confirmCancelCheck"_s)->click();
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    QTRY_COMPARE(requestCount("POST", u"/admin/v1/subscriptions/sub_1/cancel"_s), 1);
    QCOMPARE(m_fake->requestsTo("POST", u"/admin/v1/subscriptions/sub_1/cancel"_s)
                 .at(0)
                 .json()
                 .value("at_period_end"_L1),
             QJsonValue(false));
}

void TestMainWindow::portalLinkForSelectedCustomer()
{
    startWindow();
    QVERIFY(selectRowIn(u"subscriptionsView"_s, u"subscriptionsPage"_s));
    QAction *portal = action(u"portalLinkAction"_s);
    QVERIFY(portal->isEnabled());
    portal->trigger();
    QTRY_COMPARE(requestCount("POST", u"/admin/v1/portal"_s), 1);
    QCOMPARE(m_fake->requestsTo("POST", u"/admin/v1/portal"_s).at(0).json(),
             (QJsonObject{{u"customer_id"_s, u"cus_1"_s}}));
    PortalLinkDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<PortalLinkDialog *>()));
    auto *edit = dialog->findChild<QLineEdit *>(u"portalUrlEdit"_s);
    QCOMPARE(edit->text(), u"https://billing.stripe.com/p/session_1"_s);
    QVERIFY(edit->isReadOnly());
    dialog->findChild<QPushButton *>(u"copyPortalUrlButton"_s)->click();
    QCOMPARE(QGuiApplication::clipboard()->text(), u"https://billing.stripe.com/p/session_1"_s);

    // Licences have a tenant but no customer: the link is asked for by tenant.
    dialog->close();
    QVERIFY(selectRowIn(u"licensesView"_s, u"licensesPage"_s));
    portal->trigger();
    QTRY_COMPARE(requestCount("POST", u"/admin/v1/portal"_s), 2);
    QCOMPARE(m_fake->requestsTo("POST", u"/admin/v1/portal"_s).at(1).json(),
             (QJsonObject{{u"tenant_id"_s, u"acme"_s}}));
}

void TestMainWindow::replayEventAfterConfirmation()
{
    startWindow();
    QVERIFY(selectRowIn(u"eventsView"_s, u"eventsPage"_s));
    // The detail pane fetches the full event with its payload.
    QTRY_COMPARE(requestCount("GET", u"/admin/v1/events/evt_1"_s), 1);
    auto *detail = m_window->findChild<QWidget *>(u"eventsDetail"_s);
    QTRY_VERIFY(detail->property("plainText").toString().contains(u"\"payload\""_s));

    action(u"replayEventAction"_s)->trigger();
    QMessageBox *confirm = nullptr;
    QTRY_VERIFY((confirm = m_window->findChild<QMessageBox *>(u"replayConfirm"_s)));
    QCOMPARE(requestCount("POST", u"/admin/v1/events/evt_1/replay"_s), 0); // nothing before confirming
    confirm->button(QMessageBox::Yes)->click();
    QTRY_COMPARE(requestCount("POST", u"/admin/v1/events/evt_1/replay"_s), 1);
    QCOMPARE(m_fake->requestsTo("POST", u"/admin/v1/events/evt_1/replay"_s).at(0).json(), QJsonObject());
    QMessageBox *outcome = nullptr;
    QTRY_VERIFY((outcome = m_window->findChild<QMessageBox *>(u"replayOutcome"_s)));
    QVERIFY(outcome->text().contains(u"processed"_s));
}

void TestMainWindow::copyLicenseKeyToClipboard()
{
    QGuiApplication::clipboard()->clear();
    startWindow();
    QVERIFY(selectRowIn(u"licensesView"_s, u"licensesPage"_s));
    QAction *copy = action(u"copyLicenseKeyAction"_s);
    QVERIFY(copy->isEnabled());
    copy->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text(), u"AOS-LIC-KEY-123"_s);
}

void TestMainWindow::resendDunningNotice()
{
    startWindow();
    QVERIFY(selectRowIn(u"dunningView"_s, u"invoicesAndDunningPage"_s));
    QAction *resend = action(u"resendDunningAction"_s);
    QVERIFY(resend->isEnabled());
    const int before = requestCount("GET", u"/admin/v1/dunning"_s);
    resend->trigger();
    QTRY_COMPARE(requestCount("POST", u"/admin/v1/dunning/11/resend"_s), 1);
    QTRY_VERIFY(requestCount("GET", u"/admin/v1/dunning"_s) > before);
}

void TestMainWindow::actionsNeedASelection()
{
    startWindow();
    auto *tabs = m_window->findChild<QTabWidget *>(u"views"_s);
    tabs->setCurrentWidget(m_window->findChild<QWidget *>(u"subscriptionsPage"_s));
    QVERIFY(!action(u"cancelSubscriptionAction"_s)->isEnabled());
    QVERIFY(!action(u"portalLinkAction"_s)->isEnabled());
    QVERIFY(!action(u"replayEventAction"_s)->isEnabled());
    // A cancelled subscription cannot be cancelled again.
    auto *view = m_window->findChild<QTableView *>(u"subscriptionsView"_s);
    QTRY_COMPARE(view->model()->rowCount(), 2);
    view->selectRow(1);
    QVERIFY(!action(u"cancelSubscriptionAction"_s)->isEnabled());
    view->selectRow(0);
    QVERIFY(action(u"cancelSubscriptionAction"_s)->isEnabled());
    // ...and only from its own tab.
    tabs->setCurrentWidget(m_window->findChild<QWidget *>(u"eventsPage"_s));
    QVERIFY(!action(u"cancelSubscriptionAction"_s)->isEnabled());
}

void TestMainWindow::errorBannerShowsServiceMessageUntilSuccess()
{
    m_fake->setResponse("GET", u"/admin/v1/summary"_s, 502,
                        FakeAdminApi::error(u"Stripe did not answer in time."_s));
    startWindow();
    auto *banner = m_window->findChild<ErrorBanner *>(u"errorBanner"_s);
    QTRY_VERIFY(banner->isVisible());
    QCOMPARE(banner->message(), u"Stripe did not answer in time."_s);
    QCOMPARE(banner->findChild<QLabel *>(u"errorBannerText"_s)->text(), u"Stripe did not answer in time."_s);

    m_fake->setResponse("GET", u"/admin/v1/summary"_s, 200, {{u"mode"_s, u"test"_s}});
    action(u"refreshAction"_s)->trigger();
    QTRY_VERIFY(!banner->isVisible());

    // Dismiss hides it at once.
    m_fake->setResponse("POST", u"/admin/v1/subscriptions/sub_1/cancel"_s, 502,
                        FakeAdminApi::error(u"Stripe refused the cancellation."_s));
    QVERIFY(selectRowIn(u"subscriptionsView"_s, u"subscriptionsPage"_s));
    action(u"cancelSubscriptionAction"_s)->trigger();
    CancelSubscriptionDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<CancelSubscriptionDialog *>()));
    dialog->findChild<QCheckBox *>(u"confirmCancelCheck"_s)->click();
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    QTRY_VERIFY(banner->isVisible());
    QCOMPARE(banner->message(), u"Stripe refused the cancellation."_s);
    // Reads succeeding afterwards (a refresh, live updates) do not hide a failed action.
    QSignalSpy succeeded(m_client.get(), &ApiClient::requestSucceeded);
    action(u"refreshAction"_s)->trigger();
    QTRY_VERIFY(succeeded.count() >= 3);
    QVERIFY(banner->isVisible());
    QCOMPARE(banner->message(), u"Stripe refused the cancellation."_s);
    banner->findChild<QToolButton *>(u"errorBannerDismiss"_s)->click();
    QVERIFY(!banner->isVisible());
}

void TestMainWindow::errorBannerWhenServiceUnreachable()
{
    m_client->setServiceUrl(FakeAdminApi::unreachableUrl());
    startWindow();
    auto *banner = m_window->findChild<ErrorBanner *>(u"errorBanner"_s);
    QTRY_VERIFY(banner->isVisible());
    QVERIFY2(banner->message().contains(u"unreachable"_s), qPrintable(banner->message()));
    QCOMPARE(m_window->findChild<QLabel *>(u"modeBadge"_s)->text(), u"?"_s);

    m_client->setServiceUrl(m_fake->url());
    m_window->start();
    QTRY_VERIFY(!banner->isVisible());
    QTRY_COMPARE(m_window->findChild<QLabel *>(u"modeBadge"_s)->text(), u"TEST"_s);
}

void TestMainWindow::liveUpdatesReloadChangedViews()
{
    startWindow(true);
    QTRY_COMPARE(m_fake->heldChanges(), 1);
    QCOMPARE(m_fake->requestsTo("GET", u"/admin/v1/changes"_s).constLast().query.queryItemValue(u"wait"_s),
             u"25"_s);
    auto *view = selectRowIn(u"subscriptionsView"_s, u"subscriptionsPage"_s);
    QVERIFY(view);
    view->selectRow(1);
    const int subscriptionsBefore = requestCount("GET", u"/admin/v1/subscriptions"_s);
    const int licensesBefore = requestCount("GET", u"/admin/v1/licenses"_s);
    QSignalSpy reloaded(view->model(), &QAbstractItemModel::modelReset);

    m_fake->answerChanges({u"subscriptions"_s});
    QTRY_COMPARE(requestCount("GET", u"/admin/v1/subscriptions"_s), subscriptionsBefore + 1);
    QTRY_COMPARE(m_fake->heldChanges(), 1); // polling again with the new cursor
    QCOMPARE(m_fake->requestsTo("GET", u"/admin/v1/changes"_s).constLast().query.queryItemValue(u"cursor"_s),
             u"c1"_s);
    QCOMPARE(requestCount("GET", u"/admin/v1/licenses"_s), licensesBefore);
    // The selection survives the reload (checked once the new page has replaced the old).
    QTRY_COMPARE(reloaded.count(), 1);
    QCOMPARE(view->selectionModel()->selectedRows().value(0).row(), 1);
}

// After an upgrade the service no longer knows the cursor a running dashboard
// holds: it answers 400, and the dashboard asks for a current cursor instead
// of repeating the refused one forever.
void TestMainWindow::liveUpdatesStartOverFromARefusedCursor()
{
    m_fake->refuseChangeCursorOnce(u"c0"_s);
    m_window->changeWatcher()->setBackoffLimitsMs(10, 10);
    startWindow(true);
    QTRY_COMPARE(m_fake->heldChanges(), 1);
    const QList<FakeRequest> polls = m_fake->requestsTo("GET", u"/admin/v1/changes"_s);
    QVERIFY(polls.size() >= 4);
    QCOMPARE(polls[0].query.hasQueryItem(u"cursor"_s), false);
    QCOMPARE(polls[1].query.queryItemValue(u"cursor"_s), u"c0"_s); // refused
    QCOMPARE(polls[2].query.hasQueryItem(u"cursor"_s), false);     // starts over
    QCOMPARE(polls[3].query.queryItemValue(u"cursor"_s), u"c0"_s); // held
}

// Dates typed as YYYY-MM-DD go to the service as Unix seconds: "from" the
// day's start, "to" the next day's start; something that is not a date is
// not sent at all.
void TestMainWindow::columnsFitTheFirstPage()
{
    const QString longType = u"customer.subscription.trial_will_end"_s;
    m_fake->setResponse("GET", u"/admin/v1/events"_s, 200,
                        FakeAdminApi::page({{{u"id"_s, u"evt_1"_s}, {u"type"_s, longType}}}));
    startWindow();
    QTableView *view = selectRowIn(u"eventsView"_s, u"eventsPage"_s);
    QVERIFY(view);
    int typeColumn = -1;
    for (int column = 0; column < view->model()->columnCount(); ++column) {
        if (view->model()->index(0, column).data().toString() == longType)
            typeColumn = column;
    }
    QVERIFY(typeColumn >= 0);
    const QFontMetrics metrics = view->fontMetrics();
    // Wide enough for the whole type, which the default width cuts.
    QVERIFY(metrics.horizontalAdvance(longType) > view->horizontalHeader()->defaultSectionSize());
    QVERIFY2(view->columnWidth(typeColumn) >= metrics.horizontalAdvance(longType),
             qPrintable(QString::number(view->columnWidth(typeColumn))));
}

void TestMainWindow::eventsFilterByDateRange()
{
    startWindow();
    QVERIFY(m_window->showView(u"events"_s));
    QTRY_VERIFY(requestCount("GET", u"/admin/v1/events"_s) >= 1);
    auto *from = m_window->findChild<QLineEdit *>(u"eventsFilter_from"_s);
    auto *to = m_window->findChild<QLineEdit *>(u"eventsFilter_to"_s);
    QVERIFY(from && to);

    const int before = requestCount("GET", u"/admin/v1/events"_s);
    QTest::keyClicks(from, u"2026-11-01"_s);
    QTest::keyClick(from, Qt::Key_Return);
    QTRY_COMPARE(requestCount("GET", u"/admin/v1/events"_s), before + 1);
    const auto fromQuery = m_fake->requestsTo("GET", u"/admin/v1/events"_s).constLast().query;
    QCOMPARE(fromQuery.queryItemValue(u"from"_s),
             QString::number(QDateTime(QDate(2026, 11, 1), QTime(0, 0), Qt::UTC).toSecsSinceEpoch()));

    QTest::keyClicks(to, u"2026-11-02"_s);
    QTest::keyClick(to, Qt::Key_Return);
    QTRY_COMPARE(requestCount("GET", u"/admin/v1/events"_s), before + 2);
    QCOMPARE(m_fake->requestsTo("GET", u"/admin/v1/events"_s).constLast().query.queryItemValue(u"to"_s),
             QString::number(QDateTime(QDate(2026, 11, 3), QTime(0, 0), Qt::UTC).toSecsSinceEpoch()));

    from->clear();
    QTest::keyClicks(from, u"yesterday"_s);
    QTest::keyClick(from, Qt::Key_Return);
    QTRY_COMPARE(requestCount("GET", u"/admin/v1/events"_s), before + 3);
    QVERIFY(!m_fake->requestsTo("GET", u"/admin/v1/events"_s).constLast().query.hasQueryItem(u"from"_s));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
