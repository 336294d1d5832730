#pragma once

#include <QThread>

namespace billing {

// A QThread that releases its OpenSSL state before wait() returns.
//
// Qt's threads are detached: wait() returns once the event loop has finished,
// while the thread still has its pthread key destructors to run, and OpenSSL
// frees a thread's error queue in one of them. A process that exits right
// after wait() races that release: OpenSSL's atexit cleanup removes the key
// first and the queue leaks (LeakSanitizer's 904 bytes). Every thread of ours
// that signs licences, checks signatures or opens a PostgreSQL connection
// (libpq uses OpenSSL) is a WorkerThread. Qt's own threads are not covered:
// QNetworkAccessManager's HTTP thread, which does the TLS of requests to
// Stripe, still frees its state after its wait() returns.
class WorkerThread final : public QThread
{
    Q_OBJECT

public:
    using QThread::QThread;

protected:
    void run() override;
};

} // namespace billing
