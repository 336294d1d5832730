#pragma once

#include "ApiColumn.h"
#include "CompactRows.h"

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QPointer>

namespace billing::ui {

class ApiClient;
class ApiReply;

// A table over one admin API list (/events, /subscriptions, ...). Pages from the
// service with canFetchMore()/fetchMore() using next_cursor, one request at a
// time; filters and sort are the API's, so reload() asks again from the top.
class ApiListModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Role { RowObjectRole = Qt::UserRole + 1, RawValueRole };

    ApiListModel(ApiClient *client, const QString &path, const QList<ApiColumn> &columns,
                 QObject *parent = nullptr);

    QString path() const { return m_path; }
    const QList<ApiColumn> &columns() const { return m_columns; }

    int pageSize() const { return m_pageSize; }

    // An empty value removes the filter. Call reload() to apply.
    void setFilter(const QString &key, const QString &value);
    QString filter(const QString &key) const { return m_filters.value(key); }

    // "received_at" ascending, "-received_at" descending; empty for the API default.
    void setSortParameter(const QString &sort) { m_sort = sort; }
    int sortColumn() const;
    Qt::SortOrder sortOrder() const;

    bool isLoading() const { return !m_inFlight.isNull(); }
    bool isLoaded() const { return m_loaded; }
    QString errorMessage() const { return m_errorMessage; }

    QJsonObject rowObject(int row) const;
    int rowOf(const QString &key, const QJsonValue &value) const;

    // Drops pending work and asks for the first page again; rows stay until it arrives.
    void reload();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

Q_SIGNALS:
    void loadingChanged(bool loading);
    void loadFailed(const QString &message);
    void pageLoaded();

private:
    void request(bool firstPage);
    void onReply(ApiReply *reply, bool firstPage);
    QString display(int row, const ApiColumn &column) const;

    ApiClient *m_client;
    QString m_path;
    QList<ApiColumn> m_columns;
    CompactRows m_rows;
    QMap<QString, QString> m_filters;
    QString m_sort;
    QString m_nextCursor;
    QString m_errorMessage;
    QPointer<ApiReply> m_inFlight;
    int m_pageSize = 100;
    bool m_loaded = false;
    bool m_hasMore = false;
};

} // namespace billing::ui
