#include "ApplyContext.h"

#include "StripeEvent.h"

namespace billing {

ApplySource ApplySource::fromEvent(const StripeEvent &event)
{
    return {Kind::Event, event.id, event.created};
}

} // namespace billing
