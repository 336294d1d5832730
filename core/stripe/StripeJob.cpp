#include "StripeJob.h"

#include "common/Logging.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QTimer>
#include <QUrlQuery>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

bool isConnectionError(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError: // the transfer timeout
    case QNetworkReply::SslHandshakeFailedError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::UnknownNetworkError:
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyTimeoutError: return true;
    default: return false;
    }
}

StripeError apiErrorFrom(const QJsonObject &body, int status)
{
    StripeError error;
    error.kind = StripeError::Kind::Api;
    error.httpStatus = status;
    const QJsonObject object = body.value(u"error"_s).toObject();
    error.type = object.value(u"type"_s).toString();
    error.code = object.value(u"code"_s).toString();
    error.message = object.value(u"message"_s).toString();
    error.param = object.value(u"param"_s).toString();
    error.declineCode = object.value(u"decline_code"_s).toString();
    if (error.type.isEmpty())
        error.type = u"api_error"_s;
    if (error.message.isEmpty())
        error.message = u"HTTP %1 without an error message"_s.arg(status);
    return error;
}

} // namespace

StripeJob::StripeJob(QNetworkAccessManager *network, const Settings &settings, StripeRequest request,
                     QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_settings(settings)
    , m_request(std::move(request))
{
    if (m_request.method == "POST" && m_request.idempotencyKey.isEmpty())
        m_request.idempotencyKey = QUuid::createUuid().toString(QUuid::WithoutBraces);
}

StripeJob::~StripeJob()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void StripeJob::start()
{
    sendAttempt();
}

void StripeJob::abort()
{
    m_finished = true;
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
    deleteLater();
}

QNetworkRequest StripeJob::buildRequest() const
{
    QUrl url = m_settings.apiBase;
    url.setPath(m_request.path);
    if (m_request.method != "POST" && !m_request.params.isEmpty())
        url.setQuery(QString::fromLatin1(m_request.params.encode()), QUrl::StrictMode);

    QNetworkRequest request(url);
    request.setRawHeader("Authorization", m_settings.authorization);
    request.setRawHeader("Stripe-Version", m_settings.apiVersion);
    request.setRawHeader("User-Agent", m_settings.userAgent);
    request.setRawHeader("Accept", "application/json");
    if (m_request.method == "POST") {
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/x-www-form-urlencoded"_ba);
        request.setRawHeader("Idempotency-Key", m_request.idempotencyKey.toUtf8());
    }
    request.setTransferTimeout(int(m_settings.timeout.count()));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    return request;
}

void StripeJob::sendAttempt()
{
    if (m_finished)
        return;
    ++m_attempts;
    m_tooLarge = false;
    const QNetworkRequest request = buildRequest();
    const QByteArray body = m_request.method == "POST" ? m_request.params.encode() : QByteArray();
    QNetworkReply *reply = m_network->sendCustomRequest(request, m_request.method, body);
    m_reply = reply;

    connect(reply, &QNetworkReply::downloadProgress, this, [this, reply](qint64 received, qint64 total) {
        if (received > m_settings.maxResponseBytes || total > m_settings.maxResponseBytes) {
            m_tooLarge = true;
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this, &StripeJob::onReplyFinished);
}

void StripeJob::onReplyFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply || m_finished)
        return;
    reply->deleteLater();
    m_reply = nullptr;

    StripeResult result;
    result.attempts = m_attempts;
    result.idempotencyKey = m_request.idempotencyKey;
    result.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.requestId = QString::fromLatin1(reply->rawHeader("Request-Id"));
    const QNetworkReply::NetworkError networkError = reply->error();

    if (m_tooLarge) {
        result.error.kind = StripeError::Kind::ResponseTooLarge;
        result.error.message = u"the answer exceeded %1 bytes"_s.arg(m_settings.maxResponseBytes);
        finish(std::move(result));
        return;
    }

    const bool noHttpAnswer = result.httpStatus == 0;
    RetryPolicy::Answer answer;
    answer.httpStatus = result.httpStatus;
    answer.connectionError = noHttpAnswer && isConnectionError(networkError);
    answer.shouldRetryHeader = reply->rawHeader("Stripe-Should-Retry");
    answer.retryAfterHeader = reply->rawHeader("Retry-After");

    if (noHttpAnswer) {
        const bool timedOut = networkError == QNetworkReply::OperationCanceledError ||
                              networkError == QNetworkReply::TimeoutError;
        result.error.kind = timedOut ? StripeError::Kind::Timeout : StripeError::Kind::Network;
        result.error.message = reply->errorString();
    } else {
        const QByteArray body = reply->readAll();
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
            result.error.kind = StripeError::Kind::InvalidResponse;
            result.error.httpStatus = result.httpStatus;
            result.error.message = u"HTTP %1 with a body that is not a JSON object"_s.arg(result.httpStatus);
        } else if (result.httpStatus >= 200 && result.httpStatus < 300) {
            result.object = document.object();
        } else {
            result.error = apiErrorFrom(document.object(), result.httpStatus);
        }
    }
    result.error.requestId = result.requestId;

    if (result.error.isError()) {
        const std::optional<std::chrono::milliseconds> delay =
            m_settings.retry.nextDelay(m_attempts, answer, QRandomGenerator::global()->generateDouble());
        if (delay) {
            qCInfo(lcStripe).noquote()
                << m_request.method << m_request.path << "attempt" << m_attempts << "failed ("
                << result.error.summary() << "); retrying in" << delay->count() << "ms";
            QTimer::singleShot(*delay, this, &StripeJob::sendAttempt);
            return;
        }
    }
    finish(std::move(result));
}

void StripeJob::finish(StripeResult result)
{
    m_finished = true;
    if (result.ok()) {
        qCDebug(lcStripe).noquote() << m_request.method << m_request.path << result.httpStatus
                                    << result.requestId;
    } else {
        qCWarning(lcStripe).noquote() << m_request.method << m_request.path << "failed after"
                                      << result.attempts << "attempt(s):" << result.error.summary();
    }
    Q_EMIT finished(result);
    deleteLater();
}

} // namespace billing
