#include "OverviewPage.h"

#include "ApiClient.h"
#include "ApiReply.h"
#include "Formatting.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineSeries>
#include <QMap>
#include <QVBoxLayout>
#include <QValueAxis>

using namespace Qt::StringLiterals;

namespace billing::ui {

namespace {

double majorUnits(const QJsonValue &amount, const QString &currency)
{
    const double value = amount.toDouble();
    // Zero-decimal currencies format without cents; everything else has two decimals.
    return Formatting::amount(1, currency).contains(u'.') ? value / 100.0 : value;
}

QString joinAmounts(const QMap<QString, qint64> &byCurrency)
{
    QStringList parts;
    for (auto it = byCurrency.cbegin(); it != byCurrency.cend(); ++it)
        parts << Formatting::amount(it.value(), it.key());
    return parts.isEmpty() ? u"0.00"_s : parts.join(u", "_s);
}

QChartView *makeChartView(const QString &name, const QString &title, QWidget *parent)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto *view = new QChartView(chart, parent);
    view->setObjectName(name);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    return view;
}

} // namespace

OverviewPage::OverviewPage(ApiClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_figures(new QWidget(this))
{
    setObjectName(u"overviewPage"_s);
    auto *grid = new QGridLayout(m_figures);
    grid->setContentsMargins(0, 0, 0, 0);
    m_activeSubscriptions = addFigure(u"activeSubscriptionsValue"_s, tr("Active subscriptions"));
    m_mrr = addFigure(u"mrrValue"_s, tr("Monthly recurring revenue"));
    m_trialsEnding = addFigure(u"trialsEndingValue"_s, tr("Trials ending in 7 days"));
    m_pastDue = addFigure(u"pastDueValue"_s, tr("Past due"));
    m_failedDeliveries = addFigure(u"failedDeliveriesValue"_s, tr("Refused webhooks (24 h)"));

    m_mrrChart = makeChartView(u"mrrChart"_s, tr("MRR by plan"), this);
    m_paymentsChart = makeChartView(u"paymentsChart"_s, tr("Payments per day (30 days)"), this);

    auto *charts = new QHBoxLayout;
    charts->addWidget(m_mrrChart, 1);
    charts->addWidget(m_paymentsChart, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_figures);
    layout->addLayout(charts, 1);
}

QLabel *OverviewPage::addFigure(const QString &name, const QString &title)
{
    auto *grid = static_cast<QGridLayout *>(m_figures->layout());
    const int column = grid->count() / 2; // two labels per figure
    auto *titleLabel = new QLabel(title, m_figures);
    titleLabel->setStyleSheet(u"color: palette(mid);"_s);
    auto *value = new QLabel(u"–"_s, m_figures);
    value->setObjectName(name);
    value->setTextFormat(Qt::PlainText);
    QFont font = value->font();
    font.setPointSizeF(font.pointSizeF() * 1.6);
    font.setBold(true);
    value->setFont(font);
    grid->addWidget(titleLabel, 0, column);
    grid->addWidget(value, 1, column);
    return value;
}

void OverviewPage::reload()
{
    if (m_pending)
        return;
    ApiReply *reply = m_client->get(u"/summary"_s);
    m_pending = reply;
    connect(reply, &ApiReply::finished, this, [this, reply] {
        m_pending.clear();
        if (reply->isOk())
            showSummary(reply->json());
    });
}

void OverviewPage::showSummary(const QJsonObject &summary)
{
    m_summary = summary;
    m_activeSubscriptions->setText(QString::number(summary.value("active_subscriptions"_L1).toInteger()));
    m_trialsEnding->setText(QString::number(summary.value("trials_ending_soon"_L1).toInteger()));
    m_failedDeliveries->setText(QString::number(summary.value("failed_deliveries_24h"_L1).toInteger()));

    const QJsonArray mrr = summary.value("mrr"_L1).toArray();
    QMap<QString, qint64> mrrByCurrency;
    for (const QJsonValue &entry : mrr) {
        const QJsonObject item = entry.toObject();
        mrrByCurrency[item.value("currency"_L1).toString()] += item.value("amount"_L1).toInteger();
    }
    m_mrr->setText(joinAmounts(mrrByCurrency));

    const QJsonObject pastDue = summary.value("past_due"_L1).toObject();
    QMap<QString, qint64> pastDueByCurrency;
    for (const QJsonValue &entry : pastDue.value("amounts"_L1).toArray()) {
        const QJsonObject item = entry.toObject();
        pastDueByCurrency[item.value("currency"_L1).toString()] += item.value("amount"_L1).toInteger();
    }
    const qint64 pastDueCount = pastDue.value("count"_L1).toInteger();
    m_pastDue->setText(
        pastDueCount == 0 ? u"0"_s : tr("%1 (%2)").arg(pastDueCount).arg(joinAmounts(pastDueByCurrency)));
    m_pastDue->setStyleSheet(pastDueCount > 0 ? u"color: #c62828;"_s : QString());

    updateMrrChart(mrr);
    updatePaymentsChart(summary.value("payments_by_day"_L1).toArray());
    Q_EMIT loaded(summary);
}

void OverviewPage::updateMrrChart(const QJsonArray &mrr)
{
    QChart *chart = m_mrrChart->chart();
    chart->removeAllSeries();
    const auto oldAxes = chart->axes();
    for (QAbstractAxis *axis : oldAxes) {
        chart->removeAxis(axis);
        delete axis;
    }

    QStringList plans;
    QMap<QString, QMap<QString, double>> byCurrency; // currency -> plan -> amount
    for (const QJsonValue &entry : mrr) {
        const QJsonObject item = entry.toObject();
        const QString plan = item.value("plan"_L1).toString();
        const QString currency = item.value("currency"_L1).toString();
        if (!plans.contains(plan))
            plans << plan;
        byCurrency[currency][plan] += majorUnits(item.value("amount"_L1), currency);
    }

    auto *series = new QBarSeries;
    double maximum = 0;
    for (auto it = byCurrency.cbegin(); it != byCurrency.cend(); ++it) {
        auto *set = new QBarSet(it.key().toUpper());
        for (const QString &plan : std::as_const(plans)) {
            const double value = it.value().value(plan);
            maximum = std::max(maximum, value);
            *set << value;
        }
        series->append(set);
    }
    chart->addSeries(series);
    auto *categories = new QBarCategoryAxis;
    categories->append(plans);
    chart->addAxis(categories, Qt::AlignBottom);
    series->attachAxis(categories);
    auto *values = new QValueAxis;
    values->setRange(0, maximum > 0 ? maximum * 1.1 : 1);
    values->setLabelFormat(u"%.0f"_s);
    chart->addAxis(values, Qt::AlignLeft);
    series->attachAxis(values);
}

void OverviewPage::updatePaymentsChart(const QJsonArray &payments)
{
    QChart *chart = m_paymentsChart->chart();
    chart->removeAllSeries();
    const auto oldAxes = chart->axes();
    for (QAbstractAxis *axis : oldAxes) {
        chart->removeAxis(axis);
        delete axis;
    }

    QMap<QString, QLineSeries *> byCurrency;
    double maximum = 0;
    qint64 first = 0;
    qint64 last = 0;
    for (const QJsonValue &entry : payments) {
        const QJsonObject item = entry.toObject();
        const QDate day = QDate::fromString(item.value("day"_L1).toString(), Qt::ISODate);
        if (!day.isValid())
            continue;
        const QString currency = item.value("currency"_L1).toString();
        QLineSeries *&series = byCurrency[currency];
        if (!series) {
            series = new QLineSeries;
            series->setName(currency.toUpper());
            series->setPointsVisible(true);
        }
        const qint64 ms = day.startOfDay().toMSecsSinceEpoch();
        const double value = majorUnits(item.value("amount"_L1), currency);
        series->append(static_cast<qreal>(ms), value);
        maximum = std::max(maximum, value);
        first = first == 0 ? ms : std::min(first, ms);
        last = std::max(last, ms);
    }

    auto *dates = new QDateTimeAxis;
    dates->setFormat(u"MM-dd"_s);
    const QDateTime today = QDate::currentDate().startOfDay();
    dates->setRange(first ? QDateTime::fromMSecsSinceEpoch(first) : today.addDays(-30),
                    last > first ? QDateTime::fromMSecsSinceEpoch(last) : today.addDays(first ? 1 : 0));
    chart->addAxis(dates, Qt::AlignBottom);
    auto *values = new QValueAxis;
    values->setRange(0, maximum > 0 ? maximum * 1.1 : 1);
    values->setLabelFormat(u"%.0f"_s);
    chart->addAxis(values, Qt::AlignLeft);
    for (QLineSeries *series : std::as_const(byCurrency)) {
        chart->addSeries(series);
        series->attachAxis(dates);
        series->attachAxis(values);
    }
}

} // namespace billing::ui
