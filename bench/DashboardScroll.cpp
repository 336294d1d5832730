#include "DashboardScroll.h"

#include "ApiClient.h"
#include "ApiListModel.h"
#include "MainWindow.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>

#include <algorithm>

namespace bench {

namespace {

// Longest time the GUI thread did not get back to its event loop: a 2 ms
// timer that notes how late each tick comes.
class StallMonitor final : public QObject
{
public:
    StallMonitor()
    {
        m_timer.setInterval(2);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last > 0)
                m_longestNs = std::max(m_longestNs, now - m_last);
            m_last = now;
        });
    }
    void start()
    {
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    double longestMs() const { return double(m_longestNs) / 1e6; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_longestNs = 0;
};

bool waitFor(const std::function<bool()> &condition, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!condition()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(1, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

} // namespace

ScrollFigures scrollDashboard(const QUrl &serviceUrl, const QString &token, int maxPages)
{
    ScrollFigures figures;
    QNetworkAccessManager network;
    billing::ui::ApiClient client(&network);
    client.setServiceUrl(serviceUrl);
    client.setToken(token);

    QElapsedTimer sinceStart;
    sinceStart.start();
    billing::ui::MainWindow window(&client);
    window.setLiveUpdatesEnabled(false);
    auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("views"));
    auto *view = window.findChild<QTableView *>(QStringLiteral("eventsView"));
    if (!tabs || !view)
        qFatal("the dashboard has no events view");
    auto *model = qobject_cast<billing::ui::ApiListModel *>(view->model());
    if (!model)
        qFatal("the events view is not an ApiListModel");
    for (int i = 0; i < tabs->count(); ++i) {
        if (tabs->widget(i)->isAncestorOf(view))
            tabs->setCurrentIndex(i);
    }
    window.resize(1280, 800);
    window.show();
    window.start();
    if (!waitFor([model] { return model->rowCount() > 0; }, 30000))
        qFatal("the first page of events did not arrive within 30 s");
    QCoreApplication::processEvents(); // painted
    figures.firstPageMs = double(sinceStart.nsecsElapsed()) / 1e6;

    StallMonitor stalls;
    stalls.start();
    QElapsedTimer scrolling;
    scrolling.start();
    // canFetchMore() is false while a page is on its way: wait for it, not past it.
    const auto more = [model] { return model->canFetchMore({}) || model->isLoading(); };
    while (more() && (maxPages <= 0 || figures.pages < maxPages)) {
        const int before = model->rowCount();
        view->scrollToBottom(); // the view asks the model for more, as a user's scrolling does
        if (!waitFor([&] { return model->rowCount() > before || !more(); }, 30000))
            qFatal("scrolling stopped at %d rows", before);
        ++figures.pages;
    }
    figures.seconds = double(scrolling.nsecsElapsed()) / 1e9;
    figures.longestStallMs = stalls.longestMs();
    figures.rows = model->rowCount();
    return figures;
}

} // namespace bench
