//! Chat steps on a running [`Hark`]: send a message, wait for one to
//! arrive or to reach a state, typing indications.

use std::time::Duration;

use serde_json::{json, Value};

use super::hark::Hark;

impl Hark {
    /// Sends `send_message` from `account` to `to`.
    pub fn send_message(&mut self, account: &str, to: &str, body: &str) {
        self.send(
            &json!({"cmd": "send_message", "account": account, "to": to, "body": body}).to_string(),
        );
    }

    /// Sends `typing` (active or not).
    pub fn typing(&mut self, account: &str, to: &str, active: bool) {
        self.send(
            &json!({"cmd": "typing", "account": account, "to": to, "active": active}).to_string(),
        );
    }

    /// Waits for a `message` event whose message satisfies `pred`; returns
    /// the message.
    pub fn wait_message(
        &mut self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let ev = self.wait_for(&format!("message: {what}"), timeout, |e| {
            e["event"] == "message" && pred(&e["message"])
        });
        ev["message"].clone()
    }

    /// Waits for an incoming message with exactly this body.
    pub fn wait_received(&mut self, body: &str, timeout: Duration) -> Value {
        self.wait_message(&format!("received {body:?}"), timeout, |m| {
            m["state"] == "received" && m["body"] == body
        })
    }

    /// Waits until our message with this body reaches `state`.
    pub fn wait_sent_state(&mut self, body: &str, state: &str, timeout: Duration) -> Value {
        self.wait_message(&format!("{body:?} {state}"), timeout, |m| {
            m["outgoing"] == true && m["body"] == body && m["state"] == state
        })
    }

    /// Waits for a `typing` event from `peer`.
    pub fn wait_typing(&mut self, peer: &str, typing: bool, timeout: Duration) {
        self.wait_for(&format!("{peer} typing={typing}"), timeout, |e| {
            e["event"] == "typing" && e["peer"] == peer && e["typing"] == typing
        });
    }

    /// Fails if a message with this body arrives within `quiet`.
    pub fn assert_not_received(&mut self, body: &str, quiet: Duration) {
        let until = std::time::Instant::now() + quiet;
        while let Some(ev) =
            self.next_event(until.saturating_duration_since(std::time::Instant::now()))
        {
            if ev["event"] == "message" && ev["message"]["body"] == body {
                self.fail(&format!("{body:?} arrived here, and should not have"));
            }
        }
    }

    /// The `history` event of the chat with `peer` (the latest page).
    pub fn history(&mut self, account: &str, peer: &str) -> Value {
        self.send(
            &json!({"cmd": "history", "account": account, "peer": peer, "id": "history"})
                .to_string(),
        );
        self.wait_for("history", Duration::from_secs(30), |e| {
            e["event"] == "history" && e["id"] == "history"
        })
    }

    /// The bodies of the chat with `peer`, oldest first.
    pub fn history_bodies(&mut self, account: &str, peer: &str) -> Vec<String> {
        bodies(&self.history(account, peer))
    }
}

/// The bodies of a `history` event's messages, in order.
pub fn bodies(history: &Value) -> Vec<String> {
    history["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["body"].as_str().expect("body").to_string())
        .collect()
}
