//! Calls between Hark and real clients through a real Kamailio (SPEC
//! C1-C3, C6): baresip 1.0 on Opus, G.722, PCMU and PCMA, and linphonec
//! 5.1 on Opus; each side sends a known tone and sox checks what the
//! other recorded; keys (RFC 4733) reach baresip; hold and resume; blind
//! transfer to a third party; CANCEL before an answer; BYE from either
//! side.

mod support;

use std::time::Duration;

use serde_json::json;
use support::baresip_call::{decoded_recording, Answer};
use support::hark::Hark;
use support::hark_call::calls_toml;
use support::kamailio::{users, Kamailio, KamailioOptions};
use support::linphonec::Linphonec;
use support::peers::Baresip;
use support::sox;

const T: Duration = Duration::from_secs(20);

fn server() -> Kamailio {
    Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2"), ("carol", "c3")]),
        ..Default::default()
    })
}

/// Checks a recording holds `hz` at a level that is not silence.
fn assert_tone(wav: &std::path::Path, hz: f64, who: &str) {
    let s = sox::stat(wav, 1.0, 1.5);
    eprintln!("{who} heard {s:?} ({:.1} dBFS)", sox::dbfs(s.rms));
    assert!((s.frequency - hz).abs() < hz * 0.04, "{who}: {s:?}");
    assert!(sox::dbfs(s.rms) > -30.0, "{who}: too quiet {s:?}");
}

#[test]
fn hark_calls_baresip_with_pcmu_and_keys_reach_it() {
    let kam = server();
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, hark_wav) = Hark::for_calls(&kam, "alice", "a1", 440, dir.path(), &["PCMU"]);
    let bob = Baresip::callee(&kam, "bob", "b2", Answer::Auto, dir.path(), &["PCMU"]);

    let call = alice.call(&kam.aor("bob"));
    let up = alice.wait_call_phase(&call, "active", T);
    assert_eq!(up["codec"], "PCMU", "{up}");
    std::thread::sleep(Duration::from_secs(2));
    alice.call_control(&call, json!({"op": "dtmf", "keys": "19#"}));
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(bob.received_dtmf(), "19#", "baresip's log:\n{}", bob.log());
    // Session timers (RFC 4028) are offered.
    let invite = &bob.received_requests("INVITE")[0];
    assert_eq!(
        invite.header("Session-Expires").as_deref(),
        Some("1800"),
        "{}",
        invite.raw
    );
    assert!(
        invite
            .header("Supported")
            .is_some_and(|s| s.contains("timer")),
        "{}",
        invite.raw
    );
    alice.call_control(&call, json!({"op": "hangup"}));
    alice.wait_call_phase(&call, "ended", T);
    bob.wait_for_line("terminated", T);

    assert_tone(&decoded_recording(dir.path(), T), 440.0, "baresip");
    assert_tone(&hark_wav, 1000.0, "hark");
    bob.stop();
}

/// Hark calls baresip offering `hark_codecs`, baresip taking
/// `baresip_codecs`: the call runs on `codec` and each side hears the
/// other's tone.
fn call_baresip_with(hark_codecs: &[&str], baresip_codecs: &[&str], codec: &str) {
    let kam = server();
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, hark_wav) = Hark::for_calls(&kam, "alice", "a1", 440, dir.path(), hark_codecs);
    let bob = Baresip::callee(&kam, "bob", "b2", Answer::Auto, dir.path(), baresip_codecs);
    let call = alice.call(&kam.aor("bob"));
    let up = alice.wait_call_phase(&call, "active", T);
    assert_eq!(up["codec"], codec, "{up}");
    std::thread::sleep(Duration::from_secs(3));
    alice.call_control(&call, json!({"op": "hangup"}));
    alice.wait_call_phase(&call, "ended", T);
    bob.wait_for_line("terminated", T);
    assert_tone(
        &decoded_recording(dir.path(), T),
        440.0,
        &format!("baresip ({codec})"),
    );
    assert_tone(&hark_wav, 1000.0, &format!("hark ({codec})"));
    bob.stop();
}

#[test]
fn hark_calls_baresip_with_opus() {
    call_baresip_with(&["opus", "PCMU"], &["opus/48000/2", "PCMU"], "opus");
}

