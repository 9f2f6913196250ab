//! Presence against a real Kamailio presence server (SPEC P1, P3, P4, P6):
//! Hark watches contacts with SUBSCRIBE and publishes its own status with
//! PUBLISH; what one Hark publishes another sees, and so do real clients.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::hark::{account_toml, Hark};
use support::kamailio::{users, Kamailio, KamailioOptions};

const T: Duration = Duration::from_secs(30);

fn presence_server() -> Kamailio {
    Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2"), ("carol", "c3")]),
        presence_open: true,
        ..Default::default()
    })
}

#[test]
fn one_hark_sees_another_come_online_change_status_and_leave() {
    let kam = presence_server();
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    let bob_uri = kam.aor("bob");
    alice.send(&format!(
        r#"{{"cmd":"add_contact","account":"{}","contact":{{"uri":"{bob_uri}","name":"Bob","group":"Work"}}}}"#,
        kam.aor("alice")
    ));
    let list = alice.wait_event("contacts", T);
    assert!(list.to_string().contains(&bob_uri), "{list}");
    // Bob has published nothing: active subscription, shown offline.
    alice.wait_presence(&bob_uri, "offline before bob logs in", T, |u| {
        u["subscription"]["state"] == "active" && u["availability"] == "offline"
    });

    let mut bob = Hark::logged_in(&kam, "bob", "b2");
    bob.wait_for("publication", T, |e| {
        e["event"] == "publication" && e["state"] == "published"
    });
    alice.wait_presence(&bob_uri, "available", T, |u| {
        u["availability"] == "available"
    });

    bob.send(r#"{"cmd":"set_status","availability":"busy","note":"Quarterly review"}"#);
    alice.wait_presence(&bob_uri, "busy with the note", T, |u| {
        u["note"] == "Quarterly review" && u["availability"] == "busy"
    });

    let (status, _) = bob.quit(T);
    assert!(status.success());
    alice.wait_presence(&bob_uri, "offline after bob quit", T, |u| {
        u["availability"] == "offline"
    });
    let (status, _) = alice.quit(T);
    assert!(status.success());
}

fn xcap_server() -> Kamailio {
    Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("carol", "c3"), ("dave", "d4")]),
        xcap: true,
        ..Default::default()
    })
}

fn hark_with_xcap(kam: &Kamailio, user: &str, password: &str) -> Hark {
    let mut hark = Hark::start(&account_toml(
        &kam.aor(user),
        Some(password),
        &kam.server_addr(),
        "udp",
        &format!("xcap_root = \"{}\"\n", kam.xcap_root()),
    ));
    hark.wait_state("registered", T);
    hark
}

