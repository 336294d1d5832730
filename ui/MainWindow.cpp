#include "MainWindow.h"

#include "ApiClient.h"
#include "ApiListModel.h"
#include "ApiReply.h"
#include "CancelSubscriptionDialog.h"
#include "ChangeWatcher.h"
#include "ErrorBanner.h"
#include "ListPage.h"
#include "OverviewPage.h"
#include "PortalLinkDialog.h"
#include "ReconcilePage.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace billing::ui {

namespace {

using Kind = ApiColumn::Kind;

QString percent(const QString &id)
{
    return QString::fromUtf8(QUrl::toPercentEncoding(id));
}

QString describeRow(const QJsonObject &row)
{
    const QString tenant = row.value("tenant_id"_L1).toString();
    const QString customer = row.value("customer_id"_L1).toString();
    if (!tenant.isEmpty() && !customer.isEmpty())
        return tenant + u" (" + customer + u')';
    return tenant.isEmpty() ? customer : tenant;
}

} // namespace

MainWindow::MainWindow(ApiClient *client, QWidget *parent)
    : QMainWindow(parent)
    , m_client(client)
    , m_watcher(new ChangeWatcher(client, this))
    , m_banner(new ErrorBanner(this))
    , m_tabs(new QTabWidget(this))
    , m_modeBadge(new QLabel(this))
    , m_staffLabel(new QLabel(this))
    , m_overview(new OverviewPage(client, this))
{
    setWindowTitle(tr("Agency OS Billing"));
    setObjectName(u"mainWindow"_s);
    resize(1200, 760);

    m_tabs->setObjectName(u"views"_s);
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_overview, tr("&Overview"));

    const QStringList eventStatuses{u"processed"_s, u"failed"_s, u"ignored"_s, u"received"_s};
    auto *events = new ApiListModel(client, u"/events"_s,
                                    {{u"id"_s, tr("Event"), Kind::Text, {}, {}},
                                     {u"type"_s, tr("Type"), Kind::Text, {}, {}},
                                     {u"status"_s, tr("Status"), Kind::Status, {}, {}},
                                     {u"object_id"_s, tr("Object"), Kind::Text, {}, {}},
                                     {u"received_at"_s, tr("Received"), Kind::Time, u"received_at"_s, {}},
                                     {u"created"_s, tr("Created"), Kind::Time, u"created"_s, {}},
                                     {u"processed_at"_s, tr("Processed"), Kind::Time, {}, {}},
                                     {u"attempts"_s, tr("Attempts"), Kind::Text, {}, {}},
                                     {u"error"_s, tr("Error"), Kind::Text, {}, {}},
                                     {u"warning"_s, tr("Warning"), Kind::Text, {}, {}},
                                     {u"source"_s, tr("Source"), Kind::Text, {}, {}},
                                     {u"livemode"_s, tr("Live"), Kind::Bool, {}, {}}},
                                    this);
    events->setSortParameter(u"-received_at"_s);
    m_events = addListPage(new ListPage(client, events,
                                        {{u"q"_s, tr("Search:"), {}, {}, tr("evt_… or object id")},
                                         {u"type"_s, tr("Type:"), {}, {}, tr("e.g. invoice.paid")},
                                         {u"status"_s, tr("Status:"), eventStatuses, {}, {}},
                                         {u"from"_s, tr("From:"), {}, {}, tr("YYYY-MM-DD"), true, false},
                                         {u"to"_s, tr("To:"), {}, {}, tr("YYYY-MM-DD"), true, true}},
                                        u"events"_s, this),
                           tr("&Events"));
    m_events->setDetailPath(u"/events/"_s);

    const QStringList subscriptionStatuses{
        u"trialing"_s, u"active"_s,     u"past_due"_s,           u"unpaid"_s,
        u"canceled"_s, u"incomplete"_s, u"incomplete_expired"_s, u"paused"_s};
    auto *subscriptions = new ApiListModel(
        client, u"/subscriptions"_s,
        {{u"id"_s, tr("Subscription"), Kind::Text, {}, {}},
         {u"tenant_id"_s, tr("Tenant"), Kind::Text, u"tenant_id"_s, {}},
         {u"customer_id"_s, tr("Customer"), Kind::Text, {}, {}},
         {u"plan"_s, tr("Plan"), Kind::Text, {}, {}},
         {u"status"_s, tr("Status"), Kind::Status, {}, {}},
         {u"unit_amount"_s, tr("Amount"), Kind::Amount, {}, u"currency"_s},
         {u"interval"_s, tr("Interval"), Kind::Text, {}, {}},
         {u"current_period_end"_s, tr("Period ends"), Kind::Time, u"current_period_end"_s, {}},
         {u"cancel_at_period_end"_s, tr("Cancels at end"), Kind::Bool, {}, {}},
         {u"trial_end"_s, tr("Trial ends"), Kind::Time, {}, {}},
         {u"canceled_at"_s, tr("Canceled"), Kind::Time, {}, {}},
         {u"updated_at"_s, tr("Updated"), Kind::Time, u"updated_at"_s, {}},
         {u"livemode"_s, tr("Live"), Kind::Bool, {}, {}}},
        this);
    subscriptions->setSortParameter(u"-updated_at"_s);
    m_subscriptions = addListPage(new ListPage(client, subscriptions,
                                               {{u"tenant"_s, tr("Tenant:"), {}, {}, tr("tenant id")},
                                                {u"customer"_s, tr("Customer:"), {}, {}, tr("cus_…")},
                                                {u"plan"_s, tr("Plan:"), {}, {}, tr("plan")},
                                                {u"status"_s, tr("Status:"), subscriptionStatuses, {}, {}}},
                                               u"subscriptions"_s, this),
                                  tr("&Subscriptions"));

    auto *licenses =
        new ApiListModel(client, u"/licenses"_s,
                         {{u"id"_s, tr("#"), Kind::Text, {}, {}},
                          {u"tenant_id"_s, tr("Tenant"), Kind::Text, {}, {}},
                          {u"plan"_s, tr("Plan"), Kind::Text, {}, {}},
                          {u"status"_s, tr("Status"), Kind::Status, {}, {}},
                          {u"valid_until"_s, tr("Valid until"), Kind::Time, u"valid_until"_s, {}},
                          {u"issued_at"_s, tr("Issued"), Kind::Time, u"issued_at"_s, {}},
                          {u"subscription_id"_s, tr("Subscription"), Kind::Text, {}, {}},
                          {u"updated_at"_s, tr("Updated"), Kind::Time, {}, {}},
                          {u"license_key"_s, tr("Licence key"), Kind::Text, {}, {}}},
                         this);
    licenses->setSortParameter(u"-issued_at"_s);
    m_licenses = addListPage(
        new ListPage(
            client, licenses,
            {{u"tenant"_s, tr("Tenant:"), {}, {}, tr("tenant id")},
             {u"status"_s, tr("Status:"), {u"active"_s, u"grace"_s, u"suspended"_s, u"revoked"_s}, {}, {}}},
            u"licenses"_s, this),
        tr("&Licences"));

    auto *invoices =
        new ApiListModel(client, u"/invoices"_s,
                         {{u"number"_s, tr("Number"), Kind::Text, {}, {}},
                          {u"id"_s, tr("Invoice"), Kind::Text, {}, {}},
                          {u"tenant_id"_s, tr("Tenant"), Kind::Text, {}, {}},
                          {u"customer_id"_s, tr("Customer"), Kind::Text, {}, {}},
                          {u"status"_s, tr("Status"), Kind::Status, {}, {}},
                          {u"amount_due"_s, tr("Due"), Kind::Amount, u"amount_due"_s, u"currency"_s},
                          {u"amount_paid"_s, tr("Paid"), Kind::Amount, {}, u"currency"_s},
                          {u"amount_remaining"_s, tr("Remaining"), Kind::Amount, {}, u"currency"_s},
                          {u"attempt_count"_s, tr("Attempts"), Kind::Text, {}, {}},
                          {u"next_payment_attempt"_s, tr("Next attempt"), Kind::Time, {}, {}},
                          {u"created"_s, tr("Created"), Kind::Time, u"created"_s, {}},
                          {u"paid_at"_s, tr("Paid at"), Kind::Time, {}, {}},
                          {u"hosted_invoice_url"_s, tr("Invoice page"), Kind::Text, {}, {}}},
                         this);
    invoices->setSortParameter(u"-created"_s);
    m_invoices = new ListPage(client, invoices,
                              {{u"tenant"_s, tr("Tenant:"), {}, {}, tr("tenant id")},
                               {u"status"_s,
                                tr("Status:"),
                                {u"draft"_s, u"open"_s, u"paid"_s, u"uncollectible"_s, u"void"_s},
                                {},
                                {}},
                               {u"problem"_s, tr("Show:"), {u"1"_s}, {tr("Failed or past due only")}, {}}},
                              u"invoices"_s, this);

    auto *dunning = new ApiListModel(client, u"/dunning"_s,
                                     {{u"id"_s, tr("#"), Kind::Text, {}, {}},
                                      {u"kind"_s, tr("Notice"), Kind::Text, {}, {}},
                                      {u"tenant_id"_s, tr("Tenant"), Kind::Text, {}, {}},
                                      {u"invoice_id"_s, tr("Invoice"), Kind::Text, {}, {}},
                                      {u"recipient_email"_s, tr("Recipient"), Kind::Text, {}, {}},
                                      {u"status"_s, tr("Status"), Kind::Status, {}, {}},
                                      {u"attempts"_s, tr("Attempts"), Kind::Text, {}, {}},
                                      {u"last_error"_s, tr("Last error"), Kind::Text, {}, {}},
                                      {u"next_attempt_at"_s, tr("Next attempt"), Kind::Time, {}, {}},
                                      {u"created_at"_s, tr("Created"), Kind::Time, u"created_at"_s, {}},
                                      {u"sent_at"_s, tr("Sent"), Kind::Time, {}, {}}},
                                     this);
    dunning->setSortParameter(u"-created_at"_s);
    m_dunning =
        new ListPage(client, dunning,
                     {{u"status"_s, tr("Notice status:"), {u"pending"_s, u"sent"_s, u"failed"_s}, {}, {}}},
                     u"dunning"_s, this);
    auto *invoicesSplitter = new QSplitter(Qt::Vertical, this);
    invoicesSplitter->setObjectName(u"invoicesAndDunningPage"_s);
    invoicesSplitter->addWidget(m_invoices);
    invoicesSplitter->addWidget(m_dunning);
    m_invoicesTab = invoicesSplitter;
    m_tabs->addTab(invoicesSplitter, tr("&Invoices && Dunning"));
    connect(m_invoices, &ListPage::selectionChanged, this, &MainWindow::updateActions);
    connect(m_dunning, &ListPage::selectionChanged, this, &MainWindow::updateActions);

    auto *deliveries = new ApiListModel(client, u"/deliveries"_s,
                                        {{u"id"_s, tr("#"), Kind::Text, {}, {}},
                                         {u"received_at"_s, tr("Last"), Kind::Time, u"received_at"_s, {}},
                                         {u"count"_s, tr("Times"), Kind::Text, {}, {}},
                                         {u"first_received_at"_s, tr("First"), Kind::Time, {}, {}},
                                         {u"remote_address"_s, tr("From"), Kind::Text, {}, {}},
                                         {u"reason"_s, tr("Refused because"), Kind::Status, {}, {}},
                                         {u"event_id"_s, tr("Event"), Kind::Text, {}, {}},
                                         {u"body_size"_s, tr("Bytes"), Kind::Text, {}, {}}},
                                        this);
    deliveries->setSortParameter(u"-received_at"_s);
    m_deliveries =
        addListPage(new ListPage(client, deliveries, {}, u"deliveries"_s, this), tr("&Deliveries"));

    auto *audit = new ApiListModel(client, u"/audit"_s,
                                   {{u"occurred_at"_s, tr("When"), Kind::Time, u"occurred_at"_s, {}},
                                    {u"actor"_s, tr("Staff"), Kind::Text, {}, {}},
                                    {u"action"_s, tr("Action"), Kind::Text, {}, {}},
                                    {u"target_type"_s, tr("Target"), Kind::Text, {}, {}},
                                    {u"target_id"_s, tr("Target id"), Kind::Text, {}, {}},
                                    {u"outcome"_s, tr("Outcome"), Kind::Text, {}, {}},
                                    {u"details"_s, tr("Details"), Kind::Text, {}, {}}},
                                   this);
    audit->setSortParameter(u"-occurred_at"_s);
    m_audit = addListPage(new ListPage(client, audit,
                                       {{u"actor"_s, tr("Staff:"), {}, {}, tr("name")},
                                        {u"action"_s, tr("Action:"), {}, {}, tr("e.g. subscription.cancel")}},
                                       u"audit"_s, this),
                          tr("&Audit"));

    m_reconcile = new ReconcilePage(client, this);
    m_tabs->addTab(m_reconcile, tr("&Reconciliation"));
    connect(m_reconcile, &ReconcilePage::statusMessage, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    connect(m_reconcile, &ReconcilePage::recordsChanged, this, [this] {
        reloadLists({u"subscriptions"_s, u"licenses"_s, u"invoices"_s, u"audit"_s});
    });

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->addWidget(m_banner);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    m_modeBadge->setObjectName(u"modeBadge"_s);
    m_modeBadge->setAlignment(Qt::AlignCenter);
    m_modeBadge->setMinimumWidth(56);
    m_staffLabel->setObjectName(u"staffLabel"_s);
    setMode(QString());

    createActions();

    connect(m_client, &ApiClient::requestFailed, m_banner, &ErrorBanner::showMessage);
    connect(m_client, &ApiClient::requestSucceeded, m_banner, &ErrorBanner::requestSucceeded);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::updateActions);
    connect(m_watcher, &ChangeWatcher::changed, this, &MainWindow::reloadLists);
    connect(m_overview, &OverviewPage::loaded, this,
            [this](const QJsonObject &summary) { setMode(summary.value("mode"_L1).toString()); });

    statusBar()->showMessage(tr("Not connected"));
    updateActions();
}

