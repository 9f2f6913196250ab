//! Presence steps on a running [`Hark`]: the commands and waits the
//! presence, peer and federation tests all take.

use std::time::Duration;

use serde_json::Value;

use super::hark::Hark;

impl Hark {
    /// Sends `add_contact` for `uri` on `account`.
    pub fn add_contact(&mut self, account: &str, uri: &str) {
        self.send(&format!(
            r#"{{"cmd":"add_contact","account":"{account}","contact":{{"uri":"{uri}"}}}}"#
        ));
    }

    /// Sends `set_status`.
    pub fn set_status(&mut self, availability: &str, note: &str) {
        self.send(&format!(
            r#"{{"cmd":"set_status","availability":"{availability}","note":"{note}"}}"#
        ));
    }

    /// Waits for a presence update of `contact` that satisfies `pred`, and
    /// returns that update.
    pub fn wait_presence(
        &mut self,
        contact: &str,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let ev = self.wait_for(&format!("presence of {contact}: {what}"), timeout, |e| {
            e["event"] == "presence"
                && e["updates"]
                    .as_array()
                    .is_some_and(|u| u.iter().any(|u| u["contact"] == contact && pred(u)))
        });
        ev["updates"]
            .as_array()
            .and_then(|u| u.iter().find(|u| u["contact"] == contact).cloned())
            .expect("matched above")
    }

    /// Waits until the own status is published.
    pub fn wait_published(&mut self, timeout: Duration) {
        self.wait_for("publication published", timeout, |e| {
            e["event"] == "publication" && e["state"] == "published"
        });
    }

    /// Sends `decide_watcher` (command id `id`) and asserts it was written.
    pub fn decide_watcher(
        &mut self,
        account: &str,
        watcher: &str,
        decision: &str,
        id: u32,
        timeout: Duration,
    ) {
        self.send(&format!(
            r#"{{"id":{id},"cmd":"decide_watcher","account":"{account}","watcher":"{watcher}","decision":"{decision}"}}"#
        ));
        let ev = self.wait_for(&format!("answer to decision {id}"), timeout, |e| {
            (e["event"] == "ok" || e["event"] == "error") && e["id"] == id
        });
        assert_eq!(ev["event"], "ok", "the decision was not written: {ev}");
    }
}
