#include "AuditLog.h"

#include "common/Logging.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace billing {

Result<void> AuditLog::record(const Entry &entry)
{
    const QString details = QString::fromUtf8(QJsonDocument(entry.details).toJson(QJsonDocument::Compact));
    qCInfo(lcAudit).noquote() << entry.actor << entry.action << entry.targetType << entry.targetId
                              << (entry.succeeded ? "succeeded" : "failed") << details;

    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery query(db.value());
    query.prepare(
        u"INSERT INTO audit_log (occurred_at, actor, action, target_type, target_id, details, outcome) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)"_s);
    query.addBindValue(m_clock.nowSecondsSinceEpoch());
    query.addBindValue(entry.actor);
    query.addBindValue(entry.action);
    query.addBindValue(entry.targetType);
    query.addBindValue(entry.targetId);
    query.addBindValue(details);
    query.addBindValue(entry.succeeded ? u"succeeded"_s : u"failed"_s);
    if (!query.exec())
        return Error{ErrorCode::Database, u"cannot write the audit log: "_s + query.lastError().text()};
    return {};
}

} // namespace billing
