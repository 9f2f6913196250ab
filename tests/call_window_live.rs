//! The real call windows, end to end (SPEC C5, C6): Hark's window on a
//! private X server (Xvfb, software rendering) logged in to a real
//! Kamailio, a headless Hark calls it. The pop-up appears, Enter answers
//! (the caller sees the call active), the pop-up goes and the call window
//! comes, Alt+K and typed keys send tones, Alt+E hangs up (the caller sees
//! `remote-hangup`), and the ended call's window closes by itself.
//! Needs the Debian packages `xvfb xdotool` besides Kamailio's.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::hark::{account_toml, Hark};
use support::hark_call::calls_toml;
use support::kamailio::{users, Kamailio, KamailioOptions};
use support::xvfb::{HarkWindow, Xvfb};

const T: Duration = Duration::from_secs(30);

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + T;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn find(x: &Xvfb, name: &str) -> String {
    let out = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", name])
        .env("DISPLAY", &x.display)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    out.lines().last().unwrap_or("").to_string()
}

#[test]
fn a_real_call_rings_in_the_pop_up_and_the_keyboard_answers_and_hangs_up() {
    let kam = Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2")]),
        ..Default::default()
    });
    let a = kam.aor("alice");
    let dir = tempfile::tempdir().unwrap();
    let x = Xvfb::start("1280x800x24");
    let _alice = HarkWindow::start(
        &x,
        &account_toml(
            &a,
            Some("a1"),
            &kam.server_addr(),
            "udp",
            &calls_toml(440, &dir.path().join("a.wav"), &["PCMU"]),
        ),
    );
    wait_until("alice's window to register", || {
        !kam.contacts_of("alice").is_empty()
    });
    let mut bob = Hark::logged_in_with(
        &kam,
        "bob",
        "b2",
        "udp",
        &calls_toml(1000, &dir.path().join("b.wav"), &["PCMU"]),
    );
    let call = bob.call(&a);
    let mut popup = String::new();
    wait_until("the pop-up", || {
        popup = find(&x, "Call from");
        !popup.is_empty()
    });
    std::thread::sleep(Duration::from_millis(500));
    x.xdotool(&["windowfocus", "--sync", &popup]);
    x.xdotool(&["key", "Return"]);
    bob.wait_call_phase(&call, "active", T);
    let mut window = String::new();
    wait_until("the call window", || {
        window = find(&x, "Call with");
        !window.is_empty()
    });
    assert!(find(&x, "Call from").is_empty(), "the pop-up stays");
    x.xdotool(&["windowfocus", "--sync", &window]);
    x.xdotool(&["key", "alt+k"]);
    x.xdotool(&["type", "--delay", "80", "12#"]);
    for key in ["1", "2", "#"] {
        bob.wait_for(&format!("the key {key}"), T, |e| {
            e["event"] == "dtmf_received" && e["key"] == key
        });
    }
    x.xdotool(&["key", "alt+e"]);
    let ended = bob.wait_call_phase(&call, "ended", T);
    assert_eq!(ended["end_reason"], "remote-hangup", "{ended}");
    wait_until("the call window to close", || {
        find(&x, "Call with").is_empty()
    });
}
