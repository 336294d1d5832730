#include "AdminRoutes.h"

#include "ChangeFeed.h"
#include "admin/AdminDetails.h"
#include "admin/AdminLists.h"
#include "admin/DashboardSummary.h"
#include "billing/EventProcessor.h"
#include "db/AuditLog.h"
#include "db/CustomerStore.h"
#include "db/Database.h"
#include "db/NotificationOutbox.h"
#include "db/ReaderPool.h"
#include "db/StaffStore.h"
#include "http/JsonBody.h"
#include "payments/StripeActions.h"
#include "reconcile/ReconcileService.h"
#include "webhook/EventWorker.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

const QString kBase = u"/admin/v1"_s;

// Encoded on the reader that read it: a page of 100 rows is not turned into
// JSON on the HTTP thread.
Result<QByteArray> encoded(const Result<QJsonObject> &read)
{
    if (!read)
        return read.error();
    return QJsonDocument(read.value()).toJson(QJsonDocument::Compact);
}

// A read from the pool: its JSON, or the error as an answer.
void answerRead(HttpResponder &responder, const Result<QByteArray> &read)
{
    if (read)
        responder.sendText(200, read.value(), "application/json");
    else
        responder.sendError(ApiError::fromError(read.error()));
}

void sendAnswer(HttpResponder &responder, const StripeActions::Answer &answer)
{
    if (const auto *error = std::get_if<ApiError>(&answer))
        responder.sendError(*error);
    else
        responder.sendJson(200, std::get<QJsonObject>(answer));
}

} // namespace

AdminRoutes::AdminRoutes(Dependencies dependencies, QObject *parent)
    : QObject(parent)
    , m_deps(std::move(dependencies))
    , m_staff(std::make_unique<StaffStore>(*m_deps.database, *m_deps.clock))
    , m_readers(std::make_unique<ReaderPool>(*m_deps.database, this, kReaders))
    , m_summaryReader(std::make_unique<ReaderPool>(*m_deps.database, this, 1))
    , m_changes(new ChangeFeed(*m_readers, this))
{}

AdminRoutes::~AdminRoutes() = default;

void AdminRoutes::install(HttpService &service)
{
    service.addRoute("GET", kBase + u"/session"_s, signedIn(&AdminRoutes::session));
    service.addRoute("GET", kBase + u"/summary"_s, signedIn(&AdminRoutes::summary));
    service.addRoute("GET", kBase + u"/events"_s, list(AdminLists::events()));
    service.addRoute("GET", kBase + u"/events/{id}"_s, signedIn(&AdminRoutes::event));
    service.addRoute("POST", kBase + u"/events/{id}/replay"_s, signedIn(&AdminRoutes::replayEvent));
    service.addRoute("GET", kBase + u"/subscriptions"_s, list(AdminLists::subscriptions()));
    service.addRoute("POST", kBase + u"/subscriptions/{id}/cancel"_s,
                     signedIn(&AdminRoutes::cancelSubscription));
    service.addRoute("POST", kBase + u"/portal"_s, signedIn(&AdminRoutes::createPortalLink));
    service.addRoute("GET", kBase + u"/licenses"_s, list(AdminLists::licenses()));
    service.addRoute("GET", kBase + u"/invoices"_s, list(AdminLists::invoices()));
    service.addRoute("GET", kBase + u"/deliveries"_s, list(AdminLists::deliveries()));
    service.addRoute("GET", kBase + u"/dunning"_s, list(AdminLists::dunning()));
    service.addRoute("POST", kBase + u"/dunning/{id}/resend"_s, signedIn(&AdminRoutes::resendDunning));
    service.addRoute("GET", kBase + u"/audit"_s, list(AdminLists::audit()));
    service.addRoute("GET", kBase + u"/tenants/{id}"_s, signedIn(&AdminRoutes::tenant));
    service.addRoute("GET", kBase + u"/changes"_s, signedIn(&AdminRoutes::changes));
    service.addRoute("GET", kBase + u"/reconcile/runs"_s, list(AdminLists::reconcileRuns()));
    service.addRoute("POST", kBase + u"/reconcile/runs"_s, signedIn(&AdminRoutes::startReconcileRun));
    service.addRoute("GET", kBase + u"/reconcile/divergences"_s, list(AdminLists::reconcileDivergences()));
    service.addRoute("POST", kBase + u"/reconcile/divergences/{id}/fix"_s,
                     signedIn(&AdminRoutes::fixDivergence));
    service.addRoute("POST", kBase + u"/reconcile/fix-all"_s, signedIn(&AdminRoutes::fixAllDivergences));
}

