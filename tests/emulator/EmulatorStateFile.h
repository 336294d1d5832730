#pragma once

#include <QString>

namespace billing::emulator {

class EmulatorStore;

// The emulator's account kept in one file across restarts, so the offline demo's
// service and its "Stripe" still agree on the next run. Written whole to a
// temporary file, flushed to disk and renamed over the previous one: a crash or
// SIGKILL mid-write leaves the previous state, never half of one.
class EmulatorStateFile final
{
public:
    enum class Load {
        Missing,    // no file yet: the store is left as it is
        Loaded,     // the store now holds the saved account
        Unreadable, // a file that is not a saved account: the store is left as it is
    };

    explicit EmulatorStateFile(QString path);

    const QString &path() const { return m_path; }
    Load load(EmulatorStore &store, QString *error) const;
    bool save(const EmulatorStore &store, QString *error) const;

private:
    QString m_path;
};

} // namespace billing::emulator
