#pragma once

#include <QDialog>
#include <QPointer>
#include <QUrl>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QNetworkAccessManager;
class QPushButton;

namespace billing::ui {

class ApiClient;
class ApiReply;

// First run (or a rejected token): the service URL and a staff token, checked
// with GET /session before the dialog accepts.
class SignInDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit SignInDialog(QNetworkAccessManager *network, QWidget *parent = nullptr);

    void setServiceUrl(const QUrl &url);
    void setToken(const QString &token);
    QUrl serviceUrl() const;
    QString token() const;
    // From the successful /session answer.
    QString staffName() const { return m_staff; }
    QString mode() const { return m_mode; }

public Q_SLOTS:
    void testConnection();
    void accept() override;

Q_SIGNALS:
    void testFinished(bool ok);

private:
    void startTest(bool acceptOnSuccess);
    void invalidate();
    void setStatus(const QString &text, bool error);

    ApiClient *m_client;
    QLineEdit *m_urlEdit;
    QLineEdit *m_tokenEdit;
    QLabel *m_statusLabel;
    QPushButton *m_testButton;
    QDialogButtonBox *m_buttons;
    QPointer<ApiReply> m_pending;
    QString m_staff;
    QString m_mode;
    bool m_verified = false;
};

} // namespace billing::ui