HttpService::Handler AdminRoutes::signedIn(Route route)
{
    return signedIn([this, route](const HttpRequest &request, HttpResponder responder, const QString &staff) {
        (this->*route)(request, std::move(responder), staff);
    });
}

HttpService::Handler AdminRoutes::signedIn(Action action)
{
    return [this, action](const HttpRequest &request, HttpResponder responder) {
        const QByteArray token = request.bearerToken();
        if (token.isEmpty()) {
            responder.sendError(
                ApiError::unauthorized(u"sign in with a staff token: Authorization: Bearer <token>"_s));
            return;
        }
        // The token's lookup runs on a reader: the HTTP thread admits
        // webhooks and never waits on the database for the dashboard.
        m_readers->run(
            [staff = m_staff.get(), token](QSqlDatabase &) { return staff->authenticate(token); },
            [this, action, request, responder,
             token](Result<std::optional<StaffStore::SignIn>> staff) mutable {
                if (!staff) {
                    responder.sendError(ApiError::databaseUnavailable(staff.error()));
                    return;
                }
                if (!staff->has_value()) {
                    responder.sendError(ApiError::unauthorized(
                        u"this staff token is unknown or revoked; ask an operator for a new one "
                        "(agencyos-billing-server staff rotate <name>, or staff add for someone new)"_s));
                    return;
                }
                if (request.body.size() > kMaxBodyBytes) {
                    responder.sendError(ApiError::bodyTooLarge(kMaxBodyBytes));
                    return;
                }
                if (staff->value().visitDue)
                    recordVisit(token);
                action(request, std::move(responder), staff->value().name);
            });
    };
}

void AdminRoutes::recordVisit(const QByteArray &token)
{
    // Once a minute a member, and on the writer's thread: not from a reader,
    // which runs at idle priority and would hold SQLite's write lock (and the
    // webhook batches behind it) while the webhooks have the CPU.
    const qint64 nowMs = m_deps.clock->now().toMSecsSinceEpoch();
    const QString key = StaffStore::tokenHash(token);
    const auto queued = m_visitsQueuedAtMs.constFind(key);
    if (queued != m_visitsQueuedAtMs.cend() && nowMs - queued.value() < kVisitResolutionMs)
        return;
    m_visitsQueuedAtMs.insert(key, nowMs);
    m_deps.events->runBetweenBatches([database = m_deps.database, clock = m_deps.clock, token] {
        // Best effort: a busy database must not turn a valid sign-in away.
        if (Result<void> seen = StaffStore(*database, *clock).recordVisit(token); !seen)
            qWarning("could not record a staff visit: %s", qPrintable(seen.error().message));
    });
}

HttpService::Handler AdminRoutes::list(AdminList spec)
{
    return signedIn(
        [this, spec = std::move(spec)](const HttpRequest &request, HttpResponder responder, const QString &) {
            m_readers->run([spec, query = request.query, livemode = livemodeOf(m_deps.mode)](
                               QSqlDatabase &db) { return encoded(spec.page(db, query, livemode)); },
                           [responder](Result<QByteArray> page) mutable { answerRead(responder, page); });
        });
}

void AdminRoutes::audit(const QString &staff, const QString &action, const QString &targetType,
                        const QString &targetId, const QJsonObject &details, bool succeeded)
{
    AuditLog::Entry entry{staff, action, targetType, targetId, details, succeeded};
    if (Result<void> recorded = AuditLog(*m_deps.database).record(entry); !recorded)
        qWarning("audit log write failed: %s", qPrintable(recorded.error().message));
}

void AdminRoutes::session(const HttpRequest &, HttpResponder responder, const QString &staff)
{
    responder.sendJson(200, {{u"staff"_s, staff},
                             {u"mode"_s, stripeModeName(m_deps.mode)},
                             {u"version"_s, QStringLiteral(BILLING_VERSION)}});
}

