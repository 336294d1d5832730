#pragma once

#include <QDateTime>

namespace billing {

// The time source for everything that stamps or compares times (migrations,
// webhook tolerance, licence expiry), injectable so tests can fix "now".
class Clock
{
public:
    virtual ~Clock() = default;
    virtual QDateTime now() const = 0;

    qint64 nowSecondsSinceEpoch() const { return now().toSecsSinceEpoch(); }

    // The wall clock, shared by code that is given no other clock.
    static const Clock &system();
};

class FixedClock final : public Clock
{
public:
    explicit FixedClock(QDateTime now)
        : m_now(std::move(now))
    {}
    QDateTime now() const override { return m_now; }
    void setNow(QDateTime now) { m_now = std::move(now); }

private:
    QDateTime m_now;
};

} // namespace billing