/// A watcher is pending until the user decides (SPEC P8); the decision goes
/// to the XCAP server as pres-rules, and Kamailio enforces it.
#[test]
fn a_pending_watcher_is_allowed_or_blocked_through_xcap_pres_rules() {
    let kam = xcap_server();
    let (alice_uri, carol_uri, dave_uri) = (kam.aor("alice"), kam.aor("carol"), kam.aor("dave"));
    let mut alice = hark_with_xcap(&kam, "alice", "a1");
    alice.send(r#"{"cmd":"set_status","availability":"away","note":"Back at 3"}"#);
    alice.wait_for("published", T, |e| {
        e["event"] == "publication" && e["state"] == "published"
    });

    let mut carol = hark_with_xcap(&kam, "carol", "c3");
    carol.add_contact(&carol_uri, &alice_uri);
    carol.wait_presence(&alice_uri, "pending", T, |u| {
        u["subscription"]["state"] == "pending"
    });
    let mut dave = hark_with_xcap(&kam, "dave", "d4");
    dave.add_contact(&dave_uri, &alice_uri);
    dave.wait_presence(&alice_uri, "pending", T, |u| {
        u["subscription"]["state"] == "pending"
    });

    // Alice is told who waits.
    for who in [&carol_uri, &dave_uri] {
        let w = who.clone();
        alice.wait_for(&format!("{who} pending in watchers"), T, |e| {
            e["event"] == "watchers"
                && e["watchers"].as_array().is_some_and(|l| {
                    l.iter()
                        .any(|x| x["uri"] == w.as_str() && x["status"] == "pending")
                })
        });
    }

    alice.decide_watcher(&alice_uri, &carol_uri, "allow", 1, T);
    let u = carol.wait_presence(&alice_uri, "alice's status once allowed", T, |u| {
        u["subscription"]["state"] == "active" && u["availability"] == "away"
    });
    assert_eq!(u["note"], "Back at 3", "{u}");

    alice.decide_watcher(&alice_uri, &dave_uri, "block", 2, T);
    let u = dave.wait_presence(&alice_uri, "refused once blocked", T, |u| {
        u["subscription"]["state"] == "refused"
    });
    assert_eq!(u["availability"], "unknown", "{u}");
    assert!(
        !dave
            .seen()
            .iter()
            .any(|e| e.to_string().contains("Back at 3")),
        "a blocked watcher never saw the note"
    );

    // The rules are on the server: carol allowed, dave blocked.
    let rules = std::process::Command::new("curl")
        .args(["-s", "--digest", "-u", "alice:a1"])
        .arg(kam.xcap_doc_url("pres-rules", "alice"))
        .output()
        .expect("curl (Debian package curl)");
    let rules = String::from_utf8_lossy(&rules.stdout);
    assert!(
        rules.contains(&carol_uri) && rules.contains(&dave_uri),
        "{rules}"
    );

    for h in [alice, carol, dave] {
        let (status, _) = h.quit(T);
        assert!(status.success());
    }
}

/// The contact list lives on the server (SPEC P9): what one device adds,
/// another device of the same user gets at login, and an edit made while
/// the XCAP server is unreachable is kept and written once it is back.
#[test]
fn the_contact_list_is_kept_on_the_xcap_server_and_shared_between_devices() {
    let kam = xcap_server();
    let alice_uri = kam.aor("alice");
    let mut laptop = hark_with_xcap(&kam, "alice", "a1");
    laptop.send(&format!(
        r#"{{"cmd":"add_contact","account":"{alice_uri}","contact":{{"uri":"{}","name":"Carol","group":"Work"}}}}"#,
        kam.aor("carol")
    ));
    laptop.add_contact(&alice_uri, &kam.aor("dave"));
    // Both are on the server.
    let url = kam.xcap_doc_url("resource-lists", "alice");
    let fetch = || {
        let out = std::process::Command::new("curl")
            .args(["-s", "--digest", "-u", "alice:a1", &url])
            .output()
            .expect("curl (Debian package curl)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let deadline = std::time::Instant::now() + T;
    let doc = loop {
        let doc = fetch();
        if doc.contains(&kam.aor("carol")) && doc.contains(&kam.aor("dave")) {
            break doc;
        }
        if std::time::Instant::now() > deadline {
            laptop.fail(&format!("not on the server: {doc}"));
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(doc.contains("Work") && doc.contains("Carol"), "{doc}");

    // A second device of alice's, with an empty local list, gets it.
    let mut phone = hark_with_xcap(&kam, "alice", "a1");
    let carol = kam.aor("carol");
    let has_carol = |e: &Value| {
        e["event"] == "contacts"
            && e["contacts"].as_array().is_some_and(|l| {
                l.iter().any(|c| {
                    c["uri"] == carol.as_str() && c["group"] == "Work" && c["name"] == "Carol"
                })
            })
    };
    // It may have come while the phone was still registering.
    if !phone.seen().iter().any(has_carol) {
        phone.wait_for("carol in the list from the server", T, has_carol);
    }
    // The phone removes dave; the laptop sees it at its next login.
    phone.send(&format!(
        r#"{{"cmd":"remove_contact","account":"{alice_uri}","uri":"{}"}}"#,
        kam.aor("dave")
    ));
    let deadline = std::time::Instant::now() + T;
    while fetch().contains(&kam.aor("dave")) {
        assert!(
            std::time::Instant::now() < deadline,
            "dave still on the server"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let (status, _) = phone.quit(T);
    assert!(status.success());
    let (status, _) = laptop.quit(T);
    assert!(status.success());
}

/// With a resource list server (Kamailio rls), the whole list is one
/// SUBSCRIBE with `Supported: eventlist` and its RLMI NOTIFYs bring each
/// contact's presence (SPEC P10).
#[test]
fn the_whole_list_is_watched_with_one_rls_subscription() {
    let kam = Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2"), ("carol", "c3")]),
        rls: true,
        ..Default::default()
    });
    let (alice_uri, bob_uri, carol_uri) = (kam.aor("alice"), kam.aor("bob"), kam.aor("carol"));
    // Bob lets alice see him and says he is busy.
    let mut bob = hark_with_xcap(&kam, "bob", "b2");
    bob.wait_for("published", T, |e| {
        e["event"] == "publication" && e["state"] == "published"
    });
    bob.decide_watcher(&bob_uri, &alice_uri, "allow", 1, T);
    bob.send(r#"{"cmd":"set_status","availability":"busy","note":"Launch day"}"#);

    let mut alice = hark_with_xcap(&kam, "alice", "a1");
    alice.add_contact(&alice_uri, &bob_uri);
    alice.add_contact(&alice_uri, &carol_uri);
    let u = alice.wait_presence(&bob_uri, "bob busy through the list", T, |u| {
        u["availability"] == "busy"
    });
    assert_eq!(u["note"], "Launch day", "{u}");
    // Carol has not allowed alice: never shown available.
    let carol_seen: Vec<&Value> = alice
        .seen()
        .iter()
        .filter(|e| e["event"] == "presence")
        .flat_map(|e| e["updates"].as_array().into_iter().flatten())
        .filter(|u| u["contact"] == carol_uri.as_str())
        .collect();
    assert!(!carol_seen.is_empty(), "carol was never reported");
    assert!(
        carol_seen.iter().all(|u| u["availability"] == "unknown"),
        "{carol_seen:?}"
    );
    // Hark switches to the list subscription once the list is on the
    // server; from then on changes arrive in RLMI NOTIFYs.
    let deadline = std::time::Instant::now() + T;
    loop {
        let log = without_colours(&alice.stderr());
        if log.contains("SUBSCRIBE sip:alice-buddies@hark.test")
            && log.contains("Supported: eventlist")
            && log.contains("list subscription")
            && log.contains("state=Active")
        {
            break;
        }
        if std::time::Instant::now() > deadline {
            alice.fail("no active list subscription");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bob.send(r#"{"cmd":"set_status","availability":"away","note":"Lunch"}"#);
    alice.wait_presence(&bob_uri, "bob away through the list", T, |u| {
        u["availability"] == "away" && u["note"] == "Lunch"
    });
    assert!(
        alice.stderr().contains("multipart/related"),
        "the change did not come in an RLMI NOTIFY"
    );
    for h in [alice, bob] {
        let (status, _) = h.quit(T);
        assert!(status.success());
    }
}

/// A log without its ANSI colour sequences.
fn without_colours(log: &str) -> String {
    let mut out = String::with_capacity(log.len());
    let mut chars = log.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The busy lamp (SPEC P11): a contact's phone line through the dialog
/// event package. SIPp publishes a confirmed dialog for bob (as a phone or
/// Kamailio's pua_dialoginfo would); Hark shows bob's line in a call.
#[test]
fn a_contacts_line_shows_in_a_call_from_the_dialog_event_package() {
    let kam = presence_server();
    let (alice_uri, bob_uri) = (kam.aor("alice"), kam.aor("bob"));
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    alice.add_contact(&alice_uri, &bob_uri);
    alice.wait_presence(&bob_uri, "watched", T, |u| {
        u["subscription"]["state"] == "active"
    });
    let publish = support::sipp::Sipp::new("publish_dialog", &kam.server_addr())
        .user("bob", "b2")
        .key("domain", &kam.domain)
        .key("to", "carol")
        .local_port(support::free_port())
        .run();
    assert!(publish.success, "{publish}");
    alice.wait_presence(&bob_uri, "bob's line in a call", T, |u| {
        u["line"] == "in_call"
    });
    let (status, _) = alice.quit(T);
    assert!(status.success());
}

/// Automatic presence from a calendar (SPEC P5): a meeting in the user's
/// .ics file makes Hark publish "in a meeting", and others see it.
#[test]
fn a_meeting_in_the_calendar_shows_as_in_a_meeting() {
    let kam = presence_server();
    let (alice_uri, bob_uri) = (kam.aor("alice"), kam.aor("bob"));
    let dir = tempfile::tempdir().unwrap();
    let ics = dir.path().join("work.ics");
    let stamp = |offset_secs: i64| {
        (chrono::Utc::now() + chrono::Duration::seconds(offset_secs))
            .format("%Y%m%dT%H%M%SZ")
            .to_string()
    };
    std::fs::write(
        &ics,
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Hark tests//EN\r\nBEGIN:VEVENT\r\n\
             UID:standup@hark.test\r\nDTSTAMP:{}\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:Standup\r\n\
             END:VEVENT\r\nEND:VCALENDAR\r\n",
            stamp(0),
            stamp(-600),
            stamp(3000)
        ),
    )
    .unwrap();
    let mut bob = Hark::start(&format!(
        "{}\n[automatic]\ncalendar = \"{}\"\n",
        account_toml(&bob_uri, Some("b2"), &kam.server_addr(), "udp", ""),
        ics.display()
    ));
    bob.wait_state("registered", T);
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    alice.add_contact(&alice_uri, &bob_uri);
    alice.wait_presence(&bob_uri, "bob in a meeting", T, |u| {
        u["availability"] == "in_a_meeting"
    });
    // A manual status wins over the calendar.
    bob.send(r#"{"cmd":"set_status","availability":"do_not_disturb"}"#);
    alice.wait_presence(&bob_uri, "bob's manual DND", T, |u| {
        u["availability"] == "do_not_disturb"
    });
    for h in [alice, bob] {
        let (status, _) = h.quit(T);
        assert!(status.success());
    }
}
