//! The chat side of the peer harness (tests/support/peers.rs) against a real
//! Kamailio, with SIPp on the other end: baresip and linphonec send a
//! MESSAGE that a SIPp device receives byte for byte, a SIPp MESSAGE shows
//! up intact in baresip's log and linphonec's output, and what each peer
//! does with isComposing, CPIM and IMDN (tests/fixtures/im/README.md has the
//! wire captures).
//!
//! Every SIPp device is a UAS (`uas_message_any`) on a port of its own,
//! registered by a separate SIPp (`register`); requests to the peers come
//! from yet another SIPp authenticating as the same user.

mod support;

use std::time::Duration;

use support::free_port;
use support::kamailio::{users, Kamailio, KamailioOptions};
use support::linphonec::Linphonec;
use support::peers::Baresip;
use support::sipp::{received_requests, RunningSipp, SipMessage, Sipp, SippRun};

const T: Duration = Duration::from_secs(15);

/// Emoji, an accent and right-to-left Hebrew: 4-byte, 2-byte and RTL UTF-8.
const TEXT: &str = "héllo 👋 שלום";

const USERS: &[(&str, &str)] = &[("alice", "a1"), ("bob", "b2"), ("carol", "c3")];

fn password(user: &str) -> &'static str {
    USERS.iter().find(|(u, _)| *u == user).unwrap().1
}

fn server() -> Kamailio {
    Kamailio::start(KamailioOptions {
        users: users(USERS),
        ..Default::default()
    })
}

/// A SIPp UAS registered as `user` that takes `count` MESSAGEs (distinct
/// Call-IDs) and answers each 200 OK.
fn device(kam: &Kamailio, user: &str, count: u32) -> RunningSipp {
    let port = free_port();
    let uas = Sipp::new("uas_message_any", &kam.server_addr())
        .local_port(port)
        .arg("-m")
        .arg(&count.to_string())
        .timeout(Duration::from_secs(30))
        .spawn();
    let register = Sipp::new("register", &kam.server_addr())
        .user(user, password(user))
        .key("domain", &kam.domain)
        .key("contact", &format!("sip:{user}@127.0.0.1:{port}"))
        .key("expires", "300")
        .run();
    assert!(register.success, "{register}");
    uas
}

/// The MESSAGEs a device received; asserts it got `count` and finished.
fn messages(device: RunningSipp, count: usize) -> (SippRun, Vec<SipMessage>) {
    let run = device.wait();
    let got = received_requests(&run, "MESSAGE");
    assert!(run.success, "{run}");
    assert_eq!(got.len(), count, "{run}");
    (run, got)
}

/// A SIPp client sending scenario `scenario` as `from` to `to` with `keys`.
fn send_from(
    kam: &Kamailio,
    scenario: &str,
    from: &str,
    to: &str,
    keys: &[(&str, &str)],
) -> SippRun {
    let mut sipp = Sipp::new(scenario, &kam.server_addr())
        .user(from, password(from))
        .key("domain", &kam.domain)
        .key("to", to);
    for (k, v) in keys {
        sipp = sipp.key(k, v);
    }
    sipp.run()
}

