//! Typing indication: RFC 3994 isComposing documents and their timers.
//!
//! [`parse`] and [`build`] read and write `application/im-iscomposing+xml`.
//! [`ComposingSender`] turns the local user's keystrokes into the
//! indications to send (active on the first keystroke, refreshed while
//! typing, idle after a pause); [`ComposingReceiver`] turns the peer's
//! indications into "is typing" with the refresh timeout that protects
//! against a lost idle. Both are sans-IO: the caller feeds them the time and
//! sends what they return.

use std::time::{Duration, Instant};

use crate::presence::xml::{self, Element, XmlError};

/// The isComposing namespace.
pub const NS: &str = "urn:ietf:params:xml:ns:im-iscomposing";
/// MIME type of an isComposing document.
pub const CONTENT_TYPE: &str = "application/im-iscomposing+xml";
/// Largest isComposing body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How often an active indication is refreshed while typing (liblinphone's
/// `composing_refresh_timeout` default).
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(60);
/// Typing pause after which idle is sent (RFC 3994 §3.2, and liblinphone).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a peer's active lasts when it names no refresh (RFC 3994 §4.3).
pub const DEFAULT_REMOTE_REFRESH: Duration = Duration::from_secs(120);
/// Longest a peer's active is believed without a refresh, whatever it says.
pub const MAX_REMOTE_REFRESH: Duration = Duration::from_secs(600);

/// The composing state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Active,
    Idle,
}

impl State {
    /// The token written in `<state>`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Active => "active",
            State::Idle => "idle",
        }
    }
}

/// One isComposing document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsComposing {
    /// `active` or `idle`; any other token reads as idle.
    pub state: State,
    /// When the sender was last active (an RFC 3339 date-time, kept as written).
    pub lastactive: Option<String>,
    /// The kind of message being composed (`text/plain`, `audio`...).
    pub contenttype: Option<String>,
    /// Seconds until the sender refreshes an active state.
    pub refresh: Option<u32>,
}

impl IsComposing {
    /// A bare document in `state`.
    pub fn new(state: State) -> Self {
        IsComposing {
            state,
            lastactive: None,
            contenttype: None,
            refresh: None,
        }
    }
}

/// Why an isComposing body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposingError {
    #[error("isComposing body is {0} bytes, more than the {MAX_BODY_BYTES} allowed")]
    TooLarge(usize),
    #[error("isComposing: {0}")]
    Xml(#[from] XmlError),
    #[error("isComposing has no <state>")]
    MissingState,
}

/// Parse an `application/im-iscomposing+xml` body. An unknown state reads
/// as idle; a `refresh` that is not a positive integer is ignored.
pub fn parse(body: &[u8]) -> Result<IsComposing, ComposingError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ComposingError::TooLarge(body.len()));
    }
    let root = xml::parse_root(body, NS, "isComposing")?;
    let state = match root.child_text(NS, "state") {
        None => return Err(ComposingError::MissingState),
        Some(s) if s.eq_ignore_ascii_case("active") => State::Active,
        Some(_) => State::Idle,
    };
    let non_empty = |name: &str| {
        root.child_text(NS, name)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let refresh = root
        .child_text(NS, "refresh")
        .and_then(|s| s.parse::<u32>().ok())
        .filter(|&r| r > 0);
    Ok(IsComposing {
        state,
        lastactive: non_empty("lastactive"),
        contenttype: non_empty("contenttype"),
        refresh,
    })
}

/// Write an isComposing document (children in the schema's order, the
/// isComposing namespace as default, as liblinphone writes it).
pub fn build(doc: &IsComposing) -> String {
    let mut root = Element::new(NS, "isComposing");
    root.push_text_child(NS, "state", doc.state.as_str());
    if let Some(lastactive) = &doc.lastactive {
        root.push_text_child(NS, "lastactive", lastactive.as_str());
    }
    if let Some(contenttype) = &doc.contenttype {
        root.push_text_child(NS, "contenttype", contenttype.as_str());
    }
    if let Some(refresh) = doc.refresh {
        root.push_text_child(NS, "refresh", refresh.to_string());
    }
    xml::to_xml(&root, &[])
}

/// The local user's typing, turned into the indications to send.
///
/// Call [`on_typing`](Self::on_typing) on every edit of the composer and
/// [`on_message_sent`](Self::on_message_sent) when the message goes out;
/// wake at [`poll_timeout`](Self::poll_timeout) and send what
/// [`handle_timeout`](Self::handle_timeout) returns.
#[derive(Debug, Clone)]
pub struct ComposingSender {
    refresh: Duration,
    idle_timeout: Duration,
    active: bool,
    refresh_at: Option<Instant>,
    idle_at: Option<Instant>,
}

impl Default for ComposingSender {
    fn default() -> Self {
        Self::new(DEFAULT_REFRESH, DEFAULT_IDLE_TIMEOUT)
    }
}

