#pragma once

#include <QHttpServerResponse>
#include <QString>

namespace billing::server {

// Every error the service answers has this shape, Stripe's own:
//   {"error": {"type": "...", "message": "...", "param": "..." | null}}
QHttpServerResponse jsonError(QHttpServerResponse::StatusCode status, const QString &type,
                              const QString &message, const QString &param = {});

} // namespace billing::server
