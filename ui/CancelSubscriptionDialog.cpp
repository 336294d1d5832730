#include "CancelSubscriptionDialog.h"

#include "Formatting.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace billing::ui {

CancelSubscriptionDialog::CancelSubscriptionDialog(const QJsonObject &subscription, QWidget *parent)
    : QDialog(parent)
    , m_subscription(subscription)
    , m_atPeriodEnd(new QRadioButton(this))
    , m_now(new QRadioButton(tr("&Now: end access immediately, no further invoices"), this))
    , m_confirm(new QCheckBox(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(u"cancelSubscriptionDialog"_s);
    setWindowTitle(tr("Cancel subscription"));

    const QString tenant = subscription.value("tenant_id"_L1).toString();
    const QString plan = subscription.value("plan"_L1).toString();
    const QString interval = subscription.value("interval"_L1).toString();
    QString amount = Formatting::amount(static_cast<qint64>(subscription.value("unit_amount"_L1).toDouble()),
                                        subscription.value("currency"_L1).toString());
    if (!interval.isEmpty())
        amount = tr("%1 per %2").arg(amount, interval);
    const QString periodEnd = Formatting::time(subscription.value("current_period_end"_L1));

    auto *summary = new QLabel(this);
    summary->setObjectName(u"cancelSummary"_s);
    summary->setTextFormat(Qt::PlainText);
    summary->setWordWrap(true);
    summary->setText(tr("Cancel subscription %1\nTenant: %2\nPlan: %3\nAmount: %4")
                         .arg(subscriptionId(), tenant.isEmpty() ? tr("(none)") : tenant,
                              plan.isEmpty() ? tr("(unknown)") : plan, amount));

    m_atPeriodEnd->setObjectName(u"atPeriodEndRadio"_s);
    m_atPeriodEnd->setText(periodEnd.isEmpty()
                               ? tr("At &period end: keep access until the paid period ends")
                               : tr("At &period end (%1): keep access until then").arg(periodEnd));
    m_atPeriodEnd->setChecked(true);
    m_now->setObjectName(u"cancelNowRadio"_s);
    m_confirm->setObjectName(u"confirmCancelCheck"_s);
    m_confirm->setText(tr("I understand that %1 will lose the %2 plan and that this is sent to Stripe.")
                           .arg(tenant.isEmpty() ? tr("this customer") : tenant, plan));
    m_buttons->setObjectName(u"cancelButtons"_s);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Cancel subscription"));
    m_buttons->button(QDialogButtonBox::Cancel)->setText(tr("Keep subscription"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(summary);
    layout->addSpacing(8);
    layout->addWidget(m_atPeriodEnd);
    layout->addWidget(m_now);
    layout->addSpacing(8);
    layout->addWidget(m_confirm);
    layout->addWidget(m_buttons);

    connect(m_confirm, &QCheckBox::toggled, this, &CancelSubscriptionDialog::updateOkButton);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateOkButton();
    m_buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
}

QString CancelSubscriptionDialog::subscriptionId() const
{
    return m_subscription.value("id"_L1).toString();
}

bool CancelSubscriptionDialog::atPeriodEnd() const
{
    return !m_now->isChecked();
}

void CancelSubscriptionDialog::updateOkButton()
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_confirm->isChecked());
}

} // namespace billing::ui
