//! Calls between two headless Harks through a real Kamailio (SPEC C1, C2):
//! each side sends a tone, the other records what it hears to a WAV file,
//! and sox measures the recordings.

mod support;

use std::time::Duration;

use serde_json::json;
use support::hark::Hark;
use support::hark_call::calls_toml;
use support::kamailio::{users, Kamailio, KamailioOptions};
use support::sox;

const T: Duration = Duration::from_secs(20);

fn server() -> Kamailio {
    Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2")]),
        ..Default::default()
    })
}

#[test]
fn hark_calls_hark_and_both_hear_the_other_side() {
    call_hark_with("PCMU");
}

#[test]
fn hark_calls_hark_with_opus() {
    call_hark_with("opus");
}

fn call_hark_with(codec: &str) {
    let kam = server();
    let dir = tempfile::tempdir().unwrap();
    let (alice_wav, bob_wav) = (dir.path().join("alice.wav"), dir.path().join("bob.wav"));
    let mut alice = Hark::logged_in_with(
        &kam,
        "alice",
        "a1",
        "udp",
        &calls_toml(440, &alice_wav, &[codec]),
    );
    let mut bob = Hark::logged_in_with(
        &kam,
        "bob",
        "b2",
        "udp",
        &calls_toml(1000, &bob_wav, &[codec]),
    );

    let call = alice.call(&kam.aor("bob"));
    let ringing = bob.wait_incoming_call(T);
    assert_eq!(ringing["peer"], kam.aor("alice").as_str(), "{ringing}");
    alice.wait_call_phase(&call, "ringing", T);
    let bob_call = ringing["id"].as_str().unwrap().to_string();
    bob.call_control(&bob_call, json!({"op": "answer"}));
    let up = alice.wait_call_phase(&call, "active", T);
    assert_eq!(up["codec"], codec, "{up}");
    bob.wait_call_phase(&bob_call, "active", T);

    std::thread::sleep(Duration::from_secs(4));
    alice.call_control(&call, json!({"op": "hangup"}));
    let ended = alice.wait_call_phase(&call, "ended", T);
    assert_eq!(ended["end_reason"], "hangup", "{ended}");
    let ended = bob.wait_call_phase(&bob_call, "ended", T);
    assert_eq!(ended["end_reason"], "remote-hangup", "{ended}");
    std::thread::sleep(Duration::from_millis(300));

    // Each heard the other's tone, at about the level it was sent
    // (-15 dBFS peak 8000 -> RMS -15 dBFS - 3 dB), for the whole call.
    let heard_by_bob = sox::stat(&bob_wav, 1.0, 2.0);
    assert!(
        (heard_by_bob.frequency - 440.0).abs() < 15.0,
        "{heard_by_bob:?}"
    );
    assert!(
        (sox::dbfs(heard_by_bob.rms) + 15.2).abs() < 2.0,
        "{heard_by_bob:?}"
    );
    let heard_by_alice = sox::stat(&alice_wav, 1.0, 2.0);
    assert!(
        (heard_by_alice.frequency - 1000.0).abs() < 30.0,
        "{heard_by_alice:?}"
    );
    assert!(
        (sox::dbfs(heard_by_alice.rms) + 15.2).abs() < 2.0,
        "{heard_by_alice:?}"
    );
    assert!(heard_by_alice.length > 3.5, "{heard_by_alice:?}");
    eprintln!("bob heard {heard_by_bob:?}; alice heard {heard_by_alice:?}");
}

