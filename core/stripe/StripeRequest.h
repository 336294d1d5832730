#pragma once

#include "FormParams.h"
#include "StripeError.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace billing {

// One call to Stripe's API.
struct StripeRequest
{
    QByteArray method; // GET, POST or DELETE
    QString path;      // "/v1/checkout/sessions"
    FormParams params; // the form body of a POST, the query of a GET or DELETE
    // Sent with every POST and reused by its retries; generated when empty.
    QString idempotencyKey;
};

// What a finished call produced: Stripe's JSON object, or the error.
struct StripeResult
{
    QJsonObject object;
    StripeError error;
    int httpStatus = 0;
    QString requestId;
    int attempts = 0;
    QString idempotencyKey;

    bool ok() const { return !error.isError(); }
};

} // namespace billing
