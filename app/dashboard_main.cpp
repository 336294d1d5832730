#include "ApiClient.h"
#include "MainWindow.h"
#include "SignInDialog.h"
#include "TokenStore.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QNetworkAccessManager>

using namespace billing::ui;

namespace {

// Shows the sign-in dialog; on success stores URL and token and hands them to the client.
void signIn(QNetworkAccessManager *network, TokenStore *store, ApiClient *client, QWidget *parent,
            const std::function<void()> &onSignedIn)
{
    auto *dialog = new SignInDialog(network, parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setServiceUrl(store->serviceUrl());
    QObject::connect(dialog, &QDialog::accepted, store, [dialog, store, client, onSignedIn] {
        store->setServiceUrl(dialog->serviceUrl());
        store->save(dialog->token());
        client->setServiceUrl(dialog->serviceUrl());
        client->setToken(dialog->token());
        onSignedIn();
    });
    QObject::connect(dialog, &QDialog::rejected, store, [parent] {
        if (!parent)
            QApplication::quit();
    });
    dialog->open();
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("agencyos-billing"));
    QApplication::setApplicationDisplayName(QStringLiteral("Agency OS Billing"));
    QApplication::setOrganizationName(QStringLiteral("AgencyOS"));
    QApplication::setApplicationVersion(QStringLiteral(BILLING_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("network.agencyos.Billing"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QObject::tr("The Agency OS Billing dashboard"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption viewOption(
        QStringLiteral("view"),
        QObject::tr("The view to open: overview, events, subscriptions, licenses, invoicesAndDunning, "
                    "deliveries, audit or reconciliation."),
        QStringLiteral("name"), QStringLiteral("overview"));
    parser.addOption(viewOption);
    parser.process(app);

    QNetworkAccessManager network;
    TokenStore store;
    ApiClient client(&network);
    MainWindow window(&client);
    if (!window.showView(parser.value(viewOption))) {
        qWarning("unknown view \"%s\"; see --help", qPrintable(parser.value(viewOption)));
        return 2;
    }

    const auto showWindow = [&window] {
        window.show();
        window.start();
    };
    QObject::connect(&window, &MainWindow::signInRequested, &window,
                     [&] { signIn(&network, &store, &client, &window, [&window] { window.start(); }); });
    QObject::connect(
        &store, &TokenStore::saved, &window, [&window](bool ok, TokenStore::Backend, const QString &error) {
            if (!ok)
                QMessageBox::warning(&window, QObject::tr("Token not saved"),
                                     QObject::tr("The token works but could not be stored: %1").arg(error));
        });

    // The demo script and benchmarks pass both through the environment.
    const QString envUrl = qEnvironmentVariable("AGENCYOS_BILLING_URL");
    const QString envToken = qEnvironmentVariable("AGENCYOS_BILLING_TOKEN");
    if (!envUrl.isEmpty() && !envToken.isEmpty()) {
        client.setServiceUrl(QUrl::fromUserInput(envUrl));
        client.setToken(envToken);
        showWindow();
        return QApplication::exec();
    }

    QObject::connect(&store, &TokenStore::loaded, &window, [&](const QString &token) {
        const QString url = envUrl.isEmpty() ? store.serviceUrl().toString() : envUrl;
        const QString storedToken = envToken.isEmpty() ? token : envToken;
        if (storedToken.isEmpty()) {
            signIn(&network, &store, &client, nullptr, showWindow);
            return;
        }
        client.setServiceUrl(QUrl::fromUserInput(url));
        client.setToken(storedToken);
        showWindow();
    });
    store.load();
    return QApplication::exec();
}
