#include "StripeEmulator.h"

#include "stripe/FormParams.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace billing::emulator {

namespace {

using Answer = std::function<void(int, QJsonObject)>;

const QString kCheckoutSession = u"checkout.session"_s;
const QString kSubscription = u"subscription"_s;

QJsonObject list(const QJsonArray &data, bool hasMore, const QString &url)
{
    return {{u"object"_s, u"list"_s}, {u"data"_s, data}, {u"has_more"_s, hasMore}, {u"url"_s, url}};
}

ParamSchema expandOnly()
{
    return ParamSchema::object({{u"expand"_s, ParamSchema::list(ParamSchema::string())}});
}

QString missingMessage(const QString &kind, const QString &id)
{
    return u"No such %1: '%2'"_s.arg(kind, id);
}

// created[gt|gte|lt|lte], as every list endpoint takes it.
bool createdMatches(const QJsonObject &object, const QVariantMap &created)
{
    const qint64 when = object.value(u"created"_s).toInteger();
    return !((created.contains(u"gt"_s) && when <= created.value(u"gt"_s).toLongLong()) ||
             (created.contains(u"gte"_s) && when < created.value(u"gte"_s).toLongLong()) ||
             (created.contains(u"lt"_s) && when >= created.value(u"lt"_s).toLongLong()) ||
             (created.contains(u"lte"_s) && when > created.value(u"lte"_s).toLongLong()));
}

// One page of a Stripe list over all (newest first): `limit` (1–100, default
// 10) matching objects after `starting_after`, or the ones just before
// `ending_before`. A cursor that names no object of the list is refused, as
// Stripe refuses it.
void answerListPage(const QList<QJsonObject> &all, const QVariantMap &params, const QString &kind,
                    const QString &url, const std::function<bool(const QJsonObject &)> &matches,
                    const Answer &answer)
{
    const int limit = std::clamp(params.value(u"limit"_s, 10).toInt(), 1, 100);
    const bool backwards = params.contains(u"ending_before"_s);
    const QString cursorParam = backwards ? u"ending_before"_s : u"starting_after"_s;
    const QString cursor = params.value(cursorParam).toString();
    qsizetype cursorIndex = -1;
    if (!cursor.isEmpty()) {
        for (qsizetype i = 0; i < all.size() && cursorIndex < 0; ++i) {
            if (all[i].value(u"id"_s).toString() == cursor)
                cursorIndex = i;
        }
        if (cursorIndex < 0) {
            answer(400, StripeEmulator::stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                                    missingMessage(kind, cursor), cursorParam));
            return;
        }
    }
    QList<QJsonObject> candidates;
    if (backwards) {
        for (qsizetype i = 0; i < cursorIndex; ++i) {
            if (matches(all[i]))
                candidates.append(all[i]);
        }
        const bool hasMore = candidates.size() > limit;
        QJsonArray data;
        for (qsizetype i = std::max<qsizetype>(0, candidates.size() - limit); i < candidates.size(); ++i)
            data.append(candidates[i]);
        answer(200, list(data, hasMore, url));
        return;
    }
    QJsonArray data;
    bool hasMore = false;
    for (qsizetype i = cursorIndex + 1; i < all.size(); ++i) {
        if (!matches(all[i]))
            continue;
        if (data.size() == limit) {
            hasMore = true;
            break;
        }
        data.append(all[i]);
    }
    answer(200, list(data, hasMore, url));
}

// Where API version 2025-03 and later put an invoice's subscription.
QString invoiceSubscription(const QJsonObject &invoice)
{
    return invoice.value(u"parent"_s)
        .toObject()
        .value(u"subscription_details"_s)
        .toObject()
        .value(u"subscription"_s)
        .toString();
}

QJsonObject firstItem(const QJsonObject &subscription)
{
    return subscription.value(u"items"_s).toObject().value(u"data"_s).toArray().first().toObject();
}

// The subscription with its first item's period moved (and mirrored at the top
// level, where API versions before 2025-03 put it).
QJsonObject withPeriod(QJsonObject subscription, qint64 start, qint64 end)
{
    QJsonObject items = subscription.value(u"items"_s).toObject();
    QJsonArray data = items.value(u"data"_s).toArray();
    QJsonObject item = data.first().toObject();
    item.insert(u"current_period_start"_s, start);
    item.insert(u"current_period_end"_s, end);
    data.replace(0, item);
    items.insert(u"data"_s, data);
    subscription.insert(u"items"_s, items);
    return subscription;
}

} // namespace

