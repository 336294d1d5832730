#pragma once

#include "TestDatabase.h"

#include <QHash>
#include <QProcess>
#include <QTemporaryDir>

namespace billing::test {

// agencyos-billing-server running as a real process, as ops run it: the
// environment holds its settings (nothing of the developer's leaks in), it
// listens on a free port, and stop() sends SIGTERM.
class ServerProcess final
{
public:
    ServerProcess(QString binary, QString workDir);
    ~ServerProcess();

    // Settings for the test database (SQLite file or PostgreSQL).
    static QHash<QString, QString> databaseSettings(const TestDatabase &database);
    // A complete, valid test configuration on that database and data
    // directory (fake test-mode keys, the demo prices, Stripe at stripeApiBase);
    // tests insert what they need to differ.
    static QHash<QString, QString> testSettings(const TestDatabase &database, const QString &dataDir,
                                                const QString &stripeApiBase = {});
    static QProcessEnvironment environment(const QHash<QString, QString> &settings);

    // Runs a command to completion; returns its exit code (-1 when it did not finish).
    int run(const QStringList &arguments, const QHash<QString, QString> &settings, QString *out = nullptr,
            QString *err = nullptr);
    // Starts `serve --port 0` and waits for its port; false (with the output) when it did not listen.
    bool start(const QHash<QString, QString> &settings, QString *output);
    bool stop();
    // SIGKILL: no clean-up, as a power cut or the OOM killer would do it.
    void kill()
    {
        m_process.kill();
        m_process.waitForFinished();
    }
    // What the serving process printed since start() returned (stdout and stderr).
    QString output() { return QString::fromUtf8(m_process.readAll()); }
    quint16 port() const { return m_port; }
    qint64 pid() const { return m_process.processId(); }
    // Sells through the real flow: a checkout session from this service, completed in
    // the Stripe emulator on emulatorPort (which then sends its webhooks). The
    // subscription id, or empty when a step failed.
    QString sellSubscription(quint16 emulatorPort, const QByteArray &apiToken, const QString &tenantId,
                             const QString &plan, const QString &customerEmail = {}) const;
    QString baseUrl() const;

private:
    QString m_binary;
    QString m_workDir;
    QProcess m_process;
    quint16 m_port = 0;
};

} // namespace billing::test
