#pragma once

#include <QDialog>
#include <QUrl>

class QLineEdit;

namespace billing::ui {

// Shows a freshly made Stripe customer portal link, read-only, with Copy and Open.
class PortalLinkDialog final : public QDialog
{
    Q_OBJECT

public:
    PortalLinkDialog(const QUrl &url, const QString &customer, QWidget *parent = nullptr);

    QUrl url() const { return m_url; }

private:
    QUrl m_url;
    QLineEdit *m_urlEdit;
};

} // namespace billing::ui
