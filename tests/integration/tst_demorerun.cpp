#include "HttpTestClient.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace billing;

namespace {

quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

// The pids of processes whose command line contains `needle`.
QList<qint64> processesWith(const QByteArray &needle)
{
    QList<qint64> pids;
    QDirIterator proc(u"/proc"_s, QDir::Dirs | QDir::NoDotAndDotDot);
    while (proc.hasNext()) {
        const QString dir = proc.next();
        bool isPid = false;
        const qint64 pid = proc.fileName().toLongLong(&isPid);
        QFile cmdline(dir + u"/cmdline"_s);
        if (isPid && cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(needle))
            pids.append(pid);
    }
    return pids;
}

} // namespace

// The README's first command, run twice as a new user runs it on two mornings:
// `bash scripts/run.sh` in offline demo mode, stopped with Ctrl-C (SIGINT) and
// started again. Staff actions through the admin API must work on both runs,
// and what was done on the first must still be there on the second, also when
// the emulator was killed (SIGKILL) in between.
class TestDemoRerun final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void staffActionsWorkOnTheSecondRun_data();
    void staffActionsWorkOnTheSecondRun();
    void startsOverWhenTheEmulatorsAccountIsLost();

private:
    // Starts run.sh and waits until it says the service is up (demo data sold on a first run).
    bool startDemo(QString *output);
    // Ctrl-C, as a user stops it; true when run.sh and what it started have ended.
    bool stopDemo(QString *output);
    QString demoDir() const { return m_home->filePath(u"data/agencyos-billing-demo"_s); }
    test::HttpTestClient::Reply admin(const QByteArray &method, const QString &path,
                                      const QJsonObject &body = {});
    QJsonObject subscriptionOf(const QString &tenant);
    // Cancels `tenant`'s subscription at period end and opens a portal link for it:
    // both answers must be 200, and the cancellation must reach the dashboard's list.
    void cancelAndOpenPortal(const QString &tenant);
    // The demo's emulator alone on its saved account, the service stopped: fails
    // `tenant`'s renewal (its webhooks go nowhere), then is killed with SIGKILL.
    void failRenewalWhileTheServiceIsDown(const QString &tenant);

    std::unique_ptr<QTemporaryDir> m_home;
    std::unique_ptr<QProcess> m_run;
    quint16 m_servicePort = 0;
    quint16 m_stripePort = 0;
    test::HttpTestClient m_client;
};

void TestDemoRerun::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
    m_servicePort = freePort();
    m_stripePort = freePort();
    QVERIFY(m_servicePort != 0 && m_stripePort != 0 && m_servicePort != m_stripePort);
}

void TestDemoRerun::cleanup()
{
    if (m_run && m_run->state() != QProcess::NotRunning) {
        QString ignored;
        stopDemo(&ignored);
    }
    m_run.reset();
    // Nothing the demo started may outlive the test.
    for (const qint64 pid : processesWith(demoDir().toUtf8()))
        ::kill(pid_t(pid), SIGKILL);
}

bool TestDemoRerun::startDemo(QString *output)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : environment.keys()) {
        if (name.startsWith(u"STRIPE_"_s) || name.startsWith(u"BILLING_"_s) || name == u"DISPLAY" ||
            name == u"WAYLAND_DISPLAY")
            environment.remove(name);
    }
    environment.insert(u"HOME"_s, m_home->path());
    environment.insert(u"XDG_DATA_HOME"_s, m_home->filePath(u"data"_s));
    environment.insert(u"BILLING_BUILD_DIR"_s, QStringLiteral(BILLING_BUILD_DIR));
    environment.insert(u"BILLING_RUN_SKIP_BUILD"_s, u"1"_s);
    environment.insert(u"BILLING_DEMO_PORT"_s, QString::number(m_servicePort));
    environment.insert(u"BILLING_DEMO_STRIPE_PORT"_s, QString::number(m_stripePort));

    m_run = std::make_unique<QProcess>();
    m_run->setProcessEnvironment(environment);
    m_run->setProcessChannelMode(QProcess::MergedChannels);
    m_run->start(u"bash"_s, {QStringLiteral(BILLING_SOURCE_DIR "/scripts/run.sh")});
    if (!m_run->waitForStarted())
        return false;
    QByteArray printed;
    QDeadlineTimer deadline(120'000);
    while (!printed.contains("run: service on ") && m_run->state() == QProcess::Running &&
           !deadline.hasExpired()) {
        m_run->waitForReadyRead(200);
        printed += m_run->readAll();
    }
    *output = QString::fromUtf8(printed);
    return printed.contains("run: service on ") && m_run->state() == QProcess::Running;
}

