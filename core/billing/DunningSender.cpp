#include "DunningSender.h"

#include "common/Logging.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace billing {

DunningSender::DunningSender(Database &database, QNetworkAccessManager *network, Options options,
                             const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_network(network)
    , m_options(std::move(options))
    , m_clock(clock)
{}

std::chrono::seconds DunningSender::backoff(int attempts)
{
    // 1, 2, 4, … minutes, at most 6 hours.
    const qint64 minutes = qint64(1) << std::min(attempts > 0 ? attempts - 1 : 0, 9);
    return std::chrono::seconds(std::min<qint64>(minutes * 60, 6 * 3600));
}

void DunningSender::start(std::chrono::milliseconds interval)
{
    if (!m_timer) {
        m_timer = new QTimer(this);
        connect(m_timer, &QTimer::timeout, this, &DunningSender::sendDue);
    }
    m_timer->start(interval);
    sendDue();
}

QList<DunningSender::Notice> DunningSender::claimDue()
{
    QList<Notice> claimed;
    Result<QSqlDatabase> connection = m_database.connection();
    if (!connection) {
        qCWarning(lcDatabase).noquote() << "dunning: " << connection.error().message;
        return claimed;
    }
    QSqlDatabase db = connection.value();
    const qint64 now = m_clock.nowSecondsSinceEpoch();
    QList<Notice> due;
    {
        Result<SqlRows> rows =
            runQuery(db, u"cannot read the notification outbox"_s,
                     u"SELECT id, kind, dedupe_key, payload, attempts FROM notification_outbox WHERE status "
                     u"= 'pending' "
                     "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?"_s,
                     {now, m_options.batchSize});
        if (!rows) {
            qCWarning(lcDatabase).noquote() << "dunning:" << rows.error().message;
            return claimed;
        }
        while (rows->next()) {
            due.append({rows->value(0).toLongLong(), rows->value(1).toString(), rows->value(2).toString(),
                        rows->value(3).toString().toUtf8(), rows->value(4).toInt()});
        }
    }
    for (const Notice &notice : std::as_const(due)) {
        // The lease: only the instance whose UPDATE matched sends this notice now.
        Result<SqlRows> lease = runQuery(
            db, u"cannot claim a notice"_s,
            u"UPDATE notification_outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"_s,
            {now + m_options.lease.count(), notice.id, now});
        if (lease && lease->numRowsAffected() == 1)
            claimed.append(notice);
    }
    return claimed;
}

void DunningSender::sendDue()
{
    if (!isConfigured() || m_inFlight > 0)
        return;
    m_delivered = 0;
    m_failed = 0;
    const QList<Notice> notices = claimDue();
    if (notices.isEmpty()) {
        Q_EMIT passFinished(0, 0);
        return;
    }
    m_inFlight = int(notices.size());
    for (const Notice &notice : notices)
        send(notice);
}

void DunningSender::send(const Notice &notice)
{
    const QByteArray body = QJsonDocument(QJsonObject{
                                              {u"id"_s, notice.id},
                                              {u"kind"_s, notice.kind},
                                              {u"dedupe_key"_s, notice.dedupeKey},
                                              {u"notice"_s, QJsonDocument::fromJson(notice.payload).object()},
                                          })
                                .toJson(QJsonDocument::Compact);
    if (m_options.webhookUrl.isValid()) {
        QNetworkRequest request(m_options.webhookUrl);
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
        request.setRawHeader("Idempotency-Key", notice.dedupeKey.toUtf8());
        request.setTransferTimeout(30000);
        QNetworkReply *reply = m_network->post(request, body);
        connect(reply, &QNetworkReply::finished, this, [this, reply, notice] {
            reply->deleteLater();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const bool delivered = status >= 200 && status < 300;
            record(notice, delivered,
                   delivered ? QString()
                             : u"the hook answered %1: %2"_s.arg(status).arg(reply->errorString()));
        });
        return;
    }
    auto *process = new QProcess(this);
    connect(process, &QProcess::finished, this,
            [this, process, notice](int exitCode, QProcess::ExitStatus status) {
                process->deleteLater();
                const bool delivered = status == QProcess::NormalExit && exitCode == 0;
                record(notice, delivered,
                       delivered ? QString()
                                 : u"the command exited with %1: %2"_s.arg(exitCode).arg(
                                       QString::fromUtf8(process->readAllStandardError().left(500))));
            });
    connect(process, &QProcess::errorOccurred, this, [this, process, notice](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return;
        process->deleteLater();
        record(notice, false, u"the command could not start: "_s + process->errorString());
    });
    process->start(m_options.command, {});
    process->write(body);
    process->closeWriteChannel();
}

void DunningSender::record(const Notice &notice, bool delivered, const QString &error)
{
    const qint64 now = m_clock.nowSecondsSinceEpoch();
    const int attempts = notice.attempts + 1;
    Result<QSqlDatabase> db = m_database.connection();
    if (db) {
        Result<SqlRows> updated =
            delivered
                ? runQuery(db.value(), u"cannot record the sent notice"_s,
                           u"UPDATE notification_outbox SET status = 'sent', sent_at = ?, attempts = ?, "
                           "last_error = NULL WHERE id = ?"_s,
                           {now, attempts, notice.id})
                : runQuery(db.value(), u"cannot record the failed notice"_s,
                           u"UPDATE notification_outbox SET status = ?, attempts = ?, last_error = ?, "
                           "next_attempt_at = ? WHERE id = ?"_s,
                           {attempts >= m_options.maxAttempts ? u"failed"_s : u"pending"_s, attempts,
                            error.left(1000), now + backoff(attempts).count(), notice.id});
        if (!updated)
            qCWarning(lcDatabase).noquote() << "dunning:" << updated.error().message;
    }
    if (delivered) {
        ++m_delivered;
    } else {
        ++m_failed;
        qCWarning(lcStripe).noquote()
            << "dunning notice" << notice.dedupeKey << "not delivered (attempt" << attempts << "):" << error;
    }
    if (--m_inFlight == 0)
        Q_EMIT passFinished(m_delivered, m_failed);
}

} // namespace billing
