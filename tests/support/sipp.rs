//! Running SIPp (Debian `sip-tester`) scenarios from `tests/sipp/`.
//!
//! ```ignore
//! let run = Sipp::new("register", &kam.server_addr())
//!     .user("alice", "secret")
//!     .key("domain", &kam.domain)
//!     .key("contact", "sip:alice@127.0.0.1:40000")
//!     .local_port(40000)
//!     .run();
//! assert!(run.success, "{run}");
//! ```
//!
//! Every run has its own temporary directory for SIPp's message and error
//! logs; `SippRun::messages` holds every message sent and received.

use std::fmt;
use std::io::ErrorKind;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Directory of the scenario files.
pub const SCENARIO_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sipp");

const INSTALL_HINT: &str = "apt-get install sip-tester";

pub struct Sipp {
    scenario: String,
    args: Vec<String>,
    timeout: Duration,
    dir: tempfile::TempDir,
}

/// The outcome of a finished SIPp run.
pub struct SippRun {
    /// SIPp exited 0: every call of the scenario succeeded.
    pub success: bool,
    pub status: Option<ExitStatus>,
    /// Every SIP message sent and received (`-trace_msg`).
    pub messages: String,
    /// Unexpected messages (`-trace_err`).
    pub errors: String,
    /// SIPp's stdout and stderr (its screen).
    pub output: String,
    pub command: String,
}

/// A SIPp started with `Sipp::spawn`: killed when dropped.
pub struct RunningSipp {
    child: Option<Child>,
    sipp: Sipp,
    command: String,
}

impl Sipp {
    /// `scenario`: a file name in tests/sipp without `.xml`; `target`:
    /// "host:port" of the server.
    pub fn new(scenario: &str, target: &str) -> Sipp {
        let dir = tempfile::Builder::new()
            .prefix("hark-sipp-")
            .tempdir()
            .expect("temp dir");
        let path = PathBuf::from(SCENARIO_DIR).join(format!("{scenario}.xml"));
        assert!(path.exists(), "no sipp scenario {}", path.display());
        let args = vec![
            "-sf".to_string(),
            path.display().to_string(),
            "-m".into(),
            "1".into(),
            "-i".into(),
            "127.0.0.1".into(),
            "-nostdin".into(),
            "-trace_msg".into(),
            "-message_file".into(),
            dir.path().join("messages.log").display().to_string(),
            "-trace_err".into(),
            "-error_file".into(),
            dir.path().join("errors.log").display().to_string(),
            target.to_string(),
        ];
        Sipp {
            scenario: scenario.to_string(),
            args,
            timeout: Duration::from_secs(15),
            dir,
        }
    }

    /// `-s user -au user -ap password`: the user part of the request URI
    /// (`[service]` in scenarios) and the digest credentials.
    pub fn user(self, user: &str, password: &str) -> Sipp {
        self.arg("-s")
            .arg(user)
            .arg("-au")
            .arg(user)
            .arg("-ap")
            .arg(password)
    }

    /// `-key name value`: `[name]` in the scenario.
    pub fn key(self, name: &str, value: &str) -> Sipp {
        self.arg("-key").arg(name).arg(value)
    }

    /// `-p port`: SIPp's local port (default: any free port).
    pub fn local_port(self, port: u16) -> Sipp {
        self.arg("-p").arg(&port.to_string())
    }

    /// `-t t1`: one TCP connection instead of UDP.
    pub fn tcp(self) -> Sipp {
        self.arg("-t").arg("t1")
    }

    /// Overall time limit (default 15 s); SIPp fails when it is reached.
    pub fn timeout(mut self, timeout: Duration) -> Sipp {
        self.timeout = timeout;
        self
    }

    /// Any other SIPp argument (placed before the target, which SIPp accepts).
    pub fn arg(mut self, arg: &str) -> Sipp {
        self.args.push(arg.to_string());
        self
    }

    /// Runs the scenario to the end.
    pub fn run(self) -> SippRun {
        self.spawn().wait()
    }

