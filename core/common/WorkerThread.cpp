#include "WorkerThread.h"

#include <QThreadStorage>

#include <openssl/crypto.h>

namespace billing {

namespace {

struct OpenSslStateRelease
{
    ~OpenSslStateRelease() { OPENSSL_thread_stop(); }
};

} // namespace

void WorkerThread::run()
{
    // QThread finishes its thread storage after the objects deleted at its end
    // (a database connection closed by deleteLater included) and before it
    // wakes wait(): the one point that is late enough and early enough.
    static QThreadStorage<OpenSslStateRelease *> release;
    release.setLocalData(new OpenSslStateRelease);
    exec();
}

} // namespace billing