bool MainWindow::showView(const QString &name)
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (m_tabs->widget(i)->objectName() == name + u"Page"_s) {
            m_tabs->setCurrentIndex(i);
            return true;
        }
    }
    return false;
}

ListPage *MainWindow::addListPage(ListPage *page, const QString &title)
{
    m_tabs->addTab(page, title);
    connect(page, &ListPage::selectionChanged, this, &MainWindow::updateActions);
    return page;
}

void MainWindow::createActions()
{
    m_refreshAction = new QAction(tr("&Refresh"), this);
    m_refreshAction->setObjectName(u"refreshAction"_s);
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    connect(m_refreshAction, &QAction::triggered, this, &MainWindow::refresh);

    m_portalAction = new QAction(tr("Create &portal link…"), this);
    m_portalAction->setObjectName(u"portalLinkAction"_s);
    m_portalAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    m_portalAction->setToolTip(tr("Make a Stripe customer portal link for the selected customer"));
    connect(m_portalAction, &QAction::triggered, this, &MainWindow::createPortalLink);

    m_cancelAction = new QAction(tr("&Cancel subscription…"), this);
    m_cancelAction->setObjectName(u"cancelSubscriptionAction"_s);
    m_cancelAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Delete));
    connect(m_cancelAction, &QAction::triggered, this, &MainWindow::cancelSubscription);

    m_copyKeyAction = new QAction(tr("Copy licence &key"), this);
    m_copyKeyAction->setObjectName(u"copyLicenseKeyAction"_s);
    m_copyKeyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    connect(m_copyKeyAction, &QAction::triggered, this, &MainWindow::copyLicenseKey);

    m_replayAction = new QAction(tr("Re&play event…"), this);
    m_replayAction->setObjectName(u"replayEventAction"_s);
    m_replayAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    connect(m_replayAction, &QAction::triggered, this, &MainWindow::replayEvent);

    m_resendAction = new QAction(tr("Re&send dunning notice"), this);
    m_resendAction->setObjectName(u"resendDunningAction"_s);
    m_resendAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    connect(m_resendAction, &QAction::triggered, this, &MainWindow::resendDunningNotice);

    m_signInAction = new QAction(tr("&Sign in again…"), this);
    m_signInAction->setObjectName(u"signInAction"_s);
    connect(m_signInAction, &QAction::triggered, this, &MainWindow::signInRequested);

    auto *quitAction = new QAction(tr("&Quit"), this);
    quitAction->setShortcut(QKeySequence::Quit);
    connect(quitAction, &QAction::triggered, this, &QWidget::close);

    QMenu *billingMenu = menuBar()->addMenu(tr("&Billing"));
    billingMenu->addAction(m_refreshAction);
    billingMenu->addSeparator();
    billingMenu->addActions(
        {m_portalAction, m_cancelAction, m_copyKeyAction, m_replayAction, m_resendAction});
    billingMenu->addSeparator();
    billingMenu->addAction(m_signInAction);
    billingMenu->addAction(quitAction);

    QToolBar *toolBar = addToolBar(tr("Actions"));
    toolBar->setObjectName(u"mainToolBar"_s);
    toolBar->setMovable(false);
    toolBar->addAction(m_refreshAction);
    toolBar->addSeparator();
    toolBar->addActions({m_portalAction, m_cancelAction, m_copyKeyAction, m_replayAction, m_resendAction});
    auto *spacer = new QWidget(toolBar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolBar->addWidget(spacer);
    toolBar->addWidget(m_staffLabel);
    toolBar->addWidget(m_modeBadge);

    m_events->view()->addActions({m_replayAction, m_refreshAction});
    m_subscriptions->view()->addActions({m_portalAction, m_cancelAction, m_refreshAction});
    m_licenses->view()->addActions({m_copyKeyAction, m_portalAction, m_refreshAction});
    m_invoices->view()->addActions({m_portalAction, m_refreshAction});
    m_dunning->view()->addActions({m_resendAction, m_refreshAction});
    m_deliveries->view()->addAction(m_refreshAction);
    m_audit->view()->addAction(m_refreshAction);
    m_reconcile->divergences()->view()->addAction(m_refreshAction);
}