void AdminRoutes::summary(const HttpRequest &, HttpResponder responder, const QString &)
{
    // The figures aggregate whole indexes (0.15-0.19 s at 100,000
    // subscriptions and 300,000 invoices): every open dashboard shares one
    // computation per few seconds, and those asking while it runs share its
    // answer.
    const qint64 nowMs = m_deps.clock->now().toMSecsSinceEpoch();
    if (!m_summary.isEmpty() && nowMs - m_summaryAtMs <= kSummaryMaxAgeMs) {
        responder.sendText(200, m_summary, "application/json");
        return;
    }
    m_summaryWaiters.append(std::move(responder));
    if (m_summaryWaiters.size() > 1)
        return;
    m_summaryReader->run(
        [now = nowMs / 1000, livemode = livemodeOf(m_deps.mode),
         mode = stripeModeName(m_deps.mode)](QSqlDatabase &db) -> Result<QByteArray> {
            Result<QJsonObject> figures = DashboardSummary::read(db, now, livemode);
            if (!figures)
                return figures.error();
            QJsonObject answer = figures.value();
            answer.insert(u"mode"_s, mode);
            return encoded(answer);
        },
        [this, nowMs](Result<QByteArray> summary) {
            if (summary) {
                m_summary = summary.value();
                m_summaryAtMs = nowMs;
            }
            const QList<HttpResponder> waiters = std::exchange(m_summaryWaiters, {});
            for (HttpResponder waiter : waiters) {
                if (summary)
                    waiter.sendText(200, m_summary, "application/json");
                else
                    waiter.sendError(ApiError::databaseUnavailable(summary.error()));
            }
        });
}

void AdminRoutes::event(const HttpRequest &request, HttpResponder responder, const QString &)
{
    m_readers->run([id = request.pathArgs.value(u"id"_s)](
                       QSqlDatabase &db) { return encoded(AdminDetails::event(db, id)); },
                   [responder](Result<QByteArray> event) mutable { answerRead(responder, event); });
}

void AdminRoutes::replayEvent(const HttpRequest &request, HttpResponder responder, const QString &staff)
{
    const QString id = request.pathArgs.value(u"id"_s);
    if (!id.startsWith(u"evt_") || id.size() > 255) {
        responder.sendError(
            ApiError::invalidRequest(u"the event id must be a Stripe event id (evt_…)"_s, u"id"_s));
        return;
    }
    {
        Result<QSqlDatabase> db = m_deps.database->connection();
        Result<bool> stored = db ? AdminDetails::eventIsStored(db.value(), id) : Result<bool>(db.error());
        if (!stored) {
            responder.sendError(ApiError::databaseUnavailable(stored.error()));
            return;
        }
        if (!stored.value()) {
            responder.sendError(ApiError::notFound(u"no event %1 is stored"_s.arg(id), u"id"_s));
            return;
        }
    }
    m_deps.events->replay(id, [this, responder, id, staff](const EventProcessor::Report &report) mutable {
        const bool applied = report.outcome == EventProcessor::Outcome::Processed ||
                             report.outcome == EventProcessor::Outcome::Ignored ||
                             report.outcome == EventProcessor::Outcome::Duplicate;
        const QString outcome = EventProcessor::outcomeName(report.outcome);
        audit(staff, u"event.replay"_s, u"event"_s, id,
              {{u"outcome"_s, outcome}, {u"message"_s, report.message}}, applied);
        responder.sendJson(200, {{u"event"_s, id}, {u"outcome"_s, outcome}, {u"message"_s, report.message}});
    });
}

void AdminRoutes::cancelSubscription(const HttpRequest &request, HttpResponder responder,
                                     const QString &staff)
{
    const QString id = request.pathArgs.value(u"id"_s);
    if (!StripeActions::isSubscriptionId(id)) {
        responder.sendError(ApiError::invalidRequest(
            u"the subscription id must be a Stripe subscription id (sub_…)"_s, u"subscription_id"_s));
        return;
    }
    JsonBody body = JsonBody::parse(request, {u"at_period_end"_s});
    const std::optional<bool> atPeriodEnd = body.optionalBool(u"at_period_end"_s);
    // The dashboard must say which: cancelling now by omission is not undoable.
    if (!body.error() && !atPeriodEnd)
        body.fail(u"at_period_end"_s,
                  u"at_period_end is required: true (at the period end) or false (now)"_s);
    if (body.error()) {
        responder.sendError(*body.error());
        return;
    }
    m_deps.stripe->cancelSubscription(
        id, *atPeriodEnd, {}, staff, {{u"via"_s, u"dashboard"_s}},
        [responder](const StripeActions::Answer &answer) mutable { sendAnswer(responder, answer); });
}

