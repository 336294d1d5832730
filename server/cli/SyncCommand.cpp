#include "SyncCommand.h"

#include "CliDatabase.h"
#include "CliServices.h"
#include "CliSettings.h"
#include "billing/EventProcessor.h"
#include "license/LicenseSigner.h"
#include "stripe/StripeClient.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QThread>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

// Stripe keeps events for 30 days; the list is newest first.
constexpr int kPageSize = 100;

StripeResult fetch(StripeClient &stripe, const FormParams &query)
{
    StripeResult result;
    QEventLoop loop;
    StripeJob *job = stripe.get(u"/v1/events"_s, query);
    QObject::connect(job, &StripeJob::finished, &loop, [&](const StripeResult &answer) {
        result = answer;
        loop.quit();
    });
    loop.exec();
    return result;
}

} // namespace

QString SyncCommand::name() const
{
    return u"sync"_s;
}

QString SyncCommand::summary() const
{
    return u"sync events: fetch and apply the Stripe events missed while the service was down"_s;
}

void SyncCommand::addOptions(QCommandLineParser &parser) const
{
    addConfigurationOptions(parser);
    parser.addPositionalArgument(u"what"_s, u"events: the events after the newest stored one."_s,
                                 u"events"_s);
    parser.addOption(
        {u"since"_s, u"Start at this Unix time instead of the newest stored event."_s, u"seconds"_s});
    parser.addOption({u"rate"_s,
                      u"At most this many Stripe requests per second (default 20; Stripe allows 100)."_s,
                      u"n"_s, u"20"_s});
}

int SyncCommand::run(const QCommandLineParser &parser, CliStreams streams)
{
    if (parser.positionalArguments() != QStringList{u"events"_s}) {
        streams.err << u"usage: agencyos-billing-server sync events [--since UNIX_SECONDS] [--rate N]"_s
                    << Qt::endl;
        return ExitUsage;
    }
    bool rateOk = false;
    const int rate = parser.value(u"rate"_s).toInt(&rateOk);
    if (!rateOk || rate < 1 || rate > 100) {
        streams.err << u"error: --rate must be 1 to 100 requests per second"_s << Qt::endl;
        return ExitUsage;
    }
    const std::optional<Settings> settings = loadSettingsForCommand(parser, SettingsScope::All, streams);
    if (!settings)
        return ExitConfiguration;
    std::optional<CliDatabase> opened = openMigratedCliDatabase(settings.value(), streams);
    if (!opened)
        return ExitFailure;

    qint64 since = 0;
    if (parser.isSet(u"since"_s)) {
        bool ok = false;
        since = parser.value(u"since"_s).toLongLong(&ok);
        if (!ok || since < 0) {
            streams.err << u"error: --since must be a Unix time in seconds"_s << Qt::endl;
            return ExitUsage;
        }
    } else {
        Result<QSqlDatabase> db = opened->database->connection();
        Result<SqlRows> newest =
            db ? runQuery(db.value(), u"cannot read the newest event"_s,
                          u"SELECT COALESCE(MAX(stripe_created_at), 0) FROM payment_events"_s)
               : Result<SqlRows>(db.error());
        if (!newest || !newest->next()) {
            streams.err << u"error: "_s << (newest ? u"no answer"_s : newest.error().message) << Qt::endl;
            return ExitFailure;
        }
        since = newest->value(0).toLongLong();
    }

    QNetworkAccessManager network;
    StripeClient stripe(&network, stripeClientOptions(*settings));

    // Collect first (the list moves while we page, newest first), apply oldest first.
    QList<QJsonObject> events;
    QString startingAfter;
    QElapsedTimer pacing;
    const qint64 minimumGapMs = 1000 / rate;
    for (int page = 1;; ++page) {
        if (pacing.isValid() && pacing.elapsed() < minimumGapMs)
            QThread::msleep(quint64(minimumGapMs - pacing.elapsed()));
        pacing.start();
        FormParams query{{u"limit"_s, QString::number(kPageSize)},
                         {u"created[gte]"_s, QString::number(since)}};
        if (!startingAfter.isEmpty())
            query.add(u"starting_after"_s, startingAfter);
        const StripeResult result = fetch(stripe, query);
        if (!result.ok()) {
            streams.err << u"error: Stripe refused the event list: "_s << result.error.summary() << Qt::endl;
            return ExitFailure;
        }
        const QJsonArray data = result.object.value(u"data"_s).toArray();
        for (const QJsonValue &event : data)
            events.append(event.toObject());
        streams.out << u"\rfetching events since %1: page %2, %3 events"_s.arg(since).arg(page).arg(
                           events.size())
                    << Qt::flush;
        if (!result.object.value(u"has_more"_s).toBool() || data.isEmpty())
            break;
        startingAfter = data.last().toObject().value(u"id"_s).toString();
    }
    streams.out << Qt::endl;

    std::unique_ptr<EventProcessing> processing = makeEventProcessing(*opened->database, *settings, streams);
    if (!processing)
        return ExitFailure;
    EventProcessor &processor = processing->processor;
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
        if ((i + 1) % 50 == 0 || i + 1 == events.size())
            streams.out << u"\rapplying: %1 / %2"_s.arg(i + 1).arg(events.size()) << Qt::flush;
    }
    if (!events.isEmpty())
        streams.out << Qt::endl;
    QStringList counts;
    for (auto it = outcomes.cbegin(); it != outcomes.cend(); ++it)
        counts << u"%1 %2"_s.arg(it.value()).arg(it.key());
    streams.out << u"sync events: %1 fetched; %2"_s.arg(events.size())
                       .arg(counts.isEmpty() ? u"nothing to apply"_s : counts.join(u", "_s))
                << Qt::endl;
    return failed == 0 ? ExitOk : ExitFailure;
}

} // namespace billing::server
