#include "ProcessorFixture.h"

#include "db/Migrator.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace billing::test {

std::unique_ptr<ProcessorFixture> ProcessorFixture::create(const PlanPrices &prices, qint64 now,
                                                           QString *error)
{
    std::unique_ptr<ProcessorFixture> fixture(new ProcessorFixture);
    fixture->m_prices = prices;
    fixture->m_db = TestDatabase::create(backendUnderTest(), error);
    if (!fixture->m_db)
        return nullptr;
    if (Result<QList<Migration>> migrated =
            Migrator(fixture->m_db->database(), MigrationCatalog::builtIn().value()).migrate();
        !migrated) {
        *error = migrated.error().message;
        return nullptr;
    }
    Result<LicenseSigner> signer = LicenseSigner::loadOrCreate(fixture->m_keyDir.filePath(u"key.pem"_s));
    if (!signer) {
        *error = signer.error().message;
        return nullptr;
    }
    fixture->m_signer = std::make_unique<LicenseSigner>(std::move(signer).value());
    fixture->m_clock = std::make_unique<FixedClock>(QDateTime::fromSecsSinceEpoch(now, Qt::UTC));
    fixture->m_processor = std::make_unique<EventProcessor>(
        fixture->m_db->database(), *fixture->m_signer, PlanCatalog(prices),
        EventProcessor::Options{StripeMode::Test, u"2025-03-31.basil"_s, std::chrono::seconds(7 * 86400)},
        *fixture->m_clock);
    return fixture;
}

qint64 ProcessorFixture::count(const QString &table, const QString &where)
{
    return value(u"SELECT COUNT(*) FROM "_s + table + (where.isEmpty() ? QString() : u" WHERE "_s + where))
        .toLongLong();
}

QVariant ProcessorFixture::value(const QString &sql)
{
    QSqlDatabase db = m_db->database().connection().value();
    QSqlQuery query(db);
    if (!query.exec(sql))
        qFatal("test query failed: %s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
    return query.next() ? query.value(0) : QVariant();
}

} // namespace billing::test
