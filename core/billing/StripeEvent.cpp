#include "StripeEvent.h"

using namespace Qt::StringLiterals;

namespace billing {

namespace {

// evt_ and 1 to 250 of [A-Za-z0-9_].
bool isEventId(const QString &id)
{
    if (!id.startsWith(u"evt_") || id.size() < 5 || id.size() > 254)
        return false;
    for (qsizetype i = 4; i < id.size(); ++i) {
        const char16_t c = id[i].unicode();
        if (!((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_'))
            return false;
    }
    return true;
}

Result<JsonView> parseEvent(const QByteArray &payload, JsonDocument &document)
{
    Result<JsonView> root = document.parse(payload);
    if (!root || !root->isObject())
        return Error{ErrorCode::InvalidInput, u"the body is not a JSON object"_s};
    if (root->value("object").toString() != u"event")
        return Error{ErrorCode::InvalidInput, u"the body is not a Stripe event (object is not \"event\")"_s};
    return root;
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
    const JsonView object = root->value("data").value("object");
    event.objectId = object.value("id").toString();

    if (!isEventId(event.id))
        return Error{ErrorCode::InvalidInput, u"the event id is missing or not evt_…"_s};
    if (event.type.isEmpty() || event.type.size() > 200)
        return Error{ErrorCode::InvalidInput, u"the event type is missing"_s};
    if (event.created < 0 || !root->value("livemode").isBool())
        return Error{ErrorCode::InvalidInput, u"the event has no created time or livemode"_s};
    if (!object.isObject() || object.size() == 0)
        return Error{ErrorCode::InvalidInput, u"the event has no data.object"_s};
    return event;
}

Result<JsonView> StripeEvent::dataObject(const QByteArray &payload, JsonDocument &document)
{
    Result<JsonView> root = parseEvent(payload, document);
    if (!root)
        return root.error();
    const JsonView object = root->value("data").value("object");
    if (!object.isObject() || object.size() == 0)
        return Error{ErrorCode::InvalidInput, u"the event has no data.object"_s};
    return object;
}

} // namespace billing
