//! SDP (RFC 4566) for audio calls: Hark's own small types for a session
//! description, a parser that never panics (every fault is a typed
//! [`SdpError`], answered with 488 Not Acceptable Here) and a writer.
//!
//! Only what a softphone needs is typed (origin, connection addresses,
//! `m=` lines, `a=rtpmap`, `a=fmtp`, `a=ptime`, `a=rtcp` and the direction
//! attributes); every other `a=` line is kept as it came, `t=`, `b=`, `i=`,
//! `u=`, `e=`, `p=`, `r=`, `z=`, `k=` are accepted and dropped. Writing a
//! parsed description and parsing it again gives an equal value (the fuzz
//! target `media_sdp` checks that). Offer/answer lives in
//! [`super::offer_answer`].

use std::net::IpAddr;

/// Bodies larger than this are refused (a SIP body over UDP is far smaller).
pub const MAX_SDP_LEN: usize = 64 * 1024;
/// At most this many `m=` sections.
pub const MAX_MEDIA: usize = 32;

/// Why an SDP body was refused. Every variant is answered with
/// `488 Not Acceptable Here` and [`SdpError::reason`] as reason phrase.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    #[error("SDP is not UTF-8")]
    NotUtf8,
    #[error("SDP is larger than {MAX_SDP_LEN} bytes or has more than {MAX_MEDIA} media")]
    TooLarge,
    #[error("SDP line {0} is not <letter>=<value> or holds a control character")]
    BadLine(usize),
    #[error("SDP does not start with v=0")]
    BadVersion,
    #[error("SDP line {0} is a session-level line inside a media section")]
    Misplaced(usize),
    #[error("SDP o= line is malformed or missing")]
    BadOrigin,
    #[error("SDP c= line {0} is malformed (only IN IP4/IP6 addresses are supported)")]
    BadConnection(usize),
    #[error("SDP m= line {0} is malformed")]
    BadMedia(usize),
    #[error("SDP a= line {0} is malformed")]
    BadAttribute(usize),
}

impl SdpError {
    /// The SIP status for this fault: always 488.
    pub fn status(&self) -> u16 {
        488
    }

    /// A short reason phrase for the 488 response.
    pub fn reason(&self) -> &'static str {
        match self {
            SdpError::NotUtf8 => "Malformed SDP (not UTF-8)",
            SdpError::TooLarge => "SDP too large",
            SdpError::BadLine(_) => "Malformed SDP line",
            SdpError::BadVersion => "Malformed SDP (v=)",
            SdpError::Misplaced(_) => "Malformed SDP (line order)",
            SdpError::BadOrigin => "Malformed SDP (o=)",
            SdpError::BadConnection(_) => "Malformed SDP (c=)",
            SdpError::BadMedia(_) => "Malformed SDP (m=)",
            SdpError::BadAttribute(_) => "Malformed SDP (a=)",
        }
    }
}

/// The media direction attributes (RFC 3264 §5.1, §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    pub fn from_parts(send: bool, recv: bool) -> Direction {
        match (send, recv) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        }
    }
    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }
    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }
    /// The attribute name (`sendrecv`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }
    fn parse(name: &str) -> Option<Direction> {
        Some(match name {
            "sendrecv" => Direction::SendRecv,
            "sendonly" => Direction::SendOnly,
            "recvonly" => Direction::RecvOnly,
            "inactive" => Direction::Inactive,
            _ => return None,
        })
    }
}

/// The `o=` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub username: String,
    pub session_id: u64,
    pub session_version: u64,
    pub net_type: String,
    pub addr_type: String,
    pub address: String,
}

/// An `a=rtpmap:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpMap {
    pub payload_type: u8,
    pub encoding: String,
    pub clock_rate: u32,
    pub channels: Option<u16>,
}

/// A payload format of an RTP `m=` line, with its `rtpmap` resolved (or the
/// static assignment of RFC 3551 when there is none) and its `fmtp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format {
    pub payload_type: u8,
    /// Empty when the payload type is dynamic and has no `rtpmap`.
    pub encoding: String,
    pub clock_rate: u32,
    pub channels: u16,
    pub fmtp: Option<String>,
}

