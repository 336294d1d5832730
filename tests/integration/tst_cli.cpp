#include "ServerProcess.h"
#include "TestDatabase.h"
#include "db/MigrationCatalog.h"
#include "license/LicenseSigner.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;
using billing::test::TestDatabase;

namespace {

const QString kSecretKey = u"sk_test_51CliRecognisableSecretKey000000000000"_s;
const QString kWebhookSecret = u"whsec_CliRecognisable/WebhookSecret0000"_s;

qsizetype migrationCount()
{
    return billing::MigrationCatalog::builtIn()->migrations().size();
}

struct CommandResult
{
    int exitCode = -1;
    QString out;
    QString err;
    QString all() const { return out + err; }
};

} // namespace

// agencyos-billing-server as an operator runs it: the real binary, its exit
// codes and what it prints.
class TestCli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void helpListsCommands();
    void commandHelpListsItsOptions();
    void unknownCommandIsAUsageError();
    void checkConfigRejectsProductIdForPrice();
    void checkConfigRejectsProductIdAlone();
    void checkConfigPrintsEffectiveConfigurationMasked();
    void checkConfigReadsEnvFile();
    void checkConfigReportsUnreadableEnvFile();
    void migrateTwiceChangesNothingTheSecondTime();
    void migrateRejectsMalformedDatabaseUrl();
    void migrateStatusDoesNotCreateTheDatabase();
    void checkConfigMasksSecretInWrongSetting();
    void serveRefusesPendingMigrationsWithNoMigrate();
    void serveMigratesListensAndAnswersJson();
    void webhookVerifyGivesVerdictAndReason();
    void eventsReplayAppliesFailedEvents();
    void oneLicenceSigningKeyPerInstallation();

private:
    QProcessEnvironment environment(const QHash<QString, QString> &settings) const;
    QHash<QString, QString> validSettings() const;
    CommandResult runServer(const QStringList &arguments, const QProcessEnvironment &environment);

    // A fresh directory per test, so no test sees another's files.
    std::unique_ptr<QTemporaryDir> m_workDir;
    std::unique_ptr<TestDatabase> m_db;
};

void TestCli::init()
{
    m_workDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_workDir->isValid());
    QString error;
    m_db = TestDatabase::create(test::backendUnderTest(), &error);
    QVERIFY2(m_db, qPrintable(error));
}

void TestCli::cleanup()
{
    m_db.reset();
    m_workDir.reset();
}

QHash<QString, QString> TestCli::validSettings() const
{
    return {
        {u"STRIPE_SECRET_KEY"_s, kSecretKey},
        {u"STRIPE_PUBLISHABLE_KEY"_s, u"pk_test_51CliPublishable"_s},
        {u"STRIPE_WEBHOOK_SECRET"_s, kWebhookSecret},
        {u"STRIPE_PRICE_SOLO"_s, u"price_1Solo"_s},
        {u"STRIPE_PRICE_TEAM"_s, u"price_1Team"_s},
        {u"STRIPE_PRICE_ENTERPRISE"_s, u"price_1Enterprise"_s},
        {u"BILLING_DATA_DIR"_s, m_workDir->filePath(u"data"_s)},
        {u"BILLING_API_TOKEN"_s, u"cli-api-token-0123456789abcdef0123456789"_s},
        {u"BILLING_ALLOWED_REDIRECT_HOSTS"_s, u"app.agencyos.network"_s},
    };
}

QProcessEnvironment TestCli::environment(const QHash<QString, QString> &settings) const
{
    // Nothing of the developer's own configuration leaks into the test.
    return test::ServerProcess::environment(settings);
}

CommandResult TestCli::runServer(const QStringList &arguments, const QProcessEnvironment &environment)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.setWorkingDirectory(m_workDir->path()); // no stray ./.env
    process.start(QStringLiteral(BILLING_SERVER_BINARY), arguments);
    CommandResult result;
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        result.err = u"timed out"_s;
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

void TestCli::helpListsCommands()
{
    const CommandResult result = runServer({u"--help"_s}, environment({}));
    QCOMPARE(result.exitCode, 0);
    for (const QString &command : {u"serve"_s, u"migrate"_s, u"check-config"_s})
        QVERIFY2(result.out.contains(u"  "_s + command), qPrintable(result.out));
}

