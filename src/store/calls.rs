//! Call history (C7): one row per call placed or received, written when the
//! call starts and completed as it is answered and ends, so the history
//! shows every call, newest first, filtered to placed, received or missed
//! calls and by who, with a counter of missed calls the user has not seen.
//! A call is known by its SIP Call-ID, so recording it twice (a
//! retransmitted or forked INVITE) keeps one row; calls a crash left open
//! are closed as [`CallEnd::Interrupted`] when the store opens.
//!
//! Missed, decided once here (the SQL condition `MISSED`): an incoming call that ended
//! without being answered here, unless the user dealt with it or someone
//! else did. So a call that rang out, that the caller gave up on, that we
//! answered busy or that Do-not-disturb turned away is missed (the caller
//! reached no one and may expect a call back); one the user declined or
//! forwarded from the pop-up, or that another device of the user answered
//! (a CANCEL with RFC 3326 `Reason: SIP;cause=200`), is not.

use rusqlite::{OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError};

/// Which way a call went: the engine's own [`CallDirection`]
/// (`crate::engine::CallDirection`), kept as `out` / `in`.
pub use crate::engine::CallDirection;

fn direction_sql(d: CallDirection) -> &'static str {
    match d {
        CallDirection::Outgoing => "out",
        CallDirection::Incoming => "in",
    }
}

/// How a call ended, kept as a short token ([`CallEnd::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallEnd {
    /// Answered, then one side hung up.
    Hangup,
    /// The callee was busy (486, 600), or we answered busy.
    Busy,
    /// Refused (603); for an incoming call, by the user: not missed.
    Declined,
    /// Nobody answered (408, 480, or it rang out).
    NoAnswer,
    /// Given up before an answer by the caller (CANCEL, 487).
    Cancelled,
    /// Any other failure (network, 488, 5xx, media).
    Failed,
    /// No such user (404, 604).
    NotFound,
    /// Sent elsewhere (302, or to voicemail by the user): not missed.
    Forwarded,
    /// Turned away by our Do-not-disturb: missed, so the user learns of it.
    Dnd,
    /// Another device of the user answered: not missed.
    AnsweredElsewhere,
    /// Hark stopped (crash, kill) during the call; closed on the next start.
    Interrupted,
}

impl CallEnd {
    pub const ALL: [CallEnd; 11] = [
        CallEnd::Hangup,
        CallEnd::Busy,
        CallEnd::Declined,
        CallEnd::NoAnswer,
        CallEnd::Cancelled,
        CallEnd::Failed,
        CallEnd::NotFound,
        CallEnd::Forwarded,
        CallEnd::Dnd,
        CallEnd::AnsweredElsewhere,
        CallEnd::Interrupted,
    ];

    /// Its token, as stored (and as serde names it).
    pub fn as_str(self) -> &'static str {
        match self {
            CallEnd::Hangup => "hangup",
            CallEnd::Busy => "busy",
            CallEnd::Declined => "declined",
            CallEnd::NoAnswer => "no-answer",
            CallEnd::Cancelled => "cancelled",
            CallEnd::Failed => "failed",
            CallEnd::NotFound => "not-found",
            CallEnd::Forwarded => "forwarded",
            CallEnd::Dnd => "dnd",
            CallEnd::AnsweredElsewhere => "answered-elsewhere",
            CallEnd::Interrupted => "interrupted",
        }
    }

    pub fn parse(token: &str) -> Option<CallEnd> {
        CallEnd::ALL.into_iter().find(|e| e.as_str() == token)
    }

    /// The history's reason for a [`CallView`](crate::engine::CallView)'s
    /// `end_reason` token: either hangup is `hangup`; `refused`, `no-ack`,
    /// `session-expired`, `media-failed` and anything unknown are `failed`;
    /// the history's own tokens are themselves. The view never says `dnd`:
    /// the engine passes that itself.
    pub fn from_view_reason(token: &str) -> CallEnd {
        match token {
            "remote-hangup" => CallEnd::Hangup,
            _ => CallEnd::parse(token).unwrap_or(CallEnd::Failed),
        }
    }
}

/// The three kinds the history shows; every call is exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallKind {
    /// Outgoing, however it went.
    Placed,
    /// Incoming and not missed: answered, declined, forwarded, answered
    /// elsewhere, or still ringing.
    Received,
    /// Incoming, ended, missed (see the module comment).
    Missed,
}

/// A call starting, to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCall {
    pub account: String,
    /// The SIP Call-ID.
    pub call_id: String,
    /// The other party's address (for call back).
    pub peer: String,
    /// The other party's display name, if known.
    pub peer_name: Option<String>,
    pub direction: CallDirection,
    /// When the INVITE went out or came in, ms since the Unix epoch.
    pub started: i64,
}

