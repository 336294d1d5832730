// Fuzzes the Stripe-Signature header parser and the webhook verifier.
//
// Input: "<Stripe-Signature header>\n<raw body>" (no newline: all header, empty
// body). The verifier holds two fixed secrets (a rotation) and a fixed clock,
// so its verdict depends on the input alone. Invariants:
//  - a parsed header is what the header says: exactly one canonical t, only
//    64-digit lowercase hex v1 values, at least one of them;
//  - the verifier refuses exactly the headers the parser refuses, and accepts
//    a header only when one of its v1 values is the HMAC it computes itself
//    for the first matching secret, within the tolerance either way;
//  - a header that WebhookSigner makes for the body verifies (or is refused
//    for its age alone), and fails once the body changes by one byte.
#include "FuzzSupport.h"

#include "common/Clock.h"
#include "webhook/SignatureHeader.h"
#include "webhook/SignatureVerifier.h"
#include "webhook/WebhookSigner.h"

#include <QStringList>

using namespace Qt::StringLiterals;
using billing::SignatureHeader;
using billing::SignatureVerifier;
using billing::WebhookSigner;
using Outcome = SignatureVerifier::Outcome;

namespace {

constexpr qint64 kNow = 1764000000; // the seed corpus is signed at and around this time
constexpr std::chrono::seconds kTolerance{300};

// Fake secrets, unmistakably so (slashes); corpus/fuzz_signature_header is
// signed with them.
const QStringList &secrets()
{
    static const QStringList all{u"whsec_fuzz/fixture/not/a/real/secret"_s, u"whsec_fuzz/rotated/not/real"_s};
    return all;
}

const SignatureVerifier &verifier()
{
    static const billing::FixedClock clock(QDateTime::fromSecsSinceEpoch(kNow, Qt::UTC));
    static const SignatureVerifier instance(secrets(), kTolerance, clock);
    return instance;
}

bool isLowerHex64(const QByteArray &text)
{
    return text.size() == 64 && std::all_of(text.cbegin(), text.cend(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

// The index of the first secret one of whose HMACs the header carries, or -1.
int firstMatchingSecret(const SignatureHeader &header, const QByteArray &body)
{
    for (qsizetype i = 0; i < secrets().size(); ++i) {
        const QByteArray expected = WebhookSigner::signatureV1(secrets()[i].toUtf8(), header.timestamp, body);
        if (header.v1Signatures.contains(expected))
            return int(i);
    }
    return -1;
}

void checkParsedHeader(const QByteArray &header, const SignatureHeader &parsed)
{
    FUZZ_CHECK(header.size() <= 4096);
    FUZZ_CHECK(QByteArray::number(parsed.timestamp) == parsed.timestampText); // canonical decimal
    FUZZ_CHECK(parsed.timestamp >= 0);
    FUZZ_CHECK(!parsed.v1Signatures.isEmpty());
    const QList<QByteArray> elements = header.split(',');
    FUZZ_CHECK(elements.count("t=" + parsed.timestampText) == 1);
    for (const QByteArray &signature : parsed.v1Signatures) {
        FUZZ_CHECK(isLowerHex64(signature));
        FUZZ_CHECK(elements.contains("v1=" + signature));
    }
}

void checkVerdict(const QByteArray &header, const QByteArray &body)
{
    const billing::Result<SignatureHeader> parsed = SignatureHeader::parse(header);
    const SignatureVerifier::Verdict verdict = verifier().verify(header, body);
    for (const QString &secret : secrets())
        FUZZ_CHECK(!verdict.reason.contains(secret));

    if (!parsed) {
        FUZZ_CHECK(verdict.outcome == Outcome::MissingHeader || verdict.outcome == Outcome::MalformedHeader ||
                   verdict.outcome == Outcome::NoV1Signature);
        FUZZ_CHECK((verdict.outcome == Outcome::MissingHeader) == header.trimmed().isEmpty());
        return;
    }
    checkParsedHeader(header, parsed.value());
    FUZZ_CHECK(verdict.timestamp == parsed->timestamp);
    const int matching = firstMatchingSecret(parsed.value(), body);
    const qint64 age = kNow - parsed->timestamp;
    switch (verdict.outcome) {
    case Outcome::Valid:
        FUZZ_CHECK(matching >= 0 && verdict.matchedSecretIndex == matching);
        FUZZ_CHECK(age <= kTolerance.count() && -age <= kTolerance.count());
        break;
    case Outcome::NoMatch: FUZZ_CHECK(matching < 0); break;
    case Outcome::TimestampTooOld: FUZZ_CHECK(matching >= 0 && age > kTolerance.count()); break;
    case Outcome::TimestampInFuture: FUZZ_CHECK(matching >= 0 && -age > kTolerance.count()); break;
    default: billing::fuzz::checkFailed(__FILE__, __LINE__, "a header that parses was refused as unparsable");
    }
}

// What Stripe itself would send for this body, at an age taken from the input.
void checkSignedByUs(const QByteArray &body, qint64 age)
{
    const qint64 timestamp = kNow - age;
    const QByteArray header = WebhookSigner::header(secrets(), timestamp, body);
    const SignatureVerifier::Verdict verdict = verifier().verify(header, body);
    if (age > kTolerance.count())
        FUZZ_CHECK(verdict.outcome == Outcome::TimestampTooOld);
    else if (-age > kTolerance.count())
        FUZZ_CHECK(verdict.outcome == Outcome::TimestampInFuture);
    else
        FUZZ_CHECK(verdict.outcome == Outcome::Valid && verdict.matchedSecretIndex == 0);

    QByteArray changed = body;
    if (changed.isEmpty())
        changed = "x";
    else
        changed[0] = char(changed[0] ^ 0x01);
    FUZZ_CHECK(verifier().verify(header, changed).outcome == Outcome::NoMatch);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    billing::fuzz::initialise(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = billing::fuzz::input(data, size);
    const qsizetype newline = input.indexOf('\n');
    const QByteArray header = newline < 0 ? input : input.left(newline);
    const QByteArray body = newline < 0 ? QByteArray() : input.mid(newline + 1);

    checkVerdict(input, {}); // the whole input as one header, newlines and all
    if (newline >= 0)
        checkVerdict(header, body);
    // Ages from well in the past to well in the future, around the tolerance.
    checkSignedByUs(body, qint64(size % 1201) - 600);
    return 0;
}
