//! A call on a real sound device (SPEC C4): Hark's default speaker and
//! microphone go through cpal and ALSA to a private PulseAudio with a null
//! sink (no sound card here), with echo cancellation on; what Hark plays
//! of baresip's tone is recorded from the sink's monitor and measured.

mod support;

use std::time::Duration;

use hark::audio::level::{dominant_tone, rms_dbfs};
use serde_json::json;
use support::baresip_call::{setup, Answer};
use support::hark::{account_toml, Hark};
use support::kamailio::{users, Kamailio, KamailioOptions};
use support::peers::Baresip;
use support::pulse::{require_tools, Pulse};

const T: Duration = Duration::from_secs(20);

#[test]
fn a_call_plays_through_the_real_sound_device_path() {
    require_tools();
    let pulse = Pulse::start();
    let kam = Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2")]),
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let config = account_toml(
        &kam.aor("alice"),
        Some("a1"),
        &kam.server_addr(),
        "udp",
        "\n[calls]\ncodecs = [\"PCMU\"]\n",
    );
    let mut alice = Hark::start_with(&config, &[], &pulse.env());
    alice.wait_state("registered", T);
    // The settings screen's list: the sound server's devices, by id.
    alice.send(r#"{"cmd":"audio_devices"}"#);
    let devices = alice.wait_event("audio_devices", T);
    let ids = |key: &str| -> Vec<String> {
        devices[key]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|d| d["id"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(devices.get("error").is_none(), "{devices}");
    assert!(ids("outputs").contains(&"pulse".to_string()), "{devices}");
    assert!(ids("inputs").contains(&"pulse".to_string()), "{devices}");
    let bob = Baresip::start_for_calls(
        &kam,
        "bob",
        "b2",
        &setup("ausine,1000", &["PCMU"], Answer::Auto, dir.path()),
    );

    let call = alice.call(&kam.aor("bob"));
    alice.wait_call_phase(&call, "active", T);
    // PulseAudio needs 1.5-2 s before data flows.
    std::thread::sleep(Duration::from_secs(2));
    let recording = pulse.record();
    std::thread::sleep(Duration::from_secs(3));
    let samples = recording.stop();
    alice.call_control(&call, json!({"op": "hangup"}));
    alice.wait_call_phase(&call, "ended", T);
    let problems: Vec<_> = alice
        .seen()
        .iter()
        .filter(|e| e["event"] == "warning")
        .cloned()
        .collect();
    assert!(
        samples.len() > 48_000,
        "recorded {} samples; warnings {problems:?}",
        samples.len()
    );
    let (freq, _) = dominant_tone(&samples, 48_000, 100.0, 8_000.0);
    let level = rms_dbfs(&samples);
    eprintln!("the sink played {freq:.0} Hz at {level:.1} dBFS RMS; warnings {problems:?}");
    assert!(
        (freq - 1000.0).abs() < 20.0,
        "{freq} Hz; warnings {problems:?}"
    );
    assert!(level > -30.0, "{level} dBFS; warnings {problems:?}");
    bob.stop();
}
