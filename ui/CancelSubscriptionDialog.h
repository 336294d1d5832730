#pragma once

#include <QDialog>
#include <QJsonObject>

class QCheckBox;
class QDialogButtonBox;
class QRadioButton;

namespace billing::ui {

// Confirms cancelling one subscription: names tenant, plan and amount, offers
// "at period end" (the default) or "now", and stays disabled until the staff
// member ticks the confirmation.
class CancelSubscriptionDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit CancelSubscriptionDialog(const QJsonObject &subscription, QWidget *parent = nullptr);

    QString subscriptionId() const;
    bool atPeriodEnd() const;

private:
    void updateOkButton();

    QJsonObject m_subscription;
    QRadioButton *m_atPeriodEnd;
    QRadioButton *m_now;
    QCheckBox *m_confirm;
    QDialogButtonBox *m_buttons;
};

} // namespace billing::ui
