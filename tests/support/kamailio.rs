//! A private Kamailio for one test: its own temporary directory, SQLite
//! database and loopback ports, running `tests/kamailio/kamailio.cfg`.
//!
//! ```ignore
//! let kam = Kamailio::start(KamailioOptions {
//!     users: vec![("alice".into(), "secret".into())],
//!     ..Default::default()
//! });
//! // point a client at kam.server_addr(), domain kam.domain
//! assert_eq!(kam.contacts_of("alice").len(), 1);
//! ```
//!
//! Presence (`presence`, `presence_open`), XCAP over HTTP (`xcap`, on its own
//! port: `xcap_root()`) and the resource lists server (`rls`, tables on
//! db_text in the instance directory) are options; see
//! tests/kamailio/README-presence.md.
//!
//! Offline messages (`msilo`: the `silo` table in the SQLite database,
//! `stored_messages()`) and chat rooms (`imc`: `room_uri()`, tables on
//! db_text) are options too; see tests/kamailio/README-im.md.
//!
//! Federation (SPEC P12): `Kamailio::start_federated(a, b)` runs two
//! servers for two domains, each relaying the other's domain to it (`peer`).
//!
//! Kamailio runs in the foreground (`-DD -E`) as the leader of its own process
//! group, which `stop`, `kill` and `Drop` signal as a whole: its children can
//! outlive a killed parent and keep the ports.  A watchdog in the same group
//! kills the group if the test process dies without dropping the handle.

use std::io::{ErrorKind, Write};
use std::net::UdpSocket;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::process_group::{signal_group, wait_group_gone};
use super::{free_port, port_is_free, random_u64};

/// The config under test, shared with `packaging/demo/run-demo.sh`.
pub const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/kamailio/kamailio.cfg");

/// Where Debian keeps the SQLite schemas.
pub const SCHEMA_DIR: &str = "/usr/share/kamailio/db_sqlite";

/// Where Debian keeps the db_text table files (package `kamailio`).
pub const DBTEXT_SCHEMA_DIR: &str = "/usr/share/kamailio/dbtext/kamailio";

/// Tables of the rls module, kept on db_text (rls segfaults on SQLite).
pub const RLS_DBTEXT_TABLES: &[&str] = &["rls_watchers", "rls_presentity"];

/// Tables of the imc module (chat rooms), kept on db_text like rls'.
pub const IMC_DBTEXT_TABLES: &[&str] = &["imc_rooms", "imc_members"];

/// Schemas loaded into every fresh database: the version table, subscribers,
/// location tables, and the tables of the presence and msilo modules for the
/// features that enable them.
pub const SCHEMAS: &[&str] = &[
    "standard",
    "auth_db",
    "usrloc",
    "registrar",
    "presence",
    "msilo",
];

const INSTALL_HINT: &str =
    "apt-get install kamailio kamailio-sqlite-modules (and kamailio-presence-modules for presence)";

const READY_TIMEOUT: Duration = Duration::from_secs(10);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DigestAlgorithm {
    #[default]
    Md5,
    Sha256,
}

impl DigestAlgorithm {
    /// The name in the `algorithm=` parameter of a challenge.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Sha256 => "SHA-256",
        }
    }
}

