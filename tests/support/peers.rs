//! Real, independent SIP clients for the tests: baresip (driven over
//! ctrl_tcp) and linphonec (driven over stdin), each registered with a test
//! Kamailio as one of its users and run in its own process group, stopped
//! (group and all) when dropped.  See /work/shared/PEERS.md for their quirks.

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
pub struct Baresip {
    child: Option<Child>,
    ctrl_port: u16,
    dir: tempfile::TempDir,
}

impl Baresip {
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
                 audio_source ausine,440\n\
                 module_path /usr/lib/baresip/modules\n\
                 module g711.so\n\
                 module ausine.so\n\
                 module aufile.so\n\
                 module_tmp uuid.so\n\
                 module_tmp account.so\n\
                 module_app contact.so\n\
                 module_app menu.so\n\
                 module_app presence.so\n\
                 module_app ctrl_tcp.so\n\
                 ctrl_tcp_listen 127.0.0.1:{ctrl_port}\n"
            ),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("accounts"),
            format!(
                "<sip:{user}@{}>;auth_pass={password};outbound=\"sip:{}\";regint=300;pubint=60\n",
                kam.domain,
                kam.server_addr()
            ),
        )
        .unwrap();
        let contacts: String = watch
            .iter()
            .map(|uri| format!("\"{uri}\" <{uri}>;presence=p2p\n"))
            .collect();
        std::fs::write(dir.path().join("contacts"), contacts).unwrap();
        let log = std::fs::File::create(dir.path().join("baresip.log")).unwrap();
        let child = Command::new("baresip")
            .args(["-4", "-v", "-f"])
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run baresip ({e}): apt-get install baresip"));
        let b = Baresip {
            child: Some(child),
            ctrl_port,
            dir,
        };
        b.wait_log(Duration::from_secs(10), "baresip to register", |l| {
            l.contains("200 OK")
        });
        b
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("baresip.log")).unwrap_or_default()
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
        let mut s = TcpStream::connect(("127.0.0.1", self.ctrl_port)).expect("baresip ctrl_tcp");
        let json = format!("{{\"command\":\"{cmd}\",\"token\":\"hark\"}}");
        write!(s, "{}:{json},", json.len()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        // one netstring: "LEN:JSON,"
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = s.read(&mut chunk).unwrap_or(0);
            buf.extend_from_slice(&chunk[..n]);
            let complete = std::str::from_utf8(&buf)
                .ok()
                .and_then(|t| {
                    let (len, rest) = t.split_once(':')?;
                    Some(rest.len() > len.parse::<usize>().ok()?)
                })
                .unwrap_or(false);
            if n == 0 || complete {
                break;
            }
        }
        let text = String::from_utf8_lossy(&buf).into_owned();
        let resp = text
            .split_once(':')
            .map(|(_, r)| r.trim_end_matches(','))
            .unwrap_or(&text)
            .to_string();
        assert!(resp.contains("\"ok\":true"), "baresip {cmd}: {text}");
        resp
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

    /// Stops baresip (SIGTERM to its group; it un-publishes and
    /// un-registers on the way out).
    pub fn stop(mut self) {
        if let Some(child) = self.child.take() {
            stop_group(child, Duration::from_secs(5));
        }
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

/// linphonec registered as `user` with presence publishing on (its model
/// is always plain "open": linphonec 5.1 has no command or rc setting for
/// a status or a note), driven through stdin; what it prints goes to its
/// log.
pub struct Linphonec {
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    dir: tempfile::TempDir,
}

impl Linphonec {
    pub fn start(kam: &Kamailio, user: &str, password: &str) -> Linphonec {
        Self::start_with(kam, user, password, "")
    }

    /// Like `start`, with `sip` added to the rc file's `[sip]` section, e.g.
    /// `supported=replaces, outbound` so that it registers and subscribes
    /// with a plain IP contact instead of a GRUU (`sip:carol@hark.test;gr=…`,
    /// which the test Kamailio cannot send NOTIFYs to: it tries DNS for the
    /// domain).
    pub fn start_with(kam: &Kamailio, user: &str, password: &str, sip: &str) -> Linphonec {
        let dir = tempfile::Builder::new()
            .prefix("hark-linphonec-")
            .tempdir()
            .unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".local/share/linphone")).unwrap();
        let port = free_port();
        let rc = dir.path().join("linphonerc");
        std::fs::write(
            &rc,
            format!(
                "[sip]\n\
                 sip_port={port}\n\
                 sip_tcp_port=-1\n\
                 bind_address=127.0.0.1\n\
                 default_proxy=0\n\
                 {sip}\n\
                 [proxy_0]\n\
                 reg_proxy=<sip:{server}>\n\
                 reg_route=<sip:{server};lr>\n\
                 reg_identity=sip:{user}@{domain}\n\
                 reg_expires=300\n\
                 reg_sendregister=1\n\
                 publish=1\n\
                 publish_expires=300\n\
                 [auth_info_0]\n\
                 username={user}\n\
                 passwd={password}\n\
                 realm={domain}\n\
                 domain={domain}\n\
                 [sound]\n\
                 playback_dev_id=Files\n\
                 capture_dev_id=Files\n",
                server = kam.server_addr(),
                domain = kam.domain,
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.path().join("linphonec.log")).unwrap();
        // stdbuf: linphonec prints with stdio, block-buffered into a file
        let mut child = Command::new("stdbuf")
            .args(["-oL", "-eL", "linphonec", "-c"])
            .arg(&rc)
            .env("HOME", &home)
            .stdin(Stdio::piped())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run linphonec ({e}): apt-get install linphone-cli"));
        Linphonec {
            stdin: child.stdin.take(),
            child: Some(child),
            dir,
        }
    }

    /// One command line on linphonec's stdin.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("linphonec stdin");
        writeln!(stdin, "{line}").expect("write to linphonec");
        stdin.flush().unwrap();
    }

    /// Everything linphonec printed so far (its stdout and stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("linphonec.log")).unwrap_or_default()
    }

    /// Waits until linphonec's log satisfies `pred`; panics with the log.
    pub fn wait_log(&self, limit: Duration, what: &str, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + limit;
        while !pred(&self.log()) {
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}\n--- linphonec log ---\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends `quit` and stops the process group.
    pub fn stop(mut self) {
        self.quit();
    }

    fn quit(&mut self) {
        if let Some(child) = self.child.take() {
            if let Some(mut stdin) = self.stdin.take() {
                let _ = stdin.write_all(b"quit\n");
            }
            stop_group(child, Duration::from_secs(5));
        }
    }
}

impl Drop for Linphonec {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("----- linphonec log -----\n{}", self.log());
        }
        self.quit();
    }
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
