#include "StripeIds.h"

namespace billing {

bool isStripeId(QStringView text, QLatin1StringView prefix, bool underscores)
{
    const qsizetype length = text.size() - prefix.size();
    if (!text.startsWith(prefix) || length < 1 || length > 250)
        return false;
    for (const QChar c : text.sliced(prefix.size())) {
        const char16_t u = c.unicode();
        const bool allowed = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') ||
                             (u >= u'0' && u <= u'9') || (underscores && u == u'_');
        if (!allowed)
            return false;
    }
    return true;
}

} // namespace billing
