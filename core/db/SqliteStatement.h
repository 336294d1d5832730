#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QVariantList>

#include <memory>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace billing {

// A statement prepared and run through SQLite's own API, for runQuery on
// SQLite connections: QSqlQuery formats a placeholder name with QString::arg
// for every value it binds, which was 29 % of the instructions of storing a
// webhook. Values and results convert as Qt's QSQLITE driver converts them
// (a null QString or QByteArray binds NULL; INTEGER reads as qlonglong, TEXT
// as QString, BLOB as QByteArray, NULL as an invalid QVariant).
class SqliteStatement final
{
public:
    // The connection's sqlite3 handle, or nullptr when db is not an open QSQLITE connection.
    static sqlite3 *handleOf(const QSqlDatabase &db);
    static Result<std::shared_ptr<SqliteStatement>> prepare(sqlite3 *connection, const QString &sql);

    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    sqlite3 *connection() const { return m_connection; }

    // Binds the values and takes the first step: true when a row is ready.
    Result<bool> execute(const QVariantList &values);
    // Moves to the next row; false after the last one (or on an error).
    bool step();
    QVariant value(int column) const;
    // Rows changed by the last INSERT, UPDATE or DELETE executed.
    int changes() const { return m_changes; }
    // Ends the statement's run (and its read transaction); bound values are released.
    void reset();

private:
    SqliteStatement(sqlite3 *connection, sqlite3_stmt *statement);
    QString errorText(int code) const;

    sqlite3 *m_connection = nullptr;
    sqlite3_stmt *m_statement = nullptr;
    std::vector<QByteArray> m_boundBytes; // kept alive while SQLite may read them
    int m_changes = 0;
    bool m_finished = false; // stepped past the last row, or failed
};

} // namespace billing
