#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QList>

namespace billing {

// A parsed Stripe-Signature header: "t=<unix seconds>,v1=<hex>[,v1=<hex>…]".
//
// Stricter than Stripe's SDKs where they are lax, because a header Stripe
// never sends is a header someone else made:
//  - elements split on ',' and not trimmed, others than key=value skipped (as
//    the SDKs do);
//  - exactly one t, a canonical decimal (no sign, no leading zeros, no junk);
//  - v1 values must be 64 lowercase hex digits to count; other schemes (v0, …)
//    are ignored, as the SDKs ignore them;
//  - no v1 at all is an error of its own ("no v1 signature").
struct SignatureHeader
{
    QByteArray timestampText; // exactly as sent: the signed payload starts with it
    qint64 timestamp = 0;
    QList<QByteArray> v1Signatures;

    static Result<SignatureHeader> parse(const QByteArray &header);
};

} // namespace billing
