//! One row of the call history window: an arrow for the way the call went
//! (placed ↗, received ↙, missed ↙ in red), the other person's name, the
//! kind in words with the talk time of an answered call or why an
//! unanswered one ended, when it was (today: the time; before: the day)
//! and the Call back button. The words are pure functions, tested on
//! their own.

use chrono::{Local, TimeZone};
use iced::widget::{button, column, container, row, text, tooltip};
use iced::{Alignment, Color, Element, Fill, Theme};

use crate::i18n::I18n;
use crate::store::calls::{CallEnd, CallKind, CallRecord};
use crate::ui::call::format_duration;
use crate::ui::chat::local_time;
use crate::ui::chat_format::{format_day, format_time_in};
use crate::ui::status::display_address;
use crate::ui::theme;

use super::call_history::{call_back_id, Message};

/// The arrow of a call's kind.
pub fn arrow(kind: CallKind) -> &'static str {
    match kind {
        CallKind::Placed => "↗",
        CallKind::Received | CallKind::Missed => "↙",
    }
}

/// The Fluent id of a call's kind, as the rows name it.
pub fn kind_id(kind: CallKind) -> &'static str {
    match kind {
        CallKind::Placed => "history-placed",
        CallKind::Received => "history-received",
        CallKind::Missed => "history-missed",
    }
}

/// The second line of a row: the kind, then the talk time of an answered
/// call, "in progress", or why an unanswered call ended when that says
/// more than the kind ("Missed · Do not disturb", "Placed · Busy").
pub fn detail(i18n: &I18n, call: &CallRecord) -> String {
    let kind = i18n.tr(kind_id(call.kind));
    let more = if call.ended.is_none() {
        Some(i18n.tr("history-in-progress"))
    } else if let Some(talk) = call.talk_ms() {
        Some(format_duration(talk))
    } else {
        call.end_reason
            .and_then(|reason| end_id(call.kind, reason))
            .map(|id| i18n.tr(id))
    };
    match more {
        Some(more) => format!("{kind} · {more}"),
        None => kind,
    }
}

/// Why an unanswered call ended, when the kind does not already say it.
fn end_id(kind: CallKind, reason: CallEnd) -> Option<&'static str> {
    Some(match reason {
        CallEnd::Busy => "history-end-busy",
        CallEnd::Declined => "history-end-declined",
        CallEnd::NotFound => "history-end-not-found",
        CallEnd::Failed => "history-end-failed",
        CallEnd::Forwarded => "history-end-forwarded",
        CallEnd::Dnd => "history-end-dnd",
        CallEnd::AnsweredElsewhere => "history-end-answered-elsewhere",
        CallEnd::Interrupted => "history-end-interrupted",
        CallEnd::NoAnswer if kind == CallKind::Placed => "history-end-no-answer",
        CallEnd::Cancelled if kind == CallKind::Placed => "history-end-cancelled",
        // A missed call rang out or the caller gave up: "Missed" says it.
        CallEnd::NoAnswer | CallEnd::Cancelled | CallEnd::Hangup => return None,
    })
}

/// When a call was, against the wall clock `now_ms`: the time for today's
/// calls, else the day (Yesterday, a weekday, a date).
pub fn when(i18n: &I18n, started_ms: i64, now_ms: i64) -> String {
    when_in(i18n, started_ms, now_ms, &Local)
}

/// [`when`] in time zone `tz` (tests pin one).
pub fn when_in<Tz: TimeZone>(i18n: &I18n, started_ms: i64, now_ms: i64, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let day = local_time(started_ms, tz).date_naive();
    let today = local_time(now_ms, tz).date_naive();
    if day == today {
        format_time_in(i18n, started_ms, tz)
    } else {
        format_day(i18n, day, today)
    }
}

/// The colour of a kind's arrow.
fn arrow_color(kind: CallKind, theme: &Theme) -> Color {
    match kind {
        CallKind::Placed => theme.extended_palette().primary.base.color,
        CallKind::Received => theme::Dot::Green.color(),
        CallKind::Missed => theme::Dot::Red.color(),
    }
}

