#include "Database.h"
#include "CoalescingWalVfs.h"

#include "common/Logging.h"

#include <QAtomicInteger>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <memory>

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

QString driverName(SqlDialect dialect)
{
    return dialect == SqlDialect::Sqlite ? u"QSQLITE"_s : u"QPSQL"_s;
}

QString driverPackage(SqlDialect dialect)
{
    return dialect == SqlDialect::Sqlite ? u"libqt6sql6-sqlite"_s : u"libqt6sql6-psql"_s;
}

// A serial number per thread: unlike a QThread* or thread id, never reused by a
// later thread, so a connection name can never be mistaken for a dead thread's.
quint64 currentThreadSerial()
{
    static QAtomicInteger<quint64> nextSerial{1};
    thread_local const quint64 serial = nextSerial.fetchAndAddRelaxed(1);
    return serial;
}

// libpq conninfo values are quoted so that spaces or ';' in a path or name stay data.
QString quoteConnectOption(const QString &value)
{
    QString escaped = value;
    escaped.replace(u'\\', u"\\\\"_s).replace(u'\'', u"\\'"_s);
    return u'\'' + escaped + u'\'';
}

Result<QString> queryOneValue(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql) || !query.next())
        return Error{ErrorCode::Database, u"%1 failed: %2"_s.arg(sql, query.lastError().text())};
    return query.value(0).toString();
}

} // namespace

Result<void> beginWriteTransaction(QSqlDatabase &db, SqlDialect dialect)
{
    return execSql(db, dialect == SqlDialect::Sqlite ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s);
}

Result<void> checkReachable(QSqlDatabase &db)
{
    return execSql(db, u"SELECT 1"_s);
}

Result<void> execSql(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql))
        return Error{ErrorCode::Database, query.lastError().text()};
    return {};
}

namespace {

// Prepared statements per connection, reused: parsing them anew cost a third
// of the time of processing a webhook (bench_webhooks). SqlRows resets a
// statement when its caller is done, so no cached SELECT stays pending.
struct StatementCache
{
    QMutex mutex;
    QHash<QString, QHash<QString, std::shared_ptr<QSqlQuery>>> byConnection;
};

StatementCache &statementCache()
{
    static StatementCache cache;
    return cache;
}

void forgetCachedStatements(const QString &connectionName)
{
    StatementCache &cache = statementCache();
    const QMutexLocker locker(&cache.mutex);
    cache.byConnection.remove(connectionName);
}

// BILLING_BENCH_SQLITE_PLAIN=vfs leaves SQLite's own VFS in place, so
// bench_webhooks can measure CoalescingWalVfs against plain QSQLITE in the
// same build (README, Benchmarks). Read once; not a setting.
bool plainSqliteVfs()
{
    return qEnvironmentVariable("BILLING_BENCH_SQLITE_PLAIN") == u"vfs";
}

// Before SQLite's first use in the process (later, SQLite refuses and keeps
// its defaults). Debian's SQLite counts every allocation under one
// process-wide mutex, and has no lookaside: a lock a malloc for the writer,
// and one the dashboard's readers contend for. Without the count
// bench_webhooks takes 4-19 % more events a second (#17). Nothing reads it.
void configureSqliteLibrary()
{
    static const bool configured = [] {
        if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK)
            return true;
        qCInfo(lcDatabase) << "SQLite was in use before the first database opened: it keeps counting "
                              "its allocations";
        return false;
    }();
    Q_UNUSED(configured);
}

} // namespace

SqlRows::SqlRows(std::shared_ptr<QSqlQuery> query)
    : m_query(std::move(query))
{}

SqlRows::~SqlRows()
{
    if (m_query)
        m_query->finish();
}

bool SqlRows::next()
{
    return m_query->next();
}

QVariant SqlRows::value(int column) const
{
    return m_query->value(column);
}

int SqlRows::numRowsAffected() const
{
    return m_query->numRowsAffected();
}