#[test]
fn hark_calls_baresip_with_g722_and_pcma() {
    // baresip names G.722 by its sampling rate.
    call_baresip_with(&["G722", "PCMU"], &["G722/16000/1", "PCMU"], "G722");
    call_baresip_with(&["PCMA"], &["PCMA", "PCMU"], "PCMA");
}

#[test]
fn baresip_calls_hark_and_hangs_up() {
    let kam = server();
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, hark_wav) = Hark::for_calls(&kam, "alice", "a1", 440, dir.path(), &["PCMU"]);
    let bob = Baresip::callee(&kam, "bob", "b2", Answer::Manual, dir.path(), &["PCMU"]);

    bob.dial(&kam.aor("alice"));
    let ringing = alice.wait_incoming_call(T);
    assert_eq!(ringing["peer"], kam.aor("bob").as_str(), "{ringing}");
    let id = ringing["id"].as_str().unwrap().to_string();
    alice.call_control(&id, json!({"op": "answer"}));
    alice.wait_call_phase(&id, "active", T);
    std::thread::sleep(Duration::from_secs(1));
    // A key from baresip (RFC 4733) reaches Hark.
    bob.command_with_params("sndcode", "7");
    let key = alice.wait_for("baresip's key", T, |e| e["event"] == "dtmf_received");
    assert_eq!(key["key"], "7", "{key}");
    std::thread::sleep(Duration::from_secs(2));
    bob.hangup();
    let ended = alice.wait_call_phase(&id, "ended", T);
    assert_eq!(ended["end_reason"], "remote-hangup", "{ended}");
    // baresip asked for no session timer: Hark's 200 runs one as refresher.
    let ok = bob
        .sip_trace()
        .into_iter()
        .find(|m| {
            m.incoming
                && m.status() == Some(200)
                && m.header("CSeq").is_some_and(|c| c.ends_with("INVITE"))
        })
        .expect("baresip got a 200 for its INVITE");
    assert_eq!(
        ok.header("Session-Expires").as_deref(),
        Some("1800;refresher=uas"),
        "{}",
        ok.raw
    );

    assert_tone(&hark_wav, 1000.0, "hark");
    assert_tone(&decoded_recording(dir.path(), T), 440.0, "baresip");
    bob.stop();
}

#[test]
fn hark_cancels_before_baresip_answers() {
    let kam = server();
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, _) = Hark::for_calls(&kam, "alice", "a1", 440, dir.path(), &["PCMU"]);
    let bob = Baresip::callee(&kam, "bob", "b2", Answer::Manual, dir.path(), &["PCMU"]);

    let call = alice.call(&kam.aor("bob"));
    alice.wait_call_phase(&call, "ringing", T);
    alice.call_control(&call, json!({"op": "hangup"}));
    let ended = alice.wait_call_phase(&call, "ended", T);
    assert_eq!(ended["end_reason"], "cancelled", "{ended}");
    bob.wait_log(T, "baresip to get the CANCEL", |l| {
        l.contains("CANCEL sip:")
    });
    bob.stop();
}

#[test]
fn hold_and_resume_with_baresip() {
    let kam = server();
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, _) = Hark::for_calls(&kam, "alice", "a1", 440, dir.path(), &["PCMU"]);
    let bob = Baresip::callee(&kam, "bob", "b2", Answer::Auto, dir.path(), &["PCMU"]);

    let call = alice.call(&kam.aor("bob"));
    alice.wait_call_phase(&call, "active", T);
    alice.call_control(&call, json!({"op": "hold"}));
    let held = alice.wait_for("call on hold", T, |e| {
        e["event"] == "call" && e["call"]["on_hold"] == true
    });
    assert_eq!(held["call"]["phase"], "active", "{held}");
    let reinvite = bob
        .received_requests("INVITE")
        .into_iter()
        .last()
        .expect("a re-INVITE");
    assert!(reinvite.body().contains("a=sendonly"), "{}", reinvite.raw);
    alice.call_control(&call, json!({"op": "resume"}));
    alice.wait_for("call resumed", T, |e| {
        e["event"] == "call" && e["call"]["on_hold"] == false && e["call"]["phase"] == "active"
    });
    alice.call_control(&call, json!({"op": "hangup"}));
    alice.wait_call_phase(&call, "ended", T);
    bob.stop();
}