/// One call of the history. Times are ms since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    pub id: i64,
    pub account: String,
    pub call_id: String,
    pub peer: String,
    pub peer_name: Option<String>,
    pub direction: CallDirection,
    pub started: i64,
    pub answered: Option<i64>,
    /// `None` while the call is on.
    pub ended: Option<i64>,
    /// Set together with `ended`.
    pub end_reason: Option<CallEnd>,
    pub kind: CallKind,
    /// The user has looked at the history since this incoming call ended
    /// ([`Store::mark_missed_calls_seen`]); the badge counts missed calls
    /// not seen.
    pub seen: bool,
}

impl CallRecord {
    /// How long the call was answered for, once it ended.
    pub fn talk_ms(&self) -> Option<i64> {
        Some(self.ended? - self.answered?)
    }
}

/// Which calls to list. The default lists all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallFilter {
    /// Only calls of this kind.
    pub kind: Option<CallKind>,
    /// Only calls of this account.
    pub account: Option<String>,
    /// Only calls whose peer address or display name contains this text
    /// (ignoring case for ASCII letters only: SQLite's LIKE).
    pub text: Option<String>,
}

/// Where a page of the history ends: the last call shown. The next page
/// lists the calls after it in the list's order (started, then id, both
/// descending), so pages neither skip nor repeat a call when calls are
/// added or deleted meanwhile, the cursor's own included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCursor {
    pub started: i64,
    pub id: i64,
}

impl From<&CallRecord> for CallCursor {
    fn from(c: &CallRecord) -> CallCursor {
        CallCursor {
            started: c.started,
            id: c.id,
        }
    }
}

/// The SQL condition "row `c` is a missed call".
const MISSED: &str = "(c.direction = 'in' AND c.answered IS NULL
     AND c.ended IS NOT NULL
     AND c.end_reason NOT IN ('declined', 'forwarded', 'answered-elsewhere'))";

const COLUMNS: &str = "c.id, c.account, c.call_id, c.peer, c.peer_name, c.direction,
     c.started, c.answered, c.ended, c.end_reason, c.seen";

fn call(r: &Row<'_>) -> rusqlite::Result<CallRecord> {
    let direction: String = r.get(5)?;
    let direction = if direction == "in" {
        CallDirection::Incoming
    } else {
        CallDirection::Outgoing
    };
    let reason: Option<String> = r.get(9)?;
    let missed: bool = r.get(11)?;
    Ok(CallRecord {
        id: r.get(0)?,
        account: r.get(1)?,
        call_id: r.get(2)?,
        peer: r.get(3)?,
        peer_name: r.get(4)?,
        direction,
        started: r.get(6)?,
        answered: r.get(7)?,
        ended: r.get(8)?,
        // The CHECK constraint allows nothing else.
        end_reason: reason.map(|t| CallEnd::parse(&t).unwrap_or(CallEnd::Failed)),
        kind: match (direction, missed) {
            (CallDirection::Outgoing, _) => CallKind::Placed,
            (CallDirection::Incoming, false) => CallKind::Received,
            (CallDirection::Incoming, true) => CallKind::Missed,
        },
        seen: r.get(10)?,
    })
}

/// A LIKE pattern matching `text` anywhere, its `%`, `_` and `\` taken
/// literally (with `ESCAPE '\'`).
fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

