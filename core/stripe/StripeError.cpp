#include "StripeError.h"

#include <QStringList>

using namespace Qt::StringLiterals;

namespace billing {

QString StripeError::summary() const
{
    QStringList parts;
    switch (kind) {
    case Kind::None: return u"no error"_s;
    case Kind::Api: parts << u"Stripe answered %1"_s.arg(httpStatus); break;
    case Kind::Network: parts << u"could not reach Stripe"_s; break;
    case Kind::Timeout: parts << u"Stripe did not answer in time"_s; break;
    case Kind::InvalidResponse: parts << u"Stripe's answer was not valid JSON"_s; break;
    case Kind::ResponseTooLarge: parts << u"Stripe's answer was too large"_s; break;
    }
    if (!type.isEmpty())
        parts << (code.isEmpty() ? type : type + u'/' + code);
    if (!message.isEmpty())
        parts << message;
    if (!requestId.isEmpty())
        parts << u"request %1"_s.arg(requestId);
    return parts.join(u": "_s);
}

} // namespace billing
