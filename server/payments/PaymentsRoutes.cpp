#include "PaymentsRoutes.h"

#include "StripeActions.h"
#include "StripeErrorMapping.h"
#include "billing/SubscriptionSummary.h"
#include "db/CustomerStore.h"
#include "http/JsonBody.h"
#include "stripe/StripeClient.h"

#include <QJsonObject>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

const QString kCheckoutPath = u"/payments/stripe/checkout"_s;
const QString kPortalPath = u"/payments/stripe/portal"_s;
const QString kSubscriptionPath = u"/payments/stripe/subscription/{id}"_s;
const QString kCancelPath = u"/payments/stripe/subscription/{id}/cancel"_s;

// Stripe takes keys of up to 255 characters; a longer one would fail there.
void checkIdempotencyKey(const HttpRequest &request, JsonBody &body)
{
    if (request.header("Idempotency-Key").size() > 255)
        body.fail(u"Idempotency-Key"_s, u"the Idempotency-Key header is longer than 255 characters"_s);
}

// Stripe accepts client_reference_id of up to 200 letters, digits, '-' and '_'.
bool isValidTenantId(const QString &tenantId)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9_-]{1,200}$"_s);
    return pattern.match(tenantId).hasMatch();
}

bool isPlausibleEmail(const QString &email)
{
    static const QRegularExpression pattern(u"^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"_s);
    return pattern.match(email).hasMatch();
}

void sendAnswer(HttpResponder &responder, const StripeActions::Answer &answer)
{
    if (const auto *error = std::get_if<ApiError>(&answer))
        responder.sendError(*error);
    else
        responder.sendJson(200, std::get<QJsonObject>(answer));
}

} // namespace

PaymentsRoutes::PaymentsRoutes(Dependencies dependencies, QObject *parent)
    : QObject(parent)
    , m_deps(std::move(dependencies))
    , m_auth(m_deps.apiToken)
    , m_customers(std::make_unique<CustomerStore>(*m_deps.database, livemodeOf(m_deps.mode)))
    , m_actions(new StripeActions(m_deps.stripe, m_deps.database, m_deps.plans, this))
{}

PaymentsRoutes::~PaymentsRoutes() = default;

HttpService::Handler PaymentsRoutes::guarded(void (PaymentsRoutes::*route)(const HttpRequest &,
                                                                           HttpResponder))
{
    return [this, route](const HttpRequest &request, HttpResponder responder) {
        if (std::optional<ApiError> denied = m_auth.check(request)) {
            responder.sendError(*denied);
            return;
        }
        if (request.body.size() > kMaxBodyBytes) {
            responder.sendError(ApiError::bodyTooLarge(kMaxBodyBytes));
            return;
        }
        (this->*route)(request, std::move(responder));
    };
}

void PaymentsRoutes::install(HttpService &service)
{
    service.addRoute("POST", kCheckoutPath, guarded(&PaymentsRoutes::createCheckoutSession));
    service.addRoute("POST", kPortalPath, guarded(&PaymentsRoutes::createPortalSession));
    service.addRoute("GET", kSubscriptionPath, guarded(&PaymentsRoutes::getSubscription));
    service.addRoute("POST", kCancelPath, guarded(&PaymentsRoutes::cancelSubscription));
}

void PaymentsRoutes::createCheckoutSession(const HttpRequest &request, HttpResponder responder)
{
    JsonBody body = JsonBody::parse(request, {u"plan_id"_s, u"tenant_id"_s, u"success_url"_s, u"cancel_url"_s,
                                              u"customer_email"_s, u"trial_days"_s});
    const QString planId = body.requiredString(u"plan_id"_s, 255);
    const std::optional<PlanCatalog::Choice> plan = m_deps.plans.resolve(planId);
    if (!plan) {
        body.fail(u"plan_id"_s,
                  u"unknown plan \"%1\": use solo, team, enterprise or a Price id (price_…)"_s.arg(
                      planId.left(60)));
    }
    const QString tenantId = body.requiredString(u"tenant_id"_s, 200);
    if (!tenantId.isEmpty() && !isValidTenantId(tenantId))
        body.fail(u"tenant_id"_s, u"tenant_id may contain only letters, digits, '-' and '_' (at most 200)"_s);
    const QString successUrl = body.requiredString(u"success_url"_s, 2048);
    if (const QString problem = m_deps.redirects.check(successUrl);
        !successUrl.isEmpty() && !problem.isEmpty())
        body.fail(u"success_url"_s, u"success_url "_s + problem);
    const QString cancelUrl = body.requiredString(u"cancel_url"_s, 2048);
    if (const QString problem = m_deps.redirects.check(cancelUrl); !cancelUrl.isEmpty() && !problem.isEmpty())
        body.fail(u"cancel_url"_s, u"cancel_url "_s + problem);
    const QString email = body.optionalString(u"customer_email"_s, 512);
    if (!email.isEmpty() && !isPlausibleEmail(email))
        body.fail(u"customer_email"_s, u"customer_email is not an email address"_s);
    const std::optional<qint64> trialDays = body.optionalInteger(u"trial_days"_s, 1, 730);
    checkIdempotencyKey(request, body);
    const QString idempotencyKey = QString::fromLatin1(request.header("Idempotency-Key"));
    if (body.error()) {
        responder.sendError(*body.error());
        return;
    }

    // Stripe takes customer or customer_email, never both: a returning tenant
    // keeps its customer (and its payment methods).
    Result<QString> customer = m_customers->customerForTenant(tenantId);
    if (!customer) {
        responder.sendError(ApiError::databaseUnavailable(customer.error()));
        return;
    }

    FormParams params;
    params.add(u"mode"_s, u"subscription"_s)
        .add(u"line_items[0][price]"_s, plan->priceId)
        .add(u"line_items[0][quantity]"_s, qint64(1))
        .add(u"success_url"_s, successUrl)
        .add(u"cancel_url"_s, cancelUrl)
        .add(u"client_reference_id"_s, tenantId);
    if (!customer->isEmpty())
        params.add(u"customer"_s, customer.value());
    else if (!email.isEmpty())
        params.add(u"customer_email"_s, email);
    params.add(u"metadata[tenant_id]"_s, tenantId)
        .add(u"metadata[plan]"_s, plan->plan)
        .add(u"subscription_data[metadata][tenant_id]"_s, tenantId)
        .add(u"subscription_data[metadata][plan]"_s, plan->plan);
    if (trialDays)
        params.add(u"subscription_data[trial_period_days]"_s, *trialDays);

    StripeJob *job = m_deps.stripe->post(u"/v1/checkout/sessions"_s, params, idempotencyKey);
    connect(job, &StripeJob::finished, this, [responder](const StripeResult &result) mutable {
        if (!result.ok()) {
            responder.sendError(
                apiErrorForStripe(result.error,
                                  {{u"line_items[0][price]"_s, u"plan_id"_s},
                                   {u"price"_s, u"plan_id"_s},
                                   {u"success_url"_s, u"success_url"_s},
                                   {u"cancel_url"_s, u"cancel_url"_s},
                                   {u"customer_email"_s, u"customer_email"_s},
                                   {u"client_reference_id"_s, u"tenant_id"_s},
                                   {u"subscription_data[trial_period_days]"_s, u"trial_days"_s}},
                                  u"Check that STRIPE_PRICE_* hold Price ids (price_…, not prod_…) from the "
                                  u"same Stripe account "
                                  "and mode (live or test) as STRIPE_SECRET_KEY"_s));
            return;
        }
        const QString id = result.object.value(u"id"_s).toString();
        const QString url = result.object.value(u"url"_s).toString();
        if (id.isEmpty() || url.isEmpty()) {
            responder.sendError(
                ApiError::badGateway(u"Stripe's checkout session has no id or url"_s, result.requestId));
            return;
        }
        responder.sendJson(200, {{u"id"_s, id}, {u"url"_s, url}});
    });
}

