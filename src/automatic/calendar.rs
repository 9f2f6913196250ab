//! "Am I in a meeting now?" from an iCalendar calendar (SPEC P5), sans-IO.
//!
//! [`Calendar::parse`] reads the text of a `.ics` file (RFC 5545) with the
//! `icalendar` crate; [`Calendar::expand`] turns its events into concrete
//! [`Instance`]s in a time window, expanding RRULE, RDATE and EXDATE with the
//! `rrule` crate (through `icalendar`'s `recurrence` feature), TZIDs through
//! `chrono-tz`; [`busy_now`] and [`next_change`] answer the driver's two
//! questions from those instances.
//!
//! Decisions (each unit-tested in `calendar_tests.rs`):
//! - A meeting is a VEVENT with a start *time* and a non-zero length, that is
//!   not `TRANSP:TRANSPARENT` ("free" in calendar UIs) and not
//!   `STATUS:CANCELLED`. Tentative events count (the user said "maybe").
//! - All-day events (`DTSTART;VALUE=DATE`) are not meetings: they mark a day
//!   (a holiday, a birthday, "working from home", a trip) rather than a time
//!   the user is unreachable, and showing "In a meeting" from 00:00 to 24:00
//!   would hide real availability.
//! - A moved or cancelled single occurrence (a VEVENT with `RECURRENCE-ID`)
//!   replaces its series' occurrence at that instant.
//! - Floating times (no `Z`, no `TZID`) are the machine's local time, as RFC
//!   5545 says; an unknown TZID (e.g. a Windows zone name) skips that event
//!   with a warning rather than guessing.
//! - While meetings overlap, the one that began last names the meeting, and
//!   [`Meeting::until`] is the end of the whole busy stretch (back-to-back
//!   meetings count as one stretch).
//! - A calendar is untrusted input: at most [`MAX_CALENDAR_BYTES`], at most
//!   [`MAX_DEPTH`] nested components (the parser recurses), at most
//!   [`MAX_INSTANCES`] instances in one expansion window and at most
//!   [`MAX_WALK_PER_EVENT`] / [`MAX_WALK_TOTAL`] occurrences walked (a
//!   series is expanded from its first occurrence, so a minutely rule from
//!   1970 stops at the cap instead of spinning). An event that cannot be
//!   understood is skipped and listed in [`Calendar::warnings`]; only input
//!   that is not a calendar at all is an error.

use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::{DateTime, Duration, Local, NaiveDateTime, TimeZone, Utc};
use icalendar::{CalendarDateTime, Component, DatePerhapsTime, Event, EventStatus, RRuleSet};

/// Largest calendar read, in bytes.
pub const MAX_CALENDAR_BYTES: usize = 8 << 20;
/// Deepest nesting of BEGIN/END components accepted.
pub const MAX_DEPTH: usize = 16;
/// Most instances one [`Calendar::expand`] returns.
pub const MAX_INSTANCES: usize = 10_000;
/// Most occurrences walked for one event series.
pub const MAX_WALK_PER_EVENT: usize = 100_000;
/// Most occurrences walked for one whole expansion.
pub const MAX_WALK_TOTAL: usize = 1_000_000;
/// Longest error text kept from the parser (its messages quote the input).
const MAX_ERROR_CHARS: usize = 200;

/// Why a calendar could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the calendar is larger than {MAX_CALENDAR_BYTES} bytes")]
    TooLarge,
    #[error("the calendar is not UTF-8 text")]
    NotText,
    #[error("this is not an iCalendar file (no BEGIN:VCALENDAR)")]
    NotACalendar,
    #[error("the calendar nests components more than {MAX_DEPTH} deep")]
    TooDeep,
    #[error("the calendar could not be parsed: {0}")]
    Parse(String),
}

/// The meeting going on now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    /// The event's SUMMARY ("" when it has none).
    pub summary: String,
    /// When the busy stretch that holds this meeting ends.
    pub until: DateTime<Utc>,
}

/// One occurrence of a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub summary: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The instances in a window.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expansion {
    /// Sorted by start.
    pub instances: Vec<Instance>,
    /// A cap was hit: some instances may be missing.
    pub truncated: bool,
}

/// A meeting series, ready to expand.
#[derive(Debug, Clone)]
struct Series {
    summary: String,
    occurrences: Occurrences,
    length: Duration,
    /// Occurrences replaced by a RECURRENCE-ID event.
    overridden: HashSet<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
enum Occurrences {
    Once(DateTime<Utc>),
    Recurring(Box<RRuleSet>),
}

/// A parsed calendar: its meeting series and what was skipped.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    series: Vec<Series>,
    /// Events that were skipped because they could not be understood.
    pub warnings: Vec<String>,
}

