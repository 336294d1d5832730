#include "StripeErrorMapping.h"

using namespace Qt::StringLiterals;

namespace billing::server {

ApiError apiErrorForStripe(const StripeError &error, const QHash<QString, QString> &paramNames,
                           const QString &missingHint)
{
    ApiError result;
    result.stripeRequestId = error.requestId;
    result.param = paramNames.value(error.param);

    switch (error.kind) {
    case StripeError::Kind::Timeout:
        result.status = 504;
        result.type = u"api_error"_s;
        result.message = u"Stripe did not answer in time, also after retries; try again later"_s;
        return result;
    case StripeError::Kind::Network:
        result.status = 502;
        result.type = u"api_error"_s;
        result.message = u"Stripe could not be reached, also after retries: %1"_s.arg(error.message);
        return result;
    case StripeError::Kind::InvalidResponse:
    case StripeError::Kind::ResponseTooLarge:
        result.status = 502;
        result.type = u"api_error"_s;
        result.message = u"Stripe's answer could not be used: %1"_s.arg(error.message);
        return result;
    case StripeError::Kind::None:
    case StripeError::Kind::Api: break;
    }

    if (error.isResourceMissing()) {
        result.status = 404;
        result.type = u"invalid_request_error"_s;
        result.message = error.message + u". "_s + missingHint;
        return result;
    }
    if (error.httpStatus == 401 || error.httpStatus == 403) {
        result.status = 502;
        result.type = u"api_error"_s;
        result.message =
            u"Stripe refused the service's API key (STRIPE_SECRET_KEY): %1; an operator should run "
            "agencyos-billing-server check-config"_s.arg(error.message);
        result.param.clear();
        return result;
    }
    if (error.httpStatus == 402) {
        result.status = 402;
        result.type = error.type;
        result.message = error.message;
        return result;
    }
    if (error.httpStatus >= 400 && error.httpStatus < 500 && error.httpStatus != 409 &&
        error.httpStatus != 429) {
        result.status = 400;
        result.type = error.type.isEmpty() ? u"invalid_request_error"_s : error.type;
        result.message = u"Stripe refused the request: "_s + error.message;
        return result;
    }
    result.status = 502;
    result.type = u"api_error"_s;
    result.message =
        u"Stripe failed (HTTP %1), also after retries: %2"_s.arg(error.httpStatus).arg(error.message);
    return result;
}

} // namespace billing::server
