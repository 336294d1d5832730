#include "ServeCommand.h"

#include "CliDatabase.h"
#include "CliServices.h"
#include "CliSettings.h"
#include "ShutdownSignals.h"
#include "admin/AdminRoutes.h"
#include "billing/DunningSender.h"
#include "billing/EventProcessor.h"
#include "common/Clock.h"
#include "db/ChangeMarks.h"
#include "db/WalCheckpointer.h"
#include "http/HttpService.h"
#include "license/LicenseSigner.h"
#include "ops/HealthRoutes.h"
#include "ops/Metrics.h"
#include "payments/PaymentsRoutes.h"
#include "payments/StripeActions.h"
#include "reconcile/ReconcileService.h"
#include "stripe/StripeClient.h"
#include "webhook/EventCatchUp.h"
#include "webhook/EventWorker.h"
#include "webhook/RefusedDeliveries.h"
#include "webhook/SignatureVerifier.h"
#include "webhook/WebhookRoute.h"

#include <QNetworkAccessManager>

#include <QCoreApplication>

#include <optional>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

// "/v1/subscriptions/sub_123" -> "/v1/subscriptions/{id}": one label per
// endpoint, not per object.
QString stripeEndpointLabel(const QString &path)
{
    QStringList segments = path.split(u'/');
    for (QString &segment : segments) {
        if (segment.contains(u'_') && segment != u"billing_portal")
            segment = u"{id}"_s;
    }
    return segments.join(u'/');
}

} // namespace

QString ServeCommand::name() const
{
    return u"serve"_s;
}

QString ServeCommand::summary() const
{
    return u"Run the HTTP service (applies pending migrations first)"_s;
}

void ServeCommand::addOptions(QCommandLineParser &parser) const
{
    addConfigurationOptions(parser);
    parser.addOption(
        {u"no-migrate"_s, u"Do not apply pending migrations; refuse to start if any are pending."_s});
    parser.addOption(
        {u"port"_s, u"Listen on this port instead of BILLING_PORT (0: any free port)."_s, u"port"_s});
}

