#include "config/EnvFile.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using billing::EnvFile;

class TestEnvFile final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesValues_data();
    void parsesValues();
    void rejectsMalformedLines_data();
    void rejectsMalformedLines();
    void warnsAboutRepeatedKeys();
    void readsFileFromDisk();
    void reportsMissingFile();
    void reportsDirectoryInsteadOfFile();
};

void TestEnvFile::parsesValues_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");

    QTest::newRow("plain") << "STRIPE_PRICE_SOLO=price_123\n"_ba << u"STRIPE_PRICE_SOLO"_s << u"price_123"_s;
    QTest::newRow("spaces around") << "  KEY =  value  \n"_ba << u"KEY"_s << u"value"_s;
    QTest::newRow("export prefix") << "export KEY=value"_ba << u"KEY"_s << u"value"_s;
    QTest::newRow("inline comment") << "KEY=value # note"_ba << u"KEY"_s << u"value"_s;
    QTest::newRow("hash inside value") << "KEY=abc#def"_ba << u"KEY"_s << u"abc#def"_s;
    QTest::newRow("double quoted") << "KEY=\"a b # c\""_ba << u"KEY"_s << u"a b # c"_s;
    QTest::newRow("double quoted escapes")
        << "KEY=\"line1\\nline2 \\\"q\\\" \\\\\""_ba << u"KEY"_s << u"line1\nline2 \"q\" \\"_s;
    QTest::newRow("single quoted literal") << "KEY='a\\nb $x'"_ba << u"KEY"_s << u"a\\nb $x"_s;
    QTest::newRow("quoted then comment") << "KEY=\"v\" # c"_ba << u"KEY"_s << u"v"_s;
    QTest::newRow("empty value") << "KEY="_ba << u"KEY"_s << QString();
    QTest::newRow("crlf") << "A=1\r\nKEY=value\r\n"_ba << u"KEY"_s << u"value"_s;
    QTest::newRow("bom") << "\xEF\xBB\xBFKEY=value"_ba << u"KEY"_s << u"value"_s;
    QTest::newRow("comments and blanks") << "# header\n\n   # indented\nKEY=v\n"_ba << u"KEY"_s << u"v"_s;
    QTest::newRow("utf8") << "KEY=caf\xC3\xA9"_ba << u"KEY"_s << u"café"_s;
    QTest::newRow("equals in value") << "KEY=a=b=c"_ba << u"KEY"_s << u"a=b=c"_s;
}

void TestEnvFile::parsesValues()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, key);
    QFETCH(QString, value);

    const billing::Result<EnvFile> parsed = EnvFile::parse(content);
    QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
    const auto &entries = parsed->entries();
    const auto it = std::find_if(entries.cbegin(), entries.cend(),
                                 [&](const EnvFile::Entry &entry) { return entry.key == key; });
    QVERIFY(it != entries.cend());
    QCOMPARE(it->value, value);
}

void TestEnvFile::rejectsMalformedLines_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expectedMessage");

    QTest::newRow("no equals") << "A=1\nJUST_A_WORD\n"_ba << u"line 2: expected KEY=VALUE"_s;
    QTest::newRow("bad key") << "1KEY=x"_ba << u"line 1: \"1KEY\" is not a valid variable name"_s;
    QTest::newRow("dash in key") << "MY-KEY=x"_ba << u"is not a valid variable name"_s;
    QTest::newRow("empty key") << "=x"_ba << u"line 1:"_s;
    QTest::newRow("unclosed double") << "A=1\nB=2\nKEY=\"abc"_ba
                                     << u"line 3: the value opens a double quote"_s;
    QTest::newRow("unclosed single") << "KEY='abc"_ba << u"single quote that is not closed"_s;
    QTest::newRow("text after quote") << "KEY=\"abc\" def"_ba << u"unexpected text after the closing quote"_s;
    QTest::newRow("invalid utf8") << "KEY=\xFF\xFE"_ba << u"not valid UTF-8"_s;
}

void TestEnvFile::rejectsMalformedLines()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expectedMessage);

    const billing::Result<EnvFile> parsed = EnvFile::parse(content);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().message.contains(expectedMessage), qPrintable(parsed.error().message));
}

void TestEnvFile::warnsAboutRepeatedKeys()
{
    const billing::Result<EnvFile> parsed = EnvFile::parse("KEY=first\nOTHER=x\nKEY=second\n"_ba);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->entries().size(), 3);
    QCOMPARE(parsed->entries().constLast().value, u"second"_s);
    QCOMPARE(parsed->warnings().size(), 1);
    QVERIFY(parsed->warnings().constFirst().contains(u"line 1 and again on line 3"_s));
}

void TestEnvFile::readsFileFromDisk()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile file(dir.filePath(u".env"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("STRIPE_PRICE_TEAM=price_team\n");
    file.close();

    const billing::Result<EnvFile> read = EnvFile::read(file.fileName());
    QVERIFY(read.ok());
    QCOMPARE(read->entries().constFirst().value, u"price_team"_s);
    QCOMPARE(read->entries().constFirst().line, 1);
}

void TestEnvFile::reportsMissingFile()
{
    const billing::Result<EnvFile> read = EnvFile::read(u"/nonexistent/dir/.env"_s);
    QVERIFY(!read.ok());
    QCOMPARE(read.error().code, billing::ErrorCode::NotFound);
    QVERIFY(read.error().message.contains(u"/nonexistent/dir/.env does not exist"_s));
}

void TestEnvFile::reportsDirectoryInsteadOfFile()
{
    QTemporaryDir dir;
    const billing::Result<EnvFile> read = EnvFile::read(dir.path());
    QVERIFY(!read.ok());
    QVERIFY(read.error().message.contains(u"is a directory"_s));
}

QTEST_GUILESS_MAIN(TestEnvFile)
#include "tst_envfile.moc"
