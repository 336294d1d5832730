#include "RetryPolicy.h"

#include <algorithm>
#include <cmath>

namespace billing {

std::optional<std::chrono::milliseconds> RetryPolicy::nextDelay(int attempt, const Answer &answer,
                                                                double jitter01) const
{
    using std::chrono::milliseconds;
    if (attempt > maxRetries)
        return std::nullopt;

    bool retry = false;
    if (answer.shouldRetryHeader == "false")
        retry = false;
    else if (answer.shouldRetryHeader == "true")
        retry = true;
    else if (answer.connectionError)
        retry = true;
    else
        retry = answer.httpStatus == 409 || answer.httpStatus == 429 || answer.httpStatus >= 500;
    if (!retry)
        return std::nullopt;

    // initial · 2^(attempt-1), capped, then scaled into [½, 1) of itself so that
    // many clients retrying at once spread out; never below the initial delay.
    const double exponential =
        std::min(double(maxDelay.count()), double(initialDelay.count()) * std::pow(2.0, attempt - 1));
    auto delay = milliseconds(qint64(exponential * (0.5 + 0.5 * jitter01)));
    delay = std::max(delay, initialDelay);

    bool ok = false;
    const qint64 retryAfterSeconds = answer.retryAfterHeader.trimmed().toLongLong(&ok);
    if (ok && retryAfterSeconds >= 0) {
        const milliseconds retryAfter(retryAfterSeconds * 1000);
        if (retryAfter > maxRetryAfter)
            return std::nullopt;
        delay = std::max(delay, retryAfter);
    }
    return delay;
}

} // namespace billing