void MainWindow::start()
{
    ApiReply *reply = m_client->get(u"/session"_s);
    connect(reply, &ApiReply::finished, this, [this, reply] {
        if (!reply->isOk()) {
            statusBar()->showMessage(tr("Not connected"));
            return;
        }
        const QJsonObject session = reply->json();
        setMode(session.value("mode"_L1).toString());
        m_staffLabel->setText(tr("Signed in as %1").arg(session.value("staff"_L1).toString()));
        statusBar()->showMessage(
            tr("Connected to %1 (service %2)")
                .arg(m_client->serviceUrl().toDisplayString(), session.value("version"_L1).toString()),
            5000);
    });
    refresh();
    if (m_liveUpdates) {
        m_watcher->stop();
        m_watcher->start();
    }
}

void MainWindow::refresh()
{
    reloadLists({u"events"_s, u"subscriptions"_s, u"licenses"_s, u"invoices"_s, u"dunning"_s, u"deliveries"_s,
                 u"audit"_s});
    if (m_reconcile->isVisible()) // else when it is shown
        m_reconcile->reload();
}

void MainWindow::reloadLists(const QStringList &lists)
{
    const QList<std::pair<QString, ListPage *>> pages{
        {u"events"_s, m_events},     {u"subscriptions"_s, m_subscriptions},
        {u"licenses"_s, m_licenses}, {u"invoices"_s, m_invoices},
        {u"dunning"_s, m_dunning},   {u"deliveries"_s, m_deliveries},
        {u"audit"_s, m_audit}};
    bool overview = false;
    for (const auto &[name, page] : pages) {
        if (!lists.contains(name))
            continue;
        page->dataChanged();
        overview = overview || name != "audit"_L1;
    }
    if (overview)
        m_overview->reload();
}

