#include "SettingsValidator.h"

#include "SecretMask.h"
#include "SettingKeys.h"
#include "billing/RedirectAllowList.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslKey>
#include <QStandardPaths>

#include <algorithm>
#include <iterator>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

constexpr int kMaxWebhookToleranceSeconds = 3600;
constexpr int kMinimumApiTokenLength = 32;

bool hasWhitespace(const QString &value)
{
    return std::any_of(value.cbegin(), value.cend(), [](QChar c) { return c.isSpace(); });
}

// Collects problems and builds Settings, one setting at a time.
class Validation final
{
public:
    Validation(const SettingsSources &sources, SettingsScopes scope)
        : m_sources(sources)
        , m_scope(scope)
    {}

    ValidatedSettings run()
    {
        // The data directory comes first: the default database lives in it.
        readDataDir();
        if (m_scope & SettingsScope::Database)
            readDatabase();
        if (m_scope & SettingsScope::Stripe)
            readStripe();
        if (m_scope & SettingsScope::Listener)
            readListener();
        return std::move(m_result);
    }

private:
    QString value(const QString &key) const { return m_sources.value(key); }

    void error(const QString &key, const QString &message)
    {
        m_result.problems.append({SettingProblem::Severity::Error, key, message});
    }
    void warning(const QString &key, const QString &message)
    {
        m_result.problems.append({SettingProblem::Severity::Warning, key, message});
    }

    void readDataDir()
    {
        QString dir = value(SettingKeys::DataDir);
        if (dir.isEmpty())
            dir = SettingsValidator::defaultDataDir();
        const QFileInfo info(dir);
        if (info.isRelative()) {
            error(SettingKeys::DataDir,
                  u"BILLING_DATA_DIR must be an absolute path (it is \"%1\")"_s.arg(dir));
            return;
        }
        if (info.exists() && !info.isDir()) {
            error(SettingKeys::DataDir, u"BILLING_DATA_DIR (%1) exists but is not a directory"_s.arg(dir));
            return;
        }
        if (info.exists() && !info.isWritable()) {
            error(SettingKeys::DataDir,
                  u"BILLING_DATA_DIR (%1) is not writable by this user; fix its owner or "
                  "permissions"_s.arg(dir));
        }
        m_result.settings.dataDir = QDir::cleanPath(dir);

        const QString keyPath = value(SettingKeys::LicenseKeyPath);
        if (!keyPath.isEmpty() && QFileInfo(keyPath).isRelative()) {
            error(SettingKeys::LicenseKeyPath,
                  u"BILLING_LICENSE_KEY_PATH must be an absolute path (it is \"%1\")"_s.arg(keyPath));
            return;
        }
        m_result.settings.licenseKeyPath =
            keyPath.isEmpty() ? QDir(dir).filePath(u"license-signing-key.pem"_s) : QDir::cleanPath(keyPath);
    }

    void readDatabase()
    {
        QString url = value(SettingKeys::Database);
        if (url.isEmpty()) {
            if (m_result.settings.dataDir.isEmpty())
                return; // already reported under BILLING_DATA_DIR
            m_result.settings.database =
                DatabaseUrl::sqliteFile(QDir(m_result.settings.dataDir).filePath(u"billing.sqlite3"_s));
            return;
        }
        Result<DatabaseUrl> parsed = DatabaseUrl::parse(url, m_result.settings.dataDir);
        if (!parsed) {
            error(SettingKeys::Database, u"BILLING_DATABASE_URL is malformed: "_s + parsed.error().message);
            return;
        }
        m_result.settings.database = std::move(parsed).value();
    }

    void readStripe()
    {
        readSecretKey();
        readPublishableKey();
        readWebhookSecrets();
        readPrices();
        readApiBase();
        readApiVersion();
        readTolerance();
        readGrace();
        readEventsPollInterval();
        readReconcileInterval();
        readDunningHook();
    }

