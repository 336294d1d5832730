#pragma once

#include "EmulatorStateFile.h"
#include "EmulatorStore.h"
#include "ParamSchema.h"
#include "WebhookSender.h"
#include "http/HttpService.h"

#include <QObject>

class QNetworkAccessManager;

namespace billing::emulator {

using server::HttpRequest;
using server::HttpResponder;
using server::HttpService;

// A local stand-in for Stripe's API, for tests and the offline demo: Stripe's
// wire format (form-encoded requests, JSON objects and lists, Stripe-shaped
// errors, Request-Id, idempotent replays) for the calls the product makes, and
// control endpoints under /_emulator that drive what Stripe would do on its
// own (a customer paying, a renewal, a failed renewal) and inject faults.
class StripeEmulator final : public QObject
{
    Q_OBJECT

public:
    // The body of a Stripe error answer.
    static QJsonObject stripeError(const QString &type, const QString &code, const QString &message,
                                   const QString &param = {});

    struct Options
    {
        // Accepted bearer key; empty accepts any sk_test_… key.
        QString apiKey;
        QStringList webhookSecrets;
        QUrl webhookUrl;
        // Tests of live mode: sk_live_… keys are accepted too and see live-mode
        // objects only. The program never sets it: a real live key has no
        // business here.
        bool acceptLiveKeys = false;
    };

    explicit StripeEmulator(const Options &options, QObject *parent = nullptr);
    ~StripeEmulator() override;

    Result<quint16> listen(const QHostAddress &address, quint16 port);
    quint16 port() const { return m_http.serverPort(); }

    EmulatorStore &store() { return m_store; }
    WebhookSender &webhooks() { return *m_webhooks; }

    // Keeps the account in `file` from now on: every change is saved before the
    // answer that reveals it is sent. Load the file into store() first. False
    // (with the reason) when the file cannot be written now.
    bool persistTo(const EmulatorStateFile &file, QString *error);
    // Delivers again the events of the last three days (Stripe's retry window)
    // that the endpoint never accepted, oldest first: what Stripe's retries do
    // for a service that was down, or for events an emulator crash cut off.
    int redeliverPending();

private:
    struct Fault
    {
        QByteArray method; // empty: any
        QString pathPrefix;
        int status = 0; // 0: no error answer (with delay: a slow answer)
        int remaining = 1;
        int passBefore = 0; // matching requests answered normally before the fault applies
        int delayMs = 0;
        bool drop = false;
        QByteArray retryAfter;
        QByteArray shouldRetry;
    };
    struct IdempotentAnswer
    {
        QByteArray requestFingerprint;
        int status;
        QJsonObject body;
    };
    using ApiHandler = std::function<void(const HttpRequest &request, const QVariantMap &params,
                                          std::function<void(int, QJsonObject)> answer)>;

    void installApiRoutes();
    void installControlRoutes();
    // Adds an API route with authentication, faults, parameter checks, idempotency and logging.
    void addApi(const QByteArray &method, const QString &pattern, const ParamSchema &schema,
                ApiHandler handler);
    void runApi(const HttpRequest &request, HttpResponder responder, const ParamSchema &schema,
                const ApiHandler &handler);

    std::optional<Fault> takeFault(const HttpRequest &request);
    // Writes the account to the state file when it changed; a failure is logged.
    void saveState();
    // A control route's answer, after the change it made is saved.
    void answerControl(HttpResponder &responder, int status, const QJsonObject &body);
    void deliver(const QList<QJsonObject> &events, const HttpRequest &control);

    // Stripe's behaviour for each call.
    void createCheckoutSession(const QVariantMap &params,
                               const std::function<void(int, QJsonObject)> &answer);
    void createPortalSession(const QVariantMap &params, const std::function<void(int, QJsonObject)> &answer);
    void updateSubscription(const QString &id, const QVariantMap &params,
                            const std::function<void(int, QJsonObject)> &answer);
    void cancelSubscription(const QString &id, const std::function<void(int, QJsonObject)> &answer);
    void listEvents(const QVariantMap &params, const std::function<void(int, QJsonObject)> &answer);
    // GET /v1/customers, /v1/subscriptions, /v1/invoices.
    void listObjects(const QString &kind, const QVariantMap &params,
                     const std::function<void(int, QJsonObject)> &answer);

    Options m_options;
    QNetworkAccessManager *m_network;
    HttpService m_http;
    EmulatorStore m_store;
    WebhookSender *m_webhooks;
    QList<Fault> m_faults;
    QJsonArray m_requestLog;
    QHash<QString, IdempotentAnswer> m_idempotency;
    std::optional<EmulatorStateFile> m_stateFile;
};

} // namespace billing::emulator
