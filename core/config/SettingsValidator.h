#pragma once

#include "Settings.h"
#include "SettingsSources.h"

#include <QFlags>
#include <QList>

namespace billing {

struct SettingProblem
{
    enum class Severity { Error, Warning };
    Severity severity = Severity::Error;
    QString key;     // the setting to fix
    QString message; // what is wrong and how to fix it; never contains a secret value
};

// Which parts of the configuration a command needs: `migrate` needs only the
// database, `serve` and `check-config` need all of it.
enum class SettingsScope {
    Database = 0x1,
    Stripe = 0x2,
    Listener = 0x4,
    All = Database | Stripe | Listener,
};
Q_DECLARE_FLAGS(SettingsScopes, SettingsScope)
Q_DECLARE_OPERATORS_FOR_FLAGS(SettingsScopes)

struct ValidatedSettings
{
    Settings settings;
    QList<SettingProblem> problems;

    bool hasErrors() const;
    QList<SettingProblem> errors() const;
    QList<SettingProblem> warnings() const;
};

// Turns raw values into typed Settings, catching up front the mistakes that
// otherwise surface later as Stripe errors (the seed's troubleshooting list):
// a Product id where a Price id belongs, keys from different modes, a webhook
// secret that is not a whsec_ value, a malformed database URL.
class SettingsValidator final
{
public:
    static ValidatedSettings validate(const SettingsSources &sources,
                                      SettingsScopes scope = SettingsScope::All);
    // Where the service keeps its files when BILLING_DATA_DIR is unset.
    static QString defaultDataDir();
};

} // namespace billing
