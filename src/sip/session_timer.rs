//! SIP session timers (RFC 4028), sans-IO: the Session-Expires and
//! Min-SE negotiation of both roles and the timer of an established
//! session (refresh at half the interval when we are the refresher; BYE
//! when the peer's refresh is overdue). Not wired to the call machine yet:
//! the driver adds the headers, feeds the negotiated interval in and turns
//! [`TimerAction`]s into a refreshing re-INVITE or a BYE.

use std::time::{Duration, Instant};

/// The smallest interval RFC 4028 allows (§4).
pub const MIN_SE_FLOOR: u32 = 90;

/// Who refreshes: the UAC or the UAS of the transaction that set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresher {
    Uac,
    Uas,
}

/// A Session-Expires header value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionExpires {
    pub delta: u32,
    pub refresher: Option<Refresher>,
}

impl SessionExpires {
    /// Parses `1800;refresher=uac`; None when the delta is not a number.
    pub fn parse(value: &str) -> Option<SessionExpires> {
        let mut parts = value.split(';');
        let delta = parts.next()?.trim().parse().ok()?;
        let mut refresher = None;
        for p in parts {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            if k.trim().eq_ignore_ascii_case("refresher") {
                refresher = match v.trim().to_ascii_lowercase().as_str() {
                    "uac" => Some(Refresher::Uac),
                    "uas" => Some(Refresher::Uas),
                    _ => None,
                };
            }
        }
        Some(SessionExpires { delta, refresher })
    }

    pub fn to_header_value(&self) -> String {
        match self.refresher {
            Some(Refresher::Uac) => format!("{};refresher=uac", self.delta),
            Some(Refresher::Uas) => format!("{};refresher=uas", self.delta),
            None => self.delta.to_string(),
        }
    }

    /// Whether we refresh, given whether we were the UAC of the
    /// transaction that set it.
    pub fn we_refresh(&self, we_are_uac: bool) -> bool {
        (self.refresher == Some(Refresher::Uac)) == we_are_uac
    }
}

/// Knobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimerConfig {
    /// The interval we ask for (s).
    pub session_expires: u32,
    /// The smallest interval we accept (s, at least 90).
    pub min_se: u32,
}

impl Default for SessionTimerConfig {
    fn default() -> Self {
        SessionTimerConfig {
            session_expires: 1800,
            min_se: MIN_SE_FLOOR,
        }
    }
}

impl SessionTimerConfig {
    /// Headers for an INVITE we send (§7.1); `peer_min_se` is the Min-SE
    /// of a 422 we got, raising the interval (§7.4).
    pub fn request_headers(&self, peer_min_se: Option<u32>) -> Vec<(String, String)> {
        let min_se = self.min_se.max(MIN_SE_FLOOR).max(peer_min_se.unwrap_or(0));
        let delta = self.session_expires.max(min_se);
        vec![
            ("Supported".into(), "timer".into()),
            ("Session-Expires".into(), delta.to_string()),
            ("Min-SE".into(), min_se.to_string()),
        ]
    }
}

/// What a UAS does with an INVITE's session timer headers (§9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UasDecision {
    /// 422 Session Interval Too Small with this Min-SE.
    Reject { min_se: u32 },
    /// Put this Session-Expires in the 2xx (and `Require: timer` when
    /// `require_timer`); we refresh when `we_refresh`.
    Accept {
        session_expires: SessionExpires,
        require_timer: bool,
        we_refresh: bool,
    },
}

/// The UAS side of the negotiation. Without a Session-Expires in the
/// request we still run one with us as refresher when the UAC does not
/// support timers (§9: then refresher=uas and no Require).
pub fn negotiate_uas(
    cfg: &SessionTimerConfig,
    requested: Option<SessionExpires>,
    request_min_se: Option<u32>,
    uac_supports_timer: bool,
) -> UasDecision {
    let our_min = cfg.min_se.max(MIN_SE_FLOOR);
    let delta = match requested {
        Some(se) if se.delta < our_min => return UasDecision::Reject { min_se: our_min },
        // We may shorten it, never below either Min-SE.
        Some(se) => se
            .delta
            .min(cfg.session_expires.max(our_min))
            .max(request_min_se.unwrap_or(0)),
        None => cfg.session_expires.max(our_min),
    };
    let refresher = match requested.and_then(|se| se.refresher) {
        Some(r) if uac_supports_timer => r,
        _ if uac_supports_timer && requested.is_some() => Refresher::Uac,
        _ => Refresher::Uas,
    };
    UasDecision::Accept {
        session_expires: SessionExpires {
            delta,
            refresher: Some(refresher),
        },
        require_timer: uac_supports_timer,
        we_refresh: refresher == Refresher::Uas,
    }
}

/// The UAC side, from the 2xx (§7.2): the interval and whether we
/// refresh. A 2xx without Session-Expires leaves us the refresher of the
/// interval we asked for.
pub fn negotiate_uac(cfg: &SessionTimerConfig, answered: Option<SessionExpires>) -> (u32, bool) {
    match answered {
        Some(se) => (se.delta, se.we_refresh(true)),
        None => (cfg.session_expires.max(cfg.min_se.max(MIN_SE_FLOOR)), true),
    }
}

/// What the timer asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerAction {
    /// Send a refreshing re-INVITE (with the session's current SDP).
    Refresh,
    /// The session expired without a refresh: send BYE.
    Expired,
}

/// The timer of an established session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTimer {
    delta: u32,
    we_refresh: bool,
    due: Instant,
    /// Our refresh is out; only the expiry is left to check.
    refreshing: bool,
    expires_at: Instant,
}

impl SessionTimer {
    /// Starts (or restarts, after each refresh) the timer of `delta`
    /// seconds.
    pub fn new(delta: u32, we_refresh: bool, now: Instant) -> Self {
        let expires_at = now + Duration::from_secs(delta.into());
        let due = if we_refresh {
            now + Duration::from_secs((delta / 2).into())
        } else {
            // §10: BYE a little before expiry: min(32, delta/3) s.
            expires_at - Duration::from_secs(32.min(delta / 3).into())
        };
        SessionTimer {
            delta,
            we_refresh,
            due,
            refreshing: false,
            expires_at,
        }
    }

    pub fn delta(&self) -> u32 {
        self.delta
    }

    pub fn we_refresh(&self) -> bool {
        self.we_refresh
    }

    pub fn poll_timeout(&self) -> Instant {
        if self.refreshing {
            self.expires_at
        } else {
            self.due
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) -> Option<TimerAction> {
        if now < self.poll_timeout() {
            return None;
        }
        if self.we_refresh && !self.refreshing {
            self.refreshing = true;
            return Some(TimerAction::Refresh);
        }
        Some(TimerAction::Expired)
    }

    /// A refresh succeeded (our re-INVITE's 2xx or the peer's re-INVITE):
    /// restart with what it negotiated.
    pub fn refreshed(&mut self, delta: u32, we_refresh: bool, now: Instant) {
        *self = SessionTimer::new(delta, we_refresh, now);
    }
}

#[cfg(test)]
#[path = "session_timer_tests.rs"]
mod tests;
