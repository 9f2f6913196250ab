//! When to refresh and when to retry, shared by the subscription and
//! publication state machines: refresh once a fraction of the granted
//! lifetime has passed; after failures wait `min_backoff` doubling up to
//! `max_backoff`, or what the server's Retry-After asks (capped the same).

use std::time::{Duration, Instant};

/// Knobs of a refreshed, retried request (SUBSCRIBE, PUBLISH).
#[derive(Debug, Clone)]
pub struct RefreshPolicy {
    /// Expires we ask for.
    pub requested_expires: u32,
    /// Refresh when this fraction of the granted lifetime has passed.
    pub refresh_fraction: f64,
    /// First retry delay after a failure; doubles per consecutive failure.
    pub min_backoff: Duration,
    /// Longest delay between retries.
    pub max_backoff: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        RefreshPolicy {
            requested_expires: 3600,
            refresh_fraction: 0.85,
            min_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
        }
    }
}

impl RefreshPolicy {
    /// When to refresh something granted for `granted` seconds from `now`.
    pub fn refresh_at(&self, granted: u32, now: Instant) -> Instant {
        let secs = (f64::from(granted.max(1)) * self.refresh_fraction).max(1.0);
        now + Duration::from_secs_f64(secs)
    }

    /// The wait after the `failures`-th failure in a row (1 for the first);
    /// a server hint (Retry-After, seconds) replaces it, capped alike.
    pub fn retry_delay(&self, failures: u32, hint_secs: Option<u32>) -> Duration {
        match hint_secs {
            Some(h) => Duration::from_secs(u64::from(h)).min(self.max_backoff),
            None => {
                let exp = failures.saturating_sub(1).min(16);
                self.min_backoff
                    .saturating_mul(1u32 << exp)
                    .min(self.max_backoff)
            }
        }
    }
}
