//! The life of one event state publication (RFC 3903), sans-IO: initial
//! PUBLISH with a body, refresh with SIP-If-Match and no body, modify with
//! SIP-If-Match and the new body, remove with Expires: 0 on quit, and a
//! fresh start when the server forgot our entity tag (412). The driver sends
//! what it asks for and feeds back the responses and the time.

use std::time::Instant;

use serde::{Deserialize, Serialize};

/// Knobs of the machine.
pub type PublicationPolicy = super::refresh_policy::RefreshPolicy;

/// Inputs besides time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Publish this document (first time, or a change).
    Publish(Vec<u8>),
    /// Remove the publication and stop.
    Stop,
    /// The final response to our last PUBLISH. `code` 0: none came.
    Response {
        code: u16,
        etag: Option<String>,
        expires: Option<u32>,
        /// Min-Expires of a 423, Retry-After of a 503 (seconds).
        hint_secs: Option<u32>,
    },
    /// The server may have lost our state (it restarted): publish the
    /// document again.
    Reset,
}

/// A PUBLISH to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish {
    pub expires: u32,
    pub if_match: Option<String>,
    /// None: a refresh or a removal (no body).
    pub body: Option<Vec<u8>>,
}

impl Publish {
    /// The PUBLISH of `event` for `aor` (RFC 3903): Expires, SIP-If-Match
    /// and the body as `content_type`.
    pub fn request(
        &self,
        aor: &rsipstack::sip::Uri,
        event: &str,
        content_type: &str,
    ) -> super::request::RequestSpec {
        use rsipstack::sip::Header;
        let mut spec =
            super::request::RequestSpec::new(rsipstack::sip::Method::Publish, aor.clone());
        spec.headers = vec![
            Header::Event(event.to_string().into()),
            Header::Expires(self.expires.into()),
        ];
        if let Some(etag) = &self.if_match {
            spec.headers
                .push(Header::Other("SIP-If-Match".into(), etag.clone()));
        }
        if let Some(body) = &self.body {
            spec.content_type = Some(content_type.into());
            spec.body = body.clone();
        }
        spec
    }
}

impl Input {
    /// The input for the final answer to our PUBLISH.
    pub fn response(reply: &super::request::Reply) -> Input {
        Input::Response {
            code: reply.code(),
            etag: reply.header("SIP-ETag"),
            expires: reply.seconds("Expires"),
            hint_secs: reply.retry_hint(),
        }
    }
}

/// What the driver must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Send(Publish),
    State(PublicationState),
    Finished,
}

/// The state of the publication as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PublicationState {
    Idle,
    Publishing,
    Published,
    Retrying {
        reason: String,
        retry_in_ms: u64,
    },
    /// The server will not take it (403, 489...): only a user action helps.
    Refused {
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Sending,
    Published {
        refresh_at: Instant,
    },
    Backoff {
        until: Instant,
    },
    Refused,
    /// Stop asked: a removal is in flight (`sent`) or waits for the
    /// in-flight PUBLISH to finish.
    Stopping {
        sent: bool,
    },
    Done,
}

/// One publication's state machine.
#[derive(Debug)]
pub struct PublicationMachine {
    policy: PublicationPolicy,
    phase: Phase,
    shown: PublicationState,
    body: Option<Vec<u8>>,
    etag: Option<String>,
    in_flight: bool,
    /// The body changed while a request was in flight.
    dirty: bool,
    failures: u32,
    expires: u32,
}

impl PublicationMachine {
    pub fn new(policy: PublicationPolicy) -> Self {
        let expires = policy.requested_expires;
        PublicationMachine {
            policy,
            phase: Phase::Idle,
            shown: PublicationState::Idle,
            body: None,
            etag: None,
            in_flight: false,
            dirty: false,
            failures: 0,
            expires,
        }
    }

    pub fn state(&self) -> &PublicationState {
        &self.shown
    }

    /// The entity tag the server gave our current publication.
    pub fn etag(&self) -> Option<&str> {
        self.etag.as_deref()
    }

    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Done
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.phase {
            Phase::Published { refresh_at } if !self.in_flight => Some(refresh_at),
            Phase::Backoff { until } => Some(until),
            _ => None,
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) -> Vec<Output> {
        match self.phase {
            Phase::Published { refresh_at } if !self.in_flight && now >= refresh_at => {
                self.send(false)
            }
            Phase::Backoff { until } if now >= until => self.send(true),
            _ => vec![],
        }
    }

