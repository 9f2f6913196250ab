//! MIME multipart bodies (RFC 2046 §5.1), as `multipart/related`
//! (RFC 2387) carries them in resource-list NOTIFYs (RFC 4662).
//!
//! [`parse`] splits a body, given its Content-Type header value, into
//! [`Part`]s with their headers and bytes; [`Multipart::root`] finds the root
//! part (the `start` parameter, else the first part); [`Multipart::nested`]
//! reads a part that is itself multipart, with a depth limit. [`build_related`]
//! writes a `multipart/related` body with a boundary found in none of the parts.
//!
//! Reading is tolerant (CRLF or bare LF, preamble, epilogue, transport padding
//! after a boundary) and bounded: size, part count and nesting depth are
//! capped, and every scan is linear (`memchr::memmem`). Bad input gets a
//! [`MultipartError`] naming the cause, never a panic.

use memchr::memmem;

/// Largest multipart body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 16 << 20;
/// Most parts accepted in one multipart body (a 5,000-contact list fits).
pub const MAX_PARTS: usize = 10_000;
/// Deepest nesting of multipart bodies inside multipart bodies.
pub const MAX_NESTING: usize = 4;
/// Longest boundary accepted (RFC 2046 allows 70; a little slack for peers).
pub const MAX_BOUNDARY_LEN: usize = 200;

/// Why a multipart body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultipartError {
    #[error("Content-Type `{0}` is not a valid media type")]
    BadContentType(String),
    #[error("Content-Type {0} is not multipart")]
    NotMultipart(String),
    #[error("multipart Content-Type has no boundary parameter")]
    NoBoundary,
    #[error("multipart boundary is empty or longer than {MAX_BOUNDARY_LEN} characters")]
    BadBoundary,
    #[error("multipart body is {0} bytes, more than the {MAX_BODY_BYTES} allowed")]
    TooLarge(usize),
    #[error("multipart body has no boundary line (no parts)")]
    NoParts,
    #[error("multipart body ends without its closing boundary")]
    Unterminated,
    #[error("multipart body has more than {MAX_PARTS} parts")]
    TooManyParts,
    #[error("multipart bodies nested deeper than {MAX_NESTING}")]
    TooDeep,
    #[error(
        "part {content_id:?} uses Content-Transfer-Encoding {encoding}, which is not supported"
    )]
    UnsupportedTransferEncoding {
        content_id: Option<String>,
        encoding: String,
    },
}

/// A parsed media type: lower-case `type/subtype` and its parameters
/// (names lower-case, values unquoted), in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentType {
    pub mime_type: String,
    pub params: Vec<(String, String)>,
}

impl ContentType {
    /// A media type without parameters.
    pub fn new(mime_type: &str) -> Self {
        ContentType {
            mime_type: mime_type.trim().to_ascii_lowercase(),
            params: Vec::new(),
        }
    }

    /// Builder: add a parameter.
    pub fn with_param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// Parse a Content-Type header value: `type/subtype *(; name=value)`,
    /// values as tokens or quoted strings, names in any case.
    pub fn parse(value: &str) -> Result<Self, MultipartError> {
        let bad = || MultipartError::BadContentType(value.chars().take(100).collect());
        let (mime, mut rest) = match value.find(';') {
            Some(i) => (&value[..i], &value[i + 1..]),
            None => (value, ""),
        };
        let mime = mime.trim();
        let (top, sub) = mime.split_once('/').ok_or_else(bad)?;
        if !is_token(top.trim()) || !is_token(sub.trim()) {
            return Err(bad());
        }
        let mut content_type = ContentType::new(&format!("{}/{}", top.trim(), sub.trim()));
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ';');
            if rest.is_empty() {
                break;
            }
            let eq = rest.find('=').ok_or_else(bad)?;
            let name = rest[..eq].trim().to_ascii_lowercase();
            if !is_token(&name) {
                return Err(bad());
            }
            let after = rest[eq + 1..].trim_start();
            let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
                read_quoted(quoted).ok_or_else(bad)?
            } else {
                // A token ends at `;` or white space (some peers, and the
                // RFC 2387 example, omit the `;` between parameters).
                let end = after
                    .find(|c: char| c == ';' || c.is_ascii_whitespace())
                    .unwrap_or(after.len());
                (after[..end].trim().to_owned(), &after[end..])
            };
            if content_type.param(&name).is_none() {
                content_type.params.push((name, value));
            }
            rest = remaining;
        }
        Ok(content_type)
    }

    /// A parameter's value, the name in any case.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the media type is `mime_type` (any case).
    pub fn is(&self, mime_type: &str) -> bool {
        self.mime_type.eq_ignore_ascii_case(mime_type)
    }

    /// Whether this is some `multipart/*` type.
    pub fn is_multipart(&self) -> bool {
        self.mime_type.starts_with("multipart/")
    }

    /// The header value, parameters quoted where needed.
    pub fn to_header_value(&self) -> String {
        let mut out = self.mime_type.clone();
        for (name, value) in &self.params {
            out.push(';');
            out.push_str(name);
            out.push('=');
            if is_token(value) {
                out.push_str(value);
            } else {
                out.push('"');
                for c in value.chars() {
                    if c == '"' || c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
            }
        }
        out
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// Read a quoted string after its opening quote: (value, rest after the closing quote).
fn read_quoted(s: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &s[i + 1..])),
            '\\' => value.push(chars.next()?.1),
            c => value.push(c),
        }
    }
    None
}

