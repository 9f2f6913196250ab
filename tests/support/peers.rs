//! Real, independent SIP clients for the tests: baresip (driven over
//! ctrl_tcp) and linphonec (driven over stdin), each registered with a test
//! Kamailio as one of its users and run in its own process group, stopped
//! (group and all) when dropped.  See /work/shared/PEERS.md for their quirks.
//!
//! Chat (SIP MESSAGE): `Baresip::send_message` / `wait_message`,
//! `Linphonec::send_message` / `wait_message`; what each sends and answers
//! on the wire is in tests/fixtures/im/README.md.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use super::kamailio::Kamailio;
use super::{free_port, port_is_free};

/// baresip registered as `user`, publishing presence every 60 s, driven
/// over ctrl_tcp.  Entries of its address book marked `;presence=p2p` are
/// watched (SUBSCRIBE through the proxy); `contact_status` reads what it
/// shows for them.
///
/// It runs with its SIP trace on (`-s`: every SIP message it sends or
/// receives is in its log, read with `sip_trace`) and the `stdio` UI
/// module, which prints incoming MESSAGEs (`wait_message`); its stdin is a
/// pipe kept open for that module.
pub struct Baresip {
    child: Option<Child>,
    /// Kept open: at EOF the stdio UI module would spin on its stdin.
    stdin: Option<ChildStdin>,
    ctrl_port: u16,
    sip_port: u16,
    /// The address book's URIs, in file order (`send_message` walks it).
    address_book: Vec<String>,
    dir: tempfile::TempDir,
}

impl Baresip {
    /// baresip's own directory (config, log, recordings).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Starts baresip with an empty address book; returns once registered.
    pub fn start(kam: &Kamailio, user: &str, password: &str) -> Baresip {
        Self::start_with_contacts(kam, user, password, &[])
    }

    /// Starts baresip watching `watch` (SIP URIs, put in its address book
    /// with `;presence=p2p`); returns once registered.
    pub fn start_with_contacts(
        kam: &Kamailio,
        user: &str,
        password: &str,
        watch: &[&str],
    ) -> Baresip {
        Self::start_with_address_book(kam, user, password, watch, &[])
    }

    /// Starts baresip with `chat` (SIP URIs) in its address book, not
    /// watched: the peers `send_message` can write to (baresip 1.0 sends a
    /// MESSAGE only to its address book's current contact).
    pub fn start_for_chat(kam: &Kamailio, user: &str, password: &str, chat: &[&str]) -> Baresip {
        Self::start_with_address_book(kam, user, password, &[], chat)
    }

    /// Starts baresip with `watch` (watched, `;presence=p2p`) then `chat`
    /// (not watched) in its address book; returns once registered.
    pub fn start_with_address_book(
        kam: &Kamailio,
        user: &str,
        password: &str,
        watch: &[&str],
        chat: &[&str],
    ) -> Baresip {
        Self::launch(kam, user, password, watch, chat, &Setup::default())
    }

    /// Starts baresip with its address book and `setup` (audio, codecs,
    /// answer mode); returns once registered.
    pub(crate) fn launch(
        kam: &Kamailio,
        user: &str,
        password: &str,
        watch: &[&str],
        chat: &[&str],
        setup: &Setup,
    ) -> Baresip {
        let dir = tempfile::Builder::new()
            .prefix("hark-baresip-")
            .tempdir()
            .unwrap();
        // baresip also binds TLS on sip_listen + 1
        let (sip_port, ctrl_port) = loop {
            let p = free_port();
            let c = free_port();
            if p < 65000 && port_is_free(p + 1) && c != p && c != p + 1 {
                break (p, c);
            }
        };
        std::fs::write(
            dir.path().join("config"),
            format!(
                "poll_method epoll\n\
                 sip_listen 127.0.0.1:{sip_port}\n\
                 net_interface 127.0.0.1\n\
                 audio_player aufile,/dev/null\n\
                 audio_source {source}\n\
                 module_path /usr/lib/baresip/modules\n\
                 module g711.so\n\
                 {modules}
                 module ausine.so\n\
                 module aufile.so\n\
                 module stdio.so\n\
                 module_tmp uuid.so\n\
                 module_tmp account.so\n\
                 module_app contact.so\n\
                 module_app menu.so\n\
                 module_app presence.so\n\
                 module_app ctrl_tcp.so\n\
                 ctrl_tcp_listen 127.0.0.1:{ctrl_port}\n\
                 {extra}",
                source = setup.audio_source.as_deref().unwrap_or("ausine,440"),
                modules = setup.modules,
                extra = setup.extra_config,
            ),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("accounts"),
            format!(
                "<sip:{user}@{}>;auth_pass={password};outbound=\"sip:{}\";regint=300;pubint=60{}\n",
                kam.domain,
                kam.server_addr(),
                setup.account_params,
            ),
        )
        .unwrap();
        let contacts: String = watch
            .iter()
            .map(|uri| format!("\"{uri}\" <{uri}>;presence=p2p\n"))
            .chain(chat.iter().map(|uri| format!("\"{uri}\" <{uri}>\n")))
            .collect();
        std::fs::write(dir.path().join("contacts"), contacts).unwrap();
        let log = std::fs::File::create(dir.path().join("baresip.log")).unwrap();
        // -s: SIP trace into the log
        let mut child = Command::new("baresip")
            .args(["-4", "-v", "-s", "-f"])
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run baresip ({e}): apt-get install baresip"));
        let b = Baresip {
            stdin: child.stdin.take(),
            child: Some(child),
            ctrl_port,
            sip_port,
            address_book: watch.iter().chain(chat).map(|u| u.to_string()).collect(),
            dir,
        };
        b.wait_log(Duration::from_secs(10), "baresip to register", |l| {
            l.contains("200 OK")
        });
        b
    }

