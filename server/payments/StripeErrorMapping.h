#pragma once

#include "http/ApiError.h"
#include "stripe/StripeError.h"

#include <QHash>

namespace billing::server {

// What our caller is told when a Stripe call fails: Stripe's resource_missing
// becomes 404 (with the seed's live/test hint), Stripe's view of a bad request
// 400, a Stripe that fails or cannot be reached after retries 502 / 504, and a
// rejected API key 502 (it is our configuration, not the caller's request).
// paramNames maps Stripe's parameter names to the endpoint's field names.
ApiError apiErrorForStripe(const StripeError &error, const QHash<QString, QString> &paramNames,
                           const QString &missingHint);

} // namespace billing::server
