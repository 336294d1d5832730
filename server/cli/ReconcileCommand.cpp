#include "ReconcileCommand.h"

#include "CliDatabase.h"
#include "CliServices.h"
#include "CliSettings.h"
#include "ProgressLine.h"
#include "StripeListReader.h"
#include "billing/Reconciler.h"
#include "db/AuditLog.h"
#include "db/WriteTransaction.h"
#include "stripe/StripeClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

constexpr int kPageSize = 100; // Stripe's largest

struct StripeList
{
    QString name; // as in the summary line
    QString path;
    FormParams filters;
};

// Subscriptions first (they make tenants' customers known), then customers and invoices.
QList<StripeList> stripeLists()
{
    return {
        // Canceled ones too (Stripe's default leaves them out); the customer
        // expanded: its e-mail is the tenant's.
        {u"subscriptions"_s,
         u"/v1/subscriptions"_s,
         {{u"status"_s, u"all"_s}, {u"expand[]"_s, u"data.customer"_s}}},
        {u"customers"_s, u"/v1/customers"_s, {}},
        {u"invoices"_s, u"/v1/invoices"_s, {}},
    };
}

QString operatorName()
{
    for (const char *variable : {"SUDO_USER", "USER", "LOGNAME"}) {
        const QString name = qEnvironmentVariable(variable);
        if (!name.isEmpty())
            return u"cli:"_s + name;
    }
    return u"cli"_s;
}

class Run final
{
public:
    Run(Database &database, const Reconciler::Factory &reconcilerFor, const QString &tenant,
        const QString &actor = {})
        : m_database(database)
        , m_reconcilerFor(reconcilerFor)
        , m_tenant(tenant)
        , m_actor(actor)
    {}

    // One object in its own transaction: kept when fixing, else rolled back.
    Result<void> check(const QString &list, const QJsonObject &object, bool fix)
    {
        Result<WriteTransaction> transaction = WriteTransaction::begin(m_database);
        if (!transaction)
            return transaction.error();
        Reconciler reconciler = m_reconcilerFor(transaction->db());
        Result<QList<Divergence>> found = list == u"subscriptions" ? reconciler.subscription(object)
                                          : list == u"customers"   ? reconciler.customer(object)
                                                                   : reconciler.invoice(object);
        if (!found)
            return transaction->fail(
                Error{found.error().code,
                      u"%1: %2"_s.arg(object.value(u"id"_s).toString(), found.error().message)});
        bool ours = true;
        for (const Divergence &divergence : std::as_const(found.value())) {
            if (!m_tenant.isEmpty() && divergence.tenantId != m_tenant) {
                ours = false;
                continue;
            }
            divergences.append(divergence);
        }
        if (fix && ours && !found->isEmpty()) {
            // Audited in the fix's own transaction: no repair without its record.
            QJsonArray kinds;
            for (const Divergence &divergence : std::as_const(found.value()))
                kinds.append(divergence.kind);
            AuditLog::Entry entry;
            entry.actor = m_actor;
            entry.action = u"reconcile.fix"_s;
            entry.targetType = list.chopped(1); // subscription, customer, invoice
            entry.targetId = object.value(u"id"_s).toString();
            entry.details = {{u"divergences"_s, kinds}};
            if (Result<void> recorded = AuditLog(m_database).record(entry); !recorded)
                return transaction->fail(recorded.error());
            if (Result<void> committed = transaction->commit(); !committed)
                return committed;
            fixed += found->size();
        } else {
            transaction->rollback();
        }
        return {};
    }

