#include "SignatureVerifier.h"

#include "SignatureHeader.h"
#include "WebhookSigner.h"
#include "common/ConstantTime.h"

using namespace Qt::StringLiterals;

namespace billing {

SignatureVerifier::SignatureVerifier(QStringList secrets, std::chrono::seconds tolerance, const Clock &clock)
    : m_tolerance(tolerance)
    , m_clock(clock)
{
    for (const QString &secret : secrets)
        m_secrets << secret.toUtf8();
}

SignatureVerifier::Verdict SignatureVerifier::verify(const QByteArray &signatureHeader,
                                                     const QByteArray &payload) const
{
    Verdict verdict;
    if (m_secrets.isEmpty()) {
        verdict.outcome = Outcome::NoSecretConfigured;
        verdict.reason = u"no webhook signing secret is configured (STRIPE_WEBHOOK_SECRET)"_s;
        return verdict;
    }
    if (signatureHeader.trimmed().isEmpty()) {
        verdict.outcome = Outcome::MissingHeader;
        verdict.reason = u"no Stripe-Signature header"_s;
        return verdict;
    }
    const Result<SignatureHeader> header = SignatureHeader::parse(signatureHeader);
    if (!header) {
        verdict.outcome =
            header.error().message.startsWith(u"no v1") ? Outcome::NoV1Signature : Outcome::MalformedHeader;
        verdict.reason = header.error().message;
        return verdict;
    }
    verdict.timestamp = header->timestamp;

    // Signatures first: a stale but genuine delivery is told apart from a forged one.
    for (qsizetype i = 0; i < m_secrets.size() && verdict.matchedSecretIndex < 0; ++i) {
        const QByteArray expected = WebhookSigner::signatureV1(m_secrets[i], header->timestamp, payload);
        if (expected.isEmpty())
            continue; // OpenSSL failed: nothing can match
        for (const QByteArray &candidate : header->v1Signatures) {
            if (constantTimeEquals(candidate, expected)) {
                verdict.matchedSecretIndex = int(i);
                break;
            }
        }
    }
    if (verdict.matchedSecretIndex < 0) {
        verdict.outcome = Outcome::NoMatch;
        verdict.reason =
            u"no v1 signature matches the body with the configured webhook secret(s): the body was "
            "changed, or STRIPE_WEBHOOK_SECRET is not this endpoint's secret"_s;
        return verdict;
    }

    const qint64 now = m_clock.nowSecondsSinceEpoch();
    const qint64 tolerance = m_tolerance.count();
    if (header->timestamp < now - tolerance) {
        verdict.outcome = Outcome::TimestampTooOld;
        verdict.reason =
            u"the signature timestamp is %1 s old, beyond the %2 s tolerance (STRIPE_WEBHOOK_TOLERANCE)"_s
                .arg(now - header->timestamp)
                .arg(tolerance);
        return verdict;
    }
    if (header->timestamp > now + tolerance) {
        verdict.outcome = Outcome::TimestampInFuture;
        verdict.reason =
            u"the signature timestamp is %1 s in the future, beyond the %2 s tolerance: check this "
            "machine's clock"_s.arg(header->timestamp - now)
                .arg(tolerance);
        return verdict;
    }
    verdict.outcome = Outcome::Valid;
    verdict.reason = u"valid (secret %1 of %2)"_s.arg(verdict.matchedSecretIndex + 1).arg(m_secrets.size());
    return verdict;
}

} // namespace billing