    void readDunningHook()
    {
        const QString url = value(SettingKeys::DunningWebhookUrl);
        const QString command = value(SettingKeys::DunningCommand);
        if (!url.isEmpty() && !command.isEmpty()) {
            error(SettingKeys::DunningCommand,
                  u"set BILLING_DUNNING_WEBHOOK_URL or BILLING_DUNNING_COMMAND, not both"_s);
            return;
        }
        if (!url.isEmpty()) {
            const QUrl parsed(url, QUrl::StrictMode);
            if (!parsed.isValid() || parsed.host().isEmpty() ||
                (parsed.scheme() != u"https" && parsed.scheme() != u"http")) {
                error(SettingKeys::DunningWebhookUrl,
                      u"BILLING_DUNNING_WEBHOOK_URL must be an absolute http(s) URL"_s);
                return;
            }
            m_result.settings.dunningWebhookUrl = parsed;
            return;
        }
        if (!command.isEmpty()) {
            const QFileInfo program(command);
            if (program.isRelative() || !program.isFile() || !program.isExecutable()) {
                error(SettingKeys::DunningCommand,
                      u"BILLING_DUNNING_COMMAND (%1) must be the absolute path of an executable file"_s.arg(
                          quotableValue(command)));
                return;
            }
            m_result.settings.dunningCommand = command;
            return;
        }
        warning(SettingKeys::DunningWebhookUrl, u"no dunning hook is set (BILLING_DUNNING_WEBHOOK_URL or "
                                                u"BILLING_DUNNING_COMMAND): notices of failed "
                                                "payments are queued but not sent"_s);
    }

    void readGrace()
    {
        const QString raw = value(SettingKeys::PastDueGraceDays);
        if (raw.isEmpty())
            return;
        bool ok = false;
        const int days = raw.toInt(&ok);
        if (!ok || days < 0 || days > 60) {
            error(SettingKeys::PastDueGraceDays,
                  u"BILLING_PAST_DUE_GRACE_DAYS must be a whole number of days from 0 to 60"_s);
            return;
        }
        m_result.settings.pastDueGrace = std::chrono::seconds(qint64(days) * 24 * 3600);
    }

    // A number of seconds from 0 (off) to `most`; unset keeps the default.
    void readInterval(const QString &key, int most, const QString &problem, std::chrono::seconds &setting)
    {
        const QString raw = value(key);
        if (raw.isEmpty())
            return;
        bool ok = false;
        const int seconds = raw.toInt(&ok);
        if (!ok || seconds < 0 || seconds > most) {
            error(key, problem);
            return;
        }
        setting = std::chrono::seconds(seconds);
    }

    void readEventsPollInterval()
    {
        readInterval(SettingKeys::EventsPollInterval, 86400,
                     u"BILLING_EVENTS_POLL_INTERVAL must be 0 (off) or a number of seconds up to 86400"_s,
                     m_result.settings.eventsPollInterval);
    }

    void readReconcileInterval()
    {
        readInterval(
            SettingKeys::ReconcileInterval, 30 * 86400,
            u"BILLING_RECONCILE_INTERVAL must be 0 (off) or a number of seconds up to 2592000 (30 days)"_s,
            m_result.settings.reconcileInterval);
    }

    void readSecretKey()
    {
        const QString key = value(SettingKeys::StripeSecretKey);
        const QString name = SettingKeys::StripeSecretKey;
        if (key.isEmpty()) {
            error(name, u"STRIPE_SECRET_KEY is not set: copy the secret key (sk_test_… or "
                        "sk_live_…) from the Stripe Dashboard, Developers → API keys"_s);
            return;
        }
        if (hasWhitespace(key)) {
            error(name, u"STRIPE_SECRET_KEY contains spaces or line breaks; copy the key again "
                        "without them"_s);
            return;
        }
        if (key.startsWith(u"pk_")) {
            error(name, u"STRIPE_SECRET_KEY holds a publishable key (pk_…); the secret key starts "
                        "with sk_ (or rk_ for a restricted key)"_s);
            return;
        }
        if (key.startsWith(u"whsec_")) {
            error(name, u"STRIPE_SECRET_KEY holds a webhook signing secret (whsec_…); that belongs "
                        "in STRIPE_WEBHOOK_SECRET"_s);
            return;
        }
        static const QRegularExpression pattern(u"^(sk|rk)_(test|live)_[0-9A-Za-z]+$"_s);
        if (!pattern.match(key).hasMatch()) {
            error(name, u"STRIPE_SECRET_KEY is not a Stripe secret key: expected sk_test_…, "
                        "sk_live_…, rk_test_… or rk_live_…"_s);
            return;
        }
        m_result.settings.stripeSecretKey = key;
    }

