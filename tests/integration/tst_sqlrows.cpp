#include "db/Database.h"

#include <QTemporaryDir>
#include <QTest>

#include <limits>

#include <sqlite3.h>

using namespace Qt::StringLiterals;
using namespace billing;

// runQuery and SqlRows on SQLite: values bind and read back with their types,
// null and empty strings stay apart, rows are counted and read to the end,
// and a cached statement neither keeps a read transaction open nor outlives
// its connection.
class TestSqlRows final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void valuesRoundTrip_data();
    void valuesRoundTrip();
    void nullStringsBindNullEmptyOnesDoNot();
    void countsChangedRows();
    void readsEveryRowThenStopsAndCanRunAgain();
    void errorNamesTheStatementAndTheCause();
    void finishedRowsLeaveNoReadTransactionOpen();
    void reopenedConnectionPreparesAgain();
    void sqliteCountsNoAllocations();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_database;
    QSqlDatabase m_db;
};

void TestSqlRows::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_database = std::make_unique<Database>(DatabaseUrl::sqliteFile(m_dir->filePath(u"test.sqlite3"_s)));
    m_db = m_database->connection().value();
    QVERIFY(runQuery(m_db, u"create"_s, u"CREATE TABLE t (id INTEGER PRIMARY KEY, v, name TEXT UNIQUE)"_s));
}

void TestSqlRows::cleanup()
{
    m_db = QSqlDatabase();
    m_database.reset();
    m_dir.reset();
}

void TestSqlRows::valuesRoundTrip_data()
{
    QTest::addColumn<QVariant>("bound");
    QTest::addColumn<QVariant>("read");
    QTest::newRow("qint64 max") << QVariant(std::numeric_limits<qint64>::max())
                                << QVariant(qlonglong(std::numeric_limits<qint64>::max()));
    QTest::newRow("int") << QVariant(-42) << QVariant(qlonglong(-42));
    QTest::newRow("bool") << QVariant(true) << QVariant(qlonglong(1));
    QTest::newRow("double") << QVariant(2.5) << QVariant(2.5);
    QTest::newRow("text") << QVariant(u"žluťoučký kůň 🐎"_s) << QVariant(u"žluťoučký kůň 🐎"_s);
    QTest::newRow("bytes with zeros")
        << QVariant(QByteArray("a\0b\xff", 4)) << QVariant(QByteArray("a\0b\xff", 4));
    QTest::newRow("empty bytes") << QVariant(QByteArray("")) << QVariant(QByteArray());
    QTest::newRow("null") << QVariant() << QVariant();
}

void TestSqlRows::valuesRoundTrip()
{
    QFETCH(QVariant, bound);
    QFETCH(QVariant, read);
    QVERIFY(runQuery(m_db, u"insert"_s, u"INSERT INTO t (v) VALUES (?)"_s, {bound}));
    Result<SqlRows> rows = runQuery(m_db, u"select"_s, u"SELECT v, typeof(v) FROM t"_s);
    QVERIFY(rows && rows->next());
    if (read.isNull()) { // QSQLITE reads NULL as a null QVariant of some type
        QVERIFY(rows->value(0).isNull());
    } else {
        QCOMPARE(rows->value(0).typeId(), read.typeId());
        QCOMPARE(rows->value(0), read);
    }
    if (bound.typeId() == QMetaType::QByteArray)
        QCOMPARE(rows->value(1).toString(), u"blob"_s); // an empty QByteArray is a blob, not NULL
}

void TestSqlRows::nullStringsBindNullEmptyOnesDoNot()
{
    QVERIFY(runQuery(m_db, u"insert"_s, u"INSERT INTO t (id, v) VALUES (1, ?), (2, ?), (3, ?)"_s,
                     {QString(), u""_s, QVariant(QMetaType::fromType<QString>())}));
    Result<SqlRows> rows = runQuery(m_db, u"select"_s, u"SELECT id FROM t WHERE v IS NULL ORDER BY id"_s);
    QVERIFY(rows);
    QList<qlonglong> nulls;
    while (rows->next())
        nulls << rows->value(0).toLongLong();
    QCOMPARE(nulls, (QList<qlonglong>{1, 3}));
}

void TestSqlRows::countsChangedRows()
{
    QCOMPARE(runQuery(m_db, u"insert"_s, u"INSERT INTO t (v) VALUES (1), (2), (3)"_s)->numRowsAffected(), 3);
    QCOMPARE(runQuery(m_db, u"update"_s, u"UPDATE t SET v = v + 1 WHERE v >= ?"_s, {2})->numRowsAffected(),
             2);
    const QString insertOnce = u"INSERT INTO t (name) VALUES (?) ON CONFLICT (name) DO NOTHING"_s;
    QCOMPARE(runQuery(m_db, u"insert"_s, insertOnce, {u"a"_s})->numRowsAffected(), 1);
    QCOMPARE(runQuery(m_db, u"insert"_s, insertOnce, {u"a"_s})->numRowsAffected(), 0);
}

