#include "ReconcilePage.h"

#include "ApiClient.h"
#include "ApiListModel.h"
#include "ApiReply.h"
#include "Formatting.h"
#include "ListPage.h"

#include <QAction>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QMessageBox>
#include <QTableView>
#include <QToolButton>
#include <QUrl>
#include <QUrlQuery>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace billing::ui {

namespace {

constexpr int kPollMs = 2000;
constexpr int kChangesNamed = 12; // a confirmation lists at most this many lines

QString idText(const QJsonValue &id)
{
    return id.isDouble() ? QString::number(id.toInteger()) : id.toString();
}

QString changeLine(const QJsonObject &divergence)
{
    const QString type = divergence.value("value_type"_L1).toString();
    return QCoreApplication::translate("billing::ui::ReconcilePage", "%1 %2: %3 → %4")
        .arg(divergence.value("kind"_L1).toString(), divergence.value("object_id"_L1).toString(),
             Formatting::typed(divergence.value("local"_L1), type),
             Formatting::typed(divergence.value("stripe"_L1), type));
}

} // namespace

ReconcilePage::ReconcilePage(ApiClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_lastRun(new QLabel(this))
    , m_runAction(new QAction(tr("&Run reconciliation now"), this))
    , m_fixAction(new QAction(tr("&Fix…"), this))
    , m_fixAllAction(new QAction(tr("Fix &all…"), this))
{
    setObjectName(u"reconciliationPage"_s);
    using Kind = ApiColumn::Kind;
    m_model = new ApiListModel(client, u"/reconcile/divergences"_s,
                               {{u"id"_s, tr("#"), Kind::Text, u"id"_s, {}},
                                {u"kind"_s, tr("What differs"), Kind::Text, {}, {}},
                                {u"object_id"_s, tr("Object"), Kind::Text, {}, {}},
                                {u"tenant_id"_s, tr("Tenant"), Kind::Text, {}, {}},
                                {u"local"_s, tr("Here"), Kind::Typed, {}, u"value_type"_s},
                                {u"stripe"_s, tr("In Stripe"), Kind::Typed, {}, u"value_type"_s},
                                {u"fixed_at"_s, tr("Fixed"), Kind::Time, {}, {}},
                                {u"fixed_by"_s, tr("Fixed by"), Kind::Text, {}, {}}},
                               this);
    m_model->setSortParameter(u"id"_s);
    // Nothing to list before the last run is known.
    m_model->setFilter(u"run"_s, u"0"_s);
    m_list = new ListPage(client, m_model,
                          {{u"open"_s, tr("Show:"), {u"1"_s}, {tr("Not fixed only")}, {}},
                           {u"tenant"_s, tr("Tenant:"), {}, {}, tr("tenant id")}},
                          u"divergences"_s, this);

    m_lastRun->setObjectName(u"lastRun"_s);
    m_lastRun->setWordWrap(true);
    m_lastRun->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_runAction->setObjectName(u"runReconciliationAction"_s);
    m_fixAction->setObjectName(u"fixDivergenceAction"_s);
    m_fixAllAction->setObjectName(u"fixAllDivergencesAction"_s);
    m_runAction->setToolTip(tr("Compare every local record with Stripe's objects now (only looks)"));
    m_fixAction->setToolTip(tr("Apply Stripe's object of the selected line to the local records"));
    m_fixAllAction->setToolTip(tr("Apply Stripe's objects to every line not fixed yet"));

    auto *header = new QHBoxLayout;
    header->addWidget(m_lastRun, 1);
    for (QAction *action : {m_runAction, m_fixAction, m_fixAllAction}) {
        auto *button = new QToolButton(this);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        header->addWidget(button);
    }
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(m_list, 1);
    m_list->view()->addActions({m_fixAction});
    m_list->view()->setContextMenuPolicy(Qt::ActionsContextMenu);

    connect(m_runAction, &QAction::triggered, this, &ReconcilePage::startRun);
    connect(m_fixAction, &QAction::triggered, this, &ReconcilePage::fixSelected);
    connect(m_fixAllAction, &QAction::triggered, this, &ReconcilePage::fixAll);
    connect(m_list, &ListPage::selectionChanged, this, &ReconcilePage::updateActions);
    connect(m_model, &ApiListModel::pageLoaded, this, &ReconcilePage::updateActions);
    m_poll.setInterval(kPollMs);
    m_poll.setSingleShot(true);
    connect(&m_poll, &QTimer::timeout, this, &ReconcilePage::reload);
    showRun({});
}

void ReconcilePage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    reload();
}

void ReconcilePage::reload()
{
    QUrlQuery query;
    query.addQueryItem(u"limit"_s, u"1"_s);
    ApiReply *reply = m_client->get(u"/reconcile/runs"_s, query);
    connect(reply, &ApiReply::finished, this, [this, reply] {
        if (!reply->isOk())
            return;
        const QJsonArray runs = reply->json().value("data"_L1).toArray();
        showRun(runs.isEmpty() ? QJsonObject() : runs.first().toObject());
    });
}

