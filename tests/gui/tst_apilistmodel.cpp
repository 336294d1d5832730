#include "ApiClient.h"
#include "ApiListModel.h"
#include "FakeAdminApi.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using billing::test::FakeAdminApi;
using billing::test::FakeRequest;
using billing::test::FakeResponse;
using namespace billing::ui;

class TestApiListModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void pagesWithNextCursor();
    void passesModelTesterWhilePaging();
    void sortAndFiltersGoToTheService();
    void reloadReplacesRows();
    void formatsAndColours();
    void failureStopsPaging();
    void typedColumnShowsTimesAsDates();

private:
    static QJsonObject event(int n);
    ApiListModel *makeModel(QObject *parent);

    std::unique_ptr<FakeAdminApi> m_fake;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<ApiClient> m_client;
};

QJsonObject TestApiListModel::event(int n)
{
    return {{u"id"_s, u"evt_%1"_s.arg(n)},
            {u"type"_s, u"invoice.paid"_s},
            {u"status"_s, n % 2 ? u"failed"_s : u"processed"_s},
            {u"received_at"_s, 1700000000 + n},
            {u"amount"_s, 1234},
            {u"currency"_s, u"eur"_s},
            {u"livemode"_s, false}};
}

ApiListModel *TestApiListModel::makeModel(QObject *parent)
{
    return new ApiListModel(m_client.get(), u"/events"_s,
                            {{u"id"_s, u"Event"_s, ApiColumn::Kind::Text, {}, {}},
                             {u"status"_s, u"Status"_s, ApiColumn::Kind::Status, {}, {}},
                             {u"received_at"_s, u"Received"_s, ApiColumn::Kind::Time, u"received_at"_s, {}},
                             {u"amount"_s, u"Amount"_s, ApiColumn::Kind::Amount, {}, u"currency"_s},
                             {u"livemode"_s, u"Live"_s, ApiColumn::Kind::Bool, {}, {}}},
                            parent);
}

void TestApiListModel::initTestCase()
{
    QNetworkProxyFactory::setUseSystemConfiguration(false);
}

void TestApiListModel::init()
{
    m_fake = std::make_unique<FakeAdminApi>();
    QVERIFY(m_fake->listen());
    m_network = std::make_unique<QNetworkAccessManager>();
    m_client = std::make_unique<ApiClient>(m_network.get());
    m_client->setServiceUrl(m_fake->url());
    m_client->setToken(u"tok_staff"_s);
    // Three pages: evt_0..1 (cursor p2), evt_2..3 (cursor p3), evt_4 (end).
    m_fake->setHandler("GET", u"/admin/v1/events"_s, [](const FakeRequest &request) {
        const QString cursor = request.query.queryItemValue(u"cursor"_s);
        if (cursor.isEmpty())
            return FakeResponse{200, FakeAdminApi::page({event(0), event(1)}, u"p2"_s)};
        if (cursor == "p2"_L1)
            return FakeResponse{200, FakeAdminApi::page({event(2), event(3)}, u"p3"_s)};
        return FakeResponse{200, FakeAdminApi::page({event(4)})};
    });
}

void TestApiListModel::cleanup()
{
    m_client.reset();
    m_network.reset();
    m_fake.reset();
}

