#include "config/EnvFile.h"
#include "config/SettingKeys.h"

#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;

// Operators configure the service from README.md and .env.example: both must
// name every setting the code reads, and .env.example must stay loadable.
class TestDocumentation final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void envExampleListsEverySetting();
    void readmeDocumentsEverySetting();
};

void TestDocumentation::envExampleListsEverySetting()
{
    const QString path = QStringLiteral(BILLING_SOURCE_DIR "/.env.example");
    const billing::Result<billing::EnvFile> example = billing::EnvFile::read(path);
    QVERIFY2(example.ok(), qPrintable(example.ok() ? QString() : example.error().message));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    for (const billing::SettingDescriptor &setting : billing::settingDescriptors())
        QVERIFY2(text.contains(setting.name + u'='),
                 qPrintable(setting.name + u" is missing from .env.example"_s));
}

void TestDocumentation::readmeDocumentsEverySetting()
{
    QFile file(QStringLiteral(BILLING_SOURCE_DIR "/README.md"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString readme = QString::fromUtf8(file.readAll());
    for (const billing::SettingDescriptor &setting : billing::settingDescriptors())
        QVERIFY2(readme.contains(u'`' + setting.name + u'`'),
                 qPrintable(setting.name + u" is not documented in README.md"_s));
}

QTEST_GUILESS_MAIN(TestDocumentation)
#include "tst_documentation.moc"
