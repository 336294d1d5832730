#include "TestDatabase.h"
#include "db/CoalescingWalVfs.h"
#include "db/Database.h"
#include "db/WritebackPacer.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QScopeGuard>
#include <QSqlDriver>
#include <QSqlError>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include <sqlite3.h>

#include <sys/resource.h>

using namespace Qt::StringLiterals;
using namespace billing;

namespace {

QByteArray rowBody(int i)
{
    return QByteArray(3000, char('a' + i % 26));
}

bool insertRows(QSqlDatabase &db, int first, int count)
{
    if (!db.transaction())
        return false;
    for (int i = first; i < first + count; ++i) {
        if (!runQuery(db, u"insert"_s, u"INSERT INTO rows (id, body) VALUES (?, ?)"_s, {i, rowBody(i)}))
            return false;
    }
    return db.commit();
}

qint64 countRows(QSqlDatabase &db)
{
    Result<SqlRows> rows = runQuery(db, u"count"_s, u"SELECT COUNT(*), SUM(LENGTH(body)) FROM rows"_s, {});
    if (!rows || !rows->next())
        return -1;
    // Every row's body read back: a page missing from the log would not add up.
    return rows->value(1).toLongLong() == rows->value(0).toLongLong() * 3000 ? rows->value(0).toLongLong()
                                                                             : -2;
}

// Rows per transaction in the tests with another process: ~150 pages, so a
// commit gathers several 124 KiB writes.
constexpr int kBatchRows = 200;

// Another program on SQLite's own VFS tries to take the database out of WAL
// mode, which needs every other process's lock on the file gone: exits 0 if
// it could not (the log is still in use), 1 if it could.
int tryToLeaveWal(const QString &path)
{
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
        return 2;
    const int rc = sqlite3_exec(db, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr);
    QByteArray mode;
    sqlite3_exec(
        db, "PRAGMA journal_mode",
        [](void *into, int, char **values, char **) {
            *static_cast<QByteArray *>(into) = values[0];
            return 0;
        },
        &mode, nullptr);
    sqlite3_close(db);
    QTextStream(stdout) << "rc " << rc << ", journal mode " << mode << Qt::endl;
    return mode == "wal" ? 0 : 1;
}

// What a child process does (the tests below start this binary again with
// --child ROLE PATH): `writer` commits batches of kBatchRows through the VFS
// forever, printing the row count after each commit returns; `reader`, on
// plain QSQLITE (another program), counts for two seconds and fails if it
// ever sees part of a batch, a page that does not add up, or fewer rows than
// before.
int runChild(const QString &role, const QString &path)
{
    if (role == u"leave-wal")
        return tryToLeaveWal(path);
    Database database(DatabaseUrl::sqliteFile(path));
    Result<QSqlDatabase> connection = database.connection();
    if (!connection)
        return 2;
    QSqlDatabase db = connection.value();
    QTextStream out(stdout);
    if (role == u"writer") {
        for (qint64 rows = countRows(db); rows >= 0; rows += kBatchRows) {
            if (!insertRows(db, int(rows), kBatchRows))
                return 3;
            out << "committed " << rows + kBatchRows << Qt::endl;
        }
        return 4;
    }
    qint64 reads = 0;
    qint64 seen = 0;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 2000) {
        const qint64 rows = countRows(db);
        if (rows < seen || rows % kBatchRows != 0) {
            out << "saw " << rows << " rows after " << seen << Qt::endl;
            return 1;
        }
        seen = rows;
        ++reads;
    }
    out << "reads " << reads << " rows " << seen << Qt::endl;
    return 0;
}

QProcess *startChild(QObject *parent, const QString &role, const QString &path)
{
    auto *child = new QProcess(parent);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    if (role == u"reader")
        environment.insert(u"BILLING_BENCH_SQLITE_PLAIN"_s, u"vfs"_s); // SQLite's own VFS
    child->setProcessEnvironment(environment);
    child->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child->start(QCoreApplication::applicationFilePath(), {u"--child"_s, role, path});
    return child;
}

} // namespace

