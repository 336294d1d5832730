#pragma once

#include <QJsonObject>
#include <QPointer>
#include <QWidget>

class QChartView;
class QLabel;

namespace billing::ui {

class ApiClient;
class ApiReply;

// The Overview tab: GET /summary as figures, MRR by plan and payments per day.
class OverviewPage final : public QWidget
{
    Q_OBJECT

public:
    explicit OverviewPage(ApiClient *client, QWidget *parent = nullptr);

    QJsonObject summary() const { return m_summary; }

public Q_SLOTS:
    void reload();

Q_SIGNALS:
    void loaded(const QJsonObject &summary);

private:
    void showSummary(const QJsonObject &summary);
    void updateMrrChart(const QJsonArray &mrr);
    void updatePaymentsChart(const QJsonArray &payments);
    QLabel *addFigure(const QString &name, const QString &title);

    ApiClient *m_client;
    QJsonObject m_summary;
    QPointer<ApiReply> m_pending;
    QWidget *m_figures;
    QLabel *m_activeSubscriptions;
    QLabel *m_mrr;
    QLabel *m_trialsEnding;
    QLabel *m_pastDue;
    QLabel *m_failedDeliveries;
    QChartView *m_mrrChart;
    QChartView *m_paymentsChart;
};

} // namespace billing::ui
