#include "cli/CommandLineInterface.h"
#include "common/Logging.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    // Qt's own event dispatcher: the service integrates no GLib code, and the
    // GLib one costs about a tenth of checkout throughput (bench_checkout).
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("agencyos-billing-server"));
    QCoreApplication::setOrganizationName(QStringLiteral("AgencyOS"));
    QCoreApplication::setApplicationVersion(QStringLiteral(BILLING_VERSION));
    billing::keepSecretsOutOfLogs();
    qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{type} %{category}: %{message}"));

    billing::server::CommandLineInterface cli;
    return cli.run(QCoreApplication::arguments());
}
