//! Chats as plain data, without a window: per conversation the messages
//! (merged by id, so a state change replaces the message; kept in time
//! order; never twice), the runs they are shown in (same sender, a few
//! minutes apart) with day separators, the unread count, the peer's typing
//! flag, the composer's draft, whether older history exists and a room's
//! members; and [`Chats`], the registry of every conversation: which have a
//! window, how many messages each has unread (for the contact list's badge),
//! and what a new message should set off (nothing, a badge, a desktop
//! notification).
//!
//! Also the text side of showing a message: [`spans`] splits a body into
//! plain text and links (`http(s)://…`, `sip:…`); the body itself is only
//! ever shown as plain text, never as markup.
//!
//! ```
//! use hark::ui::chat::{spans, Span};
//! assert_eq!(
//!     spans("see https://hark.test/x."),
//!     vec![Span::Text("see "), Span::Link("https://hark.test/x"), Span::Text(".")]
//! );
//! ```

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeZone};

use crate::engine::{ChatMessage, ChatState};

/// Messages of one sender closer together than this form one run.
pub const RUN_GAP_MS: i64 = 5 * 60 * 1000;
/// How many messages a history request asks for.
pub const HISTORY_PAGE: usize = 50;

/// Identifies a chat: (account, peer), the peer being a contact's address
/// or a room, as [`normalize_peer`] writes it.
pub type ChatKey = (String, String);

/// The chat key for an account and a peer address as anybody wrote it.
pub fn chat_key(account: &str, peer: &str) -> ChatKey {
    (account.trim().to_string(), normalize_peer(peer))
}

/// One spelling per address: no angle brackets or surrounding blanks, a
/// lower-case `sip:` / `sips:` scheme (added when missing), and a
/// lower-case domain, no URI parameters; the user part is kept as written.
/// `normalize_peer("<SIP:Bob@Hark.TEST>") == "sip:Bob@hark.test"`.
pub fn normalize_peer(peer: &str) -> String {
    let p = peer
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    // Parameters and headers name no other chat (as the engine has it).
    let p = p.split([';', '?']).next().unwrap_or(p);
    let (scheme, rest) = match p.split_once(':') {
        Some((s, rest)) if s.eq_ignore_ascii_case("sip") || s.eq_ignore_ascii_case("sips") => {
            (s.to_ascii_lowercase(), rest)
        }
        // Another scheme (tel:, https:): left alone.
        Some((s, _)) if !s.contains('@') && s.chars().all(|c| c.is_ascii_alphabetic()) => {
            return p.to_string()
        }
        _ => ("sip".to_string(), p),
    };
    let rest = match rest.rsplit_once('@') {
        Some((user, host)) => format!("{user}@{}", host.to_ascii_lowercase()),
        None => rest.to_ascii_lowercase(),
    };
    format!("{scheme}:{rest}")
}

/// The address of a group-chat room from what the user typed: a full
/// address (`team@conference.example.com`, with or without `sip:`), or a
/// bare name, which becomes a room on the account's conference service
/// (`team` for `sip:alice@example.com` → `sip:team@conference.example.com`,
/// Kamailio imc's usual setup). `None` when it cannot be an address.
pub fn room_address(typed: &str, account: &str) -> Option<String> {
    let typed = typed.trim();
    if typed.is_empty()
        || typed
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>')
    {
        return None;
    }
    if typed.contains('@') {
        let address = normalize_peer(typed);
        let (_, host) = address.rsplit_once('@')?;
        let user = address.split_once(':')?.1.split('@').next()?;
        return (!host.is_empty() && !user.is_empty()).then_some(address);
    }
    if typed.contains(':') {
        return None;
    }
    let domain = account.rsplit_once('@')?.1;
    let domain = domain.split([';', '>', ':']).next()?;
    (!domain.is_empty()).then(|| format!("sip:{typed}@conference.{}", domain.to_ascii_lowercase()))
}

/// A person or a group-chat room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChatKind {
    #[default]
    Person,
    Room,
}

/// Whether a chat has a window, and whether the user is looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Visibility {
    #[default]
    Closed,
    /// Open but not focused (behind other windows, minimised).
    Open,
    Focused,
}

/// What [`Conversation::upsert`] did with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// Not there before.
    New,
    /// Replaced an earlier version (a change of state).
    Changed,
    /// Already there exactly so.
    Same,
}

