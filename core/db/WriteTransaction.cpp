#include "WriteTransaction.h"

#include <QSqlError>

using namespace Qt::StringLiterals;

namespace billing {

WriteTransaction::WriteTransaction(Database &database, QSqlDatabase db)
    : m_database(&database)
    , m_db(std::move(db))
{}

WriteTransaction::WriteTransaction(WriteTransaction &&other) noexcept
    : m_database(other.m_database)
    , m_db(other.m_db)
    , m_open(std::exchange(other.m_open, false))
{}

WriteTransaction::~WriteTransaction()
{
    if (m_open)
        rollback();
}

Result<WriteTransaction> WriteTransaction::begin(Database &database, OnDeadConnection onDead)
{
    Result<QSqlDatabase> connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = connection.value();
    if (Result<void> begun = beginWriteTransaction(db, database.dialect()); !begun) {
        if (onDead == OnDeadConnection::Fail)
            return Error{begun.error().code, u"cannot start a transaction: "_s + begun.error().message};
        Result<QSqlDatabase> fresh = database.reconnect();
        if (!fresh)
            return Error{fresh.error().code, u"cannot start a transaction: "_s + fresh.error().message};
        db = fresh.value();
        if (Result<void> retried = beginWriteTransaction(db, database.dialect()); !retried)
            return Error{retried.error().code, u"cannot start a transaction: "_s + retried.error().message};
    }
    return WriteTransaction(database, db);
}

Result<void> WriteTransaction::commit()
{
    m_open = false;
    if (m_db.commit()) {
        m_database->finishCheckpointIfAsked(m_db);
        return {};
    }
    const QString reason = m_db.lastError().text();
    [[maybe_unused]] const Result<void> ignored = execSql(m_db, u"ROLLBACK"_s);
    return Error{ErrorCode::Database, u"cannot commit: "_s + reason};
}

void WriteTransaction::rollback()
{
    m_open = false;
    // Fails harmlessly when SQLite has already rolled back (a full disk).
    [[maybe_unused]] const Result<void> ignored = execSql(m_db, u"ROLLBACK"_s);
}

Result<void> WriteTransaction::restart()
{
    rollback();
    if (Result<void> begun = beginWriteTransaction(m_db, m_database->dialect()); !begun)
        return Error{begun.error().code, u"cannot start a transaction: "_s + begun.error().message};
    m_open = true;
    return {};
}

Error WriteTransaction::fail(Error error)
{
    rollback();
    return error;
}

} // namespace billing
