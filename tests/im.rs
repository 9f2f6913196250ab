//! Instant messaging against a real Kamailio (SPEC M1, M2, M3, M5): Hark
//! to Hark over SIP MESSAGE, with typing indications, history, failures
//! with a reason and a retry, and a queue that survives the server going
//! away and Hark being killed.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::hark::{account_toml, Hark};
use support::kamailio::{users, Kamailio, KamailioOptions};

const T: Duration = Duration::from_secs(30);

fn server() -> Kamailio {
    Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2"), ("carol", "c3")]),
        ..Default::default()
    })
}

#[test]
fn two_harks_chat_both_ways_with_utf8_intact_and_history_kept() {
    let kam = server();
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    let mut bob = Hark::logged_in(&kam, "bob", "b2");
    let (a, b) = (kam.aor("alice"), kam.aor("bob"));

    let hello =
        "Hello Bob \u{1F44B} \u{05e9}\u{05dc}\u{05d5}\u{05dd} <b>not bold</b> {$x}\nsecond line";
    alice.send_message(&a, &b, hello);
    let queued = alice.wait_message("queued at once", T, |m| m["body"] == hello);
    assert_eq!(queued["outgoing"], true);
    assert_eq!(queued["peer"], b.as_str());
    alice.wait_sent_state(hello, "sent", T);
    let got = bob.wait_received(hello, T);
    assert_eq!(got["peer"], a.as_str(), "{got}");
    assert_eq!(got["sender"], a.as_str(), "{got}");

    bob.send_message(&b, &a, "Hi Alice, all good");
    bob.wait_sent_state("Hi Alice, all good", "sent", T);
    alice.wait_received("Hi Alice, all good", T);

    // A long paste (the most over UDP: 6000 bytes) arrives whole.
    let long: String = "0123456789abcdef\u{e9}\n".repeat(315);
    assert!(long.len() <= 6000);
    alice.send_message(&a, &b, &long);
    alice.wait_sent_state(&long, "sent", T);
    let got = bob.wait_message("the long paste", T, |m| m["state"] == "received");
    assert!(
        got["body"] == long.as_str(),
        "cut to {} bytes",
        got["body"].as_str().unwrap_or("").len()
    );

    // The history keeps all, in order, on both sides.
    let history = alice.history(&a, &b);
    assert_eq!(
        support::hark_chat::bodies(&history),
        vec![hello, "Hi Alice, all good", &long],
        "{history}"
    );
    assert_eq!(history["more"], false);

    // Search finds it across chats and within the chat.
    bob.send(&json!({"cmd": "search_messages", "account": b, "query": "bob", "id": 8}).to_string());
    let found = bob.wait_event("search_results", T);
    assert_eq!(found["hits"][0]["message"]["body"], hello, "{found}");

    let (status, _) = alice.quit(T);
    assert!(status.success());
    let (status, _) = bob.quit(T);
    assert!(status.success());
}

#[test]
fn typing_shows_on_the_other_side_and_stops_when_the_message_arrives() {
    let kam = server();
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    let mut bob = Hark::logged_in(&kam, "bob", "b2");
    let (a, b) = (kam.aor("alice"), kam.aor("bob"));

    alice.typing(&a, &b, true);
    bob.wait_typing(&a, true, T);
    alice.typing(&a, &b, false);
    bob.wait_typing(&a, false, T);

    alice.typing(&a, &b, true);
    bob.wait_typing(&a, true, T);
    alice.send_message(&a, &b, "done typing");
    bob.wait_received("done typing", T);
    bob.wait_typing(&a, false, T);
}

