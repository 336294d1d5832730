#pragma once

#include "CliCommand.h"

namespace billing::server {

// `serve`: the long-running service. Applies pending migrations first (several
// instances starting at once are safe), unless --no-migrate is given.
class ServeCommand final : public CliCommand
{
public:
    QString name() const override;
    QString summary() const override;
    void addOptions(QCommandLineParser &parser) const override;
    int run(const QCommandLineParser &parser, CliStreams streams) override;
};

} // namespace billing::server
