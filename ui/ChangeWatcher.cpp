#include "ChangeWatcher.h"

#include "ApiClient.h"
#include "ApiReply.h"

#include <QJsonArray>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace billing::ui {

ChangeWatcher::ChangeWatcher(ApiClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &ChangeWatcher::poll);
}

void ChangeWatcher::setBackoffLimitsMs(int firstMs, int maxMs)
{
    m_firstBackoffMs = firstMs;
    m_maxBackoffMs = maxMs;
}

void ChangeWatcher::start()
{
    if (m_running)
        return;
    m_running = true;
    m_backoffMs = 0;
    poll();
}

void ChangeWatcher::stop()
{
    m_running = false;
    m_retryTimer.stop();
    if (m_pending) {
        m_pending->disconnect(this);
        m_pending->abort();
        m_pending.clear();
    }
}

void ChangeWatcher::poll()
{
    if (!m_running || m_pending)
        return;
    QUrlQuery query;
    int timeoutMs = 0;
    if (!m_cursor.isEmpty()) {
        query.addQueryItem(u"cursor"_s, m_cursor);
        query.addQueryItem(u"wait"_s, QString::number(kWaitSeconds));
        // The service may hold the request for `wait` seconds; allow for that.
        timeoutMs = (kWaitSeconds + 15) * 1000;
    }
    ApiReply *reply = m_client->get(u"/changes"_s, query, timeoutMs);
    m_pending = reply;
    connect(reply, &ApiReply::finished, this, [this, reply] { onReply(reply); });
}

void ChangeWatcher::onReply(ApiReply *reply)
{
    m_pending.clear();
    if (!m_running)
        return;
    if (!reply->isOk()) {
        // A cursor the service does not know (another version, another
        // database): start over from its current one rather than fail forever.
        if (reply->httpStatus() == 400)
            m_cursor.clear();
        m_backoffMs = m_backoffMs == 0 ? m_firstBackoffMs : std::min(m_backoffMs * 2, m_maxBackoffMs);
        m_retryTimer.start(m_backoffMs);
        return;
    }
    m_backoffMs = 0;
    const QJsonObject answer = reply->json();
    const bool first = m_cursor.isEmpty();
    const QString cursor = answer.value("cursor"_L1).toString();
    QStringList lists;
    for (const QJsonValue &value : answer.value("changed"_L1).toArray())
        lists << value.toString();
    if (!cursor.isEmpty())
        m_cursor = cursor;
    if (!first && !lists.isEmpty())
        Q_EMIT changed(lists);
    if (cursor.isEmpty()) {
        // A malformed answer must not turn into a busy loop.
        m_retryTimer.start(m_firstBackoffMs);
        return;
    }
    poll();
}

} // namespace billing::ui
