#pragma once

#include "StripeClient.h"
#include "common/Result.h"

#include <QElapsedTimer>
#include <QJsonArray>

#include <optional>

namespace billing {

// Reads one of Stripe's lists (GET /v1/customers, /v1/events, …) page by page,
// newest first, at most `rate` requests a second (Stripe allows 100 in live
// mode and 25 in test mode; the client's retry policy handles a 429 anyway).
// Blocks in a local event loop: for the command line, or a thread of its own.
class StripeListReader final
{
public:
    static constexpr qint64 kClockSkewAllowanceSeconds = 60;

    struct Page
    {
        QJsonArray data;
        bool hasMore = false;
        qint64 requestedAt = 0; // Unix seconds (local clock) when it was asked for: Stripe read it later

        // The time to give these objects as snapshots: when they were asked
        // for, less an allowance for the clocks of this machine and Stripe's.
        // An event created about then (request latency, this machine's clock
        // ahead of Stripe's) is then newer and wins. Preferring the event is
        // safe: any later change has an event of its own, while a snapshot
        // wrongly preferred would hide a real event for good.
        qint64 snapshotTime() const { return requestedAt - kClockSkewAllowanceSeconds; }
    };

    StripeListReader(StripeClient &stripe, QString path, FormParams filters, int pageSize, int rate);

    // Continue after this object (a resumed run); empty: from the top.
    void setStartingAfter(const QString &objectId) { m_startingAfter = objectId; }
    // Only objects created at or before this Unix time (created[lte]).
    void setCreatedAtMost(qint64 seconds) { m_createdAtMost = seconds; }
    // The next page; the one after it starts after its last object.
    Result<Page> next();
    // Stripe's error when next() failed on an answer (kind None otherwise).
    const StripeError &lastError() const { return m_lastError; }

private:
    StripeClient &m_stripe;
    QString m_path;
    FormParams m_filters;
    int m_pageSize;
    qint64 m_minimumGapMs;
    QString m_startingAfter;
    std::optional<qint64> m_createdAtMost;
    QElapsedTimer m_sinceLastRequest;
    StripeError m_lastError;
};

// One object (GET /v1/subscriptions/sub_…), blocking as the reader does.
// objectMissing: Stripe answered 404 (deleted, or of another account).
struct StripeObjectRead
{
    QJsonObject object;
    qint64 snapshotTime = 0; // as Page::snapshotTime
    bool objectMissing = false;
};
Result<StripeObjectRead> readStripeObject(StripeClient &stripe, const QString &path,
                                          const FormParams &query = {});

} // namespace billing
