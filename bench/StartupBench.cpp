// bench_startup: how fast agencyos-billing-server is up, and how little it
// holds while idle.
//
// Migrates a fresh SQLite database once, then starts `serve` N times and
// times each start from exec to the "listening on" line (migrations checked,
// socket bound); the last instance idles a few seconds and its resident
// memory is read from /proc.
//
//   bench_startup [--starts N] [--idle-seconds S]

#include "HttpLoad.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

double residentMiB(qint64 pid)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').constFirst().toDouble() / 1024.0;
    }
    return -1;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Start time and idle memory of agencyos-billing-server"_s);
    parser.addHelpOption();
    parser.addOption({u"starts"_s, u"Starts to time."_s, u"n"_s, u"10"_s});
    parser.addOption({u"idle-seconds"_s, u"Idle time before memory is read."_s, u"s"_s, u"5"_s});
    parser.process(app);
    const int starts = std::max(1, parser.value(u"starts"_s).toInt());

    QTemporaryDir dir;
    const QProcessEnvironment environment =
        bench::serviceEnvironment(dir.path(), {{u"BILLING_DUNNING_COMMAND"_s, u"/bin/true"_s}});

    QProcess migrate;
    migrate.setProcessEnvironment(environment);
    migrate.start(QStringLiteral(BENCH_SERVER_BINARY), {u"migrate"_s});
    if (!migrate.waitForFinished(30000) || migrate.exitCode() != 0)
        qFatal("migrate failed");

    std::vector<double> times;
    double idleMiB = 0;
    double peakMiB = 0;
    for (int i = 0; i < starts; ++i) {
        QProcess server;
        server.setProcessEnvironment(environment);
        server.setWorkingDirectory(dir.path());
        QElapsedTimer timer;
        timer.start();
        bench::startAndWaitForPort(server, QStringLiteral(BENCH_SERVER_BINARY),
                                   {u"serve"_s, u"--port"_s, u"0"_s});
        times.push_back(double(timer.nsecsElapsed()) / 1e6);
        if (i == starts - 1) {
            QThread::sleep(std::max(1, parser.value(u"idle-seconds"_s).toInt()));
            idleMiB = residentMiB(server.processId());
            peakMiB = bench::peakMemoryMiB(server.processId());
        }
        server.terminate();
        server.waitForFinished(10000);
    }
    std::sort(times.begin(), times.end());
    QTextStream out(stdout);
    out << "bench_startup: " << starts << " starts of agencyos-billing-server serve (SQLite, migrated)"
        << Qt::endl;
    out << QString::asprintf(
               "  exec to listening: median %.0f ms, fastest %.0f ms, slowest %.0f ms (target 200 ms)",
               times[times.size() / 2], times.front(), times.back())
        << Qt::endl;
    out << QString::asprintf("  idle resident memory %.1f MiB (peak %.1f MiB) (target 40 MiB)", idleMiB,
                             peakMiB)
        << Qt::endl;
    return 0;
}
