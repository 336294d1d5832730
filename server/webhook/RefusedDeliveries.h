#pragma once

#include "common/WorkerThread.h"
#include "db/DeliveryFailureLog.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <chrono>

namespace billing {
class Clock;
class Database;
} // namespace billing

namespace billing::server {

// Refused webhook deliveries, counted in memory on the HTTP thread and written
// every few seconds on a thread of their own. Anyone can POST to the webhook
// URL: a flood of badly signed bodies costs the HTTP thread a hash update a
// request, not a database write, and the table a row per source, kind of
// reason and hour (DeliveryFailureLog). Sources beyond maxSources within one
// write are counted together as "(other sources)".
class RefusedDeliveries final : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        std::chrono::milliseconds writeInterval{5000};
        int maxSources = 1000;
    };

    RefusedDeliveries(Database &database, const Clock &clock, Options options, QObject *parent = nullptr);
    // Writes what was gathered, then stops the writer's thread.
    ~RefusedDeliveries() override;

    void note(const QString &remoteAddress, const QString &reason, const QString &eventId, qint64 bodySize);
    // Hands what was gathered to the writer now (the timer does it otherwise).
    void write();

    static inline const QString kOtherSources = QStringLiteral("(other sources)");

Q_SIGNALS:
    // On this object's thread, after a write committed or failed.
    void written(qint64 refusals);
    void writeFailed(qint64 refusals);

private:
    void writeOnWorker(QList<DeliveryFailureLog::Refusals> batch, qint64 refusals);

    Database &m_database;
    const Clock &m_clock;
    Options m_options;
    DeliveryFailureLog m_log;
    QHash<QString, DeliveryFailureLog::Refusals> m_pending; // by source and kind of reason
    qint64 m_pendingCount = 0;
    bool m_writing = false; // a batch is with the writer
    QTimer m_timer;
    WorkerThread m_thread;
    QObject m_worker; // lives on m_thread
};

} // namespace billing::server
