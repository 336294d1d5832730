#include "TestDatabase.h"
#include "db/Migrator.h"
#include "db/ReaderPool.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>

#include <sched.h>

using namespace Qt::StringLiterals;
using namespace billing;
using billing::test::TestDatabase;

// The pool that keeps the dashboard's reads off the HTTP thread (#17): reads
// run on its threads with their own connections, answers come back on the
// asking thread, and that thread's event loop keeps running meanwhile.
class TestReaderPool final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void readsRunElsewhereAndAnswerHere();
    void aSlowReadDoesNotHoldTheAskingThread();
    void errorsComeBackAsErrors();
    void destructionFinishesHandedOverReads();
    void readsRunAsIdleWork();

private:
    std::unique_ptr<TestDatabase> m_test;
};

void TestReaderPool::init()
{
    QString error;
    m_test = TestDatabase::create(test::backendUnderTest(), &error);
    QVERIFY2(m_test, qPrintable(error));
    QVERIFY(Migrator(m_test->database(), MigrationCatalog::builtIn().value()).migrate().ok());
    QSqlQuery insert(m_test->database().connection().value());
    QVERIFY(
        insert.exec(u"INSERT INTO tenants (tenant_id, created_at, updated_at) VALUES ('t_pool', 1, 1)"_s));
}

void TestReaderPool::cleanup()
{
    m_test.reset();
}

void TestReaderPool::readsRunElsewhereAndAnswerHere()
{
    QObject replyTo;
    ReaderPool pool(m_test->database(), &replyTo, 2);
    QThread *readThread = nullptr;
    QThread *answerThread = nullptr;
    QString tenant;
    pool.run(
        [&readThread](QSqlDatabase &db) -> Result<QJsonObject> {
            readThread = QThread::currentThread();
            QSqlQuery query(db);
            if (!query.exec(u"SELECT tenant_id FROM tenants"_s) || !query.next())
                return Error{ErrorCode::Database, u"no row"_s};
            return QJsonObject{{u"tenant"_s, query.value(0).toString()}};
        },
        [&](Result<QJsonObject> answer) {
            answerThread = QThread::currentThread();
            tenant = answer ? answer->value(u"tenant"_s).toString() : answer.error().message;
        });
    QTRY_COMPARE(tenant, u"t_pool"_s);
    QVERIFY(readThread && readThread != QThread::currentThread());
    QCOMPARE(answerThread, QThread::currentThread());
}

void TestReaderPool::aSlowReadDoesNotHoldTheAskingThread()
{
    QObject replyTo;
    ReaderPool pool(m_test->database(), &replyTo, 2);
    bool answered = false;
    std::atomic<bool> release{false};
    pool.run(
        [&release](QSqlDatabase &) -> Result<QJsonObject> {
            // Held until the test lets it go: a read slower than anything else here.
            for (int i = 0; i < 2000 && !release; ++i)
                QThread::msleep(5);
            return QJsonObject{};
        },
        [&answered](Result<QJsonObject>) { answered = true; });
    // The asking thread's timers fire while the read runs; and the other
    // reader still answers a quick read in the meantime.
    int ticks = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
    ticker.start(20);
    bool quickAnswered = false;
    pool.run([](QSqlDatabase &) -> Result<QJsonObject> { return QJsonObject{}; },
             [&quickAnswered](Result<QJsonObject>) { quickAnswered = true; });
    QTRY_VERIFY_WITH_TIMEOUT(quickAnswered, 8000);
    QTRY_VERIFY(ticks >= 10); // the asking thread keeps running meanwhile
    QVERIFY(!answered);
    release = true;
    QTRY_VERIFY_WITH_TIMEOUT(answered, 5000);
}

void TestReaderPool::errorsComeBackAsErrors()
{
    QObject replyTo;
    ReaderPool pool(m_test->database(), &replyTo, 1);
    std::optional<Error> error;
    pool.run(
        [](QSqlDatabase &) -> Result<QJsonObject> {
            return Error{ErrorCode::NotFound, u"gone"_s, u"id"_s};
        },
        [&error](Result<QJsonObject> answer) {
            if (!answer)
                error = answer.error();
        });
    QTRY_VERIFY(error.has_value());
    QCOMPARE(error->code, ErrorCode::NotFound);
    QCOMPARE(error->param, u"id"_s);
}

void TestReaderPool::destructionFinishesHandedOverReads()
{
    QObject replyTo;
    std::atomic<int> ran{0};
    {
        ReaderPool pool(m_test->database(), &replyTo, 2);
        for (int i = 0; i < 6; ++i) {
            pool.run(
                [&ran](QSqlDatabase &) -> Result<QJsonObject> {
                    QThread::msleep(20);
                    ++ran;
                    return QJsonObject{};
                },
                [](Result<QJsonObject>) {});
        }
    }
    QCOMPARE(ran.load(), 6);
}

// The kernel runs the readers only on CPU the webhook path leaves idle: a
// thread of the service that wakes takes the core from a reader at once.
void TestReaderPool::readsRunAsIdleWork()
{
    QObject replyTo;
    ReaderPool pool(m_test->database(), &replyTo, 2);
    std::atomic<int> policy{-1};
    bool answered = false;
    pool.run(
        [&policy](QSqlDatabase &) -> Result<QJsonObject> {
            policy = ::sched_getscheduler(0);
            return QJsonObject{};
        },
        [&answered](Result<QJsonObject>) { answered = true; });
    QTRY_VERIFY(answered);
    QCOMPARE(policy.load(), SCHED_IDLE);
    QVERIFY(::sched_getscheduler(0) != SCHED_IDLE); // the asking thread keeps its own
}

QTEST_GUILESS_MAIN(TestReaderPool)
#include "tst_readerpool.moc"
