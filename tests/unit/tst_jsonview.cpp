#include "common/JsonView.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using billing::JsonDocument;
using billing::JsonView;

// The handlers read Stripe's objects through JsonView where they read
// QJsonValue before; these tests hold it to QJsonValue's answers.
class TestJsonView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answersAsQJsonValue_data();
    void answersAsQJsonValue();
    void stripeFixturesReadAsWithQt();
    void missingAndMisplacedLookupsAreUndefined();
    void rejectsWhatQtRejects_data();
    void rejectsWhatQtRejects();
    void documentedDifferences();
    void parsesAgainIntoTheSameDocument();
};

namespace {

// Every reading of view equals the same reading of qt, recursively.
void compareRecursively(const JsonView &view, const QJsonValue &qt, const QString &path)
{
    const QByteArray where = path.toUtf8();
    const char *at = where.constData();
    QVERIFY2(view.isUndefined() == qt.isUndefined(), at);
    QVERIFY2(view.isNull() == qt.isNull(), at);
    QVERIFY2(view.isBool() == qt.isBool(), at);
    QVERIFY2(view.isNumber() == qt.isDouble(), at);
    QVERIFY2(view.isString() == qt.isString(), at);
    QVERIFY2(view.isArray() == qt.isArray(), at);
    QVERIFY2(view.isObject() == qt.isObject(), at);
    QCOMPARE(view.toString(), qt.toString());
    QCOMPARE(view.toBool(), qt.toBool());
    QCOMPARE(view.toBool(true), qt.toBool(true));
    QCOMPARE(view.toInteger(), qt.toInteger());
    QCOMPARE(view.toInteger(-7), qt.toInteger(-7));
    QCOMPARE(view.toInt(), qt.toInt());
    QCOMPARE(view.toInt(-7), qt.toInt(-7));
    QCOMPARE(view.toJsonValue(), qt);
    // QJsonValue's == compares numbers by value: an integer must stay one.
    QCOMPARE(view.toJsonValue().toVariant().typeId(), qt.toVariant().typeId());
    if (qt.isObject()) {
        const QJsonObject object = qt.toObject();
        QCOMPARE(view.size(), object.size());
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QByteArray key = it.key().toUtf8();
            compareRecursively(view.value(std::string_view(key.constData(), size_t(key.size()))), it.value(),
                               path + u'.' + it.key());
            if (QTest::currentTestFailed())
                return;
        }
    } else if (qt.isArray()) {
        const QJsonArray array = qt.toArray();
        QCOMPARE(view.size(), array.size());
        for (qsizetype i = 0; i < array.size() && !QTest::currentTestFailed(); ++i)
            compareRecursively(view.at(i), array.at(i), path + u'[' + QString::number(i) + u']');
        QCOMPARE(view.first().toJsonValue(),
                 array.isEmpty() ? QJsonValue(QJsonValue::Undefined) : array.first());
    } else {
        QCOMPARE(view.size(), 0);
    }
}

void compareWithQt(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument qt = QJsonDocument::fromJson(json, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    JsonDocument document;
    const billing::Result<JsonView> root = document.parse(json);
    QVERIFY2(root.ok(), qPrintable(root ? QString() : root.error().message));
    compareRecursively(root.value(), qt.isObject() ? QJsonValue(qt.object()) : QJsonValue(qt.array()),
                       u"$"_s);
}

} // namespace

