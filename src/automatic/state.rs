//! The sans-IO heart of the automatic-presence driver: fed idle readings,
//! calendars and clock ticks, it keeps [`AutomaticState`] and says when it
//! changed and when the calendar must be looked at again.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::calendar::{busy_now, next_change, Calendar, Instance};
use super::idle::IdleTracker;

/// How far back the expansion window reaches (covers a meeting going on).
const WINDOW_BEFORE: chrono::Duration = chrono::Duration::days(1);
/// How far ahead the expansion window reaches.
const WINDOW_AFTER: chrono::Duration = chrono::Duration::days(2);
/// Re-expand once less than this is left ahead.
const WINDOW_MARGIN: chrono::Duration = chrono::Duration::days(1);

/// What Hark detected by itself; sent to the engine on every change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AutomaticState {
    /// No input for the configured idle minutes.
    pub idle: bool,
    /// The SUMMARY of the calendar meeting going on now ("" when it has
    /// none); `None` when there is no meeting.
    pub in_meeting: Option<String>,
}

/// Automatic state from idle readings and a calendar.
#[derive(Debug, Clone, Default)]
pub struct Automation {
    idle: Option<IdleTracker>,
    calendar: Option<Calendar>,
    window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    instances: Vec<Instance>,
    state: AutomaticState,
}

impl Automation {
    /// Idle detection after `idle_minutes` (none: never idle).
    pub fn new(idle_minutes: Option<u32>) -> Automation {
        Automation {
            idle: idle_minutes.map(IdleTracker::from_minutes),
            ..Automation::default()
        }
    }

    pub fn state(&self) -> &AutomaticState {
        &self.state
    }

    /// Whether idle readings are wanted.
    pub fn wants_idle(&self) -> bool {
        self.idle.is_some()
    }

    /// One idle reading; the new state when it changed.
    pub fn on_idle(&mut self, idle_for: Duration) -> Option<AutomaticState> {
        let idle = match &mut self.idle {
            Some(tracker) => {
                tracker.update(idle_for);
                tracker.is_idle()
            }
            None => false,
        };
        self.set(AutomaticState {
            idle,
            ..self.state.clone()
        })
    }

    /// Idle detection cannot work here: stop asking, and never be idle.
    pub fn idle_unavailable(&mut self) -> Option<AutomaticState> {
        self.idle = None;
        self.set(AutomaticState {
            idle: false,
            ..self.state.clone()
        })
    }

    /// A newly read calendar (`None`: no calendar any more).
    pub fn on_calendar(
        &mut self,
        calendar: Option<Calendar>,
        now: DateTime<Utc>,
    ) -> Option<AutomaticState> {
        self.calendar = calendar;
        self.window = None;
        self.on_tick(now)
    }

    /// The clock moved on; the new state when it changed.
    pub fn on_tick(&mut self, now: DateTime<Utc>) -> Option<AutomaticState> {
        self.expand_if_needed(now);
        let in_meeting = busy_now(&self.instances, now).map(|m| m.summary);
        self.set(AutomaticState {
            in_meeting,
            ..self.state.clone()
        })
    }

    /// When [`Automation::on_tick`] must run next for the calendar: the next
    /// meeting start or end, or the window's refresh; `None` without one.
    pub fn next_calendar_check(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let (_, end) = self.window?;
        let refresh = end - WINDOW_MARGIN;
        Some(match next_change(&self.instances, now) {
            Some(change) if change < refresh => change,
            _ => refresh.max(now),
        })
    }

    fn expand_if_needed(&mut self, now: DateTime<Utc>) {
        let Some(calendar) = &self.calendar else {
            self.instances.clear();
            self.window = None;
            return;
        };
        let fresh = self
            .window
            .is_some_and(|(start, end)| start <= now && now < end - WINDOW_MARGIN);
        if !fresh {
            let (start, end) = (now - WINDOW_BEFORE, now + WINDOW_AFTER);
            let expansion = calendar.expand(start, end);
            if expansion.truncated {
                tracing::warn!("the calendar has too many meetings to expand; some are left out");
            }
            self.instances = expansion.instances;
            self.window = Some((start, end));
        }
    }