StripeEmulator::StripeEmulator(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_network(new QNetworkAccessManager(this))
    , m_webhooks(new WebhookSender(m_network, this))
{
    m_webhooks->setTarget(options.webhookUrl);
    m_webhooks->setSecrets(options.webhookSecrets);
    m_webhooks->setClock([this] { return m_store.now(); });
    connect(m_webhooks, &WebhookSender::delivered, this, [this](const QString &eventId, int status) {
        if (status >= 200 && status < 300) {
            m_store.markDelivered(eventId);
            saveState();
        }
    });
    installApiRoutes();
    installControlRoutes();
}

StripeEmulator::~StripeEmulator() = default;

Result<quint16> StripeEmulator::listen(const QHostAddress &address, quint16 port)
{
    return m_http.listen(address, port);
}

bool StripeEmulator::persistTo(const EmulatorStateFile &file, QString *error)
{
    m_stateFile = file;
    if (!file.save(m_store, error))
        return false;
    m_store.markSaved();
    return true;
}

void StripeEmulator::saveState()
{
    if (!m_stateFile || !m_store.hasUnsavedChanges())
        return;
    QString error;
    if (m_stateFile->save(m_store, &error))
        m_store.markSaved();
    else
        qWarning("stripe-emulator: the account's state was not saved: %s", qPrintable(error));
}

void StripeEmulator::answerControl(HttpResponder &responder, int status, const QJsonObject &body)
{
    saveState();
    responder.sendJson(status, body);
}

int StripeEmulator::redeliverPending()
{
    constexpr qint64 kStripeRetryWindow = 3 * 24 * 3600;
    const QList<QJsonObject> pending = m_store.undeliveredEvents(m_store.now() - kStripeRetryWindow);
    m_webhooks->deliver(pending, {});
    return int(pending.size());
}

QJsonObject StripeEmulator::stripeError(const QString &type, const QString &code, const QString &message,
                                        const QString &param)
{
    QJsonObject error{{u"type"_s, type}, {u"message"_s, message}};
    if (!code.isEmpty())
        error.insert(u"code"_s, code);
    if (!param.isEmpty())
        error.insert(u"param"_s, param);
    if (!code.isEmpty())
        error.insert(u"doc_url"_s,
                     QString(u"https://stripe.com/docs/error-codes/"_s + QString(code).replace(u'_', u'-')));
    return {{u"error"_s, error}};
}

std::optional<StripeEmulator::Fault> StripeEmulator::takeFault(const HttpRequest &request)
{
    for (qsizetype i = 0; i < m_faults.size(); ++i) {
        Fault &fault = m_faults[i];
        if ((!fault.method.isEmpty() && fault.method != request.method) ||
            !request.path.startsWith(fault.pathPrefix))
            continue;
        if (fault.passBefore > 0) {
            --fault.passBefore;
            return std::nullopt;
        }
        Fault taken = fault;
        if (--fault.remaining <= 0)
            m_faults.removeAt(i);
        return taken;
    }
    return std::nullopt;
}

void StripeEmulator::addApi(const QByteArray &method, const QString &pattern, const ParamSchema &schema,
                            ApiHandler handler)
{
    m_http.addRoute(method, pattern,
                    [this, schema, handler](const HttpRequest &request, HttpResponder responder) {
                        runApi(request, std::move(responder), schema, handler);
                    });
}

void StripeEmulator::runApi(const HttpRequest &request, HttpResponder responder, const ParamSchema &schema,
                            const ApiHandler &handler)
{
    const QString requestId = m_store.newId(u"req"_s);
    const QByteArray idempotencyKey = request.header("Idempotency-Key");
    QJsonObject logEntry{{u"method"_s, QString::fromLatin1(request.method)},
                         {u"path"_s, request.path},
                         {u"query"_s, request.query.toString(QUrl::FullyDecoded)},
                         {u"request_id"_s, requestId},
                         {u"idempotency_key"_s, QString::fromLatin1(idempotencyKey)},
                         {u"stripe_version"_s, QString::fromLatin1(request.header("Stripe-Version"))},
                         {u"content_type"_s, QString::fromLatin1(request.header("Content-Type"))},
                         {u"body"_s, QString::fromUtf8(request.body)}};

    auto reply = [this, responder, requestId, logEntry](int status, const QJsonObject &body,
                                                        HttpResponder::Headers headers = {}) mutable {
        QJsonObject entry = logEntry;
        entry.insert(u"status"_s, status);
        m_requestLog.append(entry);
        saveState(); // what the answer shows is on disk before the caller sees it
        headers.append({"Request-Id"_ba, requestId.toLatin1()});
        headers.append({"Stripe-Version"_ba, m_store.apiVersion.toLatin1()});
        responder.sendJson(status, body, headers);
    };

    // Authentication: Bearer (the SDKs) or Basic with the key as user name (curl -u).
    QByteArray key;
    const QByteArray authorization = request.header("Authorization");
    if (authorization.startsWith("Bearer "))
        key = authorization.mid(7).trimmed();
    else if (authorization.startsWith("Basic "))
        key = QByteArray::fromBase64(authorization.mid(6).trimmed()).split(':').constFirst();
    const QString keyText = QString::fromLatin1(key);
    const bool live = m_options.acceptLiveKeys && keyText.startsWith(u"sk_live_");
    if (key.isEmpty() || !(keyText.startsWith(u"sk_test_") || live) ||
        (!m_options.apiKey.isEmpty() && keyText != m_options.apiKey)) {
        const QString shown = key.isEmpty() ? QString() : keyText.left(8) + u"*********"_s + keyText.right(4);
        reply(401, stripeError(u"invalid_request_error"_s, {},
                               key.isEmpty() ? u"You did not provide an API key."_s
                                             : u"Invalid API Key provided: %1"_s.arg(shown)));
        return;
    }

    m_store.setLivemode(live); // the key's mode: its objects only

    if (std::optional<Fault> fault = takeFault(request)) {
        auto apply = [this, fault = *fault, reply, responder]() mutable -> bool {
            if (fault.drop) {
                HttpResponder(responder).dropConnection();
                return true;
            }
            if (fault.status == 0)
                return false;
            HttpResponder::Headers headers;
            if (!fault.retryAfter.isEmpty())
                headers.append({"Retry-After"_ba, fault.retryAfter});
            if (!fault.shouldRetry.isEmpty())
                headers.append({"Stripe-Should-Retry"_ba, fault.shouldRetry});
            const QString type = fault.status == 429 ? u"invalid_request_error"_s : u"api_error"_s;
            const QString code = fault.status == 429 ? u"rate_limit"_s : QString();
            reply(fault.status, stripeError(type, code, u"Injected fault (HTTP %1)"_s.arg(fault.status)),
                  headers);
            return true;
        };
        if (fault->delayMs > 0) {
            QTimer::singleShot(
                fault->delayMs, this, [this, apply, request, responder, schema, handler]() mutable {
                    if (!apply())
                        runApi(request, responder, schema, handler); // a slow but normal answer
                });
            return;
        }
        if (apply())
            return;
    }

    // Parameters: a form body for POST, the query for GET and DELETE.
    QByteArray raw;
    if (request.method == "POST") {
        const QByteArray contentType = request.header("Content-Type").split(';').constFirst().trimmed();
        if (!request.body.isEmpty() && contentType != "application/x-www-form-urlencoded") {
            reply(400, stripeError(u"invalid_request_error"_s, {},
                                   u"Invalid request: the body must be application/x-www-form-urlencoded"_s));
            return;
        }
        raw = request.body;
    } else {
        raw = request.query.toString(QUrl::FullyEncoded).toLatin1();
    }
    Result<FormParams> decoded = FormParams::decode(raw);
    Result<QVariantMap> tree = decoded ? decoded->toTree() : Result<QVariantMap>(decoded.error());
    if (!tree) {
        reply(400, stripeError(u"invalid_request_error"_s, u"parameter_invalid"_s,
                               u"Invalid parameters: %1"_s.arg(tree.error().message)));
        return;
    }
    if (std::optional<ParamError> invalid = schema.validate(tree.value())) {
        reply(400, stripeError(u"invalid_request_error"_s, invalid->code, invalid->message, invalid->param));
        return;
    }

    // Idempotency: the same key and request replays the first answer; the same
    // key with other parameters is an error, as on Stripe.
    const QByteArray fingerprint = QCryptographicHash::hash(
        QByteArray(request.method + ' ' + request.path.toUtf8() + '\n' + raw), QCryptographicHash::Sha256);
    const QString idempotencyId = QString::fromLatin1(key + ':' + idempotencyKey);
    if (request.method == "POST" && !idempotencyKey.isEmpty()) {
        if (const auto it = m_idempotency.constFind(idempotencyId); it != m_idempotency.cend()) {
            if (it->requestFingerprint != fingerprint) {
                reply(400,
                      stripeError(u"idempotency_error"_s, u"idempotency_key_in_use"_s,
                                  u"Keys for idempotent requests can only be used with the same parameters "
                                  "they were first used with."_s));
                return;
            }
            reply(it->status, it->body, {{"Idempotent-Replayed"_ba, "true"_ba}});
            return;
        }
    }

    handler(request, tree.value(),
            [this, reply, fingerprint, idempotencyId, idempotencyKey,
             method = request.method](int status, QJsonObject body) mutable {
                if (method == "POST" && !idempotencyKey.isEmpty() && status != 500)
                    m_idempotency.insert(idempotencyId, {fingerprint, status, body});
                reply(status, body);
            });
}

void StripeEmulator::installApiRoutes()
{
    const ParamSchema metadata = ParamSchema::map();
    const ParamSchema expand = ParamSchema::list(ParamSchema::string());

    addApi(
        "POST", u"/v1/checkout/sessions"_s,
        ParamSchema::object(
            {{u"mode"_s, ParamSchema::oneOf({u"payment"_s, u"setup"_s, u"subscription"_s})},
             {u"line_items"_s,
              ParamSchema::list(ParamSchema::object(
                  {{u"price"_s, ParamSchema::string()}, {u"quantity"_s, ParamSchema::integer()}}))},
             {u"success_url"_s, ParamSchema::string()},
             {u"cancel_url"_s, ParamSchema::string()},
             {u"client_reference_id"_s, ParamSchema::string(200)},
             {u"customer"_s, ParamSchema::string()},
             {u"customer_email"_s, ParamSchema::string()},
             {u"metadata"_s, metadata},
             {u"allow_promotion_codes"_s, ParamSchema::boolean()},
             {u"subscription_data"_s, ParamSchema::object({{u"metadata"_s, metadata},
                                                           {u"trial_period_days"_s, ParamSchema::integer()},
                                                           {u"description"_s, ParamSchema::string(500)}})},
             {u"expand"_s, expand}},
            {u"mode"_s}),
        [this](const HttpRequest &, const QVariantMap &params, const Answer &answer) {
            createCheckoutSession(params, answer);
        });

    addApi("GET", u"/v1/checkout/sessions/{id}"_s, expandOnly(),
           [this](const HttpRequest &request, const QVariantMap &, const Answer &answer) {
               const QString id = request.pathArgs.value(u"id"_s);
               if (!m_store.contains(kCheckoutSession, id)) {
                   answer(404, stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                           missingMessage(u"checkout.session"_s, id), u"session"_s));
                   return;
               }
               answer(200, m_store.object(kCheckoutSession, id));
           });

    addApi("POST", u"/v1/billing_portal/sessions"_s,
           ParamSchema::object({{u"customer"_s, ParamSchema::string()},
                                {u"return_url"_s, ParamSchema::string()},
                                {u"configuration"_s, ParamSchema::string()},
                                {u"locale"_s, ParamSchema::string()},
                                {u"expand"_s, expand}},
                               {u"customer"_s}),
           [this](const HttpRequest &, const QVariantMap &params, const Answer &answer) {
               createPortalSession(params, answer);
           });

    // One route each for the objects the product reads.
    const QList<std::pair<QString, QString>> retrievable = {
        {u"/v1/customers/{id}"_s, u"customer"_s},
        {u"/v1/prices/{id}"_s, u"price"_s},
        {u"/v1/invoices/{id}"_s, u"invoice"_s},
        {u"/v1/subscriptions/{id}"_s, kSubscription},
    };
    for (const auto &[pattern, kind] : retrievable) {
        addApi("GET", pattern, expandOnly(),
               [this, kind](const HttpRequest &request, const QVariantMap &, const Answer &answer) {
                   const QString id = request.pathArgs.value(u"id"_s);
                   if (!m_store.contains(kind, id)) {
                       answer(404, stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                               missingMessage(kind, id), u"id"_s));
                       return;
                   }
                   answer(200, m_store.object(kind, id));
               });
    }

    addApi(
        "POST", u"/v1/subscriptions/{id}"_s,
        ParamSchema::object({{u"cancel_at_period_end"_s, ParamSchema::boolean()},
                             {u"metadata"_s, metadata},
                             {u"proration_behavior"_s,
                              ParamSchema::oneOf({u"always_invoice"_s, u"create_prorations"_s, u"none"_s})},
                             {u"expand"_s, expand}}),
        [this](const HttpRequest &request, const QVariantMap &params, const Answer &answer) {
            updateSubscription(request.pathArgs.value(u"id"_s), params, answer);
        });

    addApi("DELETE", u"/v1/subscriptions/{id}"_s,
           ParamSchema::object({{u"invoice_now"_s, ParamSchema::boolean()},
                                {u"prorate"_s, ParamSchema::boolean()},
                                {u"expand"_s, expand}}),
           [this](const HttpRequest &request, const QVariantMap &, const Answer &answer) {
               cancelSubscription(request.pathArgs.value(u"id"_s), answer);
           });

    // A customer changes their e-mail (Stripe's Dashboard, the Customer
    // Portal): customer.updated with the previous value.
    addApi("POST", u"/v1/customers/{id}"_s,
           ParamSchema::object({{u"email"_s, ParamSchema::string(512)}, {u"expand"_s, expand}}),
           [this](const HttpRequest &request, const QVariantMap &params, const Answer &answer) {
               const QString id = request.pathArgs.value(u"id"_s);
               QJsonObject customer = m_store.object(u"customer"_s, id);
               if (customer.isEmpty()) {
                   answer(404, stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                           missingMessage(u"customer"_s, id), u"id"_s));
                   return;
               }
               const QJsonObject previous{{u"email"_s, customer.value(u"email"_s)}};
               if (params.contains(u"email"_s))
                   customer.insert(u"email"_s, params.value(u"email"_s).toString());
               m_store.put(u"customer"_s, customer);
               m_webhooks->deliver({m_store.recordEvent(u"customer.updated"_s, customer, previous)}, {});
               answer(200, customer);
           });

    const ParamSchema range = ParamSchema::object({{u"gt"_s, ParamSchema::integer()},
                                                   {u"gte"_s, ParamSchema::integer()},
                                                   {u"lt"_s, ParamSchema::integer()},
                                                   {u"lte"_s, ParamSchema::integer()}});
    const ParamSchema listing = ParamSchema::object({{u"limit"_s, ParamSchema::integer()},
                                                     {u"starting_after"_s, ParamSchema::string()},
                                                     {u"ending_before"_s, ParamSchema::string()},
                                                     {u"created"_s, range},
                                                     {u"expand"_s, expand}});
    addApi("GET", u"/v1/customers"_s, listing.with({{u"email"_s, ParamSchema::string(512)}}),
           [this](const HttpRequest &, const QVariantMap &params, const Answer &answer) {
               listObjects(u"customer"_s, params, answer);
           });
    addApi("GET", u"/v1/subscriptions"_s,
           listing.with(
               {{u"customer"_s, ParamSchema::string()},
                {u"status"_s, ParamSchema::oneOf({u"active"_s, u"all"_s, u"canceled"_s, u"ended"_s,
                                                  u"incomplete"_s, u"incomplete_expired"_s, u"past_due"_s,
                                                  u"paused"_s, u"trialing"_s, u"unpaid"_s})}}),
           [this](const HttpRequest &, const QVariantMap &params, const Answer &answer) {
               listObjects(kSubscription, params, answer);
           });
    addApi("GET", u"/v1/invoices"_s,
           listing.with({{u"customer"_s, ParamSchema::string()},
                         {u"subscription"_s, ParamSchema::string()},
                         {u"status"_s, ParamSchema::oneOf({u"draft"_s, u"open"_s, u"paid"_s,
                                                           u"uncollectible"_s, u"void"_s})}}),
           [this](const HttpRequest &, const QVariantMap &params, const Answer &answer) {
               listObjects(u"invoice"_s, params, answer);
           });
    addApi("GET", u"/v1/events"_s,
           ParamSchema::object({{u"limit"_s, ParamSchema::integer()},
                                {u"starting_after"_s, ParamSchema::string()},
                                {u"ending_before"_s, ParamSchema::string()},
                                {u"type"_s, ParamSchema::string()},
                                {u"types"_s, ParamSchema::list(ParamSchema::string())},
                                {u"created"_s, range},
                                {u"delivery_success"_s, ParamSchema::boolean()},
                                {u"expand"_s, expand}}),
           [this](const HttpRequest &, const QVariantMap &params, const Answer &answer) {
               listEvents(params, answer);
           });
}

