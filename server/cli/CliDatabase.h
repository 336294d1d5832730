#pragma once

#include "CliCommand.h"
#include "config/Settings.h"
#include "db/Migrator.h"

#include <memory>
#include <optional>

namespace billing::server {

// The configured database with this build's migrations, as commands use it.
struct CliDatabase
{
    std::unique_ptr<Database> database;
    std::unique_ptr<Migrator> migrator;
};

// Prints the error and returns nothing when the built-in migrations cannot be read.
std::optional<CliDatabase> openCliDatabase(const Settings &settings, CliStreams streams);
// The same, for commands that need this build's schema: says to migrate when it is not.
std::optional<CliDatabase> openMigratedCliDatabase(const Settings &settings, CliStreams streams);

} // namespace billing::server
