#pragma once

#include "TestDatabase.h"
#include "billing/EventProcessor.h"
#include "common/Clock.h"
#include "license/LicenseSigner.h"

#include <QTemporaryDir>

#include <memory>

namespace billing::test {

// What the event tests share: a migrated test database, a licence signer in a
// temporary directory, a fixed clock, and an EventProcessor on them (test mode,
// the pinned API version, 7 days of past-due grace).
class ProcessorFixture final
{
public:
    // On failure returns nullptr and sets *error; a test should QFAIL with it.
    static std::unique_ptr<ProcessorFixture> create(const PlanPrices &prices, qint64 now, QString *error);

    TestDatabase &database() { return *m_db; }
    LicenseSigner &signer() { return *m_signer; }
    FixedClock &clock() { return *m_clock; }
    EventProcessor &processor() { return *m_processor; }
    const PlanPrices &prices() const { return m_prices; }

    EventProcessor::Report process(const QByteArray &payload) { return m_processor->process(payload, 0); }
    // COUNT(*) of a table, with an optional WHERE condition.
    qint64 count(const QString &table, const QString &where = {});
    // The first column of the first row of `sql` (the test fails hard if it cannot run).
    QVariant value(const QString &sql);

private:
    ProcessorFixture() = default;

    PlanPrices m_prices;
    QTemporaryDir m_keyDir;
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<LicenseSigner> m_signer;
    std::unique_ptr<FixedClock> m_clock;
    std::unique_ptr<EventProcessor> m_processor;
};

} // namespace billing::test