bool TestDemoRerun::stopDemo(QString *output)
{
    ::kill(pid_t(m_run->processId()), SIGINT);
    const bool finished = m_run->waitForFinished(30'000);
    *output = QString::fromUtf8(m_run->readAll());
    if (!finished)
        return false;
    // run.sh waits for what it started: no service, no emulator left on the demo's data.
    return processesWith(demoDir().toUtf8()).isEmpty();
}

test::HttpTestClient::Reply TestDemoRerun::admin(const QByteArray &method, const QString &path,
                                                 const QJsonObject &body)
{
    QFile tokenFile(demoDir() + u"/staff-token"_s);
    if (!tokenFile.open(QIODevice::ReadOnly))
        return {};
    const QList<QPair<QByteArray, QByteArray>> headers = {
        {"Authorization"_ba, "Bearer " + tokenFile.readAll().trimmed()},
        {"Content-Type"_ba, "application/json"_ba}};
    const QUrl url(u"http://127.0.0.1:%1/admin/v1%2"_s.arg(m_servicePort).arg(path));
    return m_client.send(method, url, method == "GET" ? QByteArray() : QJsonDocument(body).toJson(), headers);
}

QJsonObject TestDemoRerun::subscriptionOf(const QString &tenant)
{
    const QJsonArray rows =
        admin("GET", u"/subscriptions?tenant="_s + tenant).json().value(u"data"_s).toArray();
    return rows.size() == 1 ? rows.first().toObject() : QJsonObject();
}

void TestDemoRerun::cancelAndOpenPortal(const QString &tenant)
{
    const QString id = subscriptionOf(tenant).value(u"id"_s).toString();
    QVERIFY2(id.startsWith(u"sub_"_s), qPrintable(u"no subscription listed for "_s + tenant));

    const test::HttpTestClient::Reply cancel =
        admin("POST", u"/subscriptions/%1/cancel"_s.arg(id), {{u"at_period_end"_s, true}});
    QVERIFY2(cancel.status == 200, cancel.body.constData());
    const test::HttpTestClient::Reply portal = admin("POST", u"/portal"_s, {{u"tenant_id"_s, tenant}});
    QVERIFY2(portal.status == 200, portal.body.constData());
    QVERIFY(portal.json().value(u"url"_s).toString().startsWith(u"https://"_s));
    // Stripe's customer.subscription.updated webhook brings the change to the list.
    QTRY_VERIFY_WITH_TIMEOUT(subscriptionOf(tenant).value(u"cancel_at_period_end"_s).toBool(), 15'000);
}

void TestDemoRerun::failRenewalWhileTheServiceIsDown(const QString &tenant)
{
    // The subscription's id from the saved account, where the service's list cannot be asked.
    QFile stateFile(demoDir() + u"/stripe-emulator-state.json"_s);
    QVERIFY(stateFile.open(QIODevice::ReadOnly));
    QString subscription;
    const QJsonArray subscriptions = QJsonDocument::fromJson(stateFile.readAll())
                                         .object()
                                         .value(u"objects"_s)
                                         .toObject()
                                         .value(u"subscription"_s)
                                         .toArray();
    for (const QJsonValue &candidate : subscriptions) {
        if (candidate[u"metadata"_s][u"tenant_id"_s].toString() == tenant)
            subscription = candidate[u"id"_s].toString();
    }
    QVERIFY2(subscription.startsWith(u"sub_"_s), qPrintable(u"no subscription of "_s + tenant));

    QProcess emulator;
    emulator.setProcessChannelMode(QProcess::MergedChannels);
    emulator.start(QStringLiteral(BILLING_BUILD_DIR "/tests/emulator/stripe-emulator"),
                   {u"--port"_s, QString::number(m_stripePort), u"--state-file"_s, stateFile.fileName(),
                    u"--webhook-secret"_s, u"whsec_nobodylistens"_s, u"--webhook-url"_s,
                    u"http://127.0.0.1:%1/payments/stripe/webhook"_s.arg(m_servicePort)});
    QVERIFY(emulator.waitForReadyRead(10'000));
    const test::HttpTestClient::Reply failed = m_client.send(
        "POST", QUrl(u"http://127.0.0.1:%1/_emulator/subscriptions/%2/fail_renewal"_s.arg(m_stripePort)
                         .arg(subscription)));
    QVERIFY2(failed.status == 200, failed.body.constData());
    // Its delivery fails (nobody listens); give it the time to try, then kill it.
    QTRY_VERIFY(m_client.get(QUrl(u"http://127.0.0.1:%1/_emulator/deliveries"_s.arg(m_stripePort)))
                    .json()
                    .value(u"idle"_s)
                    .toBool());
    emulator.kill();
    QVERIFY(emulator.waitForFinished());
}

void TestDemoRerun::staffActionsWorkOnTheSecondRun_data()
{
    QTest::addColumn<bool>("killEmulator");
    QTest::newRow("stopped with Ctrl-C") << false;
    QTest::newRow("emulator killed with SIGKILL, then Ctrl-C") << true;
}

void TestDemoRerun::staffActionsWorkOnTheSecondRun()
{
    QFETCH(bool, killEmulator);
    QString output;
    QVERIFY2(startDemo(&output), qPrintable(output));
    QVERIFY2(output.contains(u"demo-data: 4 tenants sold"_s), qPrintable(output));
    cancelAndOpenPortal(u"acme"_s);
    if (QTest::currentTestFailed())
        return;

    if (killEmulator) {
        const QByteArray stateFile = (demoDir() + u"/stripe-emulator-state.json"_s).toUtf8();
        const QList<qint64> emulators = processesWith(stateFile);
        QCOMPARE(emulators.size(), 1);
        QCOMPARE(::kill(pid_t(emulators.first()), SIGKILL), 0);
        QTRY_VERIFY(processesWith(stateFile).isEmpty());
    }
    QVERIFY2(stopDemo(&output), qPrintable(output));
    if (killEmulator) {
        // Stripe moves on while the service is down: globex's renewal fails.
        // The emulator cannot deliver that, and is killed before it could retry.
        failRenewalWhileTheServiceIsDown(u"globex"_s);
        if (QTest::currentTestFailed())
            return;
    }

    QVERIFY2(startDemo(&output), qPrintable(output));
    QVERIFY2(output.contains(u"continuing the demo from the last run"_s), qPrintable(output));
    if (killEmulator) {
        // Delivered on the second run, as Stripe's retries would.
        QTRY_COMPARE_WITH_TIMEOUT(subscriptionOf(u"globex"_s).value(u"status"_s).toString(), u"past_due"_s,
                                  15'000);
        QCOMPARE(admin("GET", u"/dunning?tenant=globex"_s).json().value(u"data"_s).toArray().size(), 1);
    }
    QVERIFY2(!output.contains(u"demo-data:"_s), qPrintable(output)); // nothing sold twice
    const QJsonObject acme = subscriptionOf(u"acme"_s);
    QVERIFY2(acme.value(u"cancel_at_period_end"_s).toBool(), "the first run's cancellation is gone");
    QCOMPARE(acme.value(u"status"_s).toString(), u"active"_s);
    cancelAndOpenPortal(u"initech"_s);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(subscriptionOf(u"acme"_s).value(u"cancel_at_period_end"_s).toBool());
    QCOMPARE(admin("GET", u"/subscriptions"_s).json().value(u"data"_s).toArray().size(), 4);
    QVERIFY2(stopDemo(&output), qPrintable(output));
}

void TestDemoRerun::startsOverWhenTheEmulatorsAccountIsLost()
{
    QString output;
    QVERIFY2(startDemo(&output), qPrintable(output));
    cancelAndOpenPortal(u"acme"_s);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(stopDemo(&output), qPrintable(output));
    QFile state(demoDir() + u"/stripe-emulator-state.json"_s);
    QVERIFY(state.open(QIODevice::WriteOnly | QIODevice::Truncate));
    state.write(R"({"format":"agencyos-billing-stripe-emulator-state","version":1,"counter":)");
    state.close();

    QVERIFY2(startDemo(&output), qPrintable(output));
    QVERIFY2(output.contains(u"the emulator's account cannot be read: starting the demo over"_s),
             qPrintable(output));
    QVERIFY2(output.contains(u"demo-data: 4 tenants sold"_s), qPrintable(output));
    // The old run's files are kept, not deleted: they may hold someone's work.
    const QStringList kept = QDir(demoDir()).entryList({u"previous-*"_s}, QDir::Dirs);
    QCOMPARE(kept.size(), 1);
    QVERIFY(QFile::exists(demoDir() + u"/"_s + kept.first() + u"/billing.sqlite3"_s));
    QVERIFY(QFile::exists(demoDir() + u"/"_s + kept.first() + u"/stripe-emulator-state.json"_s));
    // A new demo, consistent again: nothing cancelled, and staff actions work.
    QVERIFY(!subscriptionOf(u"acme"_s).value(u"cancel_at_period_end"_s).toBool());
    cancelAndOpenPortal(u"acme"_s);
    QVERIFY2(stopDemo(&output), qPrintable(output));
}

QTEST_GUILESS_MAIN(TestDemoRerun)
#include "tst_demorerun.moc"