#[derive(Clone, Debug)]
pub struct KamailioOptions {
    /// SIP domain: the server's only alias and the digest realm.
    pub domain: String,
    /// Digest algorithm offered in challenges.
    pub algorithm: DigestAlgorithm,
    /// Challenge REGISTER with 407 Proxy-Authenticate instead of 401.
    pub proxy_auth: bool,
    /// (user, plaintext password) rows of the `subscriber` table.
    pub users: Vec<(String, String)>,
    /// false: pick the ports and prepare the database, but start the server
    /// only at `launch()` / `restart()`.
    pub start: bool,
    /// More `-A` defines for the config, e.g. `"WITH_DEBUG"` or
    /// `"REG_MAX_EXPIRES=30"` (see the header of kamailio.cfg).
    pub defines: Vec<String>,
    /// Presence server (`WITH_PRESENCE`): PUBLISH, SUBSCRIBE/NOTIFY for
    /// presence, presence.winfo, dialog, message-summary; watchers stay
    /// pending until the presentity's pres-rules allow them.
    pub presence: bool,
    /// Presence with every watcher allowed at once (`WITH_PRESENCE_OPEN`,
    /// presence_xml force_active=1).  Implies `presence`.
    pub presence_open: bool,
    /// XCAP server over HTTP with digest auth (`WITH_XCAP`) on a port of its
    /// own: `xcap_port()`, `xcap_root()`.  Implies `presence`.
    pub xcap: bool,
    /// Resource lists server (`WITH_RLS`), lists from the XCAP documents.
    /// Implies `xcap`.
    pub rls: bool,
    /// A peer domain and its server's "IP:PORT" (`PEER_DOMAIN`, `PEER_ADDR`):
    /// requests for that domain are relayed there (SPEC P12).  Two servers
    /// that must know each other's port: `Kamailio::start_federated`.
    pub peer: Option<(String, String)>,
    /// Offline messages (`WITH_MSILO`): a text/plain MESSAGE to a user who
    /// is not registered gets 202 and is stored (`stored_messages()`); it
    /// is delivered, with a `Date:` header, when the user registers.
    pub msilo: bool,
    /// Chat rooms (`WITH_IMC`) at `room_uri(room)`, i.e.
    /// `sip:ROOM@conference.DOMAIN`, driven by `#` commands in MESSAGEs.
    pub imc: bool,
}

impl Default for KamailioOptions {
    fn default() -> Self {
        KamailioOptions {
            domain: "hark.test".to_string(),
            algorithm: DigestAlgorithm::Md5,
            proxy_auth: false,
            users: Vec::new(),
            start: true,
            defines: Vec::new(),
            presence: false,
            presence_open: false,
            xcap: false,
            rls: false,
            peer: None,
            msilo: false,
            imc: false,
        }
    }
}

/// `(user, password)` rows for `KamailioOptions::users`.
pub fn users(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(u, p)| (u.to_string(), p.to_string()))
        .collect()
}

pub struct Kamailio {
    /// UDP port on 127.0.0.1.
    pub udp_port: u16,
    /// TCP port on 127.0.0.1 (the same number as `udp_port`).
    pub tcp_port: u16,
    /// SIP domain (and realm).
    pub domain: String,
    /// HTTP port of the XCAP server (chosen even when `xcap` is off).
    xcap_port: u16,
    opts: KamailioOptions,
    dir: tempfile::TempDir,
    /// The running server: the process group leader (pid == pgid).
    child: Mutex<Option<Child>>,
}

#[path = "kamailio_database.rs"]
mod database;

impl Kamailio {
    /// Prepares a fresh database with `opts.users` and, unless `opts.start`
    /// is false, starts Kamailio and waits until it answers OPTIONS.
    ///
    /// Panics with the Kamailio log if it does not come up within 10 s, and
    /// with the packages to install if Kamailio is missing.
    pub fn start(opts: KamailioOptions) -> Kamailio {
        check_installed();
        let dir = temp_dir();
        std::fs::create_dir(dir.path().join("run")).expect("create run dir");
        let port = free_port();
        let kam = Kamailio {
            udp_port: port,
            tcp_port: port,
            xcap_port: free_port_other_than(port),
            domain: opts.domain.clone(),
            opts,
            dir,
            child: Mutex::new(None),
        };
        kam.create_database();
        if kam.opts.rls || kam.opts.imc {
            kam.create_dbtext_dir();
        }
        for (user, password) in &kam.opts.users {
            kam.add_user(user, password);
        }
        let mut kam = kam;
        if kam.opts.start {
            // The port was free a moment ago; another test may have taken it
            // since: try a few fresh ones before giving up.
            for attempt in 1.. {
                match kam.spawn_and_wait() {
                    Ok(()) => break,
                    Err(log) if attempt < 5 && log.contains("Address already in use") => {
                        let port = free_port();
                        kam.udp_port = port;
                        kam.tcp_port = port;
                        kam.xcap_port = free_port_other_than(port);
                    }
                    Err(log) => panic!("{}", kam.failure("did not start", &log)),
                }
            }
        }
        kam
    }

