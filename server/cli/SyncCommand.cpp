#include "SyncCommand.h"

#include "CliDatabase.h"
#include "CliServices.h"
#include "CliSettings.h"
#include "ProgressLine.h"
#include "StripeBackfill.h"
#include "billing/EventProcessor.h"
#include "db/EventStore.h"
#include "license/LicenseSigner.h"
#include "stripe/StripeClient.h"
#include "stripe/StripeListReader.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

constexpr int kDefaultPageSize = 100; // Stripe's largest

const QString kUsage = u"usage: agencyos-billing-server sync events [--since UNIX_SECONDS] [--rate N]\n"
                       "       agencyos-billing-server sync customers|subscriptions|invoices|all "
                       "[--restart] [--rate N] [--page-size N]"_s;

} // namespace

QString SyncCommand::name() const
{
    return u"sync"_s;
}

QString SyncCommand::summary() const
{
    return u"sync events: apply the Stripe events missed while the service was down; "
           "sync customers|subscriptions|invoices|all: import Stripe's objects"_s;
}

void SyncCommand::addOptions(QCommandLineParser &parser) const
{
    addConfigurationOptions(parser);
    parser.addPositionalArgument(
        u"what"_s,
        u"events: the events after the newest stored one (Stripe keeps 30 days). customers, "
        "subscriptions, invoices: every object of Stripe's list, imported as its webhooks would have "
        "left it (no dunning notices for old failures); an interrupted run resumes where it stopped. "
        "all: subscriptions, customers, invoices, in that order."_s,
        u"events|customers|subscriptions|invoices|all"_s);
    parser.addOption(
        {u"since"_s, u"events: start at this Unix time instead of the newest stored event."_s, u"seconds"_s});
    parser.addOption({u"rate"_s,
                      u"At most this many Stripe requests per second (default 20; Stripe allows 25 in test "
                      "mode, 100 in live mode)."_s,
                      u"n"_s, u"20"_s});
    parser.addOption({u"page-size"_s, u"Objects per Stripe request, 1 to 100 (default 100)."_s, u"n"_s,
                      QString::number(kDefaultPageSize)});
    parser.addOption({u"restart"_s, u"Start the import over instead of resuming an unfinished one."_s});
}

int SyncCommand::run(const QCommandLineParser &parser, CliStreams streams)
{
    const QStringList what = parser.positionalArguments();
    const QStringList backfillable = StripeBackfill::resources();
    if (what.size() != 1 ||
        (what.first() != u"events" && what.first() != u"all" && !backfillable.contains(what.first()))) {
        streams.err << kUsage << Qt::endl;
        return ExitUsage;
    }
    bool rateOk = false;
    const int rate = parser.value(u"rate"_s).toInt(&rateOk);
    if (!rateOk || rate < 1 || rate > 100) {
        streams.err << u"error: --rate must be 1 to 100 requests per second"_s << Qt::endl;
        return ExitUsage;
    }
    bool pageSizeOk = false;
    const int pageSize = parser.value(u"page-size"_s).toInt(&pageSizeOk);
    if (!pageSizeOk || pageSize < 1 || pageSize > 100) {
        streams.err << u"error: --page-size must be 1 to 100"_s << Qt::endl;
        return ExitUsage;
    }
    const bool events = what.first() == u"events";
    if (!events && parser.isSet(u"since"_s)) {
        streams.err << u"error: --since is for 'sync events' only"_s << Qt::endl;
        return ExitUsage;
    }
    if (events && parser.isSet(u"restart"_s)) {
        streams.err << u"error: --restart is for the imports (customers, subscriptions, invoices, all)"_s
                    << Qt::endl;
        return ExitUsage;
    }
    std::optional<qint64> since;
    if (parser.isSet(u"since"_s)) {
        bool ok = false;
        since = parser.value(u"since"_s).toLongLong(&ok);
        if (!ok || *since < 0) {
            streams.err << u"error: --since must be a Unix time in seconds"_s << Qt::endl;
            return ExitUsage;
        }
    }

    const std::optional<Settings> settings = loadSettingsForCommand(parser, SettingsScope::All, streams);
    if (!settings)
        return ExitConfiguration;
    std::unique_ptr<StripeCommandServices> services = openStripeCommandServices(*settings, streams);
    if (!services)
        return ExitFailure;

    if (events)
        return syncEvents(services->database(), *services->stripe, services->processing->processor, since,
                          pageSize, rate, streams);

    StripeBackfill::Options options;
    options.pageSize = pageSize;
    options.rate = rate;
    options.restart = parser.isSet(u"restart"_s);
    options.pastDueGrace = settings->pastDueGrace;
    StripeBackfill backfill(services->database(), *services->stripe, services->processing->signer,
                            PlanCatalog(settings->prices), options);
    const QStringList resources = what.first() == u"all" ? backfillable : what;
    for (const QString &resource : resources) {
        if (const int code = backfill.run(resource, streams); code != ExitOk)
            return code;
    }
    return ExitOk;
}

