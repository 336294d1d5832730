#include "CheckConfigCommand.h"

#include "CliSettings.h"
#include "config/SecretMask.h"
#include "config/SettingKeys.h"

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

// What check-config shows for one setting: its effective value, masked when
// secret, or a marker when the value given was rejected.
QString displayValue(const SettingDescriptor &descriptor, const SettingsSources &sources,
                     const Settings &settings, bool rejected)
{
    const QString &name = descriptor.name;
    const QString raw = sources.value(name);
    if (rejected)
        return descriptor.secret ? u"(invalid; value hidden)"_s
                                 : u"\"%1\" (invalid)"_s.arg(quotableValue(raw));

    if (name == SettingKeys::Database)
        return settings.database.toDisplayString();
    if (name == SettingKeys::DataDir)
        return settings.dataDir;
    if (name == SettingKeys::LicenseKeyPath)
        return settings.licenseKeyPath;
    if (name == SettingKeys::StripeWebhookSecret) {
        QStringList masked;
        for (const QString &secret : settings.stripeWebhookSecrets)
            masked << maskSecret(secret);
        return masked.isEmpty() ? u"(not set)"_s : masked.join(u", ");
    }
    if (name == SettingKeys::StripeApiBase)
        return settings.stripeApiBase.toString();
    if (name == SettingKeys::StripeApiVersion)
        return settings.stripeApiVersion;
    if (name == SettingKeys::StripeWebhookTolerance)
        return u"%1 s"_s.arg(settings.webhookTolerance.count());
    if (name == SettingKeys::ListenAddress)
        return settings.listenAddress.toString();
    if (name == SettingKeys::AllowedRedirectHosts)
        return settings.allowedRedirectHosts.isEmpty() ? u"(not set)"_s
                                                       : settings.allowedRedirectHosts.join(u", ");
    if (name == SettingKeys::DunningWebhookUrl)
        return settings.dunningWebhookUrl.isEmpty()
                   ? u"(not set)"_s
                   : settings.dunningWebhookUrl.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery)
                             .toString() +
                         u" (query hidden)"_s;
    if (name == SettingKeys::PastDueGraceDays)
        return u"%1 days"_s.arg(settings.pastDueGrace.count() / (24 * 3600));
    if (name == SettingKeys::EventsPollInterval)
        return settings.eventsPollInterval.count() == 0 ? u"off"_s
                                                        : u"%1 s"_s.arg(settings.eventsPollInterval.count());
    if (name == SettingKeys::ReconcileInterval)
        return settings.reconcileInterval.count() == 0 ? u"off"_s
                                                       : u"%1 s"_s.arg(settings.reconcileInterval.count());
    if (name == SettingKeys::Port)
        return QString::number(settings.port);
    if (raw.isEmpty())
        return u"(not set)"_s;
    return descriptor.secret ? maskSecret(raw) : quotableValue(raw);
}

} // namespace

QString CheckConfigCommand::name() const
{
    return u"check-config"_s;
}

QString CheckConfigCommand::summary() const
{
    return u"Validate the configuration and print it with secrets masked"_s;
}

void CheckConfigCommand::addOptions(QCommandLineParser &parser) const
{
    addConfigurationOptions(parser);
}

int CheckConfigCommand::run(const QCommandLineParser &parser, CliStreams streams)
{
    Result<SettingsSources> sources = loadSettingsSources(parser);
    if (!sources) {
        streams.err << u"error: "_s << sources.error().message << Qt::endl;
        return ExitConfiguration;
    }
    const ValidatedSettings validated = SettingsValidator::validate(sources.value(), SettingsScope::All);
    const Settings &settings = validated.settings;

    streams.out << u"Configuration of agencyos-billing-server"_s << Qt::endl;
    streams.out << u"  .env file:   "_s
                << (sources->envFilePath().isEmpty() ? u"(none)"_s : sources->envFilePath()) << Qt::endl;
    streams.out << u"  Stripe mode: "_s << stripeModeName(settings.mode()) << Qt::endl << Qt::endl;

    const QList<SettingProblem> errors = validated.errors();
    for (const SettingDescriptor &descriptor : settingDescriptors()) {
        const bool rejected = std::any_of(errors.cbegin(), errors.cend(), [&](const SettingProblem &problem) {
            return problem.key == descriptor.name && !sources->value(descriptor.name).isEmpty();
        });
        const QString origin = settingOriginName(sources->origin(descriptor.name));
        streams.out << u"  "_s << descriptor.name.leftJustified(26)
                    << displayValue(descriptor, sources.value(), settings, rejected).leftJustified(44)
                    << u" ("_s << origin << u')' << Qt::endl;
    }
    streams.out << Qt::endl;

    for (const QString &warning : sources->warnings())
        streams.err << u"warning: "_s << warning << Qt::endl;
    printProblems(validated.problems, streams.err);

    if (!errors.isEmpty()) {
        streams.err << (errors.size() == 1 ? u"1 error"_s : u"%1 errors"_s.arg(errors.size()))
                    << u" in the configuration."_s << Qt::endl;
        return ExitConfiguration;
    }
    streams.out << u"The configuration is valid."_s << Qt::endl;
    return ExitOk;
}

} // namespace billing::server
