#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QTextStream>

namespace billing::server {

// Exit codes of agencyos-billing-server, documented in the README.
enum ExitCode : int {
    ExitOk = 0,
    ExitFailure = 1,       // the command ran and failed (database, network, ...)
    ExitUsage = 2,         // wrong command line
    ExitConfiguration = 3, // the configuration is invalid
    ExitDivergent = 4,     // reconcile: local state differs from Stripe's
};

struct CliStreams
{
    QTextStream &out;
    QTextStream &err;
};

// One subcommand: `agencyos-billing-server <name> [options]`.
class CliCommand
{
public:
    virtual ~CliCommand() = default;
    virtual QString name() const = 0;
    virtual QString summary() const = 0;
    virtual void addOptions(QCommandLineParser &parser) const = 0;
    // Commands with verbs ("webhook verify") take positional arguments.
    virtual bool acceptsPositionalArguments() const { return false; }
    virtual int run(const QCommandLineParser &parser, CliStreams streams) = 0;
};

} // namespace billing::server