#[test]
fn a_message_to_an_unknown_user_fails_with_the_reason_and_retry_sends_it_again() {
    let kam = server();
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    let a = kam.aor("alice");
    let nobody = format!("sip:nobody@{}", kam.domain);
    alice.send_message(&a, &nobody, "anyone there?");
    let failed = alice.wait_sent_state("anyone there?", "failed", T);
    let reason = failed["failure"].as_str().unwrap_or_default();
    assert!(reason.starts_with("not-found"), "{failed}");
    let id = failed["id"].as_i64().unwrap();

    // carol exists but is offline (no msilo here): 480, failed as offline.
    let carol = kam.aor("carol");
    alice.send_message(&a, &carol, "are you there?");
    let offline = alice.wait_sent_state("are you there?", "failed", T);
    assert!(
        offline["failure"]
            .as_str()
            .unwrap_or_default()
            .starts_with("offline"),
        "{offline}"
    );

    // Retry: goes again (and fails again), with the same id.
    alice.send(&json!({"cmd": "retry_message", "account": a, "message": id}).to_string());
    alice.wait_message("retried", T, |m| m["id"] == id && m["state"] == "sending");
    alice.wait_message("failed again", T, |m| {
        m["id"] == id && m["state"] == "failed"
    });
}

#[test]
fn messages_typed_while_the_server_is_down_go_out_once_after_a_kill_and_restart() {
    let kam = server();
    let mut bob = Hark::logged_in(&kam, "bob", "b2");
    let (a, b) = (kam.aor("alice"), kam.aor("bob"));
    let db_dir = tempfile::tempdir().unwrap();
    let db = db_dir.path().join("alice.db");
    let db_arg = db.to_str().unwrap();
    let config = account_toml(&a, Some("a1"), &kam.server_addr(), "udp", "");

    // Alice starts while she cannot register (her server is "down": she
    // points at a port where nothing listens), types three messages, and is
    // killed.
    let dead = account_toml(&a, Some("a1"), "127.0.0.1:9", "udp", "");
    let mut alice = Hark::start_with_args(&dead, &["--database", db_arg]);
    for text in ["one", "two", "three"] {
        alice.send_message(&a, &b, text);
        alice.wait_message(&format!("{text} queued"), T, |m| {
            m["body"] == text && m["state"] == "queued"
        });
    }
    drop(alice); // kill -9

    // Restarted against the real server: the queue goes out by itself,
    // in order, each exactly once.
    let mut alice = Hark::start_with_args(&config, &["--database", db_arg]);
    alice.wait_state("registered", T);
    for text in ["one", "two", "three"] {
        bob.wait_received(text, T);
        alice.wait_sent_state(text, "sent", T);
    }
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(bob.history_bodies(&b, &a), vec!["one", "two", "three"]);
}

#[test]
fn bad_commands_get_clear_errors() {
    let kam = server();
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    let a = kam.aor("alice");
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"cmd": "send_message", "account": a, "to": "bob", "body": "x", "id": 1}),
            "SIP address",
        ),
        (
            json!({"cmd": "send_message", "account": a, "to": kam.aor("bob"), "body": "  ", "id": 2}),
            "empty",
        ),
        (
            json!({"cmd": "send_message", "account": a, "to": kam.aor("bob"), "body": "x".repeat(40_000), "id": 3}),
            "bytes",
        ),
        (
            json!({"cmd": "send_message", "account": "sip:zed@x", "to": kam.aor("bob"), "body": "x", "id": 4}),
            "no account",
        ),
        (
            json!({"cmd": "retry_message", "account": a, "message": 999, "id": 5}),
            "no message",
        ),
    ];
    for (cmd, words) in cases {
        let id = cmd["id"].clone();
        alice.send(&cmd.to_string());
        let err = alice.wait_for("error", T, |e| e["event"] == "error" && e["id"] == id);
        assert!(
            err["message"].as_str().unwrap_or_default().contains(words),
            "{cmd} -> {err}"
        );
    }
}

