#include "LicenseCommand.h"

#include "CliSettings.h"
#include "license/LicenseSigner.h"

#include <QDateTime>
#include <QFile>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

QString formatTime(qint64 seconds)
{
    return seconds == 0 ? u"never"_s : QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(Qt::ISODate);
}

} // namespace

QString LicenseCommand::name() const
{
    return u"license"_s;
}

QString LicenseCommand::summary() const
{
    return u"license verify <key> | license public-key: check licence keys offline"_s;
}

void LicenseCommand::addOptions(QCommandLineParser &parser) const
{
    addConfigurationOptions(parser);
    parser.addPositionalArgument(u"action"_s, u"verify <key>, or public-key."_s,
                                 u"verify <key> | public-key"_s);
    parser.addOption({u"public-key"_s,
                      u"Verify with this public key (PEM file) instead of the configured signing key."_s,
                      u"path"_s});
}

int LicenseCommand::run(const QCommandLineParser &parser, CliStreams streams)
{
    const QStringList arguments = parser.positionalArguments();
    const QString action = arguments.value(0);
    if (!((action == u"verify" && arguments.size() == 2) ||
          (action == u"public-key" && arguments.size() == 1))) {
        streams.err << u"usage: agencyos-billing-server license verify <key> [--public-key FILE] | "
                       "license public-key"_s
                    << Qt::endl;
        return ExitUsage;
    }

    std::optional<LicenseSigner> signer;
    if (action == u"verify" && parser.isSet(u"public-key"_s)) {
        QFile file(parser.value(u"public-key"_s));
        if (!file.open(QIODevice::ReadOnly)) {
            streams.err << u"error: cannot read %1: %2"_s.arg(file.fileName(), file.errorString())
                        << Qt::endl;
            return ExitUsage;
        }
        Result<LicenseSigner> loaded = LicenseSigner::fromPublicKeyPem(file.readAll());
        if (!loaded) {
            streams.err << u"error: "_s << loaded.error().message << Qt::endl;
            return ExitUsage;
        }
        signer = std::move(loaded).value();
    } else {
        const std::optional<Settings> settings = loadSettingsForCommand(parser, SettingsScopes(), streams);
        if (!settings)
            return ExitConfiguration;
        if (action == u"verify" && !QFile::exists(settings->licenseKeyPath)) {
            streams.err << u"error: there is no licence signing key at %1; give --public-key FILE"_s.arg(
                               settings->licenseKeyPath)
                        << Qt::endl;
            return ExitConfiguration;
        }
        Result<LicenseSigner> loaded = LicenseSigner::loadOrCreate(settings->licenseKeyPath);
        if (!loaded) {
            streams.err << u"error: "_s << loaded.error().message << Qt::endl;
            return ExitFailure;
        }
        signer = std::move(loaded).value();
    }

    if (action == u"public-key") {
        streams.out << QString::fromLatin1(signer->publicKeyPem());
        return ExitOk;
    }
    const Result<LicenseClaims> claims = signer->verify(arguments.at(1));
    if (!claims) {
        streams.out << u"invalid: "_s << claims.error().message << Qt::endl;
        return ExitFailure;
    }
    const bool expired = claims->expiresAt != 0 && claims->expiresAt < QDateTime::currentSecsSinceEpoch();
    streams.out << (expired ? u"valid signature, but expired"_s : u"valid"_s) << Qt::endl
                << u"  licence: "_s << claims->licenseId << Qt::endl
                << u"  tenant:  "_s << claims->tenantId << Qt::endl
                << u"  plan:    "_s << claims->plan << Qt::endl
                << u"  issued:  "_s << formatTime(claims->issuedAt) << Qt::endl
                << u"  expires: "_s << formatTime(claims->expiresAt) << Qt::endl;
    return expired ? ExitFailure : ExitOk;
}

} // namespace billing::server
