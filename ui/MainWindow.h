#pragma once

#include <QJsonObject>
#include <QMainWindow>

class QAction;
class QLabel;
class QTabWidget;

namespace billing::ui {

class ApiClient;
class ApiListModel;
class ApiReply;
class ChangeWatcher;
class ErrorBanner;
class ListPage;
class OverviewPage;
class ReconcilePage;

// The dashboard: Overview, Events, Subscriptions, Licences, Invoices & Dunning,
// Deliveries, Audit and Reconciliation over the admin API, with the staff actions on them.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(ApiClient *client, QWidget *parent = nullptr);

    ChangeWatcher *changeWatcher() const { return m_watcher; }
    void setLiveUpdatesEnabled(bool enabled) { m_liveUpdates = enabled; }

    QString mode() const { return m_mode; }
    // Brings a view to the front by name: overview, events, subscriptions,
    // licenses, invoicesAndDunning, deliveries, audit, reconciliation. False for other names.
    bool showView(const QString &name);

public Q_SLOTS:
    // Checks the session and loads every view; call after construction and after signing in again.
    void start();
    void refresh();

Q_SIGNALS:
    void signInRequested();

private:
    void createActions();
    ListPage *addListPage(ListPage *page, const QString &title);
    void setMode(const QString &mode);
    void updateActions();
    void reloadLists(const QStringList &lists);
    void onActionReply(ApiReply *reply, const QString &successMessage, const QStringList &reloadLists);

    void createPortalLink();
    void cancelSubscription();
    void copyLicenseKey();
    void replayEvent();
    void resendDunningNotice();
    QJsonObject portalTarget() const;

    ApiClient *m_client;
    ChangeWatcher *m_watcher;
    ErrorBanner *m_banner;
    QTabWidget *m_tabs;
    QLabel *m_modeBadge;
    QLabel *m_staffLabel;
    OverviewPage *m_overview;
    ListPage *m_events = nullptr;
    ListPage *m_subscriptions = nullptr;
    ListPage *m_licenses = nullptr;
    ListPage *m_invoices = nullptr;
    ListPage *m_dunning = nullptr;
    ListPage *m_deliveries = nullptr;
    ListPage *m_audit = nullptr;
    ReconcilePage *m_reconcile = nullptr;
    QWidget *m_invoicesTab = nullptr;

    QAction *m_refreshAction = nullptr;
    QAction *m_portalAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_copyKeyAction = nullptr;
    QAction *m_replayAction = nullptr;
    QAction *m_resendAction = nullptr;
    QAction *m_signInAction = nullptr;

    QString m_mode;
    bool m_liveUpdates = true;
};

} // namespace billing::ui