void TestCli::commandHelpListsItsOptions()
{
    const CommandResult result = runServer({u"migrate"_s, u"--help"_s}, environment({}));
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.startsWith(u"Usage: agencyos-billing-server migrate [options]"_s));
    QVERIFY(result.out.contains(u"--status"_s));
    QVERIFY(result.out.contains(u"--env-file <path>"_s));
}

void TestCli::unknownCommandIsAUsageError()
{
    const CommandResult result = runServer({u"migrat"_s}, environment({}));
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains(u"unknown command \"migrat\""_s));

    const CommandResult badOption = runServer({u"migrate"_s, u"--bogus"_s}, environment({}));
    QCOMPARE(badOption.exitCode, 2);
    QVERIFY(badOption.err.contains(u"bogus"_s));
}

void TestCli::checkConfigRejectsProductIdForPrice()
{
    QHash<QString, QString> settings = validSettings();
    settings.insert(u"STRIPE_PRICE_SOLO"_s, u"prod_123"_s);
    const CommandResult result = runServer({u"check-config"_s}, environment(settings));
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.err.contains(
                 u"STRIPE_PRICE_SOLO is a Product id (prod_123), but a Price id (price_…) is expected"_s),
             qPrintable(result.err));
    QVERIFY(result.err.contains(u"1 error in the configuration"_s));
}

void TestCli::checkConfigRejectsProductIdAlone()
{
    // The check a new user makes: only the mistaken variable set.
    const CommandResult result = runServer(
        {u"check-config"_s}, environment({{u"STRIPE_PRICE_SOLO"_s, u"prod_123"_s},
                                          {u"BILLING_DATA_DIR"_s, m_workDir->filePath(u"data"_s)}}));
    QVERIFY(result.exitCode != 0);
    QVERIFY2(result.err.contains(u"STRIPE_PRICE_SOLO is a Product id"_s), qPrintable(result.err));
    QVERIFY(result.err.contains(u"a Price id (price_…) is expected"_s));
}

void TestCli::checkConfigPrintsEffectiveConfigurationMasked()
{
    QHash<QString, QString> settings = validSettings();
    settings.insert(u"BILLING_DATABASE_URL"_s,
                    u"postgresql://billing:CliDatabasePassword@db.internal/billing"_s);
    const CommandResult result = runServer({u"check-config"_s}, environment(settings));
    QVERIFY2(result.exitCode == 0, qPrintable(result.all()));
    QVERIFY(result.out.contains(u"The configuration is valid."_s));
    QVERIFY(result.out.contains(u"Stripe mode: test"_s));
    QVERIFY(result.out.contains(u"sk_test_…0000"_s));
    QVERIFY(result.out.contains(u"whsec_…0000"_s));
    QVERIFY(result.out.contains(u"postgresql://billing:****@db.internal:5432/billing"_s));
    QVERIFY(result.out.contains(u"price_1Enterprise"_s));
    QVERIFY(result.out.contains(u"8787"_s));
    QVERIFY(result.out.contains(u"127.0.0.1"_s));
    QVERIFY2(!result.all().contains(kSecretKey), "the secret key was printed");
    QVERIFY2(!result.all().contains(kWebhookSecret), "the webhook secret was printed");
    QVERIFY2(!result.all().contains(u"CliDatabasePassword"_s), "the database password was printed");
}

void TestCli::checkConfigReadsEnvFile()
{
    const QString path = m_workDir->filePath(u"billing.env"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QHash<QString, QString> settings = validSettings();
    for (auto it = settings.cbegin(); it != settings.cend(); ++it)
        file.write((it.key() + u'=' + it.value() + u'\n').toUtf8());
    file.close();
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);

    const CommandResult result = runServer({u"check-config"_s, u"--env-file"_s, path}, environment({}));
    QVERIFY2(result.exitCode == 0, qPrintable(result.all()));
    QVERIFY(result.out.contains(u".env file:   "_s + path));
    QVERIFY(result.out.contains(u"(.env file)"_s));
}

void TestCli::checkConfigReportsUnreadableEnvFile()
{
    const CommandResult result = runServer(
        {u"check-config"_s, u"--env-file"_s, m_workDir->filePath(u"missing.env"_s)}, environment({}));
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.err.contains(u"cannot use the .env file"_s), qPrintable(result.err));
    QVERIFY(result.err.contains(u"missing.env does not exist"_s));
}

