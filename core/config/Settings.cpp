#include "Settings.h"

using namespace Qt::StringLiterals;

namespace billing {

StripeMode Settings::mode() const
{
    if (stripeSecretKey.startsWith(u"sk_test_") || stripeSecretKey.startsWith(u"rk_test_"))
        return StripeMode::Test;
    if (stripeSecretKey.startsWith(u"sk_live_") || stripeSecretKey.startsWith(u"rk_live_"))
        return StripeMode::Live;
    return StripeMode::Unknown;
}

std::optional<bool> livemodeOf(StripeMode mode)
{
    if (mode == StripeMode::Unknown)
        return std::nullopt;
    return mode == StripeMode::Live;
}

QString stripeModeName(StripeMode mode)
{
    switch (mode) {
    case StripeMode::Test: return u"test"_s;
    case StripeMode::Live: return u"live"_s;
    case StripeMode::Unknown: break;
    }
    return u"unknown"_s;
}

} // namespace billing
