#include "ApiListModel.h"

#include "ApiClient.h"
#include "ApiReply.h"
#include "Formatting.h"

#include <QJsonArray>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace billing::ui {

ApiListModel::ApiListModel(ApiClient *client, const QString &path, const QList<ApiColumn> &columns,
                           QObject *parent)
    : QAbstractTableModel(parent)
    , m_client(client)
    , m_path(path)
    , m_columns(columns)
{}

void ApiListModel::setFilter(const QString &key, const QString &value)
{
    if (value.isEmpty())
        m_filters.remove(key);
    else
        m_filters.insert(key, value);
}

int ApiListModel::sortColumn() const
{
    const QString key = m_sort.startsWith(u'-') ? m_sort.mid(1) : m_sort;
    for (int i = 0; i < m_columns.size(); ++i) {
        if (!key.isEmpty() && m_columns.at(i).sortKey == key)
            return i;
    }
    return -1;
}

Qt::SortOrder ApiListModel::sortOrder() const
{
    return m_sort.startsWith(u'-') ? Qt::DescendingOrder : Qt::AscendingOrder;
}

QJsonObject ApiListModel::rowObject(int row) const
{
    return m_rows.object(row);
}

int ApiListModel::rowOf(const QString &key, const QJsonValue &value) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.value(i, key) == value)
            return i;
    }
    return -1;
}

void ApiListModel::reload()
{
    if (m_inFlight) {
        m_inFlight->disconnect(this);
        m_inFlight->abort();
    }
    request(true);
}

int ApiListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ApiListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_columns.size());
}

QString ApiListModel::display(int row, const ApiColumn &column) const
{
    const QJsonValue value = m_rows.value(row, column.key);
    switch (column.kind) {
    case ApiColumn::Kind::Text:
    case ApiColumn::Kind::Status: return Formatting::text(value);
    case ApiColumn::Kind::Time: return Formatting::time(value);
    case ApiColumn::Kind::Bool: return Formatting::boolean(value);
    case ApiColumn::Kind::Typed:
        return Formatting::typed(value, m_rows.value(row, column.companionKey).toString());
    case ApiColumn::Kind::Amount:
        if (!value.isDouble())
            return Formatting::text(value);
        return Formatting::amount(static_cast<qint64>(value.toDouble()),
                                  m_rows.value(row, column.companionKey).toString());
    }
    return QString();
}

QVariant ApiListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const ApiColumn &column = m_columns.at(index.column());
    switch (role) {
    case Qt::DisplayRole: return display(row, column);
    case Qt::ToolTipRole: return Formatting::text(m_rows.value(row, column.key));
    case Qt::ForegroundRole:
        if (column.kind == ApiColumn::Kind::Status) {
            const QColor colour = Formatting::statusColor(m_rows.value(row, column.key).toString());
            if (colour.isValid())
                return colour;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column.kind == ApiColumn::Kind::Amount)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case RowObjectRole: return m_rows.object(row);
    case RawValueRole: return m_rows.value(row, column.key).toVariant();
    default: return {};
    }
}

QVariant ApiListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= m_columns.size())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole)
        return m_columns.at(section).header;
    if (role == Qt::ToolTipRole && m_columns.at(section).sortKey.isEmpty())
        return tr("This column cannot be sorted.");
    return {};
}

bool ApiListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_loaded && m_hasMore && !isLoading();
}

void ApiListModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        request(false);
}

void ApiListModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= m_columns.size() || m_columns.at(column).sortKey.isEmpty())
        return;
    const QString key = m_columns.at(column).sortKey;
    const QString sort = order == Qt::DescendingOrder ? u'-' + key : key;
    if (sort == m_sort && m_loaded)
        return;
    m_sort = sort;
    reload();
}

void ApiListModel::request(bool firstPage)
{
    QUrlQuery query;
    query.addQueryItem(u"limit"_s, QString::number(m_pageSize));
    for (auto it = m_filters.cbegin(); it != m_filters.cend(); ++it)
        query.addQueryItem(it.key(), it.value());
    if (!m_sort.isEmpty())
        query.addQueryItem(u"sort"_s, m_sort);
    if (!firstPage)
        query.addQueryItem(u"cursor"_s, m_nextCursor);

    ApiReply *reply = m_client->get(m_path, query);
    const bool wasLoading = isLoading();
    m_inFlight = reply;
    connect(reply, &ApiReply::finished, this, [this, reply, firstPage] { onReply(reply, firstPage); });
    if (!wasLoading)
        Q_EMIT loadingChanged(true);
}

void ApiListModel::onReply(ApiReply *reply, bool firstPage)
{
    if (reply != m_inFlight)
        return;
    m_inFlight.clear();

    if (!reply->isOk()) {
        m_errorMessage = reply->errorMessage();
        // Stop paging after a failure; reload() starts over.
        m_hasMore = false;
        Q_EMIT loadingChanged(false);
        Q_EMIT loadFailed(m_errorMessage);
        return;
    }
    m_errorMessage.clear();

    const QJsonObject answer = reply->json();
    const QJsonArray rows = answer.value("data"_L1).toArray();
    const QJsonValue next = answer.value("next_cursor"_L1);
    m_nextCursor = next.isString() ? next.toString() : QString();
    m_hasMore = !m_nextCursor.isEmpty();

    if (firstPage) {
        beginResetModel();
        m_rows.clear();
        for (const QJsonValue &row : rows)
            m_rows.append(row.toObject());
        m_loaded = true;
        endResetModel();
    } else if (!rows.isEmpty()) {
        const int first = static_cast<int>(m_rows.size());
        beginInsertRows({}, first, first + static_cast<int>(rows.size()) - 1);
        for (const QJsonValue &row : rows)
            m_rows.append(row.toObject());
        endInsertRows();
    }
    Q_EMIT loadingChanged(false);
    Q_EMIT pageLoaded();
}

} // namespace billing::ui
