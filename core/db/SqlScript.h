#pragma once

#include <QStringList>

namespace billing {

// Splits a migration file into statements at the semicolons that end them.
//
// QSQLITE executes only the first statement of a string, so migrations are run
// statement by statement. Semicolons inside 'strings', "identifiers",
// -- comments, /* comments */, PostgreSQL $tag$ bodies $tag$ and SQLite
// CREATE TRIGGER … BEGIN …; END bodies do not split.
// Statements holding nothing but comments are dropped.
QStringList splitSqlStatements(const QString &script);

} // namespace billing