#[test]
fn hark_transfers_baresip_to_a_third_party() {
    let kam = server();
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, _) = Hark::for_calls(&kam, "alice", "a1", 440, dir.path(), &["PCMU"]);
    let (mut carol, carol_wav) = Hark::for_calls(&kam, "carol", "c3", 660, dir.path(), &["PCMU"]);
    let bob = Baresip::callee(&kam, "bob", "b2", Answer::Auto, dir.path(), &["PCMU"]);

    let call = alice.call(&kam.aor("bob"));
    alice.wait_call_phase(&call, "active", T);
    alice.call_control(&call, json!({"op": "transfer", "target": kam.aor("carol")}));

    // baresip calls carol, referred by alice.
    let ringing = carol.wait_incoming_call(T);
    assert_eq!(ringing["peer"], kam.aor("bob").as_str(), "{ringing}");
    let carol_call = ringing["id"].as_str().unwrap().to_string();
    carol.call_control(&carol_call, json!({"op": "answer"}));
    carol.wait_call_phase(&carol_call, "active", T);
    let ended = alice.wait_call_phase(&call, "ended", T);
    assert_eq!(ended["end_reason"], "transferred", "{ended}");
    let refer = bob.received_requests("REFER");
    assert!(
        refer[0]
            .header("Refer-To")
            .is_some_and(|r| r.contains(&kam.aor("carol"))),
        "{}",
        refer[0].raw
    );
    // carol hears bob's tone on the new call.
    std::thread::sleep(Duration::from_secs(3));
    carol.call_control(&carol_call, json!({"op": "hangup"}));
    carol.wait_call_phase(&carol_call, "ended", T);
    assert_tone(&carol_wav, 1000.0, "carol");
    bob.stop();
}

/// alice on Hark (a 440 Hz tone, Opus first, her speaker recorded: the
/// path returned) and carol on linphonec, registered, with a 1000 Hz WAV
/// (the path returned) for her to play.
fn hark_and_linphonec(
    kam: &Kamailio,
    dir: &std::path::Path,
) -> (Hark, std::path::PathBuf, Linphonec, std::path::PathBuf) {
    hark_and_linphonec_as(kam, dir, "carol", "c3")
}

/// As [`hark_and_linphonec`], with linphonec as `user`.
fn hark_and_linphonec_as(
    kam: &Kamailio,
    dir: &std::path::Path,
    user: &str,
    password: &str,
) -> (Hark, std::path::PathBuf, Linphonec, std::path::PathBuf) {
    let hark_wav = dir.join("hark.wav");
    let tone = dir.join("tone1000.wav");
    let made = std::process::Command::new("sox")
        .args(["-n", "-r", "16000", "-c", "1", "-b", "16"])
        .arg(&tone)
        .args(["synth", "8", "sine", "1000", "vol", "0.5"])
        .status()
        .expect("sox (Debian package sox)");
    assert!(made.success());
    let alice = Hark::logged_in_with(
        kam,
        "alice",
        "a1",
        "udp",
        &calls_toml(440, &hark_wav, &["opus", "PCMU"]),
    );
    let peer = Linphonec::start_with(kam, user, password, "supported=replaces, outbound");
    peer.wait_registered(kam, user, T);
    (alice, hark_wav, peer, tone)
}

#[test]
fn linphonec_calls_hark_and_both_hear_the_other() {
    let kam = server();
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, hark_wav, mut carol, tone) = hark_and_linphonec(&kam, dir.path());

    carol.send(&format!("call {}", kam.aor("alice")));
    let ringing = alice.wait_incoming_call(T);
    assert_eq!(ringing["peer"], kam.aor("carol").as_str(), "{ringing}");
    let id = ringing["id"].as_str().unwrap().to_string();
    alice.call_control(&id, json!({"op": "answer"}));
    let up = alice.wait_call_phase(&id, "active", T);
    let carol_wav = dir.path().join("carol.wav");
    carol.send(&format!("record {}", carol_wav.display()));
    carol.send(&format!("play {}", tone.display()));
    std::thread::sleep(Duration::from_secs(4));
    alice.call_control(&id, json!({"op": "hangup"}));
    alice.wait_call_phase(&id, "ended", T);
    eprintln!("linphonec call on {}", up["codec"]);
    assert_tone(&carol_wav, 440.0, "linphonec");
    assert_tone(&hark_wav, 1000.0, "hark from linphonec");
    carol.stop();
}

