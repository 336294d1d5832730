#include "billing/StripeEvent.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using billing::JsonDocument;
using billing::JsonView;
using billing::StripeEvent;

// What a delivery must carry to be admitted, read from its raw body.
class TestStripeEvent final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsTheEnvelope();
    void refusesWhatIsNotAnEvent_data();
    void refusesWhatIsNotAnEvent();
    void eventIds_data();
    void eventIds();
    void dataObjectIsTheEventsObject();
    void readsWhatQtRead();
};

namespace {

QJsonObject validEvent()
{
    return QJsonObject{
        {u"id"_s, u"evt_1NG8Du2eZvKYlo2CUI79vXWy"_s},
        {u"object"_s, u"event"_s},
        {u"api_version"_s, u"2025-03-31.basil"_s},
        {u"created"_s, 1686089970},
        {u"livemode"_s, false},
        {u"type"_s, u"invoice.payment_succeeded"_s},
        {u"data"_s,
         QJsonObject{{u"object"_s, QJsonObject{{u"id"_s, u"in_1"_s}, {u"object"_s, u"invoice"_s}}}}},
    };
}

QByteArray bytes(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

void TestStripeEvent::readsTheEnvelope()
{
    const billing::Result<StripeEvent> event = StripeEvent::parse(bytes(validEvent()));
    QVERIFY(event.ok());
    QCOMPARE(event->id, u"evt_1NG8Du2eZvKYlo2CUI79vXWy"_s);
    QCOMPARE(event->type, u"invoice.payment_succeeded"_s);
    QCOMPARE(event->created, 1686089970);
    QCOMPARE(event->livemode, false);
    QCOMPARE(event->apiVersion, u"2025-03-31.basil"_s);
    QCOMPARE(event->objectId, u"in_1"_s);

    QJsonObject live = validEvent();
    live[u"livemode"_s] = true;
    live[u"type"_s] = QString(200, u't'); // the longest type
    const billing::Result<StripeEvent> liveEvent = StripeEvent::parse(bytes(live));
    QVERIFY(liveEvent.ok());
    QCOMPARE(liveEvent->livemode, true);
    QCOMPARE(liveEvent->type.size(), 200);

    // An object without an id is still an event; its object id is empty.
    QJsonObject noObjectId = validEvent();
    noObjectId[u"data"_s] = QJsonObject{{u"object"_s, QJsonObject{{u"object"_s, u"balance"_s}}}};
    const billing::Result<StripeEvent> balance = StripeEvent::parse(bytes(noObjectId));
    QVERIFY(balance.ok());
    QVERIFY(balance->objectId.isEmpty());
}

void TestStripeEvent::refusesWhatIsNotAnEvent_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("reason");
    auto without = [](const QString &key) {
        QJsonObject event = validEvent();
        event.remove(key);
        return bytes(event);
    };
    auto with = [](const QString &key, const QJsonValue &value) {
        QJsonObject event = validEvent();
        event[key] = value;
        return bytes(event);
    };
    QTest::newRow("not JSON") << "evt_1"_ba << u"not a JSON object"_s;
    QTest::newRow("an array") << "[{}]"_ba << u"not a JSON object"_s;
    QTest::newRow("not UTF-8") << "{\"id\":\"evt_1\xff\"}"_ba << u"not a JSON object"_s;
    QTest::newRow("another object") << with(u"object"_s, u"invoice"_s) << u"not a Stripe event"_s;
    QTest::newRow("no type") << without(u"type"_s) << u"type is missing"_s;
    QTest::newRow("type too long") << with(u"type"_s, QString(201, u'x')) << u"type is missing"_s;
    QTest::newRow("no created") << without(u"created"_s) << u"no created time"_s;
    QTest::newRow("negative created") << with(u"created"_s, -1) << u"no created time"_s;
    QTest::newRow("fractional created") << with(u"created"_s, 1686089970.5) << u"no created time"_s;
    QTest::newRow("no livemode") << without(u"livemode"_s) << u"livemode"_s;
    QTest::newRow("livemode as text") << with(u"livemode"_s, u"false"_s) << u"livemode"_s;
    QTest::newRow("no data") << without(u"data"_s) << u"no data.object"_s;
    QTest::newRow("empty object") << with(u"data"_s, QJsonObject{{u"object"_s, QJsonObject{}}})
                                  << u"no data.object"_s;
    QTest::newRow("object not an object")
        << with(u"data"_s, QJsonObject{{u"object"_s, u"in_1"_s}}) << u"no data.object"_s;
}

void TestStripeEvent::refusesWhatIsNotAnEvent()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, reason);
    const billing::Result<StripeEvent> event = StripeEvent::parse(body);
    QVERIFY(!event.ok());
    QVERIFY2(event.error().message.contains(reason), qPrintable(event.error().message));
}

