//! Federation (SPEC P12): contacts on other domains work the same as local
//! ones.  Two Kamailio servers, a.test and b.test, each relaying the other's
//! domain to it; alice@a.test and bob@b.test, each on their own server,
//! watch each other.  Presence of a user is held by that user's server.

mod support;

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use support::hark::Hark;
use support::kamailio::{users, Kamailio, KamailioOptions};
use support::random_u64;

const T: Duration = Duration::from_secs(20);

fn two_domains() -> (Kamailio, Kamailio) {
    Kamailio::start_federated(
        KamailioOptions {
            domain: "a.test".into(),
            users: users(&[("alice", "a1")]),
            presence_open: true,
            ..Default::default()
        },
        KamailioOptions {
            domain: "b.test".into(),
            users: users(&[("bob", "b2")]),
            presence_open: true,
            ..Default::default()
        },
    )
}

/// Adds a contact and waits until the list the engine reports holds it.
fn add_contact_listed(hark: &mut Hark, account: &str, uri: &str) {
    hark.add_contact(account, uri);
    let list = hark.wait_event("contacts", T);
    assert!(list.to_string().contains(uri), "{list}");
}

/// Watchers of `presentity` that `kam`'s presence module holds (its
/// `active_watchers` table, written back every few seconds).
fn watchers_on(kam: &Kamailio, presentity: &str) -> Vec<String> {
    let db = rusqlite::Connection::open(kam.db_path()).expect("open kamailio db");
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    let mut st = db
        .prepare(
            "SELECT watcher_username || '@' || watcher_domain FROM active_watchers \
             WHERE presentity_uri = ?1 AND event = 'presence'",
        )
        .expect("query active_watchers");
    st.query_map([presentity], |r| r.get::<_, String>(0))
        .expect("active_watchers rows")
        .map(Result::unwrap)
        .collect()
}

/// Polls `watchers_on` until `watcher` (user@domain) shows up.
fn wait_watcher_on(kam: &Kamailio, presentity: &str, watcher: &str) {
    let deadline = Instant::now() + T;
    loop {
        let w = watchers_on(kam, presentity);
        if w.iter().any(|w| w == watcher) {
            return;
        }
        if Instant::now() > deadline {
            panic!(
                "{} holds no subscription of {watcher} to {presentity} (has {w:?})",
                kam.domain
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Sends one out-of-dialog request over UDP to `kam` and returns the status
/// line of its final reply.
fn request(kam: &Kamailio, method: &str, from: &str, to: &str) -> String {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let local = sock.local_addr().unwrap();
    let id = random_u64();
    let event = if method == "SUBSCRIBE" {
        "Event: presence\r\nExpires: 0\r\n"
    } else {
        ""
    };
    let msg = format!(
        "{method} {to} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {local};branch=z9hG4bK{id:x};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <{from}>;tag={id:x}\r\n\
         To: <{to}>\r\n\
         Call-ID: {id:x}@127.0.0.1\r\n\
         CSeq: 1 {method}\r\n\
         Contact: <sip:probe@{local}>\r\n\
         {event}Content-Length: 0\r\n\r\n"
    );
    sock.send_to(msg.as_bytes(), ("127.0.0.1", kam.udp_port))
        .unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 8192];
    loop {
        let n = sock
            .recv(&mut buf)
            .unwrap_or_else(|e| panic!("no reply from {} to {method} {to}: {e}", kam.domain));
        let text = String::from_utf8_lossy(&buf[..n]);
        let line = text.lines().next().unwrap_or("").to_string();
        // provisional replies, and the NOTIFY a SUBSCRIBE may bring
        if !line.starts_with("SIP/2.0 ") || line.starts_with("SIP/2.0 1") {
            continue;
        }
        return line;
    }
}

/// Inter-domain policy: each server challenges only its own users, lets
/// the other domain's users reach its own, and relays nothing for strangers.
#[test]
fn each_server_challenges_its_own_users_only_and_is_no_open_relay() {
    let (a, b) = two_domains();
    // own user to the peer domain: credentials first
    let r = request(&a, "SUBSCRIBE", "sip:alice@a.test", "sip:bob@b.test");
    assert!(r.starts_with("SIP/2.0 407"), "{r}");
    // the peer's user to a local user: no challenge; b.test's presence
    // server takes the (one-shot) subscription itself
    let r = request(&b, "SUBSCRIBE", "sip:alice@a.test", "sip:bob@b.test");
    assert!(r.starts_with("SIP/2.0 2"), "{r}");
    let r = request(&b, "OPTIONS", "sip:alice@a.test", "sip:nobody@b.test");
    assert!(r.starts_with("SIP/2.0 404"), "{r}");
    // strangers: neither to the peer domain nor to an unknown one
    for (from, to) in [
        ("sip:eve@c.test", "sip:bob@b.test"),
        ("sip:eve@c.test", "sip:dan@d.test"),
        ("sip:bob@b.test", "sip:bob@b.test"),
    ] {
        let r = request(&a, "OPTIONS", from, to);
        assert!(
            r.starts_with("SIP/2.0 403"),
            "{from} -> {to} via a.test: {r}"
        );
    }
}

#[test]
fn contacts_on_the_other_domain_are_seen_like_local_ones_both_ways() {
    let (a, b) = two_domains();
    let (alice_uri, bob_uri) = (a.aor("alice"), b.aor("bob"));

    let mut alice = Hark::logged_in(&a, "alice", "a1");
    alice.wait_published(T);
    add_contact_listed(&mut alice, &alice_uri, &bob_uri);
    // Bob has published nothing: active subscription, shown offline.
    alice.wait_presence(&bob_uri, "offline before bob logs in", T, |u| {
        u["subscription"]["state"] == "active" && u["availability"] == "offline"
    });
    // Bob's server holds the subscription, alice's only relayed it.
    wait_watcher_on(&b, &bob_uri, "alice@a.test");
    assert!(
        watchers_on(&a, &bob_uri).is_empty(),
        "a.test kept a watcher of bob"
    );

    let mut bob = Hark::logged_in(&b, "bob", "b2");
    bob.wait_published(T);
    alice.wait_presence(&bob_uri, "available", T, |u| {
        u["availability"] == "available"
    });

    bob.send(r#"{"cmd":"set_status","availability":"busy","note":"Quarterly review"}"#);
    alice.wait_presence(&bob_uri, "busy with the note", T, |u| {
        u["note"] == "Quarterly review" && u["availability"] == "busy"
    });

    // The other way: bob watches alice, whose presence a.test holds.
    add_contact_listed(&mut bob, &bob_uri, &alice_uri);
    bob.wait_presence(&alice_uri, "available", T, |u| {
        u["subscription"]["state"] == "active" && u["availability"] == "available"
    });
    wait_watcher_on(&a, &alice_uri, "bob@b.test");
    assert!(
        watchers_on(&b, &alice_uri).is_empty(),
        "b.test kept a watcher of alice"
    );

    alice.send(r#"{"cmd":"set_status","availability":"away","note":"Back at 3"}"#);
    bob.wait_presence(&alice_uri, "away with the note", T, |u| {
        u["note"] == "Back at 3" && u["availability"] == "away"
    });

    let (status, _) = bob.quit(T);
    assert!(status.success());
    alice.wait_presence(&bob_uri, "offline after bob quit", T, |u| {
        u["availability"] == "offline"
    });
    let (status, _) = alice.quit(T);
    assert!(status.success());
}
