//! Calls from the headless `hark` in tests: place, answer and act on calls
//! through the JSON-lines commands, wait for `call` events.

use std::time::Duration;

use serde_json::{json, Value};

use super::hark::Hark;

/// `[calls]` settings for a headless test Hark: a tone as microphone, the
/// speaker written to `speaker` (a WAV path), `codecs` in this order.
pub fn calls_toml(tone_hz: u32, speaker: &std::path::Path, codecs: &[&str]) -> String {
    let codecs: Vec<String> = codecs.iter().map(|c| format!("\"{c}\"")).collect();
    format!(
        "\n[calls]\ninput = \"tone:{tone_hz}\"\noutput = \"file:{}\"\nringer = \"none\"\ncodecs = [{}]\n",
        speaker.display(),
        codecs.join(", ")
    )
}

impl Hark {
    /// Hark logged in as `user` of `kam` for calls (UDP): a `tone_hz` tone
    /// as microphone, the speaker recorded to `dir/<user>.wav` (returned),
    /// `codecs` in this order.
    pub fn for_calls(
        kam: &super::kamailio::Kamailio,
        user: &str,
        password: &str,
        tone_hz: u32,
        dir: &std::path::Path,
        codecs: &[&str],
    ) -> (Hark, std::path::PathBuf) {
        let wav = dir.join(format!("{user}.wav"));
        let hark = Hark::logged_in_with(
            kam,
            user,
            password,
            "udp",
            &calls_toml(tone_hz, &wav, codecs),
        );
        (hark, wav)
    }

    /// Places a call; returns the call's id from the first `call` event.
    pub fn call(&mut self, uri: &str) -> String {
        self.send(&json!({"cmd": "call", "uri": uri}).to_string());
        let ev = self.wait_for(&format!("a call to {uri}"), Duration::from_secs(10), |e| {
            e["event"] == "call" && e["call"]["direction"] == "outgoing" && e["call"]["peer"] == uri
        });
        ev["call"]["id"].as_str().expect("call id").to_string()
    }

    /// Sends a `call_control` action (`{"op": ...}`).
    pub fn call_control(&mut self, call: &str, action: Value) {
        self.send(&json!({"cmd": "call_control", "call": call, "action": action}).to_string());
    }

    /// Waits for an incoming call; returns its `call` object.
    pub fn wait_incoming_call(&mut self, timeout: Duration) -> Value {
        let ev = self.wait_for("an incoming call", timeout, |e| {
            e["event"] == "call"
                && e["call"]["direction"] == "incoming"
                && e["call"]["phase"] == "incoming"
        });
        ev["call"].clone()
    }

    /// Call `id`'s end (its `call` object), whether it already came (events
    /// skipped by other waits) or comes within `timeout`.
    pub fn wait_call_ended(&mut self, id: &str, timeout: Duration) -> Value {
        let seen = self
            .seen()
            .iter()
            .find(|e| {
                e["event"] == "call" && e["call"]["id"] == id && e["call"]["phase"] == "ended"
            })
            .cloned();
        match seen {
            Some(e) => e["call"].clone(),
            None => self.wait_call_phase(id, "ended", timeout),
        }
    }

    /// Waits until call `id` is in `phase`; returns its `call` object.
    pub fn wait_call_phase(&mut self, id: &str, phase: &str, timeout: Duration) -> Value {
        let ev = self.wait_for(&format!("call {id} {phase}"), timeout, |e| {
            e["event"] == "call" && e["call"]["id"] == id && e["call"]["phase"] == phase
        });
        ev["call"].clone()
    }
}
