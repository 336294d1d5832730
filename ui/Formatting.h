#pragma once

#include <QColor>
#include <QJsonValue>
#include <QString>

// Display helpers shared by the models, the overview and the dialogs.
namespace billing::ui::Formatting {

// 1234, "eur" -> "12.34 EUR" (zero-decimal currencies such as JPY have no cents).
QString amount(qint64 smallestUnit, const QString &currency);
// Unix seconds (number or numeric string) -> local date and time; empty for null.
QString time(const QJsonValue &unixSeconds);
QString boolean(const QJsonValue &value);
QString text(const QJsonValue &value);
// A value whose type the API names beside it: "time" as time(), anything else as text().
QString typed(const QJsonValue &value, const QString &type);
// Status colour: failed/past_due/unpaid/suspended red, trialing/grace/pending amber,
// active/processed/paid/sent green, canceled/revoked/ignored grey; invalid otherwise.
QColor statusColor(const QString &status);

} // namespace billing::ui::Formatting