void TestApiListModel::pagesWithNextCursor()
{
    // No model tester here: it calls fetchMore() itself after every change.
    QObject owner;
    ApiListModel *model = makeModel(&owner);
    QVERIFY(!model->canFetchMore({}));

    QSignalSpy pages(model, &ApiListModel::pageLoaded);
    model->reload();
    QVERIFY(model->isLoading());
    QVERIFY(pages.wait());
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(model->rowObject(0).value("id"_L1).toString(), u"evt_0"_s);

    const auto first = m_fake->requestsTo("GET", u"/admin/v1/events"_s);
    QCOMPARE(first.size(), 1);
    QVERIFY(!first.at(0).query.hasQueryItem(u"cursor"_s));
    QCOMPARE(first.at(0).query.queryItemValue(u"limit"_s), u"100"_s);
    QCOMPARE(first.at(0).authorization, QByteArray("Bearer tok_staff"));

    QVERIFY(model->canFetchMore({}));
    model->fetchMore({});
    QVERIFY(!model->canFetchMore({})); // one request in flight
    model->fetchMore({});              // ignored while loading
    QTRY_COMPARE(model->rowCount(), 4);
    QCOMPARE(m_fake->requestsTo("GET", u"/admin/v1/events"_s).size(), 2);
    QCOMPARE(m_fake->requestsTo("GET", u"/admin/v1/events"_s).at(1).query.queryItemValue(u"cursor"_s),
             u"p2"_s);

    model->fetchMore({});
    QTRY_COMPARE(model->rowCount(), 5);
    QCOMPARE(m_fake->requestsTo("GET", u"/admin/v1/events"_s).at(2).query.queryItemValue(u"cursor"_s),
             u"p3"_s);
    QTRY_VERIFY(!model->isLoading());
    QVERIFY(!model->canFetchMore({})); // next_cursor was null
    model->fetchMore({});
    QVERIFY(!model->isLoading()); // a request would have been started synchronously
    QTest::qWait(200);            // and would have reached the fake by now
    QCOMPARE(m_fake->requestsTo("GET", u"/admin/v1/events"_s).size(), 3);
    QCOMPARE(model->rowObject(4).value("id"_L1).toString(), u"evt_4"_s);
}

void TestApiListModel::passesModelTesterWhilePaging()
{
    QObject owner;
    ApiListModel *model = makeModel(&owner);
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model->reload();
    // The tester fetches more after each change, so all three pages arrive.
    QTRY_COMPARE(model->rowCount(), 5);
    QTRY_VERIFY(!model->isLoading());
    QVERIFY(!model->canFetchMore({}));
    const auto requests = m_fake->requestsTo("GET", u"/admin/v1/events"_s);
    QCOMPARE(requests.size(), 3);
    QCOMPARE(requests.at(0).query.queryItemValue(u"cursor"_s), QString());
    QCOMPARE(requests.at(1).query.queryItemValue(u"cursor"_s), u"p2"_s);
    QCOMPARE(requests.at(2).query.queryItemValue(u"cursor"_s), u"p3"_s);
    for (int row = 0; row < 5; ++row)
        QCOMPARE(model->data(model->index(row, 0)).toString(), u"evt_%1"_s.arg(row));

    QSignalSpy reset(model, &QAbstractItemModel::modelReset);
    model->reload();
    QVERIFY(reset.wait());
    QTRY_COMPARE(model->rowCount(), 5);
}

void TestApiListModel::sortAndFiltersGoToTheService()
{
    QObject owner;
    ApiListModel *model = makeModel(&owner);
    model->setFilter(u"status"_s, u"failed"_s);
    model->setFilter(u"q"_s, QString()); // empty: not sent
    model->sort(2, Qt::DescendingOrder);
    QTRY_COMPARE(model->rowCount(), 2);
    FakeRequest request = m_fake->requestsTo("GET", u"/admin/v1/events"_s).constLast();
    QCOMPARE(request.query.queryItemValue(u"sort"_s), u"-received_at"_s);
    QCOMPARE(request.query.queryItemValue(u"status"_s), u"failed"_s);
    QVERIFY(!request.query.hasQueryItem(u"q"_s));
    QCOMPARE(model->sortColumn(), 2);
    QCOMPARE(model->sortOrder(), Qt::DescendingOrder);

    model->sort(2, Qt::AscendingOrder);
    QTRY_COMPARE(m_fake->requestsTo("GET", u"/admin/v1/events"_s).size(), 2);
    request = m_fake->requestsTo("GET", u"/admin/v1/events"_s).constLast();
    QCOMPARE(request.query.queryItemValue(u"sort"_s), u"received_at"_s);

    // Column 0 has no sort name: nothing is asked.
    model->sort(0, Qt::AscendingOrder);
    QTRY_VERIFY(!model->isLoading());
    QCOMPARE(m_fake->requestsTo("GET", u"/admin/v1/events"_s).size(), 2);
}