// The service's SQLite connections write the log through CoalescingWalVfs,
// which gathers a transaction's log writes into a few calls.
class TestCoalescingWalVfs final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void transactionIsWrittenInAFewCalls();
    void anotherConnectionSeesEveryCommitWithoutFsync();
    void aFailedLogWriteFailsTheCommit();
    void withoutFsyncAFailedWriteStillFailsTheCommit();
    void spilledFramesAFailedReadCouldNotWriteAreKept();
    void framesRewrittenWithinATransactionReachTheFile();
    void framesGatheredWhenTheWriteLockIsReleasedAreDropped();
    void aReaderInAnotherProcessSeesWholeBatchesOnly();
    void sigkillDuringGatheredWritesLosesNoCommit();
    void aPacedThreadsCheckpointIsWrittenBackAsItCopies();
    void closingAPacedConnectionKeepsTheProcesssLocks();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_writer;
    std::unique_ptr<Database> m_reader;
};

void TestCoalescingWalVfs::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    const DatabaseUrl url = DatabaseUrl::sqliteFile(m_dir->filePath(u"test.sqlite3"_s));
    m_writer = std::make_unique<Database>(url);
    m_writer->setAutomaticCheckpoints(false); // only the commits write, and only to the log
    QSqlDatabase db = m_writer->connection().value();
    QVERIFY(runQuery(db, u"create"_s, u"CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"_s));
    // A second connection of its own (its own file descriptors), as another process would have.
    m_reader = std::make_unique<Database>(url);
}

void TestCoalescingWalVfs::cleanup()
{
    m_reader.reset();
    m_writer.reset();
    m_dir.reset();
}

void TestCoalescingWalVfs::transactionIsWrittenInAFewCalls()
{
    QSqlDatabase db = m_writer->connection().value();
    const CoalescingWalVfs::Counters before = CoalescingWalVfs::counters();
    QVERIFY(insertRows(db, 0, 40)); // ~40 pages: ~80 writes asked for, header and page of each frame
    const CoalescingWalVfs::Counters after = CoalescingWalVfs::counters();
    const qint64 requested = after.requested - before.requested;
    const qint64 issued = after.issued - before.issued;
    QVERIFY2(requested >= 80, qPrintable(QString::number(requested)));
    QVERIFY2(issued >= 1 && issued <= 10,
             qPrintable(u"%1 writes issued for %2 asked"_s.arg(issued).arg(requested)));

    QSqlDatabase reader = m_reader->connection().value();
    QCOMPARE(countRows(reader), 40);
}

void TestCoalescingWalVfs::anotherConnectionSeesEveryCommitWithoutFsync()
{
    // Without fsync at commit SQLite never syncs the log: the gathered frames
    // must still be in the file before the commit is announced to others.
    QSqlDatabase db = m_writer->connection().value();
    QVERIFY(runQuery(db, u"pragma"_s, u"PRAGMA synchronous = OFF"_s, {}));
    QSqlDatabase reader = m_reader->connection().value();
    for (int i = 0; i < 300; ++i) {
        QVERIFY(insertRows(db, i * 3, 3));
        const qint64 seen = countRows(reader);
        QVERIFY2(seen == (i + 1) * 3, qPrintable(u"after commit %1 the reader saw %2"_s.arg(i).arg(seen)));
    }
    QCOMPARE(test::integrityCheck(reader), u"ok"_s);
}

void TestCoalescingWalVfs::aFailedLogWriteFailsTheCommit()
{
    QSqlDatabase db = m_writer->connection().value();
    QVERIFY(insertRows(db, 0, 10));
    const qint64 logBytes = QFileInfo(m_dir->filePath(u"test.sqlite3-wal"_s)).size();
    QVERIFY(logBytes > 0);

    // No file of this process may grow past the log's size plus two pages:
    // the next transaction's log writes fail (EFBIG) as on a full disk.
    rlimit original{};
    QVERIFY(getrlimit(RLIMIT_FSIZE, &original) == 0);
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = original;
    limited.rlim_cur = rlim_t(logBytes + 8192);
    QVERIFY(setrlimit(RLIMIT_FSIZE, &limited) == 0);
    const bool committed = insertRows(db, 10, 20);
    const QString error = db.lastError().text();
    setrlimit(RLIMIT_FSIZE, &original);
    std::signal(SIGXFSZ, previousHandler);
    QVERIFY2(!committed, "a commit whose log could not be written reported success");
    QVERIFY2(!error.isEmpty(), "the failed commit gave no reason");
    db.rollback();

    QSqlDatabase reader = m_reader->connection().value();
    QCOMPARE(countRows(reader), 10);
    QVERIFY(insertRows(db, 10, 20)); // the disk has room again
    QCOMPARE(countRows(reader), 30);
    QCOMPARE(test::integrityCheck(reader), u"ok"_s);
}

