// Fuzzes the webhook event processing: StripeEvent::parse and
// EventProcessor::admit on the whole input, then the input split on NUL bytes
// as a batch of deliveries (JSON never holds a raw NUL), processed for real
// by EventProcessor on a migrated SQLite database that is emptied after each
// input, so every input starts from the same state.
//
// Invariants:
//  - a parsed event has what parse promises: an evt_ id, a type, a created
//    time, data.object;
//  - admit refuses exactly what does not parse or is of the other mode, and
//    passes the payload on unchanged;
//  - processing answers one report per delivery; every admitted delivery ends
//    in payment_events, its body stored byte for byte (the first delivery of
//    an id), and delivering the same batch again applies nothing twice: what
//    was processed, ignored or a duplicate is now a duplicate.
#include "FuzzSupport.h"

#include "billing/EventProcessor.h"
#include "billing/PlanCatalog.h"
#include "billing/StripeEvent.h"
#include "common/Clock.h"
#include "db/Database.h"
#include "db/EventStore.h"
#include "db/MigrationCatalog.h"
#include "db/Migrator.h"
#include "license/LicenseSigner.h"

#include <QDir>
#include <QHash>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <cstdlib>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace billing;
using Outcome = EventProcessor::Outcome;

namespace {

constexpr qint64 kNow = 1764000000;
constexpr qsizetype kMaxDeliveries = 8;
const QString kPinnedApiVersion = u"2025-03-31.basil"_s;

struct Fixture
{
    std::unique_ptr<QTemporaryDir> directory;
    std::unique_ptr<FixedClock> clock;
    std::unique_ptr<Database> database;
    std::optional<LicenseSigner> signer;
    std::unique_ptr<EventProcessor> testMode; // processes, as a test-mode installation
    std::unique_ptr<EventProcessor> liveMode; // admit only
    QStringList tables;                       // emptied after each input that wrote
};

Fixture &fixture()
{
    static Fixture *instance = new Fixture; // torn down by tearDown, before Qt's globals go
    return *instance;
}

void tearDown()
{
    Fixture &f = fixture();
    f.testMode.reset();
    f.liveMode.reset();
    f.signer.reset();
    f.database.reset();
    f.directory.reset();
}

EventProcessor::Options options(StripeMode mode)
{
    return {mode, kPinnedApiVersion, std::chrono::seconds(7 * 24 * 3600)};
}

void setUp()
{
    Fixture &f = fixture();
    // In memory where there is a tmpfs: synchronous=FULL then costs no disk flush.
    const QString base = QFileInfo(u"/dev/shm"_s).isWritable() ? u"/dev/shm"_s : QDir::tempPath();
    f.directory = std::make_unique<QTemporaryDir>(base + u"/billing-fuzz-XXXXXX"_s);
    FUZZ_CHECK(f.directory->isValid());
    f.clock = std::make_unique<FixedClock>(QDateTime::fromSecsSinceEpoch(kNow, Qt::UTC));
    f.database =
        std::make_unique<Database>(DatabaseUrl::sqliteFile(f.directory->filePath(u"billing.sqlite3"_s)));
    const Result<MigrationCatalog> catalog = MigrationCatalog::builtIn();
    FUZZ_CHECK(catalog.ok());
    FUZZ_CHECK(Migrator(*f.database, catalog.value(), *f.clock).migrate().ok());
    Result<LicenseSigner> signer = LicenseSigner::loadOrCreate(f.directory->filePath(u"license.pem"_s));
    FUZZ_CHECK(signer.ok());
    f.signer.emplace(std::move(signer).value());

    const PlanPrices prices{u"price_solo"_s, u"price_team"_s, u"price_enterprise"_s};
    f.testMode = std::make_unique<EventProcessor>(*f.database, *f.signer, PlanCatalog(prices),
                                                  options(StripeMode::Test), *f.clock);
    f.liveMode = std::make_unique<EventProcessor>(*f.database, *f.signer, PlanCatalog(prices),
                                                  options(StripeMode::Live), *f.clock);

    Result<QSqlDatabase> db = f.database->connection();
    FUZZ_CHECK(db.ok());
    // Through runQuery, so that its statement cache exists before tearDown is registered.
    Result<SqlRows> rows = runQuery(db.value(), u"list tables"_s,
                                    u"SELECT name FROM sqlite_master WHERE type = 'table' AND name <> "
                                    "'schema_migrations' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"_s);
    FUZZ_CHECK(rows.ok());
    while (rows->next())
        f.tables << rows->value(0).toString();
    FUZZ_CHECK(f.tables.contains(u"payment_events"_s));
    // Registered after Qt's SQL globals and the statement cache were made, so
    // it runs before they are destroyed.
    std::atexit(tearDown);
}

void emptyDatabase()
{
    Result<QSqlDatabase> db = fixture().database->connection();
    FUZZ_CHECK(db.ok());
    FUZZ_CHECK(execSql(db.value(), u"BEGIN"_s).ok());
    FUZZ_CHECK(execSql(db.value(), u"PRAGMA defer_foreign_keys = ON"_s).ok());
    for (const QString &table : std::as_const(fixture().tables))
        FUZZ_CHECK(execSql(db.value(), u"DELETE FROM "_s + table).ok());
    FUZZ_CHECK(execSql(db.value(), u"COMMIT"_s).ok());
}

void checkParsed(const StripeEvent &event, const QByteArray &payload)
{
    static const QRegularExpression idPattern(u"^evt_[A-Za-z0-9_]{1,250}\\z"_s);
    FUZZ_CHECK(idPattern.match(event.id).hasMatch());
    FUZZ_CHECK(!event.type.isEmpty() && event.type.size() <= 200);
    FUZZ_CHECK(event.created >= 0);
    JsonDocument document;
    const Result<JsonView> object = StripeEvent::dataObject(payload, document);
    FUZZ_CHECK(object.ok() && object->isObject() && object->size() > 0);
    FUZZ_CHECK(event.objectId == object->value("id").toString());
}

// Returns whether the test-mode installation admits the payload.
bool checkAdmission(const QByteArray &payload)
{
    const Result<StripeEvent> parsed = StripeEvent::parse(payload);
    if (parsed)
        checkParsed(parsed.value(), payload);

    for (const EventProcessor *processor : {fixture().testMode.get(), fixture().liveMode.get()}) {
        EventProcessor::Admitted admitted;
        const std::optional<EventProcessor::Report> refused = processor->admit({payload, 0}, &admitted);
        const bool live = processor == fixture().liveMode.get();
        const bool belongs = parsed.ok() && parsed->livemode == live;
        FUZZ_CHECK(refused.has_value() != belongs);
        if (refused) {
            FUZZ_CHECK(refused->outcome == Outcome::Refused && !refused->message.isEmpty());
            continue;
        }
        FUZZ_CHECK(admitted.payload == payload && admitted.signingSecretIndex == 0);
        FUZZ_CHECK(admitted.event.id == parsed->id && admitted.event.type == parsed->type);
    }
    return parsed.ok() && !parsed->livemode;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    billing::fuzz::initialise(argc, argv);
    setUp();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = billing::fuzz::input(data, size);
    checkAdmission(input);
    if (!input.contains('\0') && !StripeEvent::parse(input).ok())
        return 0; // nothing would reach the database

    QList<EventProcessor::Delivery> deliveries;
    QHash<QString, QByteArray> firstPayload; // by event id, of the admitted deliveries
    for (const QByteArray &payload : input.split('\0').mid(0, kMaxDeliveries)) {
        deliveries.append({payload, 0});
        if (!checkAdmission(payload))
            continue;
        const QString id = StripeEvent::parse(payload)->id;
        if (!firstPayload.contains(id))
            firstPayload.insert(id, payload);
    }
    if (firstPayload.isEmpty())
        return 0;

    EventProcessor &processor = *fixture().testMode;
    const QList<EventProcessor::Report> first = processor.processBatch(deliveries);
    FUZZ_CHECK(first.size() == deliveries.size());
    for (const EventProcessor::Report &report : first)
        FUZZ_CHECK(report.outcome != Outcome::Failed || !report.message.isEmpty());

    Result<QSqlDatabase> db = fixture().database->connection();
    FUZZ_CHECK(db.ok());
    EventStore store(db.value());
    for (auto it = firstPayload.cbegin(); it != firstPayload.cend(); ++it) {
        const Result<QByteArray> stored = store.payload(it.key());
        FUZZ_CHECK(stored.ok() && stored.value() == it.value());
    }

    const QList<EventProcessor::Report> again = processor.processBatch(deliveries);
    FUZZ_CHECK(again.size() == first.size());
    for (qsizetype i = 0; i < first.size(); ++i) {
        const Outcome before = first[i].outcome;
        if (before == Outcome::Processed || before == Outcome::Ignored || before == Outcome::Duplicate)
            FUZZ_CHECK(again[i].outcome == Outcome::Duplicate);
        FUZZ_CHECK((before == Outcome::Refused) == (again[i].outcome == Outcome::Refused));
    }
    emptyDatabase();
    return 0;
}
