//! Automatic device presence (SPEC P5): away after N idle minutes, "in a
//! meeting" from an iCalendar calendar.
//!
//! [`spawn`] starts the driver task: it polls the desktop idle time every
//! [`IDLE_POLL`] (only when `idle_minutes` is set), reads the calendar (a
//! file when it changed, checked every [`FILE_CHECK`]; a URL every
//! [`URL_RELOAD`]), wakes at each meeting start and end, and sends an
//! [`AutomaticState`] only when it changed. The decisions are in
//! [`state::Automation`] (sans-IO); blocking work (X11 requests, file reads,
//! parsing) runs on tokio's blocking pool. Problems are logged, each once
//! until it changes: idle detection that cannot work here is turned off; a
//! calendar that cannot be read keeps the last one that could.
//!
//! The engine puts [`AutomaticSettings`] in the config file as an
//! `[automatic]` table and feeds the state into
//! `crate::presence::status::Automatic` (`idle`, `in_meeting_from_calendar`);
//! the manual status wins there.

pub mod calendar;
pub mod idle;
pub mod source;
pub mod state;

use std::time::{Duration, SystemTime};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{interval, sleep, MissedTickBehavior};

use calendar::Calendar;
use idle::{IdleError, IdleProbe};
use source::{CalendarSource, SourceError};
pub use state::AutomaticState;
use state::Automation;

/// How often the idle time is read.
pub const IDLE_POLL: Duration = Duration::from_secs(5);
/// How often a calendar file's modification time is checked.
pub const FILE_CHECK: Duration = Duration::from_secs(2);
/// How often a calendar URL is downloaded.
pub const URL_RELOAD: Duration = Duration::from_secs(5 * 60);
/// Longest sleep between calendar evaluations (clock jumps, suspend).
const MAX_CALENDAR_SLEEP: Duration = Duration::from_secs(60);

/// The `[automatic]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AutomaticSettings {
    /// Away after this many minutes without input; none: never.
    pub idle_minutes: Option<u32>,
    /// A `.ics` path, or an http(s)/webcal URL (credentials as
    /// `https://user:password@host/…`).
    pub calendar: Option<String>,
}

/// Starts the driver; it ends when `on_change`'s receiver is dropped.
pub fn spawn(
    settings: AutomaticSettings,
    on_change: mpsc::UnboundedSender<AutomaticState>,
) -> JoinHandle<()> {
    tokio::spawn(run(settings, on_change))
}

/// The calendar side's IO state.
struct CalendarFeed {
    source: CalendarSource,
    stamp: Option<(SystemTime, u64)>,
    loaded: bool,
    client: Option<reqwest::Client>,
    last_error: Option<String>,
}