void TestStripeEvent::eventIds_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("Stripe's") << u"evt_1NG8Du2eZvKYlo2CUI79vXWy"_s << true;
    QTest::newRow("underscore") << u"evt_test_1"_s << true;
    QTest::newRow("longest") << u"evt_"_s + QString(250, u'a') << true;
    QTest::newRow("too long") << u"evt_"_s + QString(251, u'a') << false;
    QTest::newRow("prefix only") << u"evt_"_s << false;
    QTest::newRow("other prefix") << u"in_1"_s << false;
    QTest::newRow("upper-case prefix") << u"EVT_1"_s << false;
    QTest::newRow("hyphen") << u"evt_a-b"_s << false;
    QTest::newRow("space") << u"evt_a b"_s << false;
    QTest::newRow("trailing newline") << u"evt_a\n"_s << false;
    QTest::newRow("non-ASCII letter") << u"evt_é"_s << false;
}

void TestStripeEvent::eventIds()
{
    QFETCH(QString, id);
    QFETCH(bool, accepted);
    QJsonObject event = validEvent();
    event[u"id"_s] = id;
    const billing::Result<StripeEvent> parsed = StripeEvent::parse(bytes(event));
    QCOMPARE(parsed.ok(), accepted);
    if (!accepted)
        QVERIFY(parsed.error().message.contains(u"event id"_s));
}

void TestStripeEvent::dataObjectIsTheEventsObject()
{
    const QByteArray body = bytes(validEvent());
    JsonDocument document;
    const billing::Result<JsonView> object = StripeEvent::dataObject(body, document);
    QVERIFY(object.ok());
    QCOMPARE(object->value("id").toString(), u"in_1"_s);
    QCOMPARE(object->value("object").toString(), u"invoice"_s);

    QJsonObject notEvent = validEvent();
    notEvent[u"object"_s] = u"invoice"_s;
    const billing::Result<JsonView> refused = StripeEvent::dataObject(bytes(notEvent), document);
    QVERIFY(!refused.ok());
    QVERIFY(refused.error().message.contains(u"not a Stripe event"_s));
    QJsonObject empty = validEvent();
    empty[u"data"_s] = QJsonObject{{u"object"_s, QJsonObject{}}};
    const billing::Result<JsonView> none = StripeEvent::dataObject(bytes(empty), document);
    QVERIFY(!none.ok());
    QVERIFY(none.error().message.contains(u"no data.object"_s));
}

void TestStripeEvent::readsWhatQtRead()
{
    // Bodies Qt's parser accepted, which simdjson alone refuses: an event
    // must not be turned away for them (Stripe would retry it in vain).
    const QByteArray body = bytes(validEvent());
    const QByteArray withMark = "\xEF\xBB\xBF" + body;
    QVERIFY(StripeEvent::parse(withMark).ok());
    QByteArray loneSurrogate = body;
    loneSurrogate.replace(R"("in_1")", R"("in_1","description":"caf\ud800")");
    QVERIFY(loneSurrogate != body);
    const billing::Result<StripeEvent> event = StripeEvent::parse(loneSurrogate);
    QVERIFY(event.ok());
    JsonDocument document;
    const billing::Result<JsonView> object = StripeEvent::dataObject(loneSurrogate, document);
    QVERIFY(object.ok());
    QCOMPARE(object->value("description").toString(), u"caf\uFFFD"_s);
}

QTEST_GUILESS_MAIN(TestStripeEvent)
#include "tst_stripeevent.moc"