void TestCli::migrateTwiceChangesNothingTheSecondTime()
{
    QHash<QString, QString> settings{
        {u"BILLING_DATA_DIR"_s, m_workDir->filePath(u"data"_s)},
        {u"BILLING_DATABASE_URL"_s, m_db->url().dialect() == SqlDialect::Sqlite
                                        ? u"sqlite://"_s + m_db->url().sqlitePath()
                                        : QString()}};
    if (m_db->url().dialect() == SqlDialect::Postgres) {
        settings.insert(u"BILLING_DATABASE_URL"_s,
                        u"postgresql://%1@%2:%3/%4"_s.arg(m_db->url().user(), m_db->url().host())
                            .arg(m_db->url().port())
                            .arg(m_db->url().databaseName()));
    }
    const QProcessEnvironment env = environment(settings);

    const CommandResult first = runServer({u"migrate"_s}, env);
    QVERIFY2(first.exitCode == 0, qPrintable(first.all()));
    QVERIFY2(first.out.contains(u"applied 20260127_001_payment_events.sql"_s), qPrintable(first.out));
    QVERIFY(first.out.contains(u"Applied %1 migration(s)"_s.arg(migrationCount())));

    const CommandResult second = runServer({u"migrate"_s}, env);
    QVERIFY2(second.exitCode == 0, qPrintable(second.all()));
    QVERIFY2(second.out.contains(u"is up to date; nothing to do."_s), qPrintable(second.out));

    const CommandResult status = runServer({u"migrate"_s, u"--status"_s}, env);
    QCOMPARE(status.exitCode, 0);
    QVERIFY(
        status.out.contains(u"applied  "_s + MigrationCatalog::builtIn()->migrations().constLast().fileName));
    QVERIFY(status.out.contains(u"The schema is current."_s));

    QSqlDatabase db = m_db->database().connection().value();
    QVERIFY(test::tableNames(db).contains(u"payment_events"_s));
}

void TestCli::migrateRejectsMalformedDatabaseUrl()
{
    const CommandResult result =
        runServer({u"migrate"_s}, environment({{u"BILLING_DATA_DIR"_s, m_workDir->filePath(u"data"_s)},
                                               {u"BILLING_DATABASE_URL"_s, u"mysql://localhost/billing"_s}}));
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.err.contains(u"BILLING_DATABASE_URL is malformed"_s), qPrintable(result.err));
}

void TestCli::migrateStatusDoesNotCreateTheDatabase()
{
    const QString path = m_workDir->filePath(u"typo/billing.sqlite3"_s);
    const CommandResult result = runServer({u"migrate"_s, u"--status"_s},
                                           environment({{u"BILLING_DATA_DIR"_s, m_workDir->path()},
                                                        {u"BILLING_DATABASE_URL"_s, u"sqlite://"_s + path}}));
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(u"(does not exist yet)"_s), qPrintable(result.out));
    QVERIFY(result.out.contains(u"%1 migration(s) pending."_s.arg(migrationCount())));
    QVERIFY(!QFile::exists(path));
}

void TestCli::checkConfigMasksSecretInWrongSetting()
{
    // The mistake the validator exists for: a live secret key pasted as the publishable key.
    const QString liveKey = u"sk_live_FAKE-MisplacedLiveSecretKey0000"_s;
    QHash<QString, QString> settings = validSettings();
    settings.insert(u"STRIPE_PUBLISHABLE_KEY"_s, liveKey);
    settings.insert(u"STRIPE_PRICE_TEAM"_s, liveKey);
    settings.insert(u"BILLING_DATABASE_URL"_s, u"postgresql://u:CliDatabasePassword@h:99999/db"_s);
    const CommandResult result = runServer({u"check-config"_s}, environment(settings));
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.err.contains(u"STRIPE_PUBLISHABLE_KEY holds a secret key"_s), qPrintable(result.err));
    QVERIFY2(!result.all().contains(liveKey), "a secret key was printed");
    QVERIFY2(!result.all().contains(u"CliDatabasePassword"_s), "the database password was printed");
}

