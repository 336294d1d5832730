#include "FuzzSupport.h"

#include <QCoreApplication>

#include <cstdio>
#include <cstdlib>

namespace billing::fuzz {

namespace {

QtMessageHandler g_qtHandler = nullptr;

void quietMessageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtFatalMsg && g_qtHandler)
        g_qtHandler(type, context, message);
}

} // namespace

void initialise(int *argc, char ***argv)
{
    static bool done = false;
    if (done)
        return;
    done = true;
    g_qtHandler = qInstallMessageHandler(quietMessageHandler);
    // QCoreApplication keeps a reference to argc: give it one that lives as long as it does.
    static int qtArgc = 1;
    static char *qtArgv[] = {argc && *argc > 0 ? (*argv)[0] : const_cast<char *>("fuzz"), nullptr};
    static QCoreApplication *application = new QCoreApplication(qtArgc, qtArgv);
    Q_UNUSED(application);
}

void checkFailed(const char *file, int line, const char *condition)
{
    std::fprintf(stderr, "\n==FUZZ_CHECK failed== %s:%d: %s\n", file, line, condition);
    std::fflush(stderr);
    std::abort();
}

} // namespace billing::fuzz
