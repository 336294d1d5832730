#pragma once

#include <QByteArray>

#include <chrono>
#include <optional>

namespace billing {

// When and how long to wait before retrying a Stripe call, as Stripe's SDKs do:
// connection errors, 409 (lock timeout), 429 and 5xx are retried with
// exponential backoff and jitter; other 4xx never. Stripe-Should-Retry, when
// present, decides; Retry-After, when reasonable, sets the wait.
struct RetryPolicy
{
    int maxRetries = 2; // three tries in all
    std::chrono::milliseconds initialDelay{500};
    std::chrono::milliseconds maxDelay{8000};
    // A Retry-After beyond this is not honoured (the call fails instead of hanging).
    std::chrono::milliseconds maxRetryAfter{60000};

    struct Answer
    {
        int httpStatus = 0; // 0 when no HTTP answer arrived
        bool connectionError = false;
        QByteArray shouldRetryHeader; // Stripe-Should-Retry
        QByteArray retryAfterHeader;  // Retry-After (seconds)
    };

    // The delay before the next try after `attempt` tries (1-based), or nothing.
    // jitter01 is a random number in [0, 1) (injected so tests are exact).
    std::optional<std::chrono::milliseconds> nextDelay(int attempt, const Answer &answer,
                                                       double jitter01) const;
};

} // namespace billing
