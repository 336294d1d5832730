#include "config/SecretMask.h"
#include "config/SettingKeys.h"
#include "config/SettingsValidator.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace billing;

using Values = QHash<QString, QString>;

namespace {

const QString kSecretKey = u"sk_test_51RecognisableSecretKeyValue0000000000"_s;
const QString kWebhookSecret = u"whsec_Recognisable/WebhookSecret0000"_s;

// A complete, valid test-mode configuration; each case changes one thing.
Values validValues()
{
    return {
        {SettingKeys::StripeSecretKey, kSecretKey},
        {SettingKeys::StripePublishableKey, u"pk_test_51PublishableKeyValue"_s},
        {SettingKeys::StripeWebhookSecret, kWebhookSecret},
        {SettingKeys::StripePriceSolo, u"price_1Solo"_s},
        {SettingKeys::StripePriceTeam, u"price_1Team"_s},
        {SettingKeys::StripePriceEnterprise, u"price_1Enterprise"_s},
        {SettingKeys::DataDir, QDir::tempPath() + u"/agencyos-billing-settings-test"_s},
        {SettingKeys::ApiToken, u"api-token-0123456789abcdef0123456789abcdef"_s},
        {SettingKeys::AllowedRedirectHosts, u"app.agencyos.network, *.agencyos.test"_s},
        {SettingKeys::DunningWebhookUrl, u"https://hooks.agencyos.test/dunning"_s},
    };
}

ValidatedSettings validate(const Values &values, SettingsScopes scope = SettingsScope::All)
{
    return SettingsValidator::validate(SettingsSources::fromValues(values), scope);
}

QString describe(const QList<SettingProblem> &problems)
{
    QStringList lines;
    for (const SettingProblem &problem : problems)
        lines << problem.key + u": "_s + problem.message;
    return lines.join(u'\n');
}

} // namespace

Q_DECLARE_METATYPE(SettingProblem::Severity)

class TestSettingsValidator final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acceptsValidConfiguration();
    void appliesDefaults();
    void reportsProblem_data();
    void reportsProblem();
    void acceptsAlternatives_data();
    void acceptsAlternatives();
    void parsesRotatedWebhookSecrets();
    void dataDirMustBeADirectory();
    void databaseScopeIgnoresStripeSettings();
    void messagesNeverContainSecrets();
    void environmentWinsOverEnvFile();
    void emptyEnvironmentVariableDoesNotHideFile();
    void unreadableEnvFileIsAnError();
    void warnsAboutEnvFileReadableByOthers();
    void warnsAboutUnknownSettingInEnvFile();
    void masksSecrets_data();
    void masksSecrets();
};

void TestSettingsValidator::acceptsValidConfiguration()
{
    const ValidatedSettings result = validate(validValues());
    QVERIFY2(!result.hasErrors(), qPrintable(describe(result.problems)));
    QCOMPARE(result.settings.mode(), StripeMode::Test);
    QCOMPARE(result.settings.prices.solo, u"price_1Solo"_s);
    QCOMPARE(result.settings.prices.team, u"price_1Team"_s);
    QCOMPARE(result.settings.prices.enterprise, u"price_1Enterprise"_s);
    QCOMPARE(result.settings.stripeWebhookSecrets, QStringList{kWebhookSecret});
}

