//! The test Kamailio (tests/kamailio/kamailio.cfg) and its harness, proven
//! with independent clients: SIPp, and a few hand-made requests where SIPp
//! falls short (it only does MD5 digests).

mod support;

use std::io::{Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::process::{Command, Stdio};
use std::time::Duration;

use support::kamailio::{users, DigestAlgorithm, Kamailio, KamailioOptions};
use support::sipp::{Sipp, SippRun};
use support::{free_port, port_is_free, random_u64};

fn server(list: &[(&str, &str)]) -> Kamailio {
    Kamailio::start(KamailioOptions {
        users: users(list),
        ..Default::default()
    })
}

/// Runs a register scenario for `user` with a contact on a free local port.
/// Returns the run and the contact URI.
fn sipp_register(
    kam: &Kamailio,
    scenario: &str,
    user: &str,
    password: &str,
    tcp: bool,
) -> (SippRun, String) {
    let port = free_port();
    let contact = if tcp {
        format!("sip:{user}@127.0.0.1:{port};transport=tcp")
    } else {
        format!("sip:{user}@127.0.0.1:{port}")
    };
    let mut sipp = Sipp::new(scenario, &kam.server_addr())
        .user(user, password)
        .key("domain", &kam.domain)
        .key("contact", &contact)
        .key("expires", "300")
        .local_port(port);
    if tcp {
        sipp = sipp.tcp();
    }
    (sipp.run(), contact)
}

#[test]
fn starts_answers_options_and_frees_ports_after_stop() {
    let mut kam = server(&[]);
    assert!(kam.is_running());
    assert_eq!(
        kam.ping(Duration::from_secs(2)).as_deref(),
        Some("SIP/2.0 200 Keepalive"),
        "{}",
        kam.log()
    );

    // TCP answers too, on the same port.
    assert_eq!(kam.tcp_port, kam.udp_port);
    let mut tcp = TcpStream::connect(("127.0.0.1", kam.tcp_port)).expect("tcp connect");
    let local = tcp.local_addr().unwrap();
    let port = kam.tcp_port;
    write!(
        tcp,
        "OPTIONS sip:127.0.0.1:{port};transport=tcp SIP/2.0\r\n\
         Via: SIP/2.0/TCP {local};branch=z9hG4bK{:x};rport\r\n\
         Max-Forwards: 70\r\nFrom: <sip:harness@127.0.0.1>;tag=1\r\n\
         To: <sip:127.0.0.1:{port}>\r\nCall-ID: {:x}\r\nCSeq: 1 OPTIONS\r\n\
         Content-Length: 0\r\n\r\n",
        random_u64(),
        random_u64()
    )
    .unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut buf = [0u8; 2048];
    let n = tcp.read(&mut buf).expect("tcp reply");
    assert!(
        buf[..n].starts_with(b"SIP/2.0 200 "),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    drop(tcp);

    // kamcmd reaches the control socket.
    assert!(kam.kamcmd(&["core.version"]).contains("kamailio 5."));

    kam.stop();
    assert!(!kam.is_running());
    assert!(
        port_is_free(kam.udp_port),
        "UDP/TCP port {} still in use",
        kam.udp_port
    );
    assert_eq!(kam.ping(Duration::from_millis(300)), None);
}

#[test]
fn prepared_but_not_started_until_launch() {
    let mut kam = Kamailio::start(KamailioOptions {
        start: false,
        ..Default::default()
    });
    assert!(!kam.is_running());
    assert_eq!(kam.ping(Duration::from_millis(200)), None);
    kam.launch();
    assert!(kam.is_running());
    assert!(kam.ping(Duration::from_secs(2)).is_some());
}

#[test]
fn sipp_registers_with_md5_and_contact_is_listed() {
    let kam = server(&[("alice", "secret")]);
    assert!(kam.contacts_of("alice").is_empty());

    let (run, contact) = sipp_register(&kam, "register", "alice", "secret", false);
    assert!(run.success, "{run}\n{}", kam.log());
    assert_eq!(
        run.received_status_lines(),
        ["SIP/2.0 401 Unauthorized", "SIP/2.0 200 OK"],
        "{run}"
    );
    assert!(run.messages.contains("algorithm=MD5"), "{run}");
    assert!(run.messages.contains("realm=\"hark.test\""), "{run}");

    assert_eq!(kam.contacts_of("alice"), std::slice::from_ref(&contact));
    assert_eq!(kam.contacts_of("alice@hark.test"), [contact]);
    assert!(kam.contacts_of("bob").is_empty());
}

#[test]
fn sipp_registers_over_tcp_with_proxy_auth() {
    let kam = Kamailio::start(KamailioOptions {
        proxy_auth: true,
        users: users(&[("alice", "secret")]),
        ..Default::default()
    });
    let (run, contact) = sipp_register(&kam, "register", "alice", "secret", true);
    assert!(run.success, "{run}\n{}", kam.log());
    assert_eq!(
        run.received_status_lines(),
        [
            "SIP/2.0 407 Proxy Authentication Required",
            "SIP/2.0 200 OK"
        ],
        "{run}"
    );
    assert!(
        run.messages.contains("Proxy-Authenticate: Digest "),
        "{run}"
    );
    assert_eq!(kam.contacts_of("alice"), [contact]);
    // TCP clients are reached over their own connection: the registrar
    // stores the source address.
    let lookup = kam.kamcmd(&["ul.lookup", "location", "alice"]);
    assert!(lookup.contains("Received: sip:127.0.0.1:"), "{lookup}");
    assert!(lookup.contains("transport=tcp"), "{lookup}");
}

#[test]
fn sha256_challenge_and_registration() {
    let kam = Kamailio::start(KamailioOptions {
        algorithm: DigestAlgorithm::Sha256,
        users: users(&[("alice", "secret")]),
        ..Default::default()
    });
    let ua = RawUa::new(&kam);

    let challenge = ua.register("alice", 1, None);
    assert!(
        challenge.starts_with("SIP/2.0 401 Unauthorized\r\n"),
        "{challenge}"
    );
    let www = header(&challenge, "WWW-Authenticate").expect("WWW-Authenticate");
    assert!(www.contains("algorithm=SHA-256"), "{www}");
    assert!(www.contains("realm=\"hark.test\""), "{www}");

    // A wrong password: a fresh SHA-256 challenge.
    let auth = digest_authorization(
        "Authorization",
        &www,
        "alice",
        "wrong",
        "REGISTER",
        "sip:hark.test",
    );
    let reply = ua.register("alice", 2, Some(&auth));
    assert!(reply.starts_with("SIP/2.0 401 "), "{reply}");
    let www = header(&reply, "WWW-Authenticate").expect("fresh challenge");
    assert!(www.contains("algorithm=SHA-256"), "{www}");

    // The right one.
    let auth = digest_authorization(
        "Authorization",
        &www,
        "alice",
        "secret",
        "REGISTER",
        "sip:hark.test",
    );
    let reply = ua.register("alice", 3, Some(&auth));
    assert!(
        reply.starts_with("SIP/2.0 200 OK\r\n"),
        "{reply}\n{}",
        kam.log()
    );
    assert_eq!(kam.contacts_of("alice"), [ua.contact("alice")]);

    // MD5 credentials are refused by a SHA-256 server.
    let md5 = www.replace("algorithm=SHA-256", "algorithm=MD5");
    let auth = digest_authorization(
        "Authorization",
        &md5,
        "alice",
        "secret",
        "REGISTER",
        "sip:hark.test",
    );
    let reply = ua.register("alice", 4, Some(&auth));
    assert!(!reply.starts_with("SIP/2.0 200 "), "{reply}");
}

#[test]
fn unknown_user_gets_404_after_the_challenge() {
    for proxy_auth in [false, true] {
        let kam = Kamailio::start(KamailioOptions {
            proxy_auth,
            users: users(&[("alice", "secret")]),
            ..Default::default()
        });
        let (run, _) = sipp_register(&kam, "register_unknown_user", "mallory", "secret", false);
        assert!(run.success, "{run}\n{}", kam.log());
        let challenge = if proxy_auth {
            "SIP/2.0 407 Proxy Authentication Required"
        } else {
            "SIP/2.0 401 Unauthorized"
        };
        assert_eq!(
            run.received_status_lines()[..2],
            [challenge, "SIP/2.0 404 User Not Found"]
        );
        assert!(kam.contacts_of("mallory").is_empty());
    }
}

#[test]
fn wrong_password_gets_a_fresh_challenge() {
    for proxy_auth in [false, true] {
        let kam = Kamailio::start(KamailioOptions {
            proxy_auth,
            users: users(&[("alice", "secret")]),
            ..Default::default()
        });
        let (run, _) = sipp_register(&kam, "register_wrong_password", "alice", "wrong", false);
        assert!(run.success, "{run}\n{}", kam.log());
        let challenge = if proxy_auth {
            "SIP/2.0 407 Proxy Authentication Required"
        } else {
            "SIP/2.0 401 Unauthorized"
        };
        assert_eq!(run.received_status_lines()[..2], [challenge, challenge]);
        assert!(kam.contacts_of("alice").is_empty());
    }
}

#[test]
fn users_added_while_running_can_register() {
    let kam = server(&[]);
    let (run, _) = sipp_register(&kam, "register_unknown_user", "carol", "pw", false);
    assert!(run.success, "{run}");
    kam.add_user("carol", "pw");
    let (run, contact) = sipp_register(&kam, "register", "carol", "pw", false);
    assert!(run.success, "{run}\n{}", kam.log());
    assert_eq!(kam.contacts_of("carol"), [contact]);
}

#[test]
fn kill_and_restart_loses_bindings_on_the_same_port() {
    let mut kam = server(&[("alice", "secret")]);
    let port = kam.udp_port;
    let (run, contact) = sipp_register(&kam, "register", "alice", "secret", false);
    assert!(run.success, "{run}");
    assert_eq!(kam.contacts_of("alice"), [contact]);

    kam.kill();
    assert!(!kam.is_running());
    assert_eq!(kam.ping(Duration::from_millis(300)), None);

    kam.restart();
    assert!(kam.is_running());
    assert_eq!(kam.udp_port, port);
    assert_eq!(
        kam.ping(Duration::from_secs(2)).as_deref(),
        Some("SIP/2.0 200 Keepalive")
    );
    assert!(
        kam.contacts_of("alice").is_empty(),
        "bindings survived a restart"
    );

    // Subscribers are kept: alice registers again.
    let (run, contact) = sipp_register(&kam, "register", "alice", "secret", false);
    assert!(run.success, "{run}\n{}", kam.log());
    assert_eq!(kam.contacts_of("alice"), [contact]);

    // And a clean restart loses them as well.
    kam.restart();
    assert!(kam.contacts_of("alice").is_empty());
    assert!(kam.log().matches("starting kamailio").count() >= 3);
}

#[test]
fn message_is_routed_between_registered_users() {
    let kam = server(&[("alice", "secret"), ("bob", "hunter2")]);

    // bob's device: a SIPp UAS on its own port, registered as bob.
    let bob_port = free_port();
    let bob = Sipp::new("uas_message", &kam.server_addr())
        .local_port(bob_port)
        .spawn();
    let register = Sipp::new("register", &kam.server_addr())
        .user("bob", "hunter2")
        .key("domain", &kam.domain)
        .key("contact", &format!("sip:bob@127.0.0.1:{bob_port}"))
        .key("expires", "300")
        .run();
    assert!(register.success, "{register}");
    assert_eq!(kam.contacts_of("bob").len(), 1);

    let alice = Sipp::new("message", &kam.server_addr())
        .user("alice", "secret")
        .key("domain", &kam.domain)
        .key("to", "bob")
        .run();
    assert!(alice.success, "{alice}\n{}", kam.log());
    assert_eq!(
        alice.received_status_lines(),
        [
            "SIP/2.0 407 Proxy Authentication Required",
            "SIP/2.0 200 OK"
        ]
    );
    let bob = bob.wait();
    assert!(bob.success, "{bob}");
    // The proxy took alice's credentials off before relaying.
    assert!(!bob.messages.contains("Proxy-Authorization"), "{bob}");
}

#[test]
fn call_is_routed_and_in_dialog_requests_follow_record_route() {
    let kam = server(&[("alice", "secret"), ("bob", "hunter2")]);

    let bob_port = free_port();
    let bob = Sipp::new("uas_call", &kam.server_addr())
        .local_port(bob_port)
        .spawn();
    let register = Sipp::new("register", &kam.server_addr())
        .user("bob", "hunter2")
        .key("domain", &kam.domain)
        .key("contact", &format!("sip:bob@127.0.0.1:{bob_port}"))
        .key("expires", "300")
        .run();
    assert!(register.success, "{register}");

    let alice = Sipp::new("invite", &kam.server_addr())
        .user("alice", "secret")
        .key("domain", &kam.domain)
        .key("to", "bob")
        .run();
    assert!(alice.success, "{alice}\n{}", kam.log());
    // The proxy stayed in the dialog: the 200 carried its Record-Route and
    // the BYE reached bob through it (two Via headers).
    let record_route = format!("Record-Route: <sip:127.0.0.1:{};lr>", kam.udp_port);
    assert!(alice.messages.contains(&record_route), "{alice}");
    let bob = bob.wait();
    assert!(bob.success, "{bob}");
    let bye = bob
        .messages
        .split("BYE sip:")
        .nth(1)
        .expect("bob got a BYE");
    let bye = bye.split("\n\n").next().unwrap();
    assert_eq!(
        bye.matches("Via: ").count(),
        2,
        "BYE did not pass the proxy: {bye}"
    );
}

#[test]
fn requests_to_offline_and_unknown_users() {
    let kam = server(&[("alice", "secret"), ("bob", "hunter2")]);
    let ua = RawUa::new(&kam);
    for (to, expected) in [("bob", "SIP/2.0 480 "), ("zed", "SIP/2.0 404 ")] {
        let uri = format!("sip:{to}@hark.test");
        let challenge = ua.message("alice", to, 1, None);
        assert!(challenge.starts_with("SIP/2.0 407 "), "{challenge}");
        let pa = header(&challenge, "Proxy-Authenticate").expect("Proxy-Authenticate");
        let auth = digest_authorization(
            "Proxy-Authorization",
            &pa,
            "alice",
            "secret",
            "MESSAGE",
            &uri,
        );
        let reply = ua.message("alice", to, 2, Some(&auth));
        assert!(
            reply.starts_with(expected),
            "to {to}: {reply}\n{}",
            kam.log()
        );
    }
}

// ---------------------------------------------------------------------------
// A hand-made UDP client for what SIPp cannot do (SHA-256 digests).

struct RawUa {
    sock: UdpSocket,
    server: u16,
    port: u16,
    domain: String,
    call_id: String,
}

impl RawUa {
    fn new(kam: &Kamailio) -> RawUa {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let port = sock.local_addr().unwrap().port();
        RawUa {
            sock,
            server: kam.udp_port,
            port,
            domain: kam.domain.clone(),
            call_id: format!("{:x}@127.0.0.1", random_u64()),
        }
    }

    fn contact(&self, user: &str) -> String {
        format!("sip:{user}@127.0.0.1:{}", self.port)
    }

    fn send(&self, msg: String) -> String {
        self.sock
            .send_to(msg.as_bytes(), ("127.0.0.1", self.server))
            .unwrap();
        let mut buf = [0u8; 8192];
        loop {
            let n = self.sock.recv(&mut buf).expect("no reply from kamailio");
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            // skip provisional replies
            if !text.starts_with("SIP/2.0 1") {
                return text;
            }
        }
    }

    fn register(&self, user: &str, cseq: u32, auth: Option<&str>) -> String {
        let d = &self.domain;
        self.send(format!(
            "REGISTER sip:{d} SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{b:x};rport\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:{user}@{d}>;tag=raw{port}\r\n\
             To: <sip:{user}@{d}>\r\n\
             Call-ID: {cid}\r\n\
             CSeq: {cseq} REGISTER\r\n\
             Contact: <{contact}>\r\n\
             {auth}Expires: 300\r\n\
             Content-Length: 0\r\n\r\n",
            port = self.port,
            b = random_u64(),
            cid = self.call_id,
            contact = self.contact(user),
            auth = auth.map(|a| format!("{a}\r\n")).unwrap_or_default(),
        ))
    }

    fn message(&self, from: &str, to: &str, cseq: u32, auth: Option<&str>) -> String {
        let d = &self.domain;
        let body = "hello";
        self.send(format!(
            "MESSAGE sip:{to}@{d} SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{b:x};rport\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:{from}@{d}>;tag=raw{port}\r\n\
             To: <sip:{to}@{d}>\r\n\
             Call-ID: {cid}{to}\r\n\
             CSeq: {cseq} MESSAGE\r\n\
             {auth}Content-Type: text/plain\r\n\
             Content-Length: {len}\r\n\r\n{body}",
            port = self.port,
            b = random_u64(),
            cid = self.call_id,
            auth = auth.map(|a| format!("{a}\r\n")).unwrap_or_default(),
            len = body.len(),
        ))
    }
}

/// The value of the first `name:` header of a message.
fn header(msg: &str, name: &str) -> Option<String> {
    msg.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

/// `param="value"` or `param=value` from a Digest challenge.
fn param(challenge: &str, name: &str) -> Option<String> {
    let rest = challenge.trim_start_matches("Digest").trim();
    rest.split(',').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k.trim() == name).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// An Authorization / Proxy-Authorization header answering `challenge`
/// (RFC 8760: MD5 or SHA-256, with qop=auth when offered).
fn digest_authorization(
    header_name: &str,
    challenge: &str,
    user: &str,
    password: &str,
    method: &str,
    uri: &str,
) -> String {
    let realm = param(challenge, "realm").expect("realm");
    let nonce = param(challenge, "nonce").expect("nonce");
    let algorithm = param(challenge, "algorithm").unwrap_or_else(|| "MD5".into());
    let qop = param(challenge, "qop");
    let h = |s: String| hash_hex(&algorithm, &s);
    let ha1 = h(format!("{user}:{realm}:{password}"));
    let ha2 = h(format!("{method}:{uri}"));
    let cnonce = format!("{:x}", random_u64());
    match qop {
        Some(q) if q.split(',').any(|q| q.trim() == "auth") => {
            let response = h(format!("{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}"));
            format!(
                "{header_name}: Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", \
                 uri=\"{uri}\", response=\"{response}\", algorithm={algorithm}, qop=auth, \
                 nc=00000001, cnonce=\"{cnonce}\""
            )
        }
        _ => {
            let response = h(format!("{ha1}:{nonce}:{ha2}"));
            format!(
                "{header_name}: Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", \
                 uri=\"{uri}\", response=\"{response}\", algorithm={algorithm}"
            )
        }
    }
}

/// Hex digest with coreutils (no hashing crate among the dependencies).
fn hash_hex(algorithm: &str, input: &str) -> String {
    let tool = match algorithm.to_ascii_uppercase().as_str() {
        "MD5" => "md5sum",
        "SHA-256" => "sha256sum",
        other => panic!("unsupported digest algorithm {other}"),
    };
    let mut child = Command::new(tool)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {tool}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}