/// What a newly arrived message from the peer should set off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// The user is looking at the chat: tell the peer it was read.
    Seen,
    /// The window is open but not in front: count it as unread.
    Unread,
    /// No window: count it and tell the user (notification, or the window
    /// opens, per setting).
    Notify,
}

/// One conversation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conversation {
    /// In time order: (sent_at, id).
    messages: Vec<ChatMessage>,
    pub kind: ChatKind,
    pub visibility: Visibility,
    /// Messages from the peer the user has not seen.
    pub unread: usize,
    /// The peer is typing to us.
    pub typing: bool,
    /// The composer's text, kept while the window is closed.
    pub draft: String,
    /// Older messages exist in the history than those loaded.
    pub more_history: bool,
    /// A history request is under way.
    pub loading_history: bool,
    /// A room's members, as the server told them.
    pub members: Vec<String>,
}

impl Conversation {
    pub fn new(kind: ChatKind) -> Self {
        Conversation {
            kind,
            ..Conversation::default()
        }
    }

    /// The messages in time order, oldest first.
    pub fn messages(&self) -> &[ChatMessage] {
        &self.messages
    }

    pub fn message(&self, id: i64) -> Option<&ChatMessage> {
        self.messages.iter().find(|m| m.id == id)
    }

    /// The id of the oldest message loaded (for "load older").
    pub fn oldest_id(&self) -> Option<i64> {
        self.messages.first().map(|m| m.id)
    }

    /// Adds a message, or replaces the one with the same id (or the same
    /// protocol message id in the same direction), keeping time order.
    pub fn upsert(&mut self, message: ChatMessage) -> Upsert {
        let same = self.messages.iter().position(|m| {
            m.id == message.id
                || (m.message_id.is_some()
                    && m.message_id == message.message_id
                    && m.outgoing == message.outgoing)
        });
        match same {
            Some(index) if self.messages[index] == message => Upsert::Same,
            Some(index) => {
                let old = self.messages.remove(index);
                // A late, older state never undoes a newer one (delivered
                // arriving after displayed, say).
                let message = if state_rank(old.state) > state_rank(message.state)
                    && message.state != ChatState::Failed
                    && old.state != ChatState::Failed
                {
                    ChatMessage {
                        state: old.state,
                        ..message
                    }
                } else {
                    message
                };
                self.insert_sorted(message);
                Upsert::Changed
            }
            None => {
                self.insert_sorted(message);
                Upsert::New
            }
        }
    }

    fn insert_sorted(&mut self, message: ChatMessage) {
        let key = (message.sent_at, message.id);
        let at = self.messages.partition_point(|m| (m.sent_at, m.id) <= key);
        self.messages.insert(at, message);
    }

    /// Takes in an answer to a history request: `more` tells whether even
    /// older messages exist. Returns how many messages were new.
    pub fn apply_history(&mut self, messages: Vec<ChatMessage>, more: bool) -> usize {
        self.loading_history = false;
        let oldest_in_batch = messages.iter().map(|m| (m.sent_at, m.id)).min();
        let mut new = 0;
        for message in messages {
            if self.upsert(message) == Upsert::New {
                new += 1;
            }
        }
        // `more` speaks of what lies before this batch: it only matters
        // when the batch reaches back to the oldest message we hold.
        let oldest_here = self.messages.first().map(|m| (m.sent_at, m.id));
        if oldest_in_batch.is_none() || oldest_in_batch == oldest_here {
            self.more_history = more;
        }
        new
    }

    /// The messages as the window shows them: day separators and runs of
    /// one sender, each message no more than [`RUN_GAP_MS`] after the
    /// previous one. Days are those of `tz` (the local time zone).
    pub fn items<Tz: TimeZone>(&self, tz: &Tz) -> Vec<Item<'_>> {
        let mut items = Vec::new();
        let mut day: Option<NaiveDate> = None;
        let mut last: Option<&ChatMessage> = None;
        for message in &self.messages {
            let this_day = local_date(message.sent_at, tz);
            if day != Some(this_day) {
                items.push(Item::Day(this_day));
                day = Some(this_day);
                last = None;
            }
            let continues = last.is_some_and(|l| {
                l.outgoing == message.outgoing
                    && l.sender == message.sender
                    && message.sent_at - l.sent_at <= RUN_GAP_MS
            });
            match items.last_mut() {
                Some(Item::Run(run)) if continues => run.messages.push(message),
                _ => items.push(Item::Run(Run {
                    sender: &message.sender,
                    outgoing: message.outgoing,
                    messages: vec![message],
                })),
            }
            last = Some(message);
        }
        items
    }
}