void TestCli::serveRefusesPendingMigrationsWithNoMigrate()
{
    const QProcessEnvironment env = environment(validSettings());
    const QString databasePath = m_workDir->filePath(u"data/billing.sqlite3"_s);
    const CommandResult missing = runServer({u"serve"_s, u"--no-migrate"_s, u"--port"_s, u"0"_s}, env);
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains(u"does not exist and --no-migrate was given"_s), qPrintable(missing.err));
    QVERIFY(!QFile::exists(databasePath));

    // An existing database with migrations missing: also refused.
    {
        QDir().mkpath(m_workDir->filePath(u"data"_s));
        QSqlDatabase seed = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"seed"_s);
        seed.setDatabaseName(databasePath);
        QVERIFY(seed.open());
        QVERIFY(QSqlQuery(seed).exec(
            u"CREATE TABLE schema_migrations (version TEXT NOT NULL PRIMARY KEY, "
            "name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)"_s));
        seed.close();
    }
    QSqlDatabase::removeDatabase(u"seed"_s);
    const CommandResult pending = runServer({u"serve"_s, u"--no-migrate"_s, u"--port"_s, u"0"_s}, env);
    QCOMPARE(pending.exitCode, 1);
    QVERIFY2(pending.err.contains(
                 u"%1 migration(s) are pending and --no-migrate was given"_s.arg(migrationCount())),
             qPrintable(pending.err));
}

void TestCli::serveMigratesListensAndAnswersJson()
{
    QProcess server;
    server.setProcessEnvironment(environment(validSettings()));
    server.setWorkingDirectory(m_workDir->path());
    server.start(QStringLiteral(BILLING_SERVER_BINARY), {u"serve"_s, u"--port"_s, u"0"_s});
    QVERIFY(server.waitForStarted());

    static const QRegularExpression listening(u"listening on http://127\\.0\\.0\\.1:(\\d+)"_s);
    QString output;
    QRegularExpressionMatch match;
    QTRY_VERIFY_WITH_TIMEOUT((output += QString::fromUtf8(server.readAllStandardOutput()),
                              match = listening.match(output), match.hasMatch()),
                             20000);
    const int port = match.captured(1).toInt();

    QNetworkProxyFactory::setUseSystemConfiguration(false);
    QNetworkAccessManager network;
    QNetworkReply *reply =
        network.get(QNetworkRequest(QUrl(u"http://127.0.0.1:%1/no/such/route"_s.arg(port))));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 404);
    const QJsonObject error = QJsonDocument::fromJson(reply->readAll()).object().value(u"error"_s).toObject();
    QCOMPARE(error.value(u"type"_s).toString(), u"invalid_request_error"_s);
    QVERIFY(error.value(u"message"_s).toString().contains(u"/no/such/route"_s));
    QVERIFY(error.contains(u"param"_s));
    reply->deleteLater();

    QVERIFY(QFile::exists(m_workDir->filePath(u"data/billing.sqlite3"_s)));
    // SIGTERM stops it through its event loop: a clean exit, not a kill.
    server.terminate();
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
    QVERIFY(QString::fromUtf8(server.readAllStandardOutput()).contains(u"agencyos-billing-server stopped"_s));
}