void MainWindow::setMode(const QString &mode)
{
    m_mode = mode;
    QString style =
        u"QLabel { color: white; font-weight: bold; padding: 2px 8px; border-radius: 3px; background: %1; }"_s;
    if (mode == "live"_L1) {
        m_modeBadge->setText(tr("LIVE"));
        m_modeBadge->setToolTip(tr("Live mode: actions move real money."));
        m_modeBadge->setStyleSheet(style.arg(u"#c62828"_s));
    } else if (mode == "test"_L1) {
        m_modeBadge->setText(tr("TEST"));
        m_modeBadge->setToolTip(tr("Test mode: Stripe test data, no real money."));
        m_modeBadge->setStyleSheet(style.arg(u"#ef6c00"_s));
    } else {
        m_modeBadge->setText(tr("?"));
        m_modeBadge->setToolTip(tr("Mode unknown: not connected."));
        m_modeBadge->setStyleSheet(style.arg(u"#757575"_s));
    }
    setWindowTitle(mode.isEmpty() ? tr("Agency OS Billing")
                                  : tr("Agency OS Billing — %1").arg(m_modeBadge->text()));
}

QJsonObject MainWindow::portalTarget() const
{
    QJsonObject row;
    QWidget *current = m_tabs->currentWidget();
    if (current == m_subscriptions)
        row = m_subscriptions->selectedRow();
    else if (current == m_licenses)
        row = m_licenses->selectedRow();
    else if (current == m_invoicesTab)
        row = m_invoices->selectedRow();
    const QString customer = row.value("customer_id"_L1).toString();
    if (!customer.isEmpty())
        return {{u"customer_id"_s, customer}};
    const QString tenant = row.value("tenant_id"_L1).toString();
    if (!tenant.isEmpty())
        return {{u"tenant_id"_s, tenant}};
    return {};
}

