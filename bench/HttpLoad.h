#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

// Load generation shared by the benchmarks: keep-alive HTTP/1.1 connections,
// each sending one request at a time, and the figures they measure.
namespace bench {

// Rates and latencies count the 200 answers only.
struct Figures
{
    double perSecond = 0;
    double medianMs = 0;
    double p99Ms = 0;
    double p999Ms = 0;
    double maxMs = 0;
    int failures = 0;                     // answers other than 200
    int acknowledged = 0;                 // 200 answers
    std::vector<int> acknowledgedIndexes; // which requests got a 200
};

// Sends `total` requests over `concurrency` connections; nextRequest(i) makes request i.
Figures drive(quint16 port, int concurrency, int total, const std::function<QByteArray(int)> &nextRequest);

QByteArray httpPost(const QByteArray &path, const QByteArray &contentType, const QByteArray &body,
                    const QList<QPair<QByteArray, QByteArray>> &headers);

// The environment of a benchmarked service: fake test-mode settings on
// dataDir, quiet logs, and `extra` (which wins).
QProcessEnvironment serviceEnvironment(const QString &dataDir,
                                       const QList<std::pair<QString, QString>> &extra = {});

// Starts a child and returns the port it reports in its "listening on" line.
quint16 startAndWaitForPort(QProcess &process, const QString &program, const QStringList &arguments);

// The peak resident memory of a process, in MiB (VmHWM).
double peakMemoryMiB(qint64 pid);

} // namespace bench