    void readPublishableKey()
    {
        const QString key = value(SettingKeys::StripePublishableKey);
        const QString name = SettingKeys::StripePublishableKey;
        if (key.isEmpty())
            return; // only the web front end needs it
        if (key.startsWith(u"sk_") || key.startsWith(u"rk_")) {
            error(name, u"STRIPE_PUBLISHABLE_KEY holds a secret key. Publishable keys are shown to "
                        "browsers: put the pk_… key here, and roll the secret key in the Stripe "
                        "Dashboard if it has been exposed"_s);
            return;
        }
        static const QRegularExpression pattern(u"^pk_(test|live)_[0-9A-Za-z]+$"_s);
        if (!pattern.match(key).hasMatch()) {
            error(name, u"STRIPE_PUBLISHABLE_KEY is not a Stripe publishable key: expected "
                        "pk_test_… or pk_live_…"_s);
            return;
        }
        m_result.settings.stripePublishableKey = key;

        const StripeMode secretMode = m_result.settings.mode();
        const StripeMode publishableMode = key.startsWith(u"pk_live_") ? StripeMode::Live : StripeMode::Test;
        if (secretMode != StripeMode::Unknown && secretMode != publishableMode) {
            error(name,
                  u"STRIPE_SECRET_KEY is a %1-mode key but STRIPE_PUBLISHABLE_KEY is a "
                  "%2-mode key: use both keys from the same mode (test or live) of the "
                  "same Stripe account"_s.arg(stripeModeName(secretMode), stripeModeName(publishableMode)));
        }
    }

    void readWebhookSecrets()
    {
        const QString name = SettingKeys::StripeWebhookSecret;
        const QString raw = value(name);
        if (raw.isEmpty()) {
            error(name, u"STRIPE_WEBHOOK_SECRET is not set: copy the signing secret (whsec_…) of "
                        "this endpoint from the Stripe Dashboard (Developers → Webhooks) or from "
                        "the output of `stripe listen`"_s);
            return;
        }
        QStringList secrets;
        const QStringList parts = raw.split(u',');
        for (qsizetype i = 0; i < parts.size(); ++i) {
            const QString secret = parts[i].trimmed();
            const QString which = parts.size() > 1 ? u"entry %1 of STRIPE_WEBHOOK_SECRET"_s.arg(i + 1)
                                                   : u"STRIPE_WEBHOOK_SECRET"_s;
            if (secret.isEmpty()) {
                error(name, u"%1 is empty; separate several secrets with single commas"_s.arg(which));
                return;
            }
            if (secret.startsWith(u"sk_") || secret.startsWith(u"rk_") || secret.startsWith(u"pk_")) {
                error(name, u"%1 holds an API key, not a webhook signing secret (whsec_…)"_s.arg(which));
                return;
            }
            static const QRegularExpression pattern(u"^whsec_[0-9A-Za-z+/=]+$"_s);
            if (!pattern.match(secret).hasMatch()) {
                // Say what is wrong with it, without showing the secret.
                QString problem = u"it must start with whsec_"_s;
                if (secret.startsWith(u"whsec_") && secret.size() == 6) {
                    problem = u"nothing follows whsec_"_s;
                } else if (secret.startsWith(u"whsec_")) {
                    static const QRegularExpression allowed(u"[0-9A-Za-z+/=]"_s);
                    qsizetype at = 6;
                    while (at < secret.size() && allowed.match(secret.mid(at, 1)).hasMatch())
                        ++at;
                    const QChar found = secret.at(at);
                    const QString shown = found.isSpace()          ? u"a space"_s
                                          : found.unicode() < 0x20 ? u"a control character"_s
                                                                   : u"'%1'"_s.arg(found);
                    problem =
                        u"after whsec_ only letters, digits, +, / and = belong, and character %1 is %2"_s
                            .arg(at + 1)
                            .arg(shown);
                }
                error(name,
                      u"%1 is not a webhook signing secret: %2. Copy it from the webhook endpoint in the "
                      "Stripe Dashboard or from `stripe listen`"_s.arg(which, problem));
                return;
            }
            if (secrets.contains(secret))
                warning(name, u"%1 repeats an earlier secret"_s.arg(which));
            else
                secrets << secret;
        }
        m_result.settings.stripeWebhookSecrets = secrets;
    }

