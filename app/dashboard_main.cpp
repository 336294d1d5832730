#include "MainWindow.h"

#include <QApplication>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("agencyos-billing"));
    QApplication::setApplicationDisplayName(QStringLiteral("Agency OS Billing"));
    QApplication::setOrganizationName(QStringLiteral("AgencyOS"));
    QApplication::setApplicationVersion(QStringLiteral(BILLING_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("network.agencyos.Billing"));

    billing::ui::MainWindow window;
    window.show();
    return QApplication::exec();
}
