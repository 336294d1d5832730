#include "ListPage.h"

#include "ApiClient.h"
#include "ApiListModel.h"
#include "ApiReply.h"

#include <QComboBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace billing::ui {

namespace {

constexpr int kWidestColumnChars = 36; // a subscription id, an event type, a date and time

} // namespace

ListPage::ListPage(ApiClient *client, ApiListModel *model, const QList<ListFilter> &filters,
                   const QString &name, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_model(model)
    , m_view(new QTableView(this))
    , m_detail(new QPlainTextEdit(this))
    , m_status(new QLabel(this))
{
    setObjectName(name + u"Page"_s);

    auto *filterBar = new QHBoxLayout;
    for (const ListFilter &filter : filters) {
        auto *label = new QLabel(filter.label, this);
        filterBar->addWidget(label);
        if (filter.options.isEmpty()) {
            auto *edit = new QLineEdit(this);
            edit->setObjectName(name + u"Filter_"_s + filter.key);
            edit->setPlaceholderText(filter.placeholder);
            edit->setClearButtonEnabled(true);
            label->setBuddy(edit);
            // Ask the service once typing pauses, not for every key.
            auto *debounce = new QTimer(edit);
            debounce->setSingleShot(true);
            debounce->setInterval(400);
            connect(edit, &QLineEdit::textEdited, debounce, qOverload<>(&QTimer::start));
            connect(edit, &QLineEdit::returnPressed, debounce, qOverload<>(&QTimer::start));
            connect(debounce, &QTimer::timeout, this, [this, edit, filter] {
                QString value = edit->text().trimmed();
                if (filter.isDate && !value.isEmpty()) {
                    const QDate day = QDate::fromString(value, Qt::ISODate);
                    // Not a date (yet): no filter rather than a request the service refuses.
                    edit->setStyleSheet(day.isValid() ? QString() : u"color: #c62828;"_s);
                    value = day.isValid() ? QString::number(QDateTime(filter.endOfDay ? day.addDays(1) : day,
                                                                      QTime(0, 0), Qt::UTC)
                                                                .toSecsSinceEpoch())
                                          : QString();
                }
                applyFilter(filter.key, value);
            });
            filterBar->addWidget(edit, 1);
        } else {
            auto *combo = new QComboBox(this);
            combo->setObjectName(name + u"Filter_"_s + filter.key);
            combo->addItem(tr("Any"), QString());
            for (qsizetype i = 0; i < filter.options.size(); ++i)
                combo->addItem(filter.optionLabels.value(i, filter.options.at(i)), filter.options.at(i));
            label->setBuddy(combo);
            connect(combo, &QComboBox::currentIndexChanged, this,
                    [this, combo, key = filter.key] { applyFilter(key, combo->currentData().toString()); });
            filterBar->addWidget(combo);
        }
    }
    filterBar->addStretch();
    filterBar->addWidget(m_status);
    m_status->setObjectName(name + u"Status"_s);

    m_view->setObjectName(name + u"View"_s);
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionsClickable(true);
    bool sortable = false;
    for (const ApiColumn &column : m_model->columns())
        sortable = sortable || !column.sortKey.isEmpty();
    m_view->horizontalHeader()->setSortIndicatorShown(sortable);
    m_view->horizontalHeader()->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    // The service sorts: a header click asks it again with sort=.
    connect(m_view->horizontalHeader(), &QHeaderView::sortIndicatorChanged, m_model, &ApiListModel::sort);

    m_detail->setObjectName(name + u"Detail"_s);
    m_detail->setReadOnly(true);
    m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_detail->setPlaceholderText(tr("Select a row to see all of it."));

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(filterBar);
    layout->addWidget(splitter, 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        showDetail();
        Q_EMIT selectionChanged();
    });
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, &ListPage::rememberSelection);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ListPage::restoreSelection);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_pendingChanges = false; // reloaded from the top: nothing is hidden any more
        updateStatus();
    });
    connect(m_model, &ApiListModel::loadingChanged, this, &ListPage::updateStatus);
    // Columns as wide as the first page's values (ids, event types, dates), up
    // to a limit; the detail pane shows what is longer.
    connect(m_model, &ApiListModel::pageLoaded, this, [this] {
        if (m_columnsFitted || m_model->rowCount() == 0)
            return;
        m_columnsFitted = true;
        m_view->resizeColumnsToContents();
        const int widest = m_view->fontMetrics().horizontalAdvance(QLatin1Char('x')) * kWidestColumnChars;
        for (int column = 0; column < m_model->columnCount(); ++column)
            m_view->setColumnWidth(column, std::min(m_view->columnWidth(column), widest));
    });
    connect(m_model, &ApiListModel::loadFailed, this, &ListPage::updateStatus);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &ListPage::updateStatus);
    updateStatus();
}

QJsonObject ListPage::selectedRow() const
{
    return m_model->rowObject(selectedRowIndex());
}

int ListPage::selectedRowIndex() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.first().row();
}

void ListPage::selectRow(int row)
{
    m_view->selectRow(row);
}

void ListPage::applyFilter(const QString &key, const QString &value)
{
    if (m_model->filter(key) == value)
        return;
    m_model->setFilter(key, value);
    m_model->reload();
}

void ListPage::showDetail()
{
    if (m_detailReply) {
        m_detailReply->disconnect(this);
        m_detailReply->abort();
    }
    const QJsonObject row = selectedRow();
    if (row.isEmpty()) {
        m_detail->clear();
        return;
    }
    m_detail->setPlainText(QString::fromUtf8(QJsonDocument(row).toJson(QJsonDocument::Indented)));
    const QString id = row.value("id"_L1).toString();
    if (m_detailPath.isEmpty() || id.isEmpty())
        return;
    ApiReply *reply = m_client->get(m_detailPath + QString::fromUtf8(QUrl::toPercentEncoding(id)));
    m_detailReply = reply;
    connect(reply, &ApiReply::finished, this, [this, reply, id] {
        if (reply->isOk() && selectedRow().value("id"_L1).toString() == id)
            m_detail->setPlainText(
                QString::fromUtf8(QJsonDocument(reply->json()).toJson(QJsonDocument::Indented)));
    });
}

void ListPage::dataChanged()
{
    const bool onFirstPage =
        m_model->rowCount() <= m_model->pageSize() || m_view->verticalScrollBar()->value() == 0;
    if (onFirstPage) {
        m_model->reload();
        return;
    }
    m_pendingChanges = true;
    updateStatus();
}

void ListPage::updateStatus()
{
    const int rows = m_model->rowCount();
    QString text;
    if (m_model->isLoading())
        text = tr("Loading…");
    else if (!m_model->errorMessage().isEmpty())
        text = tr("Could not load: %1").arg(m_model->errorMessage());
    else if (m_model->canFetchMore({}))
        text = tr("%n row(s), more when you scroll", nullptr, rows);
    else
        text = tr("%n row(s)", nullptr, rows);
    if (m_pendingChanges && !m_model->isLoading())
        text += tr(" · changed since: Refresh (F5) shows it");
    m_status->setText(text);
}

void ListPage::rememberSelection()
{
    m_selectedId = selectedRow().value("id"_L1);
}

void ListPage::restoreSelection()
{
    updateStatus();
    if (m_selectedId.isUndefined() || m_selectedId.isNull())
        return;
    const int row = m_model->rowOf(u"id"_s, m_selectedId);
    m_selectedId = QJsonValue(QJsonValue::Undefined);
    if (row >= 0)
        m_view->selectRow(row);
    else
        showDetail();
    Q_EMIT selectionChanged();
}

} // namespace billing::ui
