#pragma once

#include "StripeJob.h"

#include <QObject>

namespace billing {

// Stripe's REST API over an injected QNetworkAccessManager. Each call returns
// a started StripeJob; connect to its finished() signal.
class StripeClient final : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QUrl apiBase;
        QString secretKey;
        QString apiVersion;
        RetryPolicy retry;
        std::chrono::milliseconds timeout{30000};
        qint64 maxResponseBytes = 8 * 1024 * 1024;
    };

    StripeClient(QNetworkAccessManager *network, const Options &options, QObject *parent = nullptr);

    StripeJob *send(StripeRequest request);
    StripeJob *get(const QString &path, const FormParams &query = {});
    StripeJob *post(const QString &path, const FormParams &params, const QString &idempotencyKey = {});
    StripeJob *del(const QString &path);

Q_SIGNALS:
    // Every call, once it has its final answer (retries included): for metrics.
    void requestFinished(const QByteArray &method, const QString &path, int httpStatus, double seconds);

private:
    QNetworkAccessManager *m_network;
    StripeJob::Settings m_jobSettings;
};

} // namespace billing
