//! Sending one request to the server and getting its final response:
//! builds the message from a [`RequestSpec`] (our identity in From, the
//! dialog's Call-ID, tags, CSeq and route set), answers 401/407 digest
//! challenges with our own [`digest`](super::digest) code, and reduces a
//! missing answer to [`Unreachable`]. SUBSCRIBE, PUBLISH and (later)
//! MESSAGE all go through here; REGISTER has its own path in `register`.

use rsipstack::sip::headers::{Authorization, ProxyAuthorization};
use rsipstack::sip::{Header, Headers, Method, Response, SipMessage, Uri};
use rsipstack::transaction::key::{TransactionKey, TransactionRole};
use rsipstack::transaction::transaction::Transaction;
use rsipstack::transaction::{make_tag, make_via_branch};

use std::sync::{Arc, Mutex};

use super::digest::Challenge;
use super::endpoint::SipEndpoint;
use super::register::{is_local_timeout, unreachable_kind, Unreachable};
use crate::config::AccountConfig;

/// Who we are in requests: the address of record and the credentials.
#[derive(Debug, Clone)]
pub struct Identity {
    pub aor: Uri,
    pub display_name: Option<String>,
    pub auth_user: String,
    pub password: Option<String>,
    /// Our Contact, for requests that make dialogs.
    pub contact: Uri,
    /// The server's last challenge (and whether it came in a 407), answered
    /// up front on later requests so each one is not challenged again.
    challenge: Arc<Mutex<Option<(u16, Challenge)>>>,
}

impl Identity {
    pub fn new(endpoint: &SipEndpoint, account: &AccountConfig, password: Option<String>) -> Self {
        let aor = Uri::try_from(account.address.as_str())
            .unwrap_or_else(|_| Uri::try_from("sip:invalid").expect("literal URI"));
        let contact = endpoint.contact_uri(account);
        Identity {
            aor,
            display_name: account.display_name.clone(),
            auth_user: account.auth_user_name().to_string(),
            password,
            contact,
            challenge: Arc::default(),
        }
    }

    /// An Authorization for `method` on `uri` from the last challenge.
    fn preemptive(&self, method: &str, uri: &str) -> Option<Header> {
        let password = self.password.as_deref()?;
        let mut cached = self.challenge.lock().ok()?;
        let (code, challenge) = cached.as_mut()?;
        let answer = challenge
            .answer(&self.auth_user, password, method, uri)
            .ok()?;
        Some(authorization(*code, answer))
    }

    fn remember(&self, code: u16, challenge: &Challenge) {
        if let Ok(mut cached) = self.challenge.lock() {
            *cached = Some((code, challenge.clone()));
        }
    }
}

fn authorization(code: u16, answer: String) -> Header {
    if code == 407 {
        Header::ProxyAuthorization(ProxyAuthorization::new(answer))
    } else {
        Header::Authorization(Authorization::new(answer))
    }
}

/// Everything that varies between requests.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    pub method: Method,
    pub uri: Uri,
    pub to: Uri,
    pub to_tag: Option<String>,
    pub from_tag: String,
    pub call_id: String,
    /// CSeq of the next request; raised for each one sent (challenges too).
    pub cseq: u32,
    /// Route header values, in order.
    pub routes: Vec<String>,
    pub headers: Vec<Header>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl RequestSpec {
    /// A request outside any dialog, to `target`.
    pub fn new(method: Method, target: Uri) -> Self {
        RequestSpec {
            method,
            uri: target.clone(),
            to: target,
            to_tag: None,
            from_tag: make_tag().to_string(),
            call_id: new_call_id(),
            cseq: 1,
            routes: vec![],
            headers: vec![],
            content_type: None,
            body: vec![],
        }
    }
}

/// A fresh Call-ID.
pub fn new_call_id() -> String {
    format!("{}@hark", make_tag())
}

/// How a request ended.
#[derive(Debug, Clone)]
pub enum Reply {
    /// The final response (after any digest round).
    Response(Box<Response>),
    /// No final response came.
    Unreachable { why: Unreachable, detail: String },
}

impl Reply {
    /// The status code, 0 when there was no response.
    pub fn code(&self) -> u16 {
        match self {
            Reply::Response(r) => u16::from(r.status_code.clone()),
            Reply::Unreachable { .. } => 0,
        }
    }

    pub fn response(&self) -> Option<&Response> {
        match self {
            Reply::Response(r) => Some(r),
            Reply::Unreachable { .. } => None,
        }
    }

    /// A header of the response.
    pub fn header(&self, name: &str) -> Option<String> {
        self.response().and_then(|r| header(&r.headers, name))
    }

    /// A header holding seconds (Expires, Min-Expires, Retry-After).
    pub fn seconds(&self, name: &str) -> Option<u32> {
        self.header(name).and_then(|v| leading_number(&v))
    }

    /// When to try again: Min-Expires of a 423, else Retry-After.
    pub fn retry_hint(&self) -> Option<u32> {
        if self.code() == 423 {
            self.seconds("Min-Expires")
        } else {
            self.seconds("Retry-After")
        }
    }
}

