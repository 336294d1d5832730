#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QUrlQuery>

namespace billing::server {

// A request as our routes see it: a copy of what QHttpServerRequest holds
// (so routes never touch the preview API), plus the {placeholders} of the
// matched route.
struct HttpRequest
{
    QByteArray method;
    QString path;
    QUrlQuery query;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QHostAddress remoteAddress;
    QHash<QString, QString> pathArgs;

    // The first header of that name, case-insensitively; empty when absent.
    QByteArray header(QByteArrayView name) const;
    // The token of "Authorization: Bearer <token>"; empty without one.
    QByteArray bearerToken() const;
    // How many headers of that name the request carries.
    qsizetype headerCount(QByteArrayView name) const;
};

} // namespace billing::server
