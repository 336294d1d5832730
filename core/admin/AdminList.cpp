#include "AdminList.h"

#include "db/Database.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

QVariant cursorValue(const QJsonValue &value, AdminList::Kind kind)
{
    if (kind == AdminList::Kind::Text)
        return value.isString() ? QVariant(value.toString()) : QVariant();
    return value.isDouble() ? QVariant(value.toInteger()) : QVariant();
}

QJsonValue rawJson(const QVariant &value, AdminList::Kind kind)
{
    return kind == AdminList::Kind::Text ? QJsonValue(value.toString()) : QJsonValue(value.toLongLong());
}

Error invalidParameter(const QString &message, const QString &param)
{
    return Error{ErrorCode::InvalidInput, message, param};
}

} // namespace

QJsonValue AdminList::toJson(const QVariant &value, Kind kind)
{
    if (value.isNull())
        return QJsonValue::Null;
    switch (kind) {
    case Kind::Integer: return value.toLongLong();
    case Kind::Boolean: return value.toBool();
    case Kind::Json: {
        const QJsonDocument document = QJsonDocument::fromJson(value.toString().toUtf8());
        return document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
    }
    case Kind::Text: break;
    }
    return value.toString();
}

Result<QList<QJsonObject>> AdminList::rows(QSqlDatabase &db, const QString &condition,
                                           const QVariantList &values, int limit) const
{
    QStringList selected;
    for (const Column &column : columns)
        selected << column.sql;
    const QString sql = u"SELECT %1 FROM %2 WHERE %3 ORDER BY %4 DESC LIMIT ?"_s.arg(selected.join(u", "_s),
                                                                                     from, condition, keySql);
    Result<SqlRows> found = runQuery(db, u"cannot read the rows"_s, sql, QVariantList(values) << limit);
    if (!found)
        return found.error();
    QList<QJsonObject> result;
    while (found->next()) {
        QJsonObject row;
        for (qsizetype i = 0; i < columns.size(); ++i)
            row.insert(columns[i].key, toJson(found->value(int(i)), columns[i].kind));
        result << row;
    }
    return result;
}

