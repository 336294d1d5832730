#pragma once

#include <QString>

namespace billing {

// Why a Stripe call failed: Stripe's own error object when it answered, or what
// went wrong on the way. Never holds the API key.
struct StripeError
{
    enum class Kind {
        None,             // no error
        Api,              // Stripe answered with an error object
        Network,          // connection refused, reset, DNS, TLS, …
        Timeout,          // no complete answer within the timeout
        InvalidResponse,  // an answer that is not Stripe's JSON
        ResponseTooLarge, // an answer over the size cap
    };

    Kind kind = Kind::None;
    int httpStatus = 0;
    QString type; // api_error, card_error, idempotency_error, invalid_request_error, …
    QString code; // resource_missing, parameter_unknown, …
    QString message;
    QString param;
    QString declineCode;
    QString requestId; // the Request-Id header, for Stripe support

    bool isError() const { return kind != Kind::None; }
    bool isResourceMissing() const { return kind == Kind::Api && code == QLatin1String("resource_missing"); }
    // One line for logs and messages: status, type/code, message, request id.
    QString summary() const;
};

} // namespace billing