void TestSqlRows::readsEveryRowThenStopsAndCanRunAgain()
{
    for (int i = 0; i < 5; ++i)
        QVERIFY(runQuery(m_db, u"insert"_s, u"INSERT INTO t (v) VALUES (?)"_s, {i}));
    const QString select = u"SELECT v FROM t WHERE v >= ? ORDER BY v"_s;
    for (int round = 0; round < 2; ++round) {
        Result<SqlRows> rows = runQuery(m_db, u"select"_s, select, {QVariant(u"1"_s).toInt() + round});
        QVERIFY(rows);
        QList<qlonglong> seen;
        while (rows->next())
            seen << rows->value(0).toLongLong();
        QCOMPARE(seen.size(), 4 - round);
        QCOMPARE(seen.constLast(), 4);
        QVERIFY(!rows->next());
    }
    Result<SqlRows> none = runQuery(m_db, u"select"_s, select, {99});
    QVERIFY(none);
    QVERIFY(!none->next());
}

void TestSqlRows::errorNamesTheStatementAndTheCause()
{
    QVERIFY(runQuery(m_db, u"insert"_s, u"INSERT INTO t (name) VALUES (?)"_s, {u"a"_s}));
    Result<SqlRows> duplicate =
        runQuery(m_db, u"cannot store the name"_s, u"INSERT INTO t (name) VALUES (?)"_s, {u"a"_s});
    QVERIFY(!duplicate);
    QVERIFY2(
        duplicate.error().message.startsWith(u"cannot store the name: UNIQUE constraint failed: t.name"_s),
        qPrintable(duplicate.error().message));
    Result<SqlRows> wrongCount =
        runQuery(m_db, u"cannot insert"_s, u"INSERT INTO t (v) VALUES (?)"_s, {1, 2});
    QVERIFY(!wrongCount);
    QVERIFY2(wrongCount.error().message.startsWith(u"cannot insert: "_s),
             qPrintable(wrongCount.error().message));
    Result<SqlRows> bad = runQuery(m_db, u"cannot read"_s, u"SELECT nope FROM t"_s);
    QVERIFY(!bad);
    QVERIFY2(bad.error().message.startsWith(u"cannot read: no such column: nope"_s),
             qPrintable(bad.error().message));
    // The failed statements left nothing half-done: the next one runs.
    QCOMPARE(runQuery(m_db, u"insert"_s, u"INSERT INTO t (name) VALUES (?)"_s, {u"b"_s})->numRowsAffected(),
             1);
}

void TestSqlRows::finishedRowsLeaveNoReadTransactionOpen()
{
    for (int i = 0; i < 3; ++i)
        QVERIFY(runQuery(m_db, u"insert"_s, u"INSERT INTO t (v) VALUES (?)"_s, {i}));
    {
        Result<SqlRows> rows = runQuery(m_db, u"select"_s, u"SELECT v FROM t"_s);
        QVERIFY(rows && rows->next()); // stopped after the first of three rows
    }
    // A read left open would pin the log: a TRUNCATE checkpoint could not finish.
    Result<SqlRows> checkpoint = runQuery(m_db, u"checkpoint"_s, u"PRAGMA wal_checkpoint(TRUNCATE)"_s);
    QVERIFY(checkpoint && checkpoint->next());
    QCOMPARE(checkpoint->value(0).toInt(), 0); // not busy
}

void TestSqlRows::reopenedConnectionPreparesAgain()
{
    QVERIFY(runQuery(m_db, u"insert"_s, u"INSERT INTO t (v) VALUES (?)"_s, {7}));
    // Its statements are finalized first: SQLite refuses to close a
    // connection with statements left, and the handle would leak.
    m_db = m_database->reconnect().value();
    Result<SqlRows> rows = runQuery(m_db, u"select"_s, u"SELECT v FROM t"_s);
    QVERIFY2(rows, qPrintable(rows ? QString() : rows.error().message));
    QVERIFY(rows->next());
    QCOMPARE(rows->value(0).toInt(), 7);
}

// Debian's SQLite counts every allocation under a process-wide mutex, which
// the writer and the dashboard's readers contend for: Database turns the count
// off before SQLite's first use in the process (#17).
void TestSqlRows::sqliteCountsNoAllocations()
{
    QVERIFY(runQuery(m_db, u"fill"_s, u"INSERT INTO t (v, name) VALUES (randomblob(100000), 'big')"_s));
    Result<SqlRows> rows = runQuery(m_db, u"read"_s, u"SELECT v FROM t WHERE name = 'big'"_s);
    QVERIFY(rows && rows->next());
    QCOMPARE(rows->value(0).toByteArray().size(), 100000);
    sqlite3_int64 current = -1;
    sqlite3_int64 highest = -1;
    QCOMPARE(sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &current, &highest, 0), SQLITE_OK);
    QCOMPARE(current, 0);
    QCOMPARE(highest, 0);
}

QTEST_GUILESS_MAIN(TestSqlRows)
#include "tst_sqlrows.moc"
