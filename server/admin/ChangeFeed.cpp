#include "ChangeFeed.h"

#include "db/Database.h"

#include <QDateTime>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace billing::server {

ChangeFeed::ChangeFeed(Database &database, QObject *parent)
    : QObject(parent)
    , m_database(database)
{
    m_timer.setInterval(std::chrono::seconds(1));
    connect(&m_timer, &QTimer::timeout, this, &ChangeFeed::poll);
}

QString ChangeFeed::Marks::cursor() const
{
    return u"%1.%2.%3.%4"_s.arg(events).arg(audit).arg(deliveries).arg(dunning);
}

std::optional<ChangeFeed::Marks> ChangeFeed::parse(const QString &cursor)
{
    const QStringList parts = cursor.split(u'.');
    if (parts.size() != 4)
        return std::nullopt;
    qint64 numbers[4];
    for (int i = 0; i < 4; ++i) {
        bool ok = false;
        numbers[i] = parts[i].toLongLong(&ok);
        if (!ok || numbers[i] < 0)
            return std::nullopt;
    }
    return Marks{numbers[0], numbers[1], numbers[2], numbers[3]};
}

bool ChangeFeed::readMarks(Marks *marks)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return false;
    // MAX of an integer primary key is one index lookup, whatever the table's size.
    Result<SqlRows> rows = runQuery(db.value(), u"cannot read the change cursor"_s,
                                    u"SELECT (SELECT COALESCE(MAX(id), 0) FROM payment_events), (SELECT "
                                    u"COALESCE(MAX(id), 0) FROM audit_log), "
                                    "(SELECT COALESCE(MAX(id), 0) FROM webhook_delivery_failures), "
                                    "(SELECT COALESCE(MAX(id), 0) FROM notification_outbox)"_s);
    if (!rows || !rows->next())
        return false;
    *marks = {rows->value(0).toLongLong(), rows->value(1).toLongLong(), rows->value(2).toLongLong(),
              rows->value(3).toLongLong()};
    return true;
}

void ChangeFeed::answer(HttpResponder &responder, const Marks &since, const Marks &now)
{
    QStringList changed;
    // An event can change everything the dashboard shows but the audit log.
    if (now.events != since.events)
        changed << u"events"_s << u"subscriptions"_s << u"invoices"_s << u"licenses"_s << u"dunning"_s;
    if (now.audit != since.audit)
        changed << u"audit"_s << u"subscriptions"_s << u"events"_s << u"dunning"_s;
    if (now.deliveries != since.deliveries)
        changed << u"deliveries"_s;
    if (now.dunning != since.dunning)
        changed << u"dunning"_s;
    changed.removeDuplicates();
    responder.sendJson(200,
                       {{u"cursor"_s, now.cursor()}, {u"changed"_s, QJsonArray::fromStringList(changed)}});
}

void ChangeFeed::wait(const QString &cursor, std::chrono::seconds wait, HttpResponder responder)
{
    Marks now;
    if (!readMarks(&now)) {
        responder.sendError({503, u"api_error"_s, u"the billing database is unavailable"_s, {}, {}, {}});
        return;
    }
    const std::optional<Marks> since = cursor.isEmpty() ? std::optional<Marks>(now) : parse(cursor);
    if (!since) {
        responder.sendError(ApiError::invalidRequest(
            u"cursor is not one this service gave; call without it for the current one"_s, u"cursor"_s));
        return;
    }
    if (cursor.isEmpty() || now.cursor() != since->cursor() || wait.count() == 0) {
        answer(responder, *since, now);
        return;
    }
    if (m_waiters.size() >= kMaxWaiters) {
        responder.sendError(
            {503, u"api_error"_s, u"too many dashboards are waiting; try again"_s, {}, {}, {}});
        return;
    }
    m_waiters.append(
        {*since, QDateTime::currentMSecsSinceEpoch() + wait.count() * 1000, std::move(responder)});
    if (!m_timer.isActive())
        m_timer.start();
}

void ChangeFeed::poll()
{
    Marks now;
    const bool read = readMarks(&now);
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    for (qsizetype i = m_waiters.size() - 1; i >= 0; --i) {
        Waiter &waiter = m_waiters[i];
        const bool gone = !waiter.responder.isConnected();
        const bool changed = read && now.cursor() != waiter.since.cursor();
        if (!gone && !changed && nowMs < waiter.deadlineMs)
            continue;
        if (!gone)
            answer(waiter.responder, waiter.since, read ? now : waiter.since);
        m_waiters.removeAt(i);
    }
    if (m_waiters.isEmpty())
        m_timer.stop();
}

} // namespace billing::server