void StripeEmulator::createCheckoutSession(const QVariantMap &params, const Answer &answer)
{
    const QString mode = params.value(u"mode"_s).toString();
    const QVariantList lineItems = params.value(u"line_items"_s).toList();
    if (mode != u"subscription") {
        answer(400, stripeError(u"invalid_request_error"_s, u"parameter_invalid"_s,
                                u"The emulator supports only mode=subscription."_s, u"mode"_s));
        return;
    }
    if (lineItems.isEmpty()) {
        answer(400, stripeError(u"invalid_request_error"_s, u"parameter_missing"_s,
                                u"Missing required param: line_items."_s, u"line_items"_s));
        return;
    }
    if (!params.contains(u"success_url"_s)) {
        answer(400, stripeError(u"invalid_request_error"_s, u"parameter_missing"_s,
                                u"Missing required param: success_url."_s, u"success_url"_s));
        return;
    }
    QJsonArray items;
    for (qsizetype i = 0; i < lineItems.size(); ++i) {
        const QVariantMap item = lineItems[i].toMap();
        const QString price = item.value(u"price"_s).toString();
        const QString param = u"line_items[%1][price]"_s.arg(i);
        if (!m_store.contains(u"price"_s, price)) {
            answer(400, stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                    missingMessage(u"price"_s, price), param));
            return;
        }
        items.append(QJsonObject{{u"price"_s, price}, {u"quantity"_s, item.value(u"quantity"_s, 1).toInt()}});
    }
    const QString customer = params.value(u"customer"_s).toString();
    if (!customer.isEmpty() && params.contains(u"customer_email"_s)) {
        answer(400, stripeError(u"invalid_request_error"_s, u"parameter_invalid"_s,
                                u"You may only specify one of these parameters: customer, customer_email."_s,
                                u"customer_email"_s));
        return;
    }
    if (!customer.isEmpty() && !m_store.contains(u"customer"_s, customer)) {
        answer(400, stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                missingMessage(u"customer"_s, customer), u"customer"_s));
        return;
    }
    const QVariantMap subscriptionData = params.value(u"subscription_data"_s).toMap();
    const qint64 trialDays = subscriptionData.value(u"trial_period_days"_s, 0).toLongLong();
    if (subscriptionData.contains(u"trial_period_days"_s) && (trialDays < 1 || trialDays > 730)) {
        answer(400, stripeError(u"invalid_request_error"_s, u"parameter_invalid_integer"_s,
                                u"trial_period_days must be between 1 and 730."_s,
                                u"subscription_data[trial_period_days]"_s));
        return;
    }

    const QString id = m_store.newId(u"cs_test"_s);
    const auto emailValue = params.contains(u"customer_email"_s)
                                ? QJsonValue(params.value(u"customer_email"_s).toString())
                                : QJsonValue(QJsonValue::Null);
    QJsonObject session{
        {u"id"_s, id},
        {u"object"_s, u"checkout.session"_s},
        {u"cancel_url"_s, params.value(u"cancel_url"_s).toString()},
        {u"client_reference_id"_s, params.contains(u"client_reference_id"_s)
                                       ? QJsonValue(params.value(u"client_reference_id"_s).toString())
                                       : QJsonValue(QJsonValue::Null)},
        {u"created"_s, m_store.now()},
        {u"currency"_s, u"eur"_s},
        {u"customer"_s, customer.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(customer)},
        {u"customer_details"_s, QJsonValue::Null},
        {u"customer_email"_s, emailValue},
        {u"expires_at"_s, m_store.now() + 24 * 3600},
        {u"livemode"_s, m_store.livemode()},
        {u"metadata"_s, QJsonObject::fromVariantMap(params.value(u"metadata"_s).toMap())},
        {u"mode"_s, mode},
        {u"payment_status"_s, u"unpaid"_s},
        {u"status"_s, u"open"_s},
        {u"subscription"_s, QJsonValue::Null},
        {u"success_url"_s, params.value(u"success_url"_s).toString()},
        {u"url"_s, QString(u"https://checkout.stripe.com/c/pay/"_s + id)},
    };
    m_store.put(kCheckoutSession, session);
    // What the session will create once paid; kept beside it, as Stripe keeps it internally.
    m_store.put(u"checkout.session.plan"_s,
                QJsonObject{{u"id"_s, id},
                            {u"livemode"_s, m_store.livemode()},
                            {u"line_items"_s, items},
                            {u"subscription_metadata"_s,
                             QJsonObject::fromVariantMap(subscriptionData.value(u"metadata"_s).toMap())},
                            {u"trial_period_days"_s, trialDays}});
    answer(200, session);
}

