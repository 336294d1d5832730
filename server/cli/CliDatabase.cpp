#include "CliDatabase.h"

using namespace Qt::StringLiterals;

namespace billing::server {

std::optional<CliDatabase> openCliDatabase(const Settings &settings, CliStreams streams)
{
    Result<MigrationCatalog> catalog = MigrationCatalog::builtIn();
    if (!catalog) {
        streams.err << u"error: "_s << catalog.error().message << Qt::endl;
        return std::nullopt;
    }
    CliDatabase opened;
    opened.database = std::make_unique<Database>(settings.database);
    opened.migrator = std::make_unique<Migrator>(*opened.database, std::move(catalog).value());
    return opened;
}

std::optional<CliDatabase> openMigratedCliDatabase(const Settings &settings, CliStreams streams)
{
    std::optional<CliDatabase> opened = openCliDatabase(settings, streams);
    if (!opened)
        return std::nullopt;
    Result<MigrationStatus> status = opened->migrator->status();
    if (!status) {
        streams.err << u"error: "_s << status.error().message << Qt::endl;
        return std::nullopt;
    }
    if (!status->isCurrent()) {
        streams.err
            << u"error: the database is not at this build's schema; run agencyos-billing-server migrate"_s
            << Qt::endl;
        return std::nullopt;
    }
    return opened;
}

} // namespace billing::server