Result<SqlRows> runQuery(QSqlDatabase &db, const QString &what, const QString &sql,
                         const QVariantList &values)
{
    std::shared_ptr<QSqlQuery> query;
    {
        StatementCache &cache = statementCache();
        const QMutexLocker locker(&cache.mutex);
        query = cache.byConnection.value(db.connectionName()).value(sql);
    }
    if (!query) {
        query = std::make_shared<QSqlQuery>(db);
        if (!query->prepare(sql))
            return Error{ErrorCode::Database, u"%1: %2"_s.arg(what, query->lastError().text())};
        StatementCache &cache = statementCache();
        const QMutexLocker locker(&cache.mutex);
        cache.byConnection[db.connectionName()].insert(sql, query);
    }
    for (qsizetype i = 0; i < values.size(); ++i)
        query->bindValue(int(i), values[i]);
    if (!query->exec())
        return Error{ErrorCode::Database, u"%1: %2"_s.arg(what, query->lastError().text())};
    return SqlRows(std::move(query));
}

Database::Database(DatabaseUrl url)
    : m_url(std::move(url))
{
    static QAtomicInteger<quint32> instanceCounter;
    m_namePrefix = u"billing-%1"_s.arg(instanceCounter.fetchAndAddRelaxed(1));
    if (m_url.dialect() == SqlDialect::Sqlite)
        configureSqliteLibrary();
    if (m_url.dialect() == SqlDialect::Sqlite && !plainSqliteVfs() && !CoalescingWalVfs::install())
        qCWarning(lcDatabase) << "SQLite refused the log-writing VFS; using its default one";
}

QString Database::threadConnectionName() const
{
    return m_namePrefix + u"-thread"_s + QString::number(currentThreadSerial());
}

Database::~Database()
{
    const QMutexLocker locker(&m_mutex);
    for (const QString &name : std::as_const(m_connectionNames)) {
        forgetCachedStatements(name);
        {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }
}

Result<QSqlDatabase> Database::reconnect()
{
    const QString name = threadConnectionName();
    forgetCachedStatements(name);
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        db.close();
    }
    return connection();
}

