#include "DatabaseUrl.h"

#include <QDir>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

const QString kExpectedForms = u"expected sqlite:///absolute/path.sqlite3, sqlite:relative/path.sqlite3 or "
                               "postgresql://user:password@host:5432/database"_s;

// libpq parameters we pass through; anything else is more likely a typo than intent.
const QStringList kPostgresOptions = {
    u"sslmode"_s,          u"sslrootcert"_s,          u"sslcert"_s, u"sslkey"_s, u"connect_timeout"_s,
    u"application_name"_s, u"target_session_attrs"_s,
};

Error urlError(const QString &what)
{
    return {ErrorCode::Configuration, what};
}

} // namespace

DatabaseUrl DatabaseUrl::sqliteFile(const QString &absolutePath)
{
    DatabaseUrl url;
    url.m_dialect = SqlDialect::Sqlite;
    url.m_sqlitePath = QDir::cleanPath(absolutePath);
    return url;
}

Result<DatabaseUrl> DatabaseUrl::parse(const QString &text, const QString &dataDir)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return urlError(u"the database URL is empty; "_s + kExpectedForms);

    if (trimmed.startsWith(u"sqlite:")) {
        QString rest = trimmed.mid(7);
        QString path;
        if (rest.startsWith(u"///")) {
            path = QUrl::fromPercentEncoding(rest.mid(2).toUtf8());
        } else if (rest.startsWith(u"//")) {
            return urlError(u"an SQLite URL has no host part; "_s + kExpectedForms);
        } else {
            if (rest.isEmpty())
                return urlError(u"the SQLite URL names no file; "_s + kExpectedForms);
            path = QDir(dataDir).filePath(QUrl::fromPercentEncoding(rest.toUtf8()));
        }
        if (path.endsWith(u'/'))
            return urlError(u"the SQLite URL names a directory, not a file; "_s + kExpectedForms);
        return sqliteFile(path);
    }

    const QUrl url(trimmed, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (scheme != u"postgresql" && scheme != u"postgres") {
        return urlError(u"unsupported database URL scheme \"%1\"; %2"_s.arg(
            scheme.isEmpty() ? u"(none)"_s : scheme, kExpectedForms));
    }
    // Not url.errorString(): it quotes the URL, password included.
    if (!url.isValid())
        return urlError(u"the PostgreSQL URL is malformed (check the port and percent-encode special "
                        "characters in the user name and password); "_s +
                        kExpectedForms);

    DatabaseUrl result;
    result.m_dialect = SqlDialect::Postgres;
    result.m_host = url.host();
    result.m_user = url.userName(QUrl::FullyDecoded);
    result.m_password = url.password(QUrl::FullyDecoded);
    result.m_databaseName = url.path(QUrl::FullyDecoded).mid(1);

    if (url.port() == 0)
        return urlError(u"the PostgreSQL port must be between 1 and 65535"_s);
    result.m_port = url.port(5432);

    const QUrlQuery query(url);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == u"host") {
            result.m_host = value; // a Unix socket directory, as libpq allows
            continue;
        }
        if (!kPostgresOptions.contains(key)) {
            return urlError(u"unknown PostgreSQL URL parameter \"%1\"; supported: host, %2"_s.arg(
                key, kPostgresOptions.join(u", ")));
        }
        if (value.contains(u';'))
            return urlError(u"the PostgreSQL URL parameter \"%1\" may not contain ';'"_s.arg(key));
        result.m_options.insert(key, value);
    }

    if (result.m_host.isEmpty())
        return urlError(u"the PostgreSQL URL names no host; "_s + kExpectedForms);
    if (result.m_databaseName.isEmpty() || result.m_databaseName.contains(u'/'))
        return urlError(u"the PostgreSQL URL must end with /<database name>; "_s + kExpectedForms);
    return result;
}

DatabaseUrl DatabaseUrl::withDatabaseName(const QString &name) const
{
    DatabaseUrl copy = *this;
    copy.m_databaseName = name;
    return copy;
}

QString DatabaseUrl::toDisplayString() const
{
    if (m_dialect == SqlDialect::Sqlite)
        return u"sqlite://"_s + m_sqlitePath;

    QUrl url;
    url.setScheme(u"postgresql"_s);
    url.setHost(m_host.startsWith(u'/') ? u"localhost"_s : m_host);
    url.setPort(m_port);
    url.setUserName(m_user);
    if (!m_password.isEmpty())
        url.setPassword(u"****"_s);
    url.setPath(u'/' + m_databaseName);
    QUrlQuery query;
    if (m_host.startsWith(u'/'))
        query.addQueryItem(u"host"_s, m_host);
    for (auto it = m_options.cbegin(); it != m_options.cend(); ++it)
        query.addQueryItem(it.key(), it.value());
    url.setQuery(query);
    return url.toString();
}

} // namespace billing
