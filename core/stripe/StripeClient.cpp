#include "StripeClient.h"

#include <QElapsedTimer>

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace billing {

StripeClient::StripeClient(QNetworkAccessManager *network, const Options &options, QObject *parent)
    : QObject(parent)
    , m_network(network)
{
    m_jobSettings.apiBase = options.apiBase;
    m_jobSettings.authorization = "Bearer " + options.secretKey.toUtf8();
    m_jobSettings.apiVersion = options.apiVersion.toUtf8();
    m_jobSettings.userAgent = "AgencyOSBilling/" + QCoreApplication::applicationVersion().toUtf8();
    m_jobSettings.retry = options.retry;
    m_jobSettings.timeout = options.timeout;
    m_jobSettings.maxResponseBytes = options.maxResponseBytes;
}

StripeJob *StripeClient::send(StripeRequest request)
{
    const QByteArray method = request.method;
    const QString path = request.path;
    auto *job = new StripeJob(m_network, m_jobSettings, std::move(request), this);
    QElapsedTimer timer;
    timer.start();
    connect(job, &StripeJob::finished, this, [this, method, path, timer](const StripeResult &result) {
        Q_EMIT requestFinished(method, path, result.httpStatus, double(timer.nsecsElapsed()) / 1e9);
    });
    job->start();
    return job;
}

StripeJob *StripeClient::get(const QString &path, const FormParams &query)
{
    return send({"GET", path, query, {}});
}

StripeJob *StripeClient::post(const QString &path, const FormParams &params, const QString &idempotencyKey)
{
    return send({"POST", path, params, idempotencyKey});
}

StripeJob *StripeClient::del(const QString &path)
{
    return send({"DELETE", path, {}, {}});
}

} // namespace billing