    void readPrices()
    {
        PlanPrices &prices = m_result.settings.prices;
        prices.solo = readPrice(SettingKeys::StripePriceSolo, u"Solo"_s);
        prices.team = readPrice(SettingKeys::StripePriceTeam, u"Team"_s);
        prices.enterprise = readPrice(SettingKeys::StripePriceEnterprise, u"Enterprise"_s);

        const QList<std::pair<QString, QString>> all = {
            {SettingKeys::StripePriceSolo, prices.solo},
            {SettingKeys::StripePriceTeam, prices.team},
            {SettingKeys::StripePriceEnterprise, prices.enterprise},
        };
        for (qsizetype i = 0; i < all.size(); ++i) {
            for (qsizetype j = i + 1; j < all.size(); ++j) {
                if (!all[i].second.isEmpty() && all[i].second == all[j].second) {
                    warning(all[j].first, u"%1 and %2 name the same price (%3), so both plans sell "
                                          "the same thing"_s.arg(all[i].first, all[j].first, all[i].second));
                }
            }
        }
    }

    QString readPrice(const QString &name, const QString &plan)
    {
        const QString price = value(name);
        if (price.isEmpty()) {
            error(name, u"%1 is not set: create the %2 plan's recurring price in the Stripe "
                        "Dashboard and copy its Price id (price_…)"_s.arg(name, plan));
            return {};
        }
        if (price.startsWith(u"prod_")) {
            error(name, u"%1 is a Product id (%2), but a Price id (price_…) is expected: in the "
                        "Stripe Dashboard open the product and copy the id of its price"_s.arg(name, price));
            return {};
        }
        static const QRegularExpression pattern(u"^price_[0-9A-Za-z_]+$"_s);
        if (!pattern.match(price).hasMatch()) {
            error(name, u"%1 (\"%2\") is not a Price id; a Price id (price_…) is expected"_s.arg(
                            name, quotableValue(price, 60)));
            return {};
        }
        return price;
    }

    void readApiBase()
    {
        const QString name = SettingKeys::StripeApiBase;
        QString raw = value(name);
        if (raw.isEmpty())
            raw = kDefaultStripeApiBase;
        const QUrl url(raw, QUrl::StrictMode);
        const QString scheme = url.scheme();
        if (!url.isValid() || url.isRelative() || url.host().isEmpty() ||
            (scheme != u"https" && scheme != u"http")) {
            error(name, u"STRIPE_API_BASE must be an absolute URL such as https://api.stripe.com"_s);
            return;
        }
        if (url.hasQuery() || url.hasFragment() || (url.path() != u"" && url.path() != u"/")) {
            error(name, u"STRIPE_API_BASE must be only scheme, host and port, such as "
                        "https://api.stripe.com (the /v1/… paths are added by the client)"_s);
            return;
        }
        const QHostAddress host(url.host());
        const bool loopback = url.host() == u"localhost" || host.isLoopback();
        if (scheme == u"http" && !loopback) {
            error(name, u"STRIPE_API_BASE uses plain http to %1; the secret key would cross the "
                        "network unencrypted. Use https (http is allowed only for a local "
                        "emulator on 127.0.0.1)"_s.arg(url.host()));
            return;
        }
        QUrl normalized = url;
        normalized.setPath(QString());
        m_result.settings.stripeApiBase = normalized;
        if (m_result.settings.mode() == StripeMode::Live && url.host() != u"api.stripe.com") {
            warning(name, u"a live-mode key is configured but STRIPE_API_BASE points at %1, not "
                          "api.stripe.com"_s.arg(url.host()));
        }
    }

