#include "EnvFile.h"

#include <algorithm>

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QStringDecoder>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

bool isKeyStart(QChar c)
{
    return (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || c == u'_';
}

bool isKeyChar(QChar c)
{
    return isKeyStart(c) || (c >= u'0' && c <= u'9');
}

Error lineError(int line, const QString &what)
{
    return {ErrorCode::InvalidInput, u"line %1: %2"_s.arg(line).arg(what)};
}

// Parses the text after '=' on one line; `line` is for messages only.
Result<QString> parseValue(QStringView raw, int line)
{
    const QStringView text = raw.trimmed();
    if (text.isEmpty())
        return QString();

    const QChar quote = text.front();
    if (quote != u'"' && quote != u'\'') {
        // Unquoted: a '#' preceded by whitespace starts a comment.
        qsizetype end = text.size();
        for (qsizetype i = 1; i < text.size(); ++i) {
            if (text[i] == u'#' && text[i - 1].isSpace()) {
                end = i;
                break;
            }
        }
        return text.left(end).trimmed().toString();
    }

    QString value;
    qsizetype i = 1;
    bool closed = false;
    for (; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c == quote) {
            closed = true;
            ++i;
            break;
        }
        if (quote == u'"' && c == u'\\' && i + 1 < text.size()) {
            const QChar next = text[++i];
            switch (next.unicode()) {
            case 'n': value += u'\n'; break;
            case 't': value += u'\t'; break;
            case 'r': value += u'\r'; break;
            default: value += next; break; // \" \\ \$ and any other escaped char
            }
            continue;
        }
        value += c;
    }
    if (!closed)
        return lineError(line, u"the value opens a %1 quote that is not closed on the same line"_s.arg(
                                   quote == u'"' ? u"double"_s : u"single"_s));

    const QStringView rest = text.mid(i).trimmed();
    if (!rest.isEmpty() && !rest.startsWith(u'#'))
        return lineError(line, u"unexpected text after the closing quote"_s);
    return value;
}

} // namespace

Result<EnvFile> EnvFile::parse(const QByteArray &content)
{
    QStringDecoder decoder(QStringDecoder::Utf8);
    QString text = decoder.decode(content);
    if (decoder.hasError())
        return Error{ErrorCode::InvalidInput, u"the file is not valid UTF-8"_s};
    if (text.startsWith(QChar(0xFEFF)))
        text.remove(0, 1);

    EnvFile file;
    QHash<QString, int> firstLine;
    const QStringList lines = text.split(u'\n');
    for (qsizetype index = 0; index < lines.size(); ++index) {
        const int lineNumber = int(index + 1);
        QStringView line = QStringView(lines[index]);
        if (line.endsWith(u'\r'))
            line.chop(1);
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        if (line.startsWith(u"export ") || line.startsWith(u"export\t"))
            line = line.mid(7).trimmed();

        const qsizetype equals = line.indexOf(u'=');
        if (equals < 0)
            return lineError(lineNumber, u"expected KEY=VALUE"_s);
        const QStringView key = line.left(equals).trimmed();
        if (key.isEmpty() || !isKeyStart(key.front()) || !std::all_of(key.begin(), key.end(), isKeyChar)) {
            return lineError(
                lineNumber,
                u"\"%1\" is not a valid variable name (letters, digits and _ only)"_s.arg(key.toString()));
        }

        Result<QString> value = parseValue(line.mid(equals + 1), lineNumber);
        if (!value)
            return value.error();

        const QString keyString = key.toString();
        if (const auto previous = firstLine.constFind(keyString); previous != firstLine.cend()) {
            file.m_warnings << u"%1 is set on line %2 and again on line %3; line %3 wins"_s.arg(keyString)
                                   .arg(previous.value())
                                   .arg(lineNumber);
        } else {
            firstLine.insert(keyString, lineNumber);
        }
        file.m_entries.append({keyString, std::move(value).value(), lineNumber});
    }
    return file;
}

Result<EnvFile> EnvFile::read(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error{ErrorCode::NotFound, u"the file %1 does not exist"_s.arg(path)};
    if (info.isDir())
        return Error{ErrorCode::Io, u"%1 is a directory, not a .env file"_s.arg(path)};

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Io, u"cannot read %1: %2"_s.arg(path, file.errorString())};
    Result<EnvFile> parsed = parse(file.readAll());
    if (!parsed)
        return Error{parsed.error().code, u"%1, %2"_s.arg(path, parsed.error().message)};
    return parsed;
}

} // namespace billing
