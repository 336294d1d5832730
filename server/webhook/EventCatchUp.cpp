#include "EventCatchUp.h"

#include "EventWorker.h"
#include "common/Logging.h"
#include "db/Database.h"
#include "db/EventStore.h"
#include "stripe/StripeClient.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

constexpr int kPageSize = 100; // Stripe's largest

} // namespace

EventCatchUp::EventCatchUp(Dependencies dependencies, QObject *parent)
    : QObject(parent)
    , m_deps(dependencies)
{
    connect(&m_timer, &QTimer::timeout, this, &EventCatchUp::runOnce);
}

void EventCatchUp::start()
{
    if (m_deps.interval.count() == 0)
        return;
    m_timer.start(m_deps.interval);
    runOnce();
}

void EventCatchUp::runOnce()
{
    if (m_running)
        return;
    Result<QSqlDatabase> db = m_deps.database->connection();
    Result<qint64> newest = db ? EventStore(db.value()).newestCreatedAt() : Result<qint64>(db.error());
    if (!newest) {
        qCWarning(lcStripe).noquote() << "catch-up skipped:" << newest.error().message;
        Q_EMIT finished(0);
        return;
    }
    // A new installation has nothing to catch up from: `sync all` imports an
    // existing account's objects.
    if (newest.value() == 0) {
        Q_EMIT finished(0);
        return;
    }
    const qint64 now = m_deps.clock->nowSecondsSinceEpoch();
    if (now - newest.value() > kStripeKeepsEventsSeconds) {
        qCWarning(lcStripe).noquote()
            << "the newest stored event is older than the 30 days Stripe keeps events: what happened "
               "before cannot be fetched; run `agencyos-billing-server reconcile --fix`";
    }
    m_running = true;
    m_pass = Pass::Created;
    m_since = newest.value();
    m_queuedThisRun = 0;
    m_fetched.clear();
    fetchPage({});
}

void EventCatchUp::fetchPage(const QString &startingAfter)
{
    FormParams query{{u"created[gte]"_s, QString::number(m_since)}, {u"limit"_s, QString::number(kPageSize)}};
    if (m_pass == Pass::Undelivered)
        query.add(u"delivery_success"_s, u"false"_s);
    if (!startingAfter.isEmpty())
        query.add(u"starting_after"_s, startingAfter);
    StripeJob *job = m_deps.stripe->get(u"/v1/events"_s, query);
    connect(job, &StripeJob::finished, this, [this](const StripeResult &result) {
        if (!result.ok()) {
            qCWarning(lcStripe).noquote()
                << "catch-up: Stripe refused GET /v1/events:" << result.error.summary() << "(next try in"
                << m_deps.interval.count() << "s)";
            m_running = false;
            Q_EMIT finished(0);
            return;
        }
        const QJsonArray data = result.object.value(u"data"_s).toArray();
        for (const QJsonValue &event : data)
            m_fetched.append(event.toObject());
        if (m_fetched.size() >= kMaxEventsPerPass) {
            // Newest first: what is left is older, and the next poll's
            // undelivered pass (or reconcile) brings it.
            qCWarning(lcStripe).noquote()
                << "catch-up: more than" << kMaxEventsPerPass << "events to fetch; the rest at the next poll";
        } else if (result.object.value(u"has_more"_s).toBool() && !data.isEmpty()) {
            fetchPage(data.last().toObject().value(u"id"_s).toString());
            return;
        }
        applyFetched();
    });
}

void EventCatchUp::applyFetched()
{
    std::reverse(m_fetched.begin(), m_fetched.end());
    int queued = 0;
    for (const QJsonObject &event : std::as_const(m_fetched)) {
        EventProcessor::Admitted admitted;
        const QByteArray payload = QJsonDocument(event).toJson(QJsonDocument::Compact);
        if (std::optional<EventProcessor::Report> refused = m_deps.worker->admit({payload, -1}, &admitted)) {
            qCWarning(lcStripe).noquote()
                << "catch-up: event" << event.value(u"id"_s).toString() << "refused:" << refused->message;
            continue;
        }
        // As `sync events` records what it fetches from the same list.
        admitted.source = u"sync"_s;
        ++queued;
        m_deps.worker->enqueue(std::move(admitted), [](const EventProcessor::Report &report) {
            if (report.outcome == EventProcessor::Outcome::Failed)
                qCWarning(lcStripe).noquote()
                    << "catch-up:" << report.eventId << report.type << report.message;
        });
    }
    if (queued > 0)
        qCInfo(lcStripe).noquote() << "catch-up: queued" << queued
                                   << (m_pass == Pass::Created ? "events created since"
                                                               : "undelivered events since")
                                   << m_since;
    m_queuedThisRun += queued;
    m_fetched.clear();
    if (m_pass == Pass::Created) {
        m_pass = Pass::Undelivered;
        const qint64 lookBack = m_startedOnce ? kStripeRetriesSeconds : kStripeKeepsEventsSeconds;
        m_startedOnce = true;
        m_since = m_deps.clock->nowSecondsSinceEpoch() - lookBack;
        fetchPage({});
        return;
    }
    m_running = false;
    Q_EMIT finished(m_queuedThisRun);
}

} // namespace billing::server