pub(super) fn row_view<'a>(
    i18n: &I18n,
    call: &'a CallRecord,
    name: String,
    now_ms: i64,
) -> Element<'a, Message> {
    let kind = call.kind;
    let missed = kind == CallKind::Missed;
    let arrow = container(
        text(arrow(kind))
            .size(theme::BODY_SIZE + 3.0)
            .font(theme::BOLD)
            .style(move |theme: &Theme| text::Style {
                color: Some(arrow_color(kind, theme)),
            }),
    )
    .center_x(22);
    let mut name_text = text(name.clone())
        .size(theme::LABEL_SIZE)
        .wrapping(text::Wrapping::None);
    if missed {
        name_text = name_text.style(theme::error);
    }
    let mut detail_text = text(detail(i18n, call))
        .size(theme::SMALL_SIZE)
        .wrapping(text::Wrapping::None);
    detail_text = if missed {
        detail_text.style(theme::error)
    } else {
        detail_text.style(theme::muted)
    };
    let words = column![name_text, detail_text]
        .spacing(1)
        .width(Fill)
        .clip(true);
    let time = text(when(i18n, call.started, now_ms))
        .size(theme::SMALL_SIZE)
        .style(theme::muted)
        .wrapping(text::Wrapping::None);
    let back = container(tooltip(
        button(text("☎").size(theme::BODY_SIZE))
            .padding([3, 10])
            .style(theme::secondary_button)
            .on_press(Message::CallBack(call.id)),
        theme::tooltip_card(i18n.tr_args(
            "history-call-back-tip",
            &[
                ("name", name.into()),
                ("address", display_address(&call.peer).to_string().into()),
            ],
        )),
        tooltip::Position::Left,
    ))
    .id(call_back_id(call.id));
    container(
        row![arrow, words, time, back]
            .spacing(theme::SMALL_GAP * 1.5)
            .align_y(Alignment::Center),
    )
    .padding([6, 8])
    .width(Fill)
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::CallDirection;
    use crate::i18n::Language;
    use chrono::Utc;

    fn record(kind: CallKind) -> CallRecord {
        CallRecord {
            id: 1,
            account: "sip:alice@hark.test".into(),
            call_id: "x".into(),
            peer: "sip:bob@hark.test".into(),
            peer_name: None,
            direction: if kind == CallKind::Placed {
                CallDirection::Outgoing
            } else {
                CallDirection::Incoming
            },
            started: 1_000_000,
            answered: None,
            ended: Some(1_010_000),
            end_reason: Some(CallEnd::NoAnswer),
            kind,
            seen: false,
        }
    }

    #[test]
    fn the_second_line_gives_the_talk_time_or_why_it_ended() {
        let en = I18n::for_language(Language::EnUs);
        let mut placed = record(CallKind::Placed);
        placed.answered = Some(1_002_000);
        placed.ended = Some(1_194_000);
        placed.end_reason = Some(CallEnd::Hangup);
        assert_eq!(detail(&en, &placed), "Placed · 3:12");
        placed.answered = None;
        placed.end_reason = Some(CallEnd::Busy);
        assert_eq!(detail(&en, &placed), "Placed · Busy");
        let missed = record(CallKind::Missed);
        assert_eq!(detail(&en, &missed), "Missed");
        let dnd = CallRecord {
            end_reason: Some(CallEnd::Dnd),
            ..record(CallKind::Missed)
        };
        assert_eq!(detail(&en, &dnd), "Missed · Do not disturb");
        let on = CallRecord {
            ended: None,
            end_reason: None,
            ..record(CallKind::Received)
        };
        assert_eq!(detail(&en, &on), "Received · In progress");
        let de = I18n::for_language(Language::from_tag("de").unwrap());
        assert_eq!(detail(&de, &missed), "Verpasst");
    }

    #[test]
    fn todays_calls_show_their_time_older_ones_their_day() {
        let en = I18n::for_language(Language::EnUs);
        // 2026-11-23 10:00 UTC, a Monday.
        let now = 1_795_428_000_000;
        assert_eq!(when_in(&en, now - 3_600_000, now, &Utc), "9:00 AM");
        assert_eq!(when_in(&en, now - 86_400_000, now, &Utc), "Yesterday");
        assert_eq!(
            when_in(&en, now - 30 * 86_400_000, now, &Utc),
            format_day(
                &en,
                chrono::NaiveDate::from_ymd_opt(2026, 10, 24).unwrap(),
                chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
            )
        );
    }
}