void Database::releaseThisThreadsConnection()
{
    const QString name = threadConnectionName();
    const QMutexLocker locker(&m_mutex);
    if (!m_connectionNames.removeOne(name))
        return;
    forgetCachedStatements(name);
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

void Database::setAutomaticCheckpoints(bool enabled)
{
    m_automaticCheckpoints = enabled;
    if (dialect() != SqlDialect::Sqlite)
        return;
    const QString name = threadConnectionName();
    {
        const QMutexLocker locker(&m_mutex);
        if (!m_connectionNames.contains(name))
            return;
    }
    QSqlDatabase db = QSqlDatabase::database(name, false);
    if (!db.isOpen())
        return;
    const QString pragma = u"PRAGMA wal_autocheckpoint = %1"_s.arg(enabled ? 1000 : 0);
    if (Result<void> done = execSql(db, pragma); !done)
        qCWarning(lcDatabase).noquote() << pragma << "failed:" << done.error().message;
}

void Database::finishCheckpointIfAsked(QSqlDatabase &db)
{
    if (!m_checkpointAsked.load(std::memory_order_relaxed) || !m_checkpointAsked.exchange(false))
        return;
    // PASSIVE never waits: with the checkpointer's pass still running, or a
    // reader on an older snapshot, the rest is copied next time.
    Result<SqlRows> done = runQuery(db, u"cannot checkpoint the log"_s, u"PRAGMA wal_checkpoint(PASSIVE)"_s);
    if (!done)
        qCWarning(lcDatabase).noquote() << done.error().message;
}

Result<QSqlDatabase> Database::connection()
{
    const QString name = threadConnectionName();
    {
        const QMutexLocker locker(&m_mutex);
        if (m_connectionNames.contains(name)) {
            QSqlDatabase existing = QSqlDatabase::database(name, false);
            if (existing.isOpen())
                return existing;
        }
    }
    // Closed behind our back: its prepared statements belong to the old handle.
    forgetCachedStatements(name);

    const SqlDialect dialect = m_url.dialect();
    if (!QSqlDatabase::isDriverAvailable(driverName(dialect))) {
        return Error{ErrorCode::DatabaseUnavailable,
                     u"Qt's %1 driver is not installed (Debian package %2)"_s.arg(driverName(dialect),
                                                                                  driverPackage(dialect))};
    }

    QSqlDatabase db = QSqlDatabase::contains(name) ? QSqlDatabase::database(name, false)
                                                   : QSqlDatabase::addDatabase(driverName(dialect), name);
    {
        const QMutexLocker locker(&m_mutex);
        if (!m_connectionNames.contains(name))
            m_connectionNames << name;
    }

    bool created = false;
    if (dialect == SqlDialect::Sqlite) {
        const QFileInfo file(m_url.sqlitePath());
        created = !file.exists();
        if (!QDir().mkpath(file.absolutePath())) {
            return Error{
                ErrorCode::DatabaseUnavailable,
                u"cannot create the directory %1 for the SQLite database"_s.arg(file.absolutePath())};
        }
        db.setDatabaseName(m_url.sqlitePath());
    } else {
        db.setHostName(m_url.host());
        db.setPort(m_url.port());
        db.setUserName(m_url.user());
        db.setPassword(m_url.password());
        db.setDatabaseName(m_url.databaseName());
        QStringList options;
        const auto &urlOptions = m_url.options();
        for (auto it = urlOptions.cbegin(); it != urlOptions.cend(); ++it)
            options << it.key() + u'=' + quoteConnectOption(it.value());
        if (!urlOptions.contains(u"connect_timeout"_s))
            options << u"connect_timeout=10"_s;
        db.setConnectOptions(options.join(u';'));
    }

    if (!db.open()) {
        return Error{ErrorCode::DatabaseUnavailable, u"cannot open the database %1: %2"_s.arg(
                                                         m_url.toDisplayString(), db.lastError().text())};
    }
    if (created) {
        // Customer emails and payment records: readable by the service's user only.
        QFile::setPermissions(m_url.sqlitePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    if (Result<void> configured = configure(db); !configured) {
        db.close();
        return configured.error();
    }
    qCDebug(lcDatabase) << "opened" << m_url.toDisplayString() << "as" << name;
    return db;
}

Result<void> Database::configure(QSqlDatabase &db)
{
    if (m_url.dialect() == SqlDialect::Postgres) {
        // Keep notices such as "relation already exists, skipping" out of the logs.
        return execSql(db, u"SET client_min_messages = warning"_s);
    }

    const QStringList pragmas = {
        u"PRAGMA busy_timeout = %1"_s.arg(kBusyTimeoutMs),
        u"PRAGMA foreign_keys = ON"_s,
        u"PRAGMA synchronous = FULL"_s,
        // Savepoint (statement) journals in memory: one per event in a batch
        // would otherwise be a temporary file written and deleted each time.
        u"PRAGMA temp_store = MEMORY"_s,
    };
    for (const QString &pragma : pragmas) {
        if (Result<void> done = execSql(db, pragma); !done)
            return Error{ErrorCode::Database, u"%1 failed: %2"_s.arg(pragma, done.error().message)};
    }
    if (!m_automaticCheckpoints) {
        if (Result<void> done = execSql(db, u"PRAGMA wal_autocheckpoint = 0"_s); !done)
            return done.error();
    }
    // WAL is a property of the file, set once. Switching needs an exclusive lock
    // for which SQLite does not wait on its busy handler, so a process opening a
    // brand-new database while another migrates it retries here.
    QElapsedTimer waited;
    waited.start();
    Result<QString> journal = queryOneValue(db, u"PRAGMA journal_mode"_s);
    while (journal && journal.value().compare(u"wal"_s, Qt::CaseInsensitive) != 0) {
        journal = queryOneValue(db, u"PRAGMA journal_mode = WAL"_s);
        if (journal || waited.elapsed() > kBusyTimeoutMs)
            break;
        QThread::msleep(20);
        journal = queryOneValue(db, u"PRAGMA journal_mode"_s);
    }
    if (!journal)
        return journal.error();
    if (journal.value().compare(u"wal"_s, Qt::CaseInsensitive) != 0) {
        return Error{ErrorCode::DatabaseUnavailable,
                     u"SQLite refused WAL mode for %1 (journal mode is %2); is it on a network "
                     "file system?"_s.arg(m_url.sqlitePath(), journal.value())};
    }
    Result<QString> foreignKeys = queryOneValue(db, u"PRAGMA foreign_keys"_s);
    if (!foreignKeys)
        return foreignKeys.error();
    if (foreignKeys.value() != u"1")
        return Error{ErrorCode::DatabaseUnavailable, u"SQLite did not enable foreign keys"_s};
    return {};
}

} // namespace billing