void TestJsonView::answersAsQJsonValue_data()
{
    QTest::addColumn<QByteArray>("json");
    // Qt turns numbers it cannot hold as integers into doubles; the rules
    // for toInteger and toInt differ at each of these edges.
    QTest::newRow("small integers") << R"({"zero":0,"one":1,"minus":-42,"big":1700000000})"_ba;
    QTest::newRow("int edges") << R"([2147483647,2147483648,-2147483648,-2147483649])"_ba;
    QTest::newRow("int64 edges") << R"([9223372036854775807,-9223372036854775808,9007199254740993])"_ba;
    QTest::newRow("beyond int64") << R"([9223372036854775808,18446744073709551615])"_ba;
    QTest::newRow("doubles") << R"([1.0,1.5,-0.0,-2.5,1e3,1E-3,123456789012.0,1e300])"_ba;
    QTest::newRow("strings")
        << R"({"plain":"in_1","empty":"","escapes":"a\"b\\c\/d\n\t","unicode":"Zo\u00eb €","emoji":"\ud83d\ude00","nul":"a\u0000b"})"_ba;
    QTest::newRow("literals") << R"({"t":true,"f":false,"n":null})"_ba;
    QTest::newRow("nesting") << R"({"a":{"b":{"c":[1,{"d":"e"},[]]}},"empty":{},"list":[]})"_ba;
    QTest::newRow("array root") << R"([{"id":"in_1"},"x",null])"_ba;
    QTest::newRow("byte order mark") << "\xEF\xBB\xBF{\"id\":\"in_1\"}"_ba;
    QTest::newRow("whitespace") << " \t\r\n{ \"a\" : [ 1 , 2 ] }\n "_ba;
}

void TestJsonView::answersAsQJsonValue()
{
    QFETCH(QByteArray, json);
    compareWithQt(json);
}

void TestJsonView::stripeFixturesReadAsWithQt()
{
    QFile file(QStringLiteral(BILLING_SOURCE_DIR "/tests/data/stripe-fixtures-2023-09.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray json = file.readAll();
    QVERIFY(json.size() > 1000);
    compareWithQt(json);
}

void TestJsonView::missingAndMisplacedLookupsAreUndefined()
{
    JsonDocument document;
    const billing::Result<JsonView> root = document.parse(R"({"s":"text","a":[1],"o":{"k":null}})");
    QVERIFY(root.ok());
    QVERIFY(root->value("missing").isUndefined());
    QVERIFY(root->value("s").value("k").isUndefined()); // a key of a string
    QVERIFY(root->value("a").value("0").isUndefined()); // a key of an array
    QVERIFY(root->value("o").at(0).isUndefined());      // an index of an object
    QVERIFY(root->value("a").at(1).isUndefined());      // past the end
    QVERIFY(root->value("a").at(-1).isUndefined());
    QVERIFY(root->value("missing").value("deeper").isUndefined());
    QVERIFY(root->value("o").value("k").isNull()); // present and null is not undefined
    QVERIFY(!root->value("o").value("k").isUndefined());
    QVERIFY(JsonView().toJsonValue().isUndefined());
    QCOMPARE(JsonView().toInteger(5), 5);
}

void TestJsonView::rejectsWhatQtRejects_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("empty") << ""_ba;
    QTest::newRow("null") << QByteArray(); // an empty HTTP body
    QTest::newRow("byte order mark only") << "\xEF\xBB\xBF"_ba;
    QTest::newRow("whitespace only") << "  \n"_ba;
    QTest::newRow("unterminated object") << R"({"a":1)"_ba;
    QTest::newRow("unterminated string") << R"({"a":"b})"_ba;
    QTest::newRow("trailing comma") << R"({"a":1,})"_ba;
    QTest::newRow("garbage after") << R"({"a":1} x)"_ba;
    QTest::newRow("two documents") << R"({"a":1}{"b":2})"_ba;
    QTest::newRow("single quotes") << R"({'a':1})"_ba;
    QTest::newRow("bare word") << R"({"a":undefined})"_ba;
    QTest::newRow("leading zero") << R"({"a":01})"_ba;
    QTest::newRow("invalid UTF-8") << "{\"a\":\"\xff\xfe\"}"_ba;
    QTest::newRow("truncated UTF-8") << "{\"a\":\"\xc3\"}"_ba;
    QTest::newRow("overlong UTF-8") << "{\"a\":\"\xc0\xaf\"}"_ba;
}