void StripeEmulator::createPortalSession(const QVariantMap &params, const Answer &answer)
{
    const QString customer = params.value(u"customer"_s).toString();
    if (!m_store.contains(u"customer"_s, customer)) {
        answer(400, stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                missingMessage(u"customer"_s, customer), u"customer"_s));
        return;
    }
    const QString id = m_store.newId(u"bps"_s);
    const QJsonObject session{
        {u"id"_s, id},
        {u"object"_s, u"billing_portal.session"_s},
        {u"configuration"_s, u"bpc_emulator"_s},
        {u"created"_s, m_store.now()},
        {u"customer"_s, customer},
        {u"livemode"_s, m_store.livemode()},
        {u"locale"_s, QJsonValue::Null},
        {u"return_url"_s, params.contains(u"return_url"_s)
                              ? QJsonValue(params.value(u"return_url"_s).toString())
                              : QJsonValue(QJsonValue::Null)},
        {u"url"_s, QString(u"https://billing.stripe.com/p/session/test_"_s + id.mid(4))},
    };
    m_store.put(u"billing_portal.session"_s, session);
    answer(200, session);
}

void StripeEmulator::updateSubscription(const QString &id, const QVariantMap &params, const Answer &answer)
{
    if (!m_store.contains(kSubscription, id)) {
        answer(404, stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                missingMessage(u"subscription"_s, id), u"id"_s));
        return;
    }
    QJsonObject subscription = m_store.object(kSubscription, id);
    if (subscription.value(u"status"_s).toString() == u"canceled") {
        answer(400, stripeError(
                        u"invalid_request_error"_s, {},
                        u"A canceled subscription can only update its cancellation_details and metadata."_s));
        return;
    }
    QJsonObject previous;
    if (params.contains(u"cancel_at_period_end"_s)) {
        const bool cancel = params.value(u"cancel_at_period_end"_s).toString() == u"true";
        previous.insert(u"cancel_at_period_end"_s, subscription.value(u"cancel_at_period_end"_s));
        previous.insert(u"cancel_at"_s, subscription.value(u"cancel_at"_s));
        previous.insert(u"canceled_at"_s, subscription.value(u"canceled_at"_s));
        subscription.insert(u"cancel_at_period_end"_s, cancel);
        subscription.insert(u"cancel_at"_s, cancel ? firstItem(subscription).value(u"current_period_end"_s)
                                                   : QJsonValue(QJsonValue::Null));
        subscription.insert(u"canceled_at"_s,
                            cancel ? QJsonValue(m_store.now()) : QJsonValue(QJsonValue::Null));
    }
    if (params.contains(u"metadata"_s)) {
        previous.insert(u"metadata"_s, subscription.value(u"metadata"_s));
        subscription.insert(u"metadata"_s, QJsonObject::fromVariantMap(params.value(u"metadata"_s).toMap()));
    }
    m_store.put(kSubscription, subscription);
    m_webhooks->deliver({m_store.recordEvent(u"customer.subscription.updated"_s, subscription, previous)},
                        {});
    answer(200, subscription);
}

