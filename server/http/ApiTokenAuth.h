#pragma once

#include "ApiError.h"
#include "HttpRequest.h"

#include <optional>

namespace billing::server {

// Checks "Authorization: Bearer <BILLING_API_TOKEN>" in constant time.
class ApiTokenAuth final
{
public:
    explicit ApiTokenAuth(QString token)
        : m_token(token.toUtf8())
    {}

    // Nothing when the request may pass, else the 401 to answer.
    std::optional<ApiError> check(const HttpRequest &request) const;

private:
    QByteArray m_token;
};

} // namespace billing::server
