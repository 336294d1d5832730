#include "RedirectAllowList.h"

#include <QUrl>

using namespace Qt::StringLiterals;

namespace billing {

bool RedirectAllowList::isAllowedHost(const QString &host) const
{
    for (const QString &allowed : m_hosts) {
        if (allowed.startsWith(u"*.")) {
            if (host.endsWith(allowed.mid(1)) && host.size() > allowed.size() - 1)
                return true;
        } else if (host == allowed) {
            return true;
        }
    }
    return false;
}

QString RedirectAllowList::check(const QString &text) const
{
    if (text.size() > 2048)
        return u"is longer than 2048 characters"_s;
    // Stripe replaces the literal {CHECKOUT_SESSION_ID}; braces are otherwise not URL characters.
    QString parsed = text;
    parsed.replace(u"{CHECKOUT_SESSION_ID}"_s, u"CHECKOUT_SESSION_ID"_s);
    const QUrl url(parsed, QUrl::StrictMode);
    if (!url.isValid() || url.isRelative() || (url.scheme() != u"https" && url.scheme() != u"http") ||
        url.host().isEmpty()) {
        return u"must be an absolute http(s) URL"_s;
    }
    if (!url.userName().isEmpty())
        return u"must not contain a user name or password"_s;
    const QString host = url.host().toLower();
    if (!isAllowedHost(host))
        return u"points at %1, which is not in BILLING_ALLOWED_REDIRECT_HOSTS"_s.arg(host);
    return {};
}

} // namespace billing