/// One `m=` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDescription {
    /// `audio`, `video`, `application`, ...
    pub media: String,
    pub port: u16,
    pub port_count: Option<u16>,
    /// `RTP/AVP`, `RTP/SAVP`, ...
    pub proto: String,
    /// The format tokens as listed; for an RTP profile each is a payload
    /// type 0-127 (checked by the parser).
    pub formats: Vec<String>,
    pub connection: Option<IpAddr>,
    pub rtpmaps: Vec<RtpMap>,
    /// `(format, parameters)` of each `a=fmtp`.
    pub fmtps: Vec<(String, String)>,
    pub ptime: Option<u32>,
    pub rtcp_port: Option<u16>,
    pub direction: Option<Direction>,
    /// Every other attribute: `(name, value)`.
    pub attributes: Vec<(String, Option<String>)>,
}

/// A whole session description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    pub origin: Origin,
    pub session_name: String,
    pub connection: Option<IpAddr>,
    pub direction: Option<Direction>,
    /// Session-level attributes other than the direction.
    pub attributes: Vec<(String, Option<String>)>,
    pub media: Vec<MediaDescription>,
}

/// RFC 3551 static audio payload types Hark may meet.
pub fn static_payload(pt: u8) -> Option<(&'static str, u32, u16)> {
    Some(match pt {
        0 => ("PCMU", 8000, 1),
        3 => ("GSM", 8000, 1),
        4 => ("G723", 8000, 1),
        8 => ("PCMA", 8000, 1),
        9 => ("G722", 8000, 1),
        13 => ("CN", 8000, 1),
        18 => ("G729", 8000, 1),
        _ => return None,
    })
}

impl MediaDescription {
    /// An `m=` line with nothing but its media, port, proto and formats.
    pub fn new(media: &str, port: u16, proto: &str, formats: Vec<String>) -> MediaDescription {
        MediaDescription {
            media: media.to_owned(),
            port,
            port_count: None,
            proto: proto.to_owned(),
            formats,
            connection: None,
            rtpmaps: Vec::new(),
            fmtps: Vec::new(),
            ptime: None,
            rtcp_port: None,
            direction: None,
            attributes: Vec::new(),
        }
    }

    /// Whether the profile is RTP (`RTP/AVP`, `RTP/SAVPF`, ...).
    pub fn is_rtp(&self) -> bool {
        self.proto.to_ascii_uppercase().starts_with("RTP/")
    }

    /// The `fmtp` parameters for a format, if any.
    pub fn fmtp(&self, format: &str) -> Option<&str> {
        self.fmtps
            .iter()
            .find(|(f, _)| f == format)
            .map(|(_, p)| p.as_str())
    }

    /// The RTP payload formats in offer order (empty for non-RTP media).
    pub fn formats(&self) -> Vec<Format> {
        if !self.is_rtp() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for token in &self.formats {
            let Ok(pt) = token.parse::<u8>() else {
                continue;
            };
            let fmtp = self.fmtp(token).map(str::to_owned);
            let format = if let Some(map) = self.rtpmaps.iter().find(|m| m.payload_type == pt) {
                Format {
                    payload_type: pt,
                    encoding: map.encoding.clone(),
                    clock_rate: map.clock_rate,
                    channels: map.channels.unwrap_or(1),
                    fmtp,
                }
            } else if let Some((name, rate, ch)) = static_payload(pt) {
                Format {
                    payload_type: pt,
                    encoding: name.into(),
                    clock_rate: rate,
                    channels: ch,
                    fmtp,
                }
            } else {
                Format {
                    payload_type: pt,
                    encoding: String::new(),
                    clock_rate: 0,
                    channels: 1,
                    fmtp,
                }
            };
            out.push(format);
        }
        out
    }
}

