#include "ServerProcess.h"

#include "HttpTestClient.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace billing::test {

ServerProcess::ServerProcess(QString binary, QString workDir)
    : m_binary(std::move(binary))
    , m_workDir(std::move(workDir))
{}

ServerProcess::~ServerProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished();
    }
}

QHash<QString, QString> ServerProcess::databaseSettings(const TestDatabase &database)
{
    const DatabaseUrl &url = database.url();
    if (url.dialect() == SqlDialect::Sqlite)
        return {{u"BILLING_DATABASE_URL"_s, u"sqlite://"_s + url.sqlitePath()}};
    QHash<QString, QString> settings{
        {u"BILLING_DATABASE_URL"_s,
         u"postgresql://%1@%2:%3/%4"_s.arg(url.user(), url.host()).arg(url.port()).arg(url.databaseName())}};
    if (!url.password().isEmpty())
        settings.insert(u"PGPASSWORD"_s, url.password());
    return settings;
}

QHash<QString, QString> ServerProcess::testSettings(const TestDatabase &database, const QString &dataDir,
                                                    const QString &stripeApiBase)
{
    QHash<QString, QString> settings = databaseSettings(database);
    settings.insert({
        {u"STRIPE_SECRET_KEY"_s, u"sk_test_51ServerProcessTestKey000"_s},
        {u"STRIPE_WEBHOOK_SECRET"_s, u"whsec_test/server/process"_s},
        {u"STRIPE_PRICE_SOLO"_s, u"price_demo_solo"_s},
        {u"STRIPE_PRICE_TEAM"_s, u"price_demo_team"_s},
        {u"STRIPE_PRICE_ENTERPRISE"_s, u"price_demo_enterprise"_s},
        {u"BILLING_DATA_DIR"_s, dataDir},
        {u"BILLING_API_TOKEN"_s, u"server-process-test-token-0123456789abcdef"_s},
        {u"BILLING_ALLOWED_REDIRECT_HOSTS"_s, u"app.agencyos.network"_s},
        {u"BILLING_PORTAL_RETURN_URL"_s, u"https://app.agencyos.network/account"_s},
    });
    if (!stripeApiBase.isEmpty())
        settings.insert(u"STRIPE_API_BASE"_s, stripeApiBase);
    return settings;
}

QProcessEnvironment ServerProcess::environment(const QHash<QString, QString> &settings)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : env.keys()) {
        if (key.startsWith(u"STRIPE_") || key.startsWith(u"BILLING_"))
            env.remove(key);
    }
    for (auto it = settings.cbegin(); it != settings.cend(); ++it)
        env.insert(it.key(), it.value());
    return env;
}

int ServerProcess::run(const QStringList &arguments, const QHash<QString, QString> &settings, QString *out,
                       QString *err)
{
    QProcess process;
    process.setProcessEnvironment(environment(settings));
    process.setWorkingDirectory(m_workDir); // no stray ./.env
    process.start(m_binary, arguments);
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        return -1;
    }
    if (out)
        *out = QString::fromUtf8(process.readAllStandardOutput());
    if (err)
        *err = QString::fromUtf8(process.readAllStandardError());
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

bool ServerProcess::start(const QHash<QString, QString> &settings, QString *output)
{
    m_process.setProcessEnvironment(environment(settings));
    m_process.setWorkingDirectory(m_workDir);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start(m_binary, {u"serve"_s, u"--port"_s, u"0"_s});
    static const QRegularExpression listening(u"listening on http://127\\.0\\.0\\.1:(\\d+)"_s);
    // Only this start's output is searched: `output` may hold an earlier one's.
    QString printed;
    QElapsedTimer timer;
    timer.start();
    bool started = false;
    while (timer.elapsed() < 30000) {
        if (!m_process.waitForReadyRead(200) && m_process.state() == QProcess::NotRunning)
            break;
        printed += QString::fromUtf8(m_process.readAll());
        const QRegularExpressionMatch match = listening.match(printed);
        if (match.hasMatch()) {
            m_port = quint16(match.captured(1).toUInt());
            started = true;
            break;
        }
    }
    *output += printed;
    return started;
}

bool ServerProcess::stop()
{
    m_process.terminate();
    return m_process.waitForFinished(15000) && m_process.exitStatus() == QProcess::NormalExit &&
           m_process.exitCode() == 0;
}

QString ServerProcess::sellSubscription(quint16 emulatorPort, const QByteArray &apiToken,
                                        const QString &tenantId, const QString &plan,
                                        const QString &customerEmail) const
{
    QJsonObject body{{u"plan_id"_s, plan},
                     {u"tenant_id"_s, tenantId},
                     {u"success_url"_s, u"https://app.agencyos.network/ok"_s},
                     {u"cancel_url"_s, u"https://app.agencyos.network/cancel"_s}};
    if (!customerEmail.isEmpty())
        body.insert(u"customer_email"_s, customerEmail);
    HttpTestClient http;
    const auto created = http.postJson(QUrl(baseUrl() + u"/payments/stripe/checkout"_s), body,
                                       {{"Authorization"_ba, "Bearer " + apiToken}});
    const QString session = created.json().value(u"id"_s).toString();
    if (created.status != 200 || session.isEmpty())
        return {};
    const auto completed = http.send(
        "POST",
        QUrl(
            u"http://127.0.0.1:%1/_emulator/checkout/sessions/%2/complete"_s.arg(emulatorPort).arg(session)));
    return completed.status == 200
               ? completed.json().value(u"subscription"_s).toObject().value(u"id"_s).toString()
               : QString();
}

QString ServerProcess::baseUrl() const
{
    return u"http://127.0.0.1:%1"_s.arg(m_port);
}

} // namespace billing::test
