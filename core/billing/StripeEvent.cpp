#include "StripeEvent.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace billing {

Result<StripeEvent> StripeEvent::parse(const QByteArray &payload)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(payload, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return Error{ErrorCode::InvalidInput, u"the body is not a JSON object"_s};
    const QJsonObject root = document.object();
    if (root.value(u"object"_s).toString() != u"event")
        return Error{ErrorCode::InvalidInput, u"the body is not a Stripe event (object is not \"event\")"_s};

    StripeEvent event;
    event.id = root.value(u"id"_s).toString();
    event.type = root.value(u"type"_s).toString();
    event.created = root.value(u"created"_s).toInteger(-1);
    event.livemode = root.value(u"livemode"_s).toBool();
    event.apiVersion = root.value(u"api_version"_s).toString();
    const QJsonObject data = root.value(u"data"_s).toObject();
    event.object = data.value(u"object"_s).toObject();
    event.previousAttributes = data.value(u"previous_attributes"_s).toObject();

    static const QRegularExpression idPattern(u"^evt_[A-Za-z0-9_]{1,250}$"_s);
    if (!idPattern.match(event.id).hasMatch())
        return Error{ErrorCode::InvalidInput, u"the event id is missing or not evt_…"_s};
    if (event.type.isEmpty() || event.type.size() > 200)
        return Error{ErrorCode::InvalidInput, u"the event type is missing"_s};
    if (event.created < 0 || !root.value(u"livemode"_s).isBool())
        return Error{ErrorCode::InvalidInput, u"the event has no created time or livemode"_s};
    if (event.object.isEmpty())
        return Error{ErrorCode::InvalidInput, u"the event has no data.object"_s};
    return event;
}

} // namespace billing
