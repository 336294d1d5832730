#pragma once

#include <QString>
#include <QStringList>

namespace billing::ui {

// One control in a ListPage's filter bar: a combo when options are given
// (plus "any"), else a search line edit. Sets the list's query parameter `key`.
struct ListFilter
{
    QString key;
    QString label;
    QStringList options;
    QStringList optionLabels; // shown instead of options when given
    QString placeholder;
    // A date typed as YYYY-MM-DD, sent as Unix seconds (UTC): the day's start,
    // or with `endOfDay` the next day's start (for an exclusive "to").
    bool isDate = false;
    bool endOfDay = false;
};

} // namespace billing::ui
