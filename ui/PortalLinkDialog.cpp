#include "PortalLinkDialog.h"

#include <QClipboard>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace billing::ui {

PortalLinkDialog::PortalLinkDialog(const QUrl &url, const QString &customer, QWidget *parent)
    : QDialog(parent)
    , m_url(url)
    , m_urlEdit(new QLineEdit(this))
{
    setObjectName(u"portalLinkDialog"_s);
    setWindowTitle(tr("Customer portal link"));

    auto *label = new QLabel(
        tr("Portal link for %1. It expires soon; send it to the customer now.").arg(customer), this);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    m_urlEdit->setObjectName(u"portalUrlEdit"_s);
    m_urlEdit->setReadOnly(true);
    m_urlEdit->setText(url.toString());
    m_urlEdit->setMinimumWidth(420);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *copyButton = buttons->addButton(tr("&Copy"), QDialogButtonBox::ActionRole);
    copyButton->setObjectName(u"copyPortalUrlButton"_s);
    auto *openButton = buttons->addButton(tr("&Open"), QDialogButtonBox::ActionRole);
    openButton->setObjectName(u"openPortalUrlButton"_s);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(m_urlEdit);
    layout->addWidget(buttons);

    connect(copyButton, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(m_url.toString()); });
    connect(openButton, &QPushButton::clicked, this, [this] { QDesktopServices::openUrl(m_url); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

} // namespace billing::ui
