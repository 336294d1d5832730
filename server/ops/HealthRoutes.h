#pragma once

#include "http/HttpService.h"

#include <QObject>

namespace billing {
class Database;
class Migrator;
} // namespace billing

namespace billing::server {

class Metrics;

// GET /healthz (database reachable, migrations current, licence signing key
// readable: 200, else 503 naming the failed check) and GET /metrics. Neither
// needs a token and neither shows a secret; the service listens on 127.0.0.1
// unless told otherwise.
class HealthRoutes final : public QObject
{
    Q_OBJECT

public:
    struct Dependencies
    {
        Database *database = nullptr;
        Migrator *migrator = nullptr;
        QString signingKeyPath;
        const Metrics *metrics = nullptr;
    };

    explicit HealthRoutes(Dependencies dependencies, QObject *parent = nullptr);
    void install(HttpService &service);

private:
    void health(HttpResponder responder);

    Dependencies m_deps;
};

} // namespace billing::server
