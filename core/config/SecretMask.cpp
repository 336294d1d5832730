#include "SecretMask.h"

#include <QStringList>

using namespace Qt::StringLiterals;

namespace billing {

QString maskSecret(const QString &secret)
{
    if (secret.isEmpty())
        return {};

    static const QStringList knownPrefixes = {
        u"sk_test_"_s, u"sk_live_"_s, u"rk_test_"_s, u"rk_live_"_s, u"whsec_"_s,
    };
    QString prefix;
    for (const QString &candidate : knownPrefixes) {
        if (secret.startsWith(candidate)) {
            prefix = candidate;
            break;
        }
    }
    // Reveal the last four only when at least 16 unrevealed characters remain.
    constexpr qsizetype kShownSuffix = 4;
    constexpr qsizetype kMinimumHidden = 16;
    if (secret.size() - prefix.size() - kShownSuffix < kMinimumHidden)
        return prefix + u"****"_s;
    return prefix + u"…"_s + secret.right(kShownSuffix);
}

bool looksLikeSecret(const QString &value)
{
    return value.startsWith(u"sk_") || value.startsWith(u"rk_") || value.startsWith(u"whsec_");
}

QString quotableValue(const QString &value, qsizetype maxLength)
{
    return looksLikeSecret(value) ? maskSecret(value) : value.left(maxLength);
}

} // namespace billing
