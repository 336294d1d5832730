#pragma once

#include <QString>

namespace billing {

// "sk_test_…4f2a": enough to tell which key is configured, as Stripe's Dashboard
// shows it, never enough to use it. Short values are masked entirely.
QString maskSecret(const QString &secret);

} // namespace billing