impl SessionDescription {
    /// The connection address of media section `index`: its own `c=` or
    /// else the session's.
    pub fn connection_for(&self, index: usize) -> Option<IpAddr> {
        self.media
            .get(index)
            .and_then(|m| m.connection)
            .or(self.connection)
    }

    /// The direction of media section `index` (its own attribute, else the
    /// session's, else sendrecv).
    pub fn direction_for(&self, index: usize) -> Direction {
        self.media
            .get(index)
            .and_then(|m| m.direction)
            .or(self.direction)
            .unwrap_or(Direction::SendRecv)
    }
}

/// Parses a session description (CRLF or bare LF line ends).
pub fn parse(bytes: &[u8]) -> Result<SessionDescription, SdpError> {
    if bytes.len() > MAX_SDP_LEN {
        return Err(SdpError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| SdpError::NotUtf8)?;
    let mut origin = None;
    let mut session = SessionDescription {
        origin: Origin {
            username: String::new(),
            session_id: 0,
            session_version: 0,
            net_type: String::new(),
            addr_type: String::new(),
            address: String::new(),
        },
        session_name: String::new(),
        connection: None,
        direction: None,
        attributes: Vec::new(),
        media: Vec::new(),
    };
    let mut seen_version = false;
    for (index, raw) in text.split('\n').enumerate() {
        let n = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            continue;
        }
        let b = line.as_bytes();
        if b.len() < 2 || !b[0].is_ascii_lowercase() || b[1] != b'=' {
            return Err(SdpError::BadLine(n));
        }
        if line.chars().any(|c| c.is_control() && c != '\t') {
            return Err(SdpError::BadLine(n));
        }
        let kind = b[0];
        let value = &line[2..];
        if !seen_version {
            if kind != b'v' || value != "0" {
                return Err(SdpError::BadVersion);
            }
            seen_version = true;
            continue;
        }
        let in_media = !session.media.is_empty();
        match kind {
            b'v' => return Err(SdpError::Misplaced(n)),
            b'o' | b's' | b't' | b'r' | b'z' | b'u' | b'e' | b'p' if in_media => {
                return Err(SdpError::Misplaced(n))
            }
            b'o' => {
                if origin.is_some() {
                    return Err(SdpError::BadOrigin);
                }
                origin = Some(parse_origin(value)?);
            }
            b's' => session.session_name = value.to_owned(),
            b'c' => {
                let addr = parse_connection(value).ok_or(SdpError::BadConnection(n))?;
                match session.media.last_mut() {
                    Some(m) => m.connection = Some(addr),
                    None => session.connection = Some(addr),
                }
            }
            b'm' => {
                if session.media.len() >= MAX_MEDIA {
                    return Err(SdpError::TooLarge);
                }
                session
                    .media
                    .push(parse_media(value).ok_or(SdpError::BadMedia(n))?);
            }
            b'a' => {
                let (name, val) = match value.split_once(':') {
                    Some((name, val)) => (name, Some(val)),
                    None => (value, None),
                };
                if name.is_empty() || name.contains(|c: char| c.is_whitespace()) {
                    return Err(SdpError::BadAttribute(n));
                }
                match session.media.last_mut() {
                    Some(m) => media_attribute(m, name, val).ok_or(SdpError::BadAttribute(n))?,
                    None => match (Direction::parse(name), val) {
                        (Some(d), None) => session.direction = Some(d),
                        _ => session
                            .attributes
                            .push((name.to_owned(), val.map(str::to_owned))),
                    },
                }
            }
            b'i' | b'u' | b'e' | b'p' | b'b' | b't' | b'r' | b'z' | b'k' => {}
            _ => return Err(SdpError::BadLine(n)),
        }
    }
    if !seen_version {
        return Err(SdpError::BadVersion);
    }
    session.origin = origin.ok_or(SdpError::BadOrigin)?;
    Ok(session)
}

