#include "FakeAdminApi.h"
#include "SignInDialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using billing::test::FakeAdminApi;
using billing::ui::SignInDialog;

class TestSignInDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void defaultsToLocalService();
    void acceptsOnlyAfterSessionSucceeds();
    void showsErrorOn401();
    void showsUnreachableService();
    void refusesPlainHttpToAnotherMachine();
};

void TestSignInDialog::initTestCase()
{
    QNetworkProxyFactory::setUseSystemConfiguration(false);
}

void TestSignInDialog::defaultsToLocalService()
{
    QNetworkAccessManager network;
    SignInDialog dialog(&network);
    QCOMPARE(dialog.findChild<QLineEdit *>(u"serviceUrlEdit"_s)->text(), u"http://127.0.0.1:8787"_s);
    QCOMPARE(dialog.findChild<QLineEdit *>(u"tokenEdit"_s)->echoMode(), QLineEdit::Password);
}

void TestSignInDialog::acceptsOnlyAfterSessionSucceeds()
{
    FakeAdminApi fake;
    QVERIFY(fake.listen());
    QNetworkAccessManager network;
    SignInDialog dialog(&network);
    dialog.setServiceUrl(fake.url());
    dialog.findChild<QLineEdit *>(u"tokenEdit"_s)->setText(u"tok_alice"_s);
    dialog.show();
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    QSignalSpy tested(&dialog, &SignInDialog::testFinished);

    dialog.findChild<QDialogButtonBox *>(u"signInButtons"_s)->button(QDialogButtonBox::Ok)->click();
    QCOMPARE(accepted.size(), 0); // not before /session answered
    QVERIFY(tested.wait());
    QCOMPARE(tested.at(0).at(0).toBool(), true);
    QCOMPARE(accepted.size(), 1);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(dialog.staffName(), u"alice"_s);
    QCOMPARE(dialog.mode(), u"test"_s);
    QCOMPARE(dialog.token(), u"tok_alice"_s);
    const auto sessions = fake.requestsTo("GET", u"/admin/v1/session"_s);
    QCOMPARE(sessions.size(), 1);
    QCOMPARE(sessions.at(0).authorization, QByteArray("Bearer tok_alice"));
}

void TestSignInDialog::showsErrorOn401()
{
    FakeAdminApi fake;
    QVERIFY(fake.listen());
    fake.setResponse("GET", u"/admin/v1/session"_s, 401,
                     FakeAdminApi::error(u"Unknown or revoked staff token."_s, u"authentication_error"_s));
    QNetworkAccessManager network;
    SignInDialog dialog(&network);
    dialog.setServiceUrl(fake.url());
    dialog.findChild<QLineEdit *>(u"tokenEdit"_s)->setText(u"tok_revoked"_s);
    dialog.show();
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    QSignalSpy tested(&dialog, &SignInDialog::testFinished);

    dialog.findChild<QPushButton *>(u"testButton"_s)->click();
    QVERIFY(tested.wait());
    QCOMPARE(tested.at(0).at(0).toBool(), false);
    QCOMPARE(dialog.findChild<QLabel *>(u"signInStatus"_s)->text(), u"Unknown or revoked staff token."_s);

    dialog.findChild<QDialogButtonBox *>(u"signInButtons"_s)->button(QDialogButtonBox::Ok)->click();
    QVERIFY(tested.wait());
    QCOMPARE(accepted.size(), 0);
    QVERIFY(dialog.isVisible());
    QCOMPARE(fake.requestsTo("GET", u"/admin/v1/session"_s).size(), 2);
}

void TestSignInDialog::showsUnreachableService()
{
    QNetworkAccessManager network;
    SignInDialog dialog(&network);
    dialog.setServiceUrl(FakeAdminApi::unreachableUrl());
    dialog.setToken(u"tok"_s);
    dialog.show();
    QSignalSpy tested(&dialog, &SignInDialog::testFinished);
    dialog.testConnection();
    QVERIFY(tested.wait());
    QCOMPARE(tested.at(0).at(0).toBool(), false);
    QVERIFY(dialog.findChild<QLabel *>(u"signInStatus"_s)->text().contains(u"unreachable"_s));
}

void TestSignInDialog::refusesPlainHttpToAnotherMachine()
{
    QNetworkAccessManager network;
    SignInDialog dialog(&network);
    dialog.setServiceUrl(QUrl(u"http://billing.example.net:8787"_s));
    dialog.setToken(u"tok_not_for_the_wire"_s);
    dialog.show();
    QSignalSpy tested(&dialog, &SignInDialog::testFinished);
    dialog.testConnection();
    // Refused before any request: the token never leaves the machine.
    QCOMPARE(tested.size(), 1);
    QCOMPARE(tested.at(0).at(0).toBool(), false);
    QVERIFY(dialog.findChild<QLabel *>(u"signInStatus"_s)->text().contains(u"https://"_s));
}

QTEST_MAIN(TestSignInDialog)
#include "tst_signindialog.moc"