void StripeEmulator::cancelSubscription(const QString &id, const Answer &answer)
{
    if (!m_store.contains(kSubscription, id)) {
        answer(404, stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                missingMessage(u"subscription"_s, id), u"id"_s));
        return;
    }
    QJsonObject subscription = m_store.object(kSubscription, id);
    if (subscription.value(u"status"_s).toString() == u"canceled") {
        answer(404, stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                missingMessage(u"subscription"_s, id), u"id"_s));
        return;
    }
    const QJsonObject previous{{u"status"_s, subscription.value(u"status"_s)}};
    subscription.insert(u"status"_s, u"canceled"_s);
    subscription.insert(u"canceled_at"_s, m_store.now());
    subscription.insert(u"ended_at"_s, m_store.now());
    m_store.put(kSubscription, subscription);
    m_webhooks->deliver({m_store.recordEvent(u"customer.subscription.deleted"_s, subscription, previous)},
                        {});
    answer(200, subscription);
}

void StripeEmulator::listEvents(const QVariantMap &params, const Answer &answer)
{
    QStringList types = params.value(u"types"_s).toStringList();
    if (params.contains(u"type"_s))
        types << params.value(u"type"_s).toString();
    const QVariantMap created = params.value(u"created"_s).toMap();
    // delivery_success=false: events still pending or whose every delivery
    // failed (Stripe's pending_webhooks > 0); true: delivered.
    const bool bySuccess = params.contains(u"delivery_success"_s);
    const bool delivered = params.value(u"delivery_success"_s).toBool();
    answerListPage(
        m_store.events(), params, u"event"_s, u"/v1/events"_s,
        [&](const QJsonObject &event) {
            return event.value(u"livemode"_s).toBool() == m_store.livemode() &&
                   createdMatches(event, created) &&
                   (types.isEmpty() || types.contains(event.value(u"type"_s).toString())) &&
                   (!bySuccess || (event.value(u"pending_webhooks"_s).toInteger() == 0) == delivered);
        },
        answer);
}