/// How far along a message is, for "never go back" (failed aside).
fn state_rank(state: ChatState) -> u8 {
    match state {
        ChatState::Queued | ChatState::Failed => 0,
        ChatState::Sending => 1,
        ChatState::Sent | ChatState::Stored | ChatState::Received => 2,
        ChatState::Delivered => 3,
        ChatState::Displayed => 4,
    }
}

/// The local calendar day of a time in milliseconds since the epoch.
pub fn local_date<Tz: TimeZone>(ms: i64, tz: &Tz) -> NaiveDate {
    local_time(ms, tz).date_naive()
}

/// A time in milliseconds since the epoch, in `tz`.
pub fn local_time<Tz: TimeZone>(ms: i64, tz: &Tz) -> DateTime<Tz> {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(tz)
}

/// A line of the message list.
#[derive(Debug, Clone, PartialEq)]
pub enum Item<'a> {
    /// The messages below were written on this day.
    Day(NaiveDate),
    Run(Run<'a>),
}

/// Messages of one sender in a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Run<'a> {
    pub sender: &'a str,
    pub outgoing: bool,
    pub messages: Vec<&'a ChatMessage>,
}

/// How a day separator names its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayLabel {
    Today,
    Yesterday,
    /// Within the last week: the weekday's name.
    Weekday(chrono::Weekday),
    Date(NaiveDate),
}

impl DayLabel {
    pub fn new(day: NaiveDate, today: NaiveDate) -> DayLabel {
        use chrono::Datelike;
        match (today - day).num_days() {
            0 => DayLabel::Today,
            1 => DayLabel::Yesterday,
            2..=6 => DayLabel::Weekday(day.weekday()),
            _ => DayLabel::Date(day),
        }
    }
}

/// Every conversation the UI knows, by (account, peer).
#[derive(Debug, Clone, Default)]
pub struct Chats {
    chats: HashMap<ChatKey, Conversation>,
}

impl Chats {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, key: &ChatKey) -> Option<&Conversation> {
        self.chats.get(key)
    }

    /// The conversation, created (as a person's chat) when new.
    pub fn entry(&mut self, key: &ChatKey) -> &mut Conversation {
        self.chats.entry(key.clone()).or_default()
    }

    /// Marks a chat as a group-chat room.
    pub fn set_room(&mut self, key: &ChatKey) {
        self.entry(key).kind = ChatKind::Room;
    }

    pub fn is_room(&self, key: &ChatKey) -> bool {
        self.get(key).is_some_and(|c| c.kind == ChatKind::Room)
    }

    pub fn visibility(&self, key: &ChatKey) -> Visibility {
        self.get(key).map(|c| c.visibility).unwrap_or_default()
    }

    /// Records whether the chat has a window and whether it is in front.
    /// Returns true when unread messages have just been seen (time to send
    /// `MarkRead`).
    pub fn set_visibility(&mut self, key: &ChatKey, visibility: Visibility) -> bool {
        let chat = self.entry(key);
        chat.visibility = visibility;
        if visibility == Visibility::Focused && chat.unread > 0 {
            chat.unread = 0;
            return true;
        }
        false
    }

    /// Takes in a message the engine reported. Returns what it should set
    /// off when it is a new message from the peer, `None` otherwise (our
    /// own messages, state changes, repeats).
    pub fn receive(&mut self, account: &str, message: ChatMessage) -> Option<Arrival> {
        let key = chat_key(account, &message.peer);
        let incoming = !message.outgoing;
        let chat = self.entry(&key);
        if chat.upsert(message) != Upsert::New || !incoming {
            return None;
        }
        // A message ends the typing it was being typed in (RFC 3994 §4).
        if chat.kind == ChatKind::Person {
            chat.typing = false;
        }
        Some(match chat.visibility {
            Visibility::Focused => Arrival::Seen,
            Visibility::Open => {
                chat.unread += 1;
                Arrival::Unread
            }
            Visibility::Closed => {
                chat.unread += 1;
                Arrival::Notify
            }
        })
    }

    /// The peer started or stopped typing.
    pub fn set_typing(&mut self, key: &ChatKey, typing: bool) {
        if typing || self.chats.contains_key(key) {
            self.entry(key).typing = typing;
        }
    }

    /// The user has seen the chat.
    pub fn mark_read(&mut self, key: &ChatKey) {
        if let Some(chat) = self.chats.get_mut(key) {
            chat.unread = 0;
        }
    }

    pub fn unread(&self, key: &ChatKey) -> usize {
        self.get(key).map_or(0, |c| c.unread)
    }

    /// Every chat with unread messages and how many.
    pub fn unread_counts(&self) -> impl Iterator<Item = (&ChatKey, usize)> {
        self.chats
            .iter()
            .filter(|(_, c)| c.unread > 0)
            .map(|(k, c)| (k, c.unread))
    }

    pub fn total_unread(&self) -> usize {
        self.chats.values().map(|c| c.unread).sum()
    }
}

