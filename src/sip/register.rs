//! REGISTER and keep-alive exchanges with the registrar, reduced to a typed
//! [`Outcome`]. Digest authentication (MD5, SHA-256; 401 and 407), rport
//! and the Contact rewrite from `received`/`rport` come from rsipstack's
//! registration client; this module chooses what to send and classifies
//! what came back.

use std::time::Duration;

use rsipstack::dialog::registration::Registration;
use rsipstack::sip::{Header, Method, Param, Response, StatusCode, Uri};
use rsipstack::transaction::key::{TransactionKey, TransactionRole};
use rsipstack::transaction::transaction::Transaction;
use rsipstack::transaction::{make_tag, make_via_branch};

use super::digest::Challenge;
use super::endpoint::{sip_transport, SipEndpoint};
use super::request::header;
use crate::config::{AccountConfig, Transport};

/// Why no response came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreachable {
    Timeout,
    Refused,
    NameNotFound,
    Network,
}

/// What one REGISTER came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// 2xx; the lifetime the registrar granted our binding.
    Registered { expires: u32 },
    /// A final error response. `auth_sent`: our credentials were offered.
    Rejected {
        code: u16,
        reason: String,
        auth_sent: bool,
        /// Min-Expires of a 423 or Retry-After of a 503, in seconds.
        hint_secs: Option<u32>,
    },
    /// No response.
    Unreachable { why: Unreachable, detail: String },
}

/// Registers one address of record through one endpoint.
pub struct Registrar {
    registration: Registration,
    request_uri: Uri,
    password: Option<String>,
    auth_user: String,
    aor: Uri,
    display_name: Option<String>,
    /// Where REGISTERs go, and whether over a stream transport.
    server: rsipstack::transport::SipAddr,
    stream: bool,
}

impl Registrar {
    pub fn new(endpoint: &SipEndpoint, account: &AccountConfig, password: Option<String>) -> Self {
        // Challenges are answered here (see `digest`), not by rsipstack,
        // whose parser refuses RFC 8760's "SHA-256" algorithm name.
        let mut registration = Registration::new(endpoint.inner.clone(), None);
        registration.outbound_proxy = Some(endpoint.server);
        let contact_uri = endpoint.contact_uri(account);
        let mut request_uri = Uri::try_from(format!("sip:{}", account.domain()).as_str())
            .unwrap_or_else(|_| Uri::try_from("sip:invalid").expect("literal URI"));
        if account.transport != Transport::Udp {
            request_uri
                .params
                .push(Param::Transport(sip_transport(account.transport)));
        }
        registration.contact = Some(rsipstack::sip::typed::Contact {
            display_name: account.display_name.clone(),
            uri: contact_uri,
            params: vec![],
        });
        let aor = Uri::try_from(account.address.as_str()).unwrap_or_else(|_| request_uri.clone());
        Registrar {
            registration,
            request_uri,
            password,
            aor,
            display_name: account.display_name.clone(),
            auth_user: account.auth_user_name().to_string(),
            server: endpoint.server_addr(),
            stream: account.transport != Transport::Udp,
        }
    }

    /// Sends a REGISTER asking for `expires` seconds (0 removes our binding)
    /// and waits for its final outcome (timer F bounds the wait).
    pub async fn register(&mut self, expires: u32) -> Outcome {
        // rsipstack retries a failed TCP dial on its timers until timer F;
        // dial first so a refused connection is reported at once.
        if self.stream {
            let inner = &self.registration.endpoint;
            if let Err(e) = inner.transport_layer.lookup(&self.server, None).await {
                return Outcome::Unreachable {
                    why: unreachable_kind(&e),
                    detail: e.to_string(),
                };
            }
        }
        self.registration.extra_headers = self.identity_headers();
        let mut answered = 0;
        loop {
            let resp = match self
                .registration
                .register(self.request_uri.clone(), Some(expires))
                .await
            {
                Ok(resp) => resp,
                Err(e) => {
                    return Outcome::Unreachable {
                        why: unreachable_kind(&e),
                        detail: e.to_string(),
                    }
                }
            };
            let code = u16::from(resp.status_code.clone());
            let challenge_header = match code {
                401 => "WWW-Authenticate",
                407 => "Proxy-Authenticate",
                _ => return self.classify(&resp, expires, answered > 0),
            };
            let Some(password) = self.password.as_deref() else {
                return self.classify(&resp, expires, false);
            };
            let Some(value) = header(&resp.headers, challenge_header) else {
                return self.classify(&resp, expires, answered > 0);
            };
            let unusable = |e: super::digest::DigestError| Outcome::Rejected {
                code,
                reason: e.to_string(),
                auth_sent: false,
                hint_secs: None,
            };
            let mut challenge = match Challenge::parse(&value) {
                Ok(c) => c,
                Err(e) => return unusable(e),
            };
            // One answer per challenge; a second only for an expired nonce.
            if answered >= 2 || (answered == 1 && !challenge.stale) {
                return self.classify(&resp, expires, true);
            }
            let uri = self.request_uri.to_string();
            let answer = match challenge.answer(&self.auth_user, password, "REGISTER", &uri) {
                Ok(a) => a,
                Err(e) => return unusable(e),
            };
            answered += 1;
            let mut headers = self.identity_headers();
            headers.push(if code == 407 {
                Header::ProxyAuthorization(rsipstack::sip::headers::ProxyAuthorization::new(answer))
            } else {
                Header::Authorization(rsipstack::sip::headers::Authorization::new(answer))
            });
            self.registration.extra_headers = headers;
        }
    }