impl ComposingSender {
    /// A sender refreshing active every `refresh` and going idle after
    /// `idle_timeout` without typing (each at least one second).
    pub fn new(refresh: Duration, idle_timeout: Duration) -> Self {
        let floor = Duration::from_secs(1);
        ComposingSender {
            refresh: refresh.max(floor),
            idle_timeout: idle_timeout.max(floor),
            active: false,
            refresh_at: None,
            idle_at: None,
        }
    }

    /// Whether the peer was last told "active".
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// The document to send for `state`: active carries the refresh
    /// interval and `text/plain`, idle is bare.
    pub fn document(&self, state: State) -> IsComposing {
        match state {
            State::Active => IsComposing {
                state,
                lastactive: None,
                contenttype: Some("text/plain".to_owned()),
                refresh: Some(u32::try_from(self.refresh.as_secs()).unwrap_or(u32::MAX)),
            },
            State::Idle => IsComposing::new(State::Idle),
        }
    }

    /// The user edited the composer. Returns `Some(Active)` when an active
    /// indication must be sent now (the first keystroke after idle).
    pub fn on_typing(&mut self, now: Instant) -> Option<State> {
        self.idle_at = now.checked_add(self.idle_timeout);
        if self.active {
            return None;
        }
        self.active = true;
        self.refresh_at = now.checked_add(self.refresh);
        Some(State::Active)
    }

    /// The message was sent: the peer takes it as idle (RFC 3994 §3.2), so
    /// nothing is sent and the timers stop.
    pub fn on_message_sent(&mut self, _now: Instant) {
        self.active = false;
        self.refresh_at = None;
        self.idle_at = None;
    }

    /// The user cleared the composer or closed the chat. Returns
    /// `Some(Idle)` when the peer was told active and must now hear idle.
    pub fn on_cleared(&mut self, now: Instant) -> Option<State> {
        let was_active = self.active;
        self.on_message_sent(now);
        was_active.then_some(State::Idle)
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next run.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.refresh_at, self.idle_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Run the timers: `Some(Idle)` after a typing pause, `Some(Active)`
    /// when the active indication is due for a refresh.
    pub fn handle_timeout(&mut self, now: Instant) -> Option<State> {
        if !self.active {
            return None;
        }
        if self.idle_at.is_some_and(|t| now >= t) {
            self.on_message_sent(now);
            return Some(State::Idle);
        }
        if self.refresh_at.is_some_and(|t| now >= t) {
            self.refresh_at = now.checked_add(self.refresh);
            return Some(State::Active);
        }
        None
    }
}

/// The peer's indications, turned into "is typing".
#[derive(Debug, Clone, Default)]
pub struct ComposingReceiver {
    expires: Option<Instant>,
    contenttype: Option<String>,
}

impl ComposingReceiver {
    /// A receiver that shows nobody typing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the peer is typing.
    pub fn is_typing(&self) -> bool {
        self.expires.is_some()
    }

    /// What the peer is composing, while typing (`text/plain`, `audio`...).
    pub fn content_type(&self) -> Option<&str> {
        self.contenttype.as_deref().filter(|_| self.is_typing())
    }

    /// An indication arrived. Returns whether [`is_typing`](Self::is_typing)
    /// changed. An active lasts its `refresh` (at most
    /// [`MAX_REMOTE_REFRESH`]), or [`DEFAULT_REMOTE_REFRESH`] without one.
    pub fn on_indication(&mut self, doc: &IsComposing, now: Instant) -> bool {
        let was = self.is_typing();
        match doc.state {
            State::Active => {
                let lasts = doc
                    .refresh
                    .map(|s| Duration::from_secs(u64::from(s)).min(MAX_REMOTE_REFRESH))
                    .unwrap_or(DEFAULT_REMOTE_REFRESH);
                // An Instant this far out cannot overflow in practice; if it
                // did, the indication is treated as idle rather than eternal.
                self.expires = now.checked_add(lasts);
                self.contenttype = doc.contenttype.clone();
            }
            State::Idle => self.clear(),
        }
        was != self.is_typing()
    }

    /// A message from the peer arrived: they stopped composing it.
    /// Returns whether [`is_typing`](Self::is_typing) changed.
    pub fn on_message(&mut self, _now: Instant) -> bool {
        let was = self.is_typing();
        self.clear();
        was
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next run.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.expires
    }

    /// Run the refresh timer. Returns whether [`is_typing`](Self::is_typing)
    /// changed (the peer's active ran out without a refresh).
    pub fn handle_timeout(&mut self, now: Instant) -> bool {
        if self.expires.is_some_and(|t| now >= t) {
            self.clear();
            return true;
        }
        false
    }

    fn clear(&mut self) {
        self.expires = None;
        self.contenttype = None;
    }
}

#[cfg(test)]
#[path = "composing_tests.rs"]
mod tests;
