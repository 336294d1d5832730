#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace billing::ui {

// The red strip at the top of the main window: the last failure. A failed
// read (service unreachable) goes when a later request succeeds; a failed
// action (a cancellation Stripe refused) stays until dismissed or the next
// action succeeds, so a background refresh cannot hide it.
class ErrorBanner final : public QFrame
{
    Q_OBJECT

public:
    explicit ErrorBanner(QWidget *parent = nullptr);

    QString message() const;

public Q_SLOTS:
    void showMessage(const QString &message, bool action = false);
    // After a successful request: clears what that success answers.
    void requestSucceeded(bool action);
    void dismiss();

private:
    QLabel *m_label;
    QToolButton *m_dismissButton;
    bool m_fromAction = false;
};

} // namespace billing::ui
