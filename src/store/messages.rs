//! Chat history and the outgoing message queue (M3, M5): every message typed
//! or received is written here before anything else happens to it, so a crash
//! (even kill -9 mid-send) loses nothing. Outgoing messages carry our own
//! `message_id`, so queueing or resending one twice never makes a duplicate;
//! incoming ones are stored once per peer `message_id` or SIP Call-ID.
//! History is paged by id and searched with FTS5.

use rusqlite::{OptionalExtension, Row};

use super::{Store, StoreError};

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// Where a message stands (the engine's [`ChatState`](crate::engine::ChatState),
/// kept by its wire name). Outgoing: `Queued` -> `Sending` -> `Sent` (200)
/// or `Stored` (202, kept by the server for an offline peer) -> `Delivered`
/// -> `Displayed` (IMDN), or `Failed`. Incoming messages are `Received`.
pub use crate::engine::ChatState as MessageState;

/// One stored message. Times are milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    pub account: String,
    /// The chat: a contact's address or a group-chat room URI.
    pub peer: String,
    pub direction: Direction,
    pub sender: String,
    pub body: String,
    pub content_type: String,
    /// The original time: when typed, or the sender's Date for an incoming
    /// (possibly offline-stored) message.
    pub sent_at: i64,
    /// When it reached us (incoming only).
    pub received_at: Option<i64>,
    pub state: MessageState,
    /// Why it failed (or was put back in the queue), for the user.
    pub failure: Option<String>,
    pub message_id: Option<String>,
    pub sip_call_id: Option<String>,
}

/// A search result. `snippet` is plain text around the match, with each
/// matched word between [`MATCH_START`] and [`MATCH_END`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub message: Message,
    pub snippet: String,
}

/// Marks the start of a matched word in [`Hit::snippet`] (ASCII STX).
pub const MATCH_START: char = '\u{2}';
/// Marks the end of a matched word in [`Hit::snippet`] (ASCII ETX).
pub const MATCH_END: char = '\u{3}';

/// How many of the newest matches a search ranks by relevance: bounds the
/// cost of a search for a common word over a long history. The hits are the
/// best of these, so an old message with a very common word is found by
/// adding words or searching its chat.
const RANKED_WINDOW: usize = 500;

const COLUMNS: &str = "m.id, m.account, m.peer, m.direction, m.sender, m.body, m.content_type,
     m.sent_at, m.received_at, m.state, m.failure, m.message_id, m.sip_call_id";

fn message(r: &Row<'_>) -> rusqlite::Result<Message> {
    let direction: String = r.get(3)?;
    let state: String = r.get(9)?;
    Ok(Message {
        id: r.get(0)?,
        account: r.get(1)?,
        peer: r.get(2)?,
        direction: if direction == "in" {
            Direction::In
        } else {
            Direction::Out
        },
        sender: r.get(4)?,
        body: r.get(5)?,
        content_type: r.get(6)?,
        sent_at: r.get(7)?,
        received_at: r.get(8)?,
        // The CHECK constraint allows nothing else.
        state: MessageState::parse(&state).unwrap_or(MessageState::Failed),
        failure: r.get(10)?,
        message_id: r.get(11)?,
        sip_call_id: r.get(12)?,
    })
}

/// Turns what the user typed into an FTS5 query that can never be a syntax
/// error: each word becomes a quoted string (quotes doubled) looked for in the
/// body, all of them required. Words with no letter or digit are left out;
/// `None` when nothing is left to look for.
pub(crate) fn fts_words(user: &str) -> Option<String> {
    let words: Vec<String> = user
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("body : \"{}\"", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" AND "))
}

/// The FTS `chat` column's token for one chat of an account: the upper-case
/// hex of "account peer" in UTF-8, as SQLite's `hex()` writes it.
fn chat_token(account: &str, peer: &str) -> String {
    format!("{account} {peer}")
        .bytes()
        .map(|b| format!("{b:02X}"))
        .collect()
}

