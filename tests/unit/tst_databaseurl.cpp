#include "db/DatabaseUrl.h"

#include <QTest>

using namespace Qt::StringLiterals;
using billing::DatabaseUrl;
using billing::SqlDialect;

class TestDatabaseUrl final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesSqlite_data();
    void parsesSqlite();
    void parsesPostgres();
    void decodesPercentEncodedCredentials();
    void acceptsUnixSocketHost();
    void displayStringMasksPassword();
    void replacesDatabaseName();
};

void TestDatabaseUrl::parsesSqlite_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("path");

    QTest::newRow("absolute") << u"sqlite:///var/lib/billing/db.sqlite3"_s
                              << u"/var/lib/billing/db.sqlite3"_s;
    QTest::newRow("relative to data dir") << u"sqlite:billing.sqlite3"_s << u"/data/billing.sqlite3"_s;
    QTest::newRow("relative subdir") << u"sqlite:sub/b.db"_s << u"/data/sub/b.db"_s;
    QTest::newRow("percent encoded") << u"sqlite:///tmp/my%20db.sqlite3"_s << u"/tmp/my db.sqlite3"_s;
    QTest::newRow("surrounding spaces") << u"  sqlite:///x.db "_s << u"/x.db"_s;
}

void TestDatabaseUrl::parsesSqlite()
{
    QFETCH(QString, url);
    QFETCH(QString, path);
    const billing::Result<DatabaseUrl> parsed = DatabaseUrl::parse(url, u"/data"_s);
    QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
    QCOMPARE(parsed->dialect(), SqlDialect::Sqlite);
    QCOMPARE(parsed->sqlitePath(), path);
}

void TestDatabaseUrl::parsesPostgres()
{
    const billing::Result<DatabaseUrl> parsed = DatabaseUrl::parse(
        u"postgresql://billing:secret@db.internal:6432/agency?sslmode=verify-full&application_name=billing"_s,
        {});
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->dialect(), SqlDialect::Postgres);
    QCOMPARE(parsed->host(), u"db.internal"_s);
    QCOMPARE(parsed->port(), 6432);
    QCOMPARE(parsed->user(), u"billing"_s);
    QCOMPARE(parsed->password(), u"secret"_s);
    QCOMPARE(parsed->databaseName(), u"agency"_s);
    QCOMPARE(parsed->options().value(u"sslmode"_s), u"verify-full"_s);
    QCOMPARE(parsed->options().value(u"application_name"_s), u"billing"_s);

    const billing::Result<DatabaseUrl> defaults = DatabaseUrl::parse(u"postgres://localhost/billing"_s, {});
    QVERIFY(defaults.ok());
    QCOMPARE(defaults->port(), 5432);
    QVERIFY(defaults->user().isEmpty());
}

void TestDatabaseUrl::decodesPercentEncodedCredentials()
{
    const billing::Result<DatabaseUrl> parsed =
        DatabaseUrl::parse(u"postgresql://us%40er:p%3Ass%2Fw@h/db"_s, {});
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->user(), u"us@er"_s);
    QCOMPARE(parsed->password(), u"p:ss/w"_s);
}

void TestDatabaseUrl::acceptsUnixSocketHost()
{
    const billing::Result<DatabaseUrl> parsed =
        DatabaseUrl::parse(u"postgresql://billing@localhost/db?host=/var/run/postgresql"_s, {});
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->host(), u"/var/run/postgresql"_s);
    QVERIFY(parsed->toDisplayString().contains(u"host=/var/run/postgresql"_s));
}

void TestDatabaseUrl::displayStringMasksPassword()
{
    const billing::Result<DatabaseUrl> parsed =
        DatabaseUrl::parse(u"postgresql://billing:TopSecret@db:5432/agency?sslmode=require"_s, {});
    QVERIFY(parsed.ok());
    const QString display = parsed->toDisplayString();
    QVERIFY2(!display.contains(u"TopSecret"_s), qPrintable(display));
    QCOMPARE(display, u"postgresql://billing:****@db:5432/agency?sslmode=require"_s);
    QCOMPARE(DatabaseUrl::sqliteFile(u"/a/b.sqlite3"_s).toDisplayString(), u"sqlite:///a/b.sqlite3"_s);
}

void TestDatabaseUrl::replacesDatabaseName()
{
    const billing::Result<DatabaseUrl> parsed = DatabaseUrl::parse(u"postgresql://u:p@h:1/one"_s, {});
    QVERIFY(parsed.ok());
    const DatabaseUrl other = parsed->withDatabaseName(u"two"_s);
    QCOMPARE(other.databaseName(), u"two"_s);
    QCOMPARE(other.host(), u"h"_s);
    QCOMPARE(other.password(), u"p"_s);
}

QTEST_GUILESS_MAIN(TestDatabaseUrl)
#include "tst_databaseurl.moc"