impl Calendar {
    /// Reads the bytes of an iCalendar file.
    pub fn parse(bytes: &[u8]) -> Result<Calendar, CalendarError> {
        if bytes.len() > MAX_CALENDAR_BYTES {
            return Err(CalendarError::TooLarge);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| CalendarError::NotText)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        check_structure(text)?;
        // The parser is third-party code fed untrusted text: a panic in it
        // is a parse error, not a crash.
        let parsed = catch_unwind(AssertUnwindSafe(|| text.parse::<icalendar::Calendar>()))
            .map_err(|_| CalendarError::Parse("the parser failed".to_string()))?
            .map_err(|e| CalendarError::Parse(describe_parse_error(&e)))?;
        Ok(Calendar::from_parsed(&parsed))
    }

    fn from_parsed(parsed: &icalendar::Calendar) -> Calendar {
        let mut calendar = Calendar::default();
        // RECURRENCE-ID events replace occurrences of their series.
        let mut overridden: HashMap<String, HashSet<DateTime<Utc>>> = HashMap::new();
        for event in parsed.events() {
            if let (Some(uid), Some(id)) = (event.get_uid(), event.get_recurrence_id()) {
                if let Some(at) = instant(&id) {
                    overridden.entry(uid.to_string()).or_default().insert(at);
                }
            }
        }
        for event in parsed.calendar_events() {
            let is_override = event.get_recurrence_id().is_some();
            match series(&event, is_override) {
                Ok(Some(mut s)) => {
                    if !is_override {
                        if let Some(ids) = event.get_uid().and_then(|u| overridden.get(u)) {
                            s.overridden = ids.clone();
                        }
                    }
                    calendar.series.push(s);
                }
                Ok(None) => {}
                Err(why) => calendar.warnings.push(format!(
                    "skipped event \"{}\": {why}",
                    clip(event.get_summary().unwrap_or(""))
                )),
            }
        }
        calendar
    }

    /// The meeting instances that overlap `[from, to)`, sorted by start.
    pub fn expand(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Expansion {
        let mut out = Expansion::default();
        let mut walked_total = 0usize;
        for s in &self.series {
            let push = |start: DateTime<Utc>, out: &mut Expansion| {
                let end = start + s.length;
                if end > from && start < to && !s.overridden.contains(&start) {
                    out.instances.push(Instance {
                        summary: s.summary.clone(),
                        start,
                        end,
                    });
                }
            };
            match &s.occurrences {
                Occurrences::Once(start) => push(*start, &mut out),
                Occurrences::Recurring(set) => {
                    let mut walked = 0usize;
                    for start in set.as_ref() {
                        let start = start.with_timezone(&Utc);
                        if start >= to {
                            break;
                        }
                        walked += 1;
                        walked_total += 1;
                        if walked > MAX_WALK_PER_EVENT || walked_total > MAX_WALK_TOTAL {
                            out.truncated = true;
                            break;
                        }
                        push(start, &mut out);
                    }
                }
            }
            if out.instances.len() > MAX_INSTANCES {
                out.instances.truncate(MAX_INSTANCES);
                out.truncated = true;
                break;
            }
        }
        out.instances.sort_by_key(|i| (i.start, i.end));
        out
    }

    /// How many meeting series the calendar holds.
    pub fn series_count(&self) -> usize {
        self.series.len()
    }
}

/// The meeting going on at `now`, if any.
pub fn busy_now(instances: &[Instance], now: DateTime<Utc>) -> Option<Meeting> {
    let current = instances
        .iter()
        .filter(|i| i.start <= now && now < i.end)
        .max_by_key(|i| i.start)?;
    // Extend through overlapping and back-to-back meetings.
    let mut until = current.end;
    loop {
        let later = instances
            .iter()
            .filter(|i| i.start <= until && i.end > until)
            .map(|i| i.end)
            .max();
        match later {
            Some(end) => until = end,
            None => break,
        }
    }
    Some(Meeting {
        summary: current.summary.clone(),
        until,
    })
}

/// The first instant after `now` at which [`busy_now`] may answer
/// differently (a meeting starts or ends), if any in `instances`.
pub fn next_change(instances: &[Instance], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    instances
        .iter()
        .flat_map(|i| [i.start, i.end])
        .filter(|t| *t > now)
        .min()
}

/// Rejects text that is not a calendar, or nests too deep for the parser.
fn check_structure(text: &str) -> Result<(), CalendarError> {
    let mut depth = 0usize;
    let mut seen_calendar = false;
    for line in text.lines() {
        let line = line.trim_start();
        if starts_with_ignore_case(line, "BEGIN:") {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(CalendarError::TooDeep);
            }
            if line[6..].trim().eq_ignore_ascii_case("VCALENDAR") {
                seen_calendar = true;
            }
        } else if starts_with_ignore_case(line, "END:") {
            depth = depth.saturating_sub(1);
        }
    }
    if seen_calendar {
        Ok(())
    } else {
        Err(CalendarError::NotACalendar)
    }
}

