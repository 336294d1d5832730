#pragma once

#include "ApiError.h"

#include <QHttpServerResponse>

namespace billing::server {

// Every error the service answers has this shape, Stripe's own:
//   {"error": {"type": "...", "message": "...", "param": "..." | null}}
QHttpServerResponse jsonError(const ApiError &error);

} // namespace billing::server
