#include "EmulatorStateFile.h"

#include "EmulatorStore.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace billing::emulator {

namespace {

// The rename is durable only once the directory entry is on disk too.
bool syncDirectory(const QString &directory)
{
    const int fd = ::open(QFile::encodeName(directory).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    return synced;
}

} // namespace

EmulatorStateFile::EmulatorStateFile(QString path)
    : m_path(std::move(path))
{}

EmulatorStateFile::Load EmulatorStateFile::load(EmulatorStore &store, QString *error) const
{
    QFile file(m_path);
    if (!file.exists())
        return Load::Missing;
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"cannot read %1: %2"_s.arg(m_path, file.errorString());
        return Load::Unreadable;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        *error =
            u"%1 is not JSON (%2 at byte %3)"_s.arg(m_path, parseError.errorString()).arg(parseError.offset);
        return Load::Unreadable;
    }
    QString why;
    if (!store.restore(document.object(), &why)) {
        *error = u"%1: %2"_s.arg(m_path, why);
        return Load::Unreadable;
    }
    return Load::Loaded;
}

bool EmulatorStateFile::save(const EmulatorStore &store, QString *error) const
{
    // QSaveFile writes beside the target, fsyncs and renames on commit.
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = u"cannot write %1: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    file.write(QJsonDocument(store.toJson()).toJson(QJsonDocument::Compact));
    if (!file.commit()) {
        *error = u"cannot write %1: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    if (!syncDirectory(QFileInfo(m_path).absolutePath())) {
        *error = u"cannot flush the folder of %1 to disk"_s.arg(m_path);
        return false;
    }
    return true;
}

} // namespace billing::emulator
