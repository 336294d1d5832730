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

} // namespace billing::server
