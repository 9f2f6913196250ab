//! The real chat window, end to end: Hark's window on a private X server
//! (Xvfb, software rendering) logged in to a real Kamailio, a second Hark
//! (headless) as the other person. `hark chat URI` opens the window, a
//! person types with the keyboard (xdotool): Shift+Enter makes a new line,
//! Enter sends; the other side gets exactly that text, and what the other
//! side wrote is in the window's history.
//! Needs the Debian packages `xvfb xdotool` besides Kamailio's.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::hark::{account_toml, Hark};
use support::kamailio::{users, Kamailio, KamailioOptions};
use support::xvfb::{HarkWindow, Xvfb};

const T: Duration = Duration::from_secs(30);

/// Sends one command on the control socket and returns the first event
/// that `pred` accepts.
fn ask(socket: &std::path::Path, command: Value, pred: impl Fn(&Value) -> bool) -> Value {
    let mut stream = UnixStream::connect(socket).expect("control socket");
    stream.set_read_timeout(Some(T)).unwrap();
    writeln!(stream, "{command}").unwrap();
    for line in BufReader::new(stream).lines() {
        let line = line.expect("an answer in time");
        let event: Value = serde_json::from_str(&line).expect("JSON");
        if pred(&event) {
            return event;
        }
    }
    panic!("the control socket closed before answering {command}");
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + T;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn typing_in_the_real_chat_window_sends_and_shows_the_conversation() {
    let kam = Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2")]),
        ..Default::default()
    });
    let (a, b) = (kam.aor("alice"), kam.aor("bob"));
    let x = Xvfb::start("1024x768x24");
    let alice = HarkWindow::start(
        &x,
        &account_toml(&a, Some("a1"), &kam.server_addr(), "udp", ""),
    );
    wait_until("alice's window to register", || {
        !kam.contacts_of("alice").is_empty()
    });
    let mut bob = Hark::start(&account_toml(&b, Some("b2"), &kam.server_addr(), "udp", ""));
    bob.wait_state("registered", T);

    bob.send_message(&b, &a, "Hi Alice \u{1F44B}, are you there?");
    bob.wait_sent_state("Hi Alice \u{1F44B}, are you there?", "sent", T);

    let opened = Command::new(env!("CARGO_BIN_EXE_hark"))
        .args(["chat", &b, "--socket"])
        .arg(&alice.socket)
        .output()
        .expect("hark chat");
    assert!(opened.status.success(), "{opened:?}");
    let mut window = String::new();
    wait_until("the chat window", || {
        let found = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", "bob@hark.test"])
            .env("DISPLAY", &x.display)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        window = found.lines().last().unwrap_or("").to_string();
        !window.is_empty()
    });
    std::thread::sleep(Duration::from_millis(500));
    x.xdotool(&["windowfocus", "--sync", &window]);
    x.xdotool(&["type", "--delay", "20", "Yes, typed in the window"]);
    x.xdotool(&["key", "shift+Return"]);
    x.xdotool(&["type", "--delay", "20", "second line"]);
    x.xdotool(&["key", "Return"]);

    let typed = "Yes, typed in the window\nsecond line";
    bob.wait_received(typed, T);

    let history = ask(
        &alice.socket,
        json!({"cmd": "history", "account": a, "peer": b, "id": "h"}),
        |e| e["event"] == "history",
    );
    let shown: Vec<(bool, &str)> = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["outgoing"] == true, m["body"].as_str().unwrap()))
        .collect();
    assert_eq!(
        shown,
        vec![(false, "Hi Alice \u{1F44B}, are you there?"), (true, typed)],
        "{history}"
    );
    let quit = Command::new(env!("CARGO_BIN_EXE_hark"))
        .args(["quit", "--socket"])
        .arg(&alice.socket)
        .output()
        .expect("hark quit");
    assert!(quit.status.success(), "{quit:?}");
}
