#include "EventsCommand.h"

#include "CliDatabase.h"
#include "CliServices.h"
#include "CliSettings.h"
#include "admin/AdminLists.h"
#include "billing/EventProcessor.h"
#include "db/EventStore.h"
#include "license/LicenseSigner.h"

#include <QDateTime>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace billing::server {

int EventsCommand::listEvents(const QCommandLineParser &parser, Database &database, CliStreams streams)
{
    // The dashboard's list, with its checks: a bad filter gets its message.
    QUrlQuery query;
    query.addQueryItem(u"limit"_s, parser.value(u"limit"_s));
    for (const QString &filter : {u"status"_s, u"type"_s}) {
        if (parser.isSet(filter))
            query.addQueryItem(filter, parser.value(filter));
    }
    Result<QSqlDatabase> db = database.connection();
    if (!db) {
        streams.err << u"error: "_s << db.error().message << Qt::endl;
        return ExitFailure;
    }
    // Both modes: the command line is where operators audit what is stored.
    const Result<QJsonObject> page = AdminLists::events().page(db.value(), query, std::nullopt);
    if (!page) {
        streams.err << u"error: "_s << page.error().message << Qt::endl;
        return page.error().code == ErrorCode::InvalidInput ? ExitUsage : ExitFailure;
    }
    streams.out
        << u"CREATED               EVENT                          TYPE                              STATUS"_s
        << Qt::endl;
    for (const QJsonValue &row : page->value(u"data"_s).toArray()) {
        const QString created =
            QDateTime::fromSecsSinceEpoch(row[u"created"_s].toInteger(), Qt::UTC).toString(Qt::ISODate);
        streams.out << created.leftJustified(22) << row[u"id"_s].toString().leftJustified(31)
                    << row[u"type"_s].toString().leftJustified(34) << row[u"status"_s].toString();
        if (!row[u"error"_s].toString().isEmpty())
            streams.out << u"  ("_s << row[u"error"_s].toString().left(120) << u')';
        streams.out << Qt::endl;
    }
    return ExitOk;
}

QString EventsCommand::name() const
{
    return u"events"_s;
}

QString EventsCommand::summary() const
{
    return u"events list [--status S] [--type T] | replay <evt_id> | replay --failed"_s;
}

void EventsCommand::addOptions(QCommandLineParser &parser) const
{
    addConfigurationOptions(parser);
    parser.addPositionalArgument(u"action"_s, u"list, replay <evt_id>, or replay --failed."_s,
                                 u"list | replay <evt_id> | replay --failed"_s);
    parser.addOption({u"failed"_s, u"Replay every event recorded as failed or left unprocessed."_s});
    parser.addOption(
        {u"status"_s, u"list: only events with this status (processed, failed, ignored)."_s, u"status"_s});
    parser.addOption(
        {u"type"_s, u"list: only events of this type (e.g. invoice.payment_failed)."_s, u"type"_s});
    parser.addOption(
        {u"limit"_s, u"list: how many, newest first (default 20, at most 500)."_s, u"n"_s, u"20"_s});
}

int EventsCommand::run(const QCommandLineParser &parser, CliStreams streams)
{
    const QStringList arguments = parser.positionalArguments();
    const bool all = parser.isSet(u"failed"_s);
    const bool list = arguments == QStringList{u"list"_s};
    if (!list && (arguments.value(0) != u"replay" || (all ? arguments.size() != 1 : arguments.size() != 2))) {
        streams.err << u"usage: agencyos-billing-server events list [--status S] [--type T] [--limit N] | "
                       "events replay <evt_id> | events replay --failed"_s
                    << Qt::endl;
        return ExitUsage;
    }
    const std::optional<Settings> settings = loadSettingsForCommand(parser, SettingsScope::All, streams);
    if (!settings)
        return ExitConfiguration;
    std::optional<CliDatabase> opened = openMigratedCliDatabase(settings.value(), streams);
    if (!opened)
        return ExitFailure;
    if (list)
        return listEvents(parser, *opened->database, streams);
    std::unique_ptr<EventProcessing> processing = makeEventProcessing(*opened->database, *settings, streams);
    if (!processing)
        return ExitFailure;
    EventProcessor &processor = processing->processor;

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
