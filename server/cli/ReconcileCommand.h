#pragma once

#include "CliCommand.h"

namespace billing::server {

// `reconcile [--tenant ID] [--fix] [--json] [--rate N]`: compares local state
// with Stripe's objects (core's Reconciler) and prints one line per
// divergence. Exit 0 when nothing differs, 4 when something does, 1 on
// failure. --fix applies Stripe's objects through the appliers (source
// "reconcile"), audited under the operator's name, then checks again.
class ReconcileCommand final : public CliCommand
{
public:
    QString name() const override;
    QString summary() const override;
    void addOptions(QCommandLineParser &parser) const override;
    int run(const QCommandLineParser &parser, CliStreams streams) override;
};

} // namespace billing::server
