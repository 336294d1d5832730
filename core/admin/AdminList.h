#pragma once

#include "common/Result.h"

#include <QJsonObject>
#include <QSqlDatabase>
#include <QStringList>
#include <QUrlQuery>

#include <optional>

namespace billing {

// One list of the admin API: which rows, which filters and sorts it allows,
// and how a page of it is read. Pages are keyset-paginated (the cursor holds
// the last row's sort value and key), so page 10,000 costs what page 1 does
// and rows arriving meanwhile neither repeat nor vanish (a row whose sort
// value changes meanwhile, such as updated_at, can).
struct AdminList
{
    enum class Kind { Text, Integer, Boolean, Json };
    struct Column
    {
        QString key; // the JSON name
        QString sql; // the expression selected
        Kind kind = Kind::Text;
    };
    struct Filter
    {
        QString param;
        // SQL with one ? for the value; Prefix: pairs of ? (from, to); Flag: none.
        // {C} marks where text is compared byte by byte: COLLATE "C" on
        // PostgreSQL, whose usual collations (en_US.UTF-8) order a prefix range
        // otherwise; nothing on SQLite, which compares bytes already.
        QString condition;
        enum class Match { Exact, Prefix, Integer, Flag } match = Match::Exact;
        qsizetype maxLength = 255;
    };
    struct Sort
    {
        QString name;
        QString sql; // never NULL (COALESCE it), so that keyset comparisons hold
        Kind kind = Kind::Integer;
    };

    QString from;
    QString keySql; // unique per row: the tie-break of every sort
    Kind keyKind = Kind::Integer;
    QList<Column> columns;
    QList<Filter> filters;
    QList<Sort> sorts;
    QString defaultSort; // e.g. "-created"
    // For lists of Stripe objects: SQL with one ? for livemode. The list shows
    // the mode the service runs in unless ?mode=test|live|all says otherwise,
    // so that test rows kept after switching to live keys stay for audit but
    // out of the way.
    QString modeCondition;

    static constexpr int kDefaultLimit = 100;
    static constexpr int kMaxLimit = 500;

    // {"data": [...], "next_cursor": ...}; InvalidInput (naming the
    // parameter) for bad parameters. serviceLivemode: the mode shown without
    // ?mode (nothing: both).
    Result<QJsonObject> page(QSqlDatabase &db, const QUrlQuery &query,
                             std::optional<bool> serviceLivemode) const;
    // The rows matching `condition` (SQL with ? for values), in the default
    // order: for details (one event, a tenant's invoices).
    Result<QList<QJsonObject>> rows(QSqlDatabase &db, const QString &condition, const QVariantList &values,
                                    int limit = kMaxLimit) const;
    // Turns one selected row into JSON: shared with the detail endpoints.
    static QJsonValue toJson(const QVariant &value, Kind kind);
};

} // namespace billing
