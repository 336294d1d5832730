#pragma once

#include "common/Clock.h"
#include "db/Database.h"

#include <QObject>
#include <QUrl>

#include <chrono>

class QNetworkAccessManager;
class QTimer;

namespace billing {

// Sends the dunning notices queued in notification_outbox through the
// configured hook: an HTTP POST of the notice as JSON (2xx = delivered), or a
// command that reads it on stdin (exit 0 = delivered). Failures are retried
// with backoff up to maxAttempts, then marked failed for staff to see.
//
// Each notice is claimed with a lease before it is sent, so several service
// instances never send the same notice at once. Delivery is at least once (a
// crash between sending and recording repeats it): the hook receives the
// notice's dedupe key as Idempotency-Key to drop a repeat.
class DunningSender final : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QUrl webhookUrl;
        QString command;
        int maxAttempts = 10;
        std::chrono::seconds lease{300};
        int batchSize = 20;
    };

    DunningSender(Database &database, QNetworkAccessManager *network, Options options,
                  const Clock &clock = Clock::system(), QObject *parent = nullptr);

    bool isConfigured() const { return m_options.webhookUrl.isValid() || !m_options.command.isEmpty(); }
    // Sends what is due now, then every interval.
    void start(std::chrono::milliseconds interval);
    // One pass over the due notices; passFinished() follows.
    void sendDue();

    // The wait before the next try after `attempts` failed ones.
    static std::chrono::seconds backoff(int attempts);

Q_SIGNALS:
    void passFinished(int delivered, int failed);

private:
    struct Notice
    {
        qint64 id;
        QString kind;
        QString dedupeKey;
        QByteArray payload;
        int attempts;
    };
    QList<Notice> claimDue();
    void send(const Notice &notice);
    void record(const Notice &notice, bool delivered, const QString &error);

    Database &m_database;
    QNetworkAccessManager *m_network;
    Options m_options;
    const Clock &m_clock;
    QTimer *m_timer = nullptr;
    int m_inFlight = 0;
    int m_delivered = 0;
    int m_failed = 0;
};

} // namespace billing
