#include "RefusedDeliveries.h"

#include "common/Clock.h"
#include "common/Logging.h"
#include "db/Database.h"

using namespace Qt::StringLiterals;

namespace billing::server {

RefusedDeliveries::RefusedDeliveries(Database &database, const Clock &clock, Options options, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_clock(clock)
    , m_options(options)
    , m_log(database)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(m_options.writeInterval);
    connect(&m_timer, &QTimer::timeout, this, &RefusedDeliveries::write);
    m_thread.setObjectName(u"refused-deliveries"_s);
    m_worker.moveToThread(&m_thread);
    m_thread.start();
}

RefusedDeliveries::~RefusedDeliveries()
{
    m_writing = false; // the last counts go after any write in flight
    write();
    // Queued after the last write, so it runs once that is done.
    QMetaObject::invokeMethod(&m_worker, [this] {
        m_database.releaseThisThreadsConnection();
        m_thread.quit();
    });
    m_thread.wait();
}

void RefusedDeliveries::note(const QString &remoteAddress, const QString &reason, const QString &eventId,
                             qint64 bodySize)
{
    const qint64 now = m_clock.nowSecondsSinceEpoch();
    const QString kind = DeliveryFailureLog::reasonKind(reason);
    QString source = remoteAddress.isEmpty() ? u"unknown"_s : remoteAddress.left(100);
    QString key = source + u'\n' + kind;
    if (!m_pending.contains(key) && m_pending.size() >= m_options.maxSources) {
        source = kOtherSources;
        key = source + u'\n' + kind;
    }
    auto found = m_pending.find(key);
    if (found == m_pending.end()) {
        // Logged once a source and kind per write, not once a request.
        qCWarning(lcStripe).noquote() << "webhook delivery from" << source << "refused:" << reason;
        found = m_pending.insert(key, {source, kind, {}, {}, 0, 0, now, now});
    }
    DeliveryFailureLog::Refusals &refused = found.value();
    refused.reason = reason.left(1000);
    if (!eventId.isEmpty())
        refused.eventId = eventId;
    refused.bodySize = bodySize;
    refused.lastAt = now;
    ++refused.count;
    ++m_pendingCount;
    if (!m_timer.isActive())
        m_timer.start();
}

void RefusedDeliveries::write()
{
    m_timer.stop();
    // One write at a time: while the database is slow or away, counts keep
    // adding up here (bounded by maxSources) instead of batches queueing.
    if (m_pending.isEmpty() || m_writing)
        return;
    m_writing = true;
    QList<DeliveryFailureLog::Refusals> batch = m_pending.values();
    const qint64 refusals = m_pendingCount;
    m_pending.clear();
    m_pendingCount = 0;
    for (const DeliveryFailureLog::Refusals &refused : std::as_const(batch)) {
        if (refused.count > 1) {
            qCWarning(lcStripe).noquote() << refused.count << "webhook deliveries from"
                                          << refused.remoteAddress << "refused:" << refused.reason;
        }
    }
    QMetaObject::invokeMethod(&m_worker, [this, batch = std::move(batch), refusals]() mutable {
        writeOnWorker(std::move(batch), refusals);
    });
}

void RefusedDeliveries::writeOnWorker(QList<DeliveryFailureLog::Refusals> batch, qint64 refusals)
{
    // A failed write is not retried: these are refusals, not payments, and
    // holding them would let a flood during an outage grow without bound.
    const Result<void> recorded = m_log.record(batch, m_clock.nowSecondsSinceEpoch());
    if (!recorded) {
        qCWarning(lcStripe).noquote()
            << "could not count" << refusals << "refused webhook deliveries:" << recorded.error().message;
    }
    QMetaObject::invokeMethod(this, [this, ok = recorded.ok(), refusals] {
        m_writing = false;
        if (!m_pending.isEmpty())
            m_timer.start();
        if (ok)
            Q_EMIT written(refusals);
        else
            Q_EMIT writeFailed(refusals);
    });
}

} // namespace billing::server
