#include "db/SqlScript.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestSqlScript final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void splits_data();
    void splits();
};

void TestSqlScript::splits_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<QStringList>("statements");

    QTest::newRow("two statements") << u"CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n"_s
                                    << QStringList{u"CREATE TABLE a (x INT)"_s, u"CREATE TABLE b (y INT)"_s};
    QTest::newRow("no final semicolon")
        << u"SELECT 1; SELECT 2"_s << QStringList{u"SELECT 1"_s, u"SELECT 2"_s};
    QTest::newRow("semicolon in string")
        << u"INSERT INTO t VALUES ('a;b');"_s << QStringList{u"INSERT INTO t VALUES ('a;b')"_s};
    QTest::newRow("escaped quote in string")
        << u"SELECT 'it''s; fine'; SELECT 2;"_s << QStringList{u"SELECT 'it''s; fine'"_s, u"SELECT 2"_s};
    QTest::newRow("semicolon in identifier")
        << u"CREATE TABLE \"a;b\" (x INT);"_s << QStringList{u"CREATE TABLE \"a;b\" (x INT)"_s};
    QTest::newRow("semicolon in line comment")
        << u"-- first; still comment\nSELECT 1;"_s << QStringList{u"-- first; still comment\nSELECT 1"_s};
    QTest::newRow("semicolon in block comment")
        << u"SELECT /* a; b */ 1;"_s << QStringList{u"SELECT /* a; b */ 1"_s};
    QTest::newRow("dollar quoted body")
        << u"CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql; SELECT 1;"_s
        << QStringList{
               u"CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql"_s,
               u"SELECT 1"_s};
    QTest::newRow("anonymous dollar quote")
        << u"DO $$ BEGIN PERFORM 1; END $$;"_s << QStringList{u"DO $$ BEGIN PERFORM 1; END $$"_s};
    QTest::newRow("positional parameter is not a quote")
        << u"SELECT $1; SELECT 2;"_s << QStringList{u"SELECT $1"_s, u"SELECT 2"_s};
    QTest::newRow("sqlite trigger body")
        << u"CREATE TRIGGER t_marks AFTER INSERT ON t BEGIN\n    UPDATE m SET n = n + 1;\n    SELECT 'end;';\nEND;\nSELECT 1;"_s
        << QStringList{
               u"CREATE TRIGGER t_marks AFTER INSERT ON t BEGIN\n    UPDATE m SET n = n + 1;\n    SELECT 'end;';\nEND"_s,
               u"SELECT 1"_s};
    QTest::newRow("trigger body whose column ends in end")
        << u"create trigger x after update on t begin update m set n = backend; end; select 2;"_s
        << QStringList{u"create trigger x after update on t begin update m set n = backend; end"_s,
                       u"select 2"_s};
    QTest::newRow("trigger body with case end")
        << u"CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE m SET n = CASE WHEN n > 1 THEN 0 ELSE n END; END; SELECT 3;"_s
        << QStringList{
               u"CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE m SET n = CASE WHEN n > 1 THEN 0 ELSE n END; END"_s,
               u"SELECT 3"_s};
    QTest::newRow("postgres trigger has no body")
        << u"CREATE TRIGGER a AFTER INSERT ON x FOR EACH STATEMENT EXECUTE FUNCTION f();\nCREATE TRIGGER b "
           u"AFTER "
           "UPDATE ON x FOR EACH STATEMENT EXECUTE FUNCTION f();"_s
        << QStringList{u"CREATE TRIGGER a AFTER INSERT ON x FOR EACH STATEMENT EXECUTE FUNCTION f()"_s,
                       u"CREATE TRIGGER b AFTER UPDATE ON x FOR EACH STATEMENT EXECUTE FUNCTION f()"_s};
    QTest::newRow("comment-only statements dropped")
        << u"-- just a comment\n;\n/* another */;\n"_s << QStringList{};
    QTest::newRow("empty statements dropped") << u";;  ;\nSELECT 1;;"_s << QStringList{u"SELECT 1"_s};
}

void TestSqlScript::splits()
{
    QFETCH(QString, script);
    QFETCH(QStringList, statements);
    QCOMPARE(billing::splitSqlStatements(script), statements);
}

QTEST_GUILESS_MAIN(TestSqlScript)
#include "tst_sqlscript.moc"
