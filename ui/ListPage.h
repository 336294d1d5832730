#pragma once

#include "ListFilter.h"

#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTableView;
class QTimer;

namespace billing::ui {

class ApiClient;
class ApiListModel;
class ApiReply;

// One list tab: filter bar, a table paging from the API, and a detail pane
// with the selected row as JSON (or, with a detail path, the service's full record).
class ListPage final : public QWidget
{
    Q_OBJECT

public:
    ListPage(ApiClient *client, ApiListModel *model, const QList<ListFilter> &filters, const QString &name,
             QWidget *parent = nullptr);

    ApiListModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }

    // e.g. "/events/": the detail pane then shows GET /events/{id}.
    void setDetailPath(const QString &prefix) { m_detailPath = prefix; }

    QJsonObject selectedRow() const;
    int selectedRowIndex() const;
    void selectRow(int row);

    // The data behind the view changed (the change feed said so). A view that
    // shows its first page reloads at once; one scrolled further down keeps
    // its place and says that Refresh shows what is new.
    void dataChanged();

Q_SIGNALS:
    void selectionChanged();

private:
    void applyFilter(const QString &key, const QString &value);
    void showDetail();
    void updateStatus();
    void rememberSelection();
    void restoreSelection();

    ApiClient *m_client;
    ApiListModel *m_model;
    QTableView *m_view;
    QPlainTextEdit *m_detail;
    QLabel *m_status;
    QString m_detailPath;
    QJsonValue m_selectedId;
    QPointer<ApiReply> m_detailReply;
    bool m_pendingChanges = false;
    bool m_columnsFitted = false; // to the first page, once: later the user's widths stay
};

} // namespace billing::ui
