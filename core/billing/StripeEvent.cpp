#include "StripeEvent.h"

#include "stripe/StripeIds.h"

using namespace Qt::StringLiterals;

namespace billing {

namespace {

Result<JsonView> parseEvent(const QByteArray &payload, JsonDocument &document)
{
    Result<JsonView> root = document.parse(payload);
    if (!root || !root->isObject())
        return Error{ErrorCode::InvalidInput, u"the body is not a JSON object"_s};
    if (root->value("object").toString() != u"event")
        return Error{ErrorCode::InvalidInput, u"the body is not a Stripe event (object is not \"event\")"_s};
    return root;
}

// The event's data.object, which every event has and is never empty.
Result<JsonView> dataObjectOf(const JsonView &root)
{
    const JsonView object = root.value("data").value("object");
    if (!object.isObject() || object.size() == 0)
        return Error{ErrorCode::InvalidInput, u"the event has no data.object"_s};
    return object;
}

} // namespace

Result<StripeEvent> StripeEvent::parse(const QByteArray &payload)
{
    // Reused by every parse on this thread: the envelope keeps nothing of it.
    thread_local JsonDocument document;
    Result<JsonView> root = parseEvent(payload, document);
    if (!root)
        return root.error();

    StripeEvent event;
    event.id = root->value("id").toString();
    event.type = root->value("type").toString();
    event.created = root->value("created").toInteger(-1);
    event.livemode = root->value("livemode").toBool();
    event.apiVersion = root->value("api_version").toString();
    const Result<JsonView> object = dataObjectOf(root.value());
    if (object)
        event.objectId = object->value("id").toString();

    if (!isStripeId(event.id, "evt_"_L1))
        return Error{ErrorCode::InvalidInput, u"the event id is missing or not evt_…"_s};
    if (event.type.isEmpty() || event.type.size() > 200)
        return Error{ErrorCode::InvalidInput, u"the event type is missing"_s};
    if (event.created < 0 || !root->value("livemode").isBool())
        return Error{ErrorCode::InvalidInput, u"the event has no created time or livemode"_s};
    if (!object)
        return object.error();
    return event;
}

Result<JsonView> StripeEvent::dataObject(const QByteArray &payload, JsonDocument &document)
{
    Result<JsonView> root = parseEvent(payload, document);
    if (!root)
        return root.error();
    return dataObjectOf(root.value());
}

} // namespace billing
