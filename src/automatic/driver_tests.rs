//! Tests for the driver: settings, and the task against a calendar file.

use super::*;

use chrono::Duration as Span;

#[test]
fn settings_read_from_an_automatic_table() {
    #[derive(Deserialize)]
    struct Config {
        automatic: AutomaticSettings,
    }
    let config: Config =
        toml::from_str("[automatic]\nidle_minutes = 10\ncalendar = \"~/work.ics\"\n").unwrap();
    assert_eq!(
        config.automatic,
        AutomaticSettings {
            idle_minutes: Some(10),
            calendar: Some("~/work.ics".to_string()),
        }
    );
    let empty: Config = toml::from_str("[automatic]\n").unwrap();
    assert_eq!(empty.automatic, AutomaticSettings::default());
}

#[test]
fn unknown_settings_are_refused() {
    let err = toml::from_str::<AutomaticSettings>("idle_minuts = 5\n").unwrap_err();
    assert!(err.to_string().contains("idle_minuts"), "{err}");
}

fn stamp(t: chrono::DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn calendar_with(
    summary: &str,
    start: chrono::DateTime<Utc>,
    end: chrono::DateTime<Utc>,
) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:t@example.com\r\nSUMMARY:{summary}\r\n\
         DTSTART:{}\r\nDTEND:{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        stamp(start),
        stamp(end)
    )
}

async fn next(rx: &mut mpsc::UnboundedReceiver<AutomaticState>) -> AutomaticState {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("a state change within 20 s")
        .expect("the driver is running")
}

#[tokio::test]
async fn a_calendar_file_drives_in_meeting_and_is_reread_when_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("work.ics");
    let now = Utc::now();
    std::fs::write(
        &path,
        calendar_with(
            "Design review",
            now - Span::minutes(5),
            now + Span::hours(1),
        ),
    )
    .unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let task = spawn(
        AutomaticSettings {
            idle_minutes: None,
            calendar: Some(path.display().to_string()),
        },
        tx,
    );
    assert_eq!(
        next(&mut rx).await,
        AutomaticState {
            idle: false,
            in_meeting: Some("Design review".to_string()),
        }
    );

    // The meeting is moved to tomorrow; a different length makes sure the
    // file's stamp changes even within one mtime tick.
    std::fs::write(
        &path,
        calendar_with(
            "Design review (moved)",
            now + Span::days(1),
            now + Span::days(1) + Span::hours(2),
        ),
    )
    .unwrap();
    assert_eq!(next(&mut rx).await, AutomaticState::default());

    // Garbage keeps the last calendar: no change is sent.
    std::fs::write(&path, "garbage").unwrap();
    let quiet = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await;
    assert!(quiet.is_err(), "{quiet:?}");

    drop(rx);
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("the driver ends when the receiver is dropped")
        .unwrap();
}

#[tokio::test]
async fn a_meeting_that_starts_later_is_picked_up_at_its_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("soon.ics");
    // Whole seconds: iCalendar has no fractions.
    let now = Utc::now();
    let start = now + Span::seconds(3);
    std::fs::write(
        &path,
        calendar_with("Soon", start, start + Span::seconds(2)),
    )
    .unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _task = spawn(
        AutomaticSettings {
            idle_minutes: None,
            calendar: Some(path.display().to_string()),
        },
        tx,
    );
    assert_eq!(next(&mut rx).await.in_meeting.as_deref(), Some("Soon"));
    assert_eq!(next(&mut rx).await.in_meeting, None);
}

#[tokio::test]
async fn bad_settings_do_not_crash_the_driver() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let task = spawn(
        AutomaticSettings {
            idle_minutes: None,
            calendar: Some("gopher://example.com/cal.ics".to_string()),
        },
        tx,
    );
    let quiet = tokio::time::timeout(Duration::from_secs(1), rx.recv()).await;
    assert!(quiet.is_err());
    drop(rx);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
}
