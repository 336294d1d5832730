#include "MainWindow.h"

#include <QLabel>
#include <QStatusBar>

namespace billing::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("Agency OS Billing"));
    setObjectName(QStringLiteral("mainWindow"));
    resize(1100, 700);

    auto *placeholder = new QLabel(tr("No billing service connected."), this);
    placeholder->setObjectName(QStringLiteral("emptyView"));
    placeholder->setAlignment(Qt::AlignCenter);
    setCentralWidget(placeholder);

    statusBar()->showMessage(tr("Not connected"));
}

} // namespace billing::ui
