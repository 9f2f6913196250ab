//! CPIM messages (RFC 3862, `message/cpim`), the wrapper liblinphone puts
//! around chat messages to carry IMDN requests and notifications.
//!
//! A CPIM message is a block of message headers (`From`, `To`, `DateTime`,
//! `NS`, and namespaced headers such as `imdn.Message-ID`), a blank line, a
//! block of content headers (`Content-Type`...), a blank line and the body.
//! [`CpimMessage::parse`] reads one (CRLF or bare LF line ends, with or
//! without liblinphone's leading `Content-Type: message/cpim` block) and
//! [`CpimMessage::build`] writes one. Namespaced headers are found by the
//! namespace URI declared in `NS`, never by their prefix.

/// MIME type of a CPIM message.
pub const CONTENT_TYPE: &str = "message/cpim";
/// Largest CPIM message accepted, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Most header lines accepted in one message (both blocks together).
pub const MAX_HEADERS: usize = 128;

/// Why a CPIM message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpimError {
    #[error("CPIM message is {0} bytes, more than the {MAX_MESSAGE_BYTES} allowed")]
    TooLarge(usize),
    #[error("CPIM headers are not UTF-8")]
    NotUtf8,
    #[error("CPIM message has more than {MAX_HEADERS} headers")]
    TooManyHeaders,
    #[error("malformed CPIM header line `{0}`")]
    BadHeader(String),
    #[error("CPIM message ends inside its headers")]
    Truncated,
}

/// One header: its full name (with any `prefix.`) and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// A `From`, `To` or `cc` value: an optional formal name and a URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub display_name: Option<String>,
    pub uri: String,
}

impl Address {
    /// Read `"Name" <uri>`, `Name <uri>` or `<uri>`.
    pub fn parse(value: &str) -> Option<Address> {
        let value = value.trim();
        let open = value.find('<')?;
        let inner = value[open + 1..].strip_suffix('>')?;
        if inner.is_empty() || inner.contains(['<', '>']) {
            return None;
        }
        let name = value[..open].trim();
        let name = name
            .strip_prefix('"')
            .and_then(|n| n.strip_suffix('"'))
            .unwrap_or(name);
        Some(Address {
            display_name: (!name.is_empty()).then(|| name.to_owned()),
            uri: inner.to_owned(),
        })
    }

    /// Write `"Name" <uri>` or `<uri>`.
    pub fn to_value(&self) -> String {
        match &self.display_name {
            Some(name) => format!("\"{}\" <{}>", name.replace(['"', '\\'], ""), self.uri),
            None => format!("<{}>", self.uri),
        }
    }
}

/// A parsed CPIM message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpimMessage {
    /// Message headers, in order.
    pub headers: Vec<Header>,
    /// Content headers (`Content-Type`, `Content-Length`...), in order.
    pub content_headers: Vec<Header>,
    /// The inner body, as bytes.
    pub body: Vec<u8>,
}

impl CpimMessage {
    /// A message with the given inner content type and body.
    pub fn new(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        let mut message = CpimMessage {
            body: body.into(),
            ..Default::default()
        };
        message.push_content_header("Content-Type", content_type);
        message
    }

