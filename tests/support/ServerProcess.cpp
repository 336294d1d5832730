#include "ServerProcess.h"

#include <QElapsedTimer>
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
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 30000) {
        if (!m_process.waitForReadyRead(200) && m_process.state() == QProcess::NotRunning)
            break;
        *output += QString::fromUtf8(m_process.readAll());
        const QRegularExpressionMatch match = listening.match(*output);
        if (match.hasMatch()) {
            m_port = quint16(match.captured(1).toUInt());
            return true;
        }
    }
    return false;
}

bool ServerProcess::stop()
{
    m_process.terminate();
    return m_process.waitForFinished(15000) && m_process.exitStatus() == QProcess::NormalExit &&
           m_process.exitCode() == 0;
}

QString ServerProcess::baseUrl() const
{
    return u"http://127.0.0.1:%1"_s.arg(m_port);
}

} // namespace billing::test
