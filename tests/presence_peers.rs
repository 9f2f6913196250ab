//! Hark's presence (SPEC P1, P3, P4, P8) against real, independent clients
//! through a real Kamailio presence server: Hark watches baresip and
//! linphonec, baresip and linphonec watch Hark, a watcher Hark blocks stops
//! seeing it, and everything comes back after Kamailio is killed and
//! restarted.  Each test has its own Kamailio on free ports.
//!
//! What the peers can show (checked in their sources, baresip 1.0.0 and
//! liblinphone 5.1):
//! - baresip's address book knows Unknown / Online / Offline / Busy only; it
//!   greps the NOTIFY body: `<basic>open` is Online, `<rpid:away/>` Offline,
//!   `<rpid:busy/>` or `<rpid:on-the-phone/>` Busy. No notes.
//! - linphonec prints "Friend <uri> is <status>" on each NOTIFY (liblinphone's
//!   `linphone_online_status_to_string`: Online, Busy, Away, Do not
//!   disturb, On the phone, Offline, ...); `friend list` shows no status.
//!   It publishes a fixed model, `<basic>open</basic>` without activity or
//!   note: it has no command (`help`, `help advanced`) and no rc setting to
//!   change it (liblinphone sets the model only through its API,
//!   `linphone_core_set_presence_model`).

mod support;

use std::time::{Duration, Instant};

use support::hark::Hark;
use support::kamailio::{users, Kamailio, KamailioOptions};
use support::linphonec::Linphonec;
use support::peers::Baresip;

const T: Duration = Duration::from_secs(25);

const USERS: &[(&str, &str)] = &[
    ("alice", "a1"),
    ("bob", "b2"),
    ("carol", "c3"),
    ("dave", "d4"),
];

fn password(user: &str) -> &'static str {
    USERS.iter().find(|(u, _)| *u == user).unwrap().1
}

fn server(opts: KamailioOptions) -> Kamailio {
    Kamailio::start(KamailioOptions {
        users: users(USERS),
        ..opts
    })
}

fn open_server() -> Kamailio {
    server(KamailioOptions {
        presence_open: true,
        ..Default::default()
    })
}

/// Hark registered as `user`; `extra` is added to its account TOML.
fn hark_as(kam: &Kamailio, user: &str, extra: &str) -> Hark {
    Hark::logged_in_with(kam, user, password(user), "udp", extra)
}

fn quit(hark: Hark) {
    let (status, _) = hark.quit(T);
    assert!(status.success(), "hark exited with {status}");
}

/// baresip publishes `<basic>open` when it starts, `<basic>closed` on
/// `presence_offline`, and removes its document when it quits: Hark shows
/// it available, offline, available again, offline.
#[test]
fn hark_sees_baresip_go_online_and_offline() {
    let kam = open_server();
    let (alice_uri, bob_uri) = (kam.aor("alice"), kam.aor("bob"));
    let mut alice = hark_as(&kam, "alice", "");
    alice.add_contact(&alice_uri, &bob_uri);
    alice.wait_presence(&bob_uri, "offline before baresip runs", T, |u| {
        u["subscription"]["state"] == "active" && u["availability"] == "offline"
    });

    let bob = Baresip::start(&kam, "bob", password("bob"));
    alice.wait_presence(&bob_uri, "available", T, |u| {
        u["availability"] == "available"
    });

    bob.command("presence_offline");
    alice.wait_presence(&bob_uri, "offline (presence_offline)", T, |u| {
        u["availability"] == "offline"
    });
    bob.command("presence_online");
    alice.wait_presence(&bob_uri, "available again", T, |u| {
        u["availability"] == "available"
    });

    bob.stop();
    let u = alice.wait_presence(&bob_uri, "offline after baresip quit", T, |u| {
        u["availability"] == "offline"
    });
    assert_eq!(u["subscription"]["state"], "active", "{u}");
    quit(alice);
}

