#pragma once

#include "http/HttpResponder.h"

#include <QDeadlineTimer>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>
#include <optional>

namespace billing {
class ReaderPool;
}

namespace billing::server {

// GET /admin/v1/changes: long polls that answer when the data the dashboard
// shows has changed. The cursor is the database's change marks (core's
// ChangeMarks), so it sees every committed insert, update or delete, also
// those of other service instances on a shared PostgreSQL and of `sync`.
// Polled once a second while anyone waits.
class ChangeFeed final : public QObject
{
    Q_OBJECT

public:
    // Reads the marks on `readers`, whose answers come back on this thread.
    explicit ChangeFeed(ReaderPool &readers, QObject *parent = nullptr);

    // Answers at once when `cursor` is empty or out of date, else within `wait`.
    void wait(const QString &cursor, std::chrono::seconds wait, HttpResponder responder);

    static constexpr int kMaxWaiters = 256;

private:
    using Marks = QList<qint64>;
    struct Since
    {
        Marks marks;
        bool unknown = false; // a cursor of an older version: everything may have changed
    };
    struct Waiter
    {
        Marks since;
        QDeadlineTimer deadline;
        HttpResponder responder;
    };
    void readMarks(std::function<void(std::optional<Marks>)> then);
    static QString cursorOf(const Marks &marks);
    static std::optional<Since> parse(const QString &cursor);
    static QStringList changedViews(const Since &since, const Marks &now);
    static void answer(HttpResponder &responder, const Since &since, const Marks &now);
    void poll();
    // Answers the waiters that `now` shows a change to, whose wait is over, or
    // whose dashboard has gone; nullopt: no reading, only the last two.
    void release(const std::optional<Marks> &now);

    ReaderPool &m_readers;
    QTimer m_timer;
    bool m_polling = false;
    QList<Waiter> m_waiters;
};

} // namespace billing::server
