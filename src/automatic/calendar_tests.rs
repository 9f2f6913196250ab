//! Tests for the calendar: hand-written calendars, fixed clocks.

use super::*;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test time")
        .with_timezone(&Utc)
}

/// A calendar with the given VEVENT bodies.
fn ics(events: &[&str]) -> String {
    let mut out = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Hark tests//EN\r\n");
    for e in events {
        out.push_str("BEGIN:VEVENT\r\n");
        for line in e.lines().map(str::trim).filter(|l| !l.is_empty()) {
            out.push_str(line);
            out.push_str("\r\n");
        }
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

fn parse(text: &str) -> Calendar {
    Calendar::parse(text.as_bytes()).expect("calendar parses")
}

/// What the driver does: expand a window around `now` and ask.
fn busy(calendar: &Calendar, now: &str) -> Option<Meeting> {
    let now = at(now);
    let expansion = calendar.expand(now - Duration::days(1), now + Duration::days(2));
    busy_now(&expansion.instances, now)
}

const STANDUP: &str = "
    UID:standup@example.com
    SUMMARY:Standup
    DTSTART:20260302T100000Z
    DTEND:20260302T110000Z
";

#[test]
fn a_meeting_now_is_busy_until_its_end() {
    let calendar = parse(&ics(&[STANDUP]));
    assert!(calendar.warnings.is_empty(), "{:?}", calendar.warnings);
    assert_eq!(
        busy(&calendar, "2026-03-02T10:30:00Z"),
        Some(Meeting {
            summary: "Standup".to_string(),
            until: at("2026-03-02T11:00:00Z"),
        })
    );
    // The start is inside, the end is not.
    assert!(busy(&calendar, "2026-03-02T10:00:00Z").is_some());
    assert!(busy(&calendar, "2026-03-02T11:00:00Z").is_none());
}

#[test]
fn a_meeting_that_ended_or_has_not_begun_is_not_busy() {
    let calendar = parse(&ics(&[STANDUP]));
    assert_eq!(busy(&calendar, "2026-03-02T11:30:00Z"), None);
    assert_eq!(busy(&calendar, "2026-03-02T09:59:59Z"), None);
}

#[test]
fn daily_recurrence_skips_its_exdate_today() {
    let calendar = parse(&ics(&["
        UID:daily@example.com
        SUMMARY:Daily sync
        DTSTART:20260201T090000Z
        DTEND:20260201T093000Z
        RRULE:FREQ=DAILY
        EXDATE:20260302T090000Z
    "]));
    assert_eq!(busy(&calendar, "2026-03-02T09:15:00Z"), None);
    assert_eq!(
        busy(&calendar, "2026-03-01T09:15:00Z").map(|m| m.summary),
        Some("Daily sync".to_string())
    );
    assert_eq!(
        busy(&calendar, "2026-03-03T09:15:00Z").map(|m| m.until),
        Some(at("2026-03-03T09:30:00Z"))
    );
}

#[test]
fn rdate_adds_an_occurrence() {
    let calendar = parse(&ics(&["
        UID:rdate@example.com
        SUMMARY:Review
        DTSTART:20260302T140000Z
        DTEND:20260302T150000Z
        RDATE:20260305T140000Z
    "]));
    assert!(busy(&calendar, "2026-03-02T14:30:00Z").is_some());
    assert!(busy(&calendar, "2026-03-04T14:30:00Z").is_none());
    assert!(busy(&calendar, "2026-03-05T14:30:00Z").is_some());
}

#[test]
fn weekly_meeting_in_another_time_zone_follows_its_daylight_saving() {
    // 10:00–11:00 New York time every Monday. US daylight saving starts on
    // 2026-03-08: 15:00 UTC before, 14:00 UTC after.
    let calendar = parse(&ics(&["
        UID:weekly@example.com
        SUMMARY:Weekly planning
        DTSTART;TZID=America/New_York:20260105T100000
        DTEND;TZID=America/New_York:20260105T110000
        RRULE:FREQ=WEEKLY;BYDAY=MO
    "]));
    assert!(calendar.warnings.is_empty(), "{:?}", calendar.warnings);
    assert_eq!(
        busy(&calendar, "2026-03-02T15:30:00Z").map(|m| m.until),
        Some(at("2026-03-02T16:00:00Z"))
    );
    assert_eq!(busy(&calendar, "2026-03-02T14:30:00Z"), None);
    assert_eq!(
        busy(&calendar, "2026-03-09T14:30:00Z").map(|m| m.until),
        Some(at("2026-03-09T15:00:00Z"))
    );
    assert_eq!(busy(&calendar, "2026-03-09T15:30:00Z"), None);
    // Not on a Tuesday.
    assert_eq!(busy(&calendar, "2026-03-10T14:30:00Z"), None);
}

#[test]
fn a_cancelled_meeting_is_not_busy() {
    let calendar = parse(&ics(&["
        UID:cancelled@example.com
        SUMMARY:Cancelled
        STATUS:CANCELLED
        DTSTART:20260302T100000Z
        DTEND:20260302T110000Z
    "]));
    assert_eq!(busy(&calendar, "2026-03-02T10:30:00Z"), None);
    assert_eq!(calendar.series_count(), 0);
}

#[test]
fn a_tentative_meeting_is_busy() {
    let calendar = parse(&ics(&["
        UID:tentative@example.com
        SUMMARY:Maybe
        STATUS:TENTATIVE
        DTSTART:20260302T100000Z
        DTEND:20260302T110000Z
    "]));
    assert!(busy(&calendar, "2026-03-02T10:30:00Z").is_some());
}

#[test]
fn a_transparent_event_is_not_busy() {
    let calendar = parse(&ics(&["
        UID:free@example.com
        SUMMARY:Focus time (free)
        TRANSP:TRANSPARENT
        DTSTART:20260302T100000Z
        DTEND:20260302T110000Z
    "]));
    assert_eq!(busy(&calendar, "2026-03-02T10:30:00Z"), None);
}

#[test]
fn an_all_day_event_is_not_a_meeting() {
    let calendar = parse(&ics(&["
        UID:holiday@example.com
        SUMMARY:Public holiday
        DTSTART;VALUE=DATE:20260302
        DTEND;VALUE=DATE:20260303
    "]));
    assert!(calendar.warnings.is_empty(), "{:?}", calendar.warnings);
    assert_eq!(calendar.series_count(), 0);
    assert_eq!(busy(&calendar, "2026-03-02T10:30:00Z"), None);
}

#[test]
fn a_moved_occurrence_replaces_its_series_instance() {
    let calendar = parse(&ics(&[
        "
        UID:moved@example.com
        SUMMARY:Daily
        DTSTART:20260301T090000Z
        DTEND:20260301T093000Z
        RRULE:FREQ=DAILY;COUNT=10
        ",
        "
        UID:moved@example.com
        RECURRENCE-ID:20260302T090000Z
        SUMMARY:Daily (moved)
        DTSTART:20260302T130000Z
        DTEND:20260302T133000Z
        ",
        "
        UID:moved@example.com
        RECURRENCE-ID:20260303T090000Z
        SUMMARY:Daily
        STATUS:CANCELLED
        DTSTART:20260303T090000Z
        DTEND:20260303T093000Z
        ",
    ]));
    assert_eq!(busy(&calendar, "2026-03-02T09:15:00Z"), None);
    assert_eq!(
        busy(&calendar, "2026-03-02T13:15:00Z").map(|m| m.summary),
        Some("Daily (moved)".to_string())
    );
    assert_eq!(busy(&calendar, "2026-03-03T09:15:00Z"), None);
    assert!(busy(&calendar, "2026-03-04T09:15:00Z").is_some());
}

#[test]
fn duration_gives_the_length_when_there_is_no_dtend() {
    let calendar = parse(&ics(&["
        UID:duration@example.com
        SUMMARY:Call
        DTSTART:20260302T100000Z
        DURATION:PT1H30M
    "]));
    assert_eq!(
        busy(&calendar, "2026-03-02T11:00:00Z").map(|m| m.until),
        Some(at("2026-03-02T11:30:00Z"))
    );
}

#[test]
fn an_event_without_length_is_not_a_meeting() {
    let calendar = parse(&ics(&["
        UID:reminder@example.com
        SUMMARY:Reminder
        DTSTART:20260302T100000Z
    "]));
    assert_eq!(busy(&calendar, "2026-03-02T10:00:00Z"), None);
}

#[test]
fn overlapping_and_back_to_back_meetings_make_one_busy_stretch() {
    let calendar = parse(&ics(&[
        "
        UID:a@example.com
        SUMMARY:A
        DTSTART:20260302T100000Z
        DTEND:20260302T110000Z
        ",
        "
        UID:b@example.com
        SUMMARY:B
        DTSTART:20260302T103000Z
        DTEND:20260302T120000Z
        ",
        "
        UID:c@example.com
        SUMMARY:C
        DTSTART:20260302T120000Z
        DTEND:20260302T123000Z
        ",
    ]));
    assert_eq!(
        busy(&calendar, "2026-03-02T10:15:00Z"),
        Some(Meeting {
            summary: "A".to_string(),
            until: at("2026-03-02T12:30:00Z"),
        })
    );
    assert_eq!(
        busy(&calendar, "2026-03-02T10:45:00Z").map(|m| m.summary),
        Some("B".to_string())
    );
}

#[test]
fn next_change_is_the_next_start_or_end() {
    let calendar = parse(&ics(&[STANDUP]));
    let now = at("2026-03-02T08:00:00Z");
    let instances = calendar
        .expand(now - Duration::days(1), now + Duration::days(2))
        .instances;
    assert_eq!(
        next_change(&instances, now),
        Some(at("2026-03-02T10:00:00Z"))
    );
    assert_eq!(
        next_change(&instances, at("2026-03-02T10:00:00Z")),
        Some(at("2026-03-02T11:00:00Z"))
    );
    assert_eq!(next_change(&instances, at("2026-03-02T11:00:00Z")), None);
}

#[test]
fn an_unknown_time_zone_skips_only_that_event() {
    let calendar = parse(&ics(&[
        "
        UID:windows@example.com
        SUMMARY:Outlook meeting
        DTSTART;TZID=Not/AZone:20260302T100000
        DTEND;TZID=Not/AZone:20260302T110000
        ",
        STANDUP,
    ]));
    assert_eq!(calendar.warnings.len(), 1, "{:?}", calendar.warnings);
    assert!(calendar.warnings[0].contains("Outlook meeting"));
    assert!(busy(&calendar, "2026-03-02T10:30:00Z").is_some());
}

#[test]
fn a_bad_rrule_skips_only_that_event() {
    let calendar = parse(&ics(&[
        "
        UID:bad@example.com
        SUMMARY:Broken
        DTSTART:20260302T100000Z
        DTEND:20260302T110000Z
        RRULE:FREQ=SOMETIMES
        ",
        STANDUP,
    ]));
    assert_eq!(calendar.warnings.len(), 1, "{:?}", calendar.warnings);
    assert!(busy(&calendar, "2026-03-02T10:30:00Z").is_some());
}

#[test]
fn folded_lines_and_bare_newlines_are_read() {
    let text = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:f@example.com\n\
                SUMMARY:A very long\n  meeting title\nDTSTART:20260302T100000Z\n\
                DTEND:20260302T110000Z\nEND:VEVENT\nEND:VCALENDAR\n";
    let calendar = parse(text);
    assert_eq!(
        busy(&calendar, "2026-03-02T10:30:00Z").map(|m| m.summary),
        Some("A very long meeting title".to_string())
    );
}

#[test]
fn garbage_is_a_clear_error() {
    assert_eq!(
        Calendar::parse(b"hello, this is not a calendar").unwrap_err(),
        CalendarError::NotACalendar
    );
    assert_eq!(
        Calendar::parse(b"").unwrap_err(),
        CalendarError::NotACalendar
    );
    assert_eq!(
        Calendar::parse(&[0xff, 0xfe, 0x00, 0x42]).unwrap_err(),
        CalendarError::NotText
    );
    let html = b"<html><body>BEGIN:VCALENDAR</body></html>";
    assert_eq!(
        Calendar::parse(html).unwrap_err(),
        CalendarError::NotACalendar
    );
    let unclosed = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n";
    assert_eq!(
        Calendar::parse(unclosed).unwrap_err().to_string(),
        "the calendar could not be parsed: at line 2, in component"
    );
}

#[test]
fn a_broken_calendar_never_panics() {
    let samples: &[&str] = &[
        "BEGIN:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n",
        "BEGIN:VCALENDAR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026\r\nDTEND:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;TZID=:20260302T100000\r\nDURATION:PXYZ\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n;;;:::\r\n\u{e9}\u{1f600}:\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260302T100000Z\r\nDTEND:20260302T110000Z\r\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260302T100000Z\r\nDTEND:20260302T110000Z\r\nRRULE:FREQ=DAILY;INTERVAL=0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ];
    for sample in samples {
        if let Ok(calendar) = Calendar::parse(sample.as_bytes()) {
            let _ = busy(&calendar, "2026-03-02T10:30:00Z");
        }
    }
}

#[test]
fn a_huge_file_is_refused_before_parsing() {
    let mut text = ics(&[STANDUP]).into_bytes();
    text.resize(MAX_CALENDAR_BYTES + 1, b'\n');
    assert_eq!(Calendar::parse(&text).unwrap_err(), CalendarError::TooLarge);
}

#[test]
fn deep_nesting_is_refused_before_parsing() {
    let mut text = String::from("BEGIN:VCALENDAR\r\n");
    for _ in 0..100_000 {
        text.push_str("BEGIN:X\r\n");
    }
    assert_eq!(
        Calendar::parse(text.as_bytes()).unwrap_err(),
        CalendarError::TooDeep
    );
}

#[test]
fn a_runaway_recurrence_stops_at_the_cap() {
    // A minutely rule from 1990 has millions of occurrences before now.
    let calendar = parse(&ics(&[
        "
        UID:runaway@example.com
        SUMMARY:Runaway
        DTSTART:19900101T000000Z
        DURATION:PT1M
        RRULE:FREQ=MINUTELY
        ",
        STANDUP,
    ]));
    let now = at("2026-03-02T10:30:00Z");
    let started = std::time::Instant::now();
    let expansion = calendar.expand(now - Duration::days(1), now + Duration::days(2));
    assert!(expansion.truncated);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // The standup is still seen.
    assert!(busy_now(&expansion.instances, now).is_some());
}

#[test]
fn many_instances_in_the_window_are_capped() {
    // Every minute for three days: 4,320 a series, three series.
    let event = "
        SUMMARY:Pings
        DTSTART:20260301T000000Z
        DURATION:PT1M
        RRULE:FREQ=MINUTELY
    ";
    let events = [
        format!("UID:p1@example.com\n{event}"),
        format!("UID:p2@example.com\n{event}"),
        format!("UID:p3@example.com\n{event}"),
    ];
    let events: Vec<&str> = events.iter().map(String::as_str).collect();
    let calendar = parse(&ics(&events));
    let now = at("2026-03-02T10:30:00Z");
    let expansion = calendar.expand(now - Duration::days(1), now + Duration::days(2));
    assert!(expansion.truncated);
    assert!(expansion.instances.len() <= MAX_INSTANCES);
}

#[test]
fn durations_follow_rfc_5545() {
    assert_eq!(parse_duration("PT1H"), Some(Duration::hours(1)));
    assert_eq!(parse_duration("P1W"), Some(Duration::weeks(1)));
    assert_eq!(parse_duration("P1DT2H"), Some(Duration::hours(26)));
    assert_eq!(parse_duration("-PT15M"), Some(Duration::minutes(-15)));
    assert_eq!(parse_duration("soon"), None);
}

#[test]
fn a_large_calendar_parses_in_reasonable_time() {
    // 30,000 one-off meetings, about 7 MiB.
    let mut events = Vec::new();
    for n in 0..30_000 {
        events.push(format!(
            "UID:bulk{n}@example.com\nSUMMARY:Meeting number {n} with a longer title to pad it out\n\
             DESCRIPTION:{}\nDTSTART:20200101T100000Z\nDTEND:20200101T110000Z",
            "x".repeat(60)
        ));
    }
    let events: Vec<&str> = events.iter().map(String::as_str).collect();
    let text = ics(&events);
    assert!(text.len() < MAX_CALENDAR_BYTES, "{}", text.len());
    let started = std::time::Instant::now();
    let calendar = parse(&text);
    eprintln!("{} bytes parsed in {:?}", text.len(), started.elapsed());
    assert_eq!(calendar.series_count(), 30_000);
    assert_eq!(busy(&calendar, "2026-03-02T10:30:00Z"), None);
}

#[test]
fn a_google_style_series_with_until_and_zoned_exdate() {
    // As Google Calendar exports it: zoned start, UTC UNTIL, zoned EXDATE,
    // and a VTIMEZONE block.
    let text =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n\
        BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n\
        TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
        BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin:20260202T090000\r\n\
        DTEND;TZID=Europe/Berlin:20260202T091500\r\n\
        RRULE:FREQ=WEEKLY;WKST=MO;UNTIL=20260330T065959Z;BYDAY=MO,WE\r\n\
        EXDATE;TZID=Europe/Berlin:20260304T090000\r\nUID:g@google.com\r\n\
        SUMMARY:Team sync\r\nTRANSP:OPAQUE\r\nSTATUS:CONFIRMED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let calendar = parse(text);
    assert!(calendar.warnings.is_empty(), "{:?}", calendar.warnings);
    // Monday 2026-03-02 09:05 Berlin (CET, UTC+1) is 08:05 UTC.
    assert!(busy(&calendar, "2026-03-02T08:05:00Z").is_some());
    // Wednesday 2026-03-04 is excluded.
    assert!(busy(&calendar, "2026-03-04T08:05:00Z").is_none());
    // After daylight saving (CEST, UTC+2) on Monday 2026-03-30 it would be
    // 07:05 UTC, but UNTIL ended the series that morning.
    assert!(busy(&calendar, "2026-03-30T07:05:00Z").is_none());
    assert!(busy(&calendar, "2026-03-25T08:05:00Z").is_some());
}