    /// Everything baresip printed so far (invalid UTF-8, e.g. a binary
    /// body in the SIP trace, replaced).
    pub fn log(&self) -> String {
        read_lossy(&self.dir.path().join("baresip.log"))
    }

    /// Waits until baresip's log satisfies `pred`; panics with the log.
    pub fn wait_log(&self, limit: Duration, what: &str, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + limit;
        while !pred(&self.log()) {
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}\n--- baresip log ---\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A ctrl_tcp command (netstring JSON), asserted ok; returns the whole
    /// response (JSON text).
    pub fn command(&self, cmd: &str) -> String {
        let json = format!("{{\"command\":\"{cmd}\",\"token\":\"hark\"}}");
        self.ctrl_tcp(cmd, &json)
    }

    /// A ctrl_tcp command with parameters (`{"command":…,"params":…}`,
    /// JSON-escaped, UTF-8 as is; baresip joins them as "cmd params" in a
    /// 1,024-byte buffer), asserted ok; returns the whole response.
    pub fn command_with_params(&self, cmd: &str, params: &str) -> String {
        let json = serde_json::json!({ "command": cmd, "params": params, "token": "hark" });
        self.ctrl_tcp(cmd, &json.to_string())
    }

    fn ctrl_tcp(&self, cmd: &str, json: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.ctrl_port)).expect("baresip ctrl_tcp");
        write!(s, "{}:{json},", json.len()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        // Netstrings "LEN:JSON,": events (during calls) may come before
        // the response.
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            while let Some((message, used)) = netstring(&buf) {
                buf.drain(..used);
                if message.contains("\"response\":true") {
                    assert!(message.contains("\"ok\":true"), "baresip {cmd}: {message}");
                    return message;
                }
            }
            let n = s.read(&mut chunk).unwrap_or(0);
            if n == 0 {
                panic!(
                    "baresip {cmd}: no response ({})",
                    String::from_utf8_lossy(&buf)
                );
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// What baresip's address book shows for `uri` (command `contacts`):
    /// "Unknown", "Online", "Offline" or "Busy" (its whole model: it maps
    /// `<rpid:away/>` to Offline, `<rpid:busy/>` and `<rpid:on-the-phone/>`
    /// to Busy, else `<basic>`).
    pub fn contact_status(&self, uri: &str) -> Option<String> {
        let resp: serde_json::Value =
            serde_json::from_str(&self.command("contacts")).expect("ctrl_tcp JSON");
        let data = strip_ansi(resp["data"].as_str().unwrap_or_default());
        data.lines()
            .find(|l| l.contains(&format!("<{uri}>")))
            .and_then(|l| l.trim_start_matches(['>', ' ']).split_whitespace().next())
            .map(str::to_string)
    }

    /// Waits until `contact_status(uri)` is `status`.
    pub fn wait_contact_status(&self, uri: &str, status: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut last = None;
        while Instant::now() < deadline {
            last = self.contact_status(uri);
            if last.as_deref() == Some(status) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "baresip shows {uri} as {last:?}, not {status}, after {limit:?}\n--- baresip log ---\n{}",
            self.log()
        );
    }

    /// Sends `text` (one line, under ~1,000 bytes) to `to` in a MESSAGE and
    /// waits up to 10 s for the final answer; returns its status line
    /// ("SIP/2.0 200 OK").  baresip 1.0 has one chat command, `message`,
    /// which writes to the address book's current contact: `to` must be in
    /// the address book (`start_for_chat`), and this selects it first with
    /// `contact_prev` / `contact_next`.  baresip sends `text/plain`, a new
    /// Call-ID per message, no Contact, no Date (fixtures/im/README.md).
    pub fn send_message(&self, to: &str, text: &str) -> String {
        let Some(index) = self.address_book.iter().position(|u| u == to) else {
            panic!(
                "{to} is not in baresip's address book {:?}: start it with \
                 Baresip::start_for_chat(.., &[\"{to}\"])",
                self.address_book
            );
        };
        // to the head of the list, then down to `to`
        let mut current = String::new();
        for _ in 0..self.address_book.len() {
            current = self.command("contact_prev");
        }
        for _ in 0..index {
            current = self.command("contact_next");
        }
        assert!(
            current.contains(&format!("<{to}>")),
            "baresip's current contact is not {to}: {current}"
        );
        let sent_before = self.sent_messages().len();
        self.command_with_params("message", text);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            // the new MESSAGE's Call-ID (a 401/407 retry keeps it)
            let call_id = self
                .sent_messages()
                .get(sent_before..)
                .unwrap_or_default()
                .iter()
                .find(|m| m.body() == text)
                .and_then(|m| m.header("Call-ID"));
            if let Some(call_id) = call_id {
                let answer = self.sip_trace().into_iter().find(|m| {
                    m.incoming
                        && m.header("Call-ID").as_deref() == Some(call_id.as_str())
                        && m.header("CSeq").is_some_and(|c| c.ends_with("MESSAGE"))
                        && m.status().is_some_and(|s| s >= 200 && s != 401 && s != 407)
                });
                if let Some(answer) = answer {
                    return answer.first_line().to_string();
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "baresip: no final answer to its MESSAGE to {to} after 10 s\n\
                     --- baresip log ---\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until baresip shows an incoming MESSAGE from a sender whose
    /// URI contains `from` with a body containing `text`; returns the body
    /// as shown.  Only text/plain reaches its screen (the menu module
    /// prints `\rsip:alice@hark.test: "BODY"`, cut at ~500 bytes); it
    /// answers anything else 415 with `Accept: text/plain` (see
    /// `received_requests` and `sip_trace` for those).
    pub fn wait_message(&self, from: &str, text: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(body) = self
                .shown_messages()
                .into_iter()
                .find(|(peer, body)| peer.contains(from) && body.contains(text))
                .map(|(_, body)| body)
            {
                return body;
            }
            if Instant::now() > deadline {
                panic!(
                    "baresip did not show a MESSAGE from {from} with {text:?} in {limit:?}\n\
                     --- baresip log ---\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The incoming MESSAGEs baresip showed, in order: (sender URI, body).
    pub fn shown_messages(&self) -> Vec<(String, String)> {
        let log = self.log();
        let mut out = Vec::new();
        // "\r<peer>: \"<body>\"\n" (menu.c message_handler); the body may
        // hold CR LF itself
        let mut rest = log.as_str();
        while let Some(i) = rest.find("\rsip") {
            rest = &rest[i + 1..];
            let Some((peer, after)) = rest.split_once(": \"") else {
                break;
            };
            if peer.contains(char::is_whitespace) {
                continue;
            }
            let body = after.find("\"\n").map(|end| &after[..end]).unwrap_or(after);
            out.push((peer.to_string(), body.to_string()));
        }
        out
    }

    /// Every SIP message in baresip's trace so far, in order.
    pub fn sip_trace(&self) -> Vec<TracedSip> {
        let log = self.log();
        let me = format!("127.0.0.1:{}", self.sip_port);
        // "\x1b[36;1m#\n<TRANSPORT> <SRC> -> <DST>\n<message>\x1b[;m\n" (ua.c)
        log.split("\u{1b}[36;1m#\n")
            .skip(1)
            .filter_map(|block| {
                let (addrs, rest) = block.split_once('\n')?;
                let raw = rest.split("\u{1b}[;m").next().unwrap_or(rest);
                let mut words = addrs.split_whitespace();
                let (_transport, src, _arrow, dst) =
                    (words.next()?, words.next()?, words.next()?, words.next()?);
                Some(TracedSip {
                    incoming: dst == me,
                    peer: if dst == me { src } else { dst }.to_string(),
                    raw: raw.to_string(),
                })
            })
            .collect()
    }

    /// The requests `method` baresip received, in order (retransmissions
    /// and authenticated retries included).
    pub fn received_requests(&self, method: &str) -> Vec<TracedSip> {
        self.sip_trace()
            .into_iter()
            .filter(|m| m.incoming && m.first_line().starts_with(&format!("{method} ")))
            .collect()
    }

    /// baresip's final answer (status line) to the request it received with
    /// `call_id`, if it answered yet.
    pub fn answer_to(&self, call_id: &str) -> Option<String> {
        self.sip_trace()
            .into_iter()
            .rev()
            .find(|m| {
                !m.incoming
                    && m.header("Call-ID").as_deref() == Some(call_id)
                    && m.status().is_some_and(|s| s >= 200)
            })
            .map(|m| m.first_line().to_string())
    }

    /// The MESSAGE requests baresip sent (each try: a challenged one and its
    /// authenticated retry both).
    fn sent_messages(&self) -> Vec<TracedSip> {
        self.sip_trace()
            .into_iter()
            .filter(|m| !m.incoming && m.first_line().starts_with("MESSAGE "))
            .collect()
    }

    /// Stops baresip (SIGTERM to its group; it un-publishes and
    /// un-registers on the way out).
    pub fn stop(mut self) {
        if let Some(child) = self.child.take() {
            stop_group(child, Duration::from_secs(5));
        }
        self.stdin.take();
    }
}

impl Drop for Baresip {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("----- baresip log -----\n{}", self.log());
        }
        if let Some(child) = self.child.take() {
            stop_group(child, Duration::from_secs(5));
        }
    }
}

/// What a test adds to baresip's configuration (calls: `Setup::for_calls`
/// in `baresip_call`).
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// `audio_source` (default `ausine,440`).
    pub audio_source: Option<String>,
    /// `module X.so` lines, each ending in a newline.
    pub modules: String,
    /// Parameters appended to the account line (`;answermode=auto`).
    pub account_params: String,
    /// More config lines, each ending in a newline.
    pub extra_config: String,
}

/// One SIP message from baresip's trace (`-s`).
#[derive(Clone, Debug)]
pub struct TracedSip {
    /// Received by baresip (else sent by it).
    pub incoming: bool,
    /// The other end, "IP:PORT".
    pub peer: String,
    /// The message as traced: head, blank line, body.
    pub raw: String,
}

impl TracedSip {
    pub fn first_line(&self) -> &str {
        self.raw.lines().next().unwrap_or_default().trim_end()
    }

    /// The status code of a response.
    pub fn status(&self) -> Option<u16> {
        let rest = self.first_line().strip_prefix("SIP/2.0 ")?;
        rest.split_whitespace().next()?.parse().ok()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\r\n\r\n").next()?;
        head.split("\r\n").skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }

    /// The body, cut by Content-Length.
    pub fn body(&self) -> &str {
        let body = self
            .raw
            .split_once("\r\n\r\n")
            .map(|(_, b)| b)
            .unwrap_or("");
        let len = self
            .header("Content-Length")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(body.len());
        body.get(..len).unwrap_or(body)
    }
}

/// The first whole netstring in `buf` and the bytes it takes.
fn netstring(buf: &[u8]) -> Option<(String, usize)> {
    let colon = buf.iter().position(|&b| b == b':')?;
    let len: usize = std::str::from_utf8(&buf[..colon])
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let end = colon + 1 + len;
    if buf.len() <= end {
        return None;
    }
    Some((
        String::from_utf8_lossy(&buf[colon + 1..end]).into_owned(),
        end + 1,
    ))
}

/// A log file as text, invalid UTF-8 replaced ("" if missing).
pub(crate) fn read_lossy(path: &std::path::Path) -> String {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// Removes ANSI colour sequences (baresip colours the presence states).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ ... final letter
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Waits up to `grace` for the process to exit by itself or after SIGTERM
/// to its group, then SIGKILLs the group.
pub fn stop_group(mut child: Child, grace: Duration) {
    let pgid = format!("-{}", child.id());
    let _ = Command::new("kill")
        .args(["-TERM", "--", &pgid])
        .stderr(Stdio::null())
        .status();
    let deadline = Instant::now() + grace;
    while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = Command::new("kill")
        .args(["-KILL", "--", &pgid])
        .stderr(Stdio::null())
        .status();
    let _ = child.wait();
}