void TestApiListModel::reloadReplacesRows()
{
    QObject owner;
    ApiListModel *model = makeModel(&owner);
    model->reload();
    QTRY_COMPARE(model->rowCount(), 2);
    model->fetchMore({});
    QTRY_COMPARE(model->rowCount(), 4);
    QSignalSpy reset(model, &QAbstractItemModel::modelReset);
    model->reload();
    QVERIFY(reset.wait());
    QCOMPARE(model->rowCount(), 2);
    QVERIFY(!m_fake->requestsTo("GET", u"/admin/v1/events"_s).constLast().query.hasQueryItem(u"cursor"_s));
}

void TestApiListModel::formatsAndColours()
{
    QObject owner;
    ApiListModel *model = makeModel(&owner);
    model->reload();
    QTRY_COMPARE(model->rowCount(), 2);
    QCOMPARE(model->data(model->index(0, 3)).toString(), u"12.34 EUR"_s);
    QCOMPARE(model->data(model->index(0, 4)).toString(), u"no"_s);
    QVERIFY(!model->data(model->index(0, 2)).toString().isEmpty());
    QVERIFY(model->data(model->index(0, 2)).toString().contains(u':'));
    const QColor processed = model->data(model->index(0, 1), Qt::ForegroundRole).value<QColor>();
    const QColor failed = model->data(model->index(1, 1), Qt::ForegroundRole).value<QColor>();
    QVERIFY(processed.isValid());
    QVERIFY(failed.isValid());
    QVERIFY(failed.red() > failed.green());
    QVERIFY(processed.green() > processed.red());
    QCOMPARE(model->headerData(2, Qt::Horizontal).toString(), u"Received"_s);
}

// A divergence's values are dates or plain values as its value_type says.
void TestApiListModel::typedColumnShowsTimesAsDates()
{
    m_fake->setResponse(
        "GET", u"/admin/v1/reconcile/divergences"_s, 200,
        FakeAdminApi::page({{{u"id"_s, 1}, {u"local"_s, u"1801487298"_s}, {u"value_type"_s, u"time"_s}},
                            {{u"id"_s, 2}, {u"local"_s, u"2900"_s}, {u"value_type"_s, u"text"_s}}}));
    QObject owner;
    auto *model =
        new ApiListModel(m_client.get(), u"/reconcile/divergences"_s,
                         {{u"local"_s, u"Here"_s, ApiColumn::Kind::Typed, {}, u"value_type"_s}}, &owner);
    model->reload();
    QTRY_COMPARE(model->rowCount(), 2);
    const QString date =
        QLocale().toString(QDateTime::fromSecsSinceEpoch(1801487298), u"yyyy-MM-dd HH:mm:ss"_s);
    QCOMPARE(model->data(model->index(0, 0)).toString(), date);
    QCOMPARE(model->data(model->index(1, 0)).toString(), u"2900"_s);
}

void TestApiListModel::failureStopsPaging()
{
    m_fake->setResponse("GET", u"/admin/v1/events"_s, 502, FakeAdminApi::error(u"Database is unavailable"_s));
    QObject owner;
    ApiListModel *model = makeModel(&owner);
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy failed(model, &ApiListModel::loadFailed);
    model->reload();
    QVERIFY(failed.wait());
    QCOMPARE(failed.at(0).at(0).toString(), u"Database is unavailable"_s);
    QCOMPARE(model->rowCount(), 0);
    QVERIFY(!model->canFetchMore({}));
}

QTEST_MAIN(TestApiListModel)
#include "tst_apilistmodel.moc"