void TestCli::webhookVerifyGivesVerdictAndReason()
{
    const QByteArray payload = "{\n  \"id\": \"evt_cli\",\n  \"type\": \"invoice.paid\"\n}"_ba;
    const QString payloadPath = m_workDir->filePath(u"event.json"_s);
    QFile file(payloadPath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(payload);
    file.close();
    const qint64 t = 1764000000;
    const QByteArray signature = QMessageAuthenticationCode::hash(QByteArray::number(t) + '.' + payload,
                                                                  "whsec_cli", QCryptographicHash::Sha256)
                                     .toHex();
    const QString header = u"t=%1,v1=%2"_s.arg(t).arg(QString::fromLatin1(signature));
    const QStringList common{u"webhook"_s, u"verify"_s,         u"--header"_s,
                             header,       u"--payload-file"_s, payloadPath};

    const CommandResult valid = runServer(
        common + QStringList{u"--secret"_s, u"whsec_other,whsec_cli"_s, u"--at"_s, QString::number(t + 10)},
        environment({}));
    QVERIFY2(valid.exitCode == 0, qPrintable(valid.all()));
    QVERIFY(valid.out.startsWith(u"valid: signed with secret 2 of 2"_s));

    const CommandResult stale =
        runServer(common + QStringList{u"--secret"_s, u"whsec_cli"_s, u"--at"_s, QString::number(t + 301)},
                  environment({}));
    QCOMPARE(stale.exitCode, 1);
    QVERIFY2(stale.out.contains(u"invalid: the signature timestamp is 301 s old"_s), qPrintable(stale.out));

    // The secret comes from the configuration when --secret is not given.
    const CommandResult wrongSecret =
        runServer(common + QStringList{u"--at"_s, QString::number(t)},
                  environment({{u"STRIPE_WEBHOOK_SECRET"_s, u"whsec_notthisone"_s}}));
    QCOMPARE(wrongSecret.exitCode, 1);
    QVERIFY2(wrongSecret.out.contains(u"invalid: no v1 signature matches"_s), qPrintable(wrongSecret.out));
    QVERIFY(!wrongSecret.all().contains(u"whsec_notthisone"_s));

    const CommandResult usage = runServer({u"webhook"_s, u"check"_s}, environment({}));
    QCOMPARE(usage.exitCode, 2);
}

void TestCli::eventsReplayAppliesFailedEvents()
{
    const QProcessEnvironment env = environment(validSettings());
    QCOMPARE(runServer({u"migrate"_s}, env).exitCode, 0);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"replay"_s);
        db.setDatabaseName(m_workDir->filePath(u"data/billing.sqlite3"_s));
        QVERIFY(db.open());
        QSqlQuery insert(db);
        QVERIFY(insert.prepare(
            u"INSERT INTO payment_events (stripe_event_id, event_type, livemode, stripe_created_at, "
            "payload, received_at, status, attempts, error) VALUES ('evt_r1', 'customer.created', "
            "0, 1, ?, 1, 'failed', 3, 'database was down')"_s));
        insert.addBindValue(
            QByteArray("{\"id\":\"evt_r1\",\"object\":\"event\",\"type\":\"customer.created\","
                       "\"created\":1,\"livemode\":false,\"data\":{\"object\":{\"id\":\"cus_1\"}}}"));
        QVERIFY(insert.exec());
        db.close();
    }
    QSqlDatabase::removeDatabase(u"replay"_s);

    // events list shows it, filtered by status; a bad status is a usage error naming it.
    const CommandResult failedList = runServer({u"events"_s, u"list"_s, u"--status"_s, u"failed"_s}, env);
    QVERIFY2(failedList.exitCode == 0, qPrintable(failedList.all()));
    QVERIFY2(failedList.out.contains(u"evt_r1"_s) && failedList.out.contains(u"customer.created"_s),
             qPrintable(failedList.out));
    const CommandResult processedList =
        runServer({u"events"_s, u"list"_s, u"--status"_s, u"processed"_s}, env);
    QVERIFY2(!processedList.out.contains(u"evt_r1"_s), qPrintable(processedList.out));
    const CommandResult badLimit = runServer({u"events"_s, u"list"_s, u"--limit"_s, u"0"_s}, env);
    QCOMPARE(badLimit.exitCode, 2);
    QVERIFY(badLimit.err.contains(u"limit"_s));

    const CommandResult replayed = runServer({u"events"_s, u"replay"_s, u"--failed"_s}, env);
    QVERIFY2(replayed.exitCode == 0, qPrintable(replayed.all()));
    QVERIFY(replayed.out.contains(u"evt_r1 customer.created: ignored"_s));
    QVERIFY(replayed.out.contains(u"1 event(s) replayed, 0 failed"_s));

    const CommandResult again = runServer({u"events"_s, u"replay"_s, u"evt_r1"_s}, env);
    QCOMPARE(again.exitCode, 0);
    QVERIFY2(again.out.contains(u"evt_r1 customer.created: duplicate"_s), qPrintable(again.out));
    const CommandResult unknown = runServer({u"events"_s, u"replay"_s, u"evt_nope"_s}, env);
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY(unknown.out.contains(u"no stored event evt_nope"_s));
}