void TestCoalescingWalVfs::withoutFsyncAFailedWriteStillFailsTheCommit()
{
    // No sync at commit: the commit frame's own write must report the error,
    // before SQLite announces the transaction to other connections.
    QSqlDatabase db = m_writer->connection().value();
    QVERIFY(runQuery(db, u"pragma"_s, u"PRAGMA synchronous = OFF"_s, {}));
    QVERIFY(insertRows(db, 0, 10));
    CoalescingWalVfs::failNextFlushesForTesting(1000);
    const bool committed = insertRows(db, 10, 20);
    CoalescingWalVfs::failNextFlushesForTesting(0);
    QVERIFY2(!committed, "a commit whose frames could not be written reported success");
    db.rollback();

    QSqlDatabase reader = m_reader->connection().value();
    QCOMPARE(countRows(reader), 10);
    QVERIFY(insertRows(db, 10, 20));
    QCOMPARE(countRows(reader), 30);
    QCOMPARE(test::integrityCheck(reader), u"ok"_s);
}

void TestCoalescingWalVfs::spilledFramesAFailedReadCouldNotWriteAreKept()
{
    // A transaction larger than the page cache spills pages to the log before
    // its commit; they are gathered. Reading one back needs them written
    // first. When that fails as on a full disk, SQLite undoes only the
    // statement that read (it has a statement journal) and carries on with
    // the transaction: the frames must not be lost with the statement.
    QSqlDatabase db = m_writer->connection().value();
    QVERIFY(runQuery(db, u"pragma"_s, u"PRAGMA cache_size = 10"_s, {}));
    QVERIFY(db.transaction());
    for (int i = 0; i < 200; ++i)
        QVERIFY(runQuery(db, u"insert"_s, u"INSERT INTO rows (id, body) VALUES (?, ?)"_s, {i, rowBody(i)}));
    CoalescingWalVfs::failNextFlushesForTesting(1000);
    Result<SqlRows> updated =
        runQuery(db, u"update"_s, u"UPDATE rows SET body = ? WHERE id < 50"_s, {QByteArray(10, 'x')});
    CoalescingWalVfs::failNextFlushesForTesting(0);
    QVERIFY2(!updated, "the update did not need the gathered frames: nothing was tested");
    QVERIFY2(db.commit(), qPrintable(db.lastError().text()));

    QSqlDatabase reader = m_reader->connection().value();
    QCOMPARE(countRows(reader), 200);
    QCOMPARE(test::integrityCheck(reader), u"ok"_s);
}

void TestCoalescingWalVfs::framesRewrittenWithinATransactionReachTheFile()
{
    // Pages spilled to the log and changed again before the commit are
    // rewritten in place, and SQLite rewrites the checksums of the frames
    // after them at the commit: writes that do not append to the log.
    QSqlDatabase db = m_writer->connection().value();
    QVERIFY(runQuery(db, u"pragma"_s, u"PRAGMA cache_size = 10"_s, {}));
    QVERIFY(runQuery(db, u"pragma"_s, u"PRAGMA synchronous = OFF"_s, {}));
    QSqlDatabase reader = m_reader->connection().value();
    for (int round = 0; round < 5; ++round) {
        QVERIFY(db.transaction());
        for (int i = 0; i < 60; ++i) {
            const int id = round * 60 + i;
            QVERIFY(
                runQuery(db, u"insert"_s, u"INSERT INTO rows (id, body) VALUES (?, ?)"_s, {id, rowBody(id)}));
        }
        // Back over the first rows of this round, long spilled by now.
        QVERIFY(runQuery(db, u"update"_s, u"UPDATE rows SET body = ? WHERE id BETWEEN ? AND ?"_s,
                         {rowBody(round + 7), round * 60, round * 60 + 9}));
        QVERIFY2(db.commit(), qPrintable(db.lastError().text()));
        QCOMPARE(countRows(reader), (round + 1) * 60);
        Result<SqlRows> changed =
            runQuery(reader, u"read"_s, u"SELECT COUNT(*) FROM rows WHERE id BETWEEN ? AND ? AND body = ?"_s,
                     {round * 60, round * 60 + 9, rowBody(round + 7)});
        QVERIFY(changed && changed->next());
        QCOMPARE(changed->value(0).toInt(), 10);
    }
    QCOMPARE(test::integrityCheck(reader), u"ok"_s);
}

