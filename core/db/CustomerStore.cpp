#include "CustomerStore.h"

#include <QSqlError>

using namespace Qt::StringLiterals;

namespace billing {

Result<QString> CustomerStore::customerForTenant(const QString &tenantId)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    if (m_preparedOn != db->connectionName()) {
        m_customerForTenant = QSqlQuery(db.value());
        const QString mode = m_livemode ? u"AND livemode = ? "_s : QString();
        if (!m_customerForTenant.prepare(u"SELECT stripe_customer_id FROM customers WHERE tenant_id = ? "_s +
                                         mode + u"ORDER BY updated_at DESC, stripe_customer_id LIMIT 1"_s)) {
            return Error{ErrorCode::Database, u"cannot look up the tenant's customer: "_s +
                                                  m_customerForTenant.lastError().text()};
        }
        m_preparedOn = db->connectionName();
    }
    QSqlQuery &query = m_customerForTenant;
    query.bindValue(0, tenantId);
    if (m_livemode)
        query.bindValue(1, *m_livemode);
    if (!query.exec()) {
        m_preparedOn.clear();
        return Error{ErrorCode::Database,
                     u"cannot look up the tenant's customer: "_s + query.lastError().text()};
    }
    const QString customer = query.next() ? query.value(0).toString() : QString();
    query.finish(); // release SQLite's read lock now, not at the next lookup
    return customer;
}

} // namespace billing
