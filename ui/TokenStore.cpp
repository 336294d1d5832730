#include "TokenStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>

#include <qt6keychain/keychain.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTokenStore, "agencyos.billing.ui.tokenstore")

namespace billing::ui {

namespace {
const QString keychainKey = u"staff-token"_s;
const QString urlSettingsKey = u"service/url"_s;
} // namespace

TokenStore::TokenStore(QObject *parent)
    : QObject(parent)
{}

QString TokenStore::serviceName()
{
    return u"agencyos-billing"_s;
}

QString TokenStore::fallbackFilePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + u"/token"_s;
}

QUrl TokenStore::defaultServiceUrl()
{
    return QUrl(u"http://127.0.0.1:8787"_s);
}

QUrl TokenStore::serviceUrl() const
{
    const QString stored = QSettings().value(urlSettingsKey).toString();
    return stored.isEmpty() ? defaultServiceUrl() : QUrl(stored);
}

void TokenStore::setServiceUrl(const QUrl &url)
{
    QSettings().setValue(urlSettingsKey, url.toString());
}

void TokenStore::load()
{
    if (!m_useKeychain) {
        Q_EMIT loaded(readFile());
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(serviceName(), this);
    job->setAutoDelete(true);
    job->setKey(keychainKey);
    connect(job, &QKeychain::Job::finished, this, [this](QKeychain::Job *finishedJob) {
        auto *readJob = static_cast<QKeychain::ReadPasswordJob *>(finishedJob);
        if (readJob->error() == QKeychain::NoError && !readJob->textData().isEmpty()) {
            Q_EMIT loaded(readJob->textData());
            return;
        }
        if (readJob->error() != QKeychain::EntryNotFound)
            qCInfo(lcTokenStore) << "keyring unavailable, using the token file:" << readJob->errorString();
        Q_EMIT loaded(readFile());
    });
    job->start();
}

void TokenStore::save(const QString &token)
{
    if (!m_useKeychain) {
        saveToFile(token);
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(serviceName(), this);
    job->setAutoDelete(true);
    job->setKey(keychainKey);
    job->setTextData(token);
    connect(job, &QKeychain::Job::finished, this, [this, token](QKeychain::Job *finishedJob) {
        if (finishedJob->error() == QKeychain::NoError) {
            // A stale fallback file must not outlive a token now in the keyring.
            QFile::remove(fallbackFilePath());
            Q_EMIT saved(true, Backend::Keychain, QString());
            return;
        }
        qCInfo(lcTokenStore) << "keyring unavailable, writing the token file:" << finishedJob->errorString();
        saveToFile(token);
    });
    job->start();
}

void TokenStore::saveToFile(const QString &token)
{
    QString error;
    const bool ok = writeFile(token, &error);
    Q_EMIT saved(ok, Backend::File, error);
}

QString TokenStore::readFile() const
{
    QFile file(fallbackFilePath());
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    return QString::fromUtf8(file.readAll()).trimmed();
}

bool TokenStore::writeFile(const QString &token, QString *errorMessage) const
{
    const QString path = fallbackFilePath();
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        *errorMessage = tr("Cannot create the folder for %1.").arg(path);
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *errorMessage = file.errorString();
        return false;
    }
    // Owner-only before a single byte of the token is written.
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        *errorMessage = tr("Cannot restrict the permissions of %1.").arg(path);
        file.cancelWriting();
        return false;
    }
    file.write(token.toUtf8());
    if (!file.commit()) {
        *errorMessage = file.errorString();
        return false;
    }
    return true;
}

} // namespace billing::ui
