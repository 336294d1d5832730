#include "CustomerStore.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace billing {

Result<QString> CustomerStore::customerForTenant(const QString &tenantId)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery query(db.value());
    query.prepare(u"SELECT stripe_customer_id FROM customers WHERE tenant_id = ? "
                  "ORDER BY updated_at DESC, stripe_customer_id LIMIT 1"_s);
    query.addBindValue(tenantId);
    if (!query.exec())
        return Error{ErrorCode::Database,
                     u"cannot look up the tenant's customer: "_s + query.lastError().text()};
    return query.next() ? query.value(0).toString() : QString();
}

} // namespace billing