    /// Starts the scenario in the background (e.g. a UAS waiting for a call).
    pub fn spawn(self) -> RunningSipp {
        let mut cmd = Command::new("sipp");
        cmd.args(&self.args)
            .arg("-timeout")
            .arg(format!("{}s", self.timeout.as_secs().max(1)))
            .arg("-timeout_error")
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(self.dir.path().join("output.log")).expect("sipp log"))
            .stderr(std::fs::File::create(self.dir.path().join("stderr.log")).expect("sipp log"));
        let command = format!("{cmd:?}");
        let child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                panic!("sipp is not installed: {INSTALL_HINT}")
            }
            Err(e) => panic!("cannot run sipp: {e}"),
        };
        RunningSipp {
            child: Some(child),
            sipp: self,
            command,
        }
    }
}

impl RunningSipp {
    /// Waits for SIPp to finish (it gives up by itself at its timeout).
    pub fn wait(mut self) -> SippRun {
        let mut child = self.child.take().expect("sipp child");
        let limit = Instant::now() + self.sipp.timeout + Duration::from_secs(10);
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break Some(s),
                Ok(None) if Instant::now() < limit => std::thread::sleep(Duration::from_millis(20)),
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
            }
        };
        // Lossy: a scenario may send bytes that are not UTF-8 on purpose.
        let read = |name: &str| {
            std::fs::read(self.sipp.dir.path().join(name))
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        };
        let mut output = read("output.log");
        output.push_str(&read("stderr.log"));
        SippRun {
            success: status.map(|s| s.success()).unwrap_or(false),
            status,
            messages: read("messages.log"),
            errors: read("errors.log"),
            output,
            command: self.command.clone(),
        }
    }

    /// True while SIPp runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    pub fn scenario(&self) -> &str {
        &self.sipp.scenario
    }
}

impl Drop for RunningSipp {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl SippRun {
    /// Status lines of the responses SIPp received, in order
    /// (e.g. "SIP/2.0 401 Unauthorized").
    pub fn received_status_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut lines = self.messages.lines();
        while let Some(l) = lines.next() {
            if l.contains("message received") {
                let first = lines.by_ref().find(|l| !l.trim().is_empty());
                if let Some(first) = first.filter(|f| f.starts_with("SIP/2.0 ")) {
                    out.push(first.trim_end().to_string());
                }
            }
        }
        out
    }
}

impl fmt::Display for SippRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "sipp: {}", self.command)?;
        writeln!(f, "exit: {:?}", self.status)?;
        writeln!(f, "----- sipp messages -----\n{}", self.messages)?;
        writeln!(f, "----- sipp errors -----\n{}", self.errors)?;
        let tail: Vec<&str> = self.output.lines().rev().take(40).collect();
        writeln!(f, "----- sipp output (tail) -----")?;
        for l in tail.iter().rev() {
            writeln!(f, "{l}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SippRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A SIP message from SIPp's message log, body as the exact bytes received.
pub struct SipMessage {
    pub head: String,
    pub body: Vec<u8>,
}

impl SipMessage {
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.split("\r\n").skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }

    pub fn body_str(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The requests `method` SIPp received, in order.  SIPp's `-trace_msg` log
/// holds each message verbatim after a "... message received [N] bytes"
/// line; the body is cut by Content-Length.
pub fn received_requests(run: &SippRun, method: &str) -> Vec<SipMessage> {
    let log = run.messages.as_bytes();
    let marker = b"message received [";
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(pos) = find(&log[i..], marker) {
        let start = i + pos;
        // skip to the end of the marker line and the blank line after it
        let line_end = start + find(&log[start..], b"\n").unwrap();
        let msg_start = line_end + 2;
        let Some(head_end) = find(&log[msg_start..], b"\r\n\r\n").map(|p| msg_start + p) else {
            break;
        };
        let head = String::from_utf8_lossy(&log[msg_start..head_end]).into_owned();
        let mut msg = SipMessage {
            head,
            body: Vec::new(),
        };
        let len: usize = msg
            .header("Content-Length")
            .or_else(|| msg.header("l"))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let body_start = head_end + 4;
        msg.body = log[body_start..(body_start + len).min(log.len())].to_vec();
        if msg.head.starts_with(&format!("{method} ")) {
            out.push(msg);
        }
        i = body_start + len.min(log.len() - body_start);
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
