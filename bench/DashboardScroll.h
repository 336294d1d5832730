#pragma once

#include <QString>
#include <QUrl>

namespace bench {

struct ScrollFigures
{
    double firstPageMs = 0;    // window created -> first page of events in the view
    double longestStallMs = 0; // longest gap between GUI-thread timer ticks while scrolling
    double seconds = 0;        // scrolling time
    qint64 rows = 0;
    int pages = 0;
};

// Opens the dashboard's main window on the service, waits for the first page
// of events, then scrolls the events view to the end (or `maxPages` pages),
// timing the GUI thread throughout.
ScrollFigures scrollDashboard(const QUrl &serviceUrl, const QString &token, int maxPages);

} // namespace bench
