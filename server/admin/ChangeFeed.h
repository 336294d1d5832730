#pragma once

#include "http/HttpResponder.h"

#include <QObject>
#include <QTimer>

#include <chrono>

namespace billing {
class Database;
}

namespace billing::server {

// GET /admin/v1/changes: long polls that answer when the data the dashboard
// shows has changed. The cursor is read from the database (the newest row of
// each append-only table), so it also sees what other service instances on a
// shared PostgreSQL wrote. Polled once a second while anyone waits.
class ChangeFeed final : public QObject
{
    Q_OBJECT

public:
    explicit ChangeFeed(Database &database, QObject *parent = nullptr);

    // Answers at once when `cursor` is empty or out of date, else within `wait`.
    void wait(const QString &cursor, std::chrono::seconds wait, HttpResponder responder);

    static constexpr int kMaxWaiters = 256;

private:
    struct Marks
    {
        qint64 events = 0;
        qint64 audit = 0;
        qint64 deliveries = 0;
        qint64 dunning = 0;
        QString cursor() const;
    };
    struct Waiter
    {
        Marks since;
        qint64 deadlineMs = 0;
        HttpResponder responder;
    };
    bool readMarks(Marks *marks);
    static std::optional<Marks> parse(const QString &cursor);
    static void answer(HttpResponder &responder, const Marks &since, const Marks &now);
    void poll();

    Database &m_database;
    QTimer m_timer;
    QList<Waiter> m_waiters;
};

} // namespace billing::server
