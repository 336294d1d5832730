#include "SignatureHeader.h"

using namespace Qt::StringLiterals;

namespace billing {

namespace {

bool isCanonicalDecimal(const QByteArray &text)
{
    if (text.isEmpty() || text.size() > 12 || (text.size() > 1 && text.startsWith('0')))
        return false;
    return std::all_of(text.cbegin(), text.cend(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isLowerHex64(const QByteArray &text)
{
    return text.size() == 64 && std::all_of(text.cbegin(), text.cend(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

Error malformed(const QString &why)
{
    return {ErrorCode::InvalidInput, u"malformed Stripe-Signature header: "_s + why};
}

} // namespace

Result<SignatureHeader> SignatureHeader::parse(const QByteArray &header)
{
    if (header.trimmed().isEmpty())
        return Error{ErrorCode::InvalidInput, u"no Stripe-Signature header"_s};
    if (header.size() > 4096)
        return malformed(u"longer than 4096 bytes"_s);

    SignatureHeader parsed;
    bool haveTimestamp = false;
    // Elements are read as Stripe's SDKs read them: split on ',', not trimmed
    // (" v1=…" is not a v1 signature), and elements that are not key=value are
    // skipped.
    for (const QByteArray &item : header.split(',')) {
        const qsizetype equals = item.indexOf('=');
        if (equals <= 0)
            continue;
        const QByteArray key = item.left(equals);
        const QByteArray value = item.mid(equals + 1);
        if (key == "t") {
            if (haveTimestamp)
                return malformed(u"more than one timestamp (t=)"_s);
            if (!isCanonicalDecimal(value))
                return malformed(u"the timestamp (t=) is not a plain number of seconds"_s);
            parsed.timestampText = value;
            parsed.timestamp = value.toLongLong();
            haveTimestamp = true;
        } else if (key == "v1") {
            if (isLowerHex64(value))
                parsed.v1Signatures << value;
        }
        // Other schemes (v0, test-mode extras) are ignored, as Stripe's SDKs do.
    }
    if (!haveTimestamp)
        return malformed(u"no timestamp (t=)"_s);
    if (parsed.v1Signatures.isEmpty())
        return Error{ErrorCode::InvalidInput, u"no v1 signature in the Stripe-Signature header"_s};
    return parsed;
}

} // namespace billing
