#include "common/WorkerThread.h"

#include <QMutex>
#include <QSet>
#include <QTest>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

// OpenSSL's allocations are counted through CRYPTO_set_mem_functions, which
// must come before OpenSSL allocates anything: this test has its own main().

namespace {

QMutex g_mutex;
QSet<void *> g_threadBlocks; // live blocks OpenSSL allocated for a tracked thread
thread_local bool t_tracked = false;
pthread_key_t g_slowExitKey;

void *countedMalloc(size_t size, const char *, int)
{
    void *block = std::malloc(size);
    if (t_tracked && block) {
        QMutexLocker lock(&g_mutex);
        g_threadBlocks.insert(block);
    }
    return block;
}

void *countedRealloc(void *block, size_t size, const char *, int)
{
    QMutexLocker lock(&g_mutex);
    const bool tracked = g_threadBlocks.remove(block);
    void *moved = std::realloc(block, size);
    if (tracked || (t_tracked && moved))
        g_threadBlocks.insert(moved ? moved : block);
    return moved;
}

void countedFree(void *block, const char *, int)
{
    {
        QMutexLocker lock(&g_mutex);
        g_threadBlocks.remove(block);
    }
    std::free(block);
}

int liveThreadBlocks()
{
    QMutexLocker lock(&g_mutex);
    return int(g_threadBlocks.size());
}

// Runs on the thread: makes OpenSSL give it an error queue, and holds the
// thread's exit 300 ms in a key destructor that runs before OpenSSL's own
// (its key was created first), as a loaded machine might.
void useOpenSslOnThisThread()
{
    t_tracked = true;
    ERR_set_mark();
    ERR_pop_to_mark();
    pthread_setspecific(g_slowExitKey, &g_slowExitKey);
}

} // namespace

class TestWorkerThread : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void openSslStateIsFreedBeforeWaitReturns();
    void aPlainQThreadFreesItOnlyAfterWaitReturns();
};

void TestWorkerThread::initTestCase()
{
    // The process-wide state (error strings included) comes first, on this
    // thread, so a worker allocates only its own.
    OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
    ERR_set_mark();
    ERR_pop_to_mark();
    QCOMPARE(liveThreadBlocks(), 0);
}

void TestWorkerThread::openSslStateIsFreedBeforeWaitReturns()
{
    billing::WorkerThread thread;
    QObject worker;
    worker.moveToThread(&thread);
    thread.start();
    std::atomic<int> whileRunning{0};
    QMetaObject::invokeMethod(&worker, [&thread, &whileRunning] {
        useOpenSslOnThisThread();
        whileRunning = liveThreadBlocks();
        thread.quit();
    });
    QVERIFY(thread.wait(10000));
    QVERIFY(whileRunning > 0); // the thread did have state to free
    QCOMPARE(liveThreadBlocks(), 0);
}

// The reason for WorkerThread: with QThread the state is still allocated when
// wait() returns, so a process exiting then leaks it.
void TestWorkerThread::aPlainQThreadFreesItOnlyAfterWaitReturns()
{
    QThread thread;
    QObject worker;
    worker.moveToThread(&thread);
    thread.start();
    QMetaObject::invokeMethod(&worker, [&thread] {
        useOpenSslOnThisThread();
        thread.quit();
    });
    QVERIFY(thread.wait(10000));
    QVERIFY(liveThreadBlocks() > 0);
    QTRY_COMPARE_WITH_TIMEOUT(liveThreadBlocks(), 0, 5000);
}

int main(int argc, char **argv)
{
    if (!CRYPTO_set_mem_functions(countedMalloc, countedRealloc, countedFree)) {
        fprintf(stderr, "OpenSSL allocated before main(): cannot count its allocations\n");
        return 1;
    }
    pthread_key_create(&g_slowExitKey, [](void *) { QThread::msleep(300); });
    QCoreApplication app(argc, argv);
    TestWorkerThread test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_workerthread.moc"