void MainWindow::updateActions()
{
    QWidget *current = m_tabs->currentWidget();
    m_portalAction->setEnabled(!portalTarget().isEmpty());
    const QString status = m_subscriptions->selectedRow().value("status"_L1).toString();
    m_cancelAction->setEnabled(current == m_subscriptions && !m_subscriptions->selectedRow().isEmpty() &&
                               status != "canceled"_L1 && status != "incomplete_expired"_L1);
    m_copyKeyAction->setEnabled(current == m_licenses &&
                                !m_licenses->selectedRow().value("license_key"_L1).toString().isEmpty());
    m_replayAction->setEnabled(current == m_events && !m_events->selectedRow().isEmpty());
    m_resendAction->setEnabled(current == m_invoicesTab && !m_dunning->selectedRow().isEmpty());
}

void MainWindow::onActionReply(ApiReply *reply, const QString &successMessage, const QStringList &lists)
{
    connect(reply, &ApiReply::finished, this, [this, reply, successMessage, lists] {
        if (!reply->isOk()) {
            // The banner (through ApiClient::requestFailed) shows the service's message.
            statusBar()->showMessage(tr("Failed: %1").arg(reply->errorMessage()), 10000);
            return;
        }
        statusBar()->showMessage(successMessage, 10000);
        reloadLists(lists);
    });
}