void TestCoalescingWalVfs::framesGatheredWhenTheWriteLockIsReleasedAreDropped()
{
    // A transaction that spilled pages to the log and rolled back ends with
    // the write lock released; SQLite has dropped its frames. Its rollback
    // normally reads the log first (which writes what is gathered, still
    // under the lock), but should some frames remain gathered, the next read's
    // barrier would write them over frames another connection committed at
    // that place since. Driven here as SQLite drives the VFS: a frame
    // appended to the log under the write lock, no commit, the lock released.
    QSqlDatabase db = m_writer->connection().value();
    QVERIFY(insertRows(db, 0, 5));
    QCOMPARE(countRows(db), 5); // a read: the log and its index are open
    sqlite3 *connection = *static_cast<sqlite3 *const *>(db.driver()->handle().constData());
    sqlite3_file *log = nullptr;
    sqlite3_file *database = nullptr;
    QCOMPARE(sqlite3_file_control(connection, "main", SQLITE_FCNTL_JOURNAL_POINTER, &log), SQLITE_OK);
    QCOMPARE(sqlite3_file_control(connection, "main", SQLITE_FCNTL_FILE_POINTER, &database), SQLITE_OK);
    QVERIFY(log && log->pMethods && database && database->pMethods);
    const QString logPath = m_dir->filePath(u"test.sqlite3-wal"_s);
    const qint64 end = QFileInfo(logPath).size();
    QVERIFY(end > 0);

    QCOMPARE(database->pMethods->xShmLock(database, 0, 1, SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE), SQLITE_OK);
    const QByteArray header(24, '\0'); // bytes 4-7 zero: not a commit frame
    const QByteArray page(4096, 'S');
    QCOMPARE(log->pMethods->xWrite(log, header.constData(), int(header.size()), end), SQLITE_OK);
    QCOMPARE(log->pMethods->xWrite(log, page.constData(), int(page.size()), end + header.size()), SQLITE_OK);
    QCOMPARE(QFileInfo(logPath).size(), end); // gathered, not written yet
    QCOMPARE(database->pMethods->xShmLock(database, 0, 1, SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE),
             SQLITE_OK);

    database->pMethods->xShmBarrier(database); // where the next read would have written them
    QCOMPARE(QFileInfo(logPath).size(), end);
    QCOMPARE(countRows(db), 5);
    QVERIFY(insertRows(db, 5, 10)); // the log goes on from where it was
    QSqlDatabase reader = m_reader->connection().value();
    QCOMPARE(countRows(reader), 15);
    QCOMPARE(test::integrityCheck(reader), u"ok"_s);
}

void TestCoalescingWalVfs::aReaderInAnotherProcessSeesWholeBatchesOnly()
{
    QSqlDatabase db = m_writer->connection().value();
    QScopedPointer<QProcess> reader(startChild(nullptr, u"reader"_s, m_dir->filePath(u"test.sqlite3"_s)));
    QVERIFY(reader->waitForStarted());
    int batches = 0;
    while (reader->state() != QProcess::NotRunning) {
        QVERIFY(insertRows(db, batches * kBatchRows, kBatchRows));
        ++batches;
        reader->waitForFinished(0); // notices the exit; the reader stops after 2 s
    }
    const QString said = QString::fromUtf8(reader->readAllStandardOutput()).trimmed();
    QVERIFY2(reader->exitStatus() == QProcess::NormalExit && reader->exitCode() == 0, qPrintable(said));
    QVERIFY2(said.startsWith(u"reads "_s), qPrintable(said));
    QVERIFY2(batches > 5, qPrintable(u"only %1 batches written while the reader read"_s.arg(batches)));
    QVERIFY2(!said.endsWith(u" rows 0"_s), qPrintable(said)); // it saw the writes, not only an empty table
}

