#pragma once

#include "common/JsonView.h"
#include "common/Result.h"

#include <QString>

namespace billing {

// The envelope of a Stripe event, read from the raw body: what every handler
// needs beside the event's object, and what payment_events stores beside the
// bytes. It keeps no parsed JSON: the object is read where it is applied
// (dataObject), so an admitted event costs its payload and these fields.
struct StripeEvent
{
    QString id;   // evt_…
    QString type; // invoice.payment_succeeded, …
    qint64 created = 0;
    bool livemode = false;
    QString apiVersion;
    QString objectId; // data.object.id; empty when it has none

    static Result<StripeEvent> parse(const QByteArray &payload);
    // The event's data.object, parsed into document (a view valid while it is).
    static Result<JsonView> dataObject(const QByteArray &payload, JsonDocument &document);
};

} // namespace billing