    pub fn handle_input(&mut self, input: Input, now: Instant) -> Vec<Output> {
        match input {
            Input::Publish(body) => {
                if matches!(self.phase, Phase::Stopping { .. } | Phase::Done) {
                    return vec![];
                }
                self.body = Some(body);
                if self.in_flight {
                    self.dirty = true;
                    return vec![];
                }
                if self.phase == Phase::Refused {
                    self.failures = 0;
                }
                self.send(true)
            }
            Input::Reset => {
                if self.body.is_none() || matches!(self.phase, Phase::Stopping { .. } | Phase::Done)
                {
                    return vec![];
                }
                if self.in_flight {
                    self.dirty = true;
                    return vec![];
                }
                self.send(true)
            }
            Input::Stop => self.stop(),
            Input::Response {
                code,
                etag,
                expires,
                hint_secs,
            } => self.response(code, etag, expires, hint_secs, now),
        }
    }

    /// `with_body`: send the document (initial or modify); else a refresh.
    fn send(&mut self, with_body: bool) -> Vec<Output> {
        let Some(body) = self.body.clone() else {
            return vec![];
        };
        self.in_flight = true;
        self.dirty = false;
        self.phase = Phase::Sending;
        let mut out = vec![Output::Send(Publish {
            expires: self.expires,
            if_match: self.etag.clone(),
            body: (with_body || self.etag.is_none()).then_some(body),
        })];
        if !matches!(self.shown, PublicationState::Published) {
            out.extend(self.show(PublicationState::Publishing));
        }
        out
    }

    fn show(&mut self, state: PublicationState) -> Vec<Output> {
        if self.shown == state {
            return vec![];
        }
        self.shown = state.clone();
        vec![Output::State(state)]
    }

    fn stop(&mut self) -> Vec<Output> {
        match self.phase {
            Phase::Stopping { .. } | Phase::Done => vec![],
            _ if self.in_flight => {
                self.phase = Phase::Stopping { sent: false };
                vec![]
            }
            _ => self.remove(),
        }
    }

    fn remove(&mut self) -> Vec<Output> {
        let mut out = self.show(PublicationState::Idle);
        match self.etag.take() {
            Some(etag) => {
                self.phase = Phase::Stopping { sent: true };
                self.in_flight = true;
                out.insert(
                    0,
                    Output::Send(Publish {
                        expires: 0,
                        if_match: Some(etag),
                        body: None,
                    }),
                );
            }
            None => {
                self.phase = Phase::Done;
                out.push(Output::Finished);
            }
        }
        out
    }

    fn response(
        &mut self,
        code: u16,
        etag: Option<String>,
        expires: Option<u32>,
        hint_secs: Option<u32>,
        now: Instant,
    ) -> Vec<Output> {
        self.in_flight = false;
        if let Phase::Stopping { sent } = self.phase {
            if !sent {
                if (200..300).contains(&code) {
                    self.etag = etag.or(self.etag.take());
                }
                return self.remove();
            }
            self.phase = Phase::Done;
            return vec![Output::Finished];
        }
        if self.phase != Phase::Sending {
            return vec![];
        }
        match code {
            200..=299 => {
                self.failures = 0;
                if etag.is_some() {
                    self.etag = etag;
                }
                if self.dirty {
                    return self.send(true);
                }
                let granted = expires.unwrap_or(self.expires);
                self.phase = Phase::Published {
                    refresh_at: self.policy.refresh_at(granted, now),
                };
                self.show(PublicationState::Published)
            }
            412 => {
                // The server no longer knows our entity tag: start afresh.
                self.etag = None;
                self.send(true)
            }
            423 => {
                if let Some(min) = hint_secs {
                    self.expires = min.max(self.expires);
                }
                self.send(true)
            }
            403 | 404 | 405 | 489 | 401 | 407 | 415 | 501 => {
                self.etag = None;
                self.phase = Phase::Refused;
                self.show(PublicationState::Refused {
                    reason: format!("{code} refused by the server"),
                })
            }
            _ => {
                self.failures = self.failures.saturating_add(1);
                let delay = self.policy.retry_delay(self.failures, hint_secs);
                self.phase = Phase::Backoff { until: now + delay };
                let reason = if code == 0 {
                    "no answer from the server".to_string()
                } else {
                    format!("{code} from the server")
                };
                self.show(PublicationState::Retrying {
                    reason,
                    retry_in_ms: delay.as_millis() as u64,
                })
            }
        }
    }
}

#[cfg(test)]
#[path = "publication_tests.rs"]
mod tests;
