//! Times and days of chat messages in the user's language: the time of a
//! message (`chat-time-format`, a strftime pattern the translation
//! chooses) and the words of a day separator (Today, Yesterday, a weekday
//! within the last week, else a date in `chat-date-format`). A broken
//! pattern in a translation falls back to ISO forms instead of failing.

use chrono::{DateTime, Local, NaiveDate, TimeZone};

use crate::i18n::I18n;

use super::chat::{local_time, DayLabel};

/// A time of day in the language's format (`chat-time-format`, strftime).
pub fn format_time(i18n: &I18n, ms: i64) -> String {
    format_time_in(i18n, ms, &Local)
}

/// [`format_time`] in time zone `tz`.
pub fn format_time_in<Tz: TimeZone>(i18n: &I18n, ms: i64, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    strftime(&local_time(ms, tz), &i18n.tr("chat-time-format"), "%H:%M")
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
fn strftime<Tz: TimeZone>(time: &DateTime<Tz>, pattern: &str, fallback: &str) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let items: Vec<_> = chrono::format::StrftimeItems::new(pattern).collect();
    if items
        .iter()
        .any(|i| matches!(i, chrono::format::Item::Error))
    {
        return time.format(fallback).to_string();
    }
    time.format_with_items(items.into_iter()).to_string()
}

/// Why a message failed or waits, in words: the engine's reason starts
/// with a token (`offline: 480 Temporarily Unavailable`) that has a
/// translation (`chat-failure-offline`); the server's own words follow in
/// brackets. An unknown token shows the reason as it is.
pub fn failure_reason(i18n: &I18n, reason: &str) -> String {
    let token = crate::im::outbound::kind_token(reason);
    let key = format!("chat-failure-{token}");
    if !i18n.has(&key) {
        return reason.to_string();
    }
    let words = i18n.tr(&key);
    match reason.split_once(':').map(|(_, d)| d.trim()) {
        Some(detail) if !detail.is_empty() => format!("{words} ({detail})"),
        _ => words,
    }
}

#[cfg(test)]
mod failure_tests {
    use super::*;
    use crate::i18n::{I18n, Language};

    #[test]
    fn failure_tokens_are_translated_with_the_server_words_kept() {
        let en = I18n::for_language(Language::from_tag("en-US").unwrap());
        let text = failure_reason(&en, "offline: 480 Temporarily Unavailable");
        assert!(text.ends_with("(480 Temporarily Unavailable)"), "{text}");
        assert!(!text.starts_with("offline"), "{text}");
        assert_eq!(failure_reason(&en, "strange thing"), "strange thing");
        let de = I18n::for_language(Language::from_tag("de").unwrap());
        assert_ne!(
            failure_reason(&de, "not-registered"),
            failure_reason(&en, "not-registered")
        );
    }
}