async fn run(settings: AutomaticSettings, on_change: mpsc::UnboundedSender<AutomaticState>) {
    let mut automation = Automation::new(settings.idle_minutes.filter(|m| *m > 0));
    let mut probe: Option<IdleProbe> = None;
    let mut idle_error: Option<String> = None;
    let mut feed = settings
        .calendar
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .and_then(|c| match CalendarSource::parse(c) {
            Ok(source) => Some(CalendarFeed {
                source,
                stamp: None,
                loaded: false,
                client: None,
                last_error: None,
            }),
            Err(e) => {
                tracing::warn!("automatic presence: {e}; the calendar is not used");
                None
            }
        });

    let mut idle_timer = interval(IDLE_POLL);
    idle_timer.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let reload_every = match feed.as_ref().map(|f| &f.source) {
        Some(CalendarSource::Url { .. }) => URL_RELOAD,
        _ => FILE_CHECK,
    };
    let mut reload_timer = interval(reload_every);
    reload_timer.set_missed_tick_behavior(MissedTickBehavior::Delay);

    loop {
        let calendar_sleep = automation
            .next_calendar_check(Utc::now())
            // A time already past (negative) is due now.
            .map(|at| (at - Utc::now()).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(MAX_CALENDAR_SLEEP)
            .min(MAX_CALENDAR_SLEEP);
        let change = tokio::select! {
            _ = on_change.closed() => return,
            _ = idle_timer.tick(), if automation.wants_idle() => {
                let (back, reading) = read_idle(probe.take()).await;
                probe = back;
                match reading {
                    Ok(idle_for) => {
                        idle_error = None;
                        automation.on_idle(idle_for)
                    }
                    Err(IdleError::Unavailable(why)) => {
                        tracing::warn!("automatic presence: idle detection is unavailable on this desktop ({why}); away-when-idle is off");
                        automation.idle_unavailable()
                    }
                    Err(e) => {
                        let text = e.to_string();
                        if idle_error.as_deref() != Some(text.as_str()) {
                            tracing::warn!("automatic presence: {text}");
                            idle_error = Some(text);
                        }
                        None
                    }
                }
            }
            _ = reload_timer.tick(), if feed.is_some() => match feed.as_mut() {
                Some(feed) => match reload(feed).await {
                    Some(calendar) => automation.on_calendar(Some(calendar), Utc::now()),
                    None => None,
                },
                None => None,
            },
            _ = sleep(calendar_sleep) => automation.on_tick(Utc::now()),
        };
        if let Some(state) = change {
            if on_change.send(state).is_err() {
                return;
            }
        }
    }
}

/// One idle reading, opening the probe when needed; gives the probe back
/// unless the connection failed.
async fn read_idle(probe: Option<IdleProbe>) -> (Option<IdleProbe>, Result<Duration, IdleError>) {
    let joined = tokio::task::spawn_blocking(move || {
        let probe = match probe {
            Some(p) => p,
            None => match IdleProbe::open() {
                Ok(p) => p,
                Err(e) => return (None, Err(e)),
            },
        };
        match probe.idle_time() {
            Ok(idle) => (Some(probe), Ok(idle)),
            Err(e) => (None, Err(e)),
        }
    })
    .await;
    joined.unwrap_or_else(|e| (None, Err(IdleError::X11(e.to_string()))))
}

/// Reads and parses the calendar if it is due; `None` when unchanged or
/// unreadable (the error is logged once).
async fn reload(feed: &mut CalendarFeed) -> Option<Calendar> {
    let result = load(feed).await;
    match result {
        Ok(Some(calendar)) => {
            feed.loaded = true;
            feed.last_error = None;
            for warning in &calendar.warnings {
                tracing::warn!("calendar {}: {warning}", feed.source.describe());
            }
            Some(calendar)
        }
        Ok(None) => None,
        Err(text) => {
            if feed.last_error.as_deref() != Some(text.as_str()) {
                tracing::warn!(
                    "automatic presence: calendar {}: {text}{}",
                    feed.source.describe(),
                    if feed.loaded {
                        "; keeping the last calendar read"
                    } else {
                        ""
                    }
                );
                feed.last_error = Some(text);
            }
            None
        }
    }
}

async fn load(feed: &mut CalendarFeed) -> Result<Option<Calendar>, String> {
    let bytes = match &feed.source {
        CalendarSource::File(path) => {
            let path = path.clone();
            let stamp = tokio::task::spawn_blocking({
                let path = path.clone();
                move || source::file_stamp(&path)
            })
            .await
            .ok()
            .flatten();
            if stamp.is_some() && stamp == feed.stamp {
                return Ok(None);
            }
            let bytes = tokio::task::spawn_blocking(move || source::read_file(&path))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string());
            // A read marks this version as seen (parsed or not); a failed
            // read is tried again.
            if bytes.is_ok() {
                feed.stamp = stamp;
            }
            bytes?
        }
        CalendarSource::Url {
            url,
            user,
            password,
        } => {
            if feed.client.is_none() {
                feed.client = Some(source::http_client().map_err(|e| e.to_string())?);
            }
            let client = feed.client.as_ref().ok_or_else(|| {
                SourceError::Unreachable("no HTTP client".to_string()).to_string()
            })?;
            source::fetch(client, url, user.as_deref(), password.as_deref())
                .await
                .map_err(|e| e.to_string())?
        }
    };
    tokio::task::spawn_blocking(move || Calendar::parse(&bytes))
        .await
        .map_err(|e| e.to_string())?
        .map(Some)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
#[path = "driver_tests.rs"]
mod tests;
