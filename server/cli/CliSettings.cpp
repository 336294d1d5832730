#include "CliSettings.h"

#include <QProcessEnvironment>

using namespace Qt::StringLiterals;

namespace billing::server {

void addConfigurationOptions(QCommandLineParser &parser)
{
    parser.addOption({u"env-file"_s,
                      u"Read settings from this .env file (default: ./.env when present). "
                      "Environment variables override the file."_s,
                      u"path"_s});
}

Result<SettingsSources> loadSettingsSources(const QCommandLineParser &parser)
{
    return SettingsSources::load(QProcessEnvironment::systemEnvironment(), parser.value(u"env-file"_s));
}

void printProblems(const QList<SettingProblem> &problems, QTextStream &stream)
{
    for (const SettingProblem &problem : problems) {
        const QString label = problem.severity == SettingProblem::Severity::Error ? u"error"_s : u"warning"_s;
        stream << label << u": "_s << problem.message << Qt::endl;
    }
}

std::optional<Settings> loadSettingsForCommand(const QCommandLineParser &parser, SettingsScopes scope,
                                               CliStreams streams)
{
    Result<SettingsSources> sources = loadSettingsSources(parser);
    if (!sources) {
        streams.err << u"error: "_s << sources.error().message << Qt::endl;
        return std::nullopt;
    }
    for (const QString &warning : sources->warnings())
        streams.err << u"warning: "_s << warning << Qt::endl;

    ValidatedSettings validated = SettingsValidator::validate(sources.value(), scope);
    printProblems(validated.problems, streams.err);
    if (validated.hasErrors()) {
        streams.err << u"The configuration has errors; fix them and run again "
                       "(agencyos-billing-server check-config shows all settings)."_s
                    << Qt::endl;
        return std::nullopt;
    }
    return std::move(validated.settings);
}

} // namespace billing::server
