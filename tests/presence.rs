//! Presence against a real Kamailio presence server (SPEC P1, P3, P4, P6):
//! Hark watches contacts with SUBSCRIBE and publishes its own status with
//! PUBLISH; what one Hark publishes another sees, and so do real clients.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::hark::{account_toml, Hark};
use support::kamailio::{Kamailio, KamailioOptions};

const T: Duration = Duration::from_secs(20);

fn presence_server() -> Kamailio {
    Kamailio::start(KamailioOptions {
        users: vec![
            ("alice".into(), "a1".into()),
            ("bob".into(), "b2".into()),
            ("carol".into(), "c3".into()),
        ],
        presence_open: true,
        ..Default::default()
    })
}

fn hark_as(kam: &Kamailio, user: &str, password: &str) -> Hark {
    let mut hark = Hark::start(&account_toml(
        &kam.aor(user),
        Some(password),
        &kam.server_addr(),
        "udp",
        "",
    ));
    hark.wait_state("registered", T);
    hark
}

/// Waits for a presence update of `contact` that satisfies `pred`.
fn wait_presence(
    hark: &mut Hark,
    contact: &str,
    what: &str,
    pred: impl Fn(&Value) -> bool,
) -> Value {
    let c = contact.to_string();
    let ev = hark.wait_for(&format!("presence of {contact}: {what}"), T, |e| {
        e["event"] == "presence"
            && e["updates"]
                .as_array()
                .is_some_and(|u| u.iter().any(|u| u["contact"] == c.as_str() && pred(u)))
    });
    ev["updates"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["contact"] == contact).cloned())
        .expect("matched above")
}

#[test]
fn one_hark_sees_another_come_online_change_status_and_leave() {
    let kam = presence_server();
    let mut alice = hark_as(&kam, "alice", "a1");
    let bob_uri = kam.aor("bob");
    alice.send(&format!(
        r#"{{"cmd":"add_contact","account":"{}","contact":{{"uri":"{bob_uri}","name":"Bob","group":"Work"}}}}"#,
        kam.aor("alice")
    ));
    let list = alice.wait_event("contacts", T);
    assert!(list.to_string().contains(&bob_uri), "{list}");
    // Bob has published nothing: active subscription, shown offline.
    wait_presence(&mut alice, &bob_uri, "offline before bob logs in", |u| {
        u["subscription"]["state"] == "active" && u["availability"] == "offline"
    });

    let mut bob = hark_as(&kam, "bob", "b2");
    bob.wait_for("publication", T, |e| {
        e["event"] == "publication" && e["state"] == "published"
    });
    wait_presence(&mut alice, &bob_uri, "available", |u| {
        u["availability"] == "available"
    });

    bob.send(r#"{"cmd":"set_status","availability":"busy","note":"Quarterly review"}"#);
    wait_presence(&mut alice, &bob_uri, "busy with the note", |u| {
        u["note"] == "Quarterly review" && u["availability"] == "busy"
    });

    let (status, _) = bob.quit(T);
    assert!(status.success());
    wait_presence(&mut alice, &bob_uri, "offline after bob quit", |u| {
        u["availability"] == "offline"
    });
    let (status, _) = alice.quit(T);
    assert!(status.success());
}
