#include "StripeEmulator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

using namespace Qt::StringLiterals;

// stripe-emulator: the project's local Stripe stand-in, for the offline demo
// and manual testing. Never point a live key at it.
int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1"); // as the service does: no GLib code here
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"stripe-emulator"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Local Stripe API emulator for Agency OS Billing tests and demos"_s);
    parser.addHelpOption();
    parser.addOption({u"port"_s, u"Port to listen on (0: any free port)."_s, u"port"_s, u"12111"_s});
    parser.addOption({u"listen"_s, u"Address to listen on."_s, u"address"_s, u"127.0.0.1"_s});
    parser.addOption(
        {u"api-key"_s, u"The only sk_test_ key accepted (default: any sk_test_ key)."_s, u"key"_s});
    parser.addOption(
        {u"webhook-secret"_s, u"Signing secret(s) for webhook deliveries, comma-separated."_s, u"whsec"_s});
    parser.addOption({u"webhook-url"_s, u"Where to deliver webhook events."_s, u"url"_s});
    parser.addOption({u"state-file"_s,
                      u"Keep the account (customers, subscriptions, invoices, events) in this file across "
                      "restarts; every change is saved before it is answered."_s,
                      u"path"_s});
    parser.addOption({u"check-state"_s,
                      u"Only check that --state-file holds a saved account: exit 0 if it does, 1 if not."_s});
    parser.process(app);

    QTextStream err(stderr);
    billing::emulator::StripeEmulator::Options options;
    options.apiKey = parser.value(u"api-key"_s);
    options.webhookSecrets = parser.value(u"webhook-secret"_s).split(u',', Qt::SkipEmptyParts);
    options.webhookUrl = QUrl(parser.value(u"webhook-url"_s));
    if (!options.apiKey.isEmpty() && !options.apiKey.startsWith(u"sk_test_")) {
        err << "stripe-emulator: --api-key must be a test-mode key (sk_test_…)" << Qt::endl;
        return 2;
    }

    billing::emulator::StripeEmulator emulator(options);
    const QString statePath = parser.value(u"state-file"_s);
    if (parser.isSet(u"check-state"_s) && statePath.isEmpty()) {
        err << "stripe-emulator: --check-state needs --state-file" << Qt::endl;
        return 2;
    }
    if (!statePath.isEmpty()) {
        const billing::emulator::EmulatorStateFile stateFile(statePath);
        QString error;
        switch (stateFile.load(emulator.store(), &error)) {
        case billing::emulator::EmulatorStateFile::Load::Unreadable:
            err << "stripe-emulator: the saved account is unreadable: " << error << Qt::endl
                << "stripe-emulator: move that file away to start with an empty account" << Qt::endl;
            return 1;
        case billing::emulator::EmulatorStateFile::Load::Missing:
            if (parser.isSet(u"check-state"_s)) {
                err << "stripe-emulator: no saved account at " << statePath << Qt::endl;
                return 1;
            }
            break;
        case billing::emulator::EmulatorStateFile::Load::Loaded: break;
        }
        if (parser.isSet(u"check-state"_s))
            return 0;
        if (!emulator.persistTo(stateFile, &error)) {
            err << "stripe-emulator: " << error << Qt::endl;
            return 1;
        }
    }
    bool portOk = false;
    const uint port = parser.value(u"port"_s).toUInt(&portOk);
    if (!portOk || port > 65535) {
        err << "stripe-emulator: --port must be a number from 0 to 65535" << Qt::endl;
        return 2;
    }
    const billing::Result<quint16> bound =
        emulator.listen(QHostAddress(parser.value(u"listen"_s)), quint16(port));
    if (!bound) {
        err << "stripe-emulator: " << bound.error().message << Qt::endl;
        return 1;
    }
    QTextStream(stdout) << "stripe-emulator listening on http://" << parser.value(u"listen"_s) << ':'
                        << bound.value() << Qt::endl;
    return QCoreApplication::exec();
}
