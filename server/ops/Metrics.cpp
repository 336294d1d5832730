#include "Metrics.h"

using namespace Qt::StringLiterals;

namespace billing::server {

void Metrics::describeCounter(const QString &name, const QString &help)
{
    m_families[name].help = help;
}

void Metrics::describeDuration(const QString &name, const QString &help)
{
    Family &family = m_families[name];
    family.help = help;
    family.type = Family::Type::Duration;
}

void Metrics::describeGauge(const QString &name, const QString &help)
{
    Family &family = m_families[name];
    family.help = help;
    family.type = Family::Type::Gauge;
}

void Metrics::set(const QString &name, double value, const Labels &labels)
{
    m_families[name].values[labelText(labels)] = value;
}

QString Metrics::labelText(const Labels &labels)
{
    if (labels.isEmpty())
        return {};
    QStringList parts;
    for (const auto &[key, value] : labels) {
        QString escaped = value;
        escaped.replace(u'\\', u"\\\\"_s).replace(u'"', u"\\\""_s).replace(u'\n', u"\\n"_s);
        parts << key + u"=\""_s + escaped + u'"';
    }
    return u'{' + parts.join(u',') + u'}';
}

void Metrics::count(const QString &name, const Labels &labels, double delta)
{
    m_families[name].values[labelText(labels)] += delta;
}

void Metrics::observeSeconds(const QString &name, const Labels &labels, double seconds)
{
    Family &family = m_families[name];
    const QString key = labelText(labels);
    family.values[key] += seconds;
    family.counts[key] += 1;
}

QByteArray Metrics::render() const
{
    QString text;
    for (auto family = m_families.cbegin(); family != m_families.cend(); ++family) {
        const QString &name = family.key();
        const bool duration = family->type == Family::Type::Duration;
        const QString type = duration                              ? u"summary"_s
                             : family->type == Family::Type::Gauge ? u"gauge"_s
                                                                   : u"counter"_s;
        text += u"# HELP %1 %2\n# TYPE %1 %3\n"_s.arg(name, family->help, type);
        for (auto value = family->values.cbegin(); value != family->values.cend(); ++value) {
            if (duration) {
                text += u"%1_sum%2 %3\n"_s.arg(name, value.key(), QString::number(value.value(), 'f', 6));
                text += u"%1_count%2 %3\n"_s.arg(name, value.key()).arg(family->counts.value(value.key()));
            } else {
                text += u"%1%2 %3\n"_s.arg(name, value.key(), QString::number(value.value(), 'f', 0));
            }
        }
    }
    return text.toUtf8();
}

Metrics Metrics::forService()
{
    Metrics metrics;
    metrics.describeCounter(u"billing_webhook_events_total"_s,
                            u"Stripe events received, by type and outcome (processed, ignored, duplicate, "
                            "failed, refused)"_s);
    metrics.describeCounter(u"billing_webhook_refused_total"_s,
                            u"Webhook deliveries refused before storage, by reason (signature, too_large, "
                            "invalid, overloaded)"_s);
    metrics.describeCounter(u"billing_stripe_requests_total"_s,
                            u"Calls to Stripe's API, by method, endpoint and HTTP status (0: no answer)"_s);
    metrics.describeDuration(u"billing_stripe_request_duration_seconds"_s,
                             u"Time of Stripe API calls, retries included, by method and endpoint"_s);
    metrics.describeCounter(u"billing_dunning_notices_total"_s,
                            u"Dunning notice deliveries to the hook, by result (sent, failed)"_s);
    metrics.describeGauge(
        u"billing_reconcile_divergences"_s,
        u"Divergences from Stripe found by the last reconciliation run and not fixed since"_s);
    metrics.describeCounter(u"billing_reconcile_runs_total"_s,
                            u"Reconciliation runs in serve, by result (succeeded, failed)"_s);
    return metrics;
}

} // namespace billing::server
