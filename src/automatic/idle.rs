//! Desktop input idle time (SPEC P5: away after N idle minutes).
//!
//! [`IdleProbe`] asks the X server's MIT-SCREEN-SAVER extension how long
//! ago the last keyboard or pointer input was (x11rb, pure Rust: no libX11
//! or libXss). Its calls block on the X connection: run them off the UI
//! thread. [`IdleTracker`] is the sans-IO part: fed idle durations, it says
//! when the user becomes idle and when they are back.
//!
//! On a Wayland session the X idle counter (through XWayland) only sees
//! input to X clients, so it would call a busy user idle: there the probe
//! answers [`IdleError::Unavailable`] instead. Wayland's own
//! `ext-idle-notify-v1` is not implemented yet.

use std::time::Duration;

use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::screensaver::{self, ConnectionExt as _};
use x11rb::rust_connection::RustConnection;

/// Why no idle time can be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdleError {
    /// This desktop offers no idle counter Hark can read; detection is off.
    #[error("idle detection is unavailable on this desktop: {0}")]
    Unavailable(String),
    /// The X server went away or refused a request; a later try may work.
    #[error("the X server could not be asked for the idle time: {0}")]
    X11(String),
}

/// An open X connection that answers idle-time questions.
pub struct IdleProbe {
    conn: RustConnection,
    root: u32,
}

impl std::fmt::Debug for IdleProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdleProbe")
            .field("root", &self.root)
            .finish()
    }
}

impl IdleProbe {
    /// Opens the desktop's idle counter, as found from the environment
    /// (`XDG_SESSION_TYPE`, `WAYLAND_DISPLAY`, `DISPLAY`). Blocks.
    pub fn open() -> Result<IdleProbe, IdleError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let session = var("XDG_SESSION_TYPE").unwrap_or_default();
        if session.eq_ignore_ascii_case("wayland")
            || (var("WAYLAND_DISPLAY").is_some() && var("DISPLAY").is_none())
        {
            return Err(IdleError::Unavailable(
                "Wayland sessions are not supported yet".to_string(),
            ));
        }
        match var("DISPLAY") {
            Some(display) => IdleProbe::open_x11(&display),
            None => Err(IdleError::Unavailable("no X display (DISPLAY)".to_string())),
        }
    }

    /// Opens the idle counter of the X server `display` (":0"). Blocks.
    pub fn open_x11(display: &str) -> Result<IdleProbe, IdleError> {
        let (conn, screen) = x11rb::connect(Some(display)).map_err(|e| {
            IdleError::Unavailable(format!("cannot connect to X display {display}: {e}"))
        })?;
        let present = conn
            .extension_information(screensaver::X11_EXTENSION_NAME)
            .map_err(|e| IdleError::X11(e.to_string()))?
            .is_some();
        if !present {
            return Err(IdleError::Unavailable(
                "the X server has no MIT-SCREEN-SAVER extension".to_string(),
            ));
        }
        let root = conn
            .setup()
            .roots
            .get(screen)
            .or_else(|| conn.setup().roots.first())
            .map(|s| s.root)
            .ok_or_else(|| IdleError::X11("the X server has no screen".to_string()))?;
        Ok(IdleProbe { conn, root })
    }

    /// Time since the last keyboard or pointer input. Blocks.
    pub fn idle_time(&self) -> Result<Duration, IdleError> {
        let reply = self
            .conn
            .screensaver_query_info(self.root)
            .map_err(|e| IdleError::X11(e.to_string()))?
            .reply()
            .map_err(|e| IdleError::X11(e.to_string()))?;
        Ok(Duration::from_millis(u64::from(reply.ms_since_user_input)))
    }
}

/// Time since the last input on this desktop, with a fresh connection.
/// Blocks: call it off the UI thread.
pub fn idle_time() -> Result<Duration, IdleError> {
    IdleProbe::open()?.idle_time()
}

/// Decides idle / active from idle-time readings.
///
/// Idle once the idle time reaches the threshold; active again as soon as
/// input resumes (the idle counter is below the threshold, or went back
/// since the last reading), without waiting for another threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdleTracker {
    threshold: Duration,
    idle: bool,
    last: Option<Duration>,
}

impl IdleTracker {
    pub fn new(threshold: Duration) -> IdleTracker {
        IdleTracker {
            threshold,
            idle: false,
            last: None,
        }
    }

    /// A tracker for `minutes` idle minutes (0 is taken as 1).
    pub fn from_minutes(minutes: u32) -> IdleTracker {
        IdleTracker::new(Duration::from_secs(u64::from(minutes.max(1)) * 60))
    }

    pub fn threshold(&self) -> Duration {
        self.threshold
    }

    pub fn is_idle(&self) -> bool {
        self.idle
    }

    /// Feeds one reading; answers the new state when it changed.
    pub fn update(&mut self, idle_for: Duration) -> Option<bool> {
        let input_resumed = self.last.is_some_and(|last| idle_for < last);
        self.last = Some(idle_for);
        let idle = if self.idle {
            !input_resumed && idle_for >= self.threshold
        } else {
            idle_for >= self.threshold
        };
        if idle == self.idle {
            None
        } else {
            self.idle = idle;
            Some(idle)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn becomes_idle_at_the_threshold_and_reports_it_once() {
        let mut t = IdleTracker::new(secs(300));
        assert_eq!(t.update(secs(0)), None);
        assert_eq!(t.update(secs(299)), None);
        assert!(!t.is_idle());
        assert_eq!(t.update(secs(300)), Some(true));
        assert_eq!(t.update(secs(305)), None);
        assert_eq!(t.update(secs(3600)), None);
        assert!(t.is_idle());
    }

    #[test]
    fn is_active_again_as_soon_as_input_resumes() {
        let mut t = IdleTracker::new(secs(300));
        t.update(secs(400));
        assert!(t.is_idle());
        // Input 2 s ago: back at once.
        assert_eq!(t.update(secs(2)), Some(false));
        assert_eq!(t.update(secs(7)), None);
        // And idle again only after a whole threshold.
        assert_eq!(t.update(secs(299)), None);
        assert_eq!(t.update(secs(301)), Some(true));
    }

    #[test]
    fn a_counter_that_went_back_means_input_even_above_the_threshold() {
        // Between two polls the user touched the mouse, then left again
        // for longer than the threshold (a slow poll, or a suspend).
        let mut t = IdleTracker::new(secs(60));
        t.update(secs(600));
        assert_eq!(t.update(secs(90)), Some(false));
        assert_eq!(t.update(secs(95)), Some(true));
    }

    #[test]
    fn minutes_are_converted_and_zero_is_one_minute() {
        assert_eq!(IdleTracker::from_minutes(5).threshold(), secs(300));
        assert_eq!(IdleTracker::from_minutes(0).threshold(), secs(60));
    }

    #[test]
    fn a_display_that_does_not_exist_is_an_error_not_a_panic() {
        let err = IdleProbe::open_x11(":4093").unwrap_err();
        assert!(matches!(err, IdleError::Unavailable(_)), "{err}");
    }
}
