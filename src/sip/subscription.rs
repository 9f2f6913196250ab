//! The life of one subscription (RFC 6665), sans-IO: when to SUBSCRIBE,
//! refresh, re-subscribe or give up, from the responses and the
//! Subscription-State of NOTIFYs it is fed together with the time. The same
//! machine serves every event package (presence, presence.winfo, dialog,
//! message-summary); the driver only sends what it asks for.

use std::time::Instant;

use serde::{Deserialize, Serialize};

/// Knobs of the machine.
pub type SubscriptionPolicy = super::refresh_policy::RefreshPolicy;

/// The Subscription-State of a NOTIFY (RFC 6665 §8.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyState {
    Active {
        expires: Option<u32>,
    },
    Pending {
        expires: Option<u32>,
    },
    Terminated {
        reason: Option<String>,
        retry_after: Option<u32>,
    },
}

impl NotifyState {
    /// Parses a Subscription-State header value; unknown states count as
    /// pending (RFC 6665 §8.2.3 lets new states appear).
    pub fn parse(value: &str) -> NotifyState {
        let mut parts = value.split(';');
        let state = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut expires = None;
        let mut reason = None;
        let mut retry_after = None;
        for p in parts {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let v = v.trim().trim_matches('"');
            match k.trim().to_ascii_lowercase().as_str() {
                "expires" => expires = v.parse().ok(),
                "reason" => reason = Some(v.to_ascii_lowercase()),
                "retry-after" => retry_after = v.parse().ok(),
                _ => {}
            }
        }
        match state.as_str() {
            "active" => NotifyState::Active { expires },
            "terminated" => NotifyState::Terminated {
                reason,
                retry_after,
            },
            _ => NotifyState::Pending { expires },
        }
    }
}

/// Inputs besides time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Subscribe (again).
    Start,
    /// End the subscription and stop.
    Stop,
    /// The final response to our last SUBSCRIBE. `code` 0: none came.
    Response {
        code: u16,
        expires: Option<u32>,
        /// Min-Expires of a 423, Retry-After of a 503/480 (seconds).
        hint_secs: Option<u32>,
    },
    /// A NOTIFY arrived in this subscription.
    Notify(NotifyState),
    /// The path to the server was lost or renewed (re-registered after a
    /// failure): whatever the server held may be gone. Refresh the dialog
    /// (a 481 then starts a new one).
    Reset,
    /// Start a new dialog now (a version gap in the notifications: only a
    /// new subscription is sure to bring full state). The old dialog is
    /// left; its next NOTIFY gets a 481, which ends it on the server.
    Restart,
}

/// What the driver must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send a SUBSCRIBE. `fresh`: a new dialog (initial); else a refresh in
    /// the existing dialog. `expires` 0 ends the subscription.
    Subscribe { expires: u32, fresh: bool },
    /// Tell the user.
    State(SubscriptionState),
    /// Stop was asked and is done.
    Finished,
}

/// The state of a subscription as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SubscriptionState {
    /// Not subscribed (before start, after stop).
    Idle,
    /// SUBSCRIBE sent, nothing heard yet.
    Subscribing,
    /// The other side has not allowed us yet.
    Pending,
    /// Notifications flow.
    Active,
    /// It failed or ended; we try again in `retry_in_ms`.
    Retrying { reason: String, retry_in_ms: u64 },
    /// Refused for good (rejected, no such resource, unsupported event):
    /// only a user action starts it again.
    Refused { reason: String },
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Idle,
    /// A SUBSCRIBE is in flight; `fresh` when it creates the dialog.
    Sending {
        fresh: bool,
    },
    /// The dialog exists; refresh at `refresh_at`.
    Established {
        refresh_at: Instant,
    },
    Backoff {
        until: Instant,
    },
    Refused,
    /// Stop was asked: an unsubscribe is in flight (`sent`), or will be
    /// once the in-flight SUBSCRIBE has been answered.
    Stopping {
        sent: bool,
    },
    Done,
}

/// One subscription's state machine.
#[derive(Debug)]
pub struct SubscriptionMachine {
    policy: SubscriptionPolicy,
    phase: Phase,
    shown: SubscriptionState,
    in_flight: bool,
    dialog_exists: bool,
    failures: u32,
    expires: u32,
    /// A Reset came while a request was in flight: refresh after it.
    reset_pending: bool,
    /// A Restart came while a request was in flight: new dialog after it.
    restart_pending: bool,
}

