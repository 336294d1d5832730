#pragma once

#include <QByteArrayView>

namespace billing {

// Compares secrets (API tokens, signatures) in time that does not depend on
// where they first differ, so an attacker cannot find them byte by byte.
bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

} // namespace billing