/// Sends the request and waits for its final response, answering up to
/// one challenge (two when the first answer's nonce went stale).
pub async fn send(endpoint: &SipEndpoint, identity: &Identity, spec: &mut RequestSpec) -> Reply {
    let inner = &endpoint.inner;
    let via_addr = match via_address(endpoint).await {
        Ok(a) => a,
        Err(reply) => return reply,
    };
    let mut auth = identity.preemptive(&spec.method.to_string(), &spec.uri.to_string());
    let mut answered = 0;
    loop {
        let request = match build(inner, &via_addr, identity, spec, auth.as_ref()) {
            Ok(r) => r,
            Err(e) => {
                return Reply::Unreachable {
                    why: Unreachable::Network,
                    detail: e.to_string(),
                }
            }
        };
        let response = match exchange(endpoint, request).await {
            Ok(r) => r,
            Err(reply) => return reply,
        };
        match answer_challenge(identity, &response, spec, answered) {
            Some(a) => {
                answered += 1;
                auth = Some(a);
            }
            None => return Reply::Response(Box::new(response)),
        }
    }
}

/// Our address for Via: the connection the server is reached on.
pub async fn via_address(endpoint: &SipEndpoint) -> Result<rsipstack::transport::SipAddr, Reply> {
    match endpoint
        .inner
        .transport_layer
        .lookup(&endpoint.server_addr(), None)
        .await
    {
        Ok((conn, _)) => Ok(conn.get_addr().clone()),
        Err(e) => Err(Reply::Unreachable {
            why: unreachable_kind(&e),
            detail: e.to_string(),
        }),
    }
}

/// Builds the request `spec` describes (a new Via branch, our From with its
/// tag, To with the peer's tag, route set, extra headers, `auth`, body), and
/// raises `spec.cseq` for the next one.
pub fn build(
    inner: &rsipstack::transaction::endpoint::EndpointInnerRef,
    via_addr: &rsipstack::transport::SipAddr,
    identity: &Identity,
    spec: &mut RequestSpec,
    auth: Option<&Header>,
) -> Result<rsipstack::sip::Request, Box<rsipstack::Error>> {
    let via = inner.get_via(Some(via_addr.clone()), Some(make_via_branch()))?;
    let from = rsipstack::sip::typed::From {
        display_name: identity.display_name.clone(),
        uri: identity.aor.clone(),
        params: vec![],
    }
    .with_tag(spec.from_tag.clone().into());
    let mut to = rsipstack::sip::typed::To {
        display_name: None,
        uri: spec.to.clone(),
        params: vec![],
    };
    if let Some(tag) = &spec.to_tag {
        to = to.with_tag(tag.clone().into());
    }
    let mut request = inner.make_request(
        spec.method,
        spec.uri.clone(),
        via,
        from,
        to,
        spec.cseq,
        Some(spec.call_id.clone().into()),
    );
    spec.cseq += 1;
    for route in &spec.routes {
        request
            .headers
            .push(Header::Route(rsipstack::sip::headers::Route::new(route)));
    }
    for h in &spec.headers {
        request.headers.push(h.clone());
    }
    if let Some(a) = auth {
        request.headers.push(a.clone());
    }
    if let Some(ct) = &spec.content_type {
        request.headers.push(Header::ContentType(ct.clone().into()));
    }
    request
        .headers
        .push(Header::ContentLength((spec.body.len() as u32).into()));
    request.body = spec.body.clone();
    Ok(request)
}

/// The Authorization for a 401/407 `response` to `spec`'s request, when
/// we have a password and should answer (`answered` challenges so far:
/// one, or two when the nonce went stale). Remembers the challenge for
/// later requests.
pub fn answer_challenge(
    identity: &Identity,
    response: &Response,
    spec: &RequestSpec,
    answered: u32,
) -> Option<Header> {
    let code = u16::from(response.status_code.clone());
    let challenge_header = match code {
        401 => "WWW-Authenticate",
        407 => "Proxy-Authenticate",
        _ => return None,
    };
    let password = identity.password.as_deref()?;
    let value = header(&response.headers, challenge_header)?;
    let mut challenge = Challenge::parse(&value).ok()?;
    if answered >= 2 || (answered == 1 && !challenge.stale) {
        return None;
    }
    identity.remember(code, &challenge);
    let answer = challenge
        .answer(
            &identity.auth_user,
            password,
            &spec.method.to_string(),
            &spec.uri.to_string(),
        )
        .ok()?;
    Some(authorization(code, answer))
}

/// An Authorization for `spec` from the last challenge the server sent
/// (so each request is not challenged again).
pub fn preemptive_auth(identity: &Identity, spec: &RequestSpec) -> Option<Header> {
    identity.preemptive(&spec.method.to_string(), &spec.uri.to_string())
}