impl SubscriptionMachine {
    pub fn new(policy: SubscriptionPolicy) -> Self {
        let expires = policy.requested_expires;
        SubscriptionMachine {
            policy,
            phase: Phase::Idle,
            shown: SubscriptionState::Idle,
            in_flight: false,
            dialog_exists: false,
            failures: 0,
            expires,
            reset_pending: false,
            restart_pending: false,
        }
    }

    /// The state last shown.
    pub fn state(&self) -> &SubscriptionState {
        &self.shown
    }

    /// True once a Stop has completed.
    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Done
    }

    /// When the machine wants `handle_timeout` called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.phase {
            Phase::Established { refresh_at } if !self.in_flight => Some(refresh_at),
            Phase::Backoff { until } => Some(until),
            _ => None,
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) -> Vec<Output> {
        match self.phase {
            Phase::Established { refresh_at } if !self.in_flight && now >= refresh_at => {
                self.send(false)
            }
            Phase::Backoff { until } if now >= until => {
                let mut out = self.send(!self.dialog_exists);
                out.extend(self.show(SubscriptionState::Subscribing));
                out
            }
            _ => vec![],
        }
    }

    pub fn handle_input(&mut self, input: Input, now: Instant) -> Vec<Output> {
        match input {
            Input::Start => self.start(),
            Input::Stop => self.stop(),
            Input::Reset => {
                if matches!(
                    self.phase,
                    Phase::Stopping { .. } | Phase::Done | Phase::Idle
                ) {
                    return vec![];
                }
                // Refresh the dialog we have (the server may have kept
                // it: a new one would double the subscription); a 481
                // then starts a new one.
                self.failures = 0;
                if self.in_flight {
                    self.reset_pending = true;
                    return vec![];
                }
                let mut out = self.send(!self.dialog_exists);
                out.extend(self.show(SubscriptionState::Subscribing));
                out
            }
            Input::Restart => {
                if matches!(
                    self.phase,
                    Phase::Stopping { .. } | Phase::Done | Phase::Idle | Phase::Refused
                ) {
                    return vec![];
                }
                if self.in_flight {
                    self.restart_pending = true;
                    return vec![];
                }
                let mut out = self.send(true);
                out.extend(self.show(SubscriptionState::Subscribing));
                out
            }
            Input::Response {
                code,
                expires,
                hint_secs,
            } => self.response(code, expires, hint_secs, now),
            Input::Notify(state) => self.notify(state, now),
        }
    }

    fn start(&mut self) -> Vec<Output> {
        match self.phase {
            Phase::Idle | Phase::Refused | Phase::Backoff { .. } | Phase::Done => {
                self.failures = 0;
                self.expires = self.policy.requested_expires;
                let mut out = self.send(true);
                out.extend(self.show(SubscriptionState::Subscribing));
                out
            }
            _ => vec![],
        }
    }

    fn stop(&mut self) -> Vec<Output> {
        match self.phase {
            Phase::Done | Phase::Stopping { .. } => vec![],
            _ if self.in_flight => {
                self.phase = Phase::Stopping { sent: false };
                vec![]
            }
            _ => self.finish_stop(),
        }
    }

    fn finish_stop(&mut self) -> Vec<Output> {
        let mut out = self.show(SubscriptionState::Idle);
        if self.dialog_exists {
            self.phase = Phase::Stopping { sent: true };
            self.in_flight = true;
            self.dialog_exists = false;
            out.insert(
                0,
                Output::Subscribe {
                    expires: 0,
                    fresh: false,
                },
            );
        } else {
            self.phase = Phase::Done;
            out.push(Output::Finished);
        }
        out
    }

    fn send(&mut self, fresh: bool) -> Vec<Output> {
        if fresh {
            self.dialog_exists = false;
        }
        self.in_flight = true;
        self.phase = Phase::Sending { fresh };
        vec![Output::Subscribe {
            expires: self.expires,
            fresh,
        }]
    }

    fn show(&mut self, state: SubscriptionState) -> Vec<Output> {
        if self.shown == state {
            return vec![];
        }
        self.shown = state.clone();
        vec![Output::State(state)]
    }

    fn backoff(&mut self, reason: String, hint_secs: Option<u32>, now: Instant) -> Vec<Output> {
        self.failures = self.failures.saturating_add(1);
        let delay = self.policy.retry_delay(self.failures, hint_secs);
        self.phase = Phase::Backoff { until: now + delay };
        self.show(SubscriptionState::Retrying {
            reason,
            retry_in_ms: delay.as_millis() as u64,
        })
    }

    fn refuse(&mut self, reason: String) -> Vec<Output> {
        self.dialog_exists = false;
        self.phase = Phase::Refused;
        self.show(SubscriptionState::Refused { reason })
    }

    fn response(
        &mut self,
        code: u16,
        expires: Option<u32>,
        hint_secs: Option<u32>,
        now: Instant,
    ) -> Vec<Output> {
        self.in_flight = false;
        if let Phase::Stopping { sent } = self.phase {
            if !sent && (200..300).contains(&code) && expires != Some(0) {
                // The SUBSCRIBE in flight made (or kept) a dialog: end it.
                self.dialog_exists = true;
                return self.finish_stop();
            }
            self.phase = Phase::Done;
            self.dialog_exists = false;
            return vec![Output::Finished];
        }
        let Phase::Sending { fresh } = self.phase else {
            return vec![];
        };
        if std::mem::take(&mut self.restart_pending) {
            self.reset_pending = false;
            let mut out = self.send(true);
            out.extend(self.show(SubscriptionState::Subscribing));
            return out;
        }
        if std::mem::take(&mut self.reset_pending) {
            if (200..300).contains(&code) && expires != Some(0) {
                self.dialog_exists = true;
            } else if code == 481 {
                self.dialog_exists = false;
            }
            let mut out = self.send(!self.dialog_exists);
            out.extend(self.show(SubscriptionState::Subscribing));
            return out;
        }
        match code {
            200..=299 => {
                let granted = expires.unwrap_or(self.expires);
                if granted == 0 {
                    // The server ended it at once; a NOTIFY with the reason follows.
                    self.dialog_exists = false;
                    return self.backoff("ended by the server".into(), None, now);
                }
                self.dialog_exists = true;
                self.phase = Phase::Established {
                    refresh_at: self.policy.refresh_at(granted, now),
                };
                vec![]
            }
            423 => {
                if let Some(min) = hint_secs {
                    self.expires = min.max(self.expires);
                }
                self.send(fresh)
            }
            481 if !fresh => {
                // The server forgot the dialog: start a new one now.
                let mut out = self.send(true);
                out.extend(self.show(SubscriptionState::Subscribing));
                out
            }
            0 => self.backoff("no answer from the server".into(), None, now),
            403 | 603 => self.refuse(format!("{code} refused")),
            404 | 484 | 604 => self.refuse(format!("{code} no such address")),
            489 => self.refuse("489 the server does not offer this event".into()),
            401 | 407 => self.refuse(format!("{code} authentication failed")),
            _ => self.backoff(format!("{code} from the server"), hint_secs, now),
        }
    }

    fn notify(&mut self, state: NotifyState, now: Instant) -> Vec<Output> {
        if matches!(
            self.phase,
            Phase::Stopping { .. } | Phase::Done | Phase::Idle
        ) {
            return vec![];
        }
        match state {
            NotifyState::Active { expires } | NotifyState::Pending { expires } => {
                let active = matches!(state, NotifyState::Active { .. });
                self.dialog_exists = true;
                if active {
                    self.failures = 0;
                }
                if !self.in_flight {
                    let granted = expires.unwrap_or(self.expires);
                    let refresh_at = self.policy.refresh_at(granted, now);
                    self.phase = match self.phase {
                        Phase::Established { refresh_at: old } => Phase::Established {
                            refresh_at: old.min(refresh_at),
                        },
                        _ => Phase::Established { refresh_at },
                    };
                }
                self.show(if active {
                    SubscriptionState::Active
                } else {
                    SubscriptionState::Pending
                })
            }
            NotifyState::Terminated {
                reason,
                retry_after,
            } => {
                self.dialog_exists = false;
                if self.in_flight {
                    // Our refresh crossed the end; its answer (481) restarts us.
                    return vec![];
                }
                let reason_text = reason.clone().unwrap_or_else(|| "terminated".into());
                match reason.as_deref() {
                    Some("rejected") | Some("noresource") | Some("invariant") => {
                        self.refuse(reason_text)
                    }
                    // RFC 6665 §4.1.3: re-subscribe at once for these...
                    None | Some("deactivated") | Some("timeout") if self.failures == 0 => {
                        self.failures = 1;
                        let mut out = self.send(true);
                        out.extend(self.show(SubscriptionState::Subscribing));
                        out
                    }
                    // ...and after Retry-After (or our back-off) for the rest.
                    _ => self.backoff(reason_text, retry_after, now),
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "subscription_tests.rs"]
mod tests;
