#include "SignInDialog.h"

#include "ApiClient.h"
#include "ApiReply.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace billing::ui {

SignInDialog::SignInDialog(QNetworkAccessManager *network, QWidget *parent)
    : QDialog(parent)
    , m_client(new ApiClient(network, this))
    , m_urlEdit(new QLineEdit(this))
    , m_tokenEdit(new QLineEdit(this))
    , m_statusLabel(new QLabel(this))
    , m_testButton(new QPushButton(tr("&Test"), this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(u"signInDialog"_s);
    setWindowTitle(tr("Sign in to Agency OS Billing"));
    m_client->setTimeoutMs(10000);

    m_urlEdit->setObjectName(u"serviceUrlEdit"_s);
    m_urlEdit->setText(u"http://127.0.0.1:8787"_s);
    m_urlEdit->setPlaceholderText(u"http://127.0.0.1:8787"_s);
    m_tokenEdit->setObjectName(u"tokenEdit"_s);
    m_tokenEdit->setEchoMode(QLineEdit::Password);
    m_tokenEdit->setPlaceholderText(tr("From: agencyos-billing-server staff add <name>"));
    m_statusLabel->setObjectName(u"signInStatus"_s);
    m_statusLabel->setWordWrap(true);
    m_statusLabel->setTextFormat(Qt::PlainText);
    m_testButton->setObjectName(u"testButton"_s);
    m_buttons->setObjectName(u"signInButtons"_s);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Sign in"));

    auto *form = new QFormLayout;
    form->addRow(tr("Service &URL:"), m_urlEdit);
    form->addRow(tr("Staff &token:"), m_tokenEdit);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_testButton, 0, Qt::AlignLeft);
    layout->addWidget(m_statusLabel);
    layout->addStretch();
    layout->addWidget(m_buttons);

    connect(m_testButton, &QPushButton::clicked, this, &SignInDialog::testConnection);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SignInDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &SignInDialog::reject);
    connect(m_urlEdit, &QLineEdit::textChanged, this, &SignInDialog::invalidate);
    connect(m_tokenEdit, &QLineEdit::textChanged, this, &SignInDialog::invalidate);
    resize(480, sizeHint().height());
}

void SignInDialog::setServiceUrl(const QUrl &url)
{
    m_urlEdit->setText(url.toString());
}

void SignInDialog::setToken(const QString &token)
{
    m_tokenEdit->setText(token);
}

QUrl SignInDialog::serviceUrl() const
{
    return QUrl::fromUserInput(m_urlEdit->text().trimmed());
}

QString SignInDialog::token() const
{
    return m_tokenEdit->text().trimmed();
}

void SignInDialog::testConnection()
{
    startTest(false);
}

void SignInDialog::accept()
{
    if (m_verified) {
        QDialog::accept();
        return;
    }
    startTest(true);
}

void SignInDialog::invalidate()
{
    m_verified = false;
    if (m_pending) {
        m_pending->disconnect(this);
        m_pending->abort();
        m_pending.clear();
    }
    m_testButton->setEnabled(true);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
}

void SignInDialog::startTest(bool acceptOnSuccess)
{
    const QUrl url = serviceUrl();
    if (!url.isValid() || (url.scheme() != "http"_L1 && url.scheme() != "https"_L1)) {
        setStatus(tr("Enter the service URL, e.g. http://127.0.0.1:8787."), true);
        Q_EMIT testFinished(false);
        return;
    }
    if (const QString insecure = ApiClient::insecureTransportReason(url); !insecure.isEmpty()) {
        setStatus(insecure, true);
        Q_EMIT testFinished(false);
        return;
    }
    if (token().isEmpty()) {
        setStatus(tr("Enter your staff token."), true);
        Q_EMIT testFinished(false);
        return;
    }
    if (m_pending)
        return;
    m_client->setServiceUrl(url);
    m_client->setToken(token());
    setStatus(tr("Checking…"), false);
    m_testButton->setEnabled(false);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);

    ApiReply *reply = m_client->get(u"/session"_s);
    m_pending = reply;
    connect(reply, &ApiReply::finished, this, [this, reply, acceptOnSuccess] {
        m_pending.clear();
        m_testButton->setEnabled(true);
        m_buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
        if (!reply->isOk()) {
            m_verified = false;
            setStatus(reply->errorMessage(), true);
            Q_EMIT testFinished(false);
            return;
        }
        const QJsonObject session = reply->json();
        m_staff = session.value("staff"_L1).toString();
        m_mode = session.value("mode"_L1).toString();
        m_verified = true;
        setStatus(tr("Signed in as %1 (%2 mode).").arg(m_staff, m_mode.toUpper()), false);
        Q_EMIT testFinished(true);
        if (acceptOnSuccess)
            QDialog::accept();
    });
}

void SignInDialog::setStatus(const QString &text, bool error)
{
    m_statusLabel->setText(text);
    m_statusLabel->setProperty("error", error);
    m_statusLabel->setStyleSheet(error ? u"color: #c62828;"_s : QString());
}

} // namespace billing::ui
