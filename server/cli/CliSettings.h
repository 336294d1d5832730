#pragma once

#include "CliCommand.h"
#include "config/SettingsValidator.h"

#include <optional>

namespace billing::server {

// The options every command shares for finding its configuration.
void addConfigurationOptions(QCommandLineParser &parser);

// Loads and validates the configuration for a command: prints warnings, and
// prints errors and returns nothing when the command cannot run.
std::optional<Settings> loadSettingsForCommand(const QCommandLineParser &parser, SettingsScopes scope,
                                               CliStreams streams);

// Loads the sources named on the command line (the .env file and the environment).
Result<SettingsSources> loadSettingsSources(const QCommandLineParser &parser);

void printProblems(const QList<SettingProblem> &problems, QTextStream &stream);

} // namespace billing::server
