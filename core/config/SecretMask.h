#pragma once

#include <QString>

namespace billing {

// "sk_test_…4f2a": enough to tell which key is configured, as Stripe's Dashboard
// shows it, never enough to use it. Short values are masked entirely.
QString maskSecret(const QString &secret);

// True for values shaped like Stripe secrets (sk_, rk_, whsec_), wherever they were put.
bool looksLikeSecret(const QString &value);

// A value to quote in a message or listing: masked when it looks like a secret.
QString quotableValue(const QString &value, qsizetype maxLength = 80);

} // namespace billing