impl Store {
    /// Records a call as it starts; returns its id. Recording the same
    /// Call-ID again (same account and direction) returns the first row's
    /// id and changes nothing.
    pub fn record_call(&self, call: &NewCall) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO calls (account, call_id, peer, peer_name, direction, started)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
            (
                &call.account,
                &call.call_id,
                &call.peer,
                &call.peer_name,
                direction_sql(call.direction),
                call.started,
            ),
        )?;
        Ok(self.conn.query_row(
            "SELECT id FROM calls WHERE call_id = ?1 AND account = ?2 AND direction = ?3",
            (&call.call_id, &call.account, direction_sql(call.direction)),
            |r| r.get(0),
        )?)
    }

    /// The call was answered at `at` (not before it started). Only once, and
    /// not after it ended; true when it changed.
    pub fn mark_call_answered(&self, id: i64, at: i64) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE calls SET answered = max(?2, started)
             WHERE id = ?1 AND answered IS NULL AND ended IS NULL",
            (id, at),
        )? > 0)
    }

    /// The call ended at `at` (not before it started or was answered), for
    /// `reason`. Only once: the first end wins; true when it changed.
    pub fn mark_call_ended(&self, id: i64, at: i64, reason: CallEnd) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE calls SET ended = max(?2, coalesce(answered, started)), end_reason = ?3
             WHERE id = ?1 AND ended IS NULL",
            (id, at, reason.as_str()),
        )? > 0)
    }

    /// One call by id.
    pub fn call(&self, id: i64) -> Result<Option<CallRecord>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS}, {MISSED} FROM calls c WHERE c.id = ?1"
            ))?
            .query_row([id], call)
            .optional()?)
    }

    /// One call by its SIP Call-ID.
    pub fn call_by_call_id(
        &self,
        account: &str,
        direction: CallDirection,
        call_id: &str,
    ) -> Result<Option<CallRecord>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS}, {MISSED} FROM calls c
                 WHERE c.call_id = ?1 AND c.account = ?2 AND c.direction = ?3"
            ))?
            .query_row((call_id, account, direction_sql(direction)), call)
            .optional()?)
    }

    /// Up to `limit` calls matching `filter`, newest first (by start time,
    /// then id): the newest ones, or with `before` (the last call of the
    /// page shown) the ones after it.
    pub fn calls(
        &self,
        filter: &CallFilter,
        before: Option<CallCursor>,
        limit: usize,
    ) -> Result<Vec<CallRecord>, StoreError> {
        let kind = match filter.kind {
            None => "1".to_string(),
            Some(CallKind::Placed) => "c.direction = 'out'".to_string(),
            Some(CallKind::Received) => format!("c.direction = 'in' AND NOT {MISSED}"),
            Some(CallKind::Missed) => MISSED.to_string(),
        };
        let text = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(contains_pattern);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS}, {MISSED} FROM calls c
             WHERE ({kind})
               AND (?1 IS NULL OR c.account = ?1)
               AND (?2 IS NULL OR c.peer LIKE ?2 ESCAPE '\\'
                    OR c.peer_name LIKE ?2 ESCAPE '\\')
               AND (?3 IS NULL OR (c.started, c.id) < (?3, ?4))
             ORDER BY c.started DESC, c.id DESC LIMIT ?5"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(
            (
                &filter.account,
                &text,
                before.map(|b| b.started),
                before.map(|b| b.id),
                limit,
            ),
            call,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Missed calls the user has not looked at yet (of one account, or of
    /// all), for the badge.
    pub fn unseen_missed_calls(&self, account: Option<&str>) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            &format!(
                "SELECT count(*) FROM calls c
                 WHERE c.direction = 'in' AND c.seen = 0 AND {MISSED}
                   AND (?1 IS NULL OR c.account = ?1)"
            ),
            [account],
            |r| r.get(0),
        )?)
    }

    /// The user has looked at the history (of one account, or of all): the
    /// missed calls so far count as seen. Calls still ringing are left, so
    /// one missed after this still counts. Returns how many missed calls it
    /// marked.
    pub fn mark_missed_calls_seen(&self, account: Option<&str>) -> Result<usize, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let missed: usize = tx.query_row(
            &format!(
                "SELECT count(*) FROM calls c
                 WHERE c.direction = 'in' AND c.seen = 0 AND {MISSED}
                   AND (?1 IS NULL OR c.account = ?1)"
            ),
            [account],
            |r| r.get(0),
        )?;
        tx.execute(
            "UPDATE calls SET seen = 1 WHERE direction = 'in' AND seen = 0
                 AND ended IS NOT NULL AND (?1 IS NULL OR account = ?1)",
            [account],
        )?;
        tx.commit()?;
        Ok(missed)
    }

    /// Removes one call from the history; true when it was there.
    pub fn delete_call(&self, id: i64) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM calls WHERE id = ?1", [id])? > 0)
    }

    /// Empties the history, calls in progress included (they are then no
    /// longer recorded as they go on); returns how many it removed.
    pub fn clear_calls(&self) -> Result<usize, StoreError> {
        Ok(self.conn.execute("DELETE FROM calls", [])?)
    }

    /// Closes the calls a crash or kill left open: as [`CallEnd::Interrupted`]
    /// at the last time known (answered, else started), so no call shows as
    /// on forever and no duration is made up. Run when the store opens,
    /// before any call starts (one Hark runs per database: a second start
    /// hands over to the first through the control socket).
    pub(super) fn close_interrupted_calls(&self) -> Result<usize, StoreError> {
        let n = self.conn.execute(
            "UPDATE calls SET ended = coalesce(answered, started), end_reason = 'interrupted'
             WHERE ended IS NULL",
            [],
        )?;
        if n > 0 {
            tracing::info!("closed {n} call(s) left open by the last run as interrupted");
        }
        Ok(n)
    }
}

#[cfg(test)]
#[path = "calls_tests.rs"]
mod tests;
