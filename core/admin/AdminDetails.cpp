#include "AdminDetails.h"

#include "AdminLists.h"
#include "db/Database.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace billing::AdminDetails {

Result<QJsonObject> event(QSqlDatabase &db, const QString &eventId)
{
    AdminList spec = AdminLists::events();
    spec.columns.append({u"payload"_s, u"payload"_s, AdminList::Kind::Text});
    Result<QList<QJsonObject>> rows = spec.rows(db, u"stripe_event_id = ?"_s, {eventId}, 1);
    if (!rows)
        return rows.error();
    if (rows->isEmpty())
        return Error{ErrorCode::NotFound, u"no event %1 is stored"_s.arg(eventId.left(255)), u"id"_s};
    QJsonObject row = rows->constFirst();
    // The payload exactly as received, as JSON again for the reader.
    const QJsonDocument payload = QJsonDocument::fromJson(row.value(u"payload"_s).toString().toUtf8());
    row.insert(u"payload"_s, payload.isObject() ? QJsonValue(payload.object()) : row.value(u"payload"_s));
    return row;
}

Result<bool> eventIsStored(QSqlDatabase &db, const QString &eventId)
{
    Result<SqlRows> stored = runQuery(db, u"cannot read the event"_s,
                                      u"SELECT 1 FROM payment_events WHERE stripe_event_id = ?"_s, {eventId});
    if (!stored)
        return stored.error();
    return stored->next();
}

Result<QJsonObject> tenant(QSqlDatabase &db, const QString &tenantId)
{
    AdminList tenants;
    tenants.from = u"tenants"_s;
    tenants.keySql = u"tenant_id"_s;
    tenants.columns = {{u"id"_s, u"tenant_id"_s, AdminList::Kind::Text},
                       {u"email"_s, u"email"_s, AdminList::Kind::Text},
                       {u"status"_s, u"status"_s, AdminList::Kind::Text},
                       {u"provisioned_at"_s, u"provisioned_at"_s, AdminList::Kind::Integer},
                       {u"created_at"_s, u"created_at"_s, AdminList::Kind::Integer}};
    Result<QList<QJsonObject>> found = tenants.rows(db, u"tenant_id = ?"_s, {tenantId}, 1);
    if (!found)
        return found.error();
    if (found->isEmpty())
        return Error{ErrorCode::NotFound, u"no tenant %1"_s.arg(tenantId.left(200)), u"id"_s};
    QJsonObject body{{u"tenant"_s, found->constFirst()}};
    const QList<std::pair<QString, AdminList>> parts = {{u"subscriptions"_s, AdminLists::subscriptions()},
                                                        {u"invoices"_s, AdminLists::invoices()},
                                                        {u"licenses"_s, AdminLists::licenses()}};
    for (const auto &[name, spec] : parts) {
        Result<QList<QJsonObject>> rows = spec.rows(db, u"tenant_id = ?"_s, {tenantId}, 100);
        if (!rows)
            return rows.error();
        QJsonArray array;
        for (const QJsonObject &row : rows.value())
            array.append(row);
        body.insert(name, array);
    }
    return body;
}

} // namespace billing::AdminDetails