void TestSettingsValidator::appliesDefaults()
{
    const Values values = validValues();
    const ValidatedSettings result = validate(values);
    QVERIFY(!result.hasErrors());
    const Settings &settings = result.settings;
    QCOMPARE(settings.port, quint16(8787));
    QCOMPARE(settings.listenAddress, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(settings.stripeApiBase, QUrl(u"https://api.stripe.com"_s));
    QCOMPARE(settings.stripeApiVersion, kDefaultStripeApiVersion);
    QCOMPARE(settings.webhookTolerance, std::chrono::seconds(300));
    QCOMPARE(settings.database.dialect(), SqlDialect::Sqlite);
    QCOMPARE(settings.database.sqlitePath(), values.value(SettingKeys::DataDir) + u"/billing.sqlite3"_s);
}

void TestSettingsValidator::reportsProblem_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value"); // empty: remove the setting
    QTest::addColumn<SettingProblem::Severity>("severity");
    QTest::addColumn<QString>("expectedMessage");

    const auto error = SettingProblem::Severity::Error;
    const auto warning = SettingProblem::Severity::Warning;
    using namespace SettingKeys;

    // Prices: the seed's "Price Not Found" caught before Stripe is called.
    QTest::newRow("product id for solo")
        << StripePriceSolo << u"prod_123"_s << error
        << u"STRIPE_PRICE_SOLO is a Product id (prod_123), but a Price id (price_…) is expected"_s;
    QTest::newRow("product id for team")
        << StripePriceTeam << u"prod_ABC"_s << error << u"STRIPE_PRICE_TEAM is a Product id"_s;
    QTest::newRow("garbage price")
        << StripePriceEnterprise << u"enterprise"_s << error
        << u"STRIPE_PRICE_ENTERPRISE (\"enterprise\") is not a Price id; a Price id (price_…) is expected"_s;
    QTest::newRow("missing price") << StripePriceEnterprise << QString() << error
                                   << u"STRIPE_PRICE_ENTERPRISE is not set"_s;
    QTest::newRow("same price twice")
        << StripePriceTeam << u"price_1Solo"_s << warning << u"name the same price (price_1Solo)"_s;

    // Secret key.
    QTest::newRow("missing secret key")
        << StripeSecretKey << QString() << error << u"STRIPE_SECRET_KEY is not set"_s;
    QTest::newRow("publishable as secret")
        << StripeSecretKey << u"pk_test_abc123"_s << error << u"STRIPE_SECRET_KEY holds a publishable key"_s;
    QTest::newRow("webhook secret as secret key")
        << StripeSecretKey << u"whsec_abc"_s << error << u"belongs in STRIPE_WEBHOOK_SECRET"_s;
    QTest::newRow("secret key with space")
        << StripeSecretKey << u"sk_test_abc def"_s << error << u"contains spaces or line breaks"_s;
    QTest::newRow("not a key") << StripeSecretKey << u"secret"_s << error
                               << u"STRIPE_SECRET_KEY is not a Stripe secret key"_s;

    // Publishable key and the live/test mix-up (the seed's "Customer Not Found").
    QTest::newRow("secret as publishable") << StripePublishableKey << u"sk_test_abc"_s << error
                                           << u"STRIPE_PUBLISHABLE_KEY holds a secret key"_s;
    QTest::newRow("bad publishable") << StripePublishableKey << u"pk_abc"_s << error
                                     << u"not a Stripe publishable key"_s;
    QTest::newRow("test secret, live publishable")
        << StripePublishableKey << u"pk_live_abc"_s << error
        << u"STRIPE_SECRET_KEY is a test-mode key but STRIPE_PUBLISHABLE_KEY is a live-mode key"_s;

    // Webhook secret: the seed's "Webhook Signature Error" when it is the wrong kind of value.
    QTest::newRow("missing webhook secret")
        << StripeWebhookSecret << QString() << error << u"STRIPE_WEBHOOK_SECRET is not set"_s;
    QTest::newRow("webhook secret not whsec")
        << StripeWebhookSecret << u"abc123"_s << error
        << u"STRIPE_WEBHOOK_SECRET is not a webhook signing secret: it must start with whsec_"_s;
    QTest::newRow("underscore in webhook secret")
        << StripeWebhookSecret << u"whsec_abc_def"_s << error
        << u"STRIPE_WEBHOOK_SECRET is not a webhook signing secret: after whsec_ only letters, digits, +, / "
           "and = belong, and character 10 is '_'"_s;
    QTest::newRow("space in webhook secret")
        << StripeWebhookSecret << u"whsec_abc def"_s << error << u"and character 10 is a space"_s;
    QTest::newRow("webhook secret with nothing after whsec_")
        << StripeWebhookSecret << u"whsec_"_s << error << u"nothing follows whsec_"_s;
    QTest::newRow("api key as webhook secret") << StripeWebhookSecret << u"sk_test_abc"_s << error
                                               << u"holds an API key, not a webhook signing secret"_s;
    QTest::newRow("empty rotated entry") << StripeWebhookSecret << u"whsec_a,,whsec_b"_s << error
                                         << u"entry 2 of STRIPE_WEBHOOK_SECRET is empty"_s;
    QTest::newRow("bad rotated entry")
        << StripeWebhookSecret << u"whsec_a,oops"_s << error
        << u"entry 2 of STRIPE_WEBHOOK_SECRET is not a webhook signing secret"_s;
    QTest::newRow("repeated rotated entry")
        << StripeWebhookSecret << u"whsec_a,whsec_a"_s << warning
        << u"entry 2 of STRIPE_WEBHOOK_SECRET repeats an earlier secret"_s;

    // Database URL.
    QTest::newRow("unknown scheme")
        << Database << u"mysql://localhost/db"_s << error
        << u"BILLING_DATABASE_URL is malformed: unsupported database URL scheme \"mysql\""_s;
    QTest::newRow("no scheme") << Database << u"/var/lib/billing.db"_s << error
                               << u"unsupported database URL scheme \"(none)\""_s;
    QTest::newRow("postgres without database")
        << Database << u"postgresql://user@localhost"_s << error << u"must end with /<database name>"_s;
    QTest::newRow("postgres bad port")
        << Database << u"postgresql://u@h:99999/db"_s << error << u"BILLING_DATABASE_URL is malformed"_s;
    QTest::newRow("postgres no host") << Database << u"postgresql:///db"_s << error << u"names no host"_s;
    QTest::newRow("postgres unknown parameter") << Database << u"postgresql://h/db?sslmod=require"_s << error
                                                << u"unknown PostgreSQL URL parameter \"sslmod\""_s;
    QTest::newRow("sqlite with host")
        << Database << u"sqlite://host/file.db"_s << error << u"an SQLite URL has no host part"_s;
    QTest::newRow("sqlite without file")
        << Database << u"sqlite:"_s << error << u"the SQLite URL names no file"_s;

    // Listener.
    QTest::newRow("port zero") << Port << u"0"_s << error << u"BILLING_PORT (\"0\") must be a port number"_s;
    QTest::newRow("port too big") << Port << u"70000"_s << error
                                  << u"must be a port number from 1 to 65535"_s;
    QTest::newRow("port not a number") << Port << u"http"_s << error << u"BILLING_PORT (\"http\")"_s;
    QTest::newRow("listen hostname") << ListenAddress << u"example.com"_s << error
                                     << u"BILLING_LISTEN_ADDRESS (\"example.com\") is not an IP address"_s;
    QTest::newRow("listen everywhere")
        << ListenAddress << u"0.0.0.0"_s << warning << u"accept connections from other machines"_s;

    // Stripe API settings.
    QTest::newRow("api base not a url")
        << StripeApiBase << u"api.stripe.com"_s << error << u"STRIPE_API_BASE must be an absolute URL"_s;
    QTest::newRow("api base ftp") << StripeApiBase << u"ftp://api.stripe.com"_s << error
                                  << u"STRIPE_API_BASE must be an absolute URL"_s;
    QTest::newRow("api base plain http remote")
        << StripeApiBase << u"http://api.stripe.com"_s << error << u"uses plain http to api.stripe.com"_s;
    QTest::newRow("api base with path") << StripeApiBase << u"https://api.stripe.com/v1"_s << error
                                        << u"must be only scheme, host and port"_s;
    QTest::newRow("api version word") << StripeApiVersion << u"latest"_s << error
                                      << u"STRIPE_API_VERSION (\"latest\") is not a Stripe API version"_s;
    QTest::newRow("tolerance zero")
        << StripeWebhookTolerance << u"0"_s << error
        << u"STRIPE_WEBHOOK_TOLERANCE must be a whole number of seconds from 1 to 3600"_s;
    QTest::newRow("tolerance too big")
        << StripeWebhookTolerance << u"86400"_s << error << u"STRIPE_WEBHOOK_TOLERANCE must be"_s;
    QTest::newRow("tolerance text") << StripeWebhookTolerance << u"5m"_s << error
                                    << u"STRIPE_WEBHOOK_TOLERANCE must be"_s;

    QTest::newRow("events poll negative")
        << EventsPollInterval << u"-1"_s << error
        << u"BILLING_EVENTS_POLL_INTERVAL must be 0 (off) or a number of seconds up to 86400"_s;
    QTest::newRow("events poll text")
        << EventsPollInterval << u"5m"_s << error << u"BILLING_EVENTS_POLL_INTERVAL must be"_s;
    QTest::newRow("reconcile interval negative")
        << ReconcileInterval << u"-1"_s << error
        << u"BILLING_RECONCILE_INTERVAL must be 0 (off) or a number of seconds up to 2592000 (30 days)"_s;
    QTest::newRow("reconcile interval too long")
        << ReconcileInterval << u"2592001"_s << error << u"BILLING_RECONCILE_INTERVAL must be"_s;
    QTest::newRow("reconcile interval text")
        << ReconcileInterval << u"1d"_s << error << u"BILLING_RECONCILE_INTERVAL must be"_s;

    // API access.
    QTest::newRow("missing api token") << ApiToken << QString() << error << u"BILLING_API_TOKEN is not set"_s;
    QTest::newRow("short api token") << ApiToken << u"short"_s << error
                                     << u"must be at least 32 characters"_s;
    QTest::newRow("missing redirect hosts")
        << AllowedRedirectHosts << QString() << error << u"BILLING_ALLOWED_REDIRECT_HOSTS is not set"_s;
    QTest::newRow("redirect host with scheme")
        << AllowedRedirectHosts << u"https://app.agencyos.network"_s << error
        << u"entry \"https://app.agencyos.network\" is not a host name"_s;
    QTest::newRow("redirect host with path")
        << AllowedRedirectHosts << u"app.test/x"_s << error << u"is not a host name"_s;

    // Dunning hook.
    QTest::newRow("dunning url not a url")
        << DunningWebhookUrl << u"hooks.agencyos.test"_s << error
        << u"BILLING_DUNNING_WEBHOOK_URL must be an absolute http(s) URL"_s;
    QTest::newRow("dunning url and command") << DunningCommand << u"/bin/true"_s << error << u"not both"_s;
    QTest::newRow("no dunning hook") << DunningWebhookUrl << QString() << warning
                                     << u"notices of failed payments are queued but not sent"_s;

    // TLS: both or neither, and files that hold what they should.
    QTest::newRow("tls certificate without key")
        << TlsCertificateFile << QStringLiteral(BILLING_SOURCE_DIR "/README.md") << error
        << u"set both BILLING_TLS_CERT_FILE and BILLING_TLS_KEY_FILE"_s;
    QTest::newRow("tls key without certificate")
        << TlsKeyFile << QStringLiteral(BILLING_SOURCE_DIR "/README.md") << error
        << u"set both BILLING_TLS_CERT_FILE and BILLING_TLS_KEY_FILE"_s;

    // Data directory.
    QTest::newRow("relative data dir")
        << DataDir << u"data"_s << error << u"BILLING_DATA_DIR must be an absolute path"_s;
}

