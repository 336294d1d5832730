#include "cli/CommandLineInterface.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("agencyos-billing-server"));
    QCoreApplication::setOrganizationName(QStringLiteral("AgencyOS"));
    QCoreApplication::setApplicationVersion(QStringLiteral(BILLING_VERSION));
    qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{type} %{category}: %{message}"));

    billing::server::CommandLineInterface cli;
    return cli.run(QCoreApplication::arguments());
}