void AdminRoutes::createPortalLink(const HttpRequest &request, HttpResponder responder, const QString &staff)
{
    JsonBody body = JsonBody::parse(request, {u"customer_id"_s, u"tenant_id"_s, u"return_url"_s});
    QString customerId = body.optionalString(u"customer_id"_s, 255);
    const QString tenantId = body.optionalString(u"tenant_id"_s, 200);
    QString returnUrl = body.optionalString(u"return_url"_s, 2048);
    if (returnUrl.isEmpty())
        returnUrl = m_deps.portalReturnUrl;
    if (customerId.isEmpty() == tenantId.isEmpty())
        body.fail(u"customer_id"_s, u"give either customer_id (cus_…) or tenant_id"_s);
    else if (!customerId.isEmpty() && !StripeActions::isCustomerId(customerId))
        body.fail(u"customer_id"_s, u"customer_id must be a Stripe customer id (cus_…)"_s);
    if (returnUrl.isEmpty())
        body.fail(u"return_url"_s, u"return_url is required when BILLING_PORTAL_RETURN_URL is not set"_s);
    else if (const QString problem = m_deps.redirects.check(returnUrl); !problem.isEmpty())
        body.fail(u"return_url"_s, u"return_url "_s + problem);
    if (body.error()) {
        responder.sendError(*body.error());
        return;
    }
    if (customerId.isEmpty()) {
        Result<QString> found =
            CustomerStore(*m_deps.database, livemodeOf(m_deps.mode)).customerForTenant(tenantId);
        if (!found) {
            responder.sendError(ApiError::databaseUnavailable(found.error()));
            return;
        }
        if (found->isEmpty()) {
            responder.sendError(
                ApiError::notFound(u"tenant %1 has no Stripe customer yet"_s.arg(tenantId), u"tenant_id"_s));
            return;
        }
        customerId = found.value();
    }
    m_deps.stripe->createPortalSession(
        customerId, returnUrl, {}, staff, {{u"via"_s, u"dashboard"_s}},
        [responder](const StripeActions::Answer &answer) mutable { sendAnswer(responder, answer); });
}

void AdminRoutes::resendDunning(const HttpRequest &request, HttpResponder responder, const QString &staff)
{
    bool ok = false;
    const qint64 id = request.pathArgs.value(u"id"_s).toLongLong(&ok);
    if (!ok || id <= 0) {
        responder.sendError(ApiError::invalidRequest(u"the notice id must be a positive number"_s, u"id"_s));
        return;
    }
    Result<QSqlDatabase> db = m_deps.database->connection();
    if (!db) {
        responder.sendError(ApiError::databaseUnavailable(db.error()));
        return;
    }
    // A new notice with a key of its own: the hook sees a new delivery, and the
    // original stays in the history as it was.
    const qint64 now = m_deps.clock->nowSecondsSinceEpoch();
    // Unique even for two resends in the same millisecond (the key is UNIQUE).
    const QString suffix = u":resend:%1:%2"_s.arg(m_deps.clock->now().toMSecsSinceEpoch())
                               .arg(QRandomGenerator::global()->generate(), 8, 16, QChar(u'0'));
    Result<NotificationOutbox::Resend> resent = NotificationOutbox(db.value()).resend(id, suffix, now);
    if (!resent) {
        responder.sendError(ApiError::databaseUnavailable(resent.error()));
        return;
    }
    using Outcome = NotificationOutbox::Resend::Outcome;
    switch (resent->outcome) {
    case Outcome::NoSuchNotice:
        responder.sendError(ApiError::notFound(u"no dunning notice %1"_s.arg(id), u"id"_s));
        return;
    case Outcome::InvoiceSettled: {
        const QString why =
            u"invoice %1 is %2 now: a payment-failed notice would tell the customer something "
            "untrue, so it was not sent again"_s.arg(resent->invoiceId, resent->invoiceStatus);
        audit(staff, u"dunning.resend"_s, u"notification"_s, QString::number(id), {{u"refused"_s, why}},
              false);
        responder.sendError(ApiError::conflict(why, u"id"_s));
        return;
    }
    case Outcome::Queued: break;
    }
    audit(staff, u"dunning.resend"_s, u"notification"_s, QString::number(id),
          {{u"resent_as"_s, resent->copyId}}, true);
    responder.sendJson(200, {{u"id"_s, id}, {u"resent_as"_s, resent->copyId}, {u"status"_s, u"pending"_s}});
}

