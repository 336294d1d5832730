#pragma once

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

namespace billing::ui {

class ApiClient;
class ApiReply;

// Long-polls GET /changes so open views refresh soon after a webhook; retries
// with exponential backoff while the service is away.
class ChangeWatcher final : public QObject
{
    Q_OBJECT

public:
    explicit ChangeWatcher(ApiClient *client, QObject *parent = nullptr);

    void start();
    void stop();
    QString cursor() const { return m_cursor; }

    void setBackoffLimitsMs(int firstMs, int maxMs);

Q_SIGNALS:
    void changed(const QStringList &lists);

private:
    void poll();
    void onReply(ApiReply *reply);

    ApiClient *m_client;
    QPointer<ApiReply> m_pending;
    QTimer m_retryTimer;
    QString m_cursor;
    static constexpr int kWaitSeconds = 25; // held by the service at most this long
    int m_firstBackoffMs = 1000;
    int m_maxBackoffMs = 30000;
    int m_backoffMs = 0;
    bool m_running = false;
};

} // namespace billing::ui
