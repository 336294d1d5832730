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
// the events Stripe created since the newest stored one (GET /v1/events, one
// page after another) and queues them, oldest first, to the same worker as
// webhooks (source "sync", as `sync events`). Stored ones come back as duplicates, so an
// installation behind NAT, or whose endpoint Stripe disabled, still converges.
// Stripe keeps events 30 days: past that, the log says to run reconcile.
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

Q_SIGNALS:
    // A catch-up ended: how many events it fetched and queued (0 when it failed).
    void finished(int fetched);

private:
    void fetchPage(const QString &startingAfter);
    void applyFetched();

    Dependencies m_deps;
    QTimer m_timer;
    bool m_running = false;
    qint64 m_since = 0;
    QList<QJsonObject> m_fetched; // newest first, as Stripe lists them
};

} // namespace billing::server
