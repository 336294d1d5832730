#include "TokenStore.h"

#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using billing::ui::TokenStore;

class TestTokenStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void fileFallbackIsOwnerOnly();
    void loadsWhatWasSaved();
    void keychainFailureFallsBackToFile();
    void serviceUrlDefaultsToLocalhost();

private:
    static unsigned modeOf(const QString &path);
    QTemporaryDir m_home;
};

unsigned TestTokenStore::modeOf(const QString &path)
{
    struct stat info
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return 0;
    return info.st_mode & 07777;
}

void TestTokenStore::initTestCase()
{
    QVERIFY(m_home.isValid());
    // Test mode puts files under $HOME/.qttest: a temporary HOME keeps the
    // developer's own dashboard token out of reach.
    qputenv("HOME", m_home.path().toUtf8());
    qputenv("XDG_CONFIG_HOME", m_home.filePath(u"config"_s).toUtf8());
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setApplicationName(u"agencyos-billing"_s);
    QCoreApplication::setOrganizationName(u"AgencyOS"_s);
}

void TestTokenStore::init()
{
    QFile::remove(TokenStore::fallbackFilePath());
}

void TestTokenStore::fileFallbackIsOwnerOnly()
{
    TokenStore store;
    store.setUseKeychain(false);
    QSignalSpy saved(&store, &TokenStore::saved);
    store.save(u"tok_secret"_s);
    QTRY_COMPARE(saved.size(), 1);
    QCOMPARE(saved.at(0).at(0).toBool(), true);
    QCOMPARE(saved.at(0).at(1).value<TokenStore::Backend>(), TokenStore::Backend::File);

    const QString path = TokenStore::fallbackFilePath();
    QVERIFY2(path.startsWith(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation)),
             qPrintable(path));
    QVERIFY(QFile::exists(path));
    QCOMPARE(modeOf(path), 0600u);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("tok_secret"));
}

void TestTokenStore::loadsWhatWasSaved()
{
    TokenStore store;
    store.setUseKeychain(false);
    QSignalSpy loaded(&store, &TokenStore::loaded);
    store.load();
    QTRY_COMPARE(loaded.size(), 1);
    QCOMPARE(loaded.at(0).at(0).toString(), QString());

    QSignalSpy saved(&store, &TokenStore::saved);
    store.save(u"tok_again"_s);
    QTRY_COMPARE(saved.size(), 1);
    store.load();
    QTRY_COMPARE(loaded.size(), 2);
    QCOMPARE(loaded.at(1).at(0).toString(), u"tok_again"_s);
}

void TestTokenStore::keychainFailureFallsBackToFile()
{
    // No Secret Service reachable: the keychain job fails and the file takes the token.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + m_home.filePath(u"no-bus"_s).toUtf8());
    TokenStore store;
    QSignalSpy saved(&store, &TokenStore::saved);
    store.save(u"tok_headless"_s);
    QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 30000);
    QCOMPARE(saved.at(0).at(0).toBool(), true);
    QCOMPARE(saved.at(0).at(1).value<TokenStore::Backend>(), TokenStore::Backend::File);
    QCOMPARE(modeOf(TokenStore::fallbackFilePath()), 0600u);

    QSignalSpy loaded(&store, &TokenStore::loaded);
    store.load();
    QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 30000);
    QCOMPARE(loaded.at(0).at(0).toString(), u"tok_headless"_s);
}

void TestTokenStore::serviceUrlDefaultsToLocalhost()
{
    QSettings().remove(u"service/url"_s);
    TokenStore store;
    QCOMPARE(store.serviceUrl(), QUrl(u"http://127.0.0.1:8787"_s));
    store.setServiceUrl(QUrl(u"http://billing.internal:9000"_s));
    QCOMPARE(store.serviceUrl(), QUrl(u"http://billing.internal:9000"_s));
    QSettings().remove(u"service/url"_s);
}

QTEST_MAIN(TestTokenStore)
#include "tst_tokenstore.moc"
