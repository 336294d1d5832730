#pragma once

#include "common/Result.h"

#include <QJsonObject>
#include <QString>

namespace billing {

// The envelope of a Stripe event, read from the raw body: what every handler
// needs, and what payment_events stores beside the bytes.
struct StripeEvent
{
    QString id;   // evt_…
    QString type; // invoice.payment_succeeded, …
    qint64 created = 0;
    bool livemode = false;
    QString apiVersion;
    QJsonObject object; // data.object
    QJsonObject previousAttributes;

    QString objectId() const { return object.value(QLatin1String("id")).toString(); }

    static Result<StripeEvent> parse(const QByteArray &payload);
};

} // namespace billing
