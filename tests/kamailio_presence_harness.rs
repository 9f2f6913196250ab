//! The presence side of the test Kamailio (tests/kamailio/kamailio.cfg with
//! WITH_PRESENCE / WITH_XCAP / WITH_RLS), proven with independent clients
//! only: baresip and linphonec publishing, SIPp watching, curl for XCAP.
//!
//! With `HARK_CAPTURE_FIXTURES=DIR` set, every test also writes the real
//! documents it saw (exact body bytes) into DIR: that is how
//! tests/fixtures/presence/ was made (see its README).

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::free_port;
use support::kamailio::{users, Kamailio, KamailioOptions};
use support::linphonec::Linphonec;
use support::peers::Baresip;
use support::sipp::{received_requests, Sipp, SippRun};

const USERS: &[(&str, &str)] = &[
    ("alice", "secret"),
    ("bob", "hunter2"),
    ("carol", "pw-carol"),
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

// ---------------------------------------------------------------------------
// Tests

#[test]
fn baresip_publish_reaches_a_sipp_watcher() {
    let kam = server(KamailioOptions {
        presence_open: true,
        ..Default::default()
    });
    let bob = Baresip::start(&kam, "bob", password("bob"));
    let published = kam_wait_presentity(&kam, "bob", "presence", |b| b.contains("<basic>open"));
    capture("baresip-publish-pidf-open.xml", published.as_bytes());
    assert!(
        published.contains("entity=\"sip:bob@hark.test\""),
        "{published}"
    );

    let run = subscribe(
        &kam,
        "subscribe",
        "alice",
        "bob",
        "presence",
        "application/pidf+xml",
    );
    assert!(run.success, "{run}\n{}", kam.log());
    let notifies = received_requests(&run, "NOTIFY");
    assert_eq!(notifies.len(), 2, "{run}");
    let first = &notifies[0];
    assert_eq!(
        first
            .header("Subscription-State")
            .as_deref()
            .map(|s| s.split(';').next().unwrap()),
        Some("active"),
        "{run}"
    );
    assert_eq!(
        first.header("Content-Type").as_deref(),
        Some("application/pidf+xml")
    );
    let body = first.body_str();
    assert!(body.contains("<basic>open</basic>"), "{body}");
    assert!(body.contains("sip:bob@hark.test"), "{body}");
    capture("kamailio-notify-pidf-open.xml", &first.body);
    // the final NOTIFY after the un-SUBSCRIBE
    assert!(
        notifies[1]
            .header("Subscription-State")
            .unwrap_or_default()
            .starts_with("terminated"),
        "{run}"
    );

    // Offline: baresip publishes <basic>closed</basic>.
    bob.command("presence_offline");
    let closed = kam_wait_presentity(&kam, "bob", "presence", |b| b.contains("<basic>closed"));
    capture("baresip-publish-pidf-closed.xml", closed.as_bytes());
    let run = subscribe(
        &kam,
        "subscribe",
        "carol",
        "bob",
        "presence",
        "application/pidf+xml",
    );
    assert!(run.success, "{run}");
    let notifies = received_requests(&run, "NOTIFY");
    assert!(
        notifies[0].body_str().contains("<basic>closed</basic>"),
        "{run}"
    );
    capture("kamailio-notify-pidf-closed.xml", &notifies[0].body);
}

#[test]
fn linphonec_publish_reaches_a_sipp_watcher() {
    let kam = server(KamailioOptions {
        presence_open: true,
        ..Default::default()
    });
    let _carol = Linphonec::start(&kam, "carol", password("carol"));
    let published = kam_wait_presentity(&kam, "carol", "presence", |_| true);
    capture("linphonec-publish-pidf.xml", published.as_bytes());
    assert!(
        published.contains("urn:ietf:params:xml:ns:pidf"),
        "{published}"
    );

    let run = subscribe(
        &kam,
        "subscribe",
        "alice",
        "carol",
        "presence",
        "application/pidf+xml",
    );
    assert!(run.success, "{run}\n{}", kam.log());
    let notifies = received_requests(&run, "NOTIFY");
    let body = notifies[0].body_str();
    assert!(
        body.contains("<basic>open</basic>") || body.contains("<basic>open<"),
        "{body}"
    );
    assert!(body.contains("sip:carol@hark.test"), "{body}");
    capture("kamailio-notify-pidf-linphonec.xml", &notifies[0].body);
}

#[test]
fn pending_watcher_shows_in_winfo_until_pres_rules_allow_it() {
    let kam = server(KamailioOptions {
        xcap: true,
        ..Default::default()
    });
    // alice watches her own watchers; bob then asks for her presence.
    let alice_port = free_port();
    let winfo = Sipp::new("subscribe_2", &kam.server_addr())
        .user("alice", password("alice"))
        .key("domain", &kam.domain)
        .key("to", "alice")
        .key("event", "presence.winfo")
        .key("accept", "application/watcherinfo+xml")
        .key("supported", "timer")
        .key("expires", "300")
        .local_port(alice_port)
        .timeout(Duration::from_secs(20))
        .spawn();
    wait_until(Duration::from_secs(5), "alice's winfo subscription", || {
        kam_count(
            &kam,
            "SELECT count(*) FROM active_watchers WHERE event = 'presence.winfo'",
        ) == 1
    });

    let bob = subscribe(
        &kam,
        "subscribe",
        "bob",
        "alice",
        "presence",
        "application/pidf+xml",
    );
    assert!(bob.success, "{bob}\n{}", kam.log());
    let notifies = received_requests(&bob, "NOTIFY");
    let state = notifies[0].header("Subscription-State").unwrap_or_default();
    assert!(
        state.starts_with("pending"),
        "no rules: bob must wait: {bob}"
    );
    assert!(notifies[0].body.is_empty(), "{bob}");

    let winfo = winfo.wait();
    assert!(winfo.success, "{winfo}\n{}", kam.log());
    let notifies = received_requests(&winfo, "NOTIFY");
    assert_eq!(
        notifies[0].header("Content-Type").as_deref(),
        Some("application/watcherinfo+xml")
    );
    capture("kamailio-winfo-full-empty.xml", &notifies[0].body);
    let second = notifies[1].body_str();
    assert!(second.contains("status=\"pending\""), "{second}");
    assert!(second.contains("sip:bob@hark.test"), "{second}");
    assert!(
        second.contains("resource=\"sip:alice@hark.test\""),
        "{second}"
    );
    capture("kamailio-winfo-pending.xml", &notifies[1].body);

    // Now alice allows bob through her pres-rules: his next subscription is
    // active at once.
    let rules = pres_rules_allowing(&kam, &["bob"]);
    let (code, _) = curl(
        &kam,
        "alice",
        "PUT",
        &kam.xcap_doc_url("pres-rules", "alice"),
        Some(("application/auth-policy+xml", &rules)),
    );
    assert_eq!(code, 200);
    let bob = subscribe(
        &kam,
        "subscribe",
        "bob",
        "alice",
        "presence",
        "application/pidf+xml",
    );
    assert!(bob.success, "{bob}");
    let notifies = received_requests(&bob, "NOTIFY");
    let state = notifies[0].header("Subscription-State").unwrap_or_default();
    assert!(state.starts_with("active"), "{bob}");
    // carol is still not allowed
    let carol = subscribe(
        &kam,
        "subscribe",
        "carol",
        "alice",
        "presence",
        "application/pidf+xml",
    );
    let notifies = received_requests(&carol, "NOTIFY");
    let state = notifies[0].header("Subscription-State").unwrap_or_default();
    assert!(state.starts_with("pending"), "{carol}");
}

#[test]
fn xcap_documents_with_http_digest() {
    let kam = server(KamailioOptions {
        xcap: true,
        ..Default::default()
    });
    let rules_url = kam.xcap_doc_url("pres-rules", "alice");
    let lists_url = kam.xcap_doc_url("resource-lists", "alice");

    // No credentials, wrong password: 401 with a digest challenge.
    let out = curl_raw(&["-s", "-i", &rules_url]);
    assert!(out.starts_with("HTTP/1.1 401 "), "{out}");
    assert!(
        out.contains("WWW-Authenticate: Digest realm=\"hark.test\""),
        "{out}"
    );
    let (code, _) = curl_as(&kam, "alice", "wrong", "GET", &rules_url, None);
    assert_eq!(code, 401);

    // Nothing stored yet.
    let (code, _) = curl(&kam, "alice", "GET", &rules_url, None);
    assert_eq!(code, 404);

    let rules = pres_rules_allowing(&kam, &["bob"]);
    let (code, _) = curl(
        &kam,
        "alice",
        "PUT",
        &rules_url,
        Some(("application/auth-policy+xml", &rules)),
    );
    assert_eq!(code, 200, "{}", kam.log());
    let (code, got) = curl(&kam, "alice", "GET", &rules_url, None);
    assert_eq!(code, 200);
    assert_eq!(got, rules);

    let lists = resource_lists(&kam, &["bob", "carol"]);
    let (code, _) = curl(
        &kam,
        "alice",
        "PUT",
        &lists_url,
        Some(("application/resource-lists+xml", &lists)),
    );
    assert_eq!(code, 200);
    let (code, got) = curl(&kam, "alice", "GET", &lists_url, None);
    assert_eq!(code, 200);
    assert_eq!(got, lists);
    // the document is in the xcap table the presence modules read
    assert_eq!(
        kam_count(&kam, "SELECT count(*) FROM xcap WHERE username = 'alice'"),
        2
    );

    // bob may not read (or write) alice's documents
    let (code, _) = curl(&kam, "bob", "GET", &lists_url, None);
    assert_eq!(code, 403);

    // DELETE, then 404
    let (code, _) = curl(&kam, "alice", "DELETE", &lists_url, None);
    assert_eq!(code, 200);
    let (code, _) = curl(&kam, "alice", "GET", &lists_url, None);
    assert_eq!(code, 404);

    // xcap-caps
    let caps_url = format!("{}/xcap-caps/global/index", kam.xcap_root());
    let (code, caps) = curl(&kam, "alice", "GET", &caps_url, None);
    assert_eq!(code, 200);
    assert!(caps.contains("<auid>pres-rules</auid>"), "{caps}");
    assert!(caps.contains("<auid>rls-services</auid>"), "{caps}");
    capture("kamailio-xcap-caps.xml", caps.as_bytes());

    // HTTP is not served on the SIP port.
    let sip_url = rules_url.replace(&kam.xcap_port().to_string(), &kam.tcp_port.to_string());
    let (code, _) = curl(&kam, "alice", "GET", &sip_url, None);
    assert_eq!(code, 404);

    capture("xcap-pres-rules-allow.xml", rules.as_bytes());
    capture("xcap-resource-lists.xml", lists.as_bytes());
}

#[test]
fn rls_subscription_gets_rlmi_multipart_notify() {
    let kam = server(KamailioOptions {
        rls: true,
        ..Default::default()
    });
    // bob lets alice see him; alice's list "buddies" (bob, carol) is served
    // as sip:alice-buddies@hark.test.
    let rules = pres_rules_allowing(&kam, &["alice"]);
    let (code, _) = curl(
        &kam,
        "bob",
        "PUT",
        &kam.xcap_doc_url("pres-rules", "bob"),
        Some(("application/auth-policy+xml", &rules)),
    );
    assert_eq!(code, 200);
    let lists = resource_lists(&kam, &["bob", "carol"]);
    let (code, _) = curl(
        &kam,
        "alice",
        "PUT",
        &kam.xcap_doc_url("resource-lists", "alice"),
        Some(("application/resource-lists+xml", &lists)),
    );
    assert_eq!(code, 200);
    let services = rls_services(&kam, "alice", "alice-buddies");
    let (code, _) = curl(
        &kam,
        "alice",
        "PUT",
        &kam.xcap_doc_url("rls-services", "alice"),
        Some(("application/rls-services+xml", &services)),
    );
    assert_eq!(code, 200);
    capture("xcap-rls-services.xml", services.as_bytes());

    let _bob = Baresip::start(&kam, "bob", password("bob"));
    kam_wait_presentity(&kam, "bob", "presence", |b| b.contains("<basic>open"));

    let run = Sipp::new("subscribe_rls", &kam.server_addr())
        .user("alice", password("alice"))
        .key("domain", &kam.domain)
        .key("to", "alice-buddies")
        .key("event", "presence")
        .key(
            "accept",
            "application/pidf+xml, application/rlmi+xml, multipart/related",
        )
        .key("supported", "eventlist")
        .key("expires", "300")
        .local_port(free_port())
        .timeout(Duration::from_secs(40))
        .run();
    assert!(run.success, "{run}\n{}", kam.log());
    let notifies = received_requests(&run, "NOTIFY");
    assert_eq!(notifies[0].header("Require").as_deref(), Some("eventlist"));
    for (i, n) in notifies[..2].iter().enumerate() {
        let ctype = n.header("Content-Type").unwrap_or_default();
        assert!(ctype.starts_with("multipart/related;"), "{ctype}");
        assert!(ctype.contains("type=\"application/rlmi+xml\""), "{ctype}");
        let body = n.body_str();
        assert!(
            body.contains("Content-Type: application/rlmi+xml"),
            "{body}"
        );
        assert!(
            body.contains("<list uri=\"sip:alice-buddies@hark.test\""),
            "{body}"
        );
        assert!(body.contains("sip:bob@hark.test"), "{body}");
        let name = if i == 0 {
            "kamailio-rlmi-notify-full"
        } else {
            "kamailio-rlmi-notify-bob"
        };
        capture(&format!("{name}.multipart"), &n.body);
        capture(&format!("{name}.multipart.content-type"), ctype.as_bytes());
    }
    // The first NOTIFY is the full list; the next one carries bob's
    // presence document, active.
    assert!(notifies[0].body_str().contains("fullState=\"true\""));
    assert!(notifies[0].body_str().contains("sip:carol@hark.test"));
    let second = notifies[1].body_str();
    assert!(second.contains("state=\"active\""), "{second}");
    assert!(
        second.contains("Content-Type: application/pidf+xml"),
        "{second}"
    );
    assert!(second.contains("<basic>open</basic>"), "{second}");
}

#[test]
fn dialog_info_publish_reaches_a_dialog_subscriber() {
    let kam = server(KamailioOptions {
        presence: true,
        ..Default::default()
    });
    let publish = Sipp::new("publish_dialog", &kam.server_addr())
        .user("alice", password("alice"))
        .key("domain", &kam.domain)
        .key("to", "carol")
        .local_port(free_port())
        .run();
    assert!(publish.success, "{publish}\n{}", kam.log());
    let published = kam_wait_presentity(&kam, "alice", "dialog", |_| true);
    capture("sipp-publish-dialog-info.xml", published.as_bytes());

    let run = subscribe(
        &kam,
        "subscribe",
        "bob",
        "alice",
        "dialog",
        "application/dialog-info+xml",
    );
    assert!(run.success, "{run}\n{}", kam.log());
    let notifies = received_requests(&run, "NOTIFY");
    let n = &notifies[0];
    assert_eq!(n.header("Event").as_deref(), Some("dialog"));
    assert!(
        n.header("Subscription-State")
            .unwrap_or_default()
            .starts_with("active"),
        "{run}"
    );
    assert_eq!(
        n.header("Content-Type").as_deref(),
        Some("application/dialog-info+xml")
    );
    let body = n.body_str();
    assert!(body.contains("<state>confirmed</state>"), "{body}");
    assert!(body.contains("entity=\"sip:alice@hark.test\""), "{body}");
    capture("kamailio-dialog-info.xml", &n.body);
}

// ---------------------------------------------------------------------------
// SIPp watchers and the messages they received

/// Runs `scenario` (subscribe / subscribe_2): `watcher` subscribes to `to`.
fn subscribe(
    kam: &Kamailio,
    scenario: &str,
    watcher: &str,
    to: &str,
    event: &str,
    accept: &str,
) -> SippRun {
    Sipp::new(scenario, &kam.server_addr())
        .user(watcher, password(watcher))
        .key("domain", &kam.domain)
        .key("to", to)
        .key("event", event)
        .key("accept", accept)
        .key("supported", "timer")
        .key("expires", "300")
        .local_port(free_port())
        .run()
}

// ---------------------------------------------------------------------------
// The server's database

fn kam_count(kam: &Kamailio, sql: &str) -> i64 {
    let db = rusqlite::Connection::open(kam.db_path()).unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    db.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Waits for a published document of `user` for `event` that satisfies
/// `pred`; returns it.  The presentity table holds the PUBLISH body byte
/// for byte (checked against a tshark capture, see the fixtures README).
fn kam_wait_presentity(
    kam: &Kamailio,
    user: &str,
    event: &str,
    pred: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let db = rusqlite::Connection::open(kam.db_path()).unwrap();
        db.busy_timeout(Duration::from_secs(5)).unwrap();
        let mut stmt = db
            .prepare("SELECT body FROM presentity WHERE username = ?1 AND event = ?2 ORDER BY received_time DESC")
            .unwrap();
        let bodies: Vec<Vec<u8>> = stmt
            .query_map(rusqlite::params![user, event], |r| {
                r.get::<_, rusqlite::types::Value>(0).map(|v| match v {
                    rusqlite::types::Value::Blob(b) => b,
                    rusqlite::types::Value::Text(t) => t.into_bytes(),
                    _ => Vec::new(),
                })
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        if let Some(b) = bodies.iter().find(|b| pred(&String::from_utf8_lossy(b))) {
            return String::from_utf8(b.clone()).expect("UTF-8 body");
        }
        if Instant::now() > deadline {
            panic!(
                "no {event} document of {user} in presentity: {:?}\n{}",
                bodies
                    .iter()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .collect::<Vec<_>>(),
                kam.log()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
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

// ---------------------------------------------------------------------------
// XCAP documents and curl

fn pres_rules_allowing(kam: &Kamailio, who: &[&str]) -> String {
    let ids: String = who
        .iter()
        .map(|u| format!("        <cr:one id=\"{}\"/>\n", kam.aor(u)))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<cr:ruleset xmlns="urn:ietf:params:xml:ns:pres-rules" xmlns:cr="urn:ietf:params:xml:ns:common-policy">
  <cr:rule id="allow-friends">
    <cr:conditions>
      <cr:identity>
{ids}      </cr:identity>
    </cr:conditions>
    <cr:actions>
      <sub-handling>allow</sub-handling>
    </cr:actions>
    <cr:transformations>
      <provide-services><all-services/></provide-services>
      <provide-persons><all-persons/></provide-persons>
      <provide-devices><all-devices/></provide-devices>
      <provide-all-attributes/>
    </cr:transformations>
  </cr:rule>
</cr:ruleset>
"#
    )
}

fn resource_lists(kam: &Kamailio, who: &[&str]) -> String {
    let entries: String = who
        .iter()
        .map(|u| {
            format!(
                "    <entry uri=\"{}\"><display-name>{u}</display-name></entry>\n",
                kam.aor(u)
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">
  <list name="buddies">
{entries}  </list>
</resource-lists>
"#
    )
}

/// `owner`'s rls-services: `service`@domain is the list "buddies" of
/// `owner`'s resource-lists, referenced by a local XCAP path.
fn rls_services(kam: &Kamailio, owner: &str, service: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rls-services xmlns="urn:ietf:params:xml:ns:rls-services" xmlns:rl="urn:ietf:params:xml:ns:resource-lists">
  <service uri="{}">
    <resource-list>/xcap-root/resource-lists/users/{}/index/~~/resource-lists/list%5B@name=%22buddies%22%5D</resource-list>
    <packages>
      <package>presence</package>
    </packages>
  </service>
</rls-services>
"#,
        kam.aor(service),
        kam.aor(owner)
    )
}

/// curl with digest credentials of `user`; returns (HTTP status, body).
fn curl(
    kam: &Kamailio,
    user: &str,
    method: &str,
    url: &str,
    body: Option<(&str, &str)>,
) -> (u16, String) {
    curl_as(kam, user, password(user), method, url, body)
}

fn curl_as(
    _kam: &Kamailio,
    user: &str,
    pass: &str,
    method: &str,
    url: &str,
    body: Option<(&str, &str)>,
) -> (u16, String) {
    let creds = format!("{user}:{pass}");
    let mut args = vec![
        "-s",
        "--digest",
        "-u",
        &creds,
        "-X",
        method,
        "-w",
        "\n%{http_code}",
    ];
    let ctype;
    if let Some((t, b)) = body {
        ctype = format!("Content-Type: {t}");
        args.extend(["-H", &ctype, "--data-binary", b]);
    }
    args.push(url);
    let out = curl_raw(&args);
    let (body, code) = out.rsplit_once('\n').expect("curl status");
    (code.trim().parse().expect("HTTP status"), body.to_string())
}

fn curl_raw(args: &[&str]) -> String {
    let out = Command::new("curl")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run curl ({e}): apt-get install curl"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// ---------------------------------------------------------------------------
// Fixtures

/// With HARK_CAPTURE_FIXTURES=DIR: writes `bytes` to DIR/name.
fn capture(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("HARK_CAPTURE_FIXTURES") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}
