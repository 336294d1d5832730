#include "HttpRequest.h"

namespace billing::server {

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

qsizetype HttpRequest::headerCount(QByteArrayView name) const
{
    qsizetype count = 0;
    for (const auto &header : headers) {
        if (QByteArrayView(header.first).compare(name, Qt::CaseInsensitive) == 0)
            ++count;
    }
    return count;
}

QByteArray HttpRequest::bearerToken() const
{
    const QByteArray authorization = header("Authorization");
    return authorization.startsWith("Bearer ") ? authorization.mid(7).trimmed() : QByteArray();
}

} // namespace billing::server
