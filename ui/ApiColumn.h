#pragma once

#include <QString>

namespace billing::ui {

// One column of an ApiListModel: which row field it shows and how.
struct ApiColumn
{
    enum class Kind {
        Text,   // the value as it is
        Status, // text, coloured by StatusPalette
        Time,   // Unix seconds -> local date and time
        Amount, // smallest currency unit + the currency in companionKey -> "12.34 EUR"
        Bool,   // yes / no
        Typed,  // as the type in companionKey says: "time" as Time, anything else as Text
    };

    QString key;
    QString header;
    Kind kind = Kind::Text;
    QString sortKey;      // the API's sort name; empty when the column is not sortable
    QString companionKey; // Amount and Typed: the row field read beside the value
};

} // namespace billing::ui