void AdminRoutes::tenant(const HttpRequest &request, HttpResponder responder, const QString &)
{
    m_readers->run([id = request.pathArgs.value(u"id"_s)](
                       QSqlDatabase &db) { return encoded(AdminDetails::tenant(db, id)); },
                   [responder](Result<QByteArray> tenant) mutable { answerRead(responder, tenant); });
}

void AdminRoutes::changes(const HttpRequest &request, HttpResponder responder, const QString &)
{
    bool ok = true;
    const int wait =
        request.query.hasQueryItem(u"wait"_s) ? request.query.queryItemValue(u"wait"_s).toInt(&ok) : 0;
    if (!ok || wait < 0 || wait > 30) {
        responder.sendError(ApiError::invalidRequest(u"wait must be 0 to 30 seconds"_s, u"wait"_s));
        return;
    }
    m_changes->wait(request.query.queryItemValue(u"cursor"_s), std::chrono::seconds(wait),
                    std::move(responder));
}

namespace {

ApiError reconcileUnavailable()
{
    return ApiError::conflict(u"reconciliation needs STRIPE_SECRET_KEY (sk_test_… or sk_live_…) in the "
                              "service's settings"_s);
}

QJsonArray divergencesJson(const QList<Divergence> &divergences)
{
    QJsonArray array;
    for (const Divergence &divergence : divergences)
        array.append(divergence.toJson());
    return array;
}

} // namespace

void AdminRoutes::startReconcileRun(const HttpRequest &, HttpResponder responder, const QString &staff)
{
    if (!m_deps.reconcile) {
        responder.sendError(reconcileUnavailable());
        return;
    }
    m_deps.reconcile->startRun(
        staff, [this, responder, staff](Result<qint64> runId, const QString &refusal) mutable {
            if (!refusal.isEmpty()) {
                responder.sendError(ApiError::conflict(refusal));
                return;
            }
            if (!runId) {
                responder.sendError(ApiError::databaseUnavailable(runId.error()));
                return;
            }
            audit(staff, u"reconcile.run"_s, u"reconcile_run"_s, QString::number(runId.value()), {}, true);
            responder.sendJson(202, {{u"id"_s, runId.value()}, {u"status"_s, u"running"_s}});
        });
}

void AdminRoutes::fixDivergence(const HttpRequest &request, HttpResponder responder, const QString &staff)
{
    bool ok = false;
    const qint64 id = request.pathArgs.value(u"id"_s).toLongLong(&ok);
    if (!ok || id <= 0) {
        responder.sendError(
            ApiError::invalidRequest(u"the divergence id must be a positive number"_s, u"id"_s));
        return;
    }
    fixDivergences({id}, std::move(responder), staff);
}

void AdminRoutes::fixAllDivergences(const HttpRequest &, HttpResponder responder, const QString &staff)
{
    fixDivergences({}, std::move(responder), staff);
}

void AdminRoutes::fixDivergences(const QList<qint64> &ids, HttpResponder responder, const QString &staff)
{
    if (!m_deps.reconcile) {
        responder.sendError(reconcileUnavailable());
        return;
    }
    // Each object fixed is audited (reconcile.fix) with the fix itself.
    m_deps.reconcile->fix(ids, staff, [responder](Result<ReconcileService::FixReport> report) mutable {
        if (!report) {
            responder.sendError(report.error().code == ErrorCode::Io
                                    ? ApiError::badGateway(report.error().message, {})
                                    : ApiError::fromError(report.error()));
            return;
        }
        if (!report->refusal.isEmpty()) {
            responder.sendError(ApiError::conflict(report->refusal, u"id"_s));
            return;
        }
        QJsonArray fixed;
        for (qint64 id : std::as_const(report->fixed))
            fixed.append(id);
        responder.sendJson(200,
                           {{u"fixed"_s, fixed}, {u"still_different"_s, divergencesJson(report->remaining)}});
    });
}

} // namespace billing::server
