#pragma once

#include "CliCommand.h"
#include "billing/EventProcessor.h"
#include "stripe/StripeClient.h"

#include <optional>

namespace billing::server {

// `sync events`: catches up with the events Stripe sent while the service
// could not take them, from GET /v1/events, newest stored event onwards.
// Pages through Stripe's list at a limited rate, shows progress, and applies
// the events oldest first through the same processor as webhooks (source
// "sync"); already stored ones are skipped, so an interrupted run resumes.
// `sync customers|subscriptions|invoices|all`: imports Stripe's objects
// (StripeBackfill).
class SyncCommand final : public CliCommand
{
public:
    QString name() const override;
    QString summary() const override;
    void addOptions(QCommandLineParser &parser) const override;
    bool acceptsPositionalArguments() const override { return true; }
    int run(const QCommandLineParser &parser, CliStreams streams) override;

private:
    static int syncEvents(Database &database, StripeClient &stripe, EventProcessor &processor,
                          std::optional<qint64> since, int pageSize, int rate, CliStreams streams);
};

} // namespace billing::server