void TestJsonView::rejectsWhatQtRejects()
{
    QFETCH(QByteArray, json);
    QJsonParseError error;
    QJsonDocument::fromJson(json, &error);
    QVERIFY2(error.error != QJsonParseError::NoError, "Qt accepts it: the row does not test a rejection");
    JsonDocument document;
    const billing::Result<JsonView> root = document.parse(json);
    QVERIFY(!root.ok());
    QVERIFY(root.error().message.startsWith(u"not valid JSON: "_s));
}

void TestJsonView::documentedDifferences()
{
    // Where JsonDocument and QJsonDocument part ways, as its header says.
    JsonDocument document;
    // An integer beyond 64 bits: Qt reads a double, JsonDocument refuses.
    QVERIFY(!QJsonDocument::fromJson(R"({"a":123456789012345678901234567890})").isNull());
    QVERIFY(!document.parse(R"({"a":123456789012345678901234567890})").ok());
    // What RFC 8259 forbids in a string and Qt lets through: an unknown
    // escape, a raw control character.
    for (const QByteArray &lax : {R"({"a":"\x"})"_ba, "{\"a\":\"b\x01\"}"_ba}) {
        QJsonParseError error;
        QJsonDocument::fromJson(lax, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QVERIFY(!document.parse(lax).ok());
    }
    // An escaped lone surrogate: Qt keeps the code unit, here it is U+FFFD.
    // Pairs, and a backslash escaped before "ud800", are read as they are.
    const QByteArray surrogates = R"({"a":"x\ud800y","b":"\ud83d\ude00","c":"\\ud800","d":"\udc00\ud800"})";
    QVERIFY(!QJsonDocument::fromJson(surrogates).isNull());
    const billing::Result<JsonView> mended = document.parse(surrogates);
    QVERIFY(mended.ok());
    QCOMPARE(mended->value("a").toString(), u"x\uFFFDy"_s);
    QCOMPARE(mended->value("b").toString(), QString::fromUtf8("\xF0\x9F\x98\x80"));
    QCOMPARE(mended->value("c").toString(), u"\\ud800"_s);
    QCOMPARE(mended->value("d").toString(), u"\uFFFD\uFFFD"_s);
    // A repeated key: the first counts here, the last in Qt.
    const QByteArray repeated = R"({"status":"open","status":"paid"})";
    QCOMPARE(QJsonDocument::fromJson(repeated).object().value(u"status"_s).toString(), u"paid"_s);
    const billing::Result<JsonView> root = document.parse(repeated);
    QVERIFY(root.ok());
    QCOMPARE(root->value("status").toString(), u"open"_s);
    QCOMPARE(root->toJsonValue().toObject().value(u"status"_s).toString(), u"open"_s);
}

void TestJsonView::parsesAgainIntoTheSameDocument()
{
    JsonDocument document;
    QVERIFY(document.parse(R"({"id":"in_first","amount":100})").ok());
    const billing::Result<JsonView> second = document.parse(R"({"id":"in_second"})");
    QVERIFY(second.ok());
    QCOMPARE(second->value("id").toString(), u"in_second"_s);
    QVERIFY(second->value("amount").isUndefined());
    // A failed parse answers an error, and the document parses again after it.
    QVERIFY(!document.parse("{").ok());
    const billing::Result<JsonView> third = document.parse(R"({"id":"in_third"})");
    QVERIFY(third.ok());
    QCOMPARE(third->value("id").toString(), u"in_third"_s);
    // One beyond the size whose memory is kept, then a small one again.
    const QByteArray large = R"({"id":"in_large","pad":")" + QByteArray(200 * 1024, 'x') + R"("})";
    const billing::Result<JsonView> big = document.parse(large);
    QVERIFY(big.ok());
    QCOMPARE(big->value("id").toString(), u"in_large"_s);
    QCOMPARE(big->value("pad").toString().size(), 200 * 1024);
    const billing::Result<JsonView> small = document.parse(R"({"id":"in_small"})");
    QVERIFY(small.ok());
    QCOMPARE(small->value("id").toString(), u"in_small"_s);
}

QTEST_GUILESS_MAIN(TestJsonView)
#include "tst_jsonview.moc"
