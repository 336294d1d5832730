#include "HttpLoad.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QRegularExpression>
#include <QTcpSocket>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;

namespace bench {

namespace {

class Connection final : public QObject
{
public:
    Connection(quint16 port, const std::function<QByteArray(int)> &nextRequest, int *nextIndex, int total)
        : m_port(port)
        , m_nextRequest(nextRequest)
        , m_nextIndex(nextIndex)
        , m_total(total)
    {
        connect(&m_socket, &QTcpSocket::readyRead, this, &Connection::onReadyRead);
        connect(&m_socket, &QTcpSocket::connected, this, &Connection::sendOne);
        connect(&m_socket, &QTcpSocket::errorOccurred, this, [this] {
            ++failures;
            finish();
        });
    }

    void start() { m_socket.connectToHost(QHostAddress::LocalHost, m_port); }

    std::function<void()> onDone;
    std::vector<qint64> latenciesNs;
    std::vector<int> acknowledged;
    int failures = 0;

private:
    void finish()
    {
        if (m_done)
            return;
        m_done = true;
        m_socket.disconnectFromHost();
        onDone();
    }

    void sendOne()
    {
        if (*m_nextIndex >= m_total) {
            finish();
            return;
        }
        m_current = (*m_nextIndex)++;
        m_buffer.clear();
        m_timer.start();
        m_socket.write(m_nextRequest(m_current));
    }

    void onReadyRead()
    {
        m_buffer += m_socket.readAll();
        const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        static const QRegularExpression lengthPattern(u"content-length:\\s*(\\d+)"_s,
                                                      QRegularExpression::CaseInsensitiveOption);
        const qsizetype length =
            lengthPattern.match(QString::fromLatin1(m_buffer.left(headerEnd))).captured(1).toLongLong();
        if (m_buffer.size() < headerEnd + 4 + length)
            return;
        latenciesNs.push_back(m_timer.nsecsElapsed());
        if (m_buffer.startsWith("HTTP/1.1 200"))
            acknowledged.push_back(m_current);
        else
            ++failures;
        sendOne();
    }

    quint16 m_port;
    const std::function<QByteArray(int)> &m_nextRequest;
    int *m_nextIndex;
    int m_total;
    int m_current = -1;
    bool m_done = false;
    QTcpSocket m_socket;
    QByteArray m_buffer;
    QElapsedTimer m_timer;
};

} // namespace

Figures drive(quint16 port, int concurrency, int total, const std::function<QByteArray(int)> &nextRequest)
{
    std::vector<std::unique_ptr<Connection>> connections;
    int finished = 0;
    int nextIndex = 0;
    QEventLoop loop;
    QElapsedTimer wall;
    wall.start();
    for (int i = 0; i < concurrency; ++i) {
        auto connection = std::make_unique<Connection>(port, nextRequest, &nextIndex, total);
        connection->onDone = [&] {
            if (++finished == concurrency)
                loop.quit();
        };
        connection->start();
        connections.push_back(std::move(connection));
    }
    loop.exec();
    const double seconds = double(wall.nsecsElapsed()) / 1e9;

    std::vector<qint64> all;
    Figures figures;
    for (const auto &connection : connections) {
        all.insert(all.end(), connection->latenciesNs.begin(), connection->latenciesNs.end());
        figures.failures += connection->failures;
        figures.acknowledgedIndexes.insert(figures.acknowledgedIndexes.end(),
                                           connection->acknowledged.begin(), connection->acknowledged.end());
    }
    figures.acknowledged = int(figures.acknowledgedIndexes.size());
    std::sort(all.begin(), all.end());
    figures.perSecond = double(all.size()) / seconds;
    figures.medianMs = all.empty() ? 0 : double(all[all.size() / 2]) / 1e6;
    figures.p99Ms = all.empty() ? 0 : double(all[std::min(all.size() - 1, all.size() * 99 / 100)]) / 1e6;
    return figures;
}

QByteArray httpPost(const QByteArray &path, const QByteArray &contentType, const QByteArray &body,
                    const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QByteArray request = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType +
                         "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    for (const auto &[name, value] : headers)
        request += name + ": " + value + "\r\n";
    return request + "\r\n" + body;
}

quint16 startAndWaitForPort(QProcess &process, const QString &program, const QStringList &arguments)
{
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start(program, arguments);
    static const QRegularExpression listening(u"listening on http://127\\.0\\.0\\.1:(\\d+)"_s);
    QString output;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 20000) {
        if (!process.waitForReadyRead(200) && process.state() != QProcess::Running)
            break;
        output += QString::fromUtf8(process.readAllStandardOutput());
        const QRegularExpressionMatch match = listening.match(output);
        if (match.hasMatch())
            return quint16(match.captured(1).toUInt());
    }
    qFatal("%s did not start: %s", qPrintable(program), qPrintable(output));
}

double peakMemoryMiB(qint64 pid)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').constFirst().toDouble() / 1024.0;
    }
    return -1;
}

} // namespace bench