void TestSettingsValidator::reportsProblem()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(SettingProblem::Severity, severity);
    QFETCH(QString, expectedMessage);

    Values values = validValues();
    if (value.isEmpty())
        values.remove(key);
    else
        values.insert(key, value);
    const ValidatedSettings result = validate(values);

    const auto match =
        std::find_if(result.problems.cbegin(), result.problems.cend(), [&](const SettingProblem &problem) {
            return problem.key == key && problem.severity == severity &&
                   problem.message.contains(expectedMessage);
        });
    QVERIFY2(match != result.problems.cend(), qPrintable(u"got:\n"_s + describe(result.problems)));
    // Exactly the broken setting is reported, nothing else.
    for (const SettingProblem &problem : result.problems)
        QCOMPARE(problem.key, key);
    QCOMPARE(result.hasErrors(), severity == SettingProblem::Severity::Error);
}

void TestSettingsValidator::acceptsAlternatives_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");

    using namespace SettingKeys;
    QTest::newRow("restricted key") << StripeSecretKey << u"rk_test_51abc"_s;
    QTest::newRow("price id with underscores") << StripePriceSolo << u"price_demo_solo"_s;
    QTest::newRow("no publishable key") << StripePublishableKey << QString();
    QTest::newRow("emulator on loopback over http") << StripeApiBase << u"http://127.0.0.1:12111"_s;
    QTest::newRow("api base trailing slash") << StripeApiBase << u"https://api.stripe.com/"_s;
    QTest::newRow("dated api version") << StripeApiVersion << u"2024-06-20"_s;
    QTest::newRow("postgres url")
        << Database << u"postgresql://billing:p%40ss@db.internal:6432/billing?sslmode=require"_s;
    QTest::newRow("postgres short scheme") << Database << u"postgres://db/billing"_s;
    QTest::newRow("sqlite absolute") << Database << u"sqlite:///var/lib/agencyos-billing/b.sqlite3"_s;
    QTest::newRow("sqlite relative") << Database << u"sqlite:billing.sqlite3"_s;
    QTest::newRow("ipv6 loopback") << ListenAddress << u"::1"_s;
    QTest::newRow("localhost") << ListenAddress << u"localhost"_s;
    QTest::newRow("custom port") << Port << u"9000"_s;
    QTest::newRow("tolerance") << StripeWebhookTolerance << u"600"_s;
}