    /// From and To carry our address of record. rsipstack derives them from
    /// its own credential, which we don't give it (see `new`), so set them here.
    fn identity_headers(&self) -> Vec<Header> {
        let to = rsipstack::sip::typed::To {
            display_name: self.display_name.clone(),
            uri: self.aor.clone(),
            params: vec![],
        };
        let from = rsipstack::sip::typed::From {
            display_name: self.display_name.clone(),
            uri: self.aor.clone(),
            params: vec![],
        }
        .with_tag(make_tag());
        vec![Header::From(from.into()), Header::To(to.into())]
    }

    fn classify(&self, resp: &Response, expires: u32, auth_sent: bool) -> Outcome {
        let code = u16::from(resp.status_code.clone());
        if (200..300).contains(&code) {
            let granted = if expires == 0 {
                0
            } else {
                self.registration.expires()
            };
            return Outcome::Registered { expires: granted };
        }
        if resp.status_code == StatusCode::RequestTimeout && is_local_timeout(resp) {
            return Outcome::Unreachable {
                why: Unreachable::Timeout,
                detail: "no answer from the server".into(),
            };
        }
        let hint_secs = match code {
            423 => header(&resp.headers, "Min-Expires"),
            503 => header(&resp.headers, "Retry-After"),
            _ => None,
        }
        .and_then(|v| v.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok());
        Outcome::Rejected {
            code,
            reason: reason_phrase(resp),
            auth_sent,
            hint_secs,
        }
    }
}

/// The reason phrase as the server sent it (Kamailio's "User Not Found"),
/// else the standard one for the code.
pub(crate) fn reason_phrase(resp: &Response) -> String {
    let text = resp.status_code.text();
    if text.is_empty() {
        resp.status_code.to_string()
    } else {
        text.to_string()
    }
}

/// A 408 made by our own transaction layer has no To tag from a server.
pub(crate) fn is_local_timeout(resp: &Response) -> bool {
    !resp.headers.iter().any(|h| match h {
        Header::To(to) => to.value().contains("tag="),
        _ => false,
    })
}

pub(crate) fn unreachable_kind(e: &rsipstack::Error) -> Unreachable {
    use std::io::ErrorKind;
    match e {
        rsipstack::Error::DnsResolutionError(_) => Unreachable::NameNotFound,
        rsipstack::Error::IoError(io) => match io.kind() {
            ErrorKind::ConnectionRefused => Unreachable::Refused,
            ErrorKind::TimedOut => Unreachable::Timeout,
            _ => Unreachable::Network,
        },
        other => {
            let s = other.to_string().to_ascii_lowercase();
            if s.contains("refused") {
                Unreachable::Refused
            } else if s.contains("timed out") || s.contains("timeout") || s.contains("terminated") {
                Unreachable::Timeout
            } else {
                Unreachable::Network
            }
        }
    }
}

/// Sends an OPTIONS to the server and reports whether any response came
/// within `wait`. Any final response (even 404 or 405) proves it is alive.
pub async fn keepalive(endpoint: &SipEndpoint, account: &AccountConfig, wait: Duration) -> bool {
    let inner = &endpoint.inner;
    let target = endpoint.server_addr();
    let via_addr = match inner.transport_layer.lookup(&target, None).await {
        Ok((conn, _)) => Some(conn.get_addr().clone()),
        Err(_) => return false,
    };
    let Ok(via) = inner.get_via(via_addr, Some(make_via_branch())) else {
        return false;
    };
    let Ok(me) = Uri::try_from(account.address.as_str()) else {
        return false;
    };
    let mut server =
        Uri::try_from(format!("sip:{}", account.domain()).as_str()).unwrap_or_else(|_| me.clone());
    server.auth = None;
    let from = rsipstack::sip::typed::From {
        display_name: None,
        uri: me,
        params: vec![],
    }
    .with_tag(make_tag());
    let to = rsipstack::sip::typed::To {
        display_name: None,
        uri: server.clone(),
        params: vec![],
    };
    let request = inner.make_request(Method::Options, server, via, from, to, 1, None);
    let Ok(key) = TransactionKey::from_request(&request, TransactionRole::Client) else {
        return false;
    };
    let mut tx = Transaction::new_client(key, request, inner.clone(), None);
    tx.destination = Some(target);
    if tx.send().await.is_err() {
        return false;
    }
    let answered = async {
        while let Some(msg) = tx.receive().await {
            if let rsipstack::sip::SipMessage::Response(r) = msg {
                let code = u16::from(r.status_code.clone());
                if code >= 200 {
                    return !(code == 408 && is_local_timeout(&r));
                }
            }
        }
        false
    };
    tokio::time::timeout(wait, answered).await.unwrap_or(false)
}
