//! The body of a message-summary NOTIFY or PUBLISH (RFC 3842,
//! `application/simple-message-summary`), sans-IO: [`parse`] reads one into
//! a [`MessageSummary`] (the voicemail lamp and counts of C8) and
//! [`MessageSummary::to_body`] writes one.
//!
//! Reading is tolerant of what real servers send: CRLF or bare LF line
//! ends, header names in any case, whitespace around every token, folded
//! lines, headers in any order, unknown headers and the optional
//! per-message headers after the first empty line (all ignored). It
//! refuses, with a [`MessageSummaryError`] naming the status to answer, a
//! body over [`MAX_BODY_BYTES`], one without `Messages-Waiting`, and a count
//! line that is not `new/old` or `new/old (urgent-new/urgent-old)` in
//! decimal digits that fit a `u32`. It never panics.
//!
//! Writing gives CRLF line ends and printable ASCII only, what Kamailio's
//! presence_mwi checks in a PUBLISH before it takes it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The largest body read. A summary is a few lines; 64 KiB leaves room for
/// the optional message headers while bounding the work a hostile NOTIFY
/// can ask for.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The body's media type (for Content-Type and Accept).
pub const CONTENT_TYPE: &str = "application/simple-message-summary";

/// A message context class (RFC 3458 §4.1.1), one counter line each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageClass {
    Voice,
    Fax,
    Pager,
    Multimedia,
    Text,
    /// The `none` class: messages of no particular kind.
    None,
}

impl MessageClass {
    pub const ALL: [MessageClass; 6] = [
        MessageClass::Voice,
        MessageClass::Fax,
        MessageClass::Pager,
        MessageClass::Multimedia,
        MessageClass::Text,
        MessageClass::None,
    ];

    /// The header name of its counter line, as written.
    pub fn header_name(self) -> &'static str {
        match self {
            MessageClass::Voice => "Voice-Message",
            MessageClass::Fax => "Fax-Message",
            MessageClass::Pager => "Pager-Message",
            MessageClass::Multimedia => "Multimedia-Message",
            MessageClass::Text => "Text-Message",
            MessageClass::None => "None",
        }
    }

    /// The class a header name (any case) counts.
    pub fn from_header_name(name: &str) -> Option<MessageClass> {
        MessageClass::ALL
            .into_iter()
            .find(|c| c.header_name().eq_ignore_ascii_case(name))
    }
}

/// Urgent messages among the new and old ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrgentCounts {
    pub new: u32,
    pub old: u32,
}

/// One counter line: `new/old`, optionally `(urgent-new/urgent-old)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageCounts {
    pub new: u32,
    pub old: u32,
    pub urgent: Option<UrgentCounts>,
}

/// A message summary: the lamp, the mailbox and the counts per class.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSummary {
    /// `Messages-Waiting: yes`: the lamp is on.
    pub messages_waiting: bool,
    /// `Message-Account`: the mailbox the summary is about (a URI, without
    /// angle brackets).
    pub message_account: Option<String>,
    /// The counter lines present, by class. A class sent twice keeps its
    /// first line.
    pub counts: BTreeMap<MessageClass, MessageCounts>,
}

/// Why a body is not a message summary Hark takes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageSummaryError {
    #[error("message summary of {0} bytes is over {MAX_BODY_BYTES}")]
    TooLarge(usize),
    #[error("not a message summary: no Messages-Waiting line")]
    NotASummary,
    #[error("Messages-Waiting is {0:?}, not yes or no")]
    BadStatus(String),
    #[error("{}: {value:?} is not new/old or new/old (urgent/urgent)", .class.header_name())]
    BadCounts { class: MessageClass, value: String },
    #[error("{}: a count in {value:?} is too large", .class.header_name())]
    Overflow { class: MessageClass, value: String },
}

impl MessageSummaryError {
    /// The SIP status to answer a NOTIFY (or PUBLISH) carrying it: 413 for
    /// a body too large, 400 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            MessageSummaryError::TooLarge(_) => 413,
            _ => 400,
        }
    }
}

impl MessageSummary {
    /// Counts of one class, if the summary has its line.
    pub fn get(&self, class: MessageClass) -> Option<MessageCounts> {
        self.counts.get(&class).copied()
    }

    /// Voice messages (the usual, and often only, line).
    pub fn voice(&self) -> Option<MessageCounts> {
        self.get(MessageClass::Voice)
    }

    /// New messages of every class together (saturating), for a badge.
    pub fn total_new(&self) -> u32 {
        self.counts
            .values()
            .fold(0u32, |sum, c| sum.saturating_add(c.new))
    }

    /// The body to send: CRLF line ends, `Messages-Waiting` first, then the
    /// account and the counter lines in [`MessageClass::ALL`] order. An
    /// account [`parse`] would not keep (empty, or with characters other
    /// than visible ASCII) is left out, so the body is always one Kamailio
    /// accepts and [`parse`] reads back equal.
    pub fn to_body(&self) -> String {
        let mut body = format!(
            "Messages-Waiting: {}\r\n",
            if self.messages_waiting { "yes" } else { "no" }
        );
        if let Some(account) = self.message_account.as_deref().and_then(account_uri) {
            body.push_str(&format!("Message-Account: {account}\r\n"));
        }
        for class in MessageClass::ALL {
            let Some(c) = self.counts.get(&class) else {
                continue;
            };
            body.push_str(&format!("{}: {}/{}", class.header_name(), c.new, c.old));
            if let Some(u) = c.urgent {
                body.push_str(&format!(" ({}/{})", u.new, u.old));
            }
            body.push_str("\r\n");
        }
        body
    }
}