#[test]
fn bad_input_is_refused_with_the_right_status_or_shown_safely() {
    use support::sipp::Sipp;
    let kam = server();
    let mut bob = Hark::logged_in(&kam, "bob", "b2");
    let run = Sipp::new("im_bad_input", &kam.server_addr())
        .user("alice", "a1")
        .key("domain", &kam.domain)
        .key("to", "bob")
        .run();
    assert!(run.success, "{run}");
    let statuses = run.received_status_lines();
    assert!(
        statuses.iter().any(|s| s.starts_with("SIP/2.0 415")),
        "{statuses:?}"
    );
    assert!(
        run.messages.contains("Accept: text/plain, message/cpim"),
        "415 without Accept:\n{run}"
    );
    assert!(
        statuses.iter().any(|s| s.starts_with("SIP/2.0 413")),
        "a body cut short was taken: {statuses:?}"
    );
    // The bytes that are not UTF-8 arrive as replacement characters.
    // (SIPp ends the body with CRLF.)
    let got = bob.wait_received("caf\u{fffd} \u{fffd} end\r\n", T);
    assert_eq!(got["peer"], kam.aor("alice"));
    // Nothing refused was kept.
    let a = kam.aor("alice");
    let history = bob.history_bodies(&kam.aor("bob"), &a);
    assert_eq!(history.len(), 1, "{history:?}");
}

#[test]
fn forking_reaches_every_device_first_then_the_one_that_answered() {
    let kam = server();
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    let mut bob_desk = Hark::logged_in(&kam, "bob", "b2");
    let mut bob_laptop = Hark::logged_in(&kam, "bob", "b2");
    let (a, b) = (kam.aor("alice"), kam.aor("bob"));

    alice.send_message(&a, &b, "first, to all");
    bob_desk.wait_received("first, to all", T);
    bob_laptop.wait_received("first, to all", T);

    bob_laptop.send_message(&b, &a, "answering from the laptop");
    alice.wait_received("answering from the laptop", T);

    alice.send_message(&a, &b, "second, to the laptop");
    alice.wait_sent_state("second, to the laptop", "sent", T);
    bob_laptop.wait_received("second, to the laptop", T);
    bob_desk.assert_not_received("second, to the laptop", Duration::from_secs(2));
    // The desk answers: the conversation moves there.
    bob_desk.send_message(&b, &a, "now at my desk");
    alice.wait_received("now at my desk", T);
    alice.send_message(&a, &b, "third, to the desk");
    bob_desk.wait_received("third, to the desk", T);
}

#[test]
fn hark_chat_from_outside_asks_the_running_hark_to_open_the_chat() {
    let kam = server();
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hark"))
        .args(["chat", "sip:Bob@Hark.Test;transport=udp", "--socket"])
        .arg(alice.socket())
        .output()
        .expect("run hark chat");
    assert!(out.status.success(), "{out:?}");
    let open = alice.wait_event("open_chat", T);
    assert_eq!(open["peer"], "sip:Bob@hark.test", "{open}");
    assert_eq!(open["account"], kam.aor("alice"));

    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_hark"))
        .args(["chat", "not an address", "--socket"])
        .arg(alice.socket())
        .output()
        .expect("run hark chat");
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("not a SIP address"),
        "{bad:?}"
    );
}

#[test]
fn a_message_caught_mid_send_by_a_kill_goes_again_and_is_not_duplicated() {
    let kam = server();
    let mut bob = Hark::logged_in(&kam, "bob", "b2");
    let (a, b) = (kam.aor("alice"), kam.aor("bob"));
    let db_dir = tempfile::tempdir().unwrap();
    let db = db_dir.path().join("alice.db");
    let db_arg = db.to_str().unwrap();
    let config = account_toml(&a, Some("a1"), &kam.server_addr(), "udp", "");

    let mut alice = Hark::start_with_args(&config, &["--database", db_arg]);
    alice.wait_state("registered", T);
    alice.send_message(&a, &b, "did you get this?");
    bob.wait_received("did you get this?", T);
    alice.wait_sent_state("did you get this?", "sent", T);
    drop(alice); // kill -9

    // As if the kill had come after the MESSAGE left but before its 200
    // was recorded: the row is still "sending".
    let out = std::process::Command::new("sqlite3")
        .arg(&db)
        .arg("UPDATE messages SET state = 'sending' WHERE direction = 'out';")
        .output()
        .expect("sqlite3 (apt-get install sqlite3)");
    assert!(out.status.success(), "{out:?}");

    // Restarted, alice sends it again by herself; bob keeps one copy.
    let mut alice = Hark::start_with_args(&config, &["--database", db_arg]);
    alice.wait_state("registered", T);
    alice.wait_sent_state("did you get this?", "sent", T);
    bob.assert_not_received("did you get this?", Duration::from_secs(2));
    let history = bob.history_bodies(&b, &a);
    assert_eq!(history.len(), 1, "{history:?}");
}

