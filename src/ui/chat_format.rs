//! Times and days of chat messages in the user's language: the time of a
//! message (`chat-time-format`, a strftime pattern the translation
//! chooses) and the words of a day separator (Today, Yesterday, a weekday
//! within the last week, else a date in `chat-date-format`). A broken
//! pattern in a translation falls back to ISO forms instead of failing.

use chrono::{DateTime, Local, NaiveDate};

use crate::i18n::I18n;

use super::chat::{local_time, DayLabel};

/// A time of day in the language's format (`chat-time-format`, strftime).
pub fn format_time(i18n: &I18n, ms: i64) -> String {
    strftime(
        &local_time(ms, &Local),
        &i18n.tr("chat-time-format"),
        "%H:%M",
    )
}

/// A day as a separator names it: Today, Yesterday, a weekday, a date.
pub fn format_day(i18n: &I18n, day: NaiveDate, today: NaiveDate) -> String {
    use chrono::Weekday::*;
    match DayLabel::new(day, today) {
        DayLabel::Today => i18n.tr("chat-today"),
        DayLabel::Yesterday => i18n.tr("chat-yesterday"),
        DayLabel::Weekday(w) => i18n.tr(match w {
            Mon => "chat-weekday-mon",
            Tue => "chat-weekday-tue",
            Wed => "chat-weekday-wed",
            Thu => "chat-weekday-thu",
            Fri => "chat-weekday-fri",
            Sat => "chat-weekday-sat",
            Sun => "chat-weekday-sun",
        }),
        DayLabel::Date(d) => {
            let format = i18n.tr("chat-date-format");
            let items: Vec<_> = chrono::format::StrftimeItems::new(&format).collect();
            if items
                .iter()
                .any(|i| matches!(i, chrono::format::Item::Error))
            {
                d.format("%Y-%m-%d").to_string()
            } else {
                d.format_with_items(items.into_iter()).to_string()
            }
        }
    }
}

/// Formats with a translated strftime pattern; a broken pattern falls back.
fn strftime(time: &DateTime<Local>, pattern: &str, fallback: &str) -> String {
    let items: Vec<_> = chrono::format::StrftimeItems::new(pattern).collect();
    if items
        .iter()
        .any(|i| matches!(i, chrono::format::Item::Error))
    {
        return time.format(fallback).to_string();
    }
    time.format_with_items(items.into_iter()).to_string()
}