fn parse_origin(value: &str) -> Result<Origin, SdpError> {
    let parts: Vec<&str> = value.split_ascii_whitespace().collect();
    let [username, id, version, net_type, addr_type, address] = parts[..] else {
        return Err(SdpError::BadOrigin);
    };
    let number = |s: &str| {
        // Some stacks send ids beyond u64 or with a sign; only digits count.
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SdpError::BadOrigin);
        }
        s.parse::<u64>().map_err(|_| SdpError::BadOrigin)
    };
    Ok(Origin {
        username: username.to_owned(),
        session_id: number(id)?,
        session_version: number(version)?,
        net_type: net_type.to_owned(),
        addr_type: addr_type.to_owned(),
        address: address.to_owned(),
    })
}

/// `IN IP4 <addr>[/ttl[/n]]`; FQDNs are not supported.
fn parse_connection(value: &str) -> Option<IpAddr> {
    let mut parts = value.split_ascii_whitespace();
    let (net, kind, addr) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !net.eq_ignore_ascii_case("IN") {
        return None;
    }
    let addr: IpAddr = addr.split('/').next()?.parse().ok()?;
    match (kind.to_ascii_uppercase().as_str(), addr) {
        ("IP4", IpAddr::V4(_)) | ("IP6", IpAddr::V6(_)) => Some(addr),
        _ => None,
    }
}

fn parse_media(value: &str) -> Option<MediaDescription> {
    let mut parts = value.split_ascii_whitespace();
    let media = parts.next()?;
    let port_field = parts.next()?;
    let proto = parts.next()?;
    let formats: Vec<String> = parts.map(str::to_owned).collect();
    if formats.is_empty() {
        return None;
    }
    let (port, port_count) = match port_field.split_once('/') {
        Some((p, c)) => (p.parse().ok()?, Some(c.parse().ok()?)),
        None => (port_field.parse().ok()?, None),
    };
    let m = MediaDescription {
        port_count,
        ..MediaDescription::new(media, port, proto, formats)
    };
    if m.is_rtp() && !m.formats.iter().all(|f| is_payload_type(f)) {
        return None;
    }
    Some(m)
}

fn is_payload_type(s: &str) -> bool {
    matches!(s.parse::<u8>(), Ok(pt) if pt <= 127) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Reads one media-level attribute into `m`; `None` when it is malformed.
fn media_attribute(m: &mut MediaDescription, name: &str, val: Option<&str>) -> Option<()> {
    if let (Some(d), None) = (Direction::parse(name), val) {
        m.direction = Some(d);
        return Some(());
    }
    match (name, val) {
        ("rtpmap", Some(v)) => {
            let (pt, rest) = v.split_once(' ')?;
            if !is_payload_type(pt) {
                return None;
            }
            let pt: u8 = pt.parse().ok()?;
            let mut fields = rest.trim().split('/');
            let encoding = fields.next()?;
            let clock_rate: u32 = fields.next()?.parse().ok()?;
            let channels = match fields.next() {
                Some(c) => Some(c.parse::<u16>().ok()?),
                None => None,
            };
            if encoding.is_empty()
                || encoding.contains(|c: char| c.is_whitespace())
                || clock_rate == 0
                || fields.next().is_some()
                || m.rtpmaps.iter().any(|r| r.payload_type == pt)
            {
                return None;
            }
            m.rtpmaps.push(RtpMap {
                payload_type: pt,
                encoding: encoding.into(),
                clock_rate,
                channels,
            });
        }
        ("fmtp", Some(v)) => {
            let (format, params) = v.split_once(' ')?;
            if format.is_empty() || m.fmtps.iter().any(|(f, _)| f == format) {
                return None;
            }
            m.fmtps.push((format.to_owned(), params.trim().to_owned()));
        }
        ("ptime", Some(v)) => m.ptime = Some(v.trim().parse().ok()?),
        ("rtcp", Some(v)) => m.rtcp_port = Some(v.split_ascii_whitespace().next()?.parse().ok()?),
        _ => m.attributes.push((name.to_owned(), val.map(str::to_owned))),
    }
    Some(())
}

#[path = "sdp_write.rs"]
mod write;

#[cfg(test)]
#[path = "sdp_tests.rs"]
pub(crate) mod tests;