    /// Parse a `message/cpim` body.
    pub fn parse(bytes: &[u8]) -> Result<CpimMessage, CpimError> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(CpimError::TooLarge(bytes.len()));
        }
        let mut rest = bytes;
        let mut count = 0usize;
        let mut headers = read_block(&mut rest, &mut count)?;
        // liblinphone may repeat the MIME type as a block of its own.
        if let [only] = headers.as_slice() {
            if only.name.eq_ignore_ascii_case("Content-Type")
                && only.value.trim().eq_ignore_ascii_case(CONTENT_TYPE)
            {
                headers = read_block(&mut rest, &mut count)?;
            }
        }
        let content_headers = read_block(&mut rest, &mut count)?;
        let mut body = rest.to_vec();
        let declared =
            find(&content_headers, "Content-Length").and_then(|v| v.trim().parse::<usize>().ok());
        if let Some(length) = declared.filter(|&l| l <= body.len()) {
            body.truncate(length);
        }
        Ok(CpimMessage {
            headers,
            content_headers,
            body,
        })
    }

    /// Write the message, CRLF line ends. Line breaks inside names or
    /// values are replaced by spaces, so a value cannot inject a header.
    pub fn build(&self) -> Vec<u8> {
        let mut out = String::new();
        for header in &self.headers {
            write_header(&mut out, header);
        }
        out.push_str("\r\n");
        for header in &self.content_headers {
            write_header(&mut out, header);
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }

    /// First message header `name` (case-insensitive, prefix included).
    pub fn header(&self, name: &str) -> Option<&str> {
        find(&self.headers, name)
    }

    /// Every message header `name`, in order.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// First content header `name` (case-insensitive).
    pub fn content_header(&self, name: &str) -> Option<&str> {
        find(&self.content_headers, name)
    }

    /// The inner media type without parameters, lower-cased.
    pub fn content_type(&self) -> Option<String> {
        self.content_header("Content-Type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// `From` as an address.
    pub fn from(&self) -> Option<Address> {
        self.header("From").and_then(Address::parse)
    }

    /// `To` as an address.
    pub fn to(&self) -> Option<Address> {
        self.header("To").and_then(Address::parse)
    }

    /// The `NS` declarations: (prefix, URI); the prefix is empty for the
    /// default namespace.
    pub fn namespaces(&self) -> Vec<(String, String)> {
        self.headers_named("NS").filter_map(parse_ns).collect()
    }

    /// The prefix bound to namespace `uri`, if declared.
    pub fn prefix_of(&self, uri: &str) -> Option<String> {
        self.namespaces()
            .into_iter()
            .rev()
            .find(|(_, u)| u == uri)
            .map(|(p, _)| p)
    }

    /// Header `name` of namespace `uri` (`imdn.Message-ID` when `imdn` is
    /// bound to `uri`, whatever the prefix).
    pub fn ns_header(&self, uri: &str, name: &str) -> Option<&str> {
        let prefix = self.prefix_of(uri)?;
        if prefix.is_empty() {
            return self.header(name);
        }
        self.header(&format!("{prefix}.{name}"))
    }

    /// Declare namespace `uri` with `prefix` unless it is declared already;
    /// returns the prefix in use.
    pub fn declare_ns(&mut self, prefix: &str, uri: &str) -> String {
        if let Some(existing) = self.prefix_of(uri) {
            return existing;
        }
        self.push_header("NS", format!("{prefix} <{uri}>"));
        prefix.to_owned()
    }

    /// Add header `name` of namespace `uri`, declaring the namespace with
    /// `prefix` when needed.
    pub fn push_ns_header(&mut self, prefix: &str, uri: &str, name: &str, value: &str) {
        let prefix = self.declare_ns(prefix, uri);
        let full = if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        };
        self.push_header(&full, value);
    }

    /// Append a message header.
    pub fn push_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.push(Header {
            name: name.to_owned(),
            value: value.into(),
        });
    }

    /// Append a content header.
    pub fn push_content_header(&mut self, name: &str, value: impl Into<String>) {
        self.content_headers.push(Header {
            name: name.to_owned(),
            value: value.into(),
        });
    }
}

fn find<'a>(headers: &'a [Header], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// `prefix <uri>` or `<uri>`.
fn parse_ns(value: &str) -> Option<(String, String)> {
    let address = Address::parse(value)?;
    let prefix = address.display_name.unwrap_or_default();
    if prefix.contains(char::is_whitespace) {
        return None;
    }
    Some((prefix, address.uri))
}

/// Read header lines up to and including the blank line that ends them.
fn read_block(rest: &mut &[u8], count: &mut usize) -> Result<Vec<Header>, CpimError> {
    let mut headers = Vec::new();
    loop {
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            // A message may end right after its last block of headers.
            if rest.is_empty() && !headers.is_empty() {
                return Ok(headers);
            }
            return Err(CpimError::Truncated);
        };
        let line = &rest[..end];
        *rest = &rest[end + 1..];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return Ok(headers);
        }
        *count += 1;
        if *count > MAX_HEADERS {
            return Err(CpimError::TooManyHeaders);
        }
        let line = std::str::from_utf8(line).map_err(|_| CpimError::NotUtf8)?;
        headers.push(parse_header(line)?);
    }
}

fn parse_header(line: &str) -> Result<Header, CpimError> {
    let bad = || CpimError::BadHeader(line.chars().take(80).collect());
    let (name, value) = line.split_once(':').ok_or_else(bad)?;
    let valid_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b':' | b'<' | b'>' | b'"'));
    if !valid_name || value.contains(|c: char| c.is_control() && c != '\t') {
        return Err(bad());
    }
    Ok(Header {
        name: name.to_owned(),
        value: value.trim().to_owned(),
    })
}

fn write_header(out: &mut String, header: &Header) {
    let clean = |s: &str| s.replace(['\r', '\n'], " ");
    out.push_str(&clean(&header.name));
    out.push_str(": ");
    out.push_str(&clean(&header.value));
    out.push_str("\r\n");
}

#[cfg(test)]
#[path = "cpim_tests.rs"]
mod tests;