impl Store {
    /// Keeps a message the user sent, before it goes out; returns its id.
    /// Queueing the same `message_id` again (to the same peer) returns the
    /// first row's id and changes nothing.
    pub fn queue_outgoing(
        &self,
        account: &str,
        peer: &str,
        body: &str,
        content_type: &str,
        message_id: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO messages (account, peer, direction, sender, body, content_type,
                 sent_at, state, message_id)
             VALUES (?1, ?2, 'out', ?1, ?3, ?4, ?5, 'queued', ?6)
             ON CONFLICT DO NOTHING",
            (account, peer, body, content_type, now, message_id),
        )?;
        Ok(self.conn.query_row(
            "SELECT id FROM messages WHERE message_id = ?1 AND account = ?2
                 AND direction = 'out' AND peer = ?3",
            (message_id, account, peer),
            |r| r.get(0),
        )?)
    }

    /// The message is going out now. Only from queued, sending or failed
    /// (a retry); true when it changed.
    pub fn mark_sending(&self, id: i64) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE messages SET state = 'sending' WHERE id = ?1 AND direction = 'out'
                 AND state IN ('queued', 'sending', 'failed')",
            [id],
        )? > 0)
    }

    /// The server answered 200 (`stored`: 202, kept for an offline peer).
    /// Never takes back a delivery or display notification already seen.
    pub fn mark_sent(&self, id: i64, stored: bool) -> Result<bool, StoreError> {
        let state = if stored { "stored" } else { "sent" };
        Ok(self.conn.execute(
            "UPDATE messages SET state = ?2, failure = NULL WHERE id = ?1 AND direction = 'out'
                 AND state IN ('queued', 'sending', 'failed', 'sent', 'stored')",
            (id, state),
        )? > 0)
    }

    /// Sending failed for good (until the user retries), with the reason.
    /// Ignored once the message got through.
    pub fn mark_failed(&self, id: i64, reason: &str) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE messages SET state = 'failed', failure = ?2 WHERE id = ?1
                 AND direction = 'out' AND state IN ('queued', 'sending', 'failed')",
            (id, reason),
        )? > 0)
    }

    /// Puts a message back in the queue (e.g. not registered, network down),
    /// to go out by itself later; `reason` is shown meanwhile. Ignored once
    /// the message got through.
    pub fn requeue(&self, id: i64, reason: Option<&str>) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE messages SET state = 'queued', failure = ?2 WHERE id = ?1
                 AND direction = 'out' AND state IN ('queued', 'sending', 'failed')",
            (id, reason),
        )? > 0)
    }

    /// An IMDN delivery notification for one of our messages. A delivered
    /// message counts as sent whatever we thought before; never undoes a
    /// display notification.
    pub fn mark_delivered(&self, message_id: &str) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE messages SET state = 'delivered', failure = NULL
             WHERE message_id = ?1 AND direction = 'out'
                 AND state NOT IN ('delivered', 'displayed')",
            [message_id],
        )? > 0)
    }

    /// An IMDN display notification for one of our messages.
    pub fn mark_displayed(&self, message_id: &str) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE messages SET state = 'displayed', failure = NULL
             WHERE message_id = ?1 AND direction = 'out' AND state != 'displayed'",
            [message_id],
        )? > 0)
    }

    /// Messages of an account still to go out, oldest first: queued ones,
    /// and `sending` ones a crash left behind (resent with the same
    /// `message_id`, so the peer can tell a repeat).
    pub fn queued(&self, account: &str) -> Result<Vec<Message>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM messages m
             WHERE m.account = ?1 AND m.state IN ('queued', 'sending') ORDER BY m.id"
        ))?;
        let rows = stmt.query_map([account], message)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Keeps a received message; `None` when it was already stored (same peer
    /// and `message_id`, or same `sip_call_id`). `sip_call_id` should name
    /// the request, not just the Call-ID, where a peer reuses one Call-ID for
    /// successive MESSAGEs (e.g. Call-ID and CSeq number).
    #[allow(clippy::too_many_arguments)]
    pub fn store_incoming(
        &self,
        account: &str,
        peer: &str,
        sender: &str,
        body: &str,
        content_type: &str,
        message_id: Option<&str>,
        sip_call_id: Option<&str>,
        sent_at: i64,
        received_at: i64,
    ) -> Result<Option<i64>, StoreError> {
        let n = self.conn.execute(
            "INSERT INTO messages (account, peer, direction, sender, body, content_type,
                 sent_at, received_at, state, message_id, sip_call_id)
             VALUES (?1, ?2, 'in', ?3, ?4, ?5, ?6, ?7, 'received', ?8, ?9)
             ON CONFLICT DO NOTHING",
            (
                account,
                peer,
                sender,
                body,
                content_type,
                sent_at,
                received_at,
                message_id,
                sip_call_id,
            ),
        )?;
        Ok((n > 0).then(|| self.conn.last_insert_rowid()))
    }

    /// One message by id.
    pub fn message(&self, id: i64) -> Result<Option<Message>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM messages m WHERE m.id = ?1"))?
            .query_row([id], message)
            .optional()?)
    }

    /// One of our messages by its message id (the one IMDN names).
    pub fn outgoing_by_message_id(
        &self,
        account: &str,
        message_id: &str,
    ) -> Result<Option<Message>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM messages m
                 WHERE m.account = ?1 AND m.message_id = ?2 AND m.direction = 'out'"
            ))?
            .query_row((account, message_id), message)
            .optional()?)
    }

    /// Up to `limit` messages of a chat, in time order (newest last): the
    /// latest ones, or with `before` (a message id, normally the first one
    /// shown) the ones just before it.
    pub fn history(
        &self,
        account: &str,
        peer: &str,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM messages m
             WHERE m.account = ?1 AND m.peer = ?2
               AND (?3 IS NULL OR (m.sent_at, m.id) <
                    (SELECT sent_at, id FROM messages WHERE id = ?3))
             ORDER BY m.sent_at DESC, m.id DESC LIMIT ?4"
        ))?;
        let rows = stmt.query_map((account, peer, before, limit as i64), message)?;
        let mut list: Vec<Message> = rows.collect::<Result<_, _>>()?;
        list.reverse();
        Ok(list)
    }

    /// Messages of an account (of one chat with `peer`) containing every word
    /// of `query`, best first: by relevance among the newest
    /// [`RANKED_WINDOW`] matches, then by time. Any text is a valid query.
    ///
    /// Relevance is BM25 without the inverse document frequency: FTS5's
    /// `bm25()` reads every posting of every query term (and of the chat
    /// token) to count documents, ~400 ms for a common word over 1 M
    /// messages, so the newest matches are scored here instead. For a
    /// one-word query the order is the same as `bm25()`'s.
    pub fn search(
        &self,
        account: &str,
        peer: Option<&str>,
        query: &str,
        limit: usize,
    ) -> Result<Vec<Hit>, StoreError> {
        let Some(words) = fts_words(query) else {
            return Ok(Vec::new());
        };
        // Within a chat, its token narrows the match in the index. Across
        // chats the account is checked per row instead: an account token
        // would be in nearly every row, and intersecting with it costs more
        // (~25 ms over 1 M messages) than the look-ups it saves.
        let fts = match peer {
            Some(peer) => format!("chat : \"{}\" AND {words}", chat_token(account, peer)),
            None => words,
        };
        // The newest matches (ids grow with time) come from walking the
        // index backwards, stopping early.
        let mut recent = self.conn.prepare_cached(
            "SELECT f.rowid, m.sent_at, m.body FROM messages_fts f JOIN messages m ON m.id = f.rowid
             WHERE messages_fts MATCH ?1 AND m.account = ?2 ORDER BY f.rowid DESC LIMIT ?3",
        )?;
        let rows = recent.query_map((&fts, account, RANKED_WINDOW as i64), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let found: Vec<(i64, i64, String)> = rows.collect::<Result<_, _>>()?;
        let terms: Vec<String> = tokens(query).map(str::to_lowercase).collect();
        let counted: Vec<(usize, Vec<usize>)> = found
            .iter()
            .map(|(_, _, b)| term_counts(b, &terms))
            .collect();
        let total: usize = counted.iter().map(|(len, _)| len).sum();
        let avg = (total as f64 / counted.len().max(1) as f64).max(1.0);
        let mut ranked: Vec<(f64, i64, i64)> = found
            .iter()
            .zip(&counted)
            .map(|((id, sent_at, _), (len, tf))| (bm25_no_idf(*len, tf, avg), *sent_at, *id))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
        let mut hit = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS}, snippet(messages_fts, 0, char(2), char(3), '…', 12)
             FROM messages_fts f JOIN messages m ON m.id = f.rowid
             WHERE messages_fts MATCH ?1 AND f.rowid = ?2"
        ))?;
        let mut hits = Vec::with_capacity(limit.min(ranked.len()));
        for (_, _, id) in ranked.into_iter().take(limit) {
            let h = hit.query_row((&fts, id), |r| {
                Ok(Hit {
                    message: message(r)?,
                    snippet: r.get(13)?,
                })
            })?;
            hits.push(h);
        }
        Ok(hits)
    }
}

/// Words as the index sees them, near enough: runs of letters and digits
/// (diacritics are kept, so "cafe" counts nothing in "café", though the
/// index matched it).
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// A body's length in words and how often each of `terms` (lower case)
/// occurs in it, ignoring case.
fn term_counts(body: &str, terms: &[String]) -> (usize, Vec<usize>) {
    let mut tf = vec![0; terms.len()];
    let mut len = 0;
    for w in tokens(body) {
        len += 1;
        let lower;
        let w = if w.is_ascii() {
            w
        } else {
            lower = w.to_lowercase();
            &lower
        };
        for (t, n) in terms.iter().zip(&mut tf) {
            if t.eq_ignore_ascii_case(w) {
                *n += 1;
            }
        }
    }
    (len, tf)
}

/// BM25 (k1 = 1.2, b = 0.75) of a body of `len` words with term
/// frequencies `tf`, every term weighing the same.
fn bm25_no_idf(len: usize, tf: &[usize], avg: f64) -> f64 {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    let norm = K1 * (1.0 - B + B * len as f64 / avg);
    tf.iter()
        .map(|&n| n as f64 * (K1 + 1.0) / (n as f64 + norm))
        .sum()
}

#[cfg(test)]
#[path = "messages_tests.rs"]
mod tests;