#[test]
fn baresip_transfers_hark_to_a_third_party() {
    let kam = server();
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, _) = Hark::for_calls(&kam, "alice", "a1", 440, dir.path(), &["PCMU"]);
    let (mut carol, _) = Hark::for_calls(&kam, "carol", "c3", 660, dir.path(), &["PCMU"]);
    let bob = Baresip::callee(&kam, "bob", "b2", Answer::Auto, dir.path(), &["PCMU"]);

    let to_bob = alice.call(&kam.aor("bob"));
    alice.wait_call_phase(&to_bob, "active", T);
    bob.command_with_params("transfer", &kam.aor("carol"));
    // alice, transferred, calls carol, who answers; bob's call ends.
    let to_carol = alice.wait_for("the call the transfer asked for", T, |e| {
        e["event"] == "call" && e["call"]["peer"] == kam.aor("carol").as_str()
    })["call"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ringing = carol.wait_incoming_call(T);
    assert_eq!(ringing["peer"], kam.aor("alice").as_str(), "{ringing}");
    carol.call_control(ringing["id"].as_str().unwrap(), json!({"op": "answer"}));
    alice.wait_call_phase(&to_carol, "active", T);
    let ended = alice.wait_call_phase(&to_bob, "ended", T);
    assert_eq!(ended["end_reason"], "remote-hangup", "{ended}");
    let notifies = bob.received_requests("NOTIFY");
    assert!(
        notifies.iter().any(|n| n.body().starts_with("SIP/2.0 200")),
        "baresip got no final NOTIFY: {notifies:?}"
    );
    alice.call_control(&to_carol, json!({"op": "hangup"}));
    alice.wait_call_phase(&to_carol, "ended", T);
    bob.stop();
}

#[test]
fn hark_calls_linphonec_and_both_hear_the_other() {
    let kam = server();
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, hark_wav, mut carol, tone) = hark_and_linphonec(&kam, dir.path());

    let call = alice.call(&kam.aor("carol"));
    carol.wait_log(T, "the incoming call", |l| {
        l.contains("Receiving new incoming call")
    });
    alice.wait_call_phase(&call, "ringing", T);
    carol.send("answer");
    let up = alice.wait_call_phase(&call, "active", T);
    let carol_wav = dir.path().join("carol.wav");
    carol.send(&format!("record {}", carol_wav.display()));
    carol.send(&format!("play {}", tone.display()));
    std::thread::sleep(Duration::from_secs(4));
    carol.send("terminate");
    let ended = alice.wait_call_ended(&call, T);
    assert_eq!(ended["end_reason"], "remote-hangup", "{ended}");
    eprintln!("call to linphonec on {}", up["codec"]);
    assert_tone(&carol_wav, 440.0, "linphonec");
    assert_tone(&hark_wav, 1000.0, "hark from linphonec");
    carol.stop();
}

/// Hark's forwarding (a 302) with a caller Hark did not write: linphonec
/// calls alice, who forwards every call to carol (Hark); linphonec
/// follows the redirect and carol's phone rings with linphonec's call.
#[test]
fn linphonec_follows_harks_forwarding() {
    let kam = server();
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, _, mut bob, _) = hark_and_linphonec_as(&kam, dir.path(), "bob", "b2");
    let (mut carol, _) = Hark::for_calls(&kam, "carol", "c3", 660, dir.path(), &["PCMU"]);
    alice.send(
        &json!({"cmd": "set_call_settings", "id": 1, "settings": {
            "input": "tone:440", "output": "none", "ringer": "none",
            "forwarding": {"always": "carol"}
        }})
        .to_string(),
    );
    let set = alice.wait_for("forwarding set", T, |e| e["id"] == 1);
    assert_eq!(set["event"], "ok", "{set}");

    bob.send(&format!("call {}", kam.aor("alice")));
    let ringing = carol.wait_incoming_call(T);
    assert_eq!(ringing["peer"], kam.aor("bob").as_str(), "{ringing}");
    let id = ringing["id"].as_str().unwrap().to_string();
    carol.call_control(&id, json!({"op": "answer"}));
    carol.wait_call_phase(&id, "active", T);
    let turned = alice.wait_for("alice's forward", T, |e| e["event"] == "call");
    assert_eq!(turned["call"]["end_reason"], "forwarded", "{turned}");
    carol.call_control(&id, json!({"op": "hangup"}));
    carol.wait_call_ended(&id, T);
    bob.stop();
}