    void readApiVersion()
    {
        const QString name = SettingKeys::StripeApiVersion;
        QString version = value(name);
        if (version.isEmpty())
            version = kDefaultStripeApiVersion;
        static const QRegularExpression pattern(u"^\\d{4}-\\d{2}-\\d{2}(\\.[a-z]+)?$"_s);
        if (!pattern.match(version).hasMatch()) {
            error(name, u"STRIPE_API_VERSION (\"%1\") is not a Stripe API version such as %2"_s.arg(
                            quotableValue(version, 40), kDefaultStripeApiVersion));
            return;
        }
        m_result.settings.stripeApiVersion = version;
    }

    void readTolerance()
    {
        const QString name = SettingKeys::StripeWebhookTolerance;
        const QString raw = value(name);
        if (raw.isEmpty()) {
            m_result.settings.webhookTolerance = kDefaultWebhookTolerance;
            return;
        }
        bool ok = false;
        const int seconds = raw.toInt(&ok);
        if (!ok || seconds < 1 || seconds > kMaxWebhookToleranceSeconds) {
            error(name, u"STRIPE_WEBHOOK_TOLERANCE must be a whole number of seconds from 1 to %1 "
                        "(Stripe's libraries use 300)"_s.arg(kMaxWebhookToleranceSeconds));
            return;
        }
        m_result.settings.webhookTolerance = std::chrono::seconds(seconds);
    }

    void readApiAccess()
    {
        const QString token = value(SettingKeys::ApiToken);
        if (token.isEmpty()) {
            error(SettingKeys::ApiToken, u"BILLING_API_TOKEN is not set: the payment endpoints need a token "
                                         "their callers present; generate one with `openssl rand -hex 32`"_s);
        } else if (hasWhitespace(token) || token.size() < kMinimumApiTokenLength) {
            error(SettingKeys::ApiToken,
                  u"BILLING_API_TOKEN must be at least %1 characters without spaces; "
                  "generate one with `openssl rand -hex 32`"_s.arg(kMinimumApiTokenLength));
        } else {
            m_result.settings.apiToken = token;
        }

        const QString hosts = value(SettingKeys::AllowedRedirectHosts);
        if (hosts.isEmpty()) {
            error(
                SettingKeys::AllowedRedirectHosts,
                u"BILLING_ALLOWED_REDIRECT_HOSTS is not set: list the hosts that success_url, cancel_url and "
                "return_url may point at, comma-separated (e.g. app.agencyos.network)"_s);
            return;
        }
        static const QRegularExpression hostPattern(
            u"^(\\*\\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"_s);
        QStringList allowed;
        for (const QString &entry : hosts.split(u',')) {
            const QString host = entry.trimmed().toLower();
            if (!hostPattern.match(host).hasMatch()) {
                error(SettingKeys::AllowedRedirectHosts,
                      u"BILLING_ALLOWED_REDIRECT_HOSTS entry \"%1\" is not a host name: give names only, "
                      u"such as "
                      "app.agencyos.network or *.agencyos.network (no scheme, port or path)"_s.arg(
                          quotableValue(entry.trimmed(), 80)));
                return;
            }
            allowed << host;
        }
        m_result.settings.allowedRedirectHosts = allowed;

        const QString portalReturn = value(SettingKeys::PortalReturnUrl);
        if (!portalReturn.isEmpty()) {
            if (const QString problem = RedirectAllowList(allowed).check(portalReturn); !problem.isEmpty()) {
                error(SettingKeys::PortalReturnUrl, u"BILLING_PORTAL_RETURN_URL "_s + problem);
                return;
            }
            m_result.settings.portalReturnUrl = portalReturn;
        }
    }