void TestCoalescingWalVfs::sigkillDuringGatheredWritesLosesNoCommit()
{
    const QString path = m_dir->filePath(u"test.sqlite3"_s);
    m_writer.reset(); // the writer child is the only writer
    m_reader.reset();
    qint64 acknowledged = 0;
    for (int kill = 0; kill < 10; ++kill) {
        QScopedPointer<QProcess> writer(startChild(nullptr, u"writer"_s, path));
        QVERIFY(writer->waitForStarted());
        // Once it has committed, kill it at another moment each time: the
        // writer does little but gather and write frames and sync them.
        QVERIFY(writer->waitForReadyRead(30000));
        QTest::qWait(37 * kill % 150);
        ::kill(pid_t(writer->processId()), SIGKILL);
        QVERIFY(writer->waitForFinished(10000));
        QCOMPARE(writer->exitStatus(), QProcess::CrashExit);
        const QList<QByteArray> lines = writer->readAllStandardOutput().trimmed().split('\n');
        if (lines.constLast().startsWith("committed "))
            acknowledged = lines.constLast().mid(10).toLongLong();

        Database reopened(DatabaseUrl::sqliteFile(path)); // as the service starting again
        QSqlDatabase db = reopened.connection().value();
        QCOMPARE(test::integrityCheck(db), u"ok"_s);
        const qint64 rows = countRows(db);
        QVERIFY2(rows % kBatchRows == 0, qPrintable(u"%1 rows: part of a batch survived"_s.arg(rows)));
        // Every commit that returned is there; at most the one in flight as well.
        QVERIFY2(rows >= acknowledged && rows <= acknowledged + kBatchRows,
                 qPrintable(u"%1 rows, %2 acknowledged"_s.arg(rows).arg(acknowledged)));
        acknowledged = rows;
    }
    QVERIFY2(acknowledged >= 10 * kBatchRows, qPrintable(QString::number(acknowledged)));
}

// WalCheckpointer's thread is paced: its checkpoint's copies reach the disk a
// little at a time (the figures are bench_webhooks'); other threads are not.
void TestCoalescingWalVfs::aPacedThreadsCheckpointIsWrittenBackAsItCopies()
{
    QSqlDatabase db = m_writer->connection().value();
    QVERIFY(insertRows(db, 0, 400)); // ~400 pages in the log, none yet in the database file
    const qint64 before = WritebackPacer::writebacks();
    WritebackPacer::paceThisThread(64 * 1024);
    auto unpace = qScopeGuard([] { WritebackPacer::paceThisThread(0); });
    QVERIFY(runQuery(db, u"checkpoint"_s, u"PRAGMA wal_checkpoint(TRUNCATE)"_s, {}));
    unpace.dismiss();
    WritebackPacer::paceThisThread(0);
    const qint64 paced = WritebackPacer::writebacks() - before;
    // ~1.6 MB copied: one writeback per 64 KiB of it.
    QVERIFY2(paced >= 20, qPrintable(u"%1 writebacks"_s.arg(paced)));

    QVERIFY(insertRows(db, 400, 400));
    const qint64 unpaced = WritebackPacer::writebacks();
    QVERIFY(runQuery(db, u"checkpoint"_s, u"PRAGMA wal_checkpoint(TRUNCATE)"_s, {}));
    QCOMPARE(WritebackPacer::writebacks(), unpaced);

    QSqlDatabase reader = m_reader->connection().value();
    QCOMPARE(countRows(reader), 800);
    QCOMPARE(test::integrityCheck(reader), u"ok"_s);
}

// Closing any descriptor of a file drops every POSIX lock the process holds on
// it: the pacer's descriptor must not be closed with its connection, or
// another process could take the log away from the connections still open.
void TestCoalescingWalVfs::closingAPacedConnectionKeepsTheProcesssLocks()
{
    const QString path = m_dir->filePath(u"test.sqlite3"_s);
    QSqlDatabase kept = m_writer->connection().value(); // stays open, holding its lock
    QVERIFY(insertRows(kept, 0, 10));
    {
        Database closing(DatabaseUrl::sqliteFile(path));
        QSqlDatabase db = closing.connection().value();
        QVERIFY(insertRows(db, 10, 100));
        const qint64 before = WritebackPacer::writebacks();
        WritebackPacer::paceThisThread(4096);
        auto unpace = qScopeGuard([] { WritebackPacer::paceThisThread(0); });
        QVERIFY(runQuery(db, u"checkpoint"_s, u"PRAGMA wal_checkpoint(PASSIVE)"_s, {}));
        QVERIFY(WritebackPacer::writebacks() > before); // its pacer used a descriptor
    }

    QScopedPointer<QProcess> other(startChild(nullptr, u"leave-wal"_s, path));
    QVERIFY(other->waitForFinished(10000));
    const QString said = QString::fromUtf8(other->readAllStandardOutput()).trimmed();
    QVERIFY2(other->exitStatus() == QProcess::NormalExit && other->exitCode() == 0, qPrintable(said));
    QVERIFY(insertRows(kept, 110, 10));
    QCOMPARE(countRows(kept), 120);
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (argc == 4 && qstrcmp(argv[1], "--child") == 0)
        return runChild(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]));
    TestCoalescingWalVfs test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_coalescingwalvfs.moc"
