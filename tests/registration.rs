//! Registration against a real Kamailio (SPEC A1, A2, A4): the `hark` binary
//! runs headless and is driven through its JSON-lines control protocol;
//! what the server really holds is checked with kamcmd.

mod support;

use std::time::Duration;

use support::hark::{account_toml, Hark};
use support::kamailio::{users, DigestAlgorithm, Kamailio, KamailioOptions};

const T: Duration = Duration::from_secs(15);

fn kamailio(opts: KamailioOptions) -> Kamailio {
    Kamailio::start(KamailioOptions {
        users: users(&[("alice", "s3cret")]),
        ..opts
    })
}

fn hark_for(kam: &Kamailio, password: &str, transport: &str, extra: &str) -> Hark {
    Hark::start(&account_toml(
        &kam.aor("alice"),
        Some(password),
        &kam.server_addr(),
        transport,
        extra,
    ))
}

fn registers_then_unregisters_on_quit(transport: &str, opts: KamailioOptions) {
    let kam = kamailio(opts);
    let mut hark = hark_for(&kam, "s3cret", transport, "");
    hark.wait_state("registering", T);
    let ev = hark.wait_state("registered", T);
    assert!(ev["expires"].as_u64().unwrap() > 0, "{ev}");
    let contacts = kam.contacts_of("alice");
    assert_eq!(contacts.len(), 1, "one binding in Kamailio: {contacts:?}");
    if transport == "tcp" {
        assert!(
            contacts[0].to_ascii_lowercase().contains("transport=tcp"),
            "{contacts:?}"
        );
    }
    let (status, events) = hark.quit(T);
    assert!(status.success(), "exit status {status}");
    assert!(
        events.iter().any(|e| e["state"] == "unregistered"),
        "{events:?}"
    );
    assert_eq!(
        kam.contacts_of("alice"),
        Vec::<String>::new(),
        "the binding is removed on quit"
    );
}

#[test]
fn registers_over_udp_with_md5_and_unregisters_on_quit() {
    registers_then_unregisters_on_quit("udp", KamailioOptions::default());
}

#[test]
fn registers_over_tcp_and_unregisters_on_quit() {
    registers_then_unregisters_on_quit("tcp", KamailioOptions::default());
}

#[test]
fn registers_with_sha256_digest() {
    registers_then_unregisters_on_quit(
        "udp",
        KamailioOptions {
            algorithm: DigestAlgorithm::Sha256,
            ..Default::default()
        },
    );
}

#[test]
fn answers_a_407_proxy_challenge() {
    registers_then_unregisters_on_quit(
        "tcp",
        KamailioOptions {
            proxy_auth: true,
            ..Default::default()
        },
    );
}

