#pragma once

#include "AdminList.h"

namespace billing {

// The lists of the admin API, one per view of the dashboard.
namespace AdminLists {
AdminList events();
AdminList subscriptions();
AdminList licenses();
AdminList invoices();
AdminList deliveries();
AdminList dunning();
AdminList audit();
AdminList reconcileRuns();
AdminList reconcileDivergences();
} // namespace AdminLists

} // namespace billing