fn final_status(run: &SippRun) -> String {
    run.received_status_lines()
        .last()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn baresip_sends_a_utf8_message_that_sipp_receives_intact() {
    let kam = server();
    let alice = device(&kam, "alice", 2);
    let bob = Baresip::start_for_chat(
        &kam,
        "bob",
        password("bob"),
        &["sip:carol@hark.test", &kam.aor("alice")],
    );

    assert_eq!(bob.send_message(&kam.aor("alice"), TEXT), "SIP/2.0 200 OK");
    assert_eq!(
        bob.send_message(&kam.aor("alice"), "second"),
        "SIP/2.0 200 OK"
    );
    bob.stop();

    let (_, got) = messages(alice, 2);
    let m = &got[0];
    assert_eq!(m.body, TEXT.as_bytes(), "{}", m.body_str());
    assert_eq!(m.header("Content-Type").as_deref(), Some("text/plain"));
    assert!(
        m.header("From").unwrap().contains("<sip:bob@hark.test>"),
        "{}",
        m.head
    );
    assert_eq!(m.header("Contact"), None, "{}", m.head);
    assert_eq!(got[1].body, b"second");
    // a new Call-ID per message
    assert_ne!(m.header("Call-ID"), got[1].header("Call-ID"));
}

#[test]
fn linphonec_sends_a_utf8_message_that_sipp_receives_intact() {
    let kam = server();
    let alice = device(&kam, "alice", 1);
    let mut carol = Linphonec::start(&kam, "carol", password("carol"));
    carol.wait_registered(&kam, "carol", T);

    carol.send_message(&kam.aor("alice"), TEXT);

    let (_, got) = messages(alice, 1);
    let m = &got[0];
    assert_eq!(m.body, TEXT.as_bytes(), "{}", m.body_str());
    assert_eq!(m.header("Content-Type").as_deref(), Some("text/plain"));
    assert!(
        m.header("From").unwrap().contains("<sip:carol@hark.test>"),
        "{}",
        m.head
    );
    assert!(m.header("Date").is_some(), "{}", m.head);
    assert_eq!(m.header("Contact"), None, "{}", m.head);
    carol.stop();
}

/// With `start_with_im` linphonec wraps its text in CPIM asking for every
/// IMDN, and takes a CPIM "delivered" then "displayed" IMDN for it (its
/// message moves to DeliveredToUser, then Displayed).
#[test]
fn linphonec_with_im_asks_for_imdn_in_cpim_and_takes_the_imdns() {
    let kam = server();
    let alice = device(&kam, "alice", 1);
    let mut carol = Linphonec::start_with_im(&kam, "carol", password("carol"));
    carol.wait_registered(&kam, "carol", T);

    carol.send_message(&kam.aor("alice"), TEXT);

    let (_, got) = messages(alice, 1);
    let m = &got[0];
    assert_eq!(
        m.header("Content-Type").as_deref(),
        Some("message/cpim"),
        "{}",
        m.head
    );
    let cpim = m.body_str();
    assert!(cpim.contains("From: <sip:carol@hark.test>\r\n"), "{cpim}");
    assert!(
        cpim.contains("NS: imdn <urn:ietf:params:imdn>\r\n"),
        "{cpim}"
    );
    assert!(
        cpim.contains(
            "imdn.Disposition-Notification: positive-delivery, negative-delivery, display\r\n"
        ),
        "{cpim}"
    );
    let (_, content) = cpim.split_once("\r\n\r\n").expect("CPIM headers");
    let (content_head, text) = content.split_once("\r\n\r\n").expect("CPIM content");
    assert_eq!(text, TEXT);
    assert!(
        content_head.contains(&format!("Content-Length: {}", TEXT.len())),
        "{content_head}"
    );
    let id = cpim
        .lines()
        .find_map(|l| l.strip_prefix("imdn.Message-ID: "))
        .expect("imdn.Message-ID")
        .trim()
        .to_string();
    carol.wait_chat_message_state("Delivered", T);
    assert!(
        carol
            .chat_message_states()
            .contains(&("InProgress".to_string(), "Delivered".to_string())),
        "{:?}",
        carol.chat_message_states()
    );

    for (notification, status, state) in [
        ("delivery", "delivered", "DeliveredToUser"),
        ("display", "displayed", "Displayed"),
    ] {
        let imdn_id = format!("hark-{status}");
        let run = send_from(
            &kam,
            "message_imdn",
            "alice",
            "carol",
            &[
                ("imdn_id", imdn_id.as_str()),
                ("ref_id", id.as_str()),
                ("notification", notification),
                ("status", status),
                ("datetime", "2026-11-23T23:19:00Z"),
            ],
        );
        assert!(run.success, "{run}");
        assert_eq!(final_status(&run), "SIP/2.0 200 Ok", "{run}");
        carol.wait_chat_message_state(state, T);
    }
    // IMDNs are silent on its console
    assert!(carol.shown_messages().is_empty(), "{}", carol.log());
    carol.stop();
}

#[test]
fn sipp_message_reaches_baresip_intact_and_iscomposing_gets_415() {
    let kam = server();
    let bob = Baresip::start(&kam, "bob", password("bob"));

    let run = send_from(&kam, "message_text", "alice", "bob", &[("text", TEXT)]);
    assert!(run.success, "{run}");
    assert_eq!(final_status(&run), "SIP/2.0 200 OK");
    let shown = bob.wait_message("sip:alice@hark.test", TEXT, T);
    // SIPp ends the body with CR LF
    assert_eq!(shown, format!("{TEXT}\r\n"));
    let got = bob.received_requests("MESSAGE");
    assert_eq!(got.last().unwrap().body(), format!("{TEXT}\r\n"));

    // baresip takes text/plain only: 415 with Accept: text/plain, nothing shown
    let run = send_from(
        &kam,
        "message_iscomposing",
        "alice",
        "bob",
        &[("state", "active")],
    );
    assert!(run.success, "{run}");
    assert_eq!(final_status(&run), "SIP/2.0 415 Unsupported Media Type");
    assert!(run.messages.contains("Accept: text/plain"), "{run}");
    let call_id = bob
        .received_requests("MESSAGE")
        .last()
        .unwrap()
        .header("Call-ID")
        .unwrap();
    assert_eq!(
        bob.answer_to(&call_id).as_deref(),
        Some("SIP/2.0 415 Unsupported Media Type")
    );
    assert_eq!(bob.shown_messages().len(), 1, "{:?}", bob.shown_messages());
    bob.stop();
}

/// linphonec prints the text, answers 200, and sends alice a "delivered"
/// IMDN by itself even for a plain text/plain MESSAGE (message-id: the
/// MESSAGE's Call-ID), deflate-compressed; isComposing gets 200 and is
/// silent.
#[test]
fn sipp_message_reaches_linphonec_intact_and_it_sends_a_delivery_imdn() {
    let kam = server();
    let alice = device(&kam, "alice", 1);
    let carol = Linphonec::start(&kam, "carol", password("carol"));
    carol.wait_registered(&kam, "carol", T);

    let run = send_from(&kam, "message_text", "alice", "carol", &[("text", TEXT)]);
    assert!(run.success, "{run}");
    assert_eq!(final_status(&run), "SIP/2.0 200 Ok");
    let shown = carol.wait_message("sip:alice@hark.test", TEXT, T);
    assert_eq!(shown, TEXT);

    let (_, got) = messages(alice, 1);
    let imdn = &got[0];
    assert_eq!(
        imdn.header("Content-Type").as_deref(),
        Some("message/imdn+xml")
    );
    assert_eq!(imdn.header("Content-Encoding").as_deref(), Some("deflate"));
    assert!(imdn
        .header("From")
        .unwrap()
        .contains("<sip:carol@hark.test>"));

    let run = send_from(
        &kam,
        "message_iscomposing",
        "alice",
        "carol",
        &[("state", "active")],
    );
    assert!(run.success, "{run}");
    assert_eq!(final_status(&run), "SIP/2.0 200 Ok");
    assert_eq!(carol.shown_messages().len(), 1, "{}", carol.log());
    carol.stop();
}

/// liblinphone 5.1 checks a CPIM DateTime against the wrong month (it
/// stores the month 0-based, then wants 1 to 12): a DateTime in January is
/// refused with 488, whatever the year; a CPIM message without DateTime is
/// taken.  Each CPIM message brings a deflated CPIM IMDN back to alice: a
/// "failed" one (reason 488) for January, "delivered" for the others.
#[test]
fn linphonec_refuses_a_cpim_datetime_in_january_and_takes_none() {
    let kam = server();
    let alice = device(&kam, "alice", 3);
    let carol = Linphonec::start_with_im(&kam, "carol", password("carol"));
    carol.wait_registered(&kam, "carol", T);
    let ask = "positive-delivery, display";

    let january = send_from(
        &kam,
        "message_cpim",
        "alice",
        "carol",
        &[
            ("text", "in january"),
            ("imdn_id", "hark-jan"),
            ("disposition", ask),
            ("datetime", "2027-01-15T10:00:00Z"),
        ],
    );
    assert!(january.success, "{january}");
    assert_eq!(final_status(&january), "SIP/2.0 488 Not acceptable here");

    let undated = send_from(
        &kam,
        "message_cpim_no_datetime",
        "alice",
        "carol",
        &[
            ("text", TEXT),
            ("imdn_id", "hark-undated"),
            ("disposition", ask),
        ],
    );
    assert!(undated.success, "{undated}");
    assert_eq!(final_status(&undated), "SIP/2.0 200 Ok");
    assert_eq!(carol.wait_message("sip:alice@hark.test", TEXT, T), TEXT);

    let november = send_from(
        &kam,
        "message_cpim",
        "alice",
        "carol",
        &[
            ("text", "in november"),
            ("imdn_id", "hark-nov"),
            ("disposition", ask),
            ("datetime", "2026-11-23T10:00:00Z"),
        ],
    );
    assert!(november.success, "{november}");
    assert_eq!(final_status(&november), "SIP/2.0 200 Ok");
    carol.wait_message("sip:alice@hark.test", "in november", T);
    assert!(
        !carol
            .shown_messages()
            .iter()
            .any(|(_, t)| t.contains("january")),
        "{}",
        carol.log()
    );

    let (_, got) = messages(alice, 3);
    for imdn in &got {
        assert_eq!(
            imdn.header("Content-Type").as_deref(),
            Some("message/cpim"),
            "{}",
            imdn.head
        );
        assert_eq!(
            imdn.header("Content-Encoding").as_deref(),
            Some("deflate"),
            "{}",
            imdn.head
        );
    }
    let debug = carol.debug_log();
    assert!(
        debug.contains("<status><failed/><imdn:reason code=\"488\">"),
        "no failed IMDN in the debug log"
    );
    carol.stop();
}
