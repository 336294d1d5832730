#include "StaffCommand.h"

#include "CliDatabase.h"
#include "CliSettings.h"
#include "db/AuditLog.h"
#include "db/StaffStore.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

QString formatTime(const std::optional<qint64> &seconds)
{
    return seconds ? QDateTime::fromSecsSinceEpoch(*seconds, Qt::UTC).toString(Qt::ISODate) : u"-"_s;
}

void audit(Database &database, const QString &action, const QString &name)
{
    AuditLog::Entry entry;
    entry.actor = u"cli"_s;
    entry.action = action;
    entry.targetType = u"staff"_s;
    entry.targetId = name;
    if (Result<void> recorded = AuditLog(database).record(entry); !recorded)
        qWarning("audit log write failed: %s", qPrintable(recorded.error().message));
}

} // namespace

QString StaffCommand::name() const
{
    return u"staff"_s;
}

QString StaffCommand::summary() const
{
    return u"staff add <name> | list | revoke <name> | rotate <name>: dashboard sign-ins"_s;
}

void StaffCommand::addOptions(QCommandLineParser &parser) const
{
    addConfigurationOptions(parser);
    parser.addPositionalArgument(u"action"_s,
                                 u"add <name>, list, revoke <name>, or rotate <name> (a new token)."_s,
                                 u"add <name> | list | revoke <name> | rotate <name>"_s);
}

int StaffCommand::run(const QCommandLineParser &parser, CliStreams streams)
{
    const QStringList arguments = parser.positionalArguments();
    const QString action = arguments.value(0);
    const bool named = action == u"add" || action == u"revoke" || action == u"rotate";
    if (!(named && arguments.size() == 2) && !(action == u"list" && arguments.size() == 1)) {
        streams.err
            << u"usage: agencyos-billing-server staff add <name> | staff list | staff revoke <name> | "
               "staff rotate <name>"_s
            << Qt::endl;
        return ExitUsage;
    }
    const std::optional<Settings> settings = loadSettingsForCommand(parser, SettingsScope::Database, streams);
    if (!settings)
        return ExitConfiguration;
    std::optional<CliDatabase> opened = openMigratedCliDatabase(settings.value(), streams);
    if (!opened)
        return ExitFailure;
    StaffStore staff(*opened->database);

    if (action == u"add") {
        Result<QString> token = staff.add(arguments.at(1));
        if (!token) {
            streams.err << u"error: "_s << token.error().message << Qt::endl;
            return token.error().code == ErrorCode::InvalidInput ? ExitUsage : ExitFailure;
        }
        audit(*opened->database, u"staff.add"_s, arguments.at(1));
        streams.out << u"Staff member \"%1\" added. Their dashboard token (shown only now):"_s.arg(
                           arguments.at(1))
                    << Qt::endl
                    << token.value() << Qt::endl;
        return ExitOk;
    }
    if (action == u"rotate") {
        Result<std::optional<QString>> token = staff.rotate(arguments.at(1));
        if (!token) {
            streams.err << u"error: "_s << token.error().message << Qt::endl;
            return ExitFailure;
        }
        if (!token->has_value()) {
            streams.err << u"error: no staff member is named \"%1\" (see staff list)"_s.arg(arguments.at(1))
                        << Qt::endl;
            return ExitFailure;
        }
        audit(*opened->database, u"staff.rotate"_s, arguments.at(1));
        streams.out
            << u"Staff member \"%1\" has a new dashboard token (shown only now; the old one no longer "
               "works):"_s.arg(arguments.at(1))
            << Qt::endl
            << token->value() << Qt::endl;
        return ExitOk;
    }
    if (action == u"revoke") {
        Result<bool> revoked = staff.revoke(arguments.at(1));
        if (!revoked) {
            streams.err << u"error: "_s << revoked.error().message << Qt::endl;
            return ExitFailure;
        }
        if (!revoked.value()) {
            streams.err << u"error: no active staff member is named \"%1\" (see staff list)"_s.arg(
                               arguments.at(1))
                        << Qt::endl;
            return ExitFailure;
        }
        audit(*opened->database, u"staff.revoke"_s, arguments.at(1));
        streams.out << u"Staff member \"%1\" revoked; their token no longer works."_s.arg(arguments.at(1))
                    << Qt::endl;
        return ExitOk;
    }

    Result<QList<StaffStore::Member>> members = staff.list();
    if (!members) {
        streams.err << u"error: "_s << members.error().message << Qt::endl;
        return ExitFailure;
    }
    streams.out << u"NAME\tSTATUS\tCREATED\tLAST SEEN"_s << Qt::endl;
    for (const StaffStore::Member &member : members.value()) {
        streams.out << member.name << u'\t' << (member.revokedAt ? u"revoked"_s : u"active"_s) << u'\t'
                    << formatTime(member.createdAt) << u'\t' << formatTime(member.lastSeenAt) << Qt::endl;
    }
    return ExitOk;
}

} // namespace billing::server