#[test]
fn do_not_disturb_refuses_calls_and_a_call_shows_on_the_phone_and_on_the_line() {
    let kam = Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2"), ("carol", "c3")]),
        presence_open: true,
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let calls = |name: &str, hz| calls_toml(hz, &dir.path().join(format!("{name}.wav")), &["PCMU"]);
    let mut alice = Hark::logged_in_with(&kam, "alice", "a1", "udp", &calls("alice", 440));
    let mut bob = Hark::logged_in_with(&kam, "bob", "b2", "udp", &calls("bob", 1000));
    let mut carol = Hark::logged_in(&kam, "carol", "c3");
    let bob_uri = kam.aor("bob");
    carol.add_contact(&kam.aor("carol"), &bob_uri);
    carol.wait_presence(&bob_uri, "available", T, |u| {
        u["availability"] == "available"
    });

    // Do not disturb: the caller hears busy, bob's phone never rings.
    bob.set_status("do_not_disturb", "");
    carol.wait_presence(&bob_uri, "do not disturb", T, |u| {
        u["availability"] == "do_not_disturb"
    });
    let call = alice.call(&bob_uri);
    let ended = alice.wait_call_phase(&call, "ended", T);
    assert_eq!(ended["end_reason"], "busy", "{ended}");
    let refused = bob.wait_for("the refused call", T, |e| e["event"] == "call");
    assert_eq!(refused["call"]["phase"], "ended", "{refused}");
    assert_eq!(refused["call"]["detail"], "do not disturb", "{refused}");

    // Available again: a call that is up shows bob on the phone to his
    // watchers, and his status comes back after.
    bob.set_status("available", "");
    carol.wait_presence(&bob_uri, "available again", T, |u| {
        u["availability"] == "available"
    });
    let call = alice.call(&bob_uri);
    let ringing = bob.wait_incoming_call(T);
    let bob_call = ringing["id"].as_str().unwrap().to_string();
    // Busy lamp (RFC 4235): bob's line rings, then is in a call.
    carol.wait_presence(&bob_uri, "line ringing", T, |u| u["line"] == "ringing");
    bob.call_control(&bob_call, json!({"op": "answer"}));
    alice.wait_call_phase(&call, "active", T);
    carol.wait_presence(&bob_uri, "on the phone, line in a call", T, |u| {
        u["availability"] == "on_the_phone" && u["line"] == "in_call"
    });
    bob.call_control(&bob_call, json!({"op": "hangup"}));
    let ended = alice.wait_call_phase(&call, "ended", T);
    assert_eq!(ended["end_reason"], "remote-hangup", "{ended}");
    carol.wait_presence(&bob_uri, "available, line idle after the call", T, |u| {
        u["availability"] == "available" && u["line"] == "idle"
    });

    // The history (C7): bob missed the call Do-not-disturb turned away and
    // received the other; the missed one counts until he has seen it.
    bob.send(r#"{"cmd":"call_history","id":1}"#);
    let h = bob.wait_for("bob's history", T, |e| e["event"] == "call_history");
    let calls = h["calls"].as_array().expect("calls");
    assert_eq!(calls.len(), 2, "{h}");
    assert_eq!(calls[0]["kind"], "received", "{h}");
    assert_eq!(calls[0]["end_reason"], "hangup", "{h}");
    assert!(calls[0]["answered"].is_i64(), "{h}");
    assert_eq!(calls[1]["kind"], "missed", "{h}");
    assert_eq!(calls[1]["end_reason"], "dnd", "{h}");
    assert_eq!(h["missed_unseen"], 1, "{h}");
    bob.send(r#"{"cmd":"call_history","id":2,"filter":{"kind":"missed"}}"#);
    let h = bob.wait_for("bob's missed calls", T, |e| {
        e["event"] == "call_history" && e["id"] == 2
    });
    assert_eq!(h["calls"].as_array().map(Vec::len), Some(1), "{h}");
    bob.send(r#"{"cmd":"mark_calls_seen"}"#);
    bob.send(r#"{"cmd":"call_history","id":3}"#);
    let h = bob.wait_for("history after seeing", T, |e| {
        e["event"] == "call_history" && e["id"] == 3
    });
    assert_eq!(h["missed_unseen"], 0, "{h}");
    alice.send(r#"{"cmd":"call_history","id":4,"filter":{"kind":"placed"}}"#);
    let h = alice.wait_for("alice's history", T, |e| {
        e["event"] == "call_history" && e["id"] == 4
    });
    assert_eq!(h["calls"].as_array().map(Vec::len), Some(2), "{h}");
    assert_eq!(h["calls"][0]["peer"], bob_uri.as_str(), "{h}");
}

#[test]
fn attended_transfer_between_three_harks() {
    let kam = Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2"), ("carol", "c3")]),
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let calls = |name: &str, hz| calls_toml(hz, &dir.path().join(format!("{name}.wav")), &["PCMU"]);
    let mut alice = Hark::logged_in_with(&kam, "alice", "a1", "udp", &calls("alice", 440));
    let mut bob = Hark::logged_in_with(&kam, "bob", "b2", "udp", &calls("bob", 1000));
    let mut carol = Hark::logged_in_with(&kam, "carol", "c3", "udp", &calls("carol", 660));
    let answer = |h: &mut Hark| {
        let id = h.wait_incoming_call(T)["id"].as_str().unwrap().to_string();
        h.call_control(&id, json!({"op": "answer"}));
        h.wait_call_phase(&id, "active", T);
        id
    };

    // alice talks to bob, holds him, calls carol.
    let to_bob = alice.call(&kam.aor("bob"));
    let bob_first = answer(&mut bob);
    alice.wait_call_phase(&to_bob, "active", T);
    alice.call_control(&to_bob, json!({"op": "hold"}));
    alice.wait_for("bob on hold", T, |e| {
        e["event"] == "call" && e["call"]["id"] == to_bob.as_str() && e["call"]["on_hold"] == true
    });
    let to_carol = alice.call(&kam.aor("carol"));
    let carol_first = answer(&mut carol);
    alice.wait_call_phase(&to_carol, "active", T);

    // Connect bob and carol (REFER with Replaces): both of alice's calls end.
    alice.call_control(
        &to_bob,
        json!({"op": "attended_transfer", "with": to_carol}),
    );
    let from_bob = carol.wait_for("bob's call replacing alice's", T, |e| {
        e["event"] == "call"
            && e["call"]["peer"] == kam.aor("bob").as_str()
            && e["call"]["phase"] == "active"
    });
    let ended = carol.wait_call_ended(&carol_first, T);
    assert_eq!(ended["peer"], kam.aor("alice").as_str(), "{ended}");
    let a = alice.wait_call_ended(&to_bob, T);
    assert_eq!(a["end_reason"], "transferred", "{a}");
    let b = alice.wait_call_ended(&to_carol, T);
    assert_eq!(b["end_reason"], "remote-hangup", "{b}");
    let b1 = bob.wait_call_ended(&bob_first, T);
    assert_eq!(b1["end_reason"], "remote-hangup", "{b1}");

    // bob and carol hear each other.
    std::thread::sleep(Duration::from_secs(3));
    let new_call = from_bob["call"]["id"].as_str().unwrap().to_string();
    carol.call_control(&new_call, json!({"op": "hangup"}));
    carol.wait_call_phase(&new_call, "ended", T);
    std::thread::sleep(Duration::from_millis(300));
    let heard = sox::stat(&dir.path().join("carol.wav"), 1.0, 1.0);
    eprintln!("carol heard {heard:?}");
    assert!(heard.length > 3.0, "{heard:?}");
    assert!(
        (heard.frequency - 1000.0).abs() < 40.0,
        "carol hears bob: {heard:?}"
    );
}

#[test]
fn voicemail_indicator_follows_the_message_summary() {
    let kam = Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1")]),
        presence_open: true,
        ..Default::default()
    });
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    // A voicemail server publishes the box's summary (RFC 3842) through
    // Kamailio's presence_mwi; Hark is subscribed to it.
    let publish = |new: &str, old: &str| {
        let run = support::sipp::Sipp::new("publish_mwi", &kam.server_addr())
            .user("alice", "a1")
            .key("domain", &kam.domain)
            .key("new", new)
            .key("old", old)
            .local_port(support::free_port())
            .run();
        assert!(run.success, "{run}");
    };
    publish("2", "8");
    let ev = alice.wait_for("two new voice messages", T, |e| {
        e["event"] == "voicemail" && e["new"] == 2
    });
    assert_eq!(ev["waiting"], true, "{ev}");
    assert_eq!(ev["old"], 8, "{ev}");
    assert_eq!(ev["account"], kam.aor("alice").as_str(), "{ev}");
    publish("0", "10");
    let ev = alice.wait_for("messages heard", T, |e| {
        e["event"] == "voicemail" && e["new"] == 0
    });
    assert_eq!(ev["old"], 10, "{ev}");
}

#[test]
fn a_ringing_call_goes_to_voicemail_with_a_302() {
    let kam = server();
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, _) = Hark::for_calls(&kam, "alice", "a1", 440, dir.path(), &["PCMU"]);
    let pilot = "sip:voicemail@hark.test";
    let bob_calls = calls_toml(1000, &dir.path().join("bob.wav"), &["PCMU"])
        + &format!("voicemail = \"{pilot}\"\n");
    let mut bob = Hark::logged_in_with(&kam, "bob", "b2", "udp", &bob_calls);

    let call = alice.call(&kam.aor("bob"));
    let ringing = bob.wait_incoming_call(T);
    let bob_call = ringing["id"].as_str().unwrap().to_string();
    bob.call_control(&bob_call, json!({"op": "voicemail"}));
    let sent = bob.wait_call_phase(&bob_call, "ended", T);
    assert_eq!(sent["end_reason"], "forwarded", "{sent}");
    assert_eq!(sent["detail"], pilot, "{sent}");
    // Kamailio hands the 302 back to the caller, who follows it to the
    // pilot (no such user here: the server's 404 ends the call).
    let forwarded = alice.wait_for("alice's call forwarded", T, |e| {
        e["event"] == "call"
            && e["call"]["id"] == call.as_str()
            && e["call"]["forwarded_to"] == pilot
    });
    assert_eq!(
        forwarded["call"]["peer"],
        kam.aor("bob").as_str(),
        "{forwarded}"
    );
    let ended = alice.wait_call_ended(&call, T);
    assert_eq!(ended["end_reason"], "not-found", "{ended}");
    // A call sent to voicemail is received, not missed.
    bob.send(r#"{"cmd":"call_history","id":1}"#);
    let h = bob.wait_for("bob's history", T, |e| e["event"] == "call_history");
    assert_eq!(h["calls"][0]["kind"], "received", "{h}");
    assert_eq!(h["missed_unseen"], 0, "{h}");
}

/// Sends `set_call_settings` and checks it took: the answer is `ok` and
/// the `call_settings` event told before it has `settings`.
fn set_calls(hark: &mut Hark, settings: serde_json::Value) {
    hark.send(&json!({"cmd": "set_call_settings", "id": "set", "settings": settings}).to_string());
    let answer = hark.wait_for("set_call_settings answered", T, |e| e["id"] == "set");
    assert_eq!(answer["event"], "ok", "{answer}");
    let now = hark
        .seen()
        .iter()
        .rev()
        .find(|e| e["event"] == "call_settings")
        .cloned();
    let now = now.expect("a call_settings event");
    // Empty parts (no forwarding at all) are left out.
    for (key, value) in settings.as_object().expect("settings object") {
        let expected = Some(value).filter(|v| *v != &json!({}));
        assert_eq!(now["settings"].get(key), expected, "{key}: {now}");
    }
}

/// bob's `[calls]` settings: his tone and recording as in the other
/// tests, the ringer to a file, and `forwarding`.
fn set_bob_settings(bob: &mut Hark, dir: &std::path::Path, forwarding: serde_json::Value) {
    let settings = json!({
        "input": "tone:1000",
        "output": format!("file:{}", dir.join("bob.wav").display()),
        "ringer": format!("file:{}", dir.join("bob-ring.wav").display()),
        "codecs": ["PCMU"],
        "forwarding": forwarding,
    });
    set_calls(bob, settings);
}

/// Call forwarding (SPEC C6) set at run time, through Kamailio: on no
/// answer (bob's phone rings on his ringer for the ring time, then the
/// caller follows the 302 to carol and hears her), when busy, and always
/// (bob's watchers see him "forwarded" and his phone never rings).
#[test]
fn calls_are_forwarded_on_no_answer_when_busy_and_always() {
    let kam = Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2"), ("carol", "c3")]),
        presence_open: true,
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, _) = Hark::for_calls(&kam, "alice", "a1", 440, dir.path(), &["PCMU"]);
    let (mut bob, _) = Hark::for_calls(&kam, "bob", "b2", 1000, dir.path(), &["PCMU"]);
    let (mut carol, carol_wav) = Hark::for_calls(&kam, "carol", "c3", 700, dir.path(), &["PCMU"]);
    let (bob_uri, carol_uri) = (kam.aor("bob"), kam.aor("carol"));

    // No answer within 2 s: forwarded to carol, who answers.
    set_bob_settings(
        &mut bob,
        dir.path(),
        json!({"no_answer": "carol", "no_answer_seconds": 2}),
    );
    let call = alice.call(&bob_uri);
    let ringing = bob.wait_incoming_call(T);
    let rang_at = std::time::Instant::now();
    let bob_call = ringing["id"].as_str().unwrap().to_string();
    let gone = bob.wait_call_phase(&bob_call, "ended", T);
    let rang = rang_at.elapsed();
    assert_eq!(gone["end_reason"], "forwarded", "{gone}");
    assert!(rang >= Duration::from_millis(1500), "rang {rang:?}");
    let forwarded = alice.wait_for("alice's call forwarded to carol", T, |e| {
        e["event"] == "call"
            && e["call"]["id"] == call.as_str()
            && e["call"]["forwarded_to"] == carol_uri.as_str()
    });
    assert_eq!(forwarded["call"]["peer"], bob_uri.as_str(), "{forwarded}");
    let at_carol = carol.wait_incoming_call(T);
    assert_eq!(at_carol["peer"], kam.aor("alice").as_str(), "{at_carol}");
    let carol_call = at_carol["id"].as_str().unwrap().to_string();
    carol.call_control(&carol_call, json!({"op": "answer"}));
    alice.wait_call_phase(&call, "active", T);
    std::thread::sleep(Duration::from_secs(3));
    // carol chooses another speaker mid-call (C4): the call moves to it.
    let carol_later = dir.path().join("carol-later.wav");
    set_calls(
        &mut carol,
        json!({
            "input": "tone:700",
            "output": format!("file:{}", carol_later.display()),
            "ringer": "none",
            "codecs": ["PCMU"],
        }),
    );
    std::thread::sleep(Duration::from_secs(3));
    alice.call_control(&call, json!({"op": "hangup"}));
    alice.wait_call_ended(&call, T);
    carol.wait_call_ended(&carol_call, T);
    std::thread::sleep(Duration::from_millis(300));
    for wav in [&carol_wav, &carol_later] {
        let heard = sox::stat(wav, 0.5, 1.5);
        assert!(
            (heard.frequency - 440.0).abs() < 15.0,
            "carol heard {heard:?} in {wav:?}"
        );
        assert!(
            heard.length > 2.0 && heard.length < 5.0,
            "{heard:?} in {wav:?}"
        );
    }
    // bob's ringer rang (440 + 480 Hz) while the call waited, then stopped.
    let ring = sox::stat(&dir.path().join("bob-ring.wav"), 0.0, 1.0);
    assert!(sox::dbfs(ring.rms) > -30.0, "ring {ring:?}");
    assert!(ring.length > 1.4 && ring.length < 4.0, "ring {ring:?}");

    // Busy: while bob is in a call, a second caller goes to alice.
    set_bob_settings(&mut bob, dir.path(), json!({"busy": "alice"}));
    let first = alice.call(&bob_uri);
    let ringing = bob.wait_incoming_call(T);
    let bob_first = ringing["id"].as_str().unwrap().to_string();
    bob.call_control(&bob_first, json!({"op": "answer"}));
    alice.wait_call_phase(&first, "active", T);
    let second = carol.call(&bob_uri);
    let at_alice = alice.wait_incoming_call(T);
    assert_eq!(at_alice["peer"], carol_uri.as_str(), "{at_alice}");
    let turned = bob.wait_for("bob's busy forward", T, |e| {
        e["event"] == "call"
            && e["call"]["direction"] == "incoming"
            && e["call"]["phase"] == "ended"
    });
    assert_eq!(turned["call"]["end_reason"], "forwarded", "{turned}");
    alice.call_control(at_alice["id"].as_str().unwrap(), json!({"op": "decline"}));
    let ended = carol.wait_call_ended(&second, T);
    assert_eq!(ended["end_reason"], "declined", "{ended}");
    assert_eq!(ended["forwarded_to"], kam.aor("alice").as_str(), "{ended}");
    alice.call_control(&first, json!({"op": "hangup"}));
    alice.wait_call_ended(&first, T);
    bob.wait_call_ended(&bob_first, T);

    // Always: bob's watchers see "forwarded"; his phone never rings.
    alice.add_contact(&kam.aor("alice"), &bob_uri);
    alice.wait_presence(&bob_uri, "available", T, |u| {
        u["availability"] == "available"
    });
    set_bob_settings(
        &mut bob,
        dir.path(),
        json!({"always": "sip:carol@hark.test"}),
    );
    alice.wait_presence(&bob_uri, "forwarded", T, |u| {
        u["availability"] == "forwarded"
    });
    let call = alice.call(&bob_uri);
    let at_carol = carol.wait_incoming_call(T);
    assert_eq!(at_carol["peer"], kam.aor("alice").as_str(), "{at_carol}");
    carol.call_control(at_carol["id"].as_str().unwrap(), json!({"op": "decline"}));
    let ended = alice.wait_call_ended(&call, T);
    assert_eq!(ended["forwarded_to"], carol_uri.as_str(), "{ended}");
    let turned = bob.wait_for("bob's unconditional forward", T, |e| {
        e["event"] == "call" && e["call"]["direction"] == "incoming"
    });
    assert_eq!(
        turned["call"]["phase"], "ended",
        "bob's phone rang: {turned}"
    );
    set_bob_settings(&mut bob, dir.path(), json!({}));
    alice.wait_presence(&bob_uri, "available again", T, |u| {
        u["availability"] == "available"
    });
}

/// Several calls, one active (C1): answering a second call holds the
/// first, resuming the first holds the second; each hold is a re-INVITE
/// the peer answers, so the held side's `on_hold` flips only when agreed.
#[test]
fn answering_a_second_call_holds_the_first_and_resuming_swaps() {
    let kam = Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2"), ("carol", "c3")]),
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, _) = Hark::for_calls(&kam, "alice", "a1", 440, dir.path(), &["PCMU"]);
    let (mut bob, _) = Hark::for_calls(&kam, "bob", "b2", 1000, dir.path(), &["PCMU"]);
    let (mut carol, _) = Hark::for_calls(&kam, "carol", "c3", 700, dir.path(), &["PCMU"]);
    // The hold of one call and the resumption of another may be told in
    // either order: look among the events already seen too.
    let on_hold = |hark: &mut Hark, id: &str, held: bool, since: usize| {
        let is = |e: &serde_json::Value| {
            e["event"] == "call" && e["call"]["id"] == id && e["call"]["on_hold"] == held
        };
        if !hark.seen()[since..].iter().any(is) {
            hark.wait_for(&format!("call {id} on_hold={held}"), T, is);
        }
    };

    let with_bob = bob_calls(&mut bob, &mut alice, &kam);
    let from_carol = carol.call(&kam.aor("alice"));
    let carol_uri = kam.aor("carol");
    let ringing = alice.wait_for("carol's call", T, |e| {
        e["event"] == "call"
            && e["call"]["phase"] == "incoming"
            && e["call"]["peer"] == carol_uri.as_str()
    });
    let with_carol = ringing["call"]["id"].as_str().unwrap().to_string();
    let since = alice.seen().len();
    alice.call_control(&with_carol, json!({"op": "answer"}));
    carol.wait_call_phase(&from_carol, "active", T);
    on_hold(&mut alice, &with_bob, true, since);

    let since = alice.seen().len();
    alice.call_control(&with_bob, json!({"op": "resume"}));
    on_hold(&mut alice, &with_bob, false, since);
    on_hold(&mut alice, &with_carol, true, since);
    // A window that starts now learns of both calls from the snapshot.
    let since = alice.seen().len();
    alice.send(r#"{"cmd":"snapshot","id":"snap"}"#);
    alice.wait_for("the snapshot", T, |e| e["id"] == "snap");
    let told: Vec<_> = alice.seen()[since..]
        .iter()
        .filter(|e| e["event"] == "call")
        .map(|e| (e["call"]["id"].clone(), e["call"]["on_hold"].clone()))
        .collect();
    assert!(told.contains(&(json!(with_bob), json!(false))), "{told:?}");
    assert!(told.contains(&(json!(with_carol), json!(true))), "{told:?}");

    // Quick swaps, each before the re-INVITEs of the one before are
    // answered: every click waits its turn and none is lost.
    // From bob active, carol held: to carol and straight back to bob.
    let since = alice.seen().len();
    for id in [&with_carol, &with_bob] {
        alice.call_control(id, json!({"op": "resume"}));
    }
    on_hold(&mut alice, &with_bob, true, since);
    let deadline = std::time::Instant::now() + T;
    loop {
        let since = alice.seen().len();
        alice.send(r#"{"cmd":"snapshot","id":"again"}"#);
        alice.wait_for("a snapshot", T, |e| e["id"] == "again");
        let held = |id: &str| {
            alice.seen()[since..].iter().any(|e| {
                e["event"] == "call" && e["call"]["id"] == id && e["call"]["on_hold"] == true
            })
        };
        if !held(&with_bob) && held(&with_carol) {
            break;
        }
        let told: Vec<_> = alice.seen()[since..]
            .iter()
            .filter(|e| e["event"] == "call")
            .map(|e| (e["call"]["id"].clone(), e["call"]["on_hold"].clone()))
            .collect();
        assert!(
            std::time::Instant::now() < deadline,
            "bob held or carol not after the swaps: {told:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    for id in [&with_bob, &with_carol] {
        alice.call_control(id, json!({"op": "hangup"}));
        alice.wait_call_ended(id, T);
    }
}

/// bob calls alice and she answers; returns alice's id of the call.
fn bob_calls(bob: &mut Hark, alice: &mut Hark, kam: &Kamailio) -> String {
    let call = bob.call(&kam.aor("alice"));
    let ringing = alice.wait_incoming_call(T);
    let id = ringing["id"].as_str().unwrap().to_string();
    alice.call_control(&id, json!({"op": "answer"}));
    bob.wait_call_phase(&call, "active", T);
    id
}

/// Two devices of bob ring at once (Kamailio forks the INVITE); he takes
/// the call on one, the server cancels the other with "Reason: SIP
/// ;cause=200", and that one ends as answered elsewhere: not a missed
/// call in its history.
#[test]
fn a_call_answered_on_another_device_is_not_missed() {
    let kam = server();
    let (dir, desk_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut alice, _) = Hark::for_calls(&kam, "alice", "a1", 440, dir.path(), &["PCMU"]);
    let (mut phone, _) = Hark::for_calls(&kam, "bob", "b2", 1000, dir.path(), &["PCMU"]);
    let (mut desk, _) = Hark::for_calls(&kam, "bob", "b2", 1000, desk_dir.path(), &["PCMU"]);

    let call = alice.call(&kam.aor("bob"));
    let on_phone = phone.wait_incoming_call(T);
    let on_desk = desk.wait_incoming_call(T);
    phone.call_control(on_phone["id"].as_str().unwrap(), json!({"op": "answer"}));
    alice.wait_call_phase(&call, "active", T);
    let desk_call = on_desk["id"].as_str().unwrap();
    let ended = desk.wait_call_ended(desk_call, T);
    assert_eq!(ended["end_reason"], "answered-elsewhere", "{ended}");
    desk.send(r#"{"cmd":"call_history","id":1}"#);
    let h = desk.wait_for("the desk's history", T, |e| e["event"] == "call_history");
    assert_eq!(h["calls"][0]["kind"], "received", "{h}");
    assert_eq!(h["calls"][0]["end_reason"], "answered-elsewhere", "{h}");
    assert_eq!(h["missed_unseen"], 0, "{h}");
    alice.call_control(&call, json!({"op": "hangup"}));
    alice.wait_call_ended(&call, T);
}
