#include "EventsCommand.h"

#include "CliDatabase.h"
#include "CliSettings.h"
#include "billing/EventProcessor.h"
#include "db/EventStore.h"
#include "license/LicenseSigner.h"

using namespace Qt::StringLiterals;

namespace billing::server {

QString EventsCommand::name() const
{
    return u"events"_s;
}

QString EventsCommand::summary() const
{
    return u"events replay <evt_id> | --failed: apply stored events again"_s;
}

void EventsCommand::addOptions(QCommandLineParser &parser) const
{
    addConfigurationOptions(parser);
    parser.addPositionalArgument(u"action"_s, u"replay <evt_id>, or replay --failed."_s,
                                 u"replay <evt_id> | replay --failed"_s);
    parser.addOption({u"failed"_s, u"Replay every event recorded as failed or left unprocessed."_s});
}

int EventsCommand::run(const QCommandLineParser &parser, CliStreams streams)
{
    const QStringList arguments = parser.positionalArguments();
    const bool all = parser.isSet(u"failed"_s);
    if (arguments.value(0) != u"replay" || (all ? arguments.size() != 1 : arguments.size() != 2)) {
        streams.err << u"usage: agencyos-billing-server events replay <evt_id> | events replay --failed"_s
                    << Qt::endl;
        return ExitUsage;
    }
    const std::optional<Settings> settings = loadSettingsForCommand(parser, SettingsScope::All, streams);
    if (!settings)
        return ExitConfiguration;
    std::optional<CliDatabase> opened = openMigratedCliDatabase(settings.value(), streams);
    if (!opened)
        return ExitFailure;
    Result<LicenseSigner> signer = LicenseSigner::loadOrCreate(settings->licenseKeyPath);
    if (!signer) {
        streams.err << u"error: "_s << signer.error().message << Qt::endl;
        return ExitFailure;
    }
    EventProcessor processor(*opened->database, signer.value(), PlanCatalog(settings->prices),
                             {settings->mode(), settings->stripeApiVersion, settings->pastDueGrace});

    QStringList ids;
    if (all) {
        Result<QSqlDatabase> db = opened->database->connection();
        Result<QStringList> failed =
            db ? EventStore(db.value()).failedEventIds() : Result<QStringList>(db.error());
        if (!failed) {
            streams.err << u"error: "_s << failed.error().message << Qt::endl;
            return ExitFailure;
        }
        ids = failed.value();
    } else {
        ids << arguments.at(1);
    }

    int failures = 0;
    for (const QString &id : std::as_const(ids)) {
        const EventProcessor::Report report = processor.replay(id);
        const bool bad = report.outcome == EventProcessor::Outcome::Failed ||
                         report.outcome == EventProcessor::Outcome::Refused;
        failures += bad ? 1 : 0;
        streams.out << id << u' ' << report.type << u": "_s << EventProcessor::outcomeName(report.outcome)
                    << (report.message.isEmpty() ? QString() : u" ("_s + report.message + u')') << Qt::endl;
    }
    streams.out << u"%1 event(s) replayed, %2 failed"_s.arg(ids.size()).arg(failures) << Qt::endl;
    return failures == 0 ? ExitOk : ExitFailure;
}

} // namespace billing::server
