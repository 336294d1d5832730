#pragma once

#include "CliCommand.h"

#include <memory>
#include <vector>

namespace billing::server {

// agencyos-billing-server's command line: `<command> [options]`, each command
// with its own --help, parsed with QCommandLineParser.
class CommandLineInterface final
{
public:
    CommandLineInterface();
    ~CommandLineInterface();

    // arguments as from QCoreApplication::arguments(); returns the exit code.
    int run(const QStringList &arguments);

private:
    QString overview() const;
    CliCommand *find(const QString &name) const;

    std::vector<std::unique_ptr<CliCommand>> m_commands;
};

} // namespace billing::server
