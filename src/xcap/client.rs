//! The HTTP side of XCAP: GET and PUT of one document with digest
//! authentication (the challenge is remembered, so later requests answer it
//! at once), and the driver that carries a [`ConditionalWrite`] through its
//! GET/PUT steps until it is written or fails.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, ETAG, IF_MATCH};
use reqwest::{Method, StatusCode};
use tokio::sync::Mutex;

use crate::presence::xcap::{ConditionalWrite, Document, WriteStep};
use crate::sip::digest::Challenge;

/// Longest wait for one HTTP exchange.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest document read (a 5,000-entry resource list is far below).
const MAX_BODY: usize = 8 << 20;

/// Why no HTTP answer could be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XcapIoError {
    #[error("the XCAP server could not be reached: {0}")]
    Unreachable(String),
    #[error("the XCAP server sent more than {MAX_BODY} bytes")]
    TooLarge,
    #[error("bad XCAP URL {0}")]
    BadUrl(String),
}

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpReply {
    pub status: u16,
    pub etag: Option<String>,
    pub body: Vec<u8>,
}

/// Talks to one XCAP server as one user.
pub struct XcapClient {
    http: reqwest::Client,
    user: String,
    password: Option<String>,
    challenge: Mutex<Option<Challenge>>,
}

impl XcapClient {
    pub fn new(user: &str, password: Option<String>) -> Result<XcapClient, XcapIoError> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            // XCAP traffic is rare; a pooled connection the server has
            // closed meanwhile would only fail the next request.
            .pool_max_idle_per_host(0)
            .user_agent(format!("Hark/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| XcapIoError::Unreachable(e.to_string()))?;
        Ok(XcapClient {
            http,
            user: user.to_string(),
            password,
            challenge: Mutex::new(None),
        })
    }

    pub async fn get(&self, url: &str) -> Result<HttpReply, XcapIoError> {
        self.request(Method::GET, url, HeaderMap::new(), None).await
    }

    pub async fn put(
        &self,
        url: &str,
        content_type: &str,
        body: String,
        if_match: Option<&str>,
        create_only: bool,
    ) -> Result<HttpReply, XcapIoError> {
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(content_type) {
            headers.insert(CONTENT_TYPE, v);
        }
        if let Some(tag) = if_match.and_then(|t| HeaderValue::from_str(t).ok()) {
            headers.insert(IF_MATCH, tag);
        } else if create_only {
            headers.insert(
                reqwest::header::IF_NONE_MATCH,
                HeaderValue::from_static("*"),
            );
        }
        self.request(Method::PUT, url, headers, Some(body.into_bytes()))
            .await
    }

    /// Carries a conditional write through until it is done or failed.
    pub async fn write<F>(
        &self,
        write: &mut ConditionalWrite<F>,
        cached: Option<&Document>,
    ) -> Result<WriteStep, XcapIoError>
    where
        F: Fn(Option<&[u8]>) -> Result<String, String>,
    {
        let mut step = write.start(cached);
        loop {
            let reply = match &step {
                WriteStep::Get { url } => self.get(url).await?,
                WriteStep::Put {
                    url,
                    content_type,
                    body,
                    if_match,
                    create_only,
                } => {
                    self.put(
                        url,
                        content_type,
                        body.clone(),
                        if_match.as_deref(),
                        *create_only,
                    )
                    .await?
                }
                WriteStep::Done { .. } | WriteStep::Failed(_) => return Ok(step),
            };
            step = write.on_response(reply.status, reply.etag.as_deref(), &reply.body);
        }
    }

    async fn request(
        &self,
        method: Method,
        url: &str,
        headers: HeaderMap,
        body: Option<Vec<u8>>,
    ) -> Result<HttpReply, XcapIoError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| XcapIoError::BadUrl(url.to_string()))?;
        let target = match parsed.query() {
            Some(q) => format!("{}?{q}", parsed.path()),
            None => parsed.path().to_string(),
        };
        let mut answered = 0;
        loop {
            let mut h = headers.clone();
            if let Some(auth) = self.authorization(method.as_str(), &target).await {
                if let Ok(v) = HeaderValue::from_str(&auth) {
                    h.insert(AUTHORIZATION, v);
                }
            }
            let mut req = self.http.request(method.clone(), parsed.clone()).headers(h);
            if let Some(b) = &body {
                req = req.body(b.clone());
            }
            let resp = req
                .send()
                .await
                .map_err(|e| XcapIoError::Unreachable(error_chain(&e)))?;
            let status = resp.status();
            let etag = resp
                .headers()
                .get(ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let challenge = resp
                .headers()
                .get(reqwest::header::WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| XcapIoError::Unreachable(e.to_string()))?;
            if bytes.len() > MAX_BODY {
                return Err(XcapIoError::TooLarge);
            }
            if status == StatusCode::UNAUTHORIZED && self.password.is_some() {
                if let Some(parsed) = challenge.and_then(|c| Challenge::parse(&c).ok()) {
                    let stale = parsed.stale;
                    *self.challenge.lock().await = Some(parsed);
                    // One answer per challenge; a second for an expired nonce.
                    if answered == 0 || (answered == 1 && stale) {
                        answered += 1;
                        continue;
                    }
                }
            }
            return Ok(HttpReply {
                status: status.as_u16(),
                etag,
                body: bytes.to_vec(),
            });
        }
    }

    async fn authorization(&self, method: &str, target: &str) -> Option<String> {
        let password = self.password.as_deref()?;
        let mut guard = self.challenge.lock().await;
        let challenge = guard.as_mut()?;
        challenge.answer(&self.user, password, method, target).ok()
    }
}

/// An error with its causes ("error sending request: connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