/// linphonec publishes plain `<basic>open</basic>` (no activity, no note:
/// see the file's doc comment for why it cannot publish more); Hark shows
/// it available with no note.
#[test]
fn hark_sees_linphonec_online() {
    let kam = open_server();
    let (alice_uri, carol_uri) = (kam.aor("alice"), kam.aor("carol"));
    let mut alice = hark_as(&kam, "alice", "");
    alice.add_contact(&alice_uri, &carol_uri);
    alice.wait_presence(&carol_uri, "offline before linphonec runs", T, |u| {
        u["subscription"]["state"] == "active" && u["availability"] == "offline"
    });

    let carol = Linphonec::start(&kam, "carol", password("carol"));
    let u = alice.wait_presence(&carol_uri, "available", T, |u| {
        u["availability"] == "available"
    });
    let note = &u["note"];
    assert!(
        note.is_null() || note == "",
        "linphonec publishes no note: {u}"
    );
    let activities = &u["activities"];
    assert!(
        activities.is_null() || activities.as_array().is_some_and(|a| a.is_empty()),
        "linphonec publishes no activity: {u}"
    );
    carol.stop();
    quit(alice);
}

/// baresip watches Hark's user (`;presence=p2p` in its address book):
/// Hark available shows Online, busy shows Busy, away shows Offline
/// (baresip's model maps `<rpid:away/>` to Offline), available again Online.
#[test]
fn baresip_sees_hark_status_change() {
    let kam = open_server();
    let alice_uri = kam.aor("alice");
    let mut alice = hark_as(&kam, "alice", "");
    alice.wait_published(T);

    let bob = Baresip::start_with_contacts(&kam, "bob", password("bob"), &[&alice_uri]);
    bob.wait_contact_status(&alice_uri, "Online", T);

    alice.set_status("busy", "In a meeting");
    bob.wait_contact_status(&alice_uri, "Busy", T);
    alice.set_status("away", "Lunch");
    bob.wait_contact_status(&alice_uri, "Offline", T);
    alice.set_status("available", "");
    bob.wait_contact_status(&alice_uri, "Online", T);
    bob.stop();
    quit(alice);
}

/// linphonec with Hark's user as a friend (`friend add`, which subscribes
/// through the proxy) prints Online, then each change Hark publishes in
/// liblinphone's words: Busy, Away, Do not disturb.
#[test]
fn linphonec_sees_hark_status() {
    let kam = open_server();
    let alice_uri = kam.aor("alice");
    let mut alice = hark_as(&kam, "alice", "");
    alice.wait_published(T);

    // Without a GRUU contact: the test Kamailio cannot NOTIFY a GRUU.
    let mut carol = Linphonec::start_with(
        &kam,
        "carol",
        password("carol"),
        "supported=replaces, outbound",
    );
    wait_until(T, "linphonec to register", || {
        !kam.contacts_of("carol").is_empty()
    });
    carol.send(&format!("friend add Hark {alice_uri}"));
    // "Friend \"Hark\" <sip:alice@hark.test> is Online"
    let seen = |s: &str| format!("<{alice_uri}> is {s}\n");
    carol.wait_log(T, "Hark online in linphonec", |l| {
        l.contains(&seen("Online"))
    });

    for (availability, shown) in [
        ("busy", "Busy"),
        ("away", "Away"),
        ("do_not_disturb", "Do not disturb"),
    ] {
        alice.set_status(availability, "");
        carol.wait_log(T, &format!("Hark {shown} in linphonec"), |l| {
            l.contains(&seen(shown))
        });
    }
    carol.stop();
    quit(alice);
}

/// A time-bounded check that something does NOT happen.
fn stays(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if !f() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    true
}