Result<QJsonObject> AdminList::page(QSqlDatabase &db, const QUrlQuery &query,
                                    std::optional<bool> serviceLivemode) const
{
    const auto param = [&query](const QString &name) {
        return query.queryItemValue(name, QUrl::FullyDecoded);
    };

    int limit = kDefaultLimit;
    if (query.hasQueryItem(u"limit"_s)) {
        bool ok = false;
        limit = param(u"limit"_s).toInt(&ok);
        if (!ok || limit < 1 || limit > kMaxLimit)
            return invalidParameter(u"limit must be a whole number from 1 to %1"_s.arg(kMaxLimit),
                                    u"limit"_s);
    }

    const QString sortParam = query.hasQueryItem(u"sort"_s) ? param(u"sort"_s) : defaultSort;
    const bool ascending = !sortParam.startsWith(u'-');
    const QString sortName = ascending ? sortParam : sortParam.mid(1);
    const auto sort =
        std::find_if(sorts.cbegin(), sorts.cend(), [&](const Sort &s) { return s.name == sortName; });
    if (sort == sorts.cend()) {
        QStringList names;
        for (const Sort &s : sorts)
            names << s.name;
        return invalidParameter(
            u"sort must be one of %1 (with - in front for descending)"_s.arg(names.join(u", "_s)), u"sort"_s);
    }

    QStringList conditions;
    QVariantList values;
    if (!modeCondition.isEmpty()) {
        std::optional<bool> livemode = serviceLivemode;
        if (query.hasQueryItem(u"mode"_s)) {
            const QString mode = param(u"mode"_s);
            if (mode == u"test" || mode == u"live")
                livemode = mode == u"live";
            else if (mode == u"all")
                livemode.reset();
            else
                return invalidParameter(u"mode must be test, live or all"_s, u"mode"_s);
        }
        if (livemode) {
            conditions << modeCondition;
            values << *livemode;
        }
    }
    for (const Filter &filter : filters) {
        if (!query.hasQueryItem(filter.param))
            continue;
        const QString value = param(filter.param);
        if (value.isEmpty())
            continue;
        if (value.size() > filter.maxLength) {
            return invalidParameter(
                u"%1 is longer than %2 characters"_s.arg(filter.param).arg(filter.maxLength), filter.param);
        }
        switch (filter.match) {
        case Filter::Match::Exact: values << value; break;
        case Filter::Match::Prefix: {
            // A range, not LIKE: SQLite's LIKE ignores case and so no index serves it.
            const QString upper = value + QChar(0xFFFF);
            for (qsizetype i = 0; i < filter.condition.count(u'?') / 2; ++i)
                values << value << upper;
            break;
        }
        case Filter::Match::Integer: {
            bool ok = false;
            const qint64 number = value.toLongLong(&ok);
            if (!ok)
                return invalidParameter(u"%1 must be a whole number"_s.arg(filter.param), filter.param);
            values << number;
            break;
        }
        case Filter::Match::Flag:
            if (value != u"1" && value != u"true")
                continue;
            break;
        }
        conditions << QString(filter.condition)
                          .replace(u"{C}"_s, db.driverName() == u"QPSQL" ? u" COLLATE \"C\""_s : QString());
    }

    const QString direction = ascending ? u"ASC"_s : u"DESC"_s;
    const QString comparison = ascending ? u">"_s : u"<"_s;
    if (query.hasQueryItem(u"cursor"_s)) {
        const QJsonArray cursor =
            QJsonDocument::fromJson(
                QByteArray::fromBase64(param(u"cursor"_s).toLatin1(), QByteArray::Base64UrlEncoding))
                .array();
        const QVariant sortValue = cursorValue(cursor.at(1), sort->kind);
        const QVariant keyValue = cursorValue(cursor.at(2), keyKind);
        if (cursor.size() != 3 || cursor.at(0).toString() != sortParam || !sortValue.isValid() ||
            !keyValue.isValid()) {
            return invalidParameter(
                u"cursor is not a next_cursor of this list with this sort; start again without it"_s,
                u"cursor"_s);
        }
        // A row value, not "a < ? OR (a = ? AND b < ?)": SQLite and PostgreSQL
        // both turn it into an index range, where the OR made SQLite scan from
        // the top, so each page cost more than the last.
        conditions << u"(%1, %3) %2 (?, ?)"_s.arg(sort->sql, comparison, keySql);
        values << sortValue << keyValue;
    }

    QStringList selected;
    for (const Column &column : columns)
        selected << column.sql;
    selected << sort->sql << keySql;
    // LIMIT is bound too: the statement text (and so the prepared-statement
    // cache) depends only on which filters and sort are used.
    const QString sql = u"SELECT %1 FROM %2%3 ORDER BY %4 %5, %6 %5 LIMIT ?"_s.arg(
        selected.join(u", "_s), from,
        conditions.isEmpty() ? QString() : u" WHERE "_s + conditions.join(u" AND "_s), sort->sql, direction,
        keySql);
    values << limit + 1;

    Result<SqlRows> rows = runQuery(db, u"cannot read the list"_s, sql, values);
    if (!rows)
        return Error{ErrorCode::DatabaseUnavailable, rows.error().message};
    QJsonArray data;
    QJsonValue nextCursor = QJsonValue::Null;
    const qsizetype columnCount = columns.size();
    QJsonValue lastSort;
    QJsonValue lastKey;
    while (rows->next()) {
        if (data.size() == limit) {
            // A row beyond the page: there is a next one, starting after the last row shown.
            const QJsonArray cursor{sortParam, lastSort, lastKey};
            nextCursor = QString::fromLatin1(
                QJsonDocument(cursor)
                    .toJson(QJsonDocument::Compact)
                    .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
            break;
        }
        QJsonObject row;
        for (qsizetype i = 0; i < columnCount; ++i)
            row.insert(columns[i].key, toJson(rows->value(int(i)), columns[i].kind));
        lastSort = rawJson(rows->value(int(columnCount)), sort->kind);
        lastKey = rawJson(rows->value(int(columnCount + 1)), keyKind);
        data.append(row);
    }
    return QJsonObject{{u"data"_s, data}, {u"next_cursor"_s, nextCursor}};
}

} // namespace billing
