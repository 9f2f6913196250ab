//! The registration state machine of one account, sans-IO: it is fed
//! outcomes of REGISTER and keep-alive attempts together with the current
//! time, and answers with what to send next, the state the user should see,
//! and when it wants to be woken. It decides refresh timing, back-off,
//! which failures are worth retrying and the un-REGISTER on quit; the
//! driver in `account.rs` only carries its actions out.

use std::time::{Duration, Instant};

use super::api::{FailureKind, FailureReason, RegistrationState};

/// Knobs of the machine; defaults follow common practice (RFC 3261, 5626).
#[derive(Debug, Clone)]
pub struct RegistrationPolicy {
    /// Expires we ask for.
    pub requested_expires: u32,
    /// First retry delay after a failure; doubles per failure.
    pub min_backoff: Duration,
    /// Longest delay between retries.
    pub max_backoff: Duration,
    /// Interval of keep-alives while registered (None: none).
    pub keepalive: Option<Duration>,
    /// Seed for the retry jitter, so tests are repeatable.
    pub jitter_seed: u64,
}

impl Default for RegistrationPolicy {
    fn default() -> Self {
        RegistrationPolicy {
            requested_expires: 600,
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            keepalive: Some(Duration::from_secs(30)),
            jitter_seed: 0x9e37_79b9_7f4a_7c15,
        }
    }
}

/// What came back from one REGISTER attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// 2xx with the lifetime the registrar granted.
    Registered { expires: u32 },
    /// A final non-2xx response. `auth_sent`: we had already answered a challenge.
    Rejected {
        code: u16,
        reason: String,
        auth_sent: bool,
        /// Min-Expires of a 423, Retry-After of a 503 (seconds).
        hint_secs: Option<u32>,
    },
    /// No response: the transport or the transaction failed.
    Unreachable { kind: FailureKind, detail: String },
}

/// Inputs besides time.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Start registering (at boot, or the user's "retry now").
    Start,
    /// Unregister and stop (quit, or the user's "unregister").
    Stop,
    /// The REGISTER we sent has finished.
    Registered(Outcome),
    /// A keep-alive finished: `true` when the server answered.
    KeepaliveAnswered(bool),
    /// The connection carrying our registration closed (TCP/TLS).
    FlowLost,
}

/// What the driver must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Send a REGISTER asking for this lifetime (0: remove the binding).
    SendRegister { expires: u32 },
    /// Send a keep-alive to the registrar.
    SendKeepalive,
    /// Tell the user.
    State(RegistrationState),
    /// Stop was asked and is done: the driver may exit.
    Finished,
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Idle,
    /// A REGISTER for a new binding is in flight.
    Registering,
    Registered {
        expires: u32,
        refresh_at: Instant,
        keepalive_at: Option<Instant>,
        /// A refresh or keep-alive is in flight.
        busy: bool,
    },
    Backoff {
        until: Instant,
    },
    Failed,
    /// Un-REGISTER in flight (or waiting for an in-flight REGISTER to end first).
    Unregistering {
        binding_may_exist: bool,
    },
    Done,
}

/// One account's registration state machine.
#[derive(Debug)]
pub struct RegistrationMachine {
    policy: RegistrationPolicy,
    phase: Phase,
    failures: u32,
    in_flight: bool,
    rng: u64,
    /// Expires to ask for next (raised by a 423).
    expires: u32,
}

impl RegistrationMachine {
    pub fn new(policy: RegistrationPolicy) -> Self {
        let expires = policy.requested_expires;
        let rng = policy.jitter_seed | 1;
        RegistrationMachine {
            policy,
            phase: Phase::Idle,
            failures: 0,
            in_flight: false,
            rng,
            expires,
        }
    }