void StripeEmulator::listObjects(const QString &kind, const QVariantMap &params, const Answer &answer)
{
    const QVariantMap created = params.value(u"created"_s).toMap();
    const QString customer = params.value(u"customer"_s).toString();
    const QString email = params.value(u"email"_s).toString();
    const QString subscription = params.value(u"subscription"_s).toString();
    // Subscriptions: without a status, all but canceled ones (Stripe's default).
    QString status = params.value(u"status"_s).toString();
    if (kind == kSubscription && status.isEmpty())
        status = u"not_canceled"_s;
    auto matches = [&](const QJsonObject &object) {
        const QString objectStatus = object.value(u"status"_s).toString();
        const bool statusMatches =
            status.isEmpty() || status == u"all" ||
            (status == u"not_canceled" && objectStatus != u"canceled") ||
            (status == u"ended" && !object.value(u"ended_at"_s).isNull() && object.contains(u"ended_at"_s)) ||
            objectStatus == status;
        return createdMatches(object, created) && statusMatches &&
               (customer.isEmpty() || object.value(u"customer"_s).toString() == customer ||
                object.value(u"customer"_s).toObject().value(u"id"_s).toString() == customer) &&
               (email.isEmpty() || object.value(u"email"_s).toString() == email) &&
               (subscription.isEmpty() || invoiceSubscription(object) == subscription);
    };
    const QString plural = kind == u"customer"     ? u"customers"_s
                           : kind == kSubscription ? u"subscriptions"_s
                                                   : u"invoices"_s;
    QList<QJsonObject> all = m_store.objects(kind);
    // expand[]=data.customer: the customer object in place of its id.
    if (kind != u"customer" && params.value(u"expand"_s).toStringList().contains(u"data.customer"_s)) {
        for (QJsonObject &object : all) {
            const QString customerId = object.value(u"customer"_s).toString();
            if (m_store.contains(u"customer"_s, customerId))
                object.insert(u"customer"_s, m_store.object(u"customer"_s, customerId));
        }
    }
    answerListPage(all, params, kind, u"/v1/"_s + plural, matches, answer);
}

void StripeEmulator::deliver(const QList<QJsonObject> &events, const HttpRequest &control)
{
    // ?deliver=false: the events exist (GET /v1/events lists them) but are
    // never sent, as when every delivery failed: the drift reconciliation
    // and catch-up must repair.
    if (control.query.queryItemValue(u"deliver"_s) == u"false")
        return;
    WebhookSender::Options options;
    options.copies = std::clamp(control.query.queryItemValue(u"copies"_s).toInt(), 1, 100);
    options.reverse = control.query.queryItemValue(u"reverse"_s) == u"true";
    m_webhooks->deliver(events, options);
}

