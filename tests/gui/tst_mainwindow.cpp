#include "MainWindow.h"

#include <QLabel>
#include <QStatusBar>
#include <QTest>

using namespace Qt::StringLiterals;

class TestMainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsEmptyViewUntilConnected();
};

void TestMainWindow::showsEmptyViewUntilConnected()
{
    billing::ui::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.windowTitle(), u"Agency OS Billing"_s);
    auto *emptyView = window.findChild<QLabel *>(u"emptyView"_s);
    QVERIFY(emptyView);
    QCOMPARE(window.centralWidget(), emptyView);
    QVERIFY(emptyView->isVisible());
    QCOMPARE(window.statusBar()->currentMessage(), u"Not connected"_s);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
