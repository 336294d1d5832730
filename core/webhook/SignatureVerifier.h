#pragma once

#include "common/Clock.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <chrono>

namespace billing {

// Checks a webhook delivery as Stripe's official SDKs do: HMAC-SHA256 over
// "<t>.<raw body>" keyed with the whole whsec_… secret, compared in constant
// time with every v1 signature; any match with any configured secret passes
// (rotation). A timestamp older than the tolerance is refused, and, unlike the
// SDKs, so is one further than the tolerance in the future: a clock that far
// ahead is not Stripe's.
class SignatureVerifier final
{
public:
    enum class Outcome {
        Valid,
        MissingHeader,
        MalformedHeader,
        NoV1Signature,
        TimestampTooOld,
        TimestampInFuture,
        NoMatch,
        NoSecretConfigured,
    };

    struct Verdict
    {
        Outcome outcome = Outcome::NoMatch;
        QString reason;              // what failed, for the 400 answer and logs; never a secret
        int matchedSecretIndex = -1; // which configured secret matched (0-based)
        qint64 timestamp = 0;

        bool isValid() const { return outcome == Outcome::Valid; }
    };

    SignatureVerifier(QStringList secrets, std::chrono::seconds tolerance,
                      const Clock &clock = Clock::system());

    Verdict verify(const QByteArray &signatureHeader, const QByteArray &payload) const;

private:
    QList<QByteArray> m_secrets;
    std::chrono::seconds m_tolerance;
    const Clock &m_clock;
};

} // namespace billing
