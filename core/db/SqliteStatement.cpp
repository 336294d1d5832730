#include "SqliteStatement.h"

#include <QSqlDriver>

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

// As QSqlResultPrivate::isVariantNull: QSQLITE binds these as NULL.
bool bindsAsNull(const QVariant &value)
{
    if (value.isNull())
        return true;
    switch (value.typeId()) {
    case QMetaType::QString: return static_cast<const QString *>(value.constData())->isNull();
    case QMetaType::QByteArray: return static_cast<const QByteArray *>(value.constData())->isNull();
    default: return false;
    }
}

// SQLite binds NULL for a null pointer; an empty value is "", not NULL.
const char *nonNullData(const QByteArray &bytes)
{
    return bytes.constData() ? bytes.constData() : "";
}

} // namespace

sqlite3 *SqliteStatement::handleOf(const QSqlDatabase &db)
{
    if (!db.isOpen() || !db.driver() || db.driver()->dbmsType() != QSqlDriver::SQLite)
        return nullptr;
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}

Result<std::shared_ptr<SqliteStatement>> SqliteStatement::prepare(sqlite3 *connection, const QString &sql)
{
    const QByteArray text = sql.toUtf8();
    sqlite3_stmt *statement = nullptr;
    const int code = sqlite3_prepare_v3(connection, text.constData(), int(text.size()),
                                        SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (code != SQLITE_OK) {
        sqlite3_finalize(statement);
        return Error{ErrorCode::Database, QString::fromUtf8(sqlite3_errmsg(connection))};
    }
    if (!statement) // only blanks or a comment
        return Error{ErrorCode::Database, u"the statement is empty"_s};
    return std::shared_ptr<SqliteStatement>(new SqliteStatement(connection, statement));
}

SqliteStatement::SqliteStatement(sqlite3 *connection, sqlite3_stmt *statement)
    : m_connection(connection)
    , m_statement(statement)
{}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_statement);
}

QString SqliteStatement::errorText(int code) const
{
    // sqlite3_errmsg names the constraint that failed; errstr is the fallback.
    const char *message =
        sqlite3_errcode(m_connection) == code ? sqlite3_errmsg(m_connection) : sqlite3_errstr(code);
    return QString::fromUtf8(message);
}

Result<bool> SqliteStatement::execute(const QVariantList &values)
{
    reset();
    const int parameters = sqlite3_bind_parameter_count(m_statement);
    if (values.size() != parameters) {
        return Error{
            ErrorCode::Database,
            u"the statement has %1 parameters, %2 values were given"_s.arg(parameters).arg(values.size())};
    }
    int code = SQLITE_OK;
    for (int i = 0; i < parameters && code == SQLITE_OK; ++i) {
        const QVariant &value = values[i];
        const int index = i + 1;
        if (bindsAsNull(value)) {
            code = sqlite3_bind_null(m_statement, index);
            continue;
        }
        switch (value.typeId()) {
        case QMetaType::QByteArray:
            m_boundBytes.push_back(value.toByteArray());
            code = sqlite3_bind_blob64(m_statement, index, nonNullData(m_boundBytes.back()),
                                       sqlite3_uint64(m_boundBytes.back().size()), SQLITE_STATIC);
            break;
        case QMetaType::Bool:
        case QMetaType::Int: code = sqlite3_bind_int(m_statement, index, value.toInt()); break;
        case QMetaType::Double: code = sqlite3_bind_double(m_statement, index, value.toDouble()); break;
        case QMetaType::UInt:
        case QMetaType::Long:
        case QMetaType::ULong:
        case QMetaType::LongLong:
        case QMetaType::ULongLong: code = sqlite3_bind_int64(m_statement, index, value.toLongLong()); break;
        default:
            m_boundBytes.push_back(value.toString().toUtf8());
            code =
                sqlite3_bind_text64(m_statement, index, nonNullData(m_boundBytes.back()),
                                    sqlite3_uint64(m_boundBytes.back().size()), SQLITE_STATIC, SQLITE_UTF8);
            break;
        }
    }
    if (code != SQLITE_OK) {
        const QString message = errorText(code);
        reset();
        return Error{ErrorCode::Database, message};
    }
    code = sqlite3_step(m_statement);
    if (code == SQLITE_ROW)
        return true;
    m_finished = true;
    if (code == SQLITE_DONE) {
        m_changes = sqlite3_changes(m_connection);
        return false;
    }
    const QString message = errorText(code);
    reset();
    return Error{ErrorCode::Database, message};
}

bool SqliteStatement::step()
{
    // Stepping a finished statement would run it again from the start.
    if (m_finished)
        return false;
    m_finished = sqlite3_step(m_statement) != SQLITE_ROW;
    return !m_finished;
}

QVariant SqliteStatement::value(int column) const
{
    switch (sqlite3_column_type(m_statement, column)) {
    case SQLITE_INTEGER: return qlonglong(sqlite3_column_int64(m_statement, column));
    case SQLITE_FLOAT: return sqlite3_column_double(m_statement, column);
    case SQLITE_TEXT:
        return QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column)),
                                 sqlite3_column_bytes(m_statement, column));
    case SQLITE_BLOB: {
        const void *bytes = sqlite3_column_blob(m_statement, column);
        return QByteArray(static_cast<const char *>(bytes), sqlite3_column_bytes(m_statement, column));
    }
    default: return {};
    }
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
    m_boundBytes.clear();
    m_finished = false;
}

} // namespace billing