    /// Two servers for two domains, each the other's peer (`peer` set on
    /// both), running: `a.domain` and `b.domain` must differ.  Their ports
    /// are picked first and the servers launched after, on fresh ports for
    /// both if one was taken in between.
    pub fn start_federated(a: KamailioOptions, b: KamailioOptions) -> (Kamailio, Kamailio) {
        assert_ne!(a.domain, b.domain, "federated servers need two domains");
        let mut a = Kamailio::start(KamailioOptions { start: false, ..a });
        let mut b = Kamailio::start(KamailioOptions { start: false, ..b });
        for attempt in 1.. {
            if attempt > 1 {
                for kam in [&mut a, &mut b] {
                    kam.kill();
                }
                a.pick_ports(&[]);
                let taken = [a.udp_port, a.xcap_port];
                b.pick_ports(&taken);
            } else if [b.udp_port, b.xcap_port].contains(&a.udp_port)
                || [b.udp_port, b.xcap_port].contains(&a.xcap_port)
            {
                b.pick_ports(&[a.udp_port, a.xcap_port]);
            }
            a.opts.peer = Some((b.domain.clone(), b.server_addr()));
            b.opts.peer = Some((a.domain.clone(), a.server_addr()));
            let started = a.spawn_and_wait().and_then(|()| b.spawn_and_wait());
            match started {
                Ok(()) => break,
                Err(log) if attempt < 5 && log.contains("Address already in use") => {}
                Err(log) => {
                    let which = if a.is_running() { &b } else { &a };
                    panic!("{}", which.failure("did not start", &log))
                }
            }
        }
        (a, b)
    }

    /// Fresh UDP/TCP and XCAP ports, none of them in `taken`.
    fn pick_ports(&mut self, taken: &[u16]) {
        let port = loop {
            let p = free_port();
            if !taken.contains(&p) {
                break p;
            }
        };
        self.udp_port = port;
        self.tcp_port = port;
        self.xcap_port = loop {
            let p = free_port_other_than(port);
            if !taken.contains(&p) {
                break p;
            }
        };
    }

    /// Starts the server if it is not running (after `start: false`, `stop`
    /// or `kill`), on the same ports with the same database.
    pub fn launch(&mut self) {
        if self.is_running() {
            return;
        }
        self.wait_ports_free();
        if let Err(log) = self.spawn_and_wait() {
            panic!("{}", self.failure("did not start", &log));
        }
    }

