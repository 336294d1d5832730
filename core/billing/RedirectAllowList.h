#pragma once

#include <QString>
#include <QStringList>

namespace billing {

// Decides whether a URL the service hands to Stripe (success_url, cancel_url,
// return_url) may be used: absolute http(s), on an allowed host. Without this,
// anyone able to call the service could bounce customers to any site.
class RedirectAllowList final
{
public:
    explicit RedirectAllowList(QStringList hosts)
        : m_hosts(std::move(hosts))
    {}

    // Empty when allowed, else why not (for the client's error message).
    QString check(const QString &url) const;

private:
    bool isAllowedHost(const QString &host) const;

    QStringList m_hosts;
};

} // namespace billing