    void readListener()
    {
        readApiAccess();
        const QString addressText = value(SettingKeys::ListenAddress);
        if (!addressText.isEmpty()) {
            QHostAddress address;
            if (addressText == u"localhost")
                address = QHostAddress(QHostAddress::LocalHost);
            else
                address = QHostAddress(addressText);
            if (address.isNull()) {
                error(SettingKeys::ListenAddress,
                      u"BILLING_LISTEN_ADDRESS (\"%1\") is not an IP address; use 127.0.0.1 to "
                      "serve this machine only, or the address of one interface"_s.arg(
                          quotableValue(addressText, 60)));
            } else {
                m_result.settings.listenAddress = address;
                if (!address.isLoopback()) {
                    warning(SettingKeys::ListenAddress,
                            u"the service will accept connections from other machines on %1; "
                            "put it behind TLS (Stripe delivers webhooks only over HTTPS)"_s.arg(
                                address.toString()));
                }
            }
        }

        readTls();

        const QString portText = value(SettingKeys::Port);
        if (!portText.isEmpty()) {
            bool ok = false;
            const int port = portText.toInt(&ok);
            if (!ok || port < 1 || port > 65535) {
                error(SettingKeys::Port, u"BILLING_PORT (\"%1\") must be a port number from 1 to 65535"_s.arg(
                                             quotableValue(portText, 20)));
            } else {
                m_result.settings.port = quint16(port);
            }
        }
    }

    void readTls()
    {
        const QString certificate = value(SettingKeys::TlsCertificateFile);
        const QString key = value(SettingKeys::TlsKeyFile);
        if (certificate.isEmpty() && key.isEmpty())
            return;
        if (certificate.isEmpty() || key.isEmpty()) {
            error(certificate.isEmpty() ? SettingKeys::TlsKeyFile : SettingKeys::TlsCertificateFile,
                  u"set both BILLING_TLS_CERT_FILE and BILLING_TLS_KEY_FILE to serve HTTPS, or neither"_s);
            return;
        }
        QFile certificateFile(certificate);
        if (!certificateFile.open(QIODevice::ReadOnly) ||
            QSslCertificate::fromData(certificateFile.readAll(), QSsl::Pem).isEmpty()) {
            error(SettingKeys::TlsCertificateFile,
                  u"BILLING_TLS_CERT_FILE (%1) is not a readable PEM certificate"_s.arg(
                      quotableValue(certificate)));
            return;
        }
        QFile keyFile(key);
        if (!keyFile.open(QIODevice::ReadOnly)) {
            error(SettingKeys::TlsKeyFile,
                  u"BILLING_TLS_KEY_FILE (%1) cannot be read"_s.arg(quotableValue(key)));
            return;
        }
        const QByteArray pem = keyFile.readAll();
        bool parsed = false;
        for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec})
            parsed = parsed || !QSslKey(pem, algorithm, QSsl::Pem).isNull();
        if (!parsed) {
            // The message names the file only: its content is a secret.
            error(SettingKeys::TlsKeyFile,
                  u"BILLING_TLS_KEY_FILE (%1) is not an unencrypted PEM RSA or EC private key"_s.arg(
                      quotableValue(key)));
            return;
        }
        m_result.settings.tlsCertificateFile = certificate;
        m_result.settings.tlsKeyFile = key;
    }

    const SettingsSources &m_sources;
    SettingsScopes m_scope;
    ValidatedSettings m_result;
};

QList<SettingProblem> filtered(const QList<SettingProblem> &problems, SettingProblem::Severity severity)
{
    QList<SettingProblem> result;
    std::copy_if(problems.cbegin(), problems.cend(), std::back_inserter(result),
                 [severity](const SettingProblem &problem) { return problem.severity == severity; });
    return result;
}

} // namespace

bool ValidatedSettings::hasErrors() const
{
    return std::any_of(problems.cbegin(), problems.cend(), [](const SettingProblem &problem) {
        return problem.severity == SettingProblem::Severity::Error;
    });
}

QList<SettingProblem> ValidatedSettings::errors() const
{
    return filtered(problems, SettingProblem::Severity::Error);
}

QList<SettingProblem> ValidatedSettings::warnings() const
{
    return filtered(problems, SettingProblem::Severity::Warning);
}

ValidatedSettings SettingsValidator::validate(const SettingsSources &sources, SettingsScopes scope)
{
    return Validation(sources, scope).run();
}

QString SettingsValidator::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/agencyos-billing"_s;
}

} // namespace billing
