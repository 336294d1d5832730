#include "ApiTokenAuth.h"

#include "common/ConstantTime.h"

using namespace Qt::StringLiterals;

namespace billing::server {

std::optional<ApiError> ApiTokenAuth::check(const HttpRequest &request) const
{
    auto unauthorized = &ApiError::unauthorized;
    if (request.headerCount("Authorization") == 0)
        return unauthorized(u"send the API token as Authorization: Bearer <BILLING_API_TOKEN>"_s);
    if (request.headerCount("Authorization") > 1)
        return unauthorized(u"send exactly one Authorization header"_s);
    const QByteArray presented = request.bearerToken();
    if (presented.isEmpty())
        return unauthorized(u"the Authorization header must use the Bearer scheme"_s);
    if (m_token.isEmpty() || !constantTimeEquals(presented, m_token))
        return unauthorized(u"the API token is not valid"_s);
    return std::nullopt;
}

} // namespace billing::server
