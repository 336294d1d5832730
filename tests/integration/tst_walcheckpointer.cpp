#include "TestDatabase.h"
#include "db/Database.h"
#include "db/WalCheckpointer.h"
#include "db/WriteTransaction.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

using namespace Qt::StringLiterals;
using namespace billing;

namespace {

constexpr int kTransactions = 3000;
constexpr qint64 kPageBytes = 4096;

void createRows(Database &database)
{
    QSqlQuery setup(database.connection().value());
    // The tests are about who checkpoints, not about durability: no fsync, so they run fast.
    QVERIFY(setup.exec(u"PRAGMA synchronous = OFF"_s));
    QVERIFY(setup.exec(u"CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"_s));
}

// One row in a write transaction, as the service's writer commits a webhook
// batch: it adds a page or more to the log. Returns how long it took, -1 on failure.
qint64 writeRow(Database &database, int i)
{
    QElapsedTimer elapsed;
    elapsed.start();
    Result<WriteTransaction> transaction = WriteTransaction::begin(database);
    if (!transaction)
        return -1;
    Result<SqlRows> inserted =
        runQuery(transaction->db(), u"cannot insert"_s, u"INSERT INTO rows (body) VALUES (?)"_s,
                 {QByteArray(3000, char('a' + i % 26))});
    if (!inserted || !transaction->commit())
        return -1;
    return elapsed.elapsed();
}

// Without fsync a commit takes microseconds; a pause stands for the fsync
// that spaces out the service's commits.
void writeRows(Database &database, std::chrono::microseconds pause = {})
{
    createRows(database);
    for (int i = 0; i < kTransactions; ++i) {
        QVERIFY(writeRow(database, i) >= 0);
        std::this_thread::sleep_for(pause);
    }
}

qint64 walPages(const QString &databasePath)
{
    return QFileInfo(databasePath + u"-wal"_s).size() / kPageBytes;
}

int autoCheckpointPages(Database &database)
{
    QSqlQuery query(database.connection().value());
    if (!query.exec(u"PRAGMA wal_autocheckpoint"_s) || !query.next())
        return -1;
    return query.value(0).toInt();
}

} // namespace

// The service copies SQLite's log into the database on a thread of its own
// (WalCheckpointer), so that no webhook commit does it.
class TestWalCheckpointer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void connectionsLeaveCheckpointsAloneWhenTold();
    void logGrowsWithoutCheckpoints();
    void checkpointerKeepsTheLogSmall();
    void aReaderOnAnOldSnapshotNeverHoldsTheWriter();
    void emptiesTheLogFileOnceWritesStop();
};

void TestWalCheckpointer::connectionsLeaveCheckpointsAloneWhenTold()
{
    QTemporaryDir dir;
    Database database(DatabaseUrl::sqliteFile(dir.filePath(u"billing.sqlite3"_s)));
    QCOMPARE(autoCheckpointPages(database), 1000);
    database.setAutomaticCheckpoints(false);
    QCOMPARE(autoCheckpointPages(database), 0); // this thread's open connection
    int onOtherThread = -1;
    std::thread other([&] {
        onOtherThread = autoCheckpointPages(database);
        database.releaseThisThreadsConnection();
    });
    other.join();
    QCOMPARE(onOtherThread, 0); // a connection opened afterwards
}

void TestWalCheckpointer::logGrowsWithoutCheckpoints()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"billing.sqlite3"_s);
    Database database(DatabaseUrl::sqliteFile(path));
    database.setAutomaticCheckpoints(false);
    writeRows(database);
    QVERIFY2(walPages(path) >= kTransactions, qPrintable(QString::number(walPages(path))));
}

void TestWalCheckpointer::checkpointerKeepsTheLogSmall()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"billing.sqlite3"_s);
    Database database(DatabaseUrl::sqliteFile(path));
    database.setAutomaticCheckpoints(false);
    {
        WalCheckpointer checkpointer(database, {std::chrono::milliseconds(5), 64});
        writeRows(database, std::chrono::microseconds(200));
        // A last pass once the writer is done.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // Passive checkpoints copy what they can; past 64 pages the writer copies
    // the rest after a commit and the log starts over, so it never holds the 3,000.
    // The file keeps the largest size it reached: 130-180 pages alone, up to
    // ~800 when the tests run two at a time and the checkpointer's thread
    // waits for a core.
    QVERIFY2(walPages(path) < kTransactions / 2, qPrintable(QString::number(walPages(path))));

    QSqlQuery check(database.connection().value());
    QVERIFY(check.exec(u"PRAGMA wal_checkpoint(PASSIVE)"_s) && check.next());
    QCOMPARE(check.value(1).toInt(), check.value(2).toInt()); // nothing left to copy
    QVERIFY(check.exec(u"SELECT COUNT(*) FROM rows"_s) && check.next());
    QCOMPARE(check.value(0).toInt(), kTransactions);
    QSqlDatabase db = database.connection().value();
    QCOMPARE(test::integrityCheck(db), u"ok"_s);
}