#[test]
fn messages_queued_while_kamailio_is_down_go_out_once_each_after_it_restarts() {
    // With offline messages: whether alice or bob registers first after the
    // restart, each message reaches bob (directly, or kept for him).
    let mut kam = Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2")]),
        msilo: true,
        ..Default::default()
    });
    let (a, b) = (kam.aor("alice"), kam.aor("bob"));
    let fast = "keepalive_secs = 1\n";
    let mut alice = Hark::logged_in_with(&kam, "alice", "a1", "udp", fast);
    let mut bob = Hark::logged_in_with(&kam, "bob", "b2", "udp", fast);

    kam.kill();
    alice.wait_state("retrying", T);
    for text in ["while down 1", "while down 2 \u{1F50C}"] {
        alice.send_message(&a, &b, text);
        let m = alice.wait_message(&format!("{text} waits"), T, |m| {
            m["body"] == text && m["state"] == "queued" && m["failure"] == "not-registered"
        });
        assert_eq!(m["outgoing"], true);
    }
    kam.launch();
    alice.wait_state("registered", Duration::from_secs(40));
    // (Not waiting for bob's "registered": msilo may deliver before it.)
    for text in ["while down 1", "while down 2 \u{1F50C}"] {
        alice.wait_message(&format!("{text} went out"), Duration::from_secs(40), |m| {
            m["body"] == text && (m["state"] == "sent" || m["state"] == "stored")
        });
        bob.wait_received(text, Duration::from_secs(40));
    }
    bob.assert_not_received("while down 1", Duration::from_secs(3));
    let history = bob.history_bodies(&b, &a);
    assert_eq!(history.len(), 2, "{history:?}");
}

#[test]
fn over_tcp_a_longer_paste_arrives_whole() {
    let kam = server();
    let mut alice = Hark::logged_in_with(&kam, "alice", "a1", "tcp", "");
    let mut bob = Hark::logged_in_with(&kam, "bob", "b2", "tcp", "");
    // The most over TCP: 12000 bytes (a default Kamailio reads 16 KiB).
    let long: String = "0123456789abcdef\u{e9}\n".repeat(630);
    assert!(long.len() > 11_000 && long.len() <= 12_000);
    alice.send_message(&kam.aor("alice"), &kam.aor("bob"), &long);
    alice.wait_sent_state(&long, "sent", T);
    let got = bob.wait_message("the long paste", T, |m| m["state"] == "received");
    assert!(
        got["body"] == long.as_str(),
        "cut to {} bytes",
        got["body"].as_str().unwrap_or("").len()
    );
}

#[test]
fn delivery_and_display_notifications_from_the_peer_mark_our_message() {
    use support::sipp::Sipp;
    let kam = server();
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    let mut bob = Hark::logged_in(&kam, "bob", "b2");
    let (a, b) = (kam.aor("alice"), kam.aor("bob"));
    alice.send_message(&a, &b, "tell me when you read it");
    let sent = alice.wait_sent_state("tell me when you read it", "sent", T);
    bob.wait_received("tell me when you read it", T);
    let message_id = sent["message_id"].as_str().unwrap().to_string();

    // Bob's other client (SIPp) sends the IMDNs, as RFC 5438 and
    // liblinphone write them in CPIM.
    for (notification, status, state) in [
        ("delivery", "delivered", "delivered"),
        ("display", "displayed", "displayed"),
    ] {
        let run = Sipp::new("message_imdn", &kam.server_addr())
            .user("bob", "b2")
            .key("domain", &kam.domain)
            .key("to", "alice")
            .key("imdn_id", &format!("n-{status}"))
            .key("ref_id", &message_id)
            .key("notification", notification)
            .key("status", status)
            .key("datetime", "2026-11-23T10:00:00Z")
            .run();
        assert!(run.success, "{run}");
        alice.wait_sent_state("tell me when you read it", state, T);
    }
}