int ServeCommand::run(const QCommandLineParser &parser, CliStreams streams)
{
    std::optional<Settings> settings = loadSettingsForCommand(parser, SettingsScope::All, streams);
    if (!settings)
        return ExitConfiguration;

    quint16 port = settings->port;
    if (parser.isSet(u"port"_s)) {
        bool ok = false;
        const uint requested = parser.value(u"port"_s).toUInt(&ok);
        if (!ok || requested > 65535) {
            streams.err << u"error: --port must be a number from 0 to 65535"_s << Qt::endl;
            return ExitUsage;
        }
        port = quint16(requested);
    }

    std::optional<CliDatabase> opened = openCliDatabase(settings.value(), streams);
    if (!opened)
        return ExitFailure;
    Migrator &migrator = *opened->migrator;
    if (parser.isSet(u"no-migrate"_s)) {
        Result<MigrationStatus> status = migrator.status();
        if (!status) {
            streams.err << u"error: "_s << status.error().message << Qt::endl;
            return ExitFailure;
        }
        if (!status->databaseExists) {
            streams.err << u"error: the database %1 does not exist and --no-migrate was given; run "
                           "agencyos-billing-server migrate"_s.arg(settings->database.toDisplayString())
                        << Qt::endl;
            return ExitFailure;
        }
        if (!status->isCurrent()) {
            streams.err << u"error: %1 migration(s) are pending and --no-migrate was given; run "
                           "agencyos-billing-server migrate"_s.arg(status->pending.size())
                        << Qt::endl;
            return ExitFailure;
        }
    } else if (Result<QList<Migration>> applied = migrator.migrate(); !applied) {
        streams.err << u"error: "_s << applied.error().message << Qt::endl;
        return ExitFailure;
    }

    // The change feed's counters of connections gone since the last start.
    if (Result<QSqlDatabase> db = opened->database->connection(); db) {
        if (Result<void> compacted = ChangeMarks(db.value()).compact(opened->database->dialect()); !compacted)
            streams.err << u"warning: "_s << compacted.error().message << Qt::endl;
    }

    // SQLite: the log is copied into the database file on a thread of its own,
    // not inside a webhook batch's commit. Made before the event worker, so
    // it stops after the last batch.
    std::optional<WalCheckpointer> checkpointer;
    if (opened->database->dialect() == SqlDialect::Sqlite) {
        opened->database->setAutomaticCheckpoints(false);
        checkpointer.emplace(*opened->database, WalCheckpointer::Options{});
    }

    QNetworkAccessManager network;
    StripeClient stripe(&network, stripeClientOptions(*settings));

    std::unique_ptr<EventProcessing> processing = makeEventProcessing(*opened->database, *settings, streams);
    if (!processing)
        return ExitFailure;
    EventProcessor &processor = processing->processor;
    const SignatureVerifier verifier(settings->stripeWebhookSecrets, settings->webhookTolerance);
    RefusedDeliveries refusedDeliveries(*opened->database, Clock::system(), {});

    HttpService service;
    PaymentsRoutes payments({&stripe, opened->database.get(), PlanCatalog(settings->prices),
                             RedirectAllowList(settings->allowedRedirectHosts), settings->apiToken,
                             settings->mode()});
    payments.install(service);
    Metrics metrics = Metrics::forService();
    QObject::connect(&stripe, &StripeClient::requestFinished, &stripe,
                     [&metrics](const QByteArray &method, const QString &path, int status, double seconds) {
                         const QString endpoint = stripeEndpointLabel(path);
                         const QString verb = QString::fromLatin1(method);
                         metrics.count(u"billing_stripe_requests_total"_s,
                                       {{u"method"_s, verb},
                                        {u"endpoint"_s, endpoint},
                                        {u"status"_s, QString::number(status)}});
                         metrics.observeSeconds(u"billing_stripe_request_duration_seconds"_s,
                                                {{u"method"_s, verb}, {u"endpoint"_s, endpoint}}, seconds);
                     });
    EventWorker eventWorker(processor, *opened->database);
    WebhookRoute webhooks({&verifier, &eventWorker, &refusedDeliveries, &metrics});
    webhooks.install(service);
    StripeActions stripeActions(&stripe, opened->database.get(), PlanCatalog(settings->prices));
    // Reconciliation with Stripe on a schedule and when staff ask (#18); it
    // needs a key to read Stripe's objects.
    std::unique_ptr<ReconcileService> reconcile;
    if (const std::optional<bool> livemode = livemodeOf(settings->mode())) {
        reconcile = std::make_unique<ReconcileService>(ReconcileService::Dependencies{
            opened->database.get(), stripeClientOptions(*settings), &processing->signer,
            PlanCatalog(settings->prices), settings->pastDueGrace.count(), *livemode,
            settings->reconcileInterval});
        QObject::connect(
            reconcile.get(), &ReconcileService::openDivergencesChanged, reconcile.get(),
            [&metrics](qint64 open) { metrics.set(u"billing_reconcile_divergences"_s, double(open)); });
        QObject::connect(reconcile.get(), &ReconcileService::runFinished, reconcile.get(),
                         [&metrics](qint64, bool succeeded, qint64) {
                             metrics.count(u"billing_reconcile_runs_total"_s,
                                           {{u"result"_s, succeeded ? u"succeeded"_s : u"failed"_s}});
                         });
    }
    AdminRoutes admin({opened->database.get(), &stripeActions, &eventWorker, reconcile.get(),
                       settings->mode(), settings->portalReturnUrl,
                       RedirectAllowList(settings->allowedRedirectHosts)});
    admin.install(service);
    HealthRoutes health({opened->database.get(), opened->migrator.get(), settings->licenseKeyPath, &metrics});
    health.install(service);

    DunningSender dunning(*opened->database, &network,
                          {settings->dunningWebhookUrl, settings->dunningCommand});
    QObject::connect(&dunning, &DunningSender::passFinished, &dunning, [&metrics](int delivered, int failed) {
        metrics.count(u"billing_dunning_notices_total"_s, {{u"result"_s, u"sent"_s}}, delivered);
        metrics.count(u"billing_dunning_notices_total"_s, {{u"result"_s, u"failed"_s}}, failed);
    });
    if (dunning.isConfigured())
        dunning.start(std::chrono::seconds(5));

    // The events missed while down (or while Stripe could not reach us),
    // fetched at start and every BILLING_EVENTS_POLL_INTERVAL seconds.
    EventCatchUp catchUp({opened->database.get(), &stripe, &eventWorker, settings->eventsPollInterval});

    std::optional<QSslConfiguration> tls;
    if (!settings->tlsCertificateFile.isEmpty()) {
        Result<QSslConfiguration> configured =
            HttpService::tlsConfiguration(settings->tlsCertificateFile, settings->tlsKeyFile);
        if (!configured) {
            streams.err << u"error: "_s << configured.error().message << Qt::endl;
            return ExitFailure;
        }
        tls = configured.value();
    }
    Result<quint16> bound = service.listen(settings->listenAddress, port, tls);
    if (!bound) {
        streams.err << u"error: "_s << bound.error().message << Qt::endl;
        return ExitFailure;
    }
    const QHostAddress &address = settings->listenAddress;
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u'[' + address.toString() + u']'
                             : address.toString();
    // Before the line that says it is ready: a supervisor (or a test) may send
    // SIGTERM the moment it reads it, and must get a clean shutdown.
    ShutdownSignals shutdownSignals;
    QObject::connect(&shutdownSignals, &ShutdownSignals::shutdownRequested, &service,
                     [&streams](int signalNumber) {
                         streams.out << u"received signal %1; shutting down"_s.arg(signalNumber) << Qt::endl;
                         QCoreApplication::quit();
                     });
    streams.out << u"agencyos-billing-server listening on %1://%2:%3 (Stripe %4 mode, database %5)"_s
                       .arg(tls ? u"https"_s : u"http"_s, host)
                       .arg(bound.value())
                       .arg(stripeModeName(settings->mode()), settings->database.toDisplayString())
                << Qt::endl;
    if (livemodeOf(settings->mode()))
        catchUp.start();
    if (reconcile)
        reconcile->start();
    const int exitCode = QCoreApplication::exec();
    streams.out << u"agencyos-billing-server stopped"_s << Qt::endl;
    return exitCode;
}

} // namespace billing::server
