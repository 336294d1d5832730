#include "ReconcileCommand.h"

#include "CliDatabase.h"
#include "CliServices.h"
#include "CliSettings.h"
#include "ProgressLine.h"
#include "billing/ReconcilePass.h"
#include "stripe/StripeClient.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

QString operatorName()
{
    for (const char *variable : {"SUDO_USER", "USER", "LOGNAME"}) {
        const QString name = qEnvironmentVariable(variable);
        if (!name.isEmpty())
            return u"cli:"_s + name;
    }
    return u"cli"_s;
}

} // namespace

QString ReconcileCommand::name() const
{
    return u"reconcile"_s;
}

QString ReconcileCommand::summary() const
{
    return u"compare local state with Stripe's objects; --fix repairs what differs"_s;
}

void ReconcileCommand::addOptions(QCommandLineParser &parser) const
{
    addConfigurationOptions(parser);
    parser.addOption({u"tenant"_s, u"Only this tenant's objects."_s, u"id"_s});
    parser.addOption({u"fix"_s,
                      u"Apply Stripe's objects where they differ (audited), then check again; exit 0 "
                      "only if nothing differs afterwards."_s});
    parser.addOption({u"json"_s, u"One JSON object per line instead of text."_s});
    parser.addOption({u"rate"_s,
                      u"At most this many Stripe requests per second (default 20; Stripe allows 25 in test "
                      "mode, 100 in live mode)."_s,
                      u"n"_s, u"20"_s});
}

int ReconcileCommand::run(const QCommandLineParser &parser, CliStreams streams)
{
    bool rateOk = false;
    const int rate = parser.value(u"rate"_s).toInt(&rateOk);
    if (!rateOk || rate < 1 || rate > 100) {
        streams.err << u"error: --rate must be 1 to 100 requests per second"_s << Qt::endl;
        return ExitUsage;
    }
    const QString tenant = parser.value(u"tenant"_s);
    if (parser.isSet(u"tenant"_s) && (tenant.isEmpty() || tenant.size() > 200)) {
        streams.err << u"error: --tenant must be a tenant id (1 to 200 characters)"_s << Qt::endl;
        return ExitUsage;
    }
    const bool fix = parser.isSet(u"fix"_s);
    const bool json = parser.isSet(u"json"_s);

    const std::optional<Settings> settings = loadSettingsForCommand(parser, SettingsScope::All, streams);
    if (!settings)
        return ExitConfiguration;
    const std::optional<bool> livemode = livemodeOf(settings->mode());
    if (!livemode) {
        streams.err << u"error: reconcile needs STRIPE_SECRET_KEY (sk_test_… or sk_live_…) to read Stripe"_s
                    << Qt::endl;
        return ExitConfiguration;
    }
    std::unique_ptr<StripeCommandServices> services = openStripeCommandServices(*settings, streams);
    if (!services)
        return ExitFailure;
    Database &database = services->database();
    const PlanCatalog plans(settings->prices);
    const qint64 graceSeconds = settings->pastDueGrace.count();
    const Reconciler::Factory reconcilerFor = [&](QSqlDatabase db) {
        return Reconciler(db, services->processing->signer, plans, graceSeconds,
                          Clock::system().nowSecondsSinceEpoch());
    };

    ProgressLine progress(json ? streams.err : streams.out);
    ReconcilePass pass(database, *services->stripe, reconcilerFor,
                       {*livemode, tenant, fix, operatorName(), rate});
    Result<ReconcilePass::Outcome> outcome = pass.run([&progress](const QString &line, bool done) {
        if (done)
            progress.finish(line);
        else
            progress.update(line);
    });
    if (!outcome) {
        streams.err << u"error: "_s << outcome.error().message << Qt::endl;
        return ExitFailure;
    }
    auto print = [&](const QList<Divergence> &divergences) {
        for (const Divergence &divergence : divergences) {
            if (json)
                streams.out << QJsonDocument(divergence.toJson()).toJson(QJsonDocument::Compact) << Qt::endl;
            else
                streams.out << divergence.toLine() << Qt::endl;
        }
    };
    print(outcome->found);
    const QList<Divergence> &remaining = outcome->remaining;
    if (fix && !remaining.isEmpty()) {
        streams.err << u"still different after --fix:"_s << Qt::endl;
        print(remaining);
    }
    const QString summary =
        u"reconcile: %1 divergences%2 (%3 read from Stripe)%4"_s.arg(outcome->found.size())
            .arg(fix ? u", %1 fixed, %2 remaining"_s.arg(outcome->fixed).arg(remaining.size()) : QString())
            .arg(outcome->counts.join(u", "_s))
            .arg(tenant.isEmpty() ? QString() : u" for tenant "_s + tenant);
    if (json) {
        streams.out << QJsonDocument(QJsonObject{{u"summary"_s, summary},
                                                 {u"divergences"_s, outcome->found.size()},
                                                 {u"remaining"_s, remaining.size()}})
                           .toJson(QJsonDocument::Compact)
                    << Qt::endl;
    } else {
        streams.out << summary << Qt::endl;
    }
    return remaining.isEmpty() ? ExitOk : ExitDivergent;
}

} // namespace billing::server