    QList<Divergence> divergences;
    qint64 fixed = 0;

private:
    Database &m_database;
    const Reconciler::Factory &m_reconcilerFor;
    QString m_tenant;
    QString m_actor;
};

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

    // Each page is checked (and fixed) as it is read: an account's invoices
    // need not fit in memory. Only the objects that differed are kept, to be
    // checked again after --fix.
    ProgressLine progress(json ? streams.err : streams.out);
    Run checked(database, reconcilerFor, tenant, operatorName());
    QList<QPair<QString, QJsonObject>> differed;
    QSet<QString> stripeSubscriptions;
    QStringList counts;
    for (const StripeList &list : stripeLists()) {
        StripeListReader reader(*services->stripe, list.path, list.filters, kPageSize, rate);
        qint64 read = 0;
        for (int page = 1;; ++page) {
            Result<StripeListReader::Page> answer = reader.next();
            if (!answer) {
                progress.finish(u"reading %1: %2"_s.arg(list.name).arg(read));
                streams.err << u"error: "_s << answer.error().message << Qt::endl;
                return ExitFailure;
            }
            for (const QJsonValue &value : std::as_const(answer->data)) {
                const QJsonObject object = value.toObject();
                if (list.name == u"subscriptions")
                    stripeSubscriptions.insert(object.value(u"id"_s).toString());
                const qsizetype before = checked.divergences.size();
                if (Result<void> done = checked.check(list.name, object, fix); !done) {
                    progress.finish(u"reading %1: %2"_s.arg(list.name).arg(read));
                    streams.err << u"error: "_s << done.error().message << Qt::endl;
                    return ExitFailure;
                }
                if (checked.divergences.size() > before)
                    differed.append({list.name, object});
                ++read;
            }
            const QString line = u"reading %1: page %2, %3"_s.arg(list.name).arg(page).arg(read);
            if (!answer->hasMore) {
                progress.finish(line);
                break;
            }
            progress.update(line);
        }
        counts << u"%1 %2"_s.arg(read).arg(list.name);
    }

    // Local subscriptions Stripe's list did not return (deleted, or of the other mode's account).
    auto checkNotInStripe = [&](Run &run) -> bool {
        Result<QSqlDatabase> db = database.connection();
        Result<QList<QPair<QString, QString>>> local =
            db ? ReconcileRows(db.value()).subscriptions(*livemode, tenant)
               : Result<QList<QPair<QString, QString>>>(db.error());
        if (!local) {
            streams.err << u"error: "_s << local.error().message << Qt::endl;
            return false;
        }
        for (const auto &[id, owner] : std::as_const(local.value())) {
            if (!stripeSubscriptions.contains(id))
                run.divergences.append(
                    {u"subscription.not_in_stripe"_s, id, owner, u"stored"_s, u"(none)"_s});
        }
        return true;
    };
    if (!checkNotInStripe(checked))
        return ExitFailure;
    auto print = [&](const QList<Divergence> &divergences) {
        for (const Divergence &divergence : divergences) {
            if (json)
                streams.out << QJsonDocument(divergence.toJson()).toJson(QJsonDocument::Compact) << Qt::endl;
            else
                streams.out << divergence.toLine() << Qt::endl;
        }
    };
    print(checked.divergences);
    QList<Divergence> remaining = checked.divergences;
    if (fix) {
        Run after(database, reconcilerFor, tenant);
        for (const auto &[list, object] : std::as_const(differed)) {
            if (Result<void> done = after.check(list, object, false); !done) {
                streams.err << u"error: "_s << done.error().message << Qt::endl;
                return ExitFailure;
            }
        }
        if (!checkNotInStripe(after))
            return ExitFailure;
        remaining = after.divergences;
        if (!remaining.isEmpty()) {
            streams.err << u"still different after --fix:"_s << Qt::endl;
            print(remaining);
        }
    }
    const QString summary =
        u"reconcile: %1 divergences%2 (%3 read from Stripe)%4"_s.arg(checked.divergences.size())
            .arg(fix ? u", %1 fixed, %2 remaining"_s.arg(checked.fixed).arg(remaining.size()) : QString())
            .arg(counts.join(u", "_s))
            .arg(tenant.isEmpty() ? QString() : u" for tenant "_s + tenant);
    if (json) {
        streams.out << QJsonDocument(QJsonObject{{u"summary"_s, summary},
                                                 {u"divergences"_s, checked.divergences.size()},
                                                 {u"remaining"_s, remaining.size()}})
                           .toJson(QJsonDocument::Compact)
                    << Qt::endl;
    } else {
        streams.out << summary << Qt::endl;
    }
    return remaining.isEmpty() ? ExitOk : ExitDivergent;
}

} // namespace billing::server