    fn set(&mut self, state: AutomaticState) -> Option<AutomaticState> {
        if state == self.state {
            None
        } else {
            self.state = state.clone();
            Some(state)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn calendar() -> Calendar {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Standup\r\n\
                    DTSTART:20260302T100000Z\r\nDTEND:20260302T103000Z\r\n\
                    RRULE:FREQ=DAILY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        Calendar::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn idle_changes_are_reported_once() {
        let mut a = Automation::new(Some(5));
        assert!(a.wants_idle());
        assert_eq!(a.on_idle(Duration::from_secs(10)), None);
        let idle = a.on_idle(Duration::from_secs(300)).unwrap();
        assert!(idle.idle);
        assert_eq!(a.on_idle(Duration::from_secs(305)), None);
        assert_eq!(
            a.on_idle(Duration::from_secs(1)).map(|s| s.idle),
            Some(false)
        );
    }

    #[test]
    fn without_an_idle_threshold_it_is_never_idle() {
        let mut a = Automation::new(None);
        assert!(!a.wants_idle());
        assert_eq!(a.on_idle(Duration::from_secs(100_000)), None);
    }

    #[test]
    fn unavailable_idle_detection_clears_idle() {
        let mut a = Automation::new(Some(1));
        a.on_idle(Duration::from_secs(120));
        assert!(a.state().idle);
        assert_eq!(a.idle_unavailable().map(|s| s.idle), Some(false));
        assert!(!a.wants_idle());
    }

    #[test]
    fn meetings_start_and_end_with_the_clock() {
        let mut a = Automation::new(None);
        assert_eq!(
            a.on_calendar(Some(calendar()), at("2026-03-02T09:00:00Z")),
            None
        );
        let next = a.next_calendar_check(at("2026-03-02T09:00:00Z")).unwrap();
        assert_eq!(next, at("2026-03-02T10:00:00Z"));
        let state = a.on_tick(next).unwrap();
        assert_eq!(state.in_meeting.as_deref(), Some("Standup"));
        assert_eq!(
            a.next_calendar_check(next),
            Some(at("2026-03-02T10:30:00Z"))
        );
        assert_eq!(
            a.on_tick(at("2026-03-02T10:30:00Z")).map(|s| s.in_meeting),
            Some(None)
        );
    }

    #[test]
    fn the_window_moves_with_the_days() {
        let mut a = Automation::new(None);
        a.on_calendar(Some(calendar()), at("2026-03-02T11:00:00Z"));
        // A week later the daily meeting is still found.
        let state = a.on_tick(at("2026-03-09T10:10:00Z")).unwrap();
        assert_eq!(state.in_meeting.as_deref(), Some("Standup"));
    }

    #[test]
    fn removing_the_calendar_ends_the_meeting() {
        let mut a = Automation::new(None);
        a.on_calendar(Some(calendar()), at("2026-03-02T10:10:00Z"));
        assert!(a.state().in_meeting.is_some());
        assert_eq!(
            a.on_calendar(None, at("2026-03-02T10:11:00Z")),
            Some(AutomaticState::default())
        );
        assert_eq!(a.next_calendar_check(at("2026-03-02T10:11:00Z")), None);
    }

    #[test]
    fn idle_and_meeting_are_independent() {
        let mut a = Automation::new(Some(1));
        a.on_calendar(Some(calendar()), at("2026-03-02T10:10:00Z"));
        let state = a.on_idle(Duration::from_secs(61)).unwrap();
        assert_eq!(
            state,
            AutomaticState {
                idle: true,
                in_meeting: Some("Standup".to_string()),
            }
        );
    }
}
