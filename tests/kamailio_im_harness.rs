//! Instant messaging in the test Kamailio (tests/kamailio/kamailio.cfg with
//! WITH_MSILO and WITH_IMC), proven with SIPp clients only: offline
//! messages (msilo) and chat rooms (imc).  The wire formats these tests
//! pin down are written up in tests/kamailio/README-im.md.
//!
//! Every SIP device here is a SIPp UAS (`uas_messages`) listening on a port
//! of its own, registered by a separate SIPp (`register`) with that port as
//! its contact; requests are sent by yet another SIPp (`message_to`).
//! `HARK_IM_TRACE=1` prints every MESSAGE a device received, verbatim.

mod support;

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use support::kamailio::{users, Kamailio, KamailioOptions};
use support::sipp::{received_requests, RunningSipp, SipMessage, Sipp, SippRun};
use support::{free_port, random_u64};

const USERS: &[(&str, &str)] = &[
    ("alice", "secret"),
    ("bob", "hunter2"),
    ("carol", "pw-carol"),
];

fn password(user: &str) -> &'static str {
    USERS.iter().find(|(u, _)| *u == user).unwrap().1
}

fn server(msilo: bool, imc: bool) -> Kamailio {
    Kamailio::start(KamailioOptions {
        users: users(USERS),
        msilo,
        imc,
        ..Default::default()
    })
}

// ---------------------------------------------------------------------------
// Offline messages (msilo)

#[test]
fn offline_text_is_stored_and_delivered_in_order_with_its_date_on_register() {
    let kam = server(true, false);

    // bob is offline: two texts are stored (202), oldest first.
    let before = now();
    let first = send(&kam, "alice", "bob", "text/plain", "first: héllo ✓");
    assert_eq!(
        status(&first),
        "SIP/2.0 202 Accepted",
        "{first}\n{}",
        kam.log()
    );
    let second = send(&kam, "alice", "bob", "text/plain;charset=UTF-8", "second");
    assert_eq!(status(&second), "SIP/2.0 202 Accepted", "{second}");
    let after = now();
    let stored = kam.stored_messages("bob");
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert_eq!(stored[0].from, "sip:alice@hark.test");
    assert_eq!(stored[0].to, "sip:bob@hark.test");
    assert_eq!(stored[0].content_type, "text/plain");
    assert_eq!(stored[0].body, "first: héllo ✓".as_bytes());
    // the charset parameter is not kept
    assert_eq!(stored[1].content_type, "text/plain");
    assert_eq!(stored[1].body, b"second");
    // headers Kamailio does not know are kept (and replayed)
    assert_eq!(stored[0].extra_headers, "X-Hark-Test: 1\r\n");

    // Typing notifications, delivery notifications and CPIM are not stored:
    // 480 as without msilo.
    for ctype in [
        "application/im-iscomposing+xml",
        "message/imdn+xml",
        "message/cpim",
    ] {
        let run = send(&kam, "alice", "bob", ctype, "<x/>");
        assert_eq!(
            status(&run),
            "SIP/2.0 480 Temporarily Unavailable",
            "{ctype}: {run}"
        );
    }
    // Nor is anything for a user who does not exist.
    let run = send(&kam, "alice", "zed", "text/plain", "anyone?");
    assert_eq!(status(&run), "SIP/2.0 404 Not Found", "{run}");
    assert_eq!(kam.stored_message_count(), 2);

    // The time shown must be the arrival time, not the delivery time.
    std::thread::sleep(Duration::from_millis(2100));

    // bob registers: both arrive, in order, each with a Date header.
    let bob = Device::new(&kam, "bob");
    let inbox = bob.expect(2, Duration::from_secs(10));
    let register = bob.register();
    assert!(register.success, "{register}");
    let registered_at = now();
    let got = inbox.finish();
    trace("msilo delivery", &got);
    assert_eq!(got.len(), 2, "{}", kam.log());
    assert_eq!(got[0].body, "first: héllo ✓".as_bytes());
    assert_eq!(got[1].body, b"second");
    for m in &got {
        assert!(
            m.head.starts_with("MESSAGE sip:bob@127.0.0.1:"),
            "{}",
            m.head
        );
        let from = m.header("From").unwrap();
        assert!(from.starts_with("<sip:alice@hark.test>;tag="), "{from}");
        assert_eq!(m.header("To").as_deref(), Some("<sip:bob@hark.test>"));
        assert_eq!(m.header("Content-Type").as_deref(), Some("text/plain"));
        assert_eq!(m.header("X-Hark-Test").as_deref(), Some("1"));
        let date = m.header("Date").expect("a Date header");
        let date = DateTime::parse_from_rfc2822(&date)
            .unwrap_or_else(|e| panic!("Date {date:?}: {e}"))
            .with_timezone(&Utc);
        assert!(
            date >= before - chrono::Duration::seconds(1)
                && date <= after + chrono::Duration::seconds(1),
            "Date {date} is not when the message was stored ({before}..{after})"
        );
        assert!(date < registered_at - chrono::Duration::seconds(1));
    }
    let x = got[0].header("X-Hark-Test");
    assert_eq!(x.as_deref(), Some("1"));

    // Delivered (2xx): the table empties (msilo's timer, every 2 s).
    wait_until(Duration::from_secs(10), "silo empty", || {
        kam.stored_message_count() == 0
    });

    // bob is online now: a text is relayed at once, not stored, no Date.
    let inbox = bob.expect(1, Duration::from_secs(10));
    let run = send(&kam, "alice", "bob", "text/plain", "online now");
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    let got = inbox.finish();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body, b"online now");
    assert_eq!(got[0].header("Date"), None);
    assert_eq!(kam.stored_message_count(), 0);
}