#[test]
fn wrong_password_is_a_clear_failure_without_retry_loop() {
    let kam = kamailio(KamailioOptions::default());
    let mut hark = hark_for(&kam, "not-the-password", "udp", "");
    let ev = hark.wait_state("failed", T);
    assert_eq!(ev["reason"]["kind"], "wrong_password", "{ev}");
    assert!(kam.contacts_of("alice").is_empty());
    // No retry loop hammering the server: nothing more within 3 s.
    std::thread::sleep(Duration::from_secs(3));
    hark.send(r#"{"cmd":"ping","id":"p"}"#);
    hark.wait_event("pong", T);
    assert!(
        !hark.seen().iter().any(|e| e["state"] == "registering"
            && hark.seen().iter().position(|x| x == e)
                > hark.seen().iter().position(|x| x["state"] == "failed")),
        "it must not try again by itself: {:?}",
        hark.seen()
    );
    hark.quit(T);
}

#[test]
fn unknown_user_is_a_clear_failure() {
    let kam = kamailio(KamailioOptions::default());
    let mut hark = Hark::start(&account_toml(
        &kam.aor("mallory"),
        Some("whatever"),
        &kam.server_addr(),
        "udp",
        "",
    ));
    let ev = hark.wait_state("failed", T);
    assert_eq!(ev["reason"]["kind"], "unknown_user", "{ev}");
    hark.quit(T);
}

#[test]
fn server_down_at_start_then_started_registers_over_tcp() {
    let mut kam = kamailio(KamailioOptions {
        start: false,
        ..Default::default()
    });
    let mut hark = hark_for(&kam, "s3cret", "tcp", "");
    let ev = hark.wait_state("retrying", T);
    assert_eq!(ev["reason"]["kind"], "connection_refused", "{ev}");
    kam.launch();
    hark.wait_state("registered", Duration::from_secs(40));
    assert_eq!(kam.contacts_of("alice").len(), 1);
    hark.quit(T);
}

#[test]
fn server_down_at_start_then_started_registers_over_udp() {
    let mut kam = kamailio(KamailioOptions {
        start: false,
        ..Default::default()
    });
    let mut hark = hark_for(&kam, "s3cret", "udp", "");
    hark.wait_state("registering", T);
    std::thread::sleep(Duration::from_secs(2));
    kam.launch();
    hark.wait_state("registered", Duration::from_secs(40));
    assert_eq!(kam.contacts_of("alice").len(), 1);
    hark.quit(T);
}

fn reregisters_after_server_restart(transport: &str) {
    let mut kam = kamailio(KamailioOptions::default());
    let mut hark = hark_for(&kam, "s3cret", transport, "keepalive_secs = 1\n");
    hark.wait_state("registered", T);
    kam.kill();
    let ev = hark.wait_state("retrying", T);
    assert_eq!(ev["reason"]["kind"], "server_lost", "{ev}");
    kam.launch();
    assert!(
        kam.contacts_of("alice").is_empty(),
        "restart lost the binding"
    );
    hark.wait_state("registered", Duration::from_secs(40));
    assert_eq!(kam.contacts_of("alice").len(), 1, "registered again");
    hark.quit(T);
}

#[test]
fn reregisters_after_kamailio_restart_over_udp() {
    reregisters_after_server_restart("udp");
}

#[test]
fn reregisters_after_kamailio_restart_over_tcp() {
    reregisters_after_server_restart("tcp");
}

#[test]
fn refreshes_before_expiry() {
    let kam = kamailio(KamailioOptions {
        defines: vec!["REG_MIN_EXPIRES=5".into(), "REG_MAX_EXPIRES=6".into()],
        ..Default::default()
    });
    let mut hark = hark_for(&kam, "s3cret", "udp", "expires = 6\nkeepalive_secs = 0\n");
    let ev = hark.wait_state("registered", T);
    assert_eq!(ev["expires"], 6, "{ev}");
    // Three lifetimes later the binding is still there: it was refreshed.
    for _ in 0..6 {
        std::thread::sleep(Duration::from_secs(3));
        assert_eq!(kam.contacts_of("alice").len(), 1, "binding kept alive");
    }
    hark.quit(T);
}

#[test]
fn unknown_server_name_is_reported() {
    let mut hark = Hark::start(&account_toml(
        "sip:alice@hark.test",
        Some("x"),
        "no-such-host.invalid:5060",
        "udp",
        "",
    ));
    let ev = hark.wait_state("retrying", T);
    assert_eq!(ev["reason"]["kind"], "name_not_found", "{ev}");
    hark.quit(T);
}

#[test]
fn malformed_sip_from_the_network_is_dropped_and_registration_goes_on() {
    let kam = kamailio(KamailioOptions::default());
    let mut hark = hark_for(&kam, "s3cret", "udp", "keepalive_secs = 1\n");
    hark.wait_state("registered", T);
    let contact = kam.contacts_of("alice").pop().expect("contact");
    let hostport = contact
        .split('@')
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let garbage: [&[u8]; 6] = [
        b"\x00\x01\x02garbage",
        b"INVITE sip:alice@hark.test SIP/2.0\r\nVia: nonsense\r\n\r\n",
        b"SIP/2.0 999999999999 Weird\r\n\r\n",
        b"OPTIONS sip:x SIP/2.0\r\nContent-Length: 99999\r\n\r\nshort",
        &[0xff; 1400],
        b"REGISTER sip:\xff\xfe SIP/2.0\r\nCSeq: abc\r\n\r\n",
    ];
    for g in garbage {
        sock.send_to(g, &hostport).unwrap();
    }
    std::thread::sleep(Duration::from_secs(3));
    hark.send(r#"{"cmd":"ping","id":1}"#);
    hark.wait_event("pong", T);
    assert!(
        !hark.seen().iter().any(|e| e["state"] == "retrying"),
        "still registered: {:?}",
        hark.seen()
    );
    let (status, _) = hark.quit(T);
    assert!(status.success());
}