    /// True once a Stop has fully completed.
    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Done
    }

    /// True while a REGISTER (or keep-alive) is awaited.
    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    /// When the machine next wants `handle_timeout`.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.phase {
            Phase::Registered {
                refresh_at,
                keepalive_at,
                busy: false,
                ..
            } => Some(match keepalive_at {
                Some(k) => (*k).min(*refresh_at),
                None => *refresh_at,
            }),
            Phase::Backoff { until } => Some(*until),
            _ => None,
        }
    }

    pub fn handle_input(&mut self, input: Input, now: Instant) -> Vec<Output> {
        let mut out = Vec::new();
        match input {
            Input::Start => match self.phase {
                Phase::Registering | Phase::Registered { .. } => {}
                Phase::Unregistering { .. } | Phase::Done => {}
                _ => {
                    self.failures = 0;
                    self.begin_register(&mut out);
                }
            },
            Input::Stop => self.stop(&mut out),
            Input::Registered(outcome) => {
                self.in_flight = false;
                self.on_outcome(outcome, now, &mut out);
            }
            Input::KeepaliveAnswered(ok) => {
                self.in_flight = false;
                if let Phase::Registered {
                    keepalive_at, busy, ..
                } = &mut self.phase
                {
                    *busy = false;
                    if ok {
                        *keepalive_at = self.policy.keepalive.map(|k| now + k);
                    } else {
                        self.lost(now, &mut out);
                    }
                } else if let Phase::Unregistering { .. } = self.phase {
                    self.send_unregister_or_finish(&mut out);
                }
            }
            Input::FlowLost => {
                if matches!(self.phase, Phase::Registered { .. }) && !self.in_flight {
                    self.lost(now, &mut out);
                }
            }
        }
        out
    }

    pub fn handle_timeout(&mut self, now: Instant) -> Vec<Output> {
        let mut out = Vec::new();
        match &mut self.phase {
            Phase::Registered {
                refresh_at,
                keepalive_at,
                busy,
                ..
            } if !*busy => {
                if now >= *refresh_at {
                    *busy = true;
                    self.in_flight = true;
                    out.push(Output::SendRegister {
                        expires: self.expires,
                    });
                } else if keepalive_at.is_some_and(|k| now >= k) {
                    *busy = true;
                    self.in_flight = true;
                    out.push(Output::SendKeepalive);
                }
            }
            Phase::Backoff { until } if now >= *until => self.begin_register(&mut out),
            _ => {}
        }
        out
    }

    fn begin_register(&mut self, out: &mut Vec<Output>) {
        self.phase = Phase::Registering;
        self.in_flight = true;
        out.push(Output::State(RegistrationState::Registering));
        out.push(Output::SendRegister {
            expires: self.expires,
        });
    }

    fn stop(&mut self, out: &mut Vec<Output>) {
        let binding_may_exist = match self.phase {
            Phase::Registered { .. } | Phase::Registering => true,
            Phase::Unregistering { .. } | Phase::Done => return,
            _ => false,
        };
        self.phase = Phase::Unregistering { binding_may_exist };
        if !self.in_flight {
            self.send_unregister_or_finish(out);
        }
    }

    fn send_unregister_or_finish(&mut self, out: &mut Vec<Output>) {
        let Phase::Unregistering { binding_may_exist } = &mut self.phase else {
            return;
        };
        if *binding_may_exist {
            *binding_may_exist = false;
            self.in_flight = true;
            out.push(Output::SendRegister { expires: 0 });
        } else {
            self.phase = Phase::Done;
            out.push(Output::State(RegistrationState::Unregistered));
            out.push(Output::Finished);
        }
    }

    fn on_outcome(&mut self, outcome: Outcome, now: Instant, out: &mut Vec<Output>) {
        if let Phase::Unregistering { binding_may_exist } = &mut self.phase {
            // The in-flight REGISTER that was overtaken by Stop just ended:
            // if it created a binding, remove it; an un-REGISTER's own end finishes.
            if !matches!(outcome, Outcome::Registered { expires } if expires > 0) {
                *binding_may_exist = false;
            }
            self.send_unregister_or_finish(out);
            return;
        }
        let was_registered = matches!(self.phase, Phase::Registered { .. });
        match outcome {
            Outcome::Registered { expires } => {
                self.failures = 0;
                let expires = expires.max(1);
                self.phase = Phase::Registered {
                    expires,
                    refresh_at: now + refresh_delay(expires),
                    keepalive_at: self.policy.keepalive.map(|k| now + k),
                    busy: false,
                };
                if !was_registered {
                    out.push(Output::State(RegistrationState::Registered { expires }));
                }
            }
            Outcome::Rejected {
                code,
                reason,
                auth_sent,
                hint_secs,
            } => {
                if code == 423 {
                    if let Some(min) = hint_secs {
                        if min > self.expires {
                            self.expires = min;
                            self.begin_register(out);
                            return;
                        }
                    }
                }
                let kind = classify(code, &reason, auth_sent);
                let detail = format!("{code} {reason}");
                let retry_after = (code == 503).then_some(hint_secs).flatten();
                self.fail(kind, detail, retry_after, now, out);
            }
            Outcome::Unreachable { kind, detail } => {
                let kind = if was_registered && !kind.needs_user() {
                    FailureKind::ServerLost
                } else {
                    kind
                };
                self.fail(kind, detail, None, now, out)
            }
        }
    }

    /// The server stopped answering while we were registered.
    fn lost(&mut self, now: Instant, out: &mut Vec<Output>) {
        self.failures = 0;
        self.fail(
            FailureKind::ServerLost,
            "the server stopped answering".into(),
            Some(0),
            now,
            out,
        );
    }

    fn fail(
        &mut self,
        kind: FailureKind,
        detail: String,
        retry_after_secs: Option<u32>,
        now: Instant,
        out: &mut Vec<Output>,
    ) {
        let reason = FailureReason { kind, detail };
        if kind.needs_user() {
            self.phase = Phase::Failed;
            out.push(Output::State(RegistrationState::Failed { reason }));
            return;
        }
        let delay = match retry_after_secs {
            Some(s) => Duration::from_secs(u64::from(s)),
            None => {
                let d = self.backoff();
                self.failures += 1;
                d
            }
        };
        self.phase = Phase::Backoff { until: now + delay };
        out.push(Output::State(RegistrationState::Retrying {
            reason,
            retry_in_ms: delay.as_millis() as u64,
        }));
    }

    /// min_backoff * 2^failures, capped, with 0-20 % jitter off the top.
    fn backoff(&mut self) -> Duration {
        let base = self
            .policy
            .min_backoff
            .saturating_mul(1u32 << self.failures.min(16))
            .min(self.policy.max_backoff);
        // xorshift64: deterministic per seed, no global RNG inside the machine.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let jitter = (self.rng % 200) as u32; // per mille
        base - base * jitter / 1000
    }
}

/// Refresh well before expiry: at 85 % of the lifetime, but never later than
/// 5 s before it ends and never sooner than 1 s after the grant.
pub fn refresh_delay(expires: u32) -> Duration {
    let e = u64::from(expires) * 1000;
    let at = (e * 85 / 100)
        .min(e.saturating_sub(5000))
        .max(1000.min(e / 2));
    Duration::from_millis(at)
}

/// Turns a final error response into something a person can act on.
pub fn classify(code: u16, reason: &str, auth_sent: bool) -> FailureKind {
    let r = reason.to_ascii_lowercase();
    match code {
        401 | 407 if auth_sent => FailureKind::WrongPassword,
        401 | 407 => FailureKind::NoPassword,
        403 if r.contains("password") || r.contains("credential") || r.contains("auth") => {
            FailureKind::WrongPassword
        }
        403 => FailureKind::Forbidden,
        404 | 604 => FailureKind::UnknownUser,
        408 => FailureKind::Timeout,
        _ => FailureKind::ServerError,
    }
}

#[cfg(test)]
#[path = "registration_tests.rs"]
mod tests;
