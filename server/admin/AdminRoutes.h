#pragma once

#include "admin/AdminList.h"
#include "billing/RedirectAllowList.h"
#include "common/Clock.h"
#include "config/Settings.h"
#include "http/HttpService.h"

#include <QHash>
#include <QObject>

#include <memory>

namespace billing {
class Database;
class ReaderPool;
class StaffStore;
} // namespace billing

namespace billing::server {

class ChangeFeed;
class ReconcileService;
class EventWorker;
class StripeActions;

// /admin/v1: what the dashboard reads and does, for signed-in staff only.
// Every request carries a staff member's personal token; every action is
// audited under that member's name. Lists are documented in the README.
class AdminRoutes final : public QObject
{
    Q_OBJECT

public:
    struct Dependencies
    {
        Database *database = nullptr;
        StripeActions *stripe = nullptr;
        EventWorker *events = nullptr;
        ReconcileService *reconcile = nullptr; // none without a Stripe key
        StripeMode mode = StripeMode::Unknown;
        // Where the Customer Portal sends a customer back when the dashboard gives no return_url.
        QString portalReturnUrl;
        RedirectAllowList redirects;
        // "Now" for the summary's windows and resent notices' keys.
        const Clock *clock = &Clock::system();
    };

    explicit AdminRoutes(Dependencies dependencies, QObject *parent = nullptr);
    ~AdminRoutes() override;

    void install(HttpService &service);

    static constexpr qsizetype kMaxBodyBytes = 16 * 1024;
    static constexpr qint64 kSummaryMaxAgeMs = 5000;
    // Threads (each with a connection) that run the dashboard's reads, so the
    // HTTP thread, which also admits webhooks, never waits on them.
    static constexpr int kReaders = 2;

private:
    using Action = std::function<void(const HttpRequest &, HttpResponder, const QString &staff)>;
    using Route = void (AdminRoutes::*)(const HttpRequest &, HttpResponder, const QString &staff);
    // Wraps an action with the staff token and body-size checks.
    HttpService::Handler signedIn(Action action);
    HttpService::Handler signedIn(Route route);
    HttpService::Handler list(AdminList list);

    void session(const HttpRequest &request, HttpResponder responder, const QString &staff);
    void summary(const HttpRequest &request, HttpResponder responder, const QString &staff);
    void event(const HttpRequest &request, HttpResponder responder, const QString &staff);
    void replayEvent(const HttpRequest &request, HttpResponder responder, const QString &staff);
    void cancelSubscription(const HttpRequest &request, HttpResponder responder, const QString &staff);
    void createPortalLink(const HttpRequest &request, HttpResponder responder, const QString &staff);
    void resendDunning(const HttpRequest &request, HttpResponder responder, const QString &staff);
    void tenant(const HttpRequest &request, HttpResponder responder, const QString &staff);
    void changes(const HttpRequest &request, HttpResponder responder, const QString &staff);
    void startReconcileRun(const HttpRequest &request, HttpResponder responder, const QString &staff);
    void fixDivergence(const HttpRequest &request, HttpResponder responder, const QString &staff);
    void fixAllDivergences(const HttpRequest &request, HttpResponder responder, const QString &staff);
    void fixDivergences(const QList<qint64> &ids, HttpResponder responder, const QString &staff);

    // Hands the record of a staff member's visit to the writer's thread.
    void recordVisit(const QByteArray &token);
    void audit(const QString &staff, const QString &action, const QString &targetType,
               const QString &targetId, const QJsonObject &details, bool succeeded);

    Dependencies m_deps;
    std::unique_ptr<StaffStore> m_staff;
    // When each token's visit was last handed to the writer (by the token's
    // hash), so that the pages asked in the same minute queue it once.
    QHash<QString, qint64> m_visitsQueuedAtMs;
    static constexpr qint64 kVisitResolutionMs = 60'000;
    QByteArray m_summary; // encoded
    qint64 m_summaryAtMs = 0;
    QList<HttpResponder> m_summaryWaiters; // while a summary is being read
    // The readers last: destroyed first, so that no read answers into a
    // half-destroyed object. The summary reads whole indexes (0.15-0.19 s on
    // the scale database, longer under load): on a reader of its own, no
    // page waits behind it.
    std::unique_ptr<ReaderPool> m_readers;
    std::unique_ptr<ReaderPool> m_summaryReader;
    ChangeFeed *m_changes; // a child, so destroyed after the readers
};

} // namespace billing::server