/// Reads a message-summary body (see the module comment for what is taken
/// and what refused).
pub fn parse(body: &[u8]) -> Result<MessageSummary, MessageSummaryError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(MessageSummaryError::TooLarge(body.len()));
    }
    let text = String::from_utf8_lossy(body);
    let mut waiting = None;
    let mut summary = MessageSummary::default();
    for (name, value) in summary_headers(&text) {
        if name.eq_ignore_ascii_case("Messages-Waiting") {
            let lamp = status(&value)?;
            waiting.get_or_insert(lamp);
        } else if name.eq_ignore_ascii_case("Message-Account") {
            if summary.message_account.is_none() {
                summary.message_account = account_uri(&value).map(str::to_string);
            }
        } else if let Some(class) = MessageClass::from_header_name(&name) {
            let counts = counts(class, &value)?;
            summary.counts.entry(class).or_insert(counts);
        }
    }
    summary.messages_waiting = waiting.ok_or(MessageSummaryError::NotASummary)?;
    Ok(summary)
}

/// SIP linear white space within a line.
fn is_lws(c: char) -> bool {
    matches!(c, ' ' | '\t')
}

/// The (name, value) pairs of the summary part: the lines up to the first
/// empty one (empty lines before any header are skipped), folded lines
/// joined, lines without a colon dropped. Names and values are trimmed.
fn summary_headers(text: &str) -> Vec<(String, String)> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim_matches(|c| is_lws(c) || c == '\r').is_empty() {
            if lines.is_empty() {
                continue;
            }
            break;
        }
        match lines.last_mut() {
            Some(last) if line.starts_with(is_lws) => {
                last.push(' ');
                last.push_str(line.trim_start_matches(is_lws));
            }
            _ => lines.push(line.to_string()),
        }
    }
    lines
        .iter()
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (lws_trim(n).to_string(), lws_trim(v).to_string()))
        .collect()
}

fn lws_trim(s: &str) -> &str {
    s.trim_matches(|c| is_lws(c) || c == '\r')
}

fn status(value: &str) -> Result<bool, MessageSummaryError> {
    if value.eq_ignore_ascii_case("yes") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("no") {
        Ok(false)
    } else {
        Err(MessageSummaryError::BadStatus(value.to_string()))
    }
}

/// The account URI of a `Message-Account` value: angle brackets taken off;
/// `None` unless what is left is non-empty visible ASCII without angle
/// brackets (a URI has neither spaces nor brackets; anything else is not
/// one and is left out rather than refusing the whole summary).
fn account_uri(value: &str) -> Option<&str> {
    let v = lws_trim(value);
    let v = v
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .map(lws_trim)
        .unwrap_or(v);
    let uri_char = |b: u8| b.is_ascii_graphic() && b != b'<' && b != b'>';
    (!v.is_empty() && v.bytes().all(uri_char)).then_some(v)
}

/// One token of a counter line.
#[derive(PartialEq)]
enum Token<'a> {
    Number(&'a str),
    Punct(char),
}

/// `new/old` or `new/old (urgent-new/urgent-old)`, whitespace allowed
/// between tokens.
fn counts(class: MessageClass, value: &str) -> Result<MessageCounts, MessageSummaryError> {
    let bad = || MessageSummaryError::BadCounts {
        class,
        value: value.to_string(),
    };
    let mut tokens = Vec::new();
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        if is_lws(c) {
            rest = &rest[c.len_utf8()..];
        } else if c.is_ascii_digit() {
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            tokens.push(Token::Number(&rest[..end]));
            rest = &rest[end..];
        } else if matches!(c, '/' | '(' | ')') {
            tokens.push(Token::Punct(c));
            rest = &rest[1..];
        } else {
            return Err(bad());
        }
    }
    let number = |t: &Token<'_>| match t {
        Token::Number(digits) => digits
            .parse::<u32>()
            .map_err(|_| MessageSummaryError::Overflow {
                class,
                value: value.to_string(),
            }),
        Token::Punct(_) => Err(bad()),
    };
    let slash = Token::Punct('/');
    match tokens.as_slice() {
        [n, s, o] if *s == slash => Ok(MessageCounts {
            new: number(n)?,
            old: number(o)?,
            urgent: None,
        }),
        [n, s1, o, Token::Punct('('), un, s2, uo, Token::Punct(')')]
            if *s1 == slash && *s2 == slash =>
        {
            Ok(MessageCounts {
                new: number(n)?,
                old: number(o)?,
                urgent: Some(UrgentCounts {
                    new: number(un)?,
                    old: number(uo)?,
                }),
            })
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
#[path = "message_summary_tests.rs"]
mod tests;