fn starts_with_ignore_case(line: &str, prefix: &str) -> bool {
    line.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// One event as a series, `Ok(None)` when it is not a meeting.
fn series(
    event: &icalendar::CalendarEvent<'_>,
    is_override: bool,
) -> Result<Option<Series>, String> {
    if !is_meeting(event) {
        return Ok(None);
    }
    let start = match event.get_start() {
        None => return Err("no valid DTSTART".to_string()),
        Some(DatePerhapsTime::Date(_)) => return Ok(None),
        Some(start) => start,
    };
    let start_utc = instant(&start).ok_or("DTSTART has an unknown time zone")?;
    let length = length(event, start_utc)?;
    if length <= Duration::zero() {
        return Ok(None);
    }
    let recurring = !is_override
        && (event.property_value("RRULE").is_some()
            || event.multi_properties().contains_key("RDATE"));
    let occurrences = if recurring {
        let set = event
            .get_recurrence()
            .map_err(|e| format!("its recurrence cannot be used: {e}"))?;
        Occurrences::Recurring(Box::new(set.limit()))
    } else {
        Occurrences::Once(start_utc)
    };
    Ok(Some(Series {
        summary: event.get_summary().unwrap_or("").to_string(),
        occurrences,
        length,
        overridden: HashSet::new(),
    }))
}

/// Not free (TRANSP:TRANSPARENT) and not cancelled.
fn is_meeting(event: &Event) -> bool {
    let transparent = event
        .property_value("TRANSP")
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("TRANSPARENT"));
    let cancelled = matches!(event.get_status(), Some(EventStatus::Cancelled))
        || event
            .property_value("STATUS")
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("CANCELLED"));
    !transparent && !cancelled
}

/// DTEND − DTSTART, else DURATION, else zero.
fn length(event: &Event, start: DateTime<Utc>) -> Result<Duration, String> {
    if let Some(end) = event.get_end() {
        let end = instant(&end).ok_or("DTEND has an unknown time zone")?;
        return Ok(end - start);
    }
    if let Some(text) = event.property_value("DURATION") {
        return parse_duration(text).ok_or_else(|| format!("bad DURATION {}", clip(text)));
    }
    Ok(Duration::zero())
}

/// An RFC 5545 duration ("PT1H30M", "P1W", "-PT15M").
fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let iso = iso8601::duration(rest).ok()?;
    let length = Duration::from_std(std::time::Duration::from(iso)).ok()?;
    Some(if negative { -length } else { length })
}

/// A DATE-TIME (or a DATE, as its local midnight) as an instant.
fn instant(when: &DatePerhapsTime) -> Option<DateTime<Utc>> {
    match when {
        DatePerhapsTime::DateTime(CalendarDateTime::Utc(t)) => Some(*t),
        DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => {
            let tz: chrono_tz::Tz = tzid.parse().ok()?;
            local_instant(&tz, date_time)
        }
        DatePerhapsTime::DateTime(CalendarDateTime::Floating(t)) => local_instant(&Local, t),
        DatePerhapsTime::Date(d) => local_instant(&Local, &d.and_hms_opt(0, 0, 0)?),
    }
}

/// A wall-clock time in `tz`; in a DST gap, the time an hour later.
fn local_instant<T: TimeZone>(tz: &T, t: &NaiveDateTime) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(t)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(*t + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// The parser's (nom's) error as "at line N, in WHAT", from its outermost
/// context; its full text quotes the input and can be long.
fn describe_parse_error(text: &str) -> String {
    let outermost = text
        .lines()
        .filter_map(|l| l.split_once(": at line ").map(|(_, rest)| rest))
        .next_back();
    let described = match outermost {
        Some(rest) => format!("at line {}", rest.trim_end_matches(':')),
        None => text.lines().next().unwrap_or("").to_string(),
    };
    described.chars().take(MAX_ERROR_CHARS).collect()
}

fn clip(text: &str) -> String {
    text.chars().take(80).collect()
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
