#include "Formatting.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QSet>

using namespace Qt::StringLiterals;

namespace billing::ui::Formatting {

namespace {

bool isZeroDecimal(const QString &currency)
{
    static const QSet<QString> zeroDecimal{u"bif"_s, u"clp"_s, u"djf"_s, u"gnf"_s, u"jpy"_s, u"kmf"_s,
                                           u"krw"_s, u"mga"_s, u"pyg"_s, u"rwf"_s, u"ugx"_s, u"vnd"_s,
                                           u"vuv"_s, u"xaf"_s, u"xof"_s, u"xpf"_s};
    return zeroDecimal.contains(currency.toLower());
}

} // namespace

QString amount(qint64 smallestUnit, const QString &currency)
{
    const QString code = currency.toUpper();
    if (isZeroDecimal(currency))
        return QString::number(smallestUnit) + u' ' + code;
    const bool negative = smallestUnit < 0;
    const qint64 absolute = negative ? -smallestUnit : smallestUnit;
    return (negative ? u"-"_s : QString()) + QString::number(absolute / 100) + u'.' +
           QString::number(absolute % 100).rightJustified(2, u'0') +
           (code.isEmpty() ? QString() : u' ' + code);
}

QString time(const QJsonValue &unixSeconds)
{
    qint64 seconds = 0;
    if (unixSeconds.isDouble())
        seconds = static_cast<qint64>(unixSeconds.toDouble());
    else if (unixSeconds.isString()) {
        bool ok = false;
        seconds = unixSeconds.toString().toLongLong(&ok);
        if (!ok)
            return unixSeconds.toString();
    } else
        return QString();
    if (seconds <= 0)
        return QString();
    return QLocale().toString(QDateTime::fromSecsSinceEpoch(seconds), u"yyyy-MM-dd HH:mm:ss"_s);
}

QString boolean(const QJsonValue &value)
{
    if (!value.isBool())
        return text(value);
    return value.toBool() ? QCoreApplication::translate("Formatting", "yes")
                          : QCoreApplication::translate("Formatting", "no");
}

QString typed(const QJsonValue &value, const QString &type)
{
    return type == "time"_L1 ? time(value) : text(value);
}

QString text(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: return QString();
    case QJsonValue::Bool: return value.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double: return QString::number(value.toDouble(), 'g', 15);
    case QJsonValue::String: return value.toString();
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    }
    return QString();
}

QColor statusColor(const QString &status)
{
    static const QSet<QString> red{u"failed"_s,    u"past_due"_s,      u"unpaid"_s,
                                   u"suspended"_s, u"uncollectible"_s, u"incomplete_expired"_s};
    static const QSet<QString> amber{u"trialing"_s,   u"grace"_s,    u"pending"_s, u"open"_s,
                                     u"incomplete"_s, u"received"_s, u"paused"_s};
    static const QSet<QString> green{u"active"_s, u"processed"_s, u"paid"_s, u"sent"_s};
    static const QSet<QString> grey{u"canceled"_s, u"revoked"_s, u"ignored"_s, u"void"_s, u"draft"_s};
    if (red.contains(status))
        return QColor(0xc6, 0x28, 0x28);
    if (amber.contains(status))
        return QColor(0xb2, 0x6a, 0x00);
    if (green.contains(status))
        return QColor(0x2e, 0x7d, 0x32);
    if (grey.contains(status))
        return QColor(0x75, 0x75, 0x75);
    return QColor();
}

} // namespace billing::ui::Formatting
