//! Which device of a contact gets our next message (SPEC M7, sans-IO).
//!
//! A message to a contact's address of record reaches every device they
//! are logged in on (the server forks it). Once one device writes back
//! (its MESSAGE names it in Contact), follow-ups go to that device only,
//! like a conversation continued where the person is. Back to all devices
//! after [`DEFAULT_LOCK`] without hearing from it, or at once when sending
//! to it fails (it went away).

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long a conversation stays on the device that last wrote.
pub const DEFAULT_LOCK: Duration = Duration::from_secs(5 * 60);

/// The device each peer last wrote from.
#[derive(Debug, Clone)]
pub struct DeviceRouting {
    lock: Duration,
    devices: HashMap<String, (String, Instant)>,
}

impl Default for DeviceRouting {
    fn default() -> Self {
        Self::new(DEFAULT_LOCK)
    }
}

impl DeviceRouting {
    pub fn new(lock: Duration) -> Self {
        DeviceRouting {
            lock,
            devices: HashMap::new(),
        }
    }

    /// `peer` wrote to us from `device` (their Contact; None when the
    /// MESSAGE named none, which unlocks the peer).
    pub fn on_incoming(&mut self, peer: &str, device: Option<&str>, now: Instant) {
        match device.map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => {
                self.devices.insert(peer.to_string(), (d.to_string(), now));
            }
            None => {
                self.devices.remove(peer);
            }
        }
    }

    /// Where the next message to `peer` goes: a device, or None for the
    /// address of record (every device).
    pub fn target(&mut self, peer: &str, now: Instant) -> Option<String> {
        let (device, since) = self.devices.get(peer)?;
        if now.saturating_duration_since(*since) >= self.lock {
            self.devices.remove(peer);
            return None;
        }
        Some(device.clone())
    }

    /// Sending to `device` of `peer` failed: back to every device.
    pub fn on_device_failed(&mut self, peer: &str, device: &str) {
        if self.devices.get(peer).is_some_and(|(d, _)| d == device) {
            self.devices.remove(peer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_message_to_all_then_the_device_that_answered() {
        let t0 = Instant::now();
        let mut r = DeviceRouting::new(Duration::from_secs(60));
        assert_eq!(r.target("sip:bob@x", t0), None);
        r.on_incoming("sip:bob@x", Some("sip:bob@10.0.0.2:5062"), t0);
        assert_eq!(
            r.target("sip:bob@x", t0 + Duration::from_secs(1))
                .as_deref(),
            Some("sip:bob@10.0.0.2:5062")
        );
        assert_eq!(r.target("sip:carol@x", t0), None);
    }

    #[test]
    fn back_to_all_after_the_lock_or_a_failure() {
        let t0 = Instant::now();
        let mut r = DeviceRouting::new(Duration::from_secs(60));
        r.on_incoming("p", Some("d1"), t0);
        assert_eq!(r.target("p", t0 + Duration::from_secs(60)), None);
        r.on_incoming("p", Some("d1"), t0);
        r.on_device_failed("p", "other");
        assert!(r.target("p", t0).is_some());
        r.on_device_failed("p", "d1");
        assert_eq!(r.target("p", t0), None);
    }

    #[test]
    fn a_message_without_contact_unlocks() {
        let t0 = Instant::now();
        let mut r = DeviceRouting::default();
        r.on_incoming("p", Some("d1"), t0);
        r.on_incoming("p", Some("d2"), t0);
        assert_eq!(r.target("p", t0).as_deref(), Some("d2"));
        r.on_incoming("p", None, t0);
        assert_eq!(r.target("p", t0), None);
    }
}
