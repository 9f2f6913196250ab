//! The pretend engine's call history for `call_preview history`: a dozen
//! and a half calls over the last days (placed, received, missed, some
//! answered, some busy or declined), listed as the engine's store lists
//! them (kind, text, newest first, after a cursor), a page of at most
//! [`PAGE`] so that "Load older calls" shows, and marked seen on
//! `mark_calls_seen`.

use hark::engine::{CallDirection, Event};
use hark::store::calls::{CallCursor, CallEnd, CallFilter, CallKind, CallRecord};

/// The most calls one answer holds here (the real engine: up to 500).
const PAGE: usize = 12;
const MIN: i64 = 60_000;
const DAY: i64 = 24 * 60 * MIN;

/// A pretend call: the peer's user, the call's name, its kind, how long
/// ago, the seconds it was answered for, how it ended.
type Pretend = (
    &'static str,
    Option<&'static str>,
    CallKind,
    i64,
    Option<i64>,
    CallEnd,
);

pub struct History {
    calls: Vec<CallRecord>,
}

impl History {
    /// No calls (the other scenarios).
    pub fn empty() -> History {
        History { calls: Vec::new() }
    }

    /// The calls up to `now`, newest first.
    pub fn new(account: &str, now: i64) -> History {
        use CallEnd::*;
        use CallKind::*;
        let calls: [Pretend; 18] = [
            ("bob", None, Placed, 12 * MIN, Some(192), Hangup),
            (
                "dave",
                Some("Dave Dialer"),
                Missed,
                48 * MIN,
                None,
                Cancelled,
            ),
            ("maria", None, Received, 95 * MIN, Some(725), Hangup),
            ("sofia", None, Missed, 150 * MIN, None, NoAnswer),
            ("tom", None, Placed, DAY + 30 * MIN, None, Busy),
            (
                "+4930123456",
                None,
                Received,
                DAY + 70 * MIN,
                Some(45),
                Hangup,
            ),
            ("priya", None, Placed, DAY + 4 * 60 * MIN, None, NoAnswer),
            ("bob", None, Received, 2 * DAY, None, Declined),
            (
                "maria",
                None,
                Placed,
                2 * DAY + 3 * 60 * MIN,
                Some(1540),
                Hangup,
            ),
            (
                "support",
                Some("Vendor support"),
                Received,
                3 * DAY,
                None,
                Forwarded,
            ),
            ("sofia", None, Placed, 3 * DAY + 60 * MIN, Some(123), Hangup),
            ("tom", None, Missed, 4 * DAY, None, Dnd),
            ("priya", None, Received, 5 * DAY, Some(301), Hangup),
            ("bob", None, Placed, 6 * DAY, Some(65), Hangup),
            (
                "dave",
                Some("Dave Dialer"),
                Received,
                8 * DAY,
                Some(12),
                Hangup,
            ),
            ("maria", None, Missed, 9 * DAY, None, Cancelled),
            ("tom", None, Placed, 12 * DAY, Some(480), Hangup),
            ("sofia", None, Received, 15 * DAY, None, AnsweredElsewhere),
        ];
        let count = calls.len() as i64;
        let calls = calls
            .into_iter()
            .enumerate()
            .map(|(i, (user, name, kind, ago, talk, end))| {
                let started = now - ago;
                let answered = talk.map(|_| started + 6_000);
                let ended = match (answered, talk) {
                    (Some(at), Some(s)) => at + s * 1000,
                    _ => started + 25_000,
                };
                CallRecord {
                    id: count - i as i64,
                    account: account.into(),
                    call_id: format!("preview-history-{i}"),
                    peer: format!("sip:{user}@hark.test"),
                    peer_name: name.map(Into::into),
                    direction: match kind {
                        Placed => CallDirection::Outgoing,
                        _ => CallDirection::Incoming,
                    },
                    started,
                    answered,
                    ended: Some(ended),
                    end_reason: Some(end),
                    kind,
                    // The two missed today are new.
                    seen: ago > 3 * 60 * MIN,
                }
            })
            .collect();
        History { calls }
    }

    /// The answer to `call_history`.
    pub fn answer(
        &self,
        id: Option<serde_json::Value>,
        filter: &CallFilter,
        before: Option<CallCursor>,
        limit: Option<usize>,
    ) -> Event {
        let text = filter.text.as_deref().map(str::to_lowercase);
        let mut calls: Vec<CallRecord> = self
            .calls
            .iter()
            .filter(|c| filter.kind.is_none_or(|k| k == c.kind))
            .filter(|c| {
                text.as_deref().is_none_or(|t| {
                    c.peer.to_lowercase().contains(t)
                        || c.peer_name
                            .as_deref()
                            .is_some_and(|n| n.to_lowercase().contains(t))
                })
            })
            .filter(|c| before.is_none_or(|b| (c.started, c.id) < (b.started, b.id)))
            .cloned()
            .collect();
        let limit = limit.unwrap_or(50).min(PAGE);
        let more = calls.len() > limit;
        calls.truncate(limit);
        Event::CallHistory {
            id,
            calls,
            more,
            missed_unseen: self.missed_unseen(),
        }
    }

    fn missed_unseen(&self) -> u64 {
        self.calls
            .iter()
            .filter(|c| c.kind == CallKind::Missed && !c.seen)
            .count() as u64
    }

    /// `mark_calls_seen`.
    pub fn mark_seen(&mut self) {
        for call in &mut self.calls {
            call.seen = true;
        }
    }
}
