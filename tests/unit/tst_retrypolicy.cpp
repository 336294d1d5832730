#include "stripe/RetryPolicy.h"

#include <QTest>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using billing::RetryPolicy;

class TestRetryPolicy final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decides_data();
    void decides();
    void backsOffExponentiallyWithJitter();
    void stopsAfterMaxRetries();
};

void TestRetryPolicy::decides_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("connectionError");
    QTest::addColumn<QByteArray>("shouldRetry");
    QTest::addColumn<QByteArray>("retryAfter");
    QTest::addColumn<int>("expectedDelayMs"); // -1: no retry

    // jitter 0 → the delay is half the exponential step, floored at the initial 500 ms.
    QTest::newRow("connection error") << 0 << true << QByteArray() << QByteArray() << 500;
    QTest::newRow("409 lock timeout") << 409 << false << QByteArray() << QByteArray() << 500;
    QTest::newRow("429 rate limited") << 429 << false << QByteArray() << QByteArray() << 500;
    QTest::newRow("500") << 500 << false << QByteArray() << QByteArray() << 500;
    QTest::newRow("503") << 503 << false << QByteArray() << QByteArray() << 500;
    QTest::newRow("400 never") << 400 << false << QByteArray() << QByteArray() << -1;
    QTest::newRow("401 never") << 401 << false << QByteArray() << QByteArray() << -1;
    QTest::newRow("402 never") << 402 << false << QByteArray() << QByteArray() << -1;
    QTest::newRow("404 never") << 404 << false << QByteArray() << QByteArray() << -1;
    QTest::newRow("should-retry false wins over 500") << 500 << false << "false"_ba << QByteArray() << -1;
    QTest::newRow("should-retry true wins over 400") << 400 << false << "true"_ba << QByteArray() << 500;
    QTest::newRow("retry-after honoured") << 429 << false << QByteArray() << "3"_ba << 3000;
    QTest::newRow("retry-after below backoff") << 503 << false << QByteArray() << "0"_ba << 500;
    QTest::newRow("retry-after too long") << 429 << false << QByteArray() << "3600"_ba << -1;
    QTest::newRow("retry-after junk ignored") << 429 << false << QByteArray() << "soon"_ba << 500;
}

void TestRetryPolicy::decides()
{
    QFETCH(int, status);
    QFETCH(bool, connectionError);
    QFETCH(QByteArray, shouldRetry);
    QFETCH(QByteArray, retryAfter);
    QFETCH(int, expectedDelayMs);

    const RetryPolicy policy;
    const auto delay = policy.nextDelay(1, {status, connectionError, shouldRetry, retryAfter}, 0.0);
    if (expectedDelayMs < 0) {
        QVERIFY(!delay.has_value());
    } else {
        QVERIFY(delay.has_value());
        QCOMPARE(delay->count(), expectedDelayMs);
    }
}

void TestRetryPolicy::backsOffExponentiallyWithJitter()
{
    RetryPolicy policy;
    policy.maxRetries = 10;
    const RetryPolicy::Answer answer{500, false, {}, {}};
    // Without jitter (jitter01 → 1): 500, 1000, 2000, 4000, 8000, then capped at 8000.
    QCOMPARE(policy.nextDelay(1, answer, 0.999999)->count(), 500); // floored at the initial delay
    QCOMPARE(policy.nextDelay(2, answer, 0.999999)->count(), 999);
    QCOMPARE(policy.nextDelay(3, answer, 0.999999)->count(), 1999);
    QCOMPARE(policy.nextDelay(5, answer, 0.999999)->count(), 7999);
    QCOMPARE(policy.nextDelay(9, answer, 0.999999)->count(), 7999);
    // Jitter spreads a step over [½, 1) of itself, never below the initial delay.
    QCOMPARE(policy.nextDelay(3, answer, 0.0)->count(), 1000);
    QCOMPARE(policy.nextDelay(3, answer, 0.5)->count(), 1500);
    QCOMPARE(policy.nextDelay(1, answer, 0.0)->count(), 500);
}

void TestRetryPolicy::stopsAfterMaxRetries()
{
    const RetryPolicy policy; // two retries: three tries
    const RetryPolicy::Answer answer{500, false, {}, {}};
    QVERIFY(policy.nextDelay(1, answer, 0.5).has_value());
    QVERIFY(policy.nextDelay(2, answer, 0.5).has_value());
    QVERIFY(!policy.nextDelay(3, answer, 0.5).has_value());
}

QTEST_GUILESS_MAIN(TestRetryPolicy)
#include "tst_retrypolicy.moc"
