#include "ScaleSeed.h"

#include "db/Database.h"
#include "db/MigrationCatalog.h"
#include "db/Migrator.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QTextStream>

using namespace Qt::StringLiterals;

namespace bench {

namespace {

const char *const kEventTypes[] = {"invoice.payment_succeeded",     "invoice.paid",
                                   "customer.subscription.updated", "invoice.finalized",
                                   "customer.subscription.created", "checkout.session.completed",
                                   "invoice.payment_failed",        "customer.subscription.deleted",
                                   "payment_intent.succeeded",      "charge.succeeded"};
const char *const kStatuses[] = {"active",   "active",   "active", "active", "trialing",
                                 "past_due", "canceled", "unpaid", "active", "active"};
const char *const kPlans[] = {"solo", "team", "enterprise"};
const qint64 kPrices[] = {2900, 9900, 49900};

bool exec(QSqlQuery &query, QString *error)
{
    if (query.exec())
        return true;
    *error = query.lastError().text();
    return false;
}

} // namespace

bool seedScaleDatabase(const QString &path, const ScaleCounts &counts, QString *error)
{
    // The schema is part of the seed: a database from older migrations is rebuilt.
    billing::Result<billing::MigrationCatalog> catalog = billing::MigrationCatalog::builtIn();
    if (!catalog) {
        *error = catalog.error().message;
        return false;
    }
    const QString marker = u"%1 events, %2 subscriptions, %3 invoices, schema %4"_s.arg(counts.events)
                               .arg(counts.subscriptions)
                               .arg(counts.invoices)
                               .arg(catalog->migrations().constLast().checksum.left(16));
    billing::Database database(billing::DatabaseUrl::sqliteFile(path));
    {
        billing::Result<QSqlDatabase> db = database.connection();
        if (!db) {
            *error = db.error().message;
            return false;
        }
        QSqlQuery done(db.value());
        if (done.exec(u"SELECT seed FROM bench_seed"_s) && done.next() && done.value(0).toString() == marker)
            return true;
    }
    QFile::remove(path);
    QFile::remove(path + u"-wal"_s);
    QFile::remove(path + u"-shm"_s);
    billing::Database fresh(billing::DatabaseUrl::sqliteFile(path));
    if (auto migrated = billing::Migrator(fresh, catalog.value()).migrate(); !migrated) {
        *error = migrated.error().message;
        return false;
    }
    billing::Result<QSqlDatabase> connection = fresh.connection();
    QSqlDatabase db = connection.value();
    QSqlQuery pragma(db);
    pragma.exec(u"PRAGMA synchronous = OFF"_s); // a benchmark fixture, rebuilt if lost

    QTextStream out(stdout);
    QElapsedTimer timer;
    timer.start();
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const qint64 month = 30 * 24 * 3600;
    db.transaction();

    // One tenant and customer per subscription.
    QSqlQuery tenant(db);
    tenant.prepare(u"INSERT INTO tenants (tenant_id, email, status, provisioned_at, created_at, updated_at) "
                   "VALUES (?, ?, 'active', ?, ?, ?)"_s);
    QSqlQuery customer(db);
    customer.prepare(u"INSERT INTO customers (stripe_customer_id, tenant_id, email, livemode, created_at, "
                     "updated_at) VALUES (?, ?, ?, 0, ?, ?)"_s);
    QSqlQuery subscription(db);
    subscription.prepare(
        u"INSERT INTO subscriptions (stripe_subscription_id, tenant_id, stripe_customer_id, stripe_price_id, "
        u"plan, "
        "status, currency, unit_amount, billing_interval, current_period_start, current_period_end, "
        "trial_end, livemode, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'eur', ?, 'month', ?, ?, ?, 0, ?, ?)"_s);
    QSqlQuery license(db);
    license.prepare(
        u"INSERT INTO licenses (license_key, tenant_id, stripe_subscription_id, plan, status, "
        "valid_until, issued_at, source_event_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    for (qint64 i = 0; i < counts.subscriptions; ++i) {
        const QString tenantId = u"tenant_%1"_s.arg(i, 6, 10, QChar(u'0'));
        const QString customerId = u"cus_scale%1"_s.arg(i, 7, 10, QChar(u'0'));
        const QString subscriptionId = u"sub_scale%1"_s.arg(i, 7, 10, QChar(u'0'));
        const QString email = tenantId + u"@example.com"_s;
        const qint64 created = now - (counts.subscriptions - i) * 60;
        const int plan = int(i % 3);
        const QString status = QString::fromLatin1(kStatuses[i % 10]);
        tenant.addBindValue(tenantId);
        tenant.addBindValue(email);
        tenant.addBindValue(created);
        tenant.addBindValue(created);
        tenant.addBindValue(created);
        customer.addBindValue(customerId);
        customer.addBindValue(tenantId);
        customer.addBindValue(email);
        customer.addBindValue(created);
        customer.addBindValue(created);
        subscription.addBindValue(subscriptionId);
        subscription.addBindValue(tenantId);
        subscription.addBindValue(customerId);
        subscription.addBindValue(u"price_%1"_s.arg(QString::fromLatin1(kPlans[plan])));
        subscription.addBindValue(QString::fromLatin1(kPlans[plan]));
        subscription.addBindValue(status);
        subscription.addBindValue(kPrices[plan]);
        subscription.addBindValue(now - month / 2);
        subscription.addBindValue(now + month / 2);
        subscription.addBindValue(status == u"trialing" ? QVariant(now + (i % 14) * 86400) : QVariant());
        subscription.addBindValue(created);
        subscription.addBindValue(created + (i % 1000));
        license.addBindValue(u"AOB1.scale%1.sig"_s.arg(i));
        license.addBindValue(tenantId);
        license.addBindValue(subscriptionId);
        license.addBindValue(QString::fromLatin1(kPlans[plan]));
        license.addBindValue(status == u"canceled" ? u"revoked"_s
                             : status == u"unpaid" ? u"suspended"_s
                                                   : u"active"_s);
        license.addBindValue(now + month / 2);
        license.addBindValue(created);
        license.addBindValue(u"evt_scale_checkout%1"_s.arg(i));
        license.addBindValue(created);
        if (!exec(tenant, error) || !exec(customer, error) || !exec(subscription, error) ||
            !exec(license, error))
            return false;
    }
    out << "  seeded " << counts.subscriptions << " tenants, subscriptions and licences in "
        << timer.elapsed() << " ms" << Qt::endl;

    QSqlQuery invoice(db);
    invoice.prepare(
        u"INSERT INTO invoices (stripe_invoice_id, stripe_customer_id, stripe_subscription_id, tenant_id, "
        "invoice_number, status, billing_reason, currency, amount_due, amount_paid, amount_remaining, "
        "attempt_count, hosted_invoice_url, period_start, period_end, paid_at, livemode, stripe_created_at, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'subscription_cycle', 'eur', ?, ?, ?, ?, ?, ?, ?, "
        "?, 0, "
        "?, ?, ?)"_s);
    QSqlQuery payment(db);
    payment.prepare(
        u"INSERT INTO payments (stripe_invoice_id, stripe_customer_id, stripe_subscription_id, "
        "tenant_id, amount, currency, paid_at, stripe_event_id, created_at, livemode) VALUES (?, ?, ?, ?, ?, "
        "'eur', ?, ?, ?, 0)"_s);
    for (qint64 i = 0; i < counts.invoices; ++i) {
        const qint64 owner = i % counts.subscriptions;
        const int plan = int(owner % 3);
        const QString invoiceId = u"in_scale%1"_s.arg(i, 8, 10, QChar(u'0'));
        const bool failed = i % 50 == 0;
        const qint64 created = now - (counts.invoices - i) * 20;
        invoice.addBindValue(invoiceId);
        invoice.addBindValue(u"cus_scale%1"_s.arg(owner, 7, 10, QChar(u'0')));
        invoice.addBindValue(u"sub_scale%1"_s.arg(owner, 7, 10, QChar(u'0')));
        invoice.addBindValue(u"tenant_%1"_s.arg(owner, 6, 10, QChar(u'0')));
        invoice.addBindValue(u"SCALE-%1"_s.arg(i));
        invoice.addBindValue(failed ? u"open"_s : u"paid"_s);
        invoice.addBindValue(kPrices[plan]);
        invoice.addBindValue(failed ? 0 : kPrices[plan]);
        invoice.addBindValue(failed ? kPrices[plan] : 0);
        invoice.addBindValue(failed ? 2 : 1);
        invoice.addBindValue(u"https://invoice.stripe.com/i/acct_scale/test_%1"_s.arg(i));
        invoice.addBindValue(created);
        invoice.addBindValue(created + month);
        invoice.addBindValue(failed ? QVariant() : QVariant(created + 5));
        invoice.addBindValue(created);
        invoice.addBindValue(created);
        invoice.addBindValue(created);
        if (!exec(invoice, error))
            return false;
        if (!failed) {
            payment.addBindValue(invoiceId);
            payment.addBindValue(u"cus_scale%1"_s.arg(owner, 7, 10, QChar(u'0')));
            payment.addBindValue(u"sub_scale%1"_s.arg(owner, 7, 10, QChar(u'0')));
            payment.addBindValue(u"tenant_%1"_s.arg(owner, 6, 10, QChar(u'0')));
            payment.addBindValue(kPrices[plan]);
            payment.addBindValue(created + 5);
            payment.addBindValue(u"evt_scale_paid%1"_s.arg(i));
            payment.addBindValue(created);
            if (!exec(payment, error))
                return false;
        }
    }
    out << "  seeded " << counts.invoices << " invoices and their payments at " << timer.elapsed() << " ms"
        << Qt::endl;

    // Events: a compact but Stripe-shaped payload each (the dashboard lists
    // rows; only the detail pane reads a payload).
    QSqlQuery event(db);
    event.prepare(
        u"INSERT INTO payment_events (stripe_event_id, event_type, api_version, livemode, "
        "stripe_created_at, object_id, payload, source, received_at, processed_at, status, attempts) "
        "VALUES (?, ?, '2025-03-31.basil', 0, ?, ?, ?, 'webhook', ?, ?, ?, 1)"_s);
    for (qint64 i = 0; i < counts.events; ++i) {
        const QString id = u"evt_scale%1"_s.arg(i, 8, 10, QChar(u'0'));
        const QString type = QString::fromLatin1(kEventTypes[i % 10]);
        const QString objectId = type.startsWith(u"customer.subscription")
                                     ? u"sub_scale%1"_s.arg(i % counts.subscriptions, 7, 10, QChar(u'0'))
                                     : u"in_scale%1"_s.arg(i % counts.invoices, 8, 10, QChar(u'0'));
        const qint64 created = now - (counts.events - i) * 6;
        const QByteArray payload =
            u"{\"id\":\"%1\",\"object\":\"event\",\"api_version\":\"2025-03-31.basil\",\"created\":%2,"
            "\"data\":{\"object\":{\"id\":\"%3\",\"object\":\"%4\",\"currency\":\"eur\",\"livemode\":false}},"
            "\"livemode\":false,\"pending_webhooks\":0,\"request\":{\"id\":null,\"idempotency_key\":null},"
            "\"type\":\"%5\"}"_s.arg(id)
                .arg(created)
                .arg(objectId, objectId.startsWith(u"sub_") ? u"subscription"_s : u"invoice"_s, type)
                .toUtf8();
        event.addBindValue(id);
        event.addBindValue(type);
        event.addBindValue(created);
        event.addBindValue(objectId);
        event.addBindValue(payload);
        event.addBindValue(created + 1);
        event.addBindValue(created + 1);
        event.addBindValue(i % 997 == 0                 ? u"failed"_s
                           : type.startsWith(u"charge") ? u"ignored"_s
                                                        : u"processed"_s);
        if (!exec(event, error))
            return false;
        if (i % 200'000 == 199'999)
            out << "  seeded " << (i + 1) << " events at " << timer.elapsed() << " ms" << Qt::endl;
    }

    QSqlQuery markerTable(db);
    markerTable.exec(u"CREATE TABLE bench_seed (seed TEXT NOT NULL)"_s);
    markerTable.prepare(u"INSERT INTO bench_seed (seed) VALUES (?)"_s);
    markerTable.addBindValue(marker);
    if (!exec(markerTable, error))
        return false;
    if (!db.commit()) {
        *error = db.lastError().text();
        return false;
    }
    out << "  seed complete in " << timer.elapsed() << " ms" << Qt::endl;
    return true;
}

} // namespace bench
