//! Chat between Hark and real clients through a real Kamailio (SPEC M1,
//! M2, M9): baresip 1.0 and linphonec 5.1 both ways with UTF-8 intact,
//! typing indications to linphonec, and delivery and read notifications
//! (IMDN) with linphonec, which asks for them and sends them.

mod support;

use std::time::Duration;

use serde_json::json;
use support::hark::Hark;
use support::kamailio::{users, Kamailio, KamailioOptions};
use support::linphonec::Linphonec;
use support::peers::Baresip;

const T: Duration = Duration::from_secs(30);

/// Emoji, an accent and right-to-left Hebrew: 4-byte, 2-byte and RTL UTF-8.
const TEXT: &str = "h\u{e9}llo \u{1F44B} \u{05e9}\u{05dc}\u{05d5}\u{05dd}";

fn server() -> Kamailio {
    Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2"), ("carol", "c3")]),
        ..Default::default()
    })
}

#[test]
fn hark_and_baresip_chat_both_ways() {
    let kam = server();
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    let (a, b) = (kam.aor("alice"), kam.aor("bob"));
    let bob = Baresip::start_for_chat(&kam, "bob", "b2", &[a.as_str()]);

    alice.send_message(&a, &b, &format!("to baresip: {TEXT}"));
    alice.wait_sent_state(&format!("to baresip: {TEXT}"), "sent", T);
    let shown = bob.wait_message(&a, &format!("to baresip: {TEXT}"), T);
    assert!(shown.contains(TEXT), "{shown:?}");

    let answer = bob.send_message(&a, &format!("from baresip: {TEXT}"));
    assert!(answer.starts_with("SIP/2.0 200"), "{answer}");
    let got = alice.wait_received(&format!("from baresip: {TEXT}"), T);
    assert_eq!(got["peer"], b.as_str(), "{got}");

    // Typing goes to baresip too; it refuses it (415), and the chat goes on.
    alice.typing(&a, &b, true);
    alice.send_message(&a, &b, "still here");
    alice.wait_sent_state("still here", "sent", T);
    bob.wait_message(&a, "still here", T);
    bob.stop();
}

#[test]
fn hark_and_linphonec_chat_both_ways_with_delivery_notifications() {
    let kam = server();
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    let (a, c) = (kam.aor("alice"), kam.aor("carol"));
    let mut carol = Linphonec::start(&kam, "carol", "c3");
    carol.wait_registered(&kam, "carol", T);

    alice.send_message(&a, &c, &format!("to linphonec: {TEXT}"));
    alice.wait_sent_state(&format!("to linphonec: {TEXT}"), "sent", T);
    carol.wait_message(&a, &format!("to linphonec: {TEXT}"), T);
    // linphonec says it has it (IMDN naming our Call-ID, deflated).
    alice.wait_sent_state(&format!("to linphonec: {TEXT}"), "delivered", T);

    carol.send_message(&a, &format!("from linphonec: {TEXT}"));
    let got = alice.wait_received(&format!("from linphonec: {TEXT}"), T);
    assert_eq!(got["peer"], c.as_str(), "{got}");
    carol.stop();
}

#[test]
fn linphonec_with_cpim_gets_delivery_and_read_notifications_and_sends_them() {
    let kam = server();
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    let (a, c) = (kam.aor("alice"), kam.aor("carol"));
    let mut carol = Linphonec::start_with_im(&kam, "carol", "c3");
    carol.wait_registered(&kam, "carol", T);

    // carol writes in CPIM asking for notifications: Hark says delivered
    // at once, and displayed once alice has seen the chat.
    carol.send_message(&a, "are you reading this?");
    alice.wait_received("are you reading this?", T);
    carol.wait_chat_message_state("DeliveredToUser", T);
    alice.send(&json!({"cmd": "mark_read", "account": a, "peer": c}).to_string());
    carol.wait_chat_message_state("Displayed", T);

    // Hark answers in CPIM, asking for notifications: linphonec sends
    // "delivered", and the message shows so.
    alice.send_message(&a, &c, &format!("yes: {TEXT}"));
    carol.wait_message(&a, &format!("yes: {TEXT}"), T);
    alice.wait_sent_state(&format!("yes: {TEXT}"), "delivered", T);

    // Typing reaches linphonec (it takes the isComposing: 200, no error).
    alice.typing(&a, &c, true);
    let deadline = std::time::Instant::now() + T;
    while !carol.debug_log().contains("im-iscomposing+xml") {
        assert!(
            std::time::Instant::now() < deadline,
            "linphonec never got the isComposing:\n{}",
            carol.debug_log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(carol.debug_log().contains("<state>active</state>"));
    // ... and it took it: Hark logs an indication that was not answered 2xx.
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        !alice.stderr().contains("typing indication not taken"),
        "{}",
        alice.stderr()
    );
    carol.stop();
}
