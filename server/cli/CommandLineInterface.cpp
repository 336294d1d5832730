#include "CommandLineInterface.h"

#include "CheckConfigCommand.h"
#include "EventsCommand.h"
#include "LicenseCommand.h"
#include "MigrateCommand.h"
#include "ReconcileCommand.h"
#include "ServeCommand.h"
#include "StaffCommand.h"
#include "SyncCommand.h"
#include "WebhookCommand.h"

#include <QCoreApplication>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {
const QString kProgram = u"agencyos-billing-server"_s;
}

CommandLineInterface::CommandLineInterface()
{
    m_commands.push_back(std::make_unique<ServeCommand>());
    m_commands.push_back(std::make_unique<MigrateCommand>());
    m_commands.push_back(std::make_unique<CheckConfigCommand>());
    m_commands.push_back(std::make_unique<WebhookCommand>());
    m_commands.push_back(std::make_unique<LicenseCommand>());
    m_commands.push_back(std::make_unique<EventsCommand>());
    m_commands.push_back(std::make_unique<StaffCommand>());
    m_commands.push_back(std::make_unique<SyncCommand>());
    m_commands.push_back(std::make_unique<ReconcileCommand>());
}

CommandLineInterface::~CommandLineInterface() = default;

CliCommand *CommandLineInterface::find(const QString &name) const
{
    for (const auto &command : m_commands) {
        if (command->name() == name)
            return command.get();
    }
    return nullptr;
}

QString CommandLineInterface::overview() const
{
    QString text = u"Usage: %1 <command> [options]\n\n"
                   "Agency OS Billing: Stripe subscription billing service and ops tools.\n\n"
                   "Commands:\n"_s.arg(kProgram);
    for (const auto &command : m_commands)
        text += u"  "_s + command->name().leftJustified(14) + command->summary() + u'\n';
    text += u"\nRun '%1 <command> --help' for a command's options.\n"_s.arg(kProgram);
    return text;
}

int CommandLineInterface::run(const QStringList &arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    const CliStreams streams{out, err};

    const QString first = arguments.value(1);
    if (first.isEmpty()) {
        err << overview();
        return ExitUsage;
    }
    if (first == u"--help" || first == u"-h" || first == u"help") {
        out << overview();
        return ExitOk;
    }
    if (first == u"--version" || first == u"-v") {
        out << kProgram << u' ' << QCoreApplication::applicationVersion() << Qt::endl;
        return ExitOk;
    }

    CliCommand *command = find(first);
    if (!command) {
        err << u"%1: unknown command \"%2\"\n\n"_s.arg(kProgram, first) << overview();
        return ExitUsage;
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(command->summary());
    const QCommandLineOption helpOption = parser.addHelpOption();
    command->addOptions(parser);

    QStringList commandArguments = arguments.mid(2);
    commandArguments.prepend(kProgram + u' ' + command->name());
    if (!parser.parse(commandArguments)) {
        err << kProgram << u' ' << command->name() << u": "_s << parser.errorText() << Qt::endl;
        return ExitUsage;
    }
    if (parser.isSet(helpOption)) {
        // QCommandLineParser names the binary's path in its usage line; name the command instead.
        QString help = parser.helpText();
        help.replace(0, help.indexOf(u'\n'), u"Usage: %1 %2 [options]"_s.arg(kProgram, command->name()));
        out << help;
        return ExitOk;
    }
    if (!command->acceptsPositionalArguments() && !parser.positionalArguments().isEmpty()) {
        err << u"%1 %2: unexpected argument \"%3\"\n"_s.arg(kProgram, command->name(),
                                                            parser.positionalArguments().constFirst());
        return ExitUsage;
    }
    return command->run(parser, streams);
}

} // namespace billing::server
