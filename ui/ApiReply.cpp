#include "ApiReply.h"

#include <QJsonDocument>
#include <QNetworkReply>

using namespace Qt::StringLiterals;

namespace billing::ui {

ApiReply::ApiReply(QNetworkReply *reply, const QString &serviceUrl, QObject *parent)
    : QObject(parent)
    , m_reply(reply)
    , m_serviceUrl(serviceUrl)
{
    connect(reply, &QNetworkReply::downloadProgress, this, [this](qint64 received, qint64) {
        if (received > MaxResponseBytes && m_reply) {
            m_tooLarge = true;
            m_reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this, &ApiReply::onFinished);
}

ApiReply::~ApiReply()
{
    // The reply stays the network manager's child, so it cannot outlive it.
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void ApiReply::abort()
{
    if (m_done)
        return;
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
    finish(Error::Aborted, tr("The request was cancelled."));
}

void ApiReply::onFinished()
{
    if (m_done || !m_reply)
        return;
    const QByteArray body = m_reply->readAll();
    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    m_httpStatus = status.isValid() ? status.toInt() : 0;

    if (m_tooLarge) {
        finish(Error::Http, tr("The service's answer was larger than %1 MiB.").arg(MaxResponseBytes >> 20));
        return;
    }
    if (m_httpStatus == 0) {
        QString reason = m_reply->errorString();
        if (m_reply->error() == QNetworkReply::OperationCanceledError)
            reason = tr("no answer in time");
        finish(Error::Network, tr("The service at %1 is unreachable: %2").arg(m_serviceUrl, reason));
        return;
    }

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (m_httpStatus < 200 || m_httpStatus >= 300) {
        const QString message = document.object().value("error"_L1).toObject().value("message"_L1).toString();
        finish(Error::Http,
               message.isEmpty() ? tr("The service answered HTTP %1.").arg(m_httpStatus) : message);
        return;
    }
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        finish(Error::InvalidJson, tr("The service's answer is not a JSON object."));
        return;
    }
    m_json = document.object();
    finish(Error::None, QString());
}

void ApiReply::finish(Error error, const QString &message)
{
    m_done = true;
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->deleteLater();
        m_reply.clear();
    }
    m_error = error;
    m_errorMessage = message;
    Q_EMIT finished();
    deleteLater();
}

} // namespace billing::ui