void TestSettingsValidator::acceptsAlternatives()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    Values values = validValues();
    values.insert(key, value);
    const ValidatedSettings result = validate(values);
    QVERIFY2(result.problems.isEmpty(), qPrintable(describe(result.problems)));
}

void TestSettingsValidator::parsesRotatedWebhookSecrets()
{
    Values values = validValues();
    values.insert(SettingKeys::StripeWebhookSecret, u"whsec_old , whsec_new"_s);
    const ValidatedSettings result = validate(values);
    QVERIFY2(!result.hasErrors(), qPrintable(describe(result.problems)));
    QCOMPARE(result.settings.stripeWebhookSecrets, (QStringList{u"whsec_old"_s, u"whsec_new"_s}));
}

void TestSettingsValidator::dataDirMustBeADirectory()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(u"not-a-directory"_s);
    QFile created(file);
    QVERIFY(created.open(QIODevice::WriteOnly));
    created.close();
    Values values = validValues();
    values.insert(SettingKeys::DataDir, file);
    const ValidatedSettings result = validate(values);
    QCOMPARE(result.errors().size(), 1);
    QCOMPARE(result.errors().constFirst().key, SettingKeys::DataDir);
    QCOMPARE(result.errors().constFirst().message,
             u"BILLING_DATA_DIR (%1) exists but is not a directory"_s.arg(file));
}