void StripeEmulator::installControlRoutes()
{
    auto eventIds = [](const QList<QJsonObject> &events) {
        QJsonArray ids;
        for (const QJsonObject &event : events)
            ids.append(event.value(u"id"_s));
        return ids;
    };

    // The customer pays: customer, subscription and first invoice are created and announced.
    m_http.addRoute(
        "POST", u"/_emulator/checkout/sessions/{id}/complete"_s,
        [this, eventIds](const HttpRequest &request, HttpResponder responder) {
            const QString id = request.pathArgs.value(u"id"_s);
            QJsonObject session = m_store.objectInAnyMode(kCheckoutSession, id);
            m_store.setLivemode(session.value(u"livemode"_s).toBool());
            if (session.isEmpty() || session.value(u"status"_s).toString() != u"open") {
                responder.sendJson(404, stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                                    u"No open checkout session '%1'"_s.arg(id)));
                return;
            }
            const QJsonObject plan = m_store.object(u"checkout.session.plan"_s, id);
            QString customer = session.value(u"customer"_s).toString();
            QString email = session.value(u"customer_email"_s).toString();
            // A session for an existing customer shows (and reports) that customer's e-mail.
            if (email.isEmpty() && !customer.isEmpty())
                email = m_store.object(u"customer"_s, customer).value(u"email"_s).toString();
            if (email.isEmpty())
                email = request.query.queryItemValue(u"email"_s);
            if (email.isEmpty())
                email = u"customer@example.com"_s;
            if (customer.isEmpty())
                customer = m_store.createCustomer(email, {}).value(u"id"_s).toString();
            const QString price =
                plan.value(u"line_items"_s).toArray().first().toObject().value(u"price"_s).toString();
            const auto [subscription, invoice] =
                m_store.startSubscription(customer, price, plan.value(u"subscription_metadata"_s).toObject(),
                                          plan.value(u"trial_period_days"_s).toInteger());

            const bool trial = subscription.value(u"status"_s).toString() == u"trialing";
            session.insert(u"status"_s, u"complete"_s);
            session.insert(u"payment_status"_s, trial ? u"no_payment_required"_s : u"paid"_s);
            session.insert(u"customer"_s, customer);
            session.insert(u"customer_details"_s, QJsonObject{{u"email"_s, email}});
            session.insert(u"subscription"_s, subscription.value(u"id"_s));
            session.insert(u"invoice"_s, invoice.value(u"id"_s));
            session.insert(u"amount_total"_s, invoice.value(u"amount_due"_s));
            m_store.put(kCheckoutSession, session);

            // The order Stripe usually sends them in; the product must cope with any.
            const QList<QJsonObject> events = {
                m_store.recordEvent(u"customer.subscription.created"_s, subscription),
                m_store.recordEvent(u"invoice.payment_succeeded"_s, invoice),
                m_store.recordEvent(u"checkout.session.completed"_s, session),
            };
            deliver(events, request);
            answerControl(responder, 200,
                          {{u"checkout_session"_s, session},
                           {u"subscription"_s, subscription},
                           {u"invoice"_s, invoice},
                           {u"events"_s, eventIds(events)}});
        });

    // A sale made without this service's checkout: another product on the same
    // Stripe account, or staff in Stripe's Dashboard. {"price", "email", "metadata"}
    m_http.addRoute(
        "POST", u"/_emulator/subscriptions"_s,
        [this, eventIds](const HttpRequest &request, HttpResponder responder) {
            const QJsonObject spec = QJsonDocument::fromJson(request.body).object();
            m_store.setLivemode(spec.value(u"livemode"_s).toBool());
            const QString price = spec.value(u"price"_s).toString(u"price_demo_solo"_s);
            if (!m_store.contains(u"price"_s, price)) {
                responder.sendJson(400, stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                                    missingMessage(u"price"_s, price), u"price"_s));
                return;
            }
            const QString customer =
                m_store.createCustomer(spec.value(u"email"_s).toString(u"someone@elsewhere.example"_s), {})
                    .value(u"id"_s)
                    .toString();
            const auto [subscription, invoice] =
                m_store.startSubscription(customer, price, spec.value(u"metadata"_s).toObject(), 0);
            const QList<QJsonObject> events = {
                m_store.recordEvent(u"customer.subscription.created"_s, subscription),
                m_store.recordEvent(u"invoice.payment_succeeded"_s, invoice),
            };
            deliver(events, request);
            answerControl(responder, 200,
                          {{u"customer"_s, customer},
                           {u"subscription"_s, subscription},
                           {u"invoice"_s, invoice},
                           {u"events"_s, eventIds(events)}});
        });

    // A billing period ends: renewed and paid, or the payment fails (past_due).
    auto cycle = [this, eventIds](bool paid) {
        return [this, eventIds, paid](const HttpRequest &request, HttpResponder responder) {
            const QString id = request.pathArgs.value(u"id"_s);
            QJsonObject subscription = m_store.objectInAnyMode(kSubscription, id);
            m_store.setLivemode(subscription.value(u"livemode"_s).toBool());
            if (subscription.isEmpty() || subscription.value(u"status"_s).toString() == u"canceled") {
                responder.sendJson(404, stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                                    u"No active subscription '%1'"_s.arg(id)));
                return;
            }
            const QJsonObject previous{
                {u"status"_s, subscription.value(u"status"_s)},
                {u"current_period_end"_s, firstItem(subscription).value(u"current_period_end"_s)}};
            const qint64 start = firstItem(subscription).value(u"current_period_end"_s).toInteger();
            const QJsonObject price = firstItem(subscription).value(u"price"_s).toObject();
            subscription = withPeriod(subscription, start, start + EmulatorStore::periodLength(price));
            subscription.insert(u"status"_s, paid ? u"active"_s : u"past_due"_s);
            const QJsonObject invoice = m_store.createInvoice(subscription, paid, u"subscription_cycle"_s);
            subscription.insert(u"latest_invoice"_s, invoice.value(u"id"_s));
            m_store.put(kSubscription, subscription);
            const QList<QJsonObject> events = {
                m_store.recordEvent(paid ? u"invoice.payment_succeeded"_s : u"invoice.payment_failed"_s,
                                    invoice),
                m_store.recordEvent(u"customer.subscription.updated"_s, subscription, previous),
            };
            deliver(events, request);
            answerControl(responder, 200,
                          {{u"subscription"_s, subscription},
                           {u"invoice"_s, invoice},
                           {u"events"_s, eventIds(events)}});
        };
    };
    // An open invoice is paid: by Stripe's retry of the card (invoice.payment_succeeded
    // and invoice.paid), or out of band (?out_of_band=true: a bank transfer or
    // cheque marked paid in Stripe's Dashboard; invoice.paid alone). A past-due
    // subscription becomes active again.
    m_http.addRoute(
        "POST", u"/_emulator/invoices/{id}/pay"_s,
        [this, eventIds](const HttpRequest &request, HttpResponder responder) {
            const QString id = request.pathArgs.value(u"id"_s);
            QJsonObject invoice = m_store.objectInAnyMode(u"invoice"_s, id);
            m_store.setLivemode(invoice.value(u"livemode"_s).toBool());
            if (invoice.isEmpty() || invoice.value(u"status"_s).toString() != u"open") {
                responder.sendJson(404, stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                                    u"No open invoice '%1'"_s.arg(id)));
                return;
            }
            const bool outOfBand = request.query.queryItemValue(u"out_of_band"_s) == u"true";
            const qint64 amount = invoice.value(u"amount_due"_s).toInteger();
            invoice.insert(u"status"_s, u"paid"_s);
            invoice.insert(u"paid"_s, true);
            invoice.insert(u"paid_out_of_band"_s, outOfBand);
            invoice.insert(u"amount_paid"_s, amount);
            invoice.insert(u"amount_remaining"_s, 0);
            invoice.insert(u"next_payment_attempt"_s, QJsonValue::Null);
            if (!outOfBand)
                invoice.insert(u"attempt_count"_s, invoice.value(u"attempt_count"_s).toInt() + 1);
            invoice.insert(u"status_transitions"_s, QJsonObject{{u"paid_at"_s, m_store.now()}});
            m_store.put(u"invoice"_s, invoice);
            QList<QJsonObject> events;
            if (!outOfBand)
                events.append(m_store.recordEvent(u"invoice.payment_succeeded"_s, invoice));
            events.append(m_store.recordEvent(u"invoice.paid"_s, invoice));
            QJsonObject subscription = m_store.object(kSubscription, invoiceSubscription(invoice));
            if (subscription.value(u"status"_s).toString() == u"past_due") {
                const QJsonObject previous{{u"status"_s, subscription.value(u"status"_s)}};
                subscription.insert(u"status"_s, u"active"_s);
                m_store.put(kSubscription, subscription);
                events.append(
                    m_store.recordEvent(u"customer.subscription.updated"_s, subscription, previous));
            }
            deliver(events, request);
            answerControl(responder, 200, {{u"invoice"_s, invoice}, {u"events"_s, eventIds(events)}});
        });

    m_http.addRoute("POST", u"/_emulator/subscriptions/{id}/renew"_s, cycle(true));
    m_http.addRoute("POST", u"/_emulator/subscriptions/{id}/fail_renewal"_s, cycle(false));

    m_http.addRoute("POST", u"/_emulator/events/redeliver_pending"_s,
                    [this](const HttpRequest &, HttpResponder responder) {
                        responder.sendJson(200, {{u"redelivered"_s, redeliverPending()}});
                    });
    m_http.addRoute("POST", u"/_emulator/events/{id}/redeliver"_s,
                    [this](const HttpRequest &request, HttpResponder responder) {
                        const QString id = request.pathArgs.value(u"id"_s);
                        for (const QJsonObject &event : m_store.events()) {
                            if (event.value(u"id"_s).toString() == id) {
                                deliver({event}, request);
                                responder.sendJson(200, {{u"event"_s, id}});
                                return;
                            }
                        }
                        responder.sendJson(404, stripeError(u"invalid_request_error"_s, u"resource_missing"_s,
                                                            missingMessage(u"event"_s, id)));
                    });

    // {"method":"POST","path":"/v1/checkout/sessions","status":500,"count":2,"after":0,
    //  "delay_ms":0,"drop":false,"retry_after":"1","should_retry":"true"}
    m_http.addRoute("POST", u"/_emulator/faults"_s,
                    [this](const HttpRequest &request, HttpResponder responder) {
                        const QJsonObject spec = QJsonDocument::fromJson(request.body).object();
                        Fault fault;
                        fault.method = spec.value(u"method"_s).toString().toLatin1();
                        fault.pathPrefix = spec.value(u"path"_s).toString(u"/v1/"_s);
                        fault.status = spec.value(u"status"_s).toInt();
                        fault.remaining = spec.value(u"count"_s).toInt(1);
                        fault.passBefore = spec.value(u"after"_s).toInt();
                        fault.delayMs = spec.value(u"delay_ms"_s).toInt();
                        fault.drop = spec.value(u"drop"_s).toBool();
                        fault.retryAfter = spec.value(u"retry_after"_s).toString().toLatin1();
                        fault.shouldRetry = spec.value(u"should_retry"_s).toString().toLatin1();
                        m_faults.append(fault);
                        responder.sendJson(200, {{u"faults"_s, int(m_faults.size())}});
                    });
    m_http.addRoute("DELETE", u"/_emulator/faults"_s, [this](const HttpRequest &, HttpResponder responder) {
        m_faults.clear();
        responder.sendJson(200, {{u"faults"_s, 0}});
    });
    m_http.addRoute("GET", u"/_emulator/requests"_s, [this](const HttpRequest &, HttpResponder responder) {
        responder.sendJson(200, list(m_requestLog, false, u"/_emulator/requests"_s));
    });
    m_http.addRoute("DELETE", u"/_emulator/requests"_s, [this](const HttpRequest &, HttpResponder responder) {
        m_requestLog = QJsonArray();
        responder.sendJson(200, list({}, false, u"/_emulator/requests"_s));
    });
    m_http.addRoute("GET", u"/_emulator/deliveries"_s, [this](const HttpRequest &, HttpResponder responder) {
        responder.sendJson(200, {{u"object"_s, u"list"_s},
                                 {u"data"_s, m_webhooks->deliveries()},
                                 {u"idle"_s, m_webhooks->isIdle()}});
    });
}

} // namespace billing::emulator
