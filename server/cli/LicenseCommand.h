#pragma once

#include "CliCommand.h"

namespace billing {
class Database;
}

namespace billing::server {

// `license verify <key>` checks a licence key against every key of the
// installation (current and retired) and prints its claims; `license
// public-key` prints the public key products use to check keys (--all: the
// retired ones too); `license rotate-key` makes a new current key.
class LicenseCommand final : public CliCommand
{
public:
    QString name() const override;
    QString summary() const override;
    void addOptions(QCommandLineParser &parser) const override;
    bool acceptsPositionalArguments() const override { return true; }
    int run(const QCommandLineParser &parser, CliStreams streams) override;

private:
    static int printPublicKeys(Database &database, const QString &keyPath, bool all, qint64 now,
                               CliStreams streams);
    static int rotateKey(Database &database, const QString &keyPath, qint64 now, CliStreams streams);
};

} // namespace billing::server