void TestSettingsValidator::databaseScopeIgnoresStripeSettings()
{
    const Values values{{SettingKeys::DataDir, QDir::tempPath()},
                        {SettingKeys::StripePriceSolo, u"prod_123"_s}};
    QVERIFY(!validate(values, SettingsScope::Database).hasErrors());
    QVERIFY(validate(values, SettingsScope::All).hasErrors());

    const Values badDatabase{{SettingKeys::DataDir, QDir::tempPath()},
                             {SettingKeys::Database, u"mysql://x/y"_s}};
    QVERIFY(validate(badDatabase, SettingsScope::Database).hasErrors());
}

void TestSettingsValidator::messagesNeverContainSecrets()
{
    // Every secret in a wrong slot, so that every message about them is produced.
    const QString livePublishable = u"pk_live_51RecognisablePublishable"_s;
    const Values values{
        {SettingKeys::StripeSecretKey, kSecretKey},
        {SettingKeys::StripePublishableKey, livePublishable},
        {SettingKeys::StripeWebhookSecret, kWebhookSecret + u",sk_test_RecognisableSecondKey000"_s},
        {SettingKeys::Database, u"postgresql://u:RecognisablePassword@h:99999/db"_s},
        {SettingKeys::StripePriceSolo, u"sk_live_FAKE-RecognisableLiveKeyAsPrice"_s},
        {SettingKeys::Port, u"whsec_Recognisable/SecretAsPort"_s},
        {SettingKeys::DataDir, QDir::tempPath()},
    };
    const ValidatedSettings result = validate(values);
    QVERIFY(result.hasErrors());
    for (const SettingProblem &problem : result.problems) {
        QVERIFY2(!problem.message.contains(u"Recognisable"_s), qPrintable(problem.message));
    }
}

void TestSettingsValidator::environmentWinsOverEnvFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"billing.env"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("STRIPE_PRICE_SOLO=price_fromFile\nSTRIPE_PRICE_TEAM=price_teamFromFile\n");
    file.close();
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);

    QProcessEnvironment environment;
    environment.insert(u"STRIPE_PRICE_SOLO"_s, u"price_fromEnvironment"_s);
    const Result<SettingsSources> sources = SettingsSources::load(environment, path);
    QVERIFY(sources.ok());
    QCOMPARE(sources->value(SettingKeys::StripePriceSolo), u"price_fromEnvironment"_s);
    QCOMPARE(sources->origin(SettingKeys::StripePriceSolo), SettingsSources::Origin::Environment);
    QCOMPARE(sources->value(SettingKeys::StripePriceTeam), u"price_teamFromFile"_s);
    QCOMPARE(sources->origin(SettingKeys::StripePriceTeam), SettingsSources::Origin::EnvFile);
    QCOMPARE(sources->envFilePath(), QFileInfo(path).absoluteFilePath());
    QVERIFY(sources->warnings().isEmpty());
}

