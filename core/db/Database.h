#pragma once

#include "DatabaseUrl.h"
#include "common/Result.h"

#include <QMutex>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStringList>
#include <QVariantList>

#include <atomic>
#include <memory>

namespace billing {

// The product's database: hands each thread its own configured QSqlDatabase
// connection (QSql connections must not cross threads).
//
// SQLite connections run in WAL mode with foreign keys enforced, a busy timeout
// so that concurrent writers wait instead of failing, and synchronous=FULL so
// that a committed webhook survives a power cut, not only a crash.
class Database final
{
public:
    explicit Database(DatabaseUrl url);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // This thread's connection, opened and configured on first use.
    Result<QSqlDatabase> connection();
    // Closes and reopens this thread's connection (after the server dropped
    // it: QSqlDatabase still says it is open). Its prepared statements go too,
    // first: close connections through this or releaseThisThreadsConnection,
    // never QSqlDatabase::close(), which SQLite refuses while statements remain.
    Result<QSqlDatabase> reconnect();
    // Closes this thread's connection for good; a thread that ends calls it.
    void releaseThisThreadsConnection();

    // SQLite: whether a commit that grows the log past 1,000 pages copies it
    // into the database file itself (the default). Off when a WalCheckpointer
    // does it; applies to connections opened afterwards, and to this thread's.
    void setAutomaticCheckpoints(bool enabled);

    // SQLite with a WalCheckpointer. The log starts over only once a
    // checkpoint has copied all of it, and under steady writes only a writer,
    // between two of its transactions, can see that: the checkpointer copies
    // nearly all and asks; the next writer to commit copies the little left
    // (WriteTransaction::commit). A RESTART checkpoint did it instead and held
    // every writer while it waited for readers: the webhooks' slowest answers.
    void askWriterToFinishCheckpoint() { m_checkpointAsked.store(true, std::memory_order_relaxed); }
    // After a commit, on the writer's connection; never waits for anyone.
    void finishCheckpointIfAsked(QSqlDatabase &db);

    SqlDialect dialect() const { return m_url.dialect(); }
    const DatabaseUrl &url() const { return m_url; }

    static constexpr int kBusyTimeoutMs = 10000;

private:
    Result<void> configure(QSqlDatabase &db);
    QString threadConnectionName() const;

    DatabaseUrl m_url;
    QString m_namePrefix;
    QMutex m_mutex;
    QStringList m_connectionNames;
    std::atomic<bool> m_automaticCheckpoints{true};
    std::atomic<bool> m_checkpointAsked{false};
};

// Whether the server answers a trivial query on this connection.
Result<void> checkReachable(QSqlDatabase &db);

// Runs one statement; the error names the statement's purpose, never its values.
Result<void> execSql(QSqlDatabase &db, const QString &sql);

// Begins a transaction that will write. On SQLite it takes the write lock now
// (BEGIN IMMEDIATE), so concurrent writers queue on the busy timeout instead
// of one failing to upgrade its read lock half-way.
Result<void> beginWriteTransaction(QSqlDatabase &db, SqlDialect dialect);

// The rows (or the row count) of a statement run by runQuery. The statement is
// reset when this goes away, so a cached SELECT never keeps SQLite's read
// transaction (and an old snapshot) open afterwards.
class SqlRows final
{
public:
    explicit SqlRows(std::shared_ptr<QSqlQuery> query);
    ~SqlRows();
    SqlRows(SqlRows &&) noexcept = default;
    SqlRows &operator=(SqlRows &&) noexcept = default;
    SqlRows(const SqlRows &) = delete;
    SqlRows &operator=(const SqlRows &) = delete;
    bool next();
    QVariant value(int column) const;
    int numRowsAffected() const;

private:
    std::shared_ptr<QSqlQuery> m_query;
};

// Prepares (or reuses the prepared) statement, runs it with positional values,
// and returns its rows. The error says what failed (what), never the values.
// The rows of one SQL text must be done with before that text runs again.
Result<SqlRows> runQuery(QSqlDatabase &db, const QString &what, const QString &sql,
                         const QVariantList &values = {});

} // namespace billing
