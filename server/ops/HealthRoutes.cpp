#include "HealthRoutes.h"

#include "Metrics.h"
#include "db/Database.h"
#include "db/Migrator.h"

#include <QFile>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace billing::server {

HealthRoutes::HealthRoutes(Dependencies dependencies, QObject *parent)
    : QObject(parent)
    , m_deps(std::move(dependencies))
{}

void HealthRoutes::install(HttpService &service)
{
    service.addRoute("GET", u"/healthz"_s,
                     [this](const HttpRequest &, HttpResponder responder) { health(std::move(responder)); });
    service.addRoute("GET", u"/metrics"_s, [this](const HttpRequest &, HttpResponder responder) {
        responder.sendText(200, m_deps.metrics->render(), "text/plain; version=0.0.4; charset=utf-8");
    });
}

void HealthRoutes::health(HttpResponder responder)
{
    QJsonObject checks;
    bool healthy = true;
    const auto check = [&](const QString &name, const QString &problem) {
        checks.insert(name, problem.isEmpty() ? u"ok"_s : problem);
        healthy = healthy && problem.isEmpty();
    };

    Result<QSqlDatabase> db = m_deps.database->connection();
    Result<void> reachable = db ? checkReachable(db.value()) : Result<void>(db.error());
    if (!reachable) {
        // A PostgreSQL server that restarted leaves a dead connection behind: one fresh try.
        db = m_deps.database->reconnect();
        reachable = db ? checkReachable(db.value()) : Result<void>(db.error());
    }
    check(u"database"_s, reachable ? QString() : u"unreachable: "_s + reachable.error().message);

    Result<MigrationStatus> status = m_deps.migrator->status();
    check(u"migrations"_s, !status               ? status.error().message
                           : status->isCurrent() ? QString()
                                                 : u"the schema is not at this build's version"_s);

    QFile key(m_deps.signingKeyPath);
    check(u"license_signing_key"_s, key.open(QIODevice::ReadOnly) ? QString() : u"not readable"_s);

    responder.sendJson(healthy ? 200 : 503,
                       {{u"status"_s, healthy ? u"ok"_s : u"unhealthy"_s}, {u"checks"_s, checks}});
}

} // namespace billing::server