int SyncCommand::syncEvents(Database &database, StripeClient &stripe, EventProcessor &processor,
                            std::optional<qint64> since, int pageSize, int rate, CliStreams streams)
{
    if (!since) {
        Result<QSqlDatabase> db = database.connection();
        Result<qint64> newest = db ? EventStore(db.value()).newestCreatedAt() : Result<qint64>(db.error());
        if (!newest) {
            streams.err << u"error: "_s << newest.error().message << Qt::endl;
            return ExitFailure;
        }
        since = newest.value();
    }

    // Collect first (the list moves while we page, newest first), apply oldest first.
    StripeListReader reader(stripe, u"/v1/events"_s, FormParams{{u"created[gte]"_s, QString::number(*since)}},
                            pageSize, rate);
    ProgressLine progress(streams.out);
    QList<QJsonObject> events;
    for (int page = 1;; ++page) {
        Result<StripeListReader::Page> answer = reader.next();
        if (!answer) {
            progress.finish(u"fetching events since %1: %2 events"_s.arg(*since).arg(events.size()));
            streams.err << u"error: "_s << answer.error().message << Qt::endl;
            return ExitFailure;
        }
        for (const QJsonValue &event : std::as_const(answer->data))
            events.append(event.toObject());
        const QString fetched =
            u"fetching events since %1: page %2, %3 events"_s.arg(*since).arg(page).arg(events.size());
        if (!answer->hasMore) {
            progress.finish(fetched);
            break;
        }
        progress.update(fetched);
    }

    std::reverse(events.begin(), events.end());
    QMap<QString, int> outcomes;
    int failed = 0;
    for (qsizetype i = 0; i < events.size(); ++i) {
        const QByteArray payload = QJsonDocument(events[i]).toJson(QJsonDocument::Compact);
        const EventProcessor::Report report = processor.process(payload, -1, u"sync"_s);
        ++outcomes[EventProcessor::outcomeName(report.outcome)];
        if (report.outcome == EventProcessor::Outcome::Failed ||
            report.outcome == EventProcessor::Outcome::Refused) {
            ++failed;
            streams.err << report.eventId << u' ' << report.type << u": "_s << report.message << Qt::endl;
        }
        const QString applying = u"applying %1 %2 / %3"_s.arg(ProgressLine::bar(i + 1, events.size()))
                                     .arg(i + 1)
                                     .arg(events.size());
        if (i + 1 == events.size())
            progress.finish(applying);
        else
            progress.update(applying);
    }
    QStringList counts;
    for (auto it = outcomes.cbegin(); it != outcomes.cend(); ++it)
        counts << u"%1 %2"_s.arg(it.value()).arg(it.key());
    streams.out << u"sync events: %1 fetched; %2"_s.arg(events.size())
                       .arg(counts.isEmpty() ? u"nothing to apply"_s : counts.join(u", "_s))
                << Qt::endl;
    return failed == 0 ? ExitOk : ExitFailure;
}

} // namespace billing::server
