#pragma once

#include <QElapsedTimer>
#include <QString>
#include <QTextStream>

namespace billing::server {

// Progress of a long command. On a terminal one line is redrawn in place (at
// most ten times a second); into a file or the journal, where carriage returns
// make a mess, a plain line is written every few seconds instead.
class ProgressLine final
{
public:
    explicit ProgressLine(QTextStream &out, bool terminal = isTerminal());

    void update(const QString &text);
    // The last state, always written, ending the line.
    void finish(const QString &text);

    // "[#########-----------]  45 %"
    static QString bar(qint64 done, qint64 total, int width = 24);
    static bool isTerminal();

private:
    QTextStream &m_out;
    bool m_terminal;
    QElapsedTimer m_sinceShown;
    qsizetype m_shownWidth = 0;
};

} // namespace billing::server
