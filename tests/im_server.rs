//! Chat services of a real Kamailio (SPEC M4, M6): offline messages kept
//! by msilo and delivered in order, with their original time, at the next
//! login; group chat in imc rooms (create, invite, join, leave, members).

mod support;

use std::time::Duration;

use serde_json::json;
use support::hark::{account_toml, Hark};
use support::kamailio::{users, Kamailio, KamailioOptions};

const T: Duration = Duration::from_secs(30);

fn server() -> Kamailio {
    Kamailio::start(KamailioOptions {
        users: users(&[("alice", "a1"), ("bob", "b2"), ("carol", "c3")]),
        msilo: true,
        imc: true,
        ..Default::default()
    })
}

#[test]
fn messages_to_an_offline_contact_are_stored_and_delivered_in_order_at_login() {
    let kam = server();
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    let (a, b) = (kam.aor("alice"), kam.aor("bob"));
    let texts = [
        "first \u{1F44B}",
        "second",
        "third \u{05e9}\u{05dc}\u{05d5}\u{05dd}",
    ];
    for text in texts {
        alice.send_message(&a, &b, text);
        // 202: kept by the server for bob.
        alice.wait_sent_state(text, "stored", T);
    }
    assert_eq!(kam.stored_message_count(), 3);
    let before_login = chrono_now_ms();
    std::thread::sleep(Duration::from_millis(1500));

    // Not waiting for "registered": msilo delivers right after the
    // REGISTER's 200, possibly before Hark reports it.
    let mut bob = Hark::start(&account_toml(&b, Some("b2"), &kam.server_addr(), "udp", ""));
    let mut sent_at = Vec::new();
    for text in texts {
        let m = bob.wait_received(text, T);
        assert_eq!(m["peer"], a.as_str(), "{m}");
        sent_at.push(m["sent_at"].as_i64().unwrap());
        // Shown with the time it was stored, not the time it arrived.
        assert!(
            m["sent_at"].as_i64().unwrap() < m["received_at"].as_i64().unwrap() - 1000,
            "{m}"
        );
    }
    assert!(sent_at.windows(2).all(|w| w[0] <= w[1]), "{sent_at:?}");
    assert!(sent_at[2] <= before_login, "{sent_at:?} vs {before_login}");
    // In order in bob's history, and gone from the server.
    assert_eq!(bob.history_bodies(&b, &a), texts.to_vec());
    let deadline = std::time::Instant::now() + T;
    while kam.stored_message_count() > 0 {
        assert!(std::time::Instant::now() < deadline, "msilo kept them");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[test]
fn a_group_chat_room_is_created_joined_by_invitation_and_left() {
    let kam = server();
    let mut alice = Hark::logged_in(&kam, "alice", "a1");
    let mut bob = Hark::logged_in(&kam, "bob", "b2");
    let mut carol = Hark::logged_in(&kam, "carol", "c3");
    let (a, b, c) = (kam.aor("alice"), kam.aor("bob"), kam.aor("carol"));
    let room = kam.room_uri("team");
    let room_cmd = |account: &str, action: serde_json::Value| {
        json!({"cmd": "room", "account": account, "room": room, "action": action}).to_string()
    };

    alice.send(&room_cmd(&a, json!({"op": "create"})));
    alice.wait_message("room created notice", T, |m| {
        m["peer"] == room.as_str() && m["body"] == "*** Room was created"
    });
    // Bob is invited and accepts by joining; carol joins the public room.
    alice.send(&room_cmd(&a, json!({"op": "invite", "uri": b})));
    let invitation = bob.wait_event("room_invitation", T);
    assert_eq!(invitation["room"], room.as_str(), "{invitation}");
    assert_eq!(invitation["by"], a.as_str(), "{invitation}");
    bob.send(&room_cmd(&b, json!({"op": "join"})));
    carol.send(&room_cmd(&c, json!({"op": "join"})));
    let members = alice.wait_for("three members", T, |e| {
        e["event"] == "room_members" && e["members"].as_array().is_some_and(|m| m.len() == 3)
    });
    for who in [&a, &b, &c] {
        assert!(
            members["members"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m == who),
            "{members}"
        );
    }

    // A message to the room reaches the others, from its writer.
    alice.send_message(&a, &room, "hello team \u{2713}");
    alice.wait_sent_state("hello team \u{2713}", "sent", T);
    for hark in [&mut bob, &mut carol] {
        let m = hark.wait_received("hello team \u{2713}", T);
        assert_eq!(m["peer"], room.as_str(), "{m}");
        assert_eq!(m["sender"], a.as_str(), "{m}");
    }

    // Bob leaves: he gets nothing more; the list shrinks.
    bob.send(&room_cmd(&b, json!({"op": "leave"})));
    alice.wait_for("two members", T, |e| {
        e["event"] == "room_members" && e["members"].as_array().is_some_and(|m| m.len() == 2)
    });
    carol.send_message(&c, &room, "bye bob");
    alice.wait_received("bye bob", T);
    bob.assert_not_received("bye bob", Duration::from_secs(2));
}