// ---------------------------------------------------------------------------
// Chat rooms (imc)

#[test]
fn chat_room_create_join_invite_talk_members_leave_destroy() {
    // msilo on as well: room traffic to members is never stored.
    let kam = server(true, true);
    let alice = Device::new(&kam, "alice");
    let bob = Device::new(&kam, "bob");
    let carol = Device::new(&kam, "carol");
    for d in [&alice, &bob, &carol] {
        let run = d.register();
        assert!(run.success, "{run}");
    }
    let room = kam.room_uri("team");
    assert_eq!(room, "sip:team@conference.hark.test");
    let room_to = room.trim_start_matches("sip:");
    let from_room = |m: &SipMessage| {
        let from = m.header("From").unwrap_or_default();
        assert!(
            from.starts_with("<sip:team@conference.hark.test>;tag="),
            "From: {from}"
        );
    };

    // alice creates the room: its owner and first member.
    let (run, got) = step(&[(&alice, 1)], || {
        send(&kam, "alice", room_to, "text/plain", "#create")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}\n{}", kam.log());
    let m = &got[0][0];
    assert_eq!(m.body_str(), "*** Room was created");
    from_room(m);
    assert_eq!(m.header("To").as_deref(), Some("<sip:alice@hark.test>"));
    assert_eq!(m.header("Content-Type").as_deref(), Some("text/plain"));
    assert_eq!(m.header("Supported").as_deref(), Some("kamailio/imc"));
    // the Call-ID of the command it answers
    assert_eq!(m.header("In-Reply-To"), sent_call_id(&run));

    // A second #create of the same room is refused (check_on_create).
    let (run, got) = step(&[(&carol, 1)], || {
        send(&kam, "carol", room_to, "text/plain", "#create")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    assert_eq!(got[0][0].body_str(), "*** Room already exists");

    // carol joins: every member, carol too, is told.
    let (run, got) = step(&[(&alice, 1), (&carol, 1)], || {
        send(&kam, "carol", room_to, "text/plain", "#join")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    for m in [&got[0][0], &got[1][0]] {
        assert_eq!(m.body_str(), "*** [carol] has joined the room");
        from_room(m);
    }

    // alice invites bob; bob accepts.
    let (run, got) = step(&[(&bob, 1)], || {
        send(
            &kam,
            "alice",
            room_to,
            "text/plain",
            "#invite sip:bob@hark.test",
        )
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    let m = &got[0][0];
    assert_eq!(
        m.body_str(),
        "*** [alice] invites you to join the room (send '#accept' or '#reject')"
    );
    from_room(m);
    assert_eq!(m.header("To").as_deref(), Some("<sip:bob@hark.test>"));
    let (run, got) = step(&[(&alice, 1), (&bob, 1), (&carol, 1)], || {
        send(&kam, "bob", room_to, "text/plain", "#accept")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    for got in &got {
        assert_eq!(got[0].body_str(), "*** [bob] has joined the room");
    }

    // alice talks: the others get "[alice]: TEXT" from the room; not alice.
    let (run, got) = step(&[(&alice, 0), (&bob, 1), (&carol, 1)], || {
        send(&kam, "alice", room_to, "text/plain", "hello team ✓")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    assert!(got[0].is_empty(), "alice got her own message");
    for m in [&got[1][0], &got[2][0]] {
        assert_eq!(m.body_str(), "[alice]: hello team ✓");
        from_room(m);
        assert_eq!(m.header("Content-Type").as_deref(), Some("text/plain"));
        assert_eq!(m.header("In-Reply-To"), sent_call_id(&run));
        assert_eq!(m.header("Date"), None);
    }
    assert_eq!(
        got[1][0].header("To").as_deref(),
        Some("<sip:bob@hark.test>")
    );

    // The member list: owner first with '*', one per line, no final newline.
    let (run, got) = step(&[(&bob, 1)], || {
        send(&kam, "bob", room_to, "text/plain", "#members")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    let members = got[0][0].body_str();
    assert!(members.starts_with("Members:\n"), "{members:?}");
    let mut names: Vec<&str> = members.lines().skip(1).collect();
    names.sort();
    assert_eq!(names, ["*[alice]", "[bob]", "[carol]"], "{members:?}");
    from_room(&got[0][0]);

    // The room list.
    let (run, got) = step(&[(&carol, 1)], || {
        send(&kam, "carol", room_to, "text/plain", "#rooms")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    assert_eq!(got[0][0].body_str(), "Rooms:\n[team]");

    // Only text goes to a room.
    let run = send(
        &kam,
        "bob",
        room_to,
        "application/im-iscomposing+xml",
        "<isComposing/>",
    );
    assert_eq!(status(&run), "SIP/2.0 415 Unsupported Media Type", "{run}");

    // bob leaves: everyone, bob too, is told; then he gets nothing more and
    // may not talk in the room.
    let (run, got) = step(&[(&alice, 1), (&bob, 1), (&carol, 1)], || {
        send(&kam, "bob", room_to, "text/plain", "#exit")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    for got in &got {
        assert_eq!(got[0].body_str(), "*** [bob] has left the room");
    }
    let (run, got) = step(&[(&bob, 0), (&carol, 1)], || {
        send(&kam, "alice", room_to, "text/plain", "bob left")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    assert!(got[0].is_empty(), "bob still gets room messages");
    assert_eq!(got[1][0].body_str(), "[alice]: bob left");
    let run = send(&kam, "bob", room_to, "text/plain", "let me in");
    assert_eq!(status(&run), "SIP/2.0 403 Not A Member", "{run}");

    // The owner cannot leave; the owner destroys the room.
    let (run, got) = step(&[(&alice, 1)], || {
        send(&kam, "alice", room_to, "text/plain", "#exit")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    assert_eq!(
        got[0][0].body_str(),
        "*** You are the room's owner and cannot leave. Use #destroy if you wish to destroy the room."
    );
    let (run, got) = step(&[(&alice, 1), (&carol, 1)], || {
        send(&kam, "alice", room_to, "text/plain", "#destroy")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    for got in &got {
        assert_eq!(got[0].body_str(), "*** Room has been destroyed");
    }
    let run = send(&kam, "carol", room_to, "text/plain", "anyone?");
    assert_eq!(status(&run), "SIP/2.0 403 Not A Member", "{run}");

    // #join does not create a room (create_on_join=0).
    let (run, got) = step(&[(&carol, 1)], || {
        send(&kam, "carol", room_to, "text/plain", "#join")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    assert_eq!(got[0][0].body_str(), "*** Room not found");

    // Nothing of this was stored for later.
    assert_eq!(kam.stored_message_count(), 0);
}

#[test]
fn chat_room_failed_commands_private_rooms_and_who_may_send() {
    let mut kam = server(false, true);
    let alice = Device::new(&kam, "alice");
    let bob = Device::new(&kam, "bob");
    let carol = Device::new(&kam, "carol");
    for d in [&alice, &bob, &carol] {
        assert!(d.register().success);
    }
    let team = format!("team@{}", kam.conference_domain());
    let secret = format!("secret@{}", kam.conference_domain());

    // No command name: refused.
    let run = send(&kam, "alice", &team, "text/plain", "#");
    assert_eq!(status(&run), "SIP/2.0 400 Bad Command", "{run}");
    // A command that fails (here: no such room) is refused, no MESSAGE.
    let run = send(&kam, "alice", &team, "text/plain", "#members");
    assert_eq!(status(&run), "SIP/2.0 403 Command Failed", "{run}");
    // An unknown command is answered by the room.
    let (run, got) = step(&[(&alice, 1)], || {
        send(&kam, "alice", &team, "text/plain", "#frobnicate")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    assert_eq!(
        got[0][0].body_str(),
        "*** Invalid command 'frobnicate' (send '#help' for help)"
    );

    // A private room: joining is by invitation only.
    let (run, got) = step(&[(&alice, 1)], || {
        send(&kam, "alice", &secret, "text/plain", "#create private")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    assert_eq!(got[0][0].body_str(), "*** Room was created");
    let (run, got) = step(&[(&alice, 1), (&carol, 1)], || {
        send(&kam, "carol", &secret, "text/plain", "#join")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    assert_eq!(
        got[0][0].body_str(),
        "*** [carol] attempted to join the room"
    );
    assert_eq!(
        got[1][0].body_str(),
        "*** Private rooms are by invitation only. Room owners have been notified."
    );

    // "#invite bob" without a domain invites sip:bob@CONF_DOMAIN, who does
    // not exist: bob gets nothing and is no member.
    let (run, got) = step(&[(&bob, 0)], || {
        send(&kam, "alice", &secret, "text/plain", "#invite bob")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    assert!(got[0].is_empty());
    // bob rejects a real invitation: nobody is told, he is no member.
    let (run, _) = step(&[(&bob, 1)], || {
        send(
            &kam,
            "alice",
            &secret,
            "text/plain",
            "#invite sip:bob@hark.test",
        )
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    let (run, got) = step(&[(&alice, 0), (&bob, 0)], || {
        send(&kam, "bob", &secret, "text/plain", "#reject")
    });
    assert_eq!(status(&run), "SIP/2.0 200 OK", "{run}");
    assert!(got.iter().all(Vec::is_empty));
    let (_, got) = step(&[(&alice, 1)], || {
        send(&kam, "alice", &secret, "text/plain", "#members")
    });
    assert_eq!(got[0][0].body_str(), "Members:\n*[alice]");

    // Without credentials a local user is challenged; a user of another
    // domain may not use the rooms at all.
    let reply = raw_message(&kam, "sip:alice@hark.test", &team);
    assert!(
        reply.starts_with("SIP/2.0 407 Proxy Authentication Required\r\n"),
        "{reply}"
    );
    let reply = raw_message(&kam, "sip:mallory@elsewhere.test", &team);
    assert!(reply.starts_with("SIP/2.0 403 Not relaying\r\n"), "{reply}");

    // Rooms and members survive a restart (imc writes them to db_text when
    // it stops and reads them back when it starts).
    let alice_port = alice.port;
    kam.restart();
    let alice = Device {
        kam: &kam,
        user: "alice".to_string(),
        port: alice_port,
    };
    assert!(alice.register().success);
    let (_, got) = step(&[(&alice, 1)], || {
        send(&kam, "alice", &secret, "text/plain", "#members")
    });
    assert_eq!(got[0][0].body_str(), "Members:\n*[alice]");
}

// ---------------------------------------------------------------------------
// Helpers

/// A user's SIP device: SIPp UASes on one port, registered as the user.
struct Device<'a> {
    kam: &'a Kamailio,
    user: String,
    port: u16,
}

impl<'a> Device<'a> {
    fn new(kam: &'a Kamailio, user: &str) -> Device<'a> {
        Device {
            kam,
            user: user.to_string(),
            port: free_port(),
        }
    }

    /// REGISTERs sip:USER@127.0.0.1:PORT (no Allow header).
    fn register(&self) -> SippRun {
        Sipp::new("register", &self.kam.server_addr())
            .user(&self.user, password(&self.user))
            .key("domain", &self.kam.domain)
            .key(
                "contact",
                &format!("sip:{}@127.0.0.1:{}", self.user, self.port),
            )
            .key("expires", "300")
            .run()
    }

    /// Starts a UAS on the device's port that takes `n` MESSAGEs (200 OK)
    /// and gives up after `timeout`; returns once it listens.
    fn expect(&self, n: usize, timeout: Duration) -> Inbox {
        let sipp = Sipp::new("uas_messages", &self.kam.server_addr())
            .local_port(self.port)
            .arg("-m")
            .arg(&n.max(1).to_string())
            .timeout(timeout)
            .spawn();
        wait_until(Duration::from_secs(5), "sipp UAS listening", || {
            udp_port_bound(self.port)
        });
        Inbox {
            sipp,
            user: self.user.clone(),
        }
    }
}

/// A UAS started by `Device::expect`.
struct Inbox {
    sipp: RunningSipp,
    user: String,
}

impl Inbox {
    /// Waits for the UAS to end (all expected MESSAGEs, or its timeout) and
    /// returns the MESSAGEs it took, in order.
    fn finish(self) -> Vec<SipMessage> {
        let run = self.sipp.wait();
        let got = received_requests(&run, "MESSAGE");
        if std::env::var_os("HARK_IM_TRACE").is_some() {
            eprintln!("===== {} received {} MESSAGE(s)", self.user, got.len());
            for m in &got {
                eprintln!("{}\r\n\r\n{}\n-----", m.head, m.body_str());
            }
        }
        got
    }
}

/// Starts a UAS on each device for the number of MESSAGEs it should get
/// (0: none within 2 s), runs `action`, and returns its run and what each
/// device got, in the order given.
fn step(
    devices: &[(&Device, usize)],
    action: impl FnOnce() -> SippRun,
) -> (SippRun, Vec<Vec<SipMessage>>) {
    let inboxes: Vec<Inbox> = devices
        .iter()
        .map(|(d, n)| {
            let timeout = if *n == 0 { 2 } else { 10 };
            d.expect(*n, Duration::from_secs(timeout))
        })
        .collect();
    let run = action();
    let got = inboxes.into_iter().map(Inbox::finish).collect::<Vec<_>>();
    for ((d, n), got) in devices.iter().zip(&got) {
        assert_eq!(
            got.len(),
            *n,
            "{} got {} MESSAGE(s), expected {n}\n{run}",
            d.user,
            got.len()
        );
    }
    (run, got)
}

/// The Call-ID of the first request a SIPp run sent.
fn sent_call_id(run: &SippRun) -> Option<String> {
    run.messages
        .lines()
        .find_map(|l| l.strip_prefix("Call-ID:"))
        .map(|v| v.trim().to_string())
}

/// Sends a MESSAGE from `from` to sip:TO@DOMAIN (`to` may be "user" or
/// "user@domain") with the `message_to` scenario; "X-Hark-Test: 1".
fn send(kam: &Kamailio, from: &str, to: &str, ctype: &str, body: &str) -> SippRun {
    let (to_user, to_domain) = match to.split_once('@') {
        Some((u, d)) => (u.to_string(), d.to_string()),
        None => (to.to_string(), kam.domain.clone()),
    };
    Sipp::new("message_to", &kam.server_addr())
        .user(from, password(from))
        .key("domain", &kam.domain)
        .key("to", &to_user)
        .key("to_domain", &to_domain)
        .key("ctype", ctype)
        .key("body", body)
        .key("tag", "1")
        .run()
}

/// An unauthenticated MESSAGE from `from` to sip:`to` over UDP; returns the
/// final response.
fn raw_message(kam: &Kamailio, from: &str, to: &str) -> String {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let local = sock.local_addr().unwrap();
    let id = random_u64();
    let body = "hello";
    let msg = format!(
        "MESSAGE sip:{to} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {local};branch=z9hG4bK{id:x};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <{from}>;tag={id:x}\r\n\
         To: <sip:{to}>\r\n\
         Call-ID: {id:x}@127.0.0.1\r\n\
         CSeq: 1 MESSAGE\r\n\
         Content-Type: text/plain\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    sock.send_to(msg.as_bytes(), ("127.0.0.1", kam.udp_port))
        .unwrap();
    let mut buf = [0u8; 8192];
    loop {
        let n = sock.recv(&mut buf).expect("no reply from kamailio");
        let text = String::from_utf8_lossy(&buf[..n]).into_owned();
        if !text.starts_with("SIP/2.0 1") {
            return text;
        }
    }
}

/// The final response a `message_to` run got.
fn status(run: &SippRun) -> String {
    run.received_status_lines()
        .into_iter()
        .rfind(|l| !l.starts_with("SIP/2.0 1") && !l.starts_with("SIP/2.0 407"))
        .unwrap_or_default()
}

fn trace(what: &str, msgs: &[SipMessage]) {
    if std::env::var_os("HARK_IM_TRACE").is_some() {
        eprintln!("===== {what}: {} message(s)", msgs.len());
    }
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

/// True when something listens on UDP 127.0.0.1:`port` (from
/// /proc/net/udp: no bind of our own, which could race with SIPp's).
fn udp_port_bound(port: u16) -> bool {
    let want = format!(":{port:04X}");
    std::fs::read_to_string("/proc/net/udp")
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(1))
        .any(|local| local.ends_with(&want))
}

fn wait_until(limit: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