/// A piece of a message body: text to show as it is, or a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Splits a body into plain text and links: `http://`, `https://`, `sip:`
/// and `sips:` addresses that start a word. A link ends at white space or
/// `<>"`; punctuation after it (`.,;:!?'` and an unmatched closing
/// bracket) is not part of it.
pub fn spans(body: &str) -> Vec<Span<'_>> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut at = 0;
    while at < body.len() {
        let rest = &body[at..];
        let starts_word = body[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '.' && c != '+' && c != '-');
        let len = if starts_word { link_len(rest) } else { 0 };
        if len > 0 {
            if plain_from < at {
                out.push(Span::Text(&body[plain_from..at]));
            }
            out.push(Span::Link(&rest[..len]));
            at += len;
            plain_from = at;
        } else {
            at += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    if plain_from < body.len() {
        out.push(Span::Text(&body[plain_from..]));
    }
    out
}

/// The length of the link at the start of `s`, 0 when there is none.
fn link_len(s: &str) -> usize {
    let lower = |n: usize| s.get(..n).map(str::to_ascii_lowercase);
    let scheme = if lower(8).as_deref() == Some("https://") {
        8
    } else if lower(7).as_deref() == Some("http://") {
        7
    } else if lower(5).as_deref() == Some("sips:") {
        5
    } else if lower(4).as_deref() == Some("sip:") {
        4
    } else {
        return 0;
    };
    let end = s
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
        .unwrap_or(s.len());
    let mut link = &s[..end];
    // Trailing punctuation belongs to the sentence, and a closing bracket
    // only to the link when the link opened one.
    while let Some(last) = link.chars().next_back() {
        let unmatched = |open: char, close: char| {
            last == close && link.matches(open).count() < link.matches(close).count()
        };
        if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*')
            || unmatched('(', ')')
            || unmatched('[', ']')
            || unmatched('{', '}')
        {
            link = &link[..link.len() - last.len_utf8()];
        } else {
            break;
        }
    }
    // Something must follow the scheme: a host, or a user for sip:.
    match link.get(scheme..).and_then(|rest| rest.chars().next()) {
        Some(c) if c.is_alphanumeric() => link.len(),
        _ => 0,
    }
}

/// Where a link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// A web page, for the desktop's browser.
    Web(String),
    /// A SIP address: a chat in Hark.
    Sip(String),
}

impl LinkTarget {
    /// The target of a link [`spans`] found; `None` for anything else.
    pub fn of(link: &str) -> Option<LinkTarget> {
        let lower = link.to_ascii_lowercase();
        if link_len(link) != link.len() {
            None
        } else if lower.starts_with("http://") || lower.starts_with("https://") {
            Some(LinkTarget::Web(link.to_string()))
        } else {
            Some(LinkTarget::Sip(normalize_peer(link)))
        }
    }
}

/// A search snippet split into (matched, text) pieces: the engine puts each
/// matched word between U+0002 and U+0003.
pub fn snippet_parts(snippet: &str) -> Vec<(bool, &str)> {
    let mut parts = Vec::new();
    let mut matched = false;
    let mut from = 0;
    for (at, c) in snippet.char_indices() {
        if c == '\u{2}' || c == '\u{3}' {
            if from < at {
                parts.push((matched, &snippet[from..at]));
            }
            matched = c == '\u{2}';
            from = at + c.len_utf8();
        }
    }
    if from < snippet.len() {
        parts.push((matched, &snippet[from..]));
    }
    parts
}

/// Text for a desktop notification body, where servers may read a few
/// HTML tags: `<`, `>` and `&` are escaped so the message shows as typed.
pub fn notification_text(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A body shortened to about `chars` characters on one line, for
/// notifications and previews.
pub fn preview(body: &str, chars: usize) -> String {
    let line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", line[..at].trim_end()),
        None => line,
    }
}

#[cfg(test)]
#[path = "chat_tests.rs"]
mod tests;
