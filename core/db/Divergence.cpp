#include "Divergence.h"

#include <QJsonValue>

using namespace Qt::StringLiterals;

namespace billing {

const QString &Divergence::none()
{
    static const QString shown = u"(none)"_s;
    return shown;
}

QString Divergence::stripeObjectType() const
{
    const QString object = kind.section(u'.', 0, 0);
    if (object == u"license")
        return u"subscription"_s;
    if (object == u"payment")
        return u"invoice"_s;
    return object;
}

bool Divergence::isNotInStripe() const
{
    return kind.endsWith(u".not_in_stripe"_s);
}

QString Divergence::toLine() const
{
    return u"%1 %2 tenant=%3 local=%4 stripe=%5"_s.arg(kind, objectId, tenantId.isEmpty() ? none() : tenantId,
                                                       local, stripe);
}

QJsonObject Divergence::toJson() const
{
    return {{u"kind"_s, kind},
            {u"object"_s, objectId},
            {u"tenant"_s, tenantId.isEmpty() ? QJsonValue() : QJsonValue(tenantId)},
            {u"local"_s, local},
            {u"stripe"_s, stripe}};
}

} // namespace billing