// A dashboard's read keeps its snapshot while it runs. A RESTART checkpoint
// waited for such readers holding the write lock, and every webhook commit
// waited with it (#17's slowest answers); now nothing waits for a checkpoint.
void TestWalCheckpointer::aReaderOnAnOldSnapshotNeverHoldsTheWriter()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"billing.sqlite3"_s);
    Database database(DatabaseUrl::sqliteFile(path));
    database.setAutomaticCheckpoints(false);
    createRows(database);
    QVERIFY(writeRow(database, 0) >= 0);

    constexpr auto held = std::chrono::milliseconds(3000);
    std::atomic<bool> reading = false;
    std::thread reader([&] {
        {
            QSqlQuery snapshot(database.connection().value());
            snapshot.exec(u"BEGIN"_s);
            snapshot.exec(u"SELECT COUNT(*) FROM rows"_s);
            snapshot.next();
            reading = true;
            std::this_thread::sleep_for(held);
            snapshot.finish();
            snapshot.exec(u"COMMIT"_s);
        }
        database.releaseThisThreadsConnection();
    });
    QTRY_VERIFY(reading.load());

    qint64 slowestMs = 0;
    int written = 0;
    QElapsedTimer elapsed;
    elapsed.start();
    {
        WalCheckpointer checkpointer(database, {std::chrono::milliseconds(5), 64});
        while (elapsed.elapsed() < 2 * held.count() / 3) {
            const qint64 ms = writeRow(database, ++written);
            QVERIFY(ms >= 0);
            slowestMs = std::max(slowestMs, ms);
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    }
    reader.join();
    // Before, the first commit after the checkpointer's RESTART waited the
    // reader's whole 3 s (or the 10 s busy timeout).
    QVERIFY2(slowestMs < held.count() / 2,
             qPrintable(u"a commit waited %1 ms (%2 written)"_s.arg(slowestMs).arg(written)));
    QSqlDatabase db = database.connection().value();
    QCOMPARE(test::integrityCheck(db), u"ok"_s);
}

void TestWalCheckpointer::emptiesTheLogFileOnceWritesStop()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"billing.sqlite3"_s);
    Database database(DatabaseUrl::sqliteFile(path));
    database.setAutomaticCheckpoints(false);
    QSqlDatabase db = database.connection().value();
    QSqlQuery query(db);
    QVERIFY(query.exec(u"PRAGMA synchronous = OFF"_s)); // no fsync: about the file's size only
    QVERIFY(query.exec(u"CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"_s));
    QSqlQuery insert(db);
    QVERIFY(insert.prepare(u"INSERT INTO rows (body) VALUES (?)"_s));
    // A burst, with nothing checkpointed: the log file grows to ~4 MiB.
    constexpr int burst = 64;
    for (int i = 0; i < burst; ++i) {
        insert.addBindValue(QByteArray(64 * 1024, char('a' + i % 26)));
        QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
    }
    constexpr qint64 threshold = 1024 * 1024;
    auto logFileBytes = [&path] { return QFileInfo(path + u"-wal"_s).size(); };
    QVERIFY2(logFileBytes() > 3 * threshold, qPrintable(QString::number(logFileBytes())));

    {
        WalCheckpointer checkpointer(database, {std::chrono::milliseconds(5), 64, threshold});
        // Copied on one pass, found unchanged on the next: emptied.
        QTRY_COMPARE_WITH_TIMEOUT(logFileBytes(), 0, 5000);

        // A log under the threshold is left alone, idle or not.
        insert.addBindValue(QByteArray(1000, 'z'));
        QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        QVERIFY(logFileBytes() > 0);
    }
    QVERIFY(query.exec(u"SELECT COUNT(*), SUM(length(body)) FROM rows"_s) && query.next());
    QCOMPARE(query.value(0).toInt(), burst + 1);
    QCOMPARE(query.value(1).toLongLong(), qint64(burst) * 64 * 1024 + 1000);
    QCOMPARE(test::integrityCheck(db), u"ok"_s);
}

QTEST_GUILESS_MAIN(TestWalCheckpointer)
#include "tst_walcheckpointer.moc"
