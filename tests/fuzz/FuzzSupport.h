#pragma once

#include <QByteArray>

#include <cstddef>
#include <cstdint>

// What every fuzz target shares: Qt set up once, the input as a QByteArray,
// and FUZZ_CHECK, an invariant that aborts (libFuzzer then keeps the input)
// with the condition that failed.
namespace billing::fuzz {

// From LLVMFuzzerInitialize: one QCoreApplication for the process, and Qt's
// messages silenced (a warning per input would slow the fuzzer to a crawl)
// except fatal ones (qFatal, a failed Q_ASSERT), which still print and abort.
void initialise(int *argc, char ***argv);

inline QByteArray input(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

[[noreturn]] void checkFailed(const char *file, int line, const char *condition);

} // namespace billing::fuzz

#define FUZZ_CHECK(condition)                                                                                \
    ((condition) ? void() : billing::fuzz::checkFailed(__FILE__, __LINE__, #condition))