void TestSettingsValidator::emptyEnvironmentVariableDoesNotHideFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"billing.env"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("STRIPE_PRICE_SOLO=price_fromFile\n");
    file.close();

    QProcessEnvironment environment;
    environment.insert(u"STRIPE_PRICE_SOLO"_s, QString());
    const Result<SettingsSources> sources = SettingsSources::load(environment, path);
    QVERIFY(sources.ok());
    QCOMPARE(sources->value(SettingKeys::StripePriceSolo), u"price_fromFile"_s);
}

void TestSettingsValidator::unreadableEnvFileIsAnError()
{
    QTemporaryDir dir;
    const Result<SettingsSources> missing =
        SettingsSources::load(QProcessEnvironment(), dir.filePath(u"missing.env"_s));
    QVERIFY(!missing.ok());
    QVERIFY2(missing.error().message.contains(u"cannot use the .env file"_s),
             qPrintable(missing.error().message));
    QVERIFY(missing.error().message.contains(u"missing.env does not exist"_s));

    const QString malformed = dir.filePath(u"bad.env"_s);
    QFile file(malformed);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("STRIPE_PRICE_SOLO=price_1\nthis is not a setting\n");
    file.close();
    const Result<SettingsSources> bad = SettingsSources::load(QProcessEnvironment(), malformed);
    QVERIFY(!bad.ok());
    QVERIFY2(bad.error().message.contains(u"line 2: expected KEY=VALUE"_s), qPrintable(bad.error().message));

    if (::geteuid() == 0)
        QSKIP("root reads files regardless of their permissions");
    const QString locked = dir.filePath(u"locked.env"_s);
    QFile lockedFile(locked);
    QVERIFY(lockedFile.open(QIODevice::WriteOnly));
    lockedFile.write("STRIPE_PRICE_SOLO=price_1\n");
    lockedFile.close();
    QVERIFY(QFile::setPermissions(locked, QFileDevice::WriteOwner));
    const Result<SettingsSources> unreadable = SettingsSources::load(QProcessEnvironment(), locked);
    QVERIFY(!unreadable.ok());
    QVERIFY2(unreadable.error().message.contains(u"cannot read "_s + locked),
             qPrintable(unreadable.error().message));
}

void TestSettingsValidator::warnsAboutEnvFileReadableByOthers()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u".env"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("STRIPE_PRICE_SOLO=price_1\n");
    file.close();
    QVERIFY(QFile::setPermissions(path,
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));

    const Result<SettingsSources> sources = SettingsSources::load(QProcessEnvironment(), path);
    QVERIFY(sources.ok());
    QCOMPARE(sources->warnings().size(), 1);
    QVERIFY(sources->warnings().constFirst().contains(u"chmod 600"_s));
}

void TestSettingsValidator::warnsAboutUnknownSettingInEnvFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u".env"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("STRIPE_PRICE_SOLO=price_1\nSTRIPE_PRICE_SOLLO=price_2\nOTHER_APP_SETTING=1\n");
    file.close();
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);

    const Result<SettingsSources> sources = SettingsSources::load(QProcessEnvironment(), path);
    QVERIFY(sources.ok());
    QCOMPARE(sources->warnings().size(), 1);
    QVERIFY(sources->warnings().constFirst().contains(u"line 2: STRIPE_PRICE_SOLLO is not a setting"_s));
}

void TestSettingsValidator::masksSecrets_data()
{
    QTest::addColumn<QString>("secret");
    QTest::addColumn<QString>("masked");

    QTest::newRow("test key") << u"sk_test_51AbCdEfGhIjKlMnOpQrStUvWx4f2a"_s << u"sk_test_…4f2a"_s;
    QTest::newRow("live key") << u"sk_live_FAKE-AbCdEfGhIjKlMnOpQrStUvWx9z9z"_s << u"sk_live_…9z9z"_s;
    QTest::newRow("webhook secret") << u"whsec_AbCdEfGh/IjKlMnOp+QrStUvWxYz12"_s << u"whsec_…Yz12"_s;
    QTest::newRow("short secret fully hidden") << u"sk_test_short"_s << u"sk_test_****"_s;
    QTest::newRow("unknown kind") << u"password"_s << u"****"_s;
    QTest::newRow("empty") << QString() << QString();
}

void TestSettingsValidator::masksSecrets()
{
    QFETCH(QString, secret);
    QFETCH(QString, masked);
    QCOMPARE(maskSecret(secret), masked);
}

QTEST_GUILESS_MAIN(TestSettingsValidator)
#include "tst_settingsvalidator.moc"
