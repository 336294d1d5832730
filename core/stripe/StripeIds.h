#pragma once

#include <QLatin1StringView>
#include <QStringView>

namespace billing {

// Whether text is a Stripe object id: prefix ("evt_", "sub_", …), then 1 to
// 250 ASCII letters and digits, and underscores unless Stripe uses none for
// that kind. All of text: a regular expression's $ would also let a trailing
// newline through.
bool isStripeId(QStringView text, QLatin1StringView prefix, bool underscores = true);

} // namespace billing