void MainWindow::createPortalLink()
{
    const QJsonObject target = portalTarget();
    if (target.isEmpty())
        return;
    const QString who = target.constBegin().value().toString();
    ApiReply *reply = m_client->post(u"/portal"_s, target);
    connect(reply, &ApiReply::finished, this, [this, reply, who] {
        if (!reply->isOk())
            return;
        const QUrl url(reply->json().value("url"_L1).toString());
        auto *dialog = new PortalLinkDialog(url, who, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
}

void MainWindow::cancelSubscription()
{
    const QJsonObject row = m_subscriptions->selectedRow();
    if (row.isEmpty() || m_tabs->currentWidget() != m_subscriptions)
        return;
    auto *dialog = new CancelSubscriptionDialog(row, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const QString id = dialog->subscriptionId();
        const bool atPeriodEnd = dialog->atPeriodEnd();
        ApiReply *reply = m_client->post(u"/subscriptions/"_s + percent(id) + u"/cancel"_s,
                                         QJsonObject{{u"at_period_end"_s, atPeriodEnd}});
        onActionReply(reply,
                      atPeriodEnd ? tr("Subscription %1 will end at the end of its period.").arg(id)
                                  : tr("Subscription %1 is cancelled.").arg(id),
                      {u"subscriptions"_s, u"licenses"_s, u"audit"_s});
    });
    dialog->open();
}

void MainWindow::copyLicenseKey()
{
    const QString key = m_licenses->selectedRow().value("license_key"_L1).toString();
    if (key.isEmpty())
        return;
    QGuiApplication::clipboard()->setText(key);
    statusBar()->showMessage(tr("Licence key for %1 copied.").arg(describeRow(m_licenses->selectedRow())),
                             5000);
}

void MainWindow::replayEvent()
{
    const QJsonObject row = m_events->selectedRow();
    const QString id = row.value("id"_L1).toString();
    if (id.isEmpty())
        return;
    auto *box =
        new QMessageBox(QMessageBox::Question, tr("Replay event"),
                        tr("Process %1 (%2) again? The service applies it as if Stripe had sent it now.")
                            .arg(id, row.value("type"_L1).toString()),
                        QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(u"replayConfirm"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->button(QMessageBox::Yes)->setText(tr("Replay"));
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, id](QAbstractButton *button) {
        if (box->standardButton(button) != QMessageBox::Yes)
            return;
        ApiReply *reply = m_client->post(u"/events/"_s + percent(id) + u"/replay"_s, QJsonObject());
        connect(reply, &ApiReply::finished, this, [this, reply, id] {
            if (!reply->isOk())
                return;
            const QJsonObject answer = reply->json();
            const QString outcome = answer.value("outcome"_L1).toString();
            auto *result = new QMessageBox(QMessageBox::Information, tr("Replay event"),
                                           tr("%1: %2").arg(id, outcome), QMessageBox::Ok, this);
            result->setObjectName(u"replayOutcome"_s);
            result->setInformativeText(answer.value("message"_L1).toString());
            result->setAttribute(Qt::WA_DeleteOnClose);
            result->open();
            statusBar()->showMessage(tr("Replayed %1: %2").arg(id, outcome), 10000);
            reloadLists({u"events"_s, u"subscriptions"_s, u"invoices"_s, u"licenses"_s, u"audit"_s});
        });
    });
    box->open();
}

void MainWindow::resendDunningNotice()
{
    const QJsonObject row = m_dunning->selectedRow();
    const QJsonValue id = row.value("id"_L1);
    if (id.isUndefined() || id.isNull())
        return;
    const QString idText = id.isDouble() ? QString::number(id.toInteger()) : id.toString();
    ApiReply *reply = m_client->post(u"/dunning/"_s + percent(idText) + u"/resend"_s, QJsonObject());
    onActionReply(reply, tr("Dunning notice %1 queued again.").arg(idText), {u"dunning"_s, u"audit"_s});
}

} // namespace billing::ui
