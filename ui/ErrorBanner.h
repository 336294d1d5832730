#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace billing::ui {

// The red strip at the top of the main window: the last failure, until it is
// dismissed or the next request succeeds.
class ErrorBanner final : public QFrame
{
    Q_OBJECT

public:
    explicit ErrorBanner(QWidget *parent = nullptr);

    QString message() const;

public Q_SLOTS:
    void showMessage(const QString &message);
    void dismiss();

private:
    QLabel *m_label;
    QToolButton *m_dismissButton;
};

} // namespace billing::ui
