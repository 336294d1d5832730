#include "StripeListReader.h"

#include "common/Clock.h"

#include <QDateTime>
#include <QEventLoop>
#include <QThread>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

StripeResult blockingGet(StripeClient &stripe, const QString &path, const FormParams &query)
{
    StripeResult result;
    QEventLoop loop;
    StripeJob *job = stripe.get(path, query);
    QObject::connect(job, &StripeJob::finished, &loop, [&](const StripeResult &answer) {
        result = answer;
        loop.quit();
    });
    loop.exec();
    return result;
}

} // namespace

StripeListReader::StripeListReader(StripeClient &stripe, QString path, FormParams filters, int pageSize,
                                   int rate)
    : m_stripe(stripe)
    , m_path(std::move(path))
    , m_filters(std::move(filters))
    , m_pageSize(pageSize)
    , m_minimumGapMs(1000 / std::max(rate, 1))
{}

Result<StripeListReader::Page> StripeListReader::next()
{
    if (m_sinceLastRequest.isValid() && m_sinceLastRequest.elapsed() < m_minimumGapMs)
        QThread::msleep(quint64(m_minimumGapMs - m_sinceLastRequest.elapsed()));
    m_sinceLastRequest.start();

    FormParams query = m_filters;
    query.add(u"limit"_s, QString::number(m_pageSize));
    if (m_createdAtMost)
        query.add(u"created[lte]"_s, *m_createdAtMost);
    if (!m_startingAfter.isEmpty())
        query.add(u"starting_after"_s, m_startingAfter);

    const qint64 requestedAt = Clock::system().nowSecondsSinceEpoch();
    const StripeResult result = blockingGet(m_stripe, m_path, query);
    m_lastError = result.error;
    if (!result.ok())
        return Error{ErrorCode::Io, u"Stripe refused GET %1: %2"_s.arg(m_path, result.error.summary())};

    Page page;
    page.data = result.object.value(u"data"_s).toArray();
    page.hasMore = result.object.value(u"has_more"_s).toBool() && !page.data.isEmpty();
    page.requestedAt = requestedAt;
    if (!page.data.isEmpty())
        m_startingAfter = page.data.last().toObject().value(u"id"_s).toString();
    return page;
}

Result<StripeObjectRead> readStripeObject(StripeClient &stripe, const QString &path, const FormParams &query)
{
    StripeObjectRead read;
    read.snapshotTime = Clock::system().nowSecondsSinceEpoch() - StripeListReader::kClockSkewAllowanceSeconds;
    const StripeResult result = blockingGet(stripe, path, query);
    if (result.httpStatus == 404) {
        read.objectMissing = true;
        return read;
    }
    if (!result.ok())
        return Error{ErrorCode::Io, u"Stripe refused GET %1: %2"_s.arg(path, result.error.summary())};
    read.object = result.object;
    return read;
}

} // namespace billing
