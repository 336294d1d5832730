#include "HttpService.h"

#include "LowDelayTcpServer.h"

#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QSslKey>
#include <QTcpServer>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get: return "GET"_ba;
    case QHttpServerRequest::Method::Put: return "PUT"_ba;
    case QHttpServerRequest::Method::Delete: return "DELETE"_ba;
    case QHttpServerRequest::Method::Post: return "POST"_ba;
    case QHttpServerRequest::Method::Head: return "HEAD"_ba;
    case QHttpServerRequest::Method::Options: return "OPTIONS"_ba;
    case QHttpServerRequest::Method::Patch: return "PATCH"_ba;
    case QHttpServerRequest::Method::Connect: return "CONNECT"_ba;
    case QHttpServerRequest::Method::Trace: return "TRACE"_ba;
    default: break;
    }
    return "UNKNOWN"_ba;
}

QStringList pathSegments(const QString &path)
{
    return path.split(u'/', Qt::SkipEmptyParts);
}

// A request path's segments, split where the path has a '/' and then decoded:
// /events/evt%5F1 names evt_1, and an encoded %2F stays inside its segment.
QStringList decodedPathSegments(const QString &encodedPath)
{
    QStringList segments = pathSegments(encodedPath);
    for (QString &segment : segments)
        segment = QUrl::fromPercentEncoding(segment.toUtf8());
    return segments;
}

// Matches a route's segments against a path's, filling the {placeholders}.
bool matches(const QStringList &pattern, const QStringList &path, QHash<QString, QString> *args)
{
    if (pattern.size() != path.size())
        return false;
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const QString &expected = pattern[i];
        if (expected.startsWith(u'{') && expected.endsWith(u'}'))
            args->insert(expected.mid(1, expected.size() - 2), path[i]);
        else if (expected != path[i])
            return false;
    }
    return true;
}

} // namespace

HttpService::HttpService(QObject *parent)
    : QObject(parent)
    , m_http(new QHttpServer(this))
{
    // Every request goes through our dispatch: QHttpServer's own router is not used.
    m_http->setMissingHandler([this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        dispatch(request, HttpResponder(std::move(responder)));
    });
}

HttpService::~HttpService() = default;

void HttpService::addRoute(const QByteArray &method, const QString &pattern, Handler handler)
{
    m_routes.push_back({method, pathSegments(pattern), std::move(handler)});
}

void HttpService::dispatch(const QHttpServerRequest &request, HttpResponder responder)
{
    HttpRequest copy;
    copy.method = methodName(request.method());
    copy.path = request.url().path(QUrl::FullyEncoded);
    copy.query = request.query();
    copy.headers = request.headers();
    copy.body = request.body();
    copy.remoteAddress = request.remoteAddress();

    const QStringList segments = decodedPathSegments(copy.path);
    QByteArrayList allowed;
    for (const Route &route : m_routes) {
        QHash<QString, QString> args;
        if (!matches(route.segments, segments, &args))
            continue;
        if (route.method != copy.method) {
            allowed << route.method;
            continue;
        }
        copy.pathArgs = std::move(args);
        route.handler(copy, std::move(responder));
        return;
    }

    if (!allowed.isEmpty()) {
        ApiError error{405,
                       u"invalid_request_error"_s,
                       u"%1 is not allowed on %2; use %3"_s.arg(QString::fromLatin1(copy.method), copy.path,
                                                                QString::fromLatin1(allowed.join(", "))),
                       {},
                       {},
                       {{"Allow"_ba, allowed.join(", ")}}};
        responder.sendError(error);
        return;
    }
    responder.sendError(ApiError::notFound(u"no route for %1"_s.arg(copy.path)));
}

Result<QSslConfiguration> HttpService::tlsConfiguration(const QString &certificateFile,
                                                        const QString &keyFile)
{
    QFile certificate(certificateFile);
    QFile key(keyFile);
    if (!certificate.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Io, u"cannot read the TLS certificate or key file"_s};
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certificate.readAll(), QSsl::Pem);
    const QByteArray pem = key.readAll();
    QSslKey privateKey(pem, QSsl::Rsa, QSsl::Pem);
    if (privateKey.isNull())
        privateKey = QSslKey(pem, QSsl::Ec, QSsl::Pem);
    if (chain.isEmpty() || privateKey.isNull())
        return Error{ErrorCode::InvalidInput, u"the TLS certificate or key file is not valid PEM"_s};
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(privateKey);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone); // clients are not asked for certificates
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    return configuration;
}

Result<quint16> HttpService::listen(const QHostAddress &address, quint16 port,
                                    const std::optional<QSslConfiguration> &tls)
{
    auto *tcpServer = new LowDelayTcpServer(m_http);
    tcpServer->setLimits(m_limits, m_maxConnections);
    if (tls)
        tcpServer->setTls(*tls);
    if (!tcpServer->listen(address, port)) {
        const QString reason = tcpServer->errorString();
        delete tcpServer;
        return Error{ErrorCode::Io,
                     u"cannot listen on %1 port %2: %3"_s.arg(address.toString()).arg(port).arg(reason)};
    }
    m_http->bind(tcpServer);
    m_tcpServer = tcpServer;
    return tcpServer->serverPort();
}

void HttpService::setConnectionLimits(const ConnectionGuard::Limits &limits, int maxConnections)
{
    m_limits = limits;
    m_maxConnections = maxConnections;
}

quint16 HttpService::serverPort() const
{
    return m_tcpServer ? m_tcpServer->serverPort() : 0;
}

} // namespace billing::server
