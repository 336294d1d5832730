#include "StripeActions.h"

#include "StripeErrorMapping.h"
#include "billing/SubscriptionSummary.h"
#include "db/AuditLog.h"
#include "stripe/StripeClient.h"
#include "stripe/StripeIds.h"

using namespace Qt::StringLiterals;

namespace billing::server {

const QString StripeActions::kSubscriptionMissingHint =
    u"Ensure the subscription exists in the configured Stripe account, in the same mode (live or test) as "
    "STRIPE_SECRET_KEY"_s;

StripeActions::StripeActions(StripeClient *stripe, Database *database, PlanCatalog plans, QObject *parent)
    : QObject(parent)
    , m_stripe(stripe)
    , m_database(database)
    , m_plans(std::move(plans))
{}

bool StripeActions::isSubscriptionId(const QString &text)
{
    return isStripeId(text, "sub_"_L1);
}

bool StripeActions::isCustomerId(const QString &text)
{
    return isStripeId(text, "cus_"_L1, /*underscores=*/false);
}

void StripeActions::cancelSubscription(const QString &subscriptionId, bool atPeriodEnd,
                                       const QString &idempotencyKey, const QString &actor,
                                       const QJsonObject &context, Done done)
{
    StripeJob *job = atPeriodEnd
                         ? m_stripe->post(u"/v1/subscriptions/"_s + subscriptionId,
                                          FormParams{{u"cancel_at_period_end"_s, u"true"_s}}, idempotencyKey)
                         : m_stripe->del(u"/v1/subscriptions/"_s + subscriptionId);
    connect(job, &StripeJob::finished, this,
            [this, subscriptionId, atPeriodEnd, actor, context, done](const StripeResult &result) {
                AuditLog::Entry entry;
                entry.actor = actor;
                entry.action =
                    atPeriodEnd ? u"subscription.cancel_at_period_end"_s : u"subscription.cancel"_s;
                entry.targetType = u"subscription"_s;
                entry.targetId = subscriptionId;
                entry.succeeded = result.ok();
                entry.details = context;
                entry.details.insert(u"at_period_end"_s, atPeriodEnd);
                entry.details.insert(u"stripe_request_id"_s, result.requestId);
                if (result.ok())
                    entry.details.insert(u"status"_s, result.object.value(u"status"_s));
                else
                    entry.details.insert(u"error"_s, result.error.summary());
                if (Result<void> recorded = AuditLog(*m_database).record(entry); !recorded)
                    qWarning("audit log write failed: %s", qPrintable(recorded.error().message));

                if (!result.ok()) {
                    done(apiErrorForStripe(result.error, {{u"id"_s, u"subscription_id"_s}},
                                           kSubscriptionMissingHint));
                    return;
                }
                done(subscriptionSummary(result.object, m_plans));
            });
}

void StripeActions::createPortalSession(const QString &customerId, const QString &returnUrl,
                                        const QString &idempotencyKey, const QString &actor,
                                        const QJsonObject &context, Done done)
{
    const FormParams params{{u"customer"_s, customerId}, {u"return_url"_s, returnUrl}};
    StripeJob *job = m_stripe->post(u"/v1/billing_portal/sessions"_s, params, idempotencyKey);
    connect(job, &StripeJob::finished, this,
            [this, customerId, actor, context, done](const StripeResult &result) {
                AuditLog::Entry entry;
                entry.actor = actor;
                entry.action = u"customer.portal_link"_s;
                entry.targetType = u"customer"_s;
                entry.targetId = customerId;
                entry.succeeded = result.ok() && !result.object.value(u"url"_s).toString().isEmpty();
                entry.details = context;
                entry.details.insert(u"stripe_request_id"_s, result.requestId);
                if (!result.ok())
                    entry.details.insert(u"error"_s, result.error.summary());
                if (Result<void> recorded = AuditLog(*m_database).record(entry); !recorded)
                    qWarning("audit log write failed: %s", qPrintable(recorded.error().message));

                if (!result.ok()) {
                    done(apiErrorForStripe(
                        result.error, {{u"customer"_s, u"customer_id"_s}, {u"return_url"_s, u"return_url"_s}},
                        u"Ensure the customer_id exists in the configured Stripe account, in the same "
                        "mode (live or test) as STRIPE_SECRET_KEY"_s));
                    return;
                }
                const QString url = result.object.value(u"url"_s).toString();
                if (url.isEmpty()) {
                    done(ApiError::badGateway(u"Stripe's portal session has no url"_s, result.requestId));
                    return;
                }
                done(QJsonObject{{u"url"_s, url}});
            });
}

} // namespace billing::server