/// One client transaction: send, wait for the final response.
async fn exchange(
    endpoint: &SipEndpoint,
    request: rsipstack::sip::Request,
) -> Result<Response, Reply> {
    let inner = &endpoint.inner;
    let key = TransactionKey::from_request(&request, TransactionRole::Client).map_err(|e| {
        Reply::Unreachable {
            why: Unreachable::Network,
            detail: e.to_string(),
        }
    })?;
    let mut tx = Transaction::new_client(key, request, inner.clone(), None);
    tx.destination = Some(endpoint.server_addr());
    if let Err(e) = tx.send().await {
        return Err(Reply::Unreachable {
            why: unreachable_kind(&e),
            detail: e.to_string(),
        });
    }
    while let Some(msg) = tx.receive().await {
        if let SipMessage::Response(r) = msg {
            let code = u16::from(r.status_code.clone());
            if code < 200 {
                continue;
            }
            if code == 408 && is_local_timeout(&r) {
                break;
            }
            return Ok(r);
        }
    }
    Err(Reply::Unreachable {
        why: Unreachable::Timeout,
        detail: "no answer from the server".into(),
    })
}

/// Compact header names (RFC 3261 §7.3.3, RFC 6665 `o`, RFC 3515 `r`...).
const COMPACT: &[(&str, &str)] = &[
    ("call-id", "i"),
    ("contact", "m"),
    ("content-type", "c"),
    ("content-length", "l"),
    ("content-encoding", "e"),
    ("from", "f"),
    ("to", "t"),
    ("via", "v"),
    ("subject", "s"),
    ("supported", "k"),
    ("event", "o"),
    ("allow-events", "u"),
    ("refer-to", "r"),
    ("referred-by", "b"),
    ("session-expires", "x"),
];

fn name_matches(found: &str, wanted: &str) -> bool {
    let found = found.trim();
    if found.eq_ignore_ascii_case(wanted) {
        return true;
    }
    let wanted = wanted.to_ascii_lowercase();
    COMPACT
        .iter()
        .any(|(long, short)| *long == wanted && found.eq_ignore_ascii_case(short))
}

/// The value of the first header called `name` (case-insensitive, compact
/// forms too).
pub fn header(headers: &Headers, name: &str) -> Option<String> {
    headers.iter().find_map(|h| {
        let s = h.to_string();
        let (n, v) = s.split_once(':')?;
        name_matches(n, name).then(|| v.trim().to_string())
    })
}

/// Every value of the headers called `name`, split at top-level commas
/// (for Record-Route and the like).
pub fn header_values(headers: &Headers, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for h in headers.iter() {
        let s = h.to_string();
        let Some((n, v)) = s.split_once(':') else {
            continue;
        };
        if name_matches(n, name) {
            out.extend(split_top_level(v));
        }
    }
    out
}

/// Splits a header value at commas outside `<...>` and quotes.
pub fn split_top_level(value: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in value.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => depth += 1,
            '>' if !quoted => depth -= 1,
            ',' if !quoted && depth <= 0 => {
                parts.push(value[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(value[start..].trim().to_string());
    parts.retain(|p| !p.is_empty());
    parts
}

/// The `tag` parameter of a From or To header value.
pub fn tag_of(value: &str) -> Option<String> {
    let params = match value.rfind('>') {
        Some(i) => &value[i + 1..],
        None => value,
    };
    params.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("tag")
            .then(|| v.trim().to_string())
    })
}

/// The URI inside a name-addr (`"Bob" <sip:bob@x>;tag=1` → `sip:bob@x`) or
/// an addr-spec (`sip:bob@x;tag=1` → `sip:bob@x`).
pub fn uri_of(value: &str) -> String {
    match (value.find('<'), value.find('>')) {
        (Some(a), Some(b)) if a < b => value[a + 1..b].trim().to_string(),
        _ => value.split(';').next().unwrap_or(value).trim().to_string(),
    }
}

/// The number a header value starts with (`3600;refresher=uac` → 3600).
pub fn leading_number(value: &str) -> Option<u32> {
    value
        .trim()
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_value_helpers() {
        assert_eq!(
            split_top_level(r#"<sip:a;lr>, "x,y" <sip:b>,<sip:c>"#),
            vec!["<sip:a;lr>", r#""x,y" <sip:b>"#, "<sip:c>"]
        );
        assert_eq!(
            tag_of("\"A;b\" <sip:a@x;tag=no>;tag=abc"),
            Some("abc".into())
        );
        assert_eq!(tag_of("sip:a@x;tag=q"), Some("q".into()));
        assert_eq!(tag_of("<sip:a@x>"), None);
        assert_eq!(
            uri_of("\"Bob\" <sip:bob@x;transport=tcp>;tag=1"),
            "sip:bob@x;transport=tcp"
        );
        assert_eq!(uri_of("sip:bob@x;tag=1"), "sip:bob@x");
        assert_eq!(leading_number(" 3600;refresher=uac"), Some(3600));
        assert_eq!(leading_number("soon"), None);
        assert!(name_matches("o", "Event"));
        assert!(name_matches("EVENT", "event"));
        assert!(!name_matches("e", "event"));
    }
}
