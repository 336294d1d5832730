#include "SqlScript.h"

using namespace Qt::StringLiterals;

namespace billing {

namespace {

// At `pos`, the text starts "$tag$" (tag possibly empty): returns that delimiter, else "".
QString dollarQuoteAt(const QString &script, qsizetype pos)
{
    if (script[pos] != u'$')
        return {};
    qsizetype end = pos + 1;
    while (end < script.size() && (script[end].isLetterOrNumber() || script[end] == u'_'))
        ++end;
    if (end < script.size() && script[end] == u'$' && !(end > pos + 1 && script[pos + 1].isDigit()))
        return script.mid(pos, end - pos + 1);
    return {};
}

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}

// An SQLite trigger's body is statements between BEGIN and END, each ended by
// a semicolon; the CREATE TRIGGER statement ends at the semicolon after its
// END. `code` is the statement so far without comments, its quoted text
// blanked, so that only keywords count. A PostgreSQL trigger (EXECUTE
// FUNCTION …) has no BEGIN and ends at its first semicolon; a CASE … END
// inside a body does not end it.
bool insideTriggerBody(const QString &code)
{
    const QString head = code.trimmed().simplified();
    const bool trigger = head.startsWith(u"CREATE TRIGGER "_s, Qt::CaseInsensitive) ||
                         head.startsWith(u"CREATE TEMP TRIGGER "_s, Qt::CaseInsensitive) ||
                         head.startsWith(u"CREATE TEMPORARY TRIGGER "_s, Qt::CaseInsensitive);
    if (!trigger)
        return false;
    bool begun = false;
    int depth = 0;
    for (qsizetype i = 0; i < code.size();) {
        if (!isWordChar(code[i])) {
            ++i;
            continue;
        }
        qsizetype end = i;
        while (end < code.size() && isWordChar(code[end]))
            ++end;
        const QStringView word = QStringView(code).mid(i, end - i);
        if (word.compare(u"BEGIN", Qt::CaseInsensitive) == 0) {
            begun = true;
            ++depth;
        } else if (begun && word.compare(u"CASE", Qt::CaseInsensitive) == 0) {
            ++depth;
        } else if (begun && word.compare(u"END", Qt::CaseInsensitive) == 0) {
            --depth;
        }
        i = end;
    }
    return begun && depth > 0;
}

} // namespace

QStringList splitSqlStatements(const QString &script)
{
    QStringList statements;
    QString current;
    QString code; // `current` without its comments, its quoted text blanked
    bool hasCode = false;

    auto flush = [&] {
        if (hasCode)
            statements << current.trimmed();
        current.clear();
        code.clear();
        hasCode = false;
    };

    const qsizetype size = script.size();
    qsizetype i = 0;
    while (i < size) {
        const QChar c = script[i];
        const QChar next = i + 1 < size ? script[i + 1] : QChar();

        if (c == u'-' && next == u'-') {
            const qsizetype end = script.indexOf(u'\n', i);
            const qsizetype stop = end < 0 ? size : end;
            current += QStringView(script).mid(i, stop - i);
            i = stop;
            continue;
        }
        if (c == u'/' && next == u'*') {
            const qsizetype end = script.indexOf(u"*/", i + 2);
            const qsizetype stop = end < 0 ? size : end + 2;
            current += QStringView(script).mid(i, stop - i);
            i = stop;
            continue;
        }
        if (c == u'\'' || c == u'"') {
            // A doubled quote inside is an escaped quote: the scan simply reopens.
            const qsizetype end = script.indexOf(c, i + 1);
            const qsizetype stop = end < 0 ? size : end + 1;
            current += QStringView(script).mid(i, stop - i);
            code += u"''"_s; // its words are not keywords
            hasCode = true;
            i = stop;
            continue;
        }
        if (c == u'$') {
            const QString tag = dollarQuoteAt(script, i);
            if (!tag.isEmpty()) {
                const qsizetype end = script.indexOf(tag, i + tag.size());
                const qsizetype stop = end < 0 ? size : end + tag.size();
                current += QStringView(script).mid(i, stop - i);
                code += u"''"_s;
                hasCode = true;
                i = stop;
                continue;
            }
        }
        if (c == u';' && !insideTriggerBody(code)) {
            flush();
            ++i;
            continue;
        }
        current += c;
        code += c;
        if (!c.isSpace())
            hasCode = true;
        ++i;
    }
    flush();
    return statements;
}

} // namespace billing
