#include "ProgressLine.h"

#include <algorithm>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {
constexpr qint64 kTerminalIntervalMs = 100;
constexpr qint64 kLogIntervalMs = 5000;
} // namespace

ProgressLine::ProgressLine(QTextStream &out, bool terminal)
    : m_out(out)
    , m_terminal(terminal)
{}

bool ProgressLine::isTerminal()
{
    return ::isatty(STDOUT_FILENO) == 1;
}

QString ProgressLine::bar(qint64 done, qint64 total, int width)
{
    const qint64 filled = total > 0 ? std::clamp<qint64>(done * width / total, 0, width) : 0;
    const qint64 percent = total > 0 ? std::clamp<qint64>(done * 100 / total, 0, 100) : 0;
    return u"[%1%2] %3 %"_s.arg(QString(filled, u'#'), QString(width - filled, u'-')).arg(percent, 3);
}

void ProgressLine::update(const QString &text)
{
    const qint64 interval = m_terminal ? kTerminalIntervalMs : kLogIntervalMs;
    if (m_sinceShown.isValid() && m_sinceShown.elapsed() < interval)
        return;
    m_sinceShown.start();
    if (m_terminal) {
        // Pad over what a longer previous text left on the line.
        m_out << u'\r' << text.leftJustified(m_shownWidth) << Qt::flush;
        m_shownWidth = text.size();
    } else {
        m_out << text << Qt::endl;
    }
}

void ProgressLine::finish(const QString &text)
{
    if (m_terminal)
        m_out << u'\r' << text.leftJustified(m_shownWidth) << Qt::endl;
    else
        m_out << text << Qt::endl;
    m_shownWidth = 0;
    m_sinceShown.invalidate();
}

} // namespace billing::server
