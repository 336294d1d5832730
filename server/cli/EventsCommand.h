#pragma once

#include "CliCommand.h"

namespace billing {
class Database;
}

namespace billing::server {

// `events list`: the newest stored events, filtered by status or type.
// `events replay <evt_id> | --failed`: applies stored events again (after a
// fix, or when Stripe's retries have run out). Processed events are left alone.
class EventsCommand final : public CliCommand
{
public:
    QString name() const override;
    QString summary() const override;
    void addOptions(QCommandLineParser &parser) const override;
    bool acceptsPositionalArguments() const override { return true; }
    int run(const QCommandLineParser &parser, CliStreams streams) override;

private:
    static int listEvents(const QCommandLineParser &parser, Database &database, CliStreams streams);
};

} // namespace billing::server
