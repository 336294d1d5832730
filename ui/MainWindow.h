#pragma once

#include <QMainWindow>

namespace billing::ui {

// The dashboard's main window. Its views (Overview, Events, Subscriptions,
// Licences, Invoices & Dunning, Deliveries, Audit) arrive with the admin API.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
};

} // namespace billing::ui
