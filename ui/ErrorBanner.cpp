#include "ErrorBanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace billing::ui {

ErrorBanner::ErrorBanner(QWidget *parent)
    : QFrame(parent)
    , m_label(new QLabel(this))
    , m_dismissButton(new QToolButton(this))
{
    setObjectName(u"errorBanner"_s);
    setFrameShape(QFrame::StyledPanel);
    setStyleSheet(u"#errorBanner { background: #fdecea; border: 1px solid #c62828; border-radius: 3px; }"
                  " #errorBanner QLabel { color: #8e1c1c; }"_s);
    m_label->setObjectName(u"errorBannerText"_s);
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_label->setTextFormat(Qt::PlainText);
    m_dismissButton->setObjectName(u"errorBannerDismiss"_s);
    m_dismissButton->setText(tr("Dismiss"));
    m_dismissButton->setToolTip(tr("Hide this message"));
    m_dismissButton->setAutoRaise(true);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_dismissButton);

    connect(m_dismissButton, &QToolButton::clicked, this, &ErrorBanner::dismiss);
    hide();
}

QString ErrorBanner::message() const
{
    return m_label->text();
}

void ErrorBanner::showMessage(const QString &message, bool action)
{
    // A read failing must not replace an action's failure staff have not seen to.
    if (m_fromAction && !action && isVisible())
        return;
    m_label->setText(message);
    m_fromAction = action;
    show();
}

void ErrorBanner::requestSucceeded(bool action)
{
    if (action || !m_fromAction)
        dismiss();
}

void ErrorBanner::dismiss()
{
    m_fromAction = false;
    m_label->clear();
    hide();
}

} // namespace billing::ui
