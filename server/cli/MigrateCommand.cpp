#include "MigrateCommand.h"

#include "CliDatabase.h"
#include "CliSettings.h"

using namespace Qt::StringLiterals;

namespace billing::server {

QString MigrateCommand::name() const
{
    return u"migrate"_s;
}

QString MigrateCommand::summary() const
{
    return u"Apply pending database migrations (a no-op when the schema is current)"_s;
}

void MigrateCommand::addOptions(QCommandLineParser &parser) const
{
    addConfigurationOptions(parser);
    parser.addOption({u"status"_s, u"Show applied and pending migrations without changing anything."_s});
}

int MigrateCommand::run(const QCommandLineParser &parser, CliStreams streams)
{
    const std::optional<Settings> settings = loadSettingsForCommand(parser, SettingsScope::Database, streams);
    if (!settings)
        return ExitConfiguration;

    std::optional<CliDatabase> opened = openCliDatabase(settings.value(), streams);
    if (!opened)
        return ExitFailure;
    Migrator &migrator = *opened->migrator;
    const QString where = settings->database.toDisplayString();

    if (parser.isSet(u"status"_s)) {
        Result<MigrationStatus> status = migrator.status();
        if (!status) {
            streams.err << u"error: "_s << status.error().message << Qt::endl;
            return ExitFailure;
        }
        streams.out << u"Database: "_s << where
                    << (status->databaseExists ? QString() : u" (does not exist yet)"_s) << Qt::endl;
        for (const Migration &migration : std::as_const(status->applied))
            streams.out << u"  applied  "_s << migration.fileName << Qt::endl;
        for (const Migration &migration : std::as_const(status->pending))
            streams.out << u"  pending  "_s << migration.fileName << Qt::endl;
        streams.out << (status->isCurrent() ? u"The schema is current."_s
                                            : u"%1 migration(s) pending."_s.arg(status->pending.size()))
                    << Qt::endl;
        return ExitOk;
    }

    Result<QList<Migration>> applied = migrator.migrate();
    if (!applied) {
        streams.err << u"error: "_s << applied.error().message << Qt::endl;
        return ExitFailure;
    }
    if (applied->isEmpty()) {
        streams.out << u"%1 is up to date; nothing to do."_s.arg(where) << Qt::endl;
        return ExitOk;
    }
    for (const Migration &migration : std::as_const(applied.value()))
        streams.out << u"applied "_s << migration.fileName << Qt::endl;
    streams.out << u"Applied %1 migration(s) to %2."_s.arg(applied->size()).arg(where) << Qt::endl;
    return ExitOk;
}

} // namespace billing::server
