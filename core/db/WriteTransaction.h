#pragma once

#include "Database.h"

namespace billing {

// A write transaction on this thread's connection, the one way writers begin
// and end them:
//  * begun with BEGIN IMMEDIATE on SQLite (writers queue on the busy timeout
//    instead of failing half-way), and with one reconnect when the connection
//    is dead (a PostgreSQL server that restarted leaves one behind);
//  * committed through the driver: on PostgreSQL a COMMIT of an aborted
//    transaction "succeeds" as a ROLLBACK, which only QSqlDatabase::commit
//    reports as a failure;
//  * rolled back when it goes away neither committed nor rolled back.
class WriteTransaction final
{
public:
    enum class OnDeadConnection { Reconnect, Fail };
    // Fail: a connection that holds a session lock (the migrator's) must not
    // be swapped for one that does not.
    static Result<WriteTransaction> begin(Database &database,
                                          OnDeadConnection onDead = OnDeadConnection::Reconnect);

    WriteTransaction(WriteTransaction &&other) noexcept;
    WriteTransaction &operator=(WriteTransaction &&) = delete;
    WriteTransaction(const WriteTransaction &) = delete;
    WriteTransaction &operator=(const WriteTransaction &) = delete;
    ~WriteTransaction();

    QSqlDatabase &db() { return m_db; }

    Result<void> commit();
    void rollback();
    // Rolls back, then begins again on the same connection.
    Result<void> restart();
    // Rolls back and hands `error` on: `return tx.fail(error);`.
    Error fail(Error error);

private:
    WriteTransaction(Database &database, QSqlDatabase db);

    Database *m_database;
    QSqlDatabase m_db;
    bool m_open = true;
};

} // namespace billing
