#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>

namespace billing::server {

// The service's counters, rendered in Prometheus' text format for
// GET /metrics. Single-threaded: everything that counts runs on the HTTP thread.
class Metrics final
{
public:
    using Labels = QList<QPair<QString, QString>>;

    // Declares a metric: its HELP text and whether it is a counter or a summary (seconds).
    void describeCounter(const QString &name, const QString &help);
    void describeDuration(const QString &name, const QString &help);
    void describeGauge(const QString &name, const QString &help);

    void count(const QString &name, const Labels &labels = {}, double delta = 1);
    void observeSeconds(const QString &name, const Labels &labels, double seconds);
    void set(const QString &name, double value, const Labels &labels = {});

    QByteArray render() const;

    // The metrics this service keeps, declared once.
    static Metrics forService();

private:
    struct Family
    {
        QString help;
        enum class Type { Counter, Duration, Gauge } type = Type::Counter;
        QMap<QString, double> values; // label set ("{a=\"b\"}") -> value (sum for durations)
        QMap<QString, qint64> counts; // durations only: observations
    };
    static QString labelText(const Labels &labels);

    QMap<QString, Family> m_families;
};

} // namespace billing::server