void TestCli::oneLicenceSigningKeyPerInstallation()
{
    // Two machines on one database: each has its own data directory and key file.
    const QString firstKey = m_workDir->filePath(u"first/license-signing-key.pem"_s);
    const QString secondKey = m_workDir->filePath(u"second/license-signing-key.pem"_s);
    QHash<QString, QString> first = test::ServerProcess::testSettings(*m_db, m_workDir->filePath(u"first"_s));
    QHash<QString, QString> second =
        test::ServerProcess::testSettings(*m_db, m_workDir->filePath(u"second"_s));
    QVERIFY(QDir().mkpath(m_workDir->filePath(u"second"_s)));
    test::ServerProcess firstMachine(QStringLiteral(BILLING_SERVER_BINARY), m_workDir->path());
    test::ServerProcess secondMachine(QStringLiteral(BILLING_SERVER_BINARY), m_workDir->path());
    QString out;
    QString err;
    QCOMPARE(firstMachine.run({u"migrate"_s}, first, &out, &err), 0);
    out.clear();
    QVERIFY2(firstMachine.start(first, &out), qPrintable(out)); // records its new key
    QVERIFY2(firstMachine.stop(), qPrintable(firstMachine.output()));
    const QString fingerprint = LicenseSigner::loadOrCreate(firstKey)->fingerprint();

    // No key file on the second machine: it refuses, names the key, and makes none.
    out.clear();
    QVERIFY(!secondMachine.start(second, &out));
    QVERIFY2(out.contains(u"there is no licence signing key at %1,"_s.arg(secondKey)) &&
                 out.contains(fingerprint),
             qPrintable(out));
    QVERIFY(!QFile::exists(secondKey));

    // A key of its own: refused, saying whose key is expected and how to copy it.
    const QString strangerFingerprint = LicenseSigner::loadOrCreate(secondKey)->fingerprint();
    out.clear();
    QVERIFY(!secondMachine.start(second, &out));
    QVERIFY2(out.contains(u"(fingerprint %1) is not this installation's"_s.arg(strangerFingerprint)) &&
                 out.contains(u"copy the key file"_s) && out.contains(fingerprint),
             qPrintable(out));

    // The installation's key copied over: it starts.
    QVERIFY(QFile::remove(secondKey));
    QVERIFY(QFile::copy(firstKey, secondKey));
    out.clear();
    QVERIFY2(secondMachine.start(second, &out), qPrintable(out));
    QVERIFY(secondMachine.stop()); // at once: the service is ready for SIGTERM when it says it listens

    // Rotation: the new key signs; licences of the retired one still verify.
    const LicenseClaims claims{u"lic_rotation"_s, u"tenant_rot"_s, u"team"_s, 1, 4102444800};
    const QString signedBefore = LicenseSigner::loadOrCreate(firstKey)->issue(claims).value();
    QVERIFY2(firstMachine.run({u"license"_s, u"rotate-key"_s}, first, &out, &err) == 0, qPrintable(err));
    const QString newFingerprint = LicenseSigner::loadOrCreate(firstKey)->fingerprint();
    QVERIFY(newFingerprint != fingerprint);
    QVERIFY(QFile::exists(firstKey + u".retired-"_s + fingerprint));
    const QString signedAfter = LicenseSigner::loadOrCreate(firstKey)->issue(claims).value();
    for (const QString &key : {signedBefore, signedAfter}) {
        QVERIFY2(firstMachine.run({u"license"_s, u"verify"_s, key}, first, &out, &err) == 0,
                 qPrintable(out + err));
        QVERIFY(out.startsWith(u"valid"_s));
    }
    // The second machine verifies with the recorded keys too, though its file is the retired one.
    QVERIFY2(secondMachine.run({u"license"_s, u"verify"_s, signedAfter}, second, &out, &err) == 0,
             qPrintable(out + err));
    QVERIFY(out.contains(newFingerprint));
    const QString forged =
        LicenseSigner::loadOrCreate(m_workDir->filePath(u"forger.pem"_s))->issue(claims).value();
    QCOMPARE(firstMachine.run({u"license"_s, u"verify"_s, forged}, first, &out, &err), 1);
    QVERIFY(out.startsWith(u"invalid"_s));
    QCOMPARE(firstMachine.run({u"license"_s, u"public-key"_s, u"--all"_s}, first, &out, &err), 0);
    QVERIFY2(out.contains(newFingerprint + u", current"_s) && out.contains(fingerprint + u", retired"_s),
             qPrintable(out));

    // The second machine still has the retired key: it refuses to start until it gets the new one.
    out.clear();
    QVERIFY(!secondMachine.start(second, &out));
    QVERIFY2(out.contains(u"was retired"_s) && out.contains(newFingerprint), qPrintable(out));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
