#pragma once

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace billing::emulator {

// The emulator's Stripe account: its objects, in Stripe's JSON shapes, and the
// events that record what happened to them.
class EmulatorStore final
{
public:
    EmulatorStore();

    QString newId(const QString &prefix);
    // One billing period of a recurring price (a month counts 30 days, a year 365).
    static qint64 periodLength(const QJsonObject &price);
    qint64 now() const;
    void setClockOffset(qint64 seconds)
    {
        m_clockOffset = seconds;
        m_unsaved = true;
    }

    // Test or live: objects made from now on carry this livemode, and only
    // objects of this mode are found (a test customer is "No such customer" to
    // a live key, as on Stripe). Prices are shared by both modes here.
    void setLivemode(bool livemode) { m_livemode = livemode; }
    bool livemode() const { return m_livemode; }

    // Objects by kind ("price", "customer", "checkout.session", "subscription",
    // "invoice", "billing_portal.session"), each by id, in the current mode.
    QJsonObject object(const QString &kind, const QString &id) const;
    bool contains(const QString &kind, const QString &id) const;
    // The object whatever its mode (control routes act on either).
    QJsonObject objectInAnyMode(const QString &kind, const QString &id) const
    {
        return m_objects.value(kind).value(id);
    }
    void put(const QString &kind, const QJsonObject &object);
    // DELETE /v1/customers/{id} and the like: gone from lists and cursors.
    void remove(const QString &kind, const QString &id)
    {
        m_objects[kind].remove(id);
        m_unsaved = true;
    }
    // All objects of a kind, newest first, as Stripe's list endpoints order them.
    QList<QJsonObject> objects(const QString &kind) const;

    QJsonObject createCustomer(const QString &email, const QJsonObject &metadata);
    QJsonObject createSubscription(const QString &customer, const QString &price, const QJsonObject &metadata,
                                   qint64 trialDays);
    QJsonObject createInvoice(const QJsonObject &subscription, bool paid, const QString &billingReason);
    // A new subscription with its first invoice, paid (nothing to pay during a
    // trial) and named as its latest_invoice, both stored.
    struct Started
    {
        QJsonObject subscription;
        QJsonObject invoice;
    };
    Started startSubscription(const QString &customer, const QString &price, const QJsonObject &metadata,
                              qint64 trialDays);

    // A new event about object, stored and returned; previous: the fields that changed.
    QJsonObject recordEvent(const QString &type, const QJsonObject &object, const QJsonObject &previous = {});
    // Newest first, as GET /v1/events lists them.
    QList<QJsonObject> events() const;
    // Stripe's pending_webhooks drops to 0 once the endpoint accepted the event.
    void markDelivered(const QString &eventId);
    // Events not yet accepted by the endpoint and created at or after `since`, oldest first.
    QList<QJsonObject> undeliveredEvents(qint64 since) const;

    // The whole account as one JSON document (the emulator's state file), and back.
    QJsonObject toJson() const;
    // Replaces the account with `state`; on a malformed state, changes nothing and
    // returns false with the reason in `error`.
    bool restore(const QJsonObject &state, QString *error);
    // Whether anything changed since markSaved().
    bool hasUnsavedChanges() const { return m_unsaved; }
    void markSaved() { m_unsaved = false; }

    QString apiVersion = QStringLiteral("2025-03-31.basil");

private:
    void seedPrices();

    QHash<QString, QHash<QString, QJsonObject>> m_objects;
    QList<QJsonObject> m_events;
    qint64 m_clockOffset = 0;
    // Ids carry it, so it is saved; a request id alone does not make the state unsaved.
    quint64 m_counter = 0;
    bool m_unsaved = false;
    bool m_livemode = false;

    bool isVisible(const QString &kind, const QJsonObject &object) const;
};

} // namespace billing::emulator