void PaymentsRoutes::createPortalSession(const HttpRequest &request, HttpResponder responder)
{
    JsonBody body = JsonBody::parse(request, {u"customer_id"_s, u"return_url"_s});
    checkIdempotencyKey(request, body);
    const QString customerId = body.requiredString(u"customer_id"_s, 255);
    if (!customerId.isEmpty() && !StripeActions::isCustomerId(customerId))
        body.fail(u"customer_id"_s, u"customer_id must be a Stripe customer id (cus_…)"_s);
    const QString returnUrl = body.requiredString(u"return_url"_s, 2048);
    if (const QString problem = m_deps.redirects.check(returnUrl); !returnUrl.isEmpty() && !problem.isEmpty())
        body.fail(u"return_url"_s, u"return_url "_s + problem);
    if (body.error()) {
        responder.sendError(*body.error());
        return;
    }

    m_actions->createPortalSession(
        customerId, returnUrl, QString::fromLatin1(request.header("Idempotency-Key")), u"api"_s,
        {{u"remote_address"_s, request.remoteAddress.toString()}},
        [responder](const StripeActions::Answer &answer) mutable { sendAnswer(responder, answer); });
}

namespace {

std::optional<ApiError> checkSubscriptionId(const QString &id)
{
    if (!StripeActions::isSubscriptionId(id))
        return ApiError::invalidRequest(u"the subscription id must be a Stripe subscription id (sub_…)"_s,
                                        u"subscription_id"_s);
    return std::nullopt;
}

} // namespace

void PaymentsRoutes::getSubscription(const HttpRequest &request, HttpResponder responder)
{
    const QString id = request.pathArgs.value(u"id"_s);
    if (std::optional<ApiError> invalid = checkSubscriptionId(id)) {
        responder.sendError(*invalid);
        return;
    }
    StripeJob *job = m_deps.stripe->get(u"/v1/subscriptions/"_s + id);
    connect(job, &StripeJob::finished, this, [this, responder](const StripeResult &result) mutable {
        if (!result.ok()) {
            responder.sendError(apiErrorForStripe(result.error, {{u"id"_s, u"subscription_id"_s}},
                                                  StripeActions::kSubscriptionMissingHint));
            return;
        }
        responder.sendJson(200, subscriptionSummary(result.object, m_deps.plans));
    });
}

void PaymentsRoutes::cancelSubscription(const HttpRequest &request, HttpResponder responder)
{
    const QString id = request.pathArgs.value(u"id"_s);
    if (std::optional<ApiError> invalid = checkSubscriptionId(id)) {
        responder.sendError(*invalid);
        return;
    }
    JsonBody body = JsonBody::parse(request, {u"at_period_end"_s}, /*emptyAllowed=*/true);
    checkIdempotencyKey(request, body);
    const bool atPeriodEnd = body.optionalBool(u"at_period_end"_s).value_or(false);
    if (body.error()) {
        responder.sendError(*body.error());
        return;
    }

    m_actions->cancelSubscription(
        id, atPeriodEnd, QString::fromLatin1(request.header("Idempotency-Key")), u"api"_s,
        {{u"remote_address"_s, request.remoteAddress.toString()}},
        [responder](const StripeActions::Answer &answer) mutable { sendAnswer(responder, answer); });
}

} // namespace billing::server