/// One body part: its Content-Type (`text/plain` when absent), Content-ID
/// without angle brackets, Content-Transfer-Encoding (lower-case), any other
/// headers in order, and its bytes as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub content_type: ContentType,
    pub content_id: Option<String>,
    pub transfer_encoding: Option<String>,
    pub other_headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Part {
    /// A part with a type, an optional Content-ID and its bytes.
    pub fn new(content_type: ContentType, content_id: Option<&str>, body: Vec<u8>) -> Self {
        Part {
            content_type,
            content_id: content_id.map(str::to_owned),
            transfer_encoding: None,
            other_headers: Vec::new(),
            body,
        }
    }

    /// The decoded content: the bytes themselves for 7bit, 8bit and binary
    /// (or no encoding); an error for base64, quoted-printable and others.
    pub fn content(&self) -> Result<&[u8], MultipartError> {
        match self.transfer_encoding.as_deref() {
            None | Some("7bit") | Some("8bit") | Some("binary") => Ok(&self.body),
            Some(other) => Err(MultipartError::UnsupportedTransferEncoding {
                content_id: self.content_id.clone(),
                encoding: other.to_owned(),
            }),
        }
    }

    /// Whether the Content-ID is `cid` (angle brackets optional).
    pub fn has_content_id(&self, cid: &str) -> bool {
        self.content_id.as_deref() == Some(strip_angle_brackets(cid))
    }
}

/// Content-ID value without surrounding white space and angle brackets.
pub fn strip_angle_brackets(cid: &str) -> &str {
    let cid = cid.trim();
    cid.strip_prefix('<')
        .and_then(|c| c.strip_suffix('>'))
        .unwrap_or(cid)
        .trim()
}

/// A parsed multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multipart {
    pub content_type: ContentType,
    pub parts: Vec<Part>,
    /// 0 for a body read by [`parse`], one more for each [`Multipart::nested`].
    pub depth: usize,
}

impl Multipart {
    /// The root part: the one named by the `start` parameter, else the first.
    /// `None` when `start` names no part.
    pub fn root(&self) -> Option<&Part> {
        match self.content_type.param("start") {
            Some(start) => self.part_by_cid(start),
            None => self.parts.first(),
        }
    }

    /// The part whose Content-ID is `cid` (angle brackets optional).
    pub fn part_by_cid(&self, cid: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.has_content_id(cid))
    }

    /// Parse a part that is itself multipart, one level deeper.
    pub fn nested(&self, part: &Part) -> Result<Multipart, MultipartError> {
        parse_at_depth(&part.content_type, part.content()?, self.depth + 1)
    }
}

/// Parse a multipart body given its Content-Type header value.
pub fn parse(content_type: &str, body: &[u8]) -> Result<Multipart, MultipartError> {
    parse_at_depth(&ContentType::parse(content_type)?, body, 0)
}

fn parse_at_depth(
    content_type: &ContentType,
    body: &[u8],
    depth: usize,
) -> Result<Multipart, MultipartError> {
    if depth > MAX_NESTING {
        return Err(MultipartError::TooDeep);
    }
    if !content_type.is_multipart() {
        return Err(MultipartError::NotMultipart(content_type.mime_type.clone()));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(MultipartError::TooLarge(body.len()));
    }
    let boundary = content_type
        .param("boundary")
        .ok_or(MultipartError::NoBoundary)?;
    if boundary.is_empty() || boundary.len() > MAX_BOUNDARY_LEN {
        return Err(MultipartError::BadBoundary);
    }
    let mut delimiter = Vec::with_capacity(boundary.len() + 2);
    delimiter.extend_from_slice(b"--");
    delimiter.extend_from_slice(boundary.as_bytes());

    let mut parts = Vec::new();
    // Start of the current part's content, once the first delimiter is seen.
    let mut part_start: Option<usize> = None;
    let mut closed = false;
    for at in memmem::find_iter(body, &delimiter) {
        if at > 0 && body[at - 1] != b'\n' {
            continue; // not at the start of a line
        }
        let after = at + delimiter.len();
        let rest = &body[after..];
        let is_close = rest.starts_with(b"--");
        let line_end = if is_close {
            None
        } else {
            match end_of_padding_line(rest) {
                Some(n) => Some(after + n),
                None => continue, // the boundary is only a prefix of this line
            }
        };
        if let Some(start) = part_start {
            if parts.len() >= MAX_PARTS {
                return Err(MultipartError::TooManyParts);
            }
            let end = content_end(body, start, at);
            parts.push(parse_part(&body[start..end]));
        }
        match line_end {
            Some(next) => part_start = Some(next),
            None => {
                closed = true;
                break;
            }
        }
    }
    if !closed {
        return Err(if part_start.is_some() {
            MultipartError::Unterminated
        } else {
            MultipartError::NoParts
        });
    }
    Ok(Multipart {
        content_type: content_type.clone(),
        parts,
        depth,
    })
}

