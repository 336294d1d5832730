#include "CancelSubscriptionDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QTest>

using namespace Qt::StringLiterals;
using billing::ui::CancelSubscriptionDialog;

class TestCancelDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void namesTenantPlanAndAmount();
    void defaultsToPeriodEnd();
    void okNeedsConfirmation();
    void nowMeansNotAtPeriodEnd();

private:
    static QJsonObject subscription();
};

QJsonObject TestCancelDialog::subscription()
{
    return {{u"id"_s, u"sub_123"_s},    {u"tenant_id"_s, u"acme"_s},
            {u"plan"_s, u"pro"_s},      {u"unit_amount"_s, 4900},
            {u"currency"_s, u"eur"_s},  {u"interval"_s, u"month"_s},
            {u"status"_s, u"active"_s}, {u"current_period_end"_s, 1800000000}};
}

void TestCancelDialog::namesTenantPlanAndAmount()
{
    CancelSubscriptionDialog dialog(subscription());
    const QString text = dialog.findChild<QLabel *>(u"cancelSummary"_s)->text();
    QVERIFY2(text.contains(u"acme"_s), qPrintable(text));
    QVERIFY(text.contains(u"pro"_s));
    QVERIFY(text.contains(u"49.00 EUR"_s));
    QVERIFY(text.contains(u"sub_123"_s));
    QCOMPARE(dialog.subscriptionId(), u"sub_123"_s);
}

void TestCancelDialog::defaultsToPeriodEnd()
{
    CancelSubscriptionDialog dialog(subscription());
    QVERIFY(dialog.findChild<QRadioButton *>(u"atPeriodEndRadio"_s)->isChecked());
    QVERIFY(!dialog.findChild<QRadioButton *>(u"cancelNowRadio"_s)->isChecked());
    QVERIFY(dialog.atPeriodEnd());
}

void TestCancelDialog::okNeedsConfirmation()
{
    CancelSubscriptionDialog dialog(subscription());
    dialog.show();
    QPushButton *ok = dialog.findChild<QDialogButtonBox *>(u"cancelButtons"_s)->button(QDialogButtonBox::Ok);
    auto *confirm = dialog.findChild<QCheckBox *>(u"confirmCancelCheck"_s);
    QVERIFY(!confirm->isChecked());
    QVERIFY(!ok->isEnabled());
    ok->click();
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    QVERIFY(dialog.isVisible());
    confirm->click();
    QVERIFY(ok->isEnabled());
    confirm->click();
    QVERIFY(!ok->isEnabled());
    confirm->click();
    ok->click();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
}

void TestCancelDialog::nowMeansNotAtPeriodEnd()
{
    CancelSubscriptionDialog dialog(subscription());
    dialog.show();
    dialog.findChild<QRadioButton *>(u"cancelNowRadio"_s)->click();
    QVERIFY(!dialog.atPeriodEnd());
    dialog.findChild<QRadioButton *>(u"atPeriodEndRadio"_s)->click();
    QVERIFY(dialog.atPeriodEnd());
}

QTEST_MAIN(TestCancelDialog)
#include "tst_canceldialog.moc"