void ReconcilePage::showRun(const QJsonObject &run)
{
    const QString previousId = idText(m_run.value("id"_L1));
    m_run = run;
    const QString status = run.value("status"_L1).toString();
    if (run.isEmpty()) {
        m_lastRun->setText(tr("No reconciliation has run yet. The service runs one every day "
                              "(BILLING_RECONCILE_INTERVAL), or start one now."));
    } else if (status == "running"_L1) {
        m_lastRun->setText(tr("Run %1, started %2 by %3, is reading Stripe…")
                               .arg(idText(run.value("id"_L1)), Formatting::time(run.value("started_at"_L1)),
                                    run.value("started_by"_L1).toString()));
    } else if (status == "failed"_L1) {
        m_lastRun->setText(tr("Run %1 (%2, by %3) failed: %4")
                               .arg(idText(run.value("id"_L1)), Formatting::time(run.value("started_at"_L1)),
                                    run.value("started_by"_L1).toString(), run.value("error"_L1).toString()));
    } else {
        const qint64 open = run.value("open_divergences"_L1).toInteger();
        m_lastRun->setText(
            tr("Last run %1 (%2, by %3): %4 objects read from Stripe, %5 divergences, %6 not fixed.")
                .arg(idText(run.value("id"_L1)), Formatting::time(run.value("finished_at"_L1)),
                     run.value("started_by"_L1).toString())
                .arg(run.value("objects_read"_L1).toInteger())
                .arg(run.value("divergences"_L1).toInteger())
                .arg(open));
    }
    // The list shows the last finished run's lines (a failed run has none).
    if (!run.isEmpty() && status != "running"_L1) {
        const QString id = idText(run.value("id"_L1));
        if (id != previousId || m_model->filter(u"run"_s) != id) {
            m_model->setFilter(u"run"_s, id);
            m_model->reload();
        } else {
            m_list->dataChanged();
        }
    }
    if (status == "running"_L1)
        m_poll.start();
    updateActions();
}

void ReconcilePage::updateActions()
{
    const bool running = m_run.value("status"_L1).toString() == "running"_L1;
    const QJsonObject selected = m_list->selectedRow();
    m_runAction->setEnabled(!running);
    m_fixAction->setEnabled(!running && !selected.isEmpty() && selected.value("fixed_at"_L1).isNull() &&
                            !selected.value("kind"_L1).toString().endsWith(".not_in_stripe"_L1));
    m_fixAllAction->setEnabled(!running && !openDivergences().isEmpty());
}

QList<QJsonObject> ReconcilePage::openDivergences(const QString &objectId) const
{
    QList<QJsonObject> open;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QJsonObject divergence = m_model->rowObject(row);
        if (!divergence.value("fixed_at"_L1).isNull())
            continue;
        if (divergence.value("kind"_L1).toString().endsWith(".not_in_stripe"_L1))
            continue; // never fixable: a fix does not delete local records
        if (objectId.isEmpty() || divergence.value("object_id"_L1).toString() == objectId)
            open.append(divergence);
    }
    return open;
}

void ReconcilePage::startRun()
{
    ApiReply *reply = m_client->post(u"/reconcile/runs"_s, QJsonObject());
    connect(reply, &ApiReply::finished, this, [this, reply] {
        if (!reply->isOk())
            return;
        Q_EMIT statusMessage(tr("Reconciliation run %1 started.").arg(idText(reply->json().value("id"_L1))));
        reload();
    });
}

void ReconcilePage::fixSelected()
{
    const QJsonObject selected = m_list->selectedRow();
    if (selected.isEmpty())
        return;
    const QString objectId = selected.value("object_id"_L1).toString();
    confirmAndFix(tr("Fix from Stripe"),
                  tr("Apply Stripe's %1 %2 to the local records?")
                      .arg(selected.value("object_type"_L1).toString(), objectId),
                  openDivergences(objectId),
                  u"/reconcile/divergences/%1/fix"_s.arg(idText(selected.value("id"_L1))));
}

void ReconcilePage::fixAll()
{
    const QList<QJsonObject> open = openDivergences();
    if (open.isEmpty())
        return;
    confirmAndFix(tr("Fix all from Stripe"),
                  tr("Apply Stripe's objects to the local records for all %n divergence(s) not fixed?",
                     nullptr, int(open.size())),
                  open, u"/reconcile/fix-all"_s);
}

void ReconcilePage::confirmAndFix(const QString &title, const QString &question,
                                  const QList<QJsonObject> &changes, const QString &path)
{
    QStringList lines;
    for (const QJsonObject &divergence : changes.mid(0, kChangesNamed))
        lines << changeLine(divergence);
    if (changes.size() > kChangesNamed)
        lines << tr("… and %n more", nullptr, int(changes.size() - kChangesNamed));
    auto *box =
        new QMessageBox(QMessageBox::Question, title, question, QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(u"confirmFix"_s);
    box->setInformativeText(tr("This changes (here → as in Stripe):\n%1\n\nStripe is read again first, so "
                               "anything it changed since the run is applied too. Audited under your name.")
                                .arg(lines.join(u'\n')));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, path](QAbstractButton *button) {
        if (box->standardButton(button) != QMessageBox::Yes)
            return;
        ApiReply *reply = m_client->post(path, QJsonObject());
        connect(reply, &ApiReply::finished, this, [this, reply] {
            if (!reply->isOk())
                return; // the banner shows the service's message
            const QJsonObject answer = reply->json();
            const qsizetype fixed = answer.value("fixed"_L1).toArray().size();
            const qsizetype left = answer.value("still_different"_L1).toArray().size();
            Q_EMIT statusMessage(
                left == 0 ? tr("%n divergence(s) fixed.", nullptr, int(fixed))
                          : tr("%n divergence(s) fixed; %1 still differ.", nullptr, int(fixed)).arg(left));
            Q_EMIT recordsChanged();
            reload();
        });
    });
    box->open();
}

} // namespace billing::ui