    /// Stops the server if it runs, then starts it again on the same ports
    /// with the same database.  Registrations are lost (usrloc in memory).
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    /// SIGTERM to the whole process group, SIGKILL after a few seconds;
    /// returns once every process of the group is gone and the ports are free.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.lock().unwrap().take() else {
            return;
        };
        let pgid = child.id();
        signal_group(pgid, "TERM");
        let deadline = Instant::now() + STOP_TIMEOUT;
        while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        // Whatever is left of the group (stragglers, the watchdog).
        signal_group(pgid, "KILL");
        let _ = child.wait();
        wait_group_gone(pgid, STOP_TIMEOUT);
        self.wait_ports_free();
    }

    /// SIGKILL to the whole process group at once: a simulated crash.
    /// Returns once the processes are gone.
    pub fn kill(&mut self) {
        let Some(mut child) = self.child.lock().unwrap().take() else {
            return;
        };
        let pgid = child.id();
        signal_group(pgid, "KILL");
        let _ = child.wait();
        wait_group_gone(pgid, STOP_TIMEOUT);
    }

    pub fn is_running(&self) -> bool {
        match self.child.lock().unwrap().as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Runs `kamcmd` against this server; returns its stdout followed by its
    /// stderr (errors such as "error: 500 - AOR not found" go there).
    pub fn kamcmd(&self, args: &[&str]) -> String {
        let out = Command::new("kamcmd")
            .arg("-s")
            .arg(format!("unix:{}", self.ctl_socket().display()))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run kamcmd ({e}): {INSTALL_HINT}"));
        let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
        s.push_str(&String::from_utf8_lossy(&out.stderr));
        s
    }

    /// Contact URIs registered for `user` (`alice` or `alice@domain`).
    pub fn contacts_of(&self, user: &str) -> Vec<String> {
        let user = user.trim_start_matches("sip:");
        let user = user.split('@').next().unwrap_or(user);
        self.kamcmd(&["ul.lookup", "location", user])
            .lines()
            .filter_map(|l| l.trim().strip_prefix("Address: "))
            .map(|s| s.trim().to_string())
            .collect()
    }

    /// "127.0.0.1:PORT" (UDP and TCP).
    pub fn server_addr(&self) -> String {
        format!("127.0.0.1:{}", self.udp_port)
    }

    /// TCP port of the XCAP server on 127.0.0.1 (HTTP; with `xcap`).
    pub fn xcap_port(&self) -> u16 {
        self.xcap_port
    }

    /// "http://127.0.0.1:PORT/xcap-root" (no trailing slash).
    pub fn xcap_root(&self) -> String {
        format!("http://127.0.0.1:{}/xcap-root", self.xcap_port)
    }

    /// The XCAP URL of `user`'s document `index` of application `auid`,
    /// e.g. `xcap_doc_url("pres-rules", "alice")` =
    /// "http://127.0.0.1:PORT/xcap-root/pres-rules/users/sip:alice@DOMAIN/index".
    pub fn xcap_doc_url(&self, auid: &str, user: &str) -> String {
        format!("{}/{auid}/users/{}/index", self.xcap_root(), self.aor(user))
    }

    /// The db_text directory of the rls and imc tables (with `rls`, `imc`).
    pub fn dbtext_dir(&self) -> PathBuf {
        self.dir.path().join("dbtext")
    }

    /// The domain of the chat rooms (with `imc`): "conference.DOMAIN".
    pub fn conference_domain(&self) -> String {
        format!("conference.{}", self.domain)
    }

    /// A chat room's URI (with `imc`): "sip:ROOM@conference.DOMAIN".
    pub fn room_uri(&self, room: &str) -> String {
        format!("sip:{room}@{}", self.conference_domain())
    }

    /// "sip:user@domain".
    pub fn aor(&self, user: &str) -> String {
        format!("sip:{user}@{}", self.domain)
    }

    /// Kamailio's log (stderr and stdout) so far, across restarts.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Sends an OPTIONS to the server itself over UDP; returns the first
    /// line of the reply, or None after `timeout`.
    pub fn ping(&self, timeout: Duration) -> Option<String> {
        options_ping(self.udp_port, timeout)
    }

    /// The instance's own directory (database, log, run dir).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The SQLite database file.
    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("kamailio.sqlite")
    }

    /// Runtime directory (-Y, -w): pid file and ctl socket.
    pub fn run_dir(&self) -> PathBuf {
        self.dir.path().join("run")
    }

    /// The kamcmd control socket.
    pub fn ctl_socket(&self) -> PathBuf {
        self.run_dir().join("kamailio_ctl")
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("kamailio.log")
    }

    /// The `-A` defines this instance runs with.
    pub fn defines(&self) -> Vec<String> {
        let mut d = vec![
            "LISTEN_IP=127.0.0.1".to_string(),
            format!("UDP_PORT={}", self.udp_port),
            format!("TCP_PORT={}", self.tcp_port),
            format!("SIP_DOMAIN=\"{}\"", self.domain),
            // "sqlite:///" + "/abs/path": four slashes for an absolute path
            format!("DBURL=\"sqlite:///{}\"", self.db_path().display()),
            format!("CTL_SOCKET=\"unix:{}\"", self.ctl_socket().display()),
            format!("AUTH_ALGORITHM=\"{}\"", self.opts.algorithm.name()),
        ];
        if self.opts.proxy_auth {
            d.push("WITH_PROXY_AUTH".to_string());
        }
        let o = &self.opts;
        let presence = o.presence || o.presence_open || o.xcap || o.rls;
        if presence {
            d.push("WITH_PRESENCE".to_string());
        }
        // rls, pua, msilo and imc send their requests through this server
        if presence || o.msilo || o.imc {
            d.push(format!("SERVER_URI=\"sip:127.0.0.1:{}\"", self.udp_port));
        }
        if o.presence_open {
            d.push("WITH_PRESENCE_OPEN".to_string());
        }
        if o.xcap || o.rls {
            d.push("WITH_XCAP".to_string());
            d.push(format!("XCAP_PORT={}", self.xcap_port));
        }
        if let Some((domain, addr)) = &o.peer {
            d.push(format!("PEER_DOMAIN=\"{domain}\""));
            d.push(format!("PEER_ADDR=\"{addr}\""));
        }
        if o.rls {
            d.push("WITH_RLS".to_string());
            // "text:///" + "/abs/dir"
            d.push(format!(
                "RLS_DBURL=\"text:///{}\"",
                self.dbtext_dir().display()
            ));
        }
        if o.msilo {
            d.push("WITH_MSILO".to_string());
        }
        if o.imc {
            d.push("WITH_IMC".to_string());
            d.push(format!("CONF_DOMAIN=\"{}\"", self.conference_domain()));
            d.push(format!(
                "IMC_DBURL=\"text:///{}\"",
                self.dbtext_dir().display()
            ));
        }
        d.extend(self.opts.defines.iter().cloned());
        d
    }

    /// Starts Kamailio and waits until it answers OPTIONS.  Err: the log.
    fn spawn_and_wait(&mut self) -> Result<(), String> {
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("open kamailio log");
        let _ = writeln!(
            log,
            "===== hark test harness: starting kamailio on 127.0.0.1:{} =====",
            self.udp_port
        );
        let log_start = std::fs::metadata(self.log_path())
            .map(|m| m.len())
            .unwrap_or(0);
        let run = self.run_dir();
        let _ = std::fs::remove_file(self.ctl_socket());

        // The watchdog shares the process group and kills it when the test
        // process is gone (a panic in another thread, a killed test run).
        let script = r#"parent=$1; shift
( while kill -0 "$parent" 2>/dev/null; do sleep 1; done; kill -KILL 0 ) </dev/null >/dev/null 2>&1 &
exec kamailio "$@""#;
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(script)
            .arg("hark-kamailio")
            .arg(std::process::id().to_string())
            .arg("-f")
            .arg(CONFIG)
            .args(["-DD", "-E", "-m", "64", "-M", "8"])
            .arg("-Y")
            .arg(&run)
            .arg("-P")
            .arg(run.join("kamailio.pid"))
            .arg("-w")
            .arg(&run);
        for d in self.defines() {
            cmd.arg("-A").arg(d);
        }
        cmd.current_dir(&run)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log"))
            .stderr(log)
            .process_group(0);
        let child = cmd.spawn().expect("spawn sh for kamailio");
        *self.child.lock().unwrap() = Some(child);

        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if !self.is_running() {
                let log = self.log_since(log_start);
                self.kill();
                return Err(log);
            }
            if self.ping(Duration::from_millis(100)).is_some() {
                return Ok(());
            }
            if Instant::now() > deadline {
                let log = self.log_since(log_start);
                self.kill();
                return Err(format!(
                    "{log}\n(no reply to OPTIONS after {READY_TIMEOUT:?})"
                ));
            }
        }
    }

    fn log_since(&self, offset: u64) -> String {
        let log = self.log();
        log.get(offset as usize..).unwrap_or(&log).to_string()
    }

    fn wait_ports_free(&self) {
        let deadline = Instant::now() + STOP_TIMEOUT;
        let xcap = self.opts.xcap || self.opts.rls;
        while !(port_is_free(self.udp_port)
            && port_is_free(self.tcp_port)
            && (!xcap || port_is_free(self.xcap_port)))
        {
            if Instant::now() > deadline {
                panic!(
                    "ports {}/{} still busy {STOP_TIMEOUT:?} after kamailio stopped",
                    self.udp_port, self.tcp_port
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn failure(&self, what: &str, log: &str) -> String {
        let mut hint = "";
        if log.contains("could not find module") || log.contains("cannot open shared object") {
            hint = INSTALL_HINT;
        }
        format!(
            "kamailio {what} (127.0.0.1:{}, config {CONFIG}, defines {:?}) {hint}\n----- kamailio log -----\n{log}\n------------------------",
            self.udp_port,
            self.defines()
        )
    }
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        // Keep the log of a failed test: print it when the test panicked.
        if std::thread::panicking() {
            eprintln!(
                "----- kamailio log ({}) -----\n{}",
                self.server_addr(),
                self.log()
            );
        }
        self.stop();
    }
}

/// Sends `OPTIONS sip:127.0.0.1:PORT` from a fresh UDP socket and returns
/// the reply's status line, or None after `timeout`.
pub fn options_ping(port: u16, timeout: Duration) -> Option<String> {
    let sock = UdpSocket::bind("127.0.0.1:0").ok()?;
    let local = sock.local_addr().ok()?;
    let id = random_u64();
    let msg = format!(
        "OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {local};branch=z9hG4bK{id:x};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:harness@127.0.0.1>;tag={id:x}\r\n\
         To: <sip:127.0.0.1:{port}>\r\n\
         Call-ID: {id:x}@127.0.0.1\r\n\
         CSeq: 1 OPTIONS\r\n\
         Content-Length: 0\r\n\r\n"
    );
    sock.send_to(msg.as_bytes(), ("127.0.0.1", port)).ok()?;
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        sock.set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .ok()?;
        match sock.recv(&mut buf) {
            Ok(n) => {
                let text = String::from_utf8_lossy(&buf[..n]);
                if text.starts_with("SIP/2.0 ") {
                    return text.lines().next().map(str::to_string);
                }
            }
            // ECONNREFUSED from an earlier ICMP, or the timeout.
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => return None,
            Err(_) => return None,
        }
    }
}

/// A free port that is not `other`.
fn free_port_other_than(other: u16) -> u16 {
    loop {
        let port = free_port();
        if port != other {
            return port;
        }
    }
}

fn check_installed() {
    match Command::new("kamailio")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {
            panic!("kamailio is not installed: {INSTALL_HINT}")
        }
        Err(e) => panic!("cannot run kamailio: {e}"),
    }
}

/// A temporary directory for the instance, in memory (`/dev/shm`) when the
/// machine has one.  Kamailio 5.6's db_sqlite sets no busy timeout, so a
/// worker that meets another's write lock fails at once ("database is
/// locked": a lost watcher update, a missed NOTIFY); on tmpfs a commit needs
/// no fsync and holds the lock for microseconds, not milliseconds.  The ctl
/// socket path must fit in sun_path (108 bytes).
fn temp_dir() -> tempfile::TempDir {
    let builder = || {
        let mut b = tempfile::Builder::new();
        b.prefix("hark-kamailio-");
        b
    };
    for base in ["/dev/shm", "/tmp"] {
        if let Ok(dir) = builder().tempdir_in(base) {
            return dir;
        }
    }
    let dir = builder().tempdir().expect("temp dir");
    assert!(
        dir.path().join("run/kamailio_ctl").as_os_str().len() < 100,
        "temp dir path too long for the ctl socket: {}",
        dir.path().display()
    );
    dir
}
