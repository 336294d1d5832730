#include "AdminLists.h"

#include "db/ReconcileRows.h"

using namespace Qt::StringLiterals;

namespace billing::AdminLists {

namespace {
using Kind = AdminList::Kind;
using Match = AdminList::Filter::Match;
} // namespace

// Sorts and filters follow the indexes (migration 010), so that a page of a
// million events is an index range, not a sort.
AdminList events()
{
    AdminList list;
    list.from = u"payment_events"_s;
    list.keySql = u"id"_s;
    list.columns = {
        {u"id"_s, u"stripe_event_id"_s, Kind::Text},
        {u"type"_s, u"event_type"_s, Kind::Text},
        {u"status"_s, u"status"_s, Kind::Text},
        {u"object_id"_s, u"object_id"_s, Kind::Text},
        {u"created"_s, u"stripe_created_at"_s, Kind::Integer},
        {u"received_at"_s, u"received_at"_s, Kind::Integer},
        {u"processed_at"_s, u"processed_at"_s, Kind::Integer},
        {u"attempts"_s, u"attempts"_s, Kind::Integer},
        {u"error"_s, u"error"_s, Kind::Text},
        {u"warning"_s, u"warning"_s, Kind::Text},
        {u"source"_s, u"source"_s, Kind::Text},
        {u"livemode"_s, u"livemode"_s, Kind::Boolean},
    };
    list.filters = {
        {u"type"_s, u"event_type = ?"_s, Match::Exact, 255},
        {u"status"_s, u"status = ?"_s, Match::Exact, 20},
        {u"from"_s, u"stripe_created_at >= ?"_s, Match::Integer, 20},
        {u"to"_s, u"stripe_created_at < ?"_s, Match::Integer, 20},
        {u"q"_s,
         u"((stripe_event_id{C} >= ? AND stripe_event_id{C} < ?) OR (object_id{C} >= ? AND object_id{C} < ?))"_s,
         Match::Prefix, 255},
    };
    // received_at follows the row id: rows are numbered as they arrive.
    // No sort by type: the filter by type serves that, from an index.
    list.sorts = {{u"created"_s, u"stripe_created_at"_s, Kind::Integer},
                  {u"received_at"_s, u"id"_s, Kind::Integer}};
    list.defaultSort = u"-created"_s;
    list.modeCondition = u"livemode = ?"_s;
    return list;
}

AdminList subscriptions()
{
    AdminList list;
    list.from = u"subscriptions"_s;
    list.keySql = u"stripe_subscription_id"_s;
    list.keyKind = Kind::Text;
    list.columns = {
        {u"id"_s, u"stripe_subscription_id"_s, Kind::Text},
        {u"tenant_id"_s, u"tenant_id"_s, Kind::Text},
        {u"customer_id"_s, u"stripe_customer_id"_s, Kind::Text},
        {u"plan"_s, u"plan"_s, Kind::Text},
        {u"price_id"_s, u"stripe_price_id"_s, Kind::Text},
        {u"status"_s, u"status"_s, Kind::Text},
        {u"currency"_s, u"currency"_s, Kind::Text},
        {u"unit_amount"_s, u"unit_amount"_s, Kind::Integer},
        {u"interval"_s, u"billing_interval"_s, Kind::Text},
        {u"current_period_end"_s, u"current_period_end"_s, Kind::Integer},
        {u"cancel_at_period_end"_s, u"cancel_at_period_end"_s, Kind::Boolean},
        {u"cancel_at"_s, u"cancel_at"_s, Kind::Integer},
        {u"trial_end"_s, u"trial_end"_s, Kind::Integer},
        {u"canceled_at"_s, u"canceled_at"_s, Kind::Integer},
        {u"updated_at"_s, u"updated_at"_s, Kind::Integer},
        {u"livemode"_s, u"livemode"_s, Kind::Boolean},
    };
    list.filters = {
        {u"status"_s, u"status = ?"_s, Match::Exact, 30},
        {u"plan"_s, u"plan = ?"_s, Match::Exact, 30},
        {u"tenant"_s, u"tenant_id = ?"_s, Match::Exact, 200},
        {u"customer"_s, u"stripe_customer_id = ?"_s, Match::Exact, 255},
    };
    list.sorts = {{u"updated_at"_s, u"updated_at"_s, Kind::Integer},
                  {u"current_period_end"_s, u"COALESCE(current_period_end, 0)"_s, Kind::Integer},
                  {u"tenant_id"_s, u"COALESCE(tenant_id, '')"_s, Kind::Text}};
    list.defaultSort = u"-updated_at"_s;
    list.modeCondition = u"livemode = ?"_s;
    return list;
}

AdminList licenses()
{
    AdminList list;
    list.from = u"licenses"_s;
    list.keySql = u"id"_s;
    list.columns = {
        {u"id"_s, u"id"_s, Kind::Integer},
        {u"tenant_id"_s, u"tenant_id"_s, Kind::Text},
        {u"subscription_id"_s, u"stripe_subscription_id"_s, Kind::Text},
        {u"plan"_s, u"plan"_s, Kind::Text},
        {u"status"_s, u"status"_s, Kind::Text},
        {u"valid_until"_s, u"valid_until"_s, Kind::Integer},
        {u"issued_at"_s, u"issued_at"_s, Kind::Integer},
        {u"license_key"_s, u"license_key"_s, Kind::Text},
        {u"updated_at"_s, u"updated_at"_s, Kind::Integer},
    };
    list.filters = {
        {u"status"_s, u"status = ?"_s, Match::Exact, 20},
        {u"tenant"_s, u"tenant_id = ?"_s, Match::Exact, 200},
    };
    list.sorts = {{u"issued_at"_s, u"id"_s, Kind::Integer},
                  {u"valid_until"_s, u"COALESCE(valid_until, 0)"_s, Kind::Integer}};
    list.defaultSort = u"-issued_at"_s;
    list.modeCondition = u"EXISTS (SELECT 1 FROM subscriptions s WHERE s.stripe_subscription_id = "
                         u"licenses.stripe_subscription_id "
                         "AND s.livemode = ?)"_s;
    return list;
}

AdminList invoices()
{
    AdminList list;
    list.from = u"invoices"_s;
    list.keySql = u"stripe_invoice_id"_s;
    list.keyKind = Kind::Text;
    list.columns = {
        {u"id"_s, u"stripe_invoice_id"_s, Kind::Text},
        {u"number"_s, u"invoice_number"_s, Kind::Text},
        {u"tenant_id"_s, u"tenant_id"_s, Kind::Text},
        {u"customer_id"_s, u"stripe_customer_id"_s, Kind::Text},
        {u"subscription_id"_s, u"stripe_subscription_id"_s, Kind::Text},
        {u"status"_s, u"status"_s, Kind::Text},
        {u"currency"_s, u"currency"_s, Kind::Text},
        {u"amount_due"_s, u"amount_due"_s, Kind::Integer},
        {u"amount_paid"_s, u"amount_paid"_s, Kind::Integer},
        {u"amount_remaining"_s, u"amount_remaining"_s, Kind::Integer},
        {u"attempt_count"_s, u"attempt_count"_s, Kind::Integer},
        {u"next_payment_attempt"_s, u"next_payment_attempt"_s, Kind::Integer},
        {u"hosted_invoice_url"_s, u"hosted_invoice_url"_s, Kind::Text},
        {u"created"_s, u"stripe_created_at"_s, Kind::Integer},
        {u"paid_at"_s, u"paid_at"_s, Kind::Integer},
    };
    list.filters = {
        {u"status"_s, u"status = ?"_s, Match::Exact, 20},
        {u"tenant"_s, u"tenant_id = ?"_s, Match::Exact, 200},
        {u"customer"_s, u"stripe_customer_id = ?"_s, Match::Exact, 255},
        // Failed or past due: open, and Stripe has tried to collect it.
        {u"problem"_s, u"(status = 'open' AND attempt_count > 0)"_s, Match::Flag, 5},
    };
    list.sorts = {{u"created"_s, u"stripe_created_at"_s, Kind::Integer},
                  {u"amount_due"_s, u"amount_due"_s, Kind::Integer}};
    list.defaultSort = u"-created"_s;
    list.modeCondition = u"livemode = ?"_s;
    return list;
}

AdminList deliveries()
{
    AdminList list;
    list.from = u"webhook_delivery_failures"_s;
    list.keySql = u"id"_s;
    list.columns = {
        {u"id"_s, u"id"_s, Kind::Integer},
        {u"received_at"_s, u"received_at"_s, Kind::Integer},
        {u"first_received_at"_s, u"COALESCE(first_received_at, received_at)"_s, Kind::Integer},
        {u"count"_s, u"attempts"_s, Kind::Integer},
        {u"remote_address"_s, u"remote_address"_s, Kind::Text},
        {u"reason"_s, u"reason"_s, Kind::Text},
        {u"event_id"_s, u"stripe_event_id"_s, Kind::Text},
        {u"body_size"_s, u"body_size"_s, Kind::Integer},
    };
    list.filters = {{u"from"_s, u"received_at >= ?"_s, Match::Integer, 20}};
    list.sorts = {{u"received_at"_s, u"id"_s, Kind::Integer}};
    list.defaultSort = u"-received_at"_s;
    return list;
}

AdminList dunning()
{
    AdminList list;
    list.from = u"notification_outbox"_s;
    list.keySql = u"id"_s;
    list.columns = {
        {u"id"_s, u"id"_s, Kind::Integer},
        {u"kind"_s, u"kind"_s, Kind::Text},
        {u"tenant_id"_s, u"tenant_id"_s, Kind::Text},
        {u"customer_id"_s, u"stripe_customer_id"_s, Kind::Text},
        {u"invoice_id"_s, u"stripe_invoice_id"_s, Kind::Text},
        {u"recipient_email"_s, u"recipient_email"_s, Kind::Text},
        {u"status"_s, u"status"_s, Kind::Text},
        {u"attempts"_s, u"attempts"_s, Kind::Integer},
        {u"last_error"_s, u"last_error"_s, Kind::Text},
        {u"next_attempt_at"_s, u"next_attempt_at"_s, Kind::Integer},
        {u"created_at"_s, u"created_at"_s, Kind::Integer},
        {u"sent_at"_s, u"sent_at"_s, Kind::Integer},
        {u"details"_s, u"payload"_s, Kind::Json},
    };
    list.filters = {{u"status"_s, u"status = ?"_s, Match::Exact, 20},
                    {u"tenant"_s, u"tenant_id = ?"_s, Match::Exact, 200}};
    list.sorts = {{u"created_at"_s, u"id"_s, Kind::Integer}};
    list.defaultSort = u"-created_at"_s;
    list.modeCondition =
        u"EXISTS (SELECT 1 FROM invoices i WHERE i.stripe_invoice_id = notification_outbox.stripe_invoice_id "
        "AND i.livemode = ?)"_s;
    return list;
}

AdminList audit()
{
    AdminList list;
    list.from = u"audit_log"_s;
    list.keySql = u"id"_s;
    list.columns = {
        {u"id"_s, u"id"_s, Kind::Integer},
        {u"occurred_at"_s, u"occurred_at"_s, Kind::Integer},
        {u"actor"_s, u"actor"_s, Kind::Text},
        {u"action"_s, u"action"_s, Kind::Text},
        {u"target_type"_s, u"target_type"_s, Kind::Text},
        {u"target_id"_s, u"target_id"_s, Kind::Text},
        {u"details"_s, u"details"_s, Kind::Json},
        {u"outcome"_s, u"outcome"_s, Kind::Text},
    };
    list.filters = {{u"actor"_s, u"actor = ?"_s, Match::Exact, 100},
                    {u"action"_s, u"action = ?"_s, Match::Exact, 100},
                    {u"target"_s, u"target_id = ?"_s, Match::Exact, 255}};
    list.sorts = {{u"occurred_at"_s, u"id"_s, Kind::Integer}};
    list.defaultSort = u"-occurred_at"_s;
    return list;
}

AdminList reconcileRuns()
{
    AdminList list;
    list.from = u"reconcile_runs"_s;
    list.keySql = u"id"_s;
    list.columns = {
        {u"id"_s, u"id"_s, Kind::Integer},
        {u"started_by"_s, u"started_by"_s, Kind::Text},
        {u"started_at"_s, u"started_at"_s, Kind::Integer},
        {u"finished_at"_s, u"finished_at"_s, Kind::Integer},
        {u"status"_s, u"status"_s, Kind::Text},
        {u"objects_read"_s, u"objects_read"_s, Kind::Integer},
        {u"divergences"_s, u"divergences"_s, Kind::Integer},
        {u"open_divergences"_s,
         u"(SELECT COUNT(*) FROM reconcile_divergences d WHERE d.run_id = reconcile_runs.id AND d.fixed_at IS NULL)"_s,
         Kind::Integer},
        {u"error"_s, u"error"_s, Kind::Text},
        {u"livemode"_s, u"livemode"_s, Kind::Boolean},
    };
    list.filters = {{u"status"_s, u"status = ?"_s, Match::Exact, 20}};
    list.sorts = {{u"started_at"_s, u"id"_s, Kind::Integer}};
    list.defaultSort = u"-started_at"_s;
    list.modeCondition = u"livemode = ?"_s;
    return list;
}

// A run's divergences (?run=ID; the dashboard asks for the last run's).
AdminList reconcileDivergences()
{
    AdminList list;
    list.from = u"reconcile_divergences"_s;
    list.keySql = u"id"_s;
    list.columns = {
        {u"id"_s, u"id"_s, Kind::Integer},
        {u"run_id"_s, u"run_id"_s, Kind::Integer},
        {u"kind"_s, u"kind"_s, Kind::Text},
        {u"object_type"_s, u"object_type"_s, Kind::Text},
        {u"object_id"_s, u"object_id"_s, Kind::Text},
        {u"tenant_id"_s, u"tenant_id"_s, Kind::Text},
        {u"local"_s, u"local_value"_s, Kind::Text},
        {u"stripe"_s, u"stripe_value"_s, Kind::Text},
        // "time" when both values are Unix seconds (the dashboard shows dates), else "text".
        {u"value_type"_s,
         u"CASE WHEN kind IN ('%1') THEN 'time' ELSE 'text' END"_s.arg(
             ReconcileRows::timeValuedKinds().join(u"', '"_s)),
         Kind::Text},
        {u"fixed_at"_s, u"fixed_at"_s, Kind::Integer},
        {u"fixed_by"_s, u"fixed_by"_s, Kind::Text},
    };
    list.filters = {{u"run"_s, u"run_id = ?"_s, Match::Integer, 20},
                    {u"open"_s, u"fixed_at IS NULL"_s, Match::Flag, 5},
                    {u"tenant"_s, u"tenant_id = ?"_s, Match::Exact, 200},
                    {u"object"_s, u"object_id = ?"_s, Match::Exact, 255}};
    list.sorts = {{u"id"_s, u"id"_s, Kind::Integer}};
    list.defaultSort = u"id"_s;
    return list;
}

} // namespace billing::AdminLists
