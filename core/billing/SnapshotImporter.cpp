#include "SnapshotImporter.h"

#include "CustomerApplier.h"
#include "InvoiceApplier.h"
#include "SubscriptionApplier.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

// The appliers read Stripe objects as a webhook brings them (JsonView); an
// API answer is serialised and read that way too. Syncs are not hot.
Result<JsonView> readAsView(const QJsonObject &object, JsonDocument &document)
{
    return document.parse(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

SnapshotImporter::SnapshotImporter(QSqlDatabase db, const LicenseSigner &signer, const PlanCatalog &plans,
                                   qint64 graceSeconds, qint64 now, QString source)
    : m_context(db, signer, plans, graceSeconds, now)
    , m_source(std::move(source))
{}

QString SnapshotImporter::sourceId()
{
    return u"sync"_s;
}

Result<SnapshotImporter::Outcome> SnapshotImporter::importCustomer(const QJsonObject &object,
                                                                   qint64 snapshotTime)
{
    JsonDocument document;
    Result<JsonView> customer = readAsView(object, document);
    if (!customer)
        return customer.error();
    return CustomerApplier(m_context).apply(customer.value(), ApplySource::snapshot(m_source, snapshotTime));
}

Result<SnapshotImporter::Outcome> SnapshotImporter::importSubscription(const QJsonObject &object,
                                                                       qint64 snapshotTime)
{
    JsonDocument document;
    Result<JsonView> subscription = readAsView(object, document);
    if (!subscription)
        return subscription.error();
    return SubscriptionApplier(m_context).apply(subscription.value(),
                                                ApplySource::snapshot(m_source, snapshotTime));
}

Result<SnapshotImporter::Outcome> SnapshotImporter::importInvoice(const QJsonObject &object)
{
    JsonDocument document;
    Result<JsonView> invoice = readAsView(object, document);
    if (!invoice)
        return invoice.error();
    return InvoiceApplier(m_context).apply(invoice.value(), ApplySource::snapshot(m_source, m_context.now));
}

} // namespace billing
