#pragma once

#include "billing/EventProcessor.h"

#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <chrono>

namespace billing {
class Database;
class StripeClient;
} // namespace billing

namespace billing::server {

class EventWorker;

// serve's automatic catch-up (#18): at start and then every interval, fetches
// from GET /v1/events, one page after another, (1) the events Stripe created
// since the newest stored one, then (2) those whose delivery has not succeeded
// (delivery_success=false: pending, or every attempt failed), however old:
// within Stripe's 30 days at start, its 3 days of retries afterwards. Each
// pass queues its events, oldest first, to the same worker as webhooks (source
// "sync", as `sync events`); stored ones come back as duplicates. So an
// installation behind NAT, one whose endpoint Stripe disabled, or one that
// missed a single delivery between two it received, still converges. Stripe
// keeps events 30 days: past that, the log says to run reconcile.
class EventCatchUp final : public QObject
{
    Q_OBJECT

public:
    struct Dependencies
    {
        Database *database = nullptr;
        StripeClient *stripe = nullptr;
        EventWorker *worker = nullptr;
        std::chrono::seconds interval{300};
        const Clock *clock = &Clock::system();
    };

    explicit EventCatchUp(Dependencies dependencies, QObject *parent = nullptr);

    // Runs once now, then every interval (nothing when the interval is 0).
    void start();
    // One catch-up unless one is running.
    void runOnce();

    static constexpr qint64 kStripeKeepsEventsSeconds = 30 * 24 * 3600;
    static constexpr qint64 kStripeRetriesSeconds = 3 * 24 * 3600;
    // A pass queues at most this many events; the next poll takes the rest.
    static constexpr int kMaxEventsPerPass = 10000;

Q_SIGNALS:
    // A catch-up ended: how many events it queued (0 when it failed).
    void finished(int fetched);

private:
    enum class Pass { Created, Undelivered };
    void fetchPage(const QString &startingAfter);
    // Queues what the pass fetched; then the next pass, or the end.
    void applyFetched();

    Dependencies m_deps;
    QTimer m_timer;
    bool m_running = false;
    bool m_startedOnce = false; // the first run looks back 30 days for undelivered events
    Pass m_pass = Pass::Created;
    qint64 m_since = 0;
    int m_queuedThisRun = 0;
    QList<QJsonObject> m_fetched; // newest first, as Stripe lists them
};

} // namespace billing::server
