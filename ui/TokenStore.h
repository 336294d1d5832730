#pragma once

#include <QObject>
#include <QUrl>

namespace billing::ui {

// Where the staff token lives between runs: the desktop keyring (QtKeychain,
// service "agencyos-billing") when one works, else a 0600 file in the app's
// config directory. The service URL is a plain QSettings value. Async.
class TokenStore final : public QObject
{
    Q_OBJECT

public:
    enum class Backend { Keychain, File };
    Q_ENUM(Backend)

    explicit TokenStore(QObject *parent = nullptr);

    // Tests and headless setups can skip the keyring.
    void setUseKeychain(bool use) { m_useKeychain = use; }

    static QString serviceName();
    static QString fallbackFilePath();
    static QUrl defaultServiceUrl();

    QUrl serviceUrl() const;
    void setServiceUrl(const QUrl &url);

    // Emits loaded() once; an empty token means none is stored.
    void load();
    // Emits saved() once, naming where the token went.
    void save(const QString &token);

Q_SIGNALS:
    void loaded(const QString &token);
    void saved(bool ok, billing::ui::TokenStore::Backend backend, const QString &errorMessage);

private:
    QString readFile() const;
    bool writeFile(const QString &token, QString *errorMessage) const;
    void saveToFile(const QString &token);

    bool m_useKeychain = true;
};

} // namespace billing::ui
