#include "WebhookCommand.h"

#include "CliSettings.h"
#include "common/Clock.h"
#include "config/SettingKeys.h"
#include "webhook/SignatureVerifier.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace billing::server {

QString WebhookCommand::name() const
{
    return u"webhook"_s;
}

QString WebhookCommand::summary() const
{
    return u"webhook verify: check a Stripe-Signature header against a payload, offline"_s;
}

void WebhookCommand::addOptions(QCommandLineParser &parser) const
{
    addConfigurationOptions(parser);
    parser.addPositionalArgument(u"verify"_s, u"The action: verify."_s);
    parser.addOption({u"header"_s, u"The Stripe-Signature header value (t=…,v1=…)."_s, u"value"_s});
    parser.addOption({u"payload-file"_s, u"The raw request body, exactly as received."_s, u"path"_s});
    parser.addOption({u"secret"_s,
                      u"Webhook signing secret(s), comma-separated (default: STRIPE_WEBHOOK_SECRET)."_s,
                      u"whsec"_s});
    parser.addOption({u"tolerance"_s,
                      u"Maximum signature age in seconds (default: STRIPE_WEBHOOK_TOLERANCE)."_s,
                      u"seconds"_s});
    parser.addOption({u"at"_s, u"Judge as if now were this Unix time (default: now)."_s, u"unix-seconds"_s});
}

int WebhookCommand::run(const QCommandLineParser &parser, CliStreams streams)
{
    const QStringList verbs = parser.positionalArguments();
    if (verbs != QStringList{u"verify"_s}) {
        streams.err
            << u"usage: agencyos-billing-server webhook verify --header H --payload-file F [--secret S] "
               "[--tolerance N] [--at UNIX_SECONDS]"_s
            << Qt::endl;
        return ExitUsage;
    }
    if (!parser.isSet(u"header"_s) || !parser.isSet(u"payload-file"_s)) {
        streams.err << u"error: --header and --payload-file are required"_s << Qt::endl;
        return ExitUsage;
    }
    QFile payloadFile(parser.value(u"payload-file"_s));
    if (!payloadFile.open(QIODevice::ReadOnly)) {
        streams.err << u"error: cannot read %1: %2"_s.arg(payloadFile.fileName(), payloadFile.errorString())
                    << Qt::endl;
        return ExitUsage;
    }
    const QByteArray payload = payloadFile.readAll();

    // Secret and tolerance from the options, else from the configuration.
    QStringList secrets = parser.value(u"secret"_s).split(u',', Qt::SkipEmptyParts);
    std::chrono::seconds tolerance = kDefaultWebhookTolerance;
    if (secrets.isEmpty() || !parser.isSet(u"tolerance"_s)) {
        Result<SettingsSources> sources = loadSettingsSources(parser);
        if (!sources) {
            streams.err << u"error: "_s << sources.error().message << Qt::endl;
            return ExitConfiguration;
        }
        const ValidatedSettings validated =
            SettingsValidator::validate(sources.value(), SettingsScope::Stripe);
        if (secrets.isEmpty())
            secrets = validated.settings.stripeWebhookSecrets;
        tolerance = validated.settings.webhookTolerance;
    }
    for (QString &secret : secrets)
        secret = secret.trimmed();
    if (secrets.isEmpty()) {
        streams.err << u"error: no secret: give --secret or set STRIPE_WEBHOOK_SECRET"_s << Qt::endl;
        return ExitConfiguration;
    }
    if (parser.isSet(u"tolerance"_s)) {
        bool ok = false;
        const int seconds = parser.value(u"tolerance"_s).toInt(&ok);
        if (!ok || seconds < 1) {
            streams.err << u"error: --tolerance must be a positive number of seconds"_s << Qt::endl;
            return ExitUsage;
        }
        tolerance = std::chrono::seconds(seconds);
    }
    QDateTime now = Clock::system().now();
    if (parser.isSet(u"at"_s)) {
        bool ok = false;
        const qint64 at = parser.value(u"at"_s).toLongLong(&ok);
        if (!ok || at < 0) {
            streams.err << u"error: --at must be a Unix time in seconds"_s << Qt::endl;
            return ExitUsage;
        }
        now = QDateTime::fromSecsSinceEpoch(at, Qt::UTC);
    }

    const FixedClock clock(now);
    const SignatureVerifier verifier(secrets, tolerance, clock);
    const SignatureVerifier::Verdict verdict = verifier.verify(parser.value(u"header"_s).toUtf8(), payload);
    if (verdict.isValid()) {
        streams.out
            << u"valid: signed with secret %1 of %2 at %3 (t=%4), %5 bytes"_s
                   .arg(verdict.matchedSecretIndex + 1)
                   .arg(secrets.size())
                   .arg(QDateTime::fromSecsSinceEpoch(verdict.timestamp, Qt::UTC).toString(Qt::ISODate))
                   .arg(verdict.timestamp)
                   .arg(payload.size())
            << Qt::endl;
        return ExitOk;
    }
    streams.out << u"invalid: "_s << verdict.reason << Qt::endl;
    return ExitFailure;
}

} // namespace billing::server
