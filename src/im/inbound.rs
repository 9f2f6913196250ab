//! What an incoming SIP MESSAGE carries, decided from its Content-Type and
//! body alone (sans-IO): chat text (plain, or wrapped in CPIM with an IMDN
//! request), a typing indication, or a delivery/read notification. Anything
//! else is refused with the status to answer (415 with the types we take,
//! 413 for an oversized body, 400 for a broken wrapper).
//!
//! Text is never interpreted: bytes that are not UTF-8 are shown with
//! U+FFFD in their place, and the body is kept exactly as sent.

use super::composing::{self, IsComposing};
use super::cpim::{self, CpimMessage};
use super::imdn::{self, Imdn, ImdnRequest};

/// Largest MESSAGE body taken, in bytes (RFC 3428 MESSAGEs are meant to
/// be small; this leaves room for long pastes while bounding memory).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The content types we take, for the Accept header of a 415.
pub const ACCEPT: &str =
    "text/plain, message/cpim, application/im-iscomposing+xml, message/imdn+xml";

/// What a MESSAGE carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// Chat text for the user.
    Text(Text),
    /// The peer is (or stopped) typing.
    Composing(IsComposing),
    /// A delivery or read notification for one of our messages.
    Notification(Imdn),
}

/// An incoming chat message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub body: String,
    /// The CPIM `DateTime` (when it was written), if any, as written.
    pub datetime: Option<String>,
    /// The sender's IMDN request (its Message-ID and what it asks for).
    pub imdn: Option<ImdnRequest>,
    /// The sender wrapped it in CPIM (it understands CPIM and IMDN).
    pub cpim: bool,
    /// The sender according to CPIM's `From` (a room relays others' messages).
    pub cpim_from: Option<String>,
}

/// Why a MESSAGE is refused, as the status to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 415 Unsupported Media Type, with [`ACCEPT`].
    UnsupportedType(String),
    /// 413 Request Entity Too Large.
    TooLarge(usize),
    /// 400 Bad Request (a wrapper or document that does not parse).
    Malformed(String),
}

impl Refusal {
    /// The SIP status code to answer.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::UnsupportedType(_) => 415,
            Refusal::TooLarge(_) => 413,
            Refusal::Malformed(_) => 400,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::UnsupportedType(t) => write!(f, "unsupported content type {t:?}"),
            Refusal::TooLarge(n) => write!(f, "body of {n} bytes is over {MAX_BODY_BYTES}"),
            Refusal::Malformed(why) => write!(f, "malformed body: {why}"),
        }
    }
}

/// The body of a MESSAGE with its `Content-Encoding` undone: `deflate`
/// (a zlib stream, as liblinphone sends its notifications; a raw deflate
/// stream is taken too) and `gzip` are inflated, never past
/// [`MAX_BODY_BYTES`]; `identity` or none leaves it as it is. Any other
/// encoding is refused with 415.
pub fn decode(content_encoding: Option<&str>, body: &[u8]) -> Result<Vec<u8>, Refusal> {
    use std::io::Read;
    let encoding = content_encoding
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let inflate = |reader: &mut dyn Read| -> Result<Vec<u8>, Refusal> {
        let mut out = Vec::new();
        reader
            .take(MAX_BODY_BYTES as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| Refusal::Malformed(format!("{encoding} body: {e}")))?;
        if out.len() > MAX_BODY_BYTES {
            return Err(Refusal::TooLarge(out.len()));
        }
        Ok(out)
    };
    match encoding.as_str() {
        "" | "identity" => Ok(body.to_vec()),
        "deflate" => match inflate(&mut flate2::read::ZlibDecoder::new(body)) {
            Err(Refusal::Malformed(_)) => inflate(&mut flate2::read::DeflateDecoder::new(body)),
            other => other,
        },
        "gzip" | "x-gzip" => inflate(&mut flate2::read::GzDecoder::new(body)),
        other => Err(Refusal::UnsupportedType(format!(
            "content encoding {other}"
        ))),
    }
}

/// The media type of a Content-Type value, lower case, without parameters.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Decides what a MESSAGE with this Content-Type (None: the header is
/// missing, read as text/plain) and body carries.
pub fn classify(content_type: Option<&str>, body: &[u8]) -> Result<Inbound, Refusal> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Refusal::TooLarge(body.len()));
    }
    let media = content_type.map(media_type).unwrap_or_default();
    match media.as_str() {
        "" | "text/plain" => Ok(Inbound::Text(Text {
            body: text(body),
            datetime: None,
            imdn: None,
            cpim: false,
            cpim_from: None,
        })),
        composing::CONTENT_TYPE => composing::parse(body)
            .map(Inbound::Composing)
            .map_err(|e| Refusal::Malformed(e.to_string())),
        imdn::CONTENT_TYPE => imdn::parse(body)
            .map(Inbound::Notification)
            .map_err(|e| Refusal::Malformed(e.to_string())),
        cpim::CONTENT_TYPE => from_cpim(body),
        other => Err(Refusal::UnsupportedType(other.to_string())),
    }
}

fn from_cpim(body: &[u8]) -> Result<Inbound, Refusal> {
    let message = CpimMessage::parse(body).map_err(|e| Refusal::Malformed(e.to_string()))?;
    let inner = message.content_type().map(|t| media_type(&t));
    match inner.as_deref() {
        None | Some("text/plain") => {
            let imdn = ImdnRequest::from_cpim(&message).unwrap_or(None);
            Ok(Inbound::Text(Text {
                body: text(&message.body),
                datetime: message.header("DateTime").map(str::to_owned),
                imdn,
                cpim: true,
                cpim_from: message.from().map(|a| a.uri),
            }))
        }
        Some(composing::CONTENT_TYPE) => composing::parse(&message.body)
            .map(Inbound::Composing)
            .map_err(|e| Refusal::Malformed(e.to_string())),
        Some(imdn::CONTENT_TYPE) => imdn::parse(&message.body)
            .map(Inbound::Notification)
            .map_err(|e| Refusal::Malformed(e.to_string())),
        Some(other) => Err(Refusal::UnsupportedType(format!(
            "message/cpim with {other}"
        ))),
    }
}

/// The text of a body: UTF-8, with anything that is not shown as U+FFFD.
fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

#[cfg(test)]
#[path = "inbound_tests.rs"]
mod tests;
