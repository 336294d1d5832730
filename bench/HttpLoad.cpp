#include "HttpLoad.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace bench {

namespace {

// One keep-alive connection with one request in flight. The driver is plain
// non-blocking sockets and epoll: with QTcpSocket the load generator needed a
// whole core of the two at ~5,000 requests/s, and measured itself.
struct Connection
{
    int fd = -1;
    int current = -1;
    QByteArray request;
    qsizetype written = 0;
    QByteArray received;
    std::chrono::steady_clock::time_point sentAt;
    bool open = false;
};

qint64 contentLength(const QByteArray &head)
{
    // Header names are case-insensitive; look for the value after "content-length:".
    const QByteArray lower = head.toLower();
    const qsizetype at = lower.indexOf("\r\ncontent-length:");
    if (at < 0)
        return 0;
    qsizetype i = at + 17;
    while (i < head.size() && head[i] == ' ')
        ++i;
    qint64 length = 0;
    while (i < head.size() && head[i] >= '0' && head[i] <= '9')
        length = length * 10 + (head[i++] - '0');
    return length;
}

} // namespace

Figures drive(quint16 port, int concurrency, int total, const std::function<QByteArray(int)> &nextRequest)
{
    using Clock = std::chrono::steady_clock;
    Figures figures;
    std::vector<qint64> latencies;
    latencies.reserve(size_t(total));
    int nextIndex = 0;
    int openConnections = 0;

    const int epoll = epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0)
        qFatal("epoll_create1: %s", strerror(errno));
    std::vector<Connection> connections(static_cast<size_t>(concurrency));

    auto close = [&](Connection &connection) {
        if (!connection.open)
            return;
        ::close(connection.fd);
        connection.open = false;
        --openConnections;
    };
    auto watch = [&](Connection &connection, quint32 events) {
        epoll_event event{};
        event.events = events;
        event.data.ptr = &connection;
        epoll_ctl(epoll, EPOLL_CTL_MOD, connection.fd, &event);
    };
    // Writes what the socket takes; the rest waits for EPOLLOUT.
    auto flush = [&](Connection &connection) {
        while (connection.written < connection.request.size()) {
            const ssize_t n = ::send(connection.fd, connection.request.constData() + connection.written,
                                     size_t(connection.request.size() - connection.written), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN)
                    return watch(connection, EPOLLIN | EPOLLOUT);
                ++figures.failures;
                return close(connection);
            }
            connection.written += n;
        }
        watch(connection, EPOLLIN);
    };
    auto sendNext = [&](Connection &connection) {
        if (nextIndex >= total)
            return close(connection);
        connection.current = nextIndex++;
        connection.request = nextRequest(connection.current);
        connection.written = 0;
        connection.received.clear();
        connection.sentAt = Clock::now();
        flush(connection);
    };
    // True when a whole answer was read and the next request is on its way.
    auto takeAnswer = [&](Connection &connection) {
        const qsizetype headerEnd = connection.received.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const qint64 length = contentLength(connection.received.left(headerEnd + 2));
        if (connection.received.size() < headerEnd + 4 + length)
            return;
        // Latencies and the rate are of the 200 answers: a run that mixes in
        // requests meant to be refused measures the others.
        if (connection.received.startsWith("HTTP/1.1 200")) {
            latencies.push_back(
                std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - connection.sentAt)
                    .count());
            figures.acknowledgedIndexes.push_back(connection.current);
        } else {
            ++figures.failures;
        }
        sendNext(connection);
    };

    const Clock::time_point wallStart = Clock::now();
    for (Connection &connection : connections) {
        connection.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        const int one = 1;
        setsockopt(connection.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(connection.fd, reinterpret_cast<sockaddr *>(&address), sizeof address) < 0 &&
            errno != EINPROGRESS) {
            qFatal("connect to port %u: %s", port, strerror(errno));
        }
        connection.open = true;
        ++openConnections;
        epoll_event event{};
        event.events = EPOLLOUT;
        event.data.ptr = &connection;
        epoll_ctl(epoll, EPOLL_CTL_ADD, connection.fd, &event);
    }

    std::vector<epoll_event> ready(static_cast<size_t>(concurrency));
    char chunk[65536];
    while (openConnections > 0) {
        const int count = epoll_wait(epoll, ready.data(), concurrency, 30000);
        if (count < 0 && errno == EINTR)
            continue;
        if (count <= 0)
            qFatal("no answer from port %u for 30 s", port);
        for (int i = 0; i < count; ++i) {
            Connection &connection = *static_cast<Connection *>(ready[size_t(i)].data.ptr);
            if (!connection.open)
                continue;
            const quint32 events = ready[size_t(i)].events;
            if (events & (EPOLLERR | EPOLLHUP)) {
                ++figures.failures;
                close(connection);
                continue;
            }
            if (connection.current < 0) { // connected
                sendNext(connection);
                continue;
            }
            if ((events & EPOLLOUT) && connection.written < connection.request.size())
                flush(connection);
            if (!(events & EPOLLIN))
                continue;
            const ssize_t n = ::recv(connection.fd, chunk, sizeof chunk, 0);
            if (n <= 0) {
                if (n < 0 && errno == EAGAIN)
                    continue;
                ++figures.failures; // the service closed with an answer outstanding
                close(connection);
                continue;
            }
            connection.received.append(chunk, n);
            takeAnswer(connection);
        }
    }
    ::close(epoll);
    const double seconds =
        double(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - wallStart).count()) / 1e9;

    figures.acknowledged = int(figures.acknowledgedIndexes.size());
    std::sort(latencies.begin(), latencies.end());
    figures.perSecond = double(latencies.size()) / seconds;
    figures.medianMs = latencies.empty() ? 0 : double(latencies[latencies.size() / 2]) / 1e6;
    figures.p999Ms =
        latencies.empty()
            ? 0
            : double(latencies[std::min(latencies.size() - 1, latencies.size() * 999 / 1000)]) / 1e6;
    figures.maxMs = latencies.empty() ? 0 : double(latencies.back()) / 1e6;
    figures.p99Ms =
        latencies.empty()
            ? 0
            : double(latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)]) / 1e6;
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

QProcessEnvironment serviceEnvironment(const QString &dataDir,
                                       const QList<std::pair<QString, QString>> &extra)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    const QList<std::pair<QString, QString>> settings = {
        {u"STRIPE_SECRET_KEY"_s, u"sk_test_benchmark0000000000"_s},
        {u"STRIPE_WEBHOOK_SECRET"_s, u"whsec_benchmark/secret"_s},
        {u"STRIPE_PRICE_SOLO"_s, u"price_solo"_s},
        {u"STRIPE_PRICE_TEAM"_s, u"price_team"_s},
        {u"STRIPE_PRICE_ENTERPRISE"_s, u"price_enterprise"_s},
        {u"BILLING_DATA_DIR"_s, dataDir},
        {u"BILLING_API_TOKEN"_s, u"bench-token-0123456789abcdef0123456789abcdef"_s},
        {u"BILLING_ALLOWED_REDIRECT_HOSTS"_s, u"app.agencyos.network"_s},
        {u"QT_LOGGING_RULES"_s, u"billing.*.info=false"_s},
    };
    for (const auto &[key, value] : settings)
        environment.insert(key, value);
    for (const auto &[key, value] : extra)
        environment.insert(key, value);
    return environment;
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