/// After a boundary: optional spaces and tabs, then CRLF or LF. Returns the
/// length up to and including the line break, or `None` if anything else
/// follows (or the body ends).
fn end_of_padding_line(rest: &[u8]) -> Option<usize> {
    let padding = rest
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    match rest.get(padding..) {
        Some([b'\r', b'\n', ..]) => Some(padding + 2),
        Some([b'\n', ..]) => Some(padding + 1),
        _ => None,
    }
}

/// End of a part's content: the line break before the next delimiter
/// belongs to the delimiter.
fn content_end(body: &[u8], start: usize, delimiter_at: usize) -> usize {
    let mut end = delimiter_at;
    if end > start && body[end - 1] == b'\n' {
        end -= 1;
        if end > start && body[end - 1] == b'\r' {
            end -= 1;
        }
    }
    end
}

/// Split one part into headers and body at the first empty line. A part with
/// no empty line is all headers and has an empty body.
fn parse_part(raw: &[u8]) -> Part {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut pos = 0;
    let mut body_start = raw.len();
    while pos < raw.len() {
        let line_end = memchr::memchr(b'\n', &raw[pos..]).map_or(raw.len(), |n| pos + n);
        let next = (line_end + 1).min(raw.len());
        let line = &raw[pos..line_end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            body_start = next;
            break;
        }
        let line = String::from_utf8_lossy(line);
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        pos = next;
    }

    let mut part = Part::new(
        ContentType::new("text/plain"),
        None,
        raw[body_start..].to_vec(),
    );
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("content-type") {
            if let Ok(ct) = ContentType::parse(&value) {
                part.content_type = ct;
            }
        } else if name.eq_ignore_ascii_case("content-id") {
            part.content_id = Some(strip_angle_brackets(&value).to_owned());
        } else if name.eq_ignore_ascii_case("content-transfer-encoding") {
            part.transfer_encoding = Some(value.trim().to_ascii_lowercase());
        } else {
            part.other_headers.push((name, value));
        }
    }
    part
}

/// Build a `multipart/related` body whose root is the first part. Returns the
/// Content-Type header value (with `type`, `start` when the root has a
/// Content-ID, and a generated `boundary`) and the body.
pub fn build_related(parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = choose_boundary(parts);
    let mut content_type = ContentType::new("multipart/related");
    if let Some(root) = parts.first() {
        content_type = content_type.with_param("type", root.content_type.mime_type.clone());
        if let Some(cid) = &root.content_id {
            content_type = content_type.with_param("start", format!("<{cid}>"));
        }
    }
    content_type = content_type.with_param("boundary", boundary.clone());
    (content_type.to_header_value(), build_body(&boundary, parts))
}

/// Write parts between `--boundary` lines with CRLF line ends.
pub fn build_body(boundary: &str, parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        if let Some(encoding) = &part.transfer_encoding {
            out.extend_from_slice(format!("Content-Transfer-Encoding: {encoding}\r\n").as_bytes());
        }
        if let Some(cid) = &part.content_id {
            out.extend_from_slice(format!("Content-ID: <{cid}>\r\n").as_bytes());
        }
        let ct = part.content_type.to_header_value();
        out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        for (name, value) in &part.other_headers {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&part.body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// A boundary that occurs in no part: derived from the parts' bytes (so the
/// same parts always get the same boundary), retried until it is absent.
fn choose_boundary(parts: &[Part]) -> String {
    let mut seed: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.body.iter().take(4096) {
            seed = (seed ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    // A body of n bytes holds at most n distinct candidates, so this ends.
    let mut attempt: u64 = 0;
    loop {
        let candidate = format!(
            "hark-{:016x}",
            seed.wrapping_add(attempt.wrapping_mul(0x9e37_79b9_7f4a_7c15))
        );
        let occurs = parts.iter().any(|p| {
            memmem::find(&p.body, candidate.as_bytes()).is_some()
                || p.other_headers.iter().any(|(_, v)| v.contains(&candidate))
        });
        if !occurs {
            return candidate;
        }
        attempt += 1;
    }
}

#[cfg(test)]
#[path = "multipart_tests.rs"]
mod tests;
