#include "ChangeFeed.h"

#include "db/ChangeMarks.h"
#include "db/ReaderPool.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

constexpr QLatin1StringView kCursorPrefix("v2.");

// The dashboard's views that show a table's rows.
QStringList viewsOf(const QString &table)
{
    if (table == "payment_events"_L1)
        return {u"events"_s};
    if (table == "subscriptions"_L1)
        return {u"subscriptions"_s};
    if (table == "invoices"_L1 || table == "payments"_L1)
        return {u"invoices"_s};
    if (table == "licenses"_L1)
        return {u"licenses"_s};
    if (table == "notification_outbox"_L1)
        return {u"dunning"_s};
    if (table == "audit_log"_L1)
        return {u"audit"_s};
    if (table == "webhook_delivery_failures"_L1)
        return {u"deliveries"_s};
    // tenants, customers: named in every list of a tenant's objects.
    return {u"subscriptions"_s, u"licenses"_s, u"invoices"_s, u"dunning"_s};
}

QStringList allViews()
{
    return {u"events"_s,  u"subscriptions"_s, u"invoices"_s,  u"licenses"_s,
            u"dunning"_s, u"audit"_s,         u"deliveries"_s};
}

} // namespace

ChangeFeed::ChangeFeed(ReaderPool &readers, QObject *parent)
    : QObject(parent)
    , m_readers(readers)
{
    m_timer.setInterval(std::chrono::seconds(1));
    connect(&m_timer, &QTimer::timeout, this, &ChangeFeed::poll);
}

QString ChangeFeed::cursorOf(const Marks &marks)
{
    QStringList numbers;
    for (qint64 mark : marks)
        numbers << QString::number(mark);
    return kCursorPrefix + numbers.join(u'.');
}

std::optional<ChangeFeed::Since> ChangeFeed::parse(const QString &cursor)
{
    const bool current = cursor.startsWith(kCursorPrefix);
    const QStringList parts = cursor.mid(current ? kCursorPrefix.size() : 0).split(u'.');
    Marks marks;
    for (const QString &part : parts) {
        bool ok = false;
        const qint64 number = part.toLongLong(&ok);
        if (!ok || number < 0)
            return std::nullopt;
        marks << number;
    }
    if (current && marks.size() == ChangeMarks::trackedTables().size())
        return Since{marks, false};
    // A dashboard that kept the cursor of the version before this one (four
    // row ids): it hears "everything changed" once and moves on.
    if (!current && marks.size() == 4)
        return Since{{}, true};
    return std::nullopt;
}

void ChangeFeed::readMarks(std::function<void(std::optional<Marks>)> then)
{
    // On a reader: the HTTP thread never waits on the database for a dashboard.
    m_readers.run([](QSqlDatabase &db) { return ChangeMarks(db).read(); },
                  [then = std::move(then)](Result<ChangeMarks::Reading> reading) {
                      then(reading ? std::optional<Marks>(reading.value()) : std::nullopt);
                  });
}

QStringList ChangeFeed::changedViews(const Since &since, const Marks &now)
{
    if (since.unknown)
        return allViews();
    QStringList views;
    for (const QString &table : ChangeMarks::changedTables(since.marks, now))
        views << viewsOf(table);
    views.removeDuplicates();
    return views;
}

void ChangeFeed::answer(HttpResponder &responder, const Since &since, const Marks &now)
{
    responder.sendJson(200, {{u"cursor"_s, cursorOf(now)},
                             {u"changed"_s, QJsonArray::fromStringList(changedViews(since, now))}});
}

void ChangeFeed::wait(const QString &cursor, std::chrono::seconds wait, HttpResponder responder)
{
    readMarks([this, cursor, wait, responder](std::optional<Marks> now) mutable {
        if (!now) {
            responder.sendError(ApiError::unavailable(u"the billing database is unavailable"_s));
            return;
        }
        const std::optional<Since> since =
            cursor.isEmpty() ? std::optional<Since>(Since{*now, false}) : parse(cursor);
        if (!since) {
            responder.sendError(ApiError::invalidRequest(
                u"cursor is not one this service gave; call without it for the current one"_s, u"cursor"_s));
            return;
        }
        if (cursor.isEmpty() || since->unknown || since->marks != *now || wait.count() == 0) {
            answer(responder, *since, *now);
            return;
        }
        if (m_waiters.size() >= kMaxWaiters) {
            responder.sendError(ApiError::unavailable(u"too many dashboards are waiting; try again"_s));
            return;
        }
        m_waiters.append({since->marks, QDeadlineTimer(wait), std::move(responder)});
        if (!m_timer.isActive())
            m_timer.start();
    });
}

void ChangeFeed::poll()
{
    // On the timer, not only when a reading comes: the readers run at idle
    // priority and may be slow under a burst of webhooks, and a wait that is
    // over is answered on time anyway.
    release(std::nullopt);
    if (m_waiters.isEmpty()) {
        m_timer.stop();
        return;
    }
    // A reader slower than the timer: one read at a time.
    if (m_polling)
        return;
    m_polling = true;
    readMarks([this](std::optional<Marks> now) {
        m_polling = false;
        release(now);
        if (m_waiters.isEmpty())
            m_timer.stop();
    });
}

void ChangeFeed::release(const std::optional<Marks> &now)
{
    for (qsizetype i = m_waiters.size() - 1; i >= 0; --i) {
        Waiter &waiter = m_waiters[i];
        const bool gone = !waiter.responder.isConnected();
        // A reading begun before the waiter's own (on the other reader) can
        // come back after it: it is older, and tells the waiter nothing.
        const bool changed = now && ChangeMarks::isNewer(waiter.since, *now);
        if (!gone && !changed && !waiter.deadline.hasExpired())
            continue;
        if (!gone)
            answer(waiter.responder, Since{waiter.since, false}, changed ? *now : waiter.since);
        m_waiters.removeAt(i);
    }
}

} // namespace billing::server
