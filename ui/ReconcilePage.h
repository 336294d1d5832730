#pragma once

#include <QJsonObject>
#include <QTimer>
#include <QWidget>

class QAction;
class QLabel;

namespace billing::ui {

class ApiClient;
class ApiListModel;
class ListPage;

// The Reconciliation view: the last run against Stripe, its divergences
// (local value, Stripe's value), and the staff actions Run now, Fix and Fix
// all. A fix applies Stripe's object as it is now, so each confirmation names
// every change it will make to that object's records.
class ReconcilePage final : public QWidget
{
    Q_OBJECT

public:
    explicit ReconcilePage(ApiClient *client, QWidget *parent = nullptr);

    QAction *runAction() const { return m_runAction; }
    QAction *fixAction() const { return m_fixAction; }
    QAction *fixAllAction() const { return m_fixAllAction; }
    ListPage *divergences() const { return m_list; }

    // Reads the last run again, then its divergences.
    void reload();

protected:
    // Read when shown, not with every view: most sessions never open it.
    void showEvent(QShowEvent *event) override;

Q_SIGNALS:
    void statusMessage(const QString &message);
    // A fix changed local records: the other views reload.
    void recordsChanged();

private:
    void showRun(const QJsonObject &run);
    void updateActions();
    void startRun();
    void fixSelected();
    void fixAll();
    // The open divergences shown of one object (all of them when empty).
    QList<QJsonObject> openDivergences(const QString &objectId = {}) const;
    void confirmAndFix(const QString &title, const QString &question, const QList<QJsonObject> &changes,
                       const QString &path);

    ApiClient *m_client;
    ApiListModel *m_model;
    ListPage *m_list;
    QLabel *m_lastRun;
    QAction *m_runAction;
    QAction *m_fixAction;
    QAction *m_fixAllAction;
    QJsonObject m_run; // the last run shown
    QTimer m_poll;     // while a run is in progress
};

} // namespace billing::ui