fn wait_until(limit: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !f() {
        if Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn xcap_server() -> Kamailio {
    server(KamailioOptions {
        xcap: true,
        ..Default::default()
    })
}

fn wait_watcher(hark: &mut Hark, watcher: &str, status: &str) {
    let w = watcher.to_string();
    let s = status.to_string();
    hark.wait_for(&format!("{watcher} {status} in watchers"), T, |e| {
        e["event"] == "watchers"
            && e["watchers"].as_array().is_some_and(|l| {
                l.iter()
                    .any(|x| x["uri"] == w.as_str() && x["status"] == s.as_str())
            })
    });
}

/// With pres-rules enforced (xcap), baresip watching Hark's user waits
/// (pending, shown Unknown) until Hark allows it, then sees Hark's status;
/// once Hark blocks it, a change Hark makes no longer reaches it, while an
/// allowed watcher (another Hark) does see that change.
#[test]
fn a_blocked_baresip_watcher_stops_seeing_hark() {
    let kam = xcap_server();
    let (alice_uri, bob_uri, carol_uri) = (kam.aor("alice"), kam.aor("bob"), kam.aor("carol"));
    let xcap = format!("xcap_root = \"{}\"\n", kam.xcap_root());
    let mut alice = hark_as(&kam, "alice", &xcap);
    alice.set_status("busy", "Busy before anyone is allowed");
    alice.wait_published(T);

    let bob = Baresip::start_with_contacts(&kam, "bob", password("bob"), &[&alice_uri]);
    wait_watcher(&mut alice, &bob_uri, "pending");
    assert_eq!(
        bob.contact_status(&alice_uri).as_deref(),
        Some("Unknown"),
        "a pending watcher is told nothing"
    );
    // The control: carol (Hark), allowed throughout.
    let mut carol = hark_as(&kam, "carol", &xcap);
    carol.add_contact(&carol_uri, &alice_uri);
    wait_watcher(&mut alice, &carol_uri, "pending");
    alice.decide_watcher(&alice_uri, &carol_uri, "allow", 1, T);
    carol.wait_presence(&alice_uri, "busy once allowed", T, |u| {
        u["subscription"]["state"] == "active" && u["availability"] == "busy"
    });
    assert_eq!(
        bob.contact_status(&alice_uri).as_deref(),
        Some("Unknown"),
        "allowing carol did not let bob in"
    );

    alice.decide_watcher(&alice_uri, &bob_uri, "allow", 2, T);
    bob.wait_contact_status(&alice_uri, "Busy", T);
    alice.set_status("available", "");
    bob.wait_contact_status(&alice_uri, "Online", T);
    carol.wait_presence(&alice_uri, "available", T, |u| {
        u["availability"] == "available"
    });

    // The decision is answered once the pres-rules PUT succeeded, and
    // Kamailio's xcap_server re-evaluates the watchers during that PUT.
    alice.decide_watcher(&alice_uri, &bob_uri, "block", 3, T);
    alice.set_status("busy", "After the block");
    carol.wait_presence(&alice_uri, "busy after the block", T, |u| {
        u["availability"] == "busy" && u["note"] == "After the block"
    });
    // carol has it; bob must not, now or a little later.
    let mut last = None;
    assert!(
        stays(Duration::from_secs(3), || {
            last = bob.contact_status(&alice_uri);
            last.as_deref() != Some("Busy")
        }),
        "the blocked baresip still saw alice's change: {last:?}\n{}",
        bob.log()
    );
    let rules = std::process::Command::new("curl")
        .args(["-s", "--digest", "-u", "alice:a1"])
        .arg(kam.xcap_doc_url("pres-rules", "alice"))
        .output()
        .expect("curl (Debian package curl)");
    let rules = String::from_utf8_lossy(&rules.stdout);
    assert!(rules.contains(&bob_uri), "{rules}");
    bob.stop();
    quit(carol);
    quit(alice);
}

fn kam_db(kam: &Kamailio) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(kam.db_path()).unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    db
}

fn kam_count(kam: &Kamailio, sql: &str, params: &[&str]) -> i64 {
    kam_db(kam)
        .query_row(sql, rusqlite::params_from_iter(params), |r| r.get(0))
        .unwrap()
}

/// bob's `presence` document in Kamailio's presentity table (newest first).
fn presentity_bodies(kam: &Kamailio, user: &str) -> Vec<String> {
    let db = kam_db(kam);
    let mut stmt = db
        .prepare(
            "SELECT body FROM presentity WHERE username = ?1 AND event = 'presence' \
             ORDER BY received_time DESC",
        )
        .unwrap();
    let rows = stmt
        .query_map([user], |r| {
            Ok(match r.get::<_, rusqlite::types::Value>(0)? {
                rusqlite::types::Value::Blob(b) => String::from_utf8_lossy(&b).into_owned(),
                rusqlite::types::Value::Text(t) => t,
                _ => String::new(),
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows
}

/// Two Harks, alice watching bob; Kamailio is killed (SIGKILL) and started
/// again on the same ports.  Its usrloc is in memory (registrations lost);
/// its presence tables are in SQLite.  With `wipe`, the presence tables are
/// emptied while it is down, as if the server had lost its presence state
/// too: then only Hark re-subscribing and re-publishing can bring them back.
fn presence_survives_a_kamailio_restart(wipe: bool, exactly_once: bool) {
    let mut kam = open_server();
    let (alice_uri, bob_uri) = (kam.aor("alice"), kam.aor("bob"));
    let fast = "keepalive_secs = 1\n";
    let mut alice = hark_as(&kam, "alice", fast);
    let mut bob = hark_as(&kam, "bob", fast);
    bob.wait_published(T);
    alice.add_contact(&alice_uri, &bob_uri);
    alice.wait_presence(&bob_uri, "available before the crash", T, |u| {
        u["subscription"]["state"] == "active" && u["availability"] == "available"
    });

    kam.kill();
    for hark in [&mut alice, &mut bob] {
        hark.wait_state("retrying", T);
    }
    if wipe {
        let db = kam_db(&kam);
        for table in ["presentity", "active_watchers", "watchers"] {
            db.execute(&format!("DELETE FROM {table}"), []).unwrap();
        }
    }
    kam.launch();
    for hark in [&mut alice, &mut bob] {
        hark.wait_state("registered", Duration::from_secs(40));
    }

    bob.send(r#"{"cmd":"set_status","availability":"busy","note":"Back after the crash"}"#);
    let u = alice.wait_presence(&bob_uri, "busy after the restart", T, |u| {
        u["availability"] == "busy" && u["note"] == "Back after the crash"
    });
    assert_eq!(u["subscription"]["state"], "active", "{u}");

    // The server has them again: bob's publication, alice's subscription
    // to bob, and each one's own watcher-info subscription.  With
    // `exactly_once`, each of them once: no stale duplicate left beside
    // the one Hark uses.
    let bodies = presentity_bodies(&kam, "bob");
    assert!(
        bodies.iter().any(|b| b.contains("Back after the crash")),
        "bob's publication is not in presentity: {bodies:?}\n{}",
        kam.log()
    );
    let subscriptions = [
        ("alice", bob_uri.as_str(), "presence"),
        ("alice", alice_uri.as_str(), "presence.winfo"),
        ("bob", bob_uri.as_str(), "presence.winfo"),
    ];
    for (watcher, uri, event) in subscriptions {
        let n = kam_count(
            &kam,
            "SELECT count(*) FROM active_watchers WHERE watcher_username = ?1 \
             AND presentity_uri = ?2 AND event = ?3",
            &[watcher, uri, event],
        );
        assert!(
            n >= 1,
            "{watcher}'s {event} subscription to {uri} is not in active_watchers:\n{}",
            active_watchers(&kam)
        );
        if exactly_once {
            assert_eq!(
                n,
                1,
                "{watcher} has {n} {event} subscriptions to {uri} on the server (in \
                 active_watchers):\n{}",
                active_watchers(&kam)
            );
        }
    }
    if exactly_once {
        assert_eq!(
            bodies.len(),
            1,
            "bob has one publication, not a stale one beside it: {bodies:#?}"
        );
    }
    quit(bob);
    quit(alice);
}

#[test]
fn presence_comes_back_after_kamailio_is_killed_and_restarted() {
    presence_survives_a_kamailio_restart(false, false);
}

#[test]
fn presence_comes_back_after_kamailio_restarts_with_its_presence_state_lost() {
    presence_survives_a_kamailio_restart(true, true);
}

/// The restarted Kamailio still holds Hark's old subscriptions (SQLite):
/// re-subscribing after re-registration must not leave the old dialog
/// alive on the server beside the new one (refresh it in-dialog, or end
/// it), or the server keeps two subscriptions, NOTIFYs both and Hark
/// answers both.
#[test]
fn no_subscription_is_doubled_after_kamailio_is_killed_and_restarted() {
    presence_survives_a_kamailio_restart(false, true);
}

/// Kamailio's active_watchers, one line per subscription (for messages).
fn active_watchers(kam: &Kamailio) -> String {
    let db = kam_db(kam);
    let mut stmt = db
        .prepare(
            "SELECT watcher_username, presentity_uri, event, status, expires, callid, \
             local_cseq, remote_cseq FROM active_watchers",
        )
        .unwrap();
    let rows: Vec<String> = stmt
        .query_map([], |r| {
            Ok(format!(
                "{} -> {} {} status={} expires={} callid={} cseq={}/{}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows.join("\n")
}
