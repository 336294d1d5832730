#include "stripe/FormParams.h"

#include <QTest>

using namespace Qt::StringLiterals;
using billing::FormParams;

class TestFormParams final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void encodes_data();
    void encodes();
    void keepsInsertionOrder();
    void decodesWhatItEncodes();
    void decodesOtherEncodings_data();
    void decodesOtherEncodings();
    void rejectsInvalidUtf8();
    void buildsNestedTree();
    void rejectsInconsistentKeys_data();
    void rejectsInconsistentKeys();
};

void TestFormParams::encodes_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QByteArray>("encoded");

    QTest::newRow("plain") << u"mode"_s << u"subscription"_s << "mode=subscription"_ba;
    QTest::newRow("nested key keeps brackets")
        << u"line_items[0][price]"_s << u"price_1"_s << "line_items[0][price]=price_1"_ba;
    QTest::newRow("metadata") << u"metadata[tenant_id]"_s << u"t_1"_s << "metadata[tenant_id]=t_1"_ba;
    QTest::newRow("url value") << u"success_url"_s << u"https://a.test/p?x=1&y=2#f"_s
                               << "success_url=https%3A%2F%2Fa.test%2Fp%3Fx%3D1%26y%3D2%23f"_ba;
    QTest::newRow("template braces")
        << u"success_url"_s << u"https://a.test/?s={CHECKOUT_SESSION_ID}"_s
        << "success_url=https%3A%2F%2Fa.test%2F%3Fs%3D%7BCHECKOUT_SESSION_ID%7D"_ba;
    QTest::newRow("space and plus") << u"k"_s << u"a b+c"_s << "k=a%20b%2Bc"_ba;
    QTest::newRow("utf8") << u"metadata[name]"_s << u"Zoë €"_s << "metadata[name]=Zo%C3%AB%20%E2%82%AC"_ba;
    QTest::newRow("bracket in value") << u"k"_s << u"[x]"_s << "k=%5Bx%5D"_ba;
    QTest::newRow("empty value") << u"k"_s << QString() << "k="_ba;
    QTest::newRow("reserved in key") << u"metadata[a&b=c]"_s << u"v"_s << "metadata[a%26b%3Dc]=v"_ba;
}

void TestFormParams::encodes()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QByteArray, encoded);
    QCOMPARE(FormParams().add(key, value).encode(), encoded);
}

void TestFormParams::keepsInsertionOrder()
{
    FormParams params;
    params.add(u"b"_s, u"2"_s).add(u"a"_s, qint64(1)).add(u"c"_s, true);
    QCOMPARE(params.encode(), "b=2&a=1&c=true"_ba);
    QCOMPARE(params.value(u"a"_s), u"1"_s);
    QVERIFY(params.value(u"missing"_s).isNull());
}

void TestFormParams::decodesWhatItEncodes()
{
    FormParams params;
    params.add(u"line_items[0][price]"_s, u"price_1"_s)
        .add(u"metadata[name]"_s, u"Zoë & co = 100%"_s)
        .add(u"success_url"_s, u"https://a.test/?s={CHECKOUT_SESSION_ID}"_s)
        .add(u"metadata[note]"_s, u"\uFEFF\uFEFFstarts with byte order marks"_s);
    const billing::Result<FormParams> decoded = FormParams::decode(params.encode());
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->pairs(), params.pairs());
}

void TestFormParams::decodesOtherEncodings_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");

    QTest::newRow("encoded brackets")
        << "metadata%5Btenant_id%5D=t_1"_ba << u"metadata[tenant_id]"_s << u"t_1"_s;
    QTest::newRow("plus is space") << "name=a+b"_ba << u"name"_s << u"a b"_s;
    QTest::newRow("no value") << "flag"_ba << u"flag"_s << QString();
    QTest::newRow("empty fields skipped") << "&&a=1&"_ba << u"a"_s << u"1"_s;
    // fuzz_form_params' round trip: the UTF-8 decoder used to drop a leading BOM from each name and value.
    QTest::newRow("leading U+FEFF kept") << "%EF%BB%BFk=%EF%BB%BFv"_ba << u"\uFEFFk"_s << u"\uFEFFv"_s;
}

void TestFormParams::decodesOtherEncodings()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, key);
    QFETCH(QString, value);
    const billing::Result<FormParams> decoded = FormParams::decode(body);
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->pairs().size(), 1);
    QCOMPARE(decoded->pairs().constFirst().first, key);
    QCOMPARE(decoded->pairs().constFirst().second, value);
}

void TestFormParams::rejectsInvalidUtf8()
{
    const billing::Result<FormParams> decoded = FormParams::decode("name=%FF%FE"_ba);
    QVERIFY(!decoded.ok());
    QVERIFY(decoded.error().message.contains(u"not valid UTF-8"_s));
}

void TestFormParams::buildsNestedTree()
{
    const billing::Result<FormParams> decoded = FormParams::decode(
        "mode=subscription&line_items[0][price]=p1&line_items[0][quantity]=1&line_items[1][price]=p2"
        "&metadata[tenant_id]=t&subscription_data[metadata][plan]=solo&expand[]=a&expand[]=b"_ba);
    QVERIFY(decoded.ok());
    const billing::Result<QVariantMap> tree = decoded->toTree();
    QVERIFY2(tree.ok(), qPrintable(tree.ok() ? QString() : tree.error().message));
    QCOMPARE(tree->value(u"mode"_s).toString(), u"subscription"_s);
    const QVariantList items = tree->value(u"line_items"_s).toList();
    QCOMPARE(items.size(), 2);
    QCOMPARE(items[0].toMap().value(u"price"_s).toString(), u"p1"_s);
    QCOMPARE(items[0].toMap().value(u"quantity"_s).toString(), u"1"_s);
    QCOMPARE(items[1].toMap().value(u"price"_s).toString(), u"p2"_s);
    QCOMPARE(tree->value(u"metadata"_s).toMap().value(u"tenant_id"_s).toString(), u"t"_s);
    QCOMPARE(
        tree->value(u"subscription_data"_s).toMap().value(u"metadata"_s).toMap().value(u"plan"_s).toString(),
        u"solo"_s);
    QCOMPARE(tree->value(u"expand"_s).toStringList(), (QStringList{u"a"_s, u"b"_s}));
}

void TestFormParams::rejectsInconsistentKeys_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("key");

    QTest::newRow("leaf then parent") << "a=1&a[b]=2"_ba << u"a[b]"_s;
    QTest::newRow("parent then leaf") << "a[b]=2&a=1"_ba << u"a"_s;
    QTest::newRow("same key twice") << "a=1&a=2"_ba << u"a"_s;
    QTest::newRow("sparse index") << "a[1]=x"_ba << u"a[1]"_s;
    QTest::newRow("unclosed bracket") << "a[b=1"_ba << u"a[b"_s;
    QTest::newRow("list then object") << "a[0]=x&a[b]=y"_ba << u"a[b]"_s;
}

void TestFormParams::rejectsInconsistentKeys()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, key);
    const billing::Result<FormParams> decoded = FormParams::decode(body);
    QVERIFY(decoded.ok());
    const billing::Result<QVariantMap> tree = decoded->toTree();
    QVERIFY(!tree.ok());
    QCOMPARE(tree.error().message, key);
}

QTEST_GUILESS_MAIN(TestFormParams)
#include "tst_formparams.moc"
