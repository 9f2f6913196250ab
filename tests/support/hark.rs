//! Runs the real `hark` binary headless, as a script or bot would: a config
//! file in a temp dir, commands as JSON lines on stdin, events read from
//! stdout with timeouts. Everything it saw is printed when a wait fails.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::kamailio::Kamailio;

pub struct Hark {
    child: Child,
    stdin: Option<ChildStdin>,
    events: Receiver<Value>,
    seen: Vec<Value>,
    stderr: Arc<Mutex<String>>,
    dir: tempfile::TempDir,
}

/// `[[account]]` TOML for a user of a test Kamailio.
pub fn account_toml(
    address: &str,
    password: Option<&str>,
    server: &str,
    transport: &str,
    extra: &str,
) -> String {
    let mut s = format!(
        "[[account]]\naddress = \"{address}\"\nserver = \"{server}\"\ntransport = \"{transport}\"\n"
    );
    if let Some(p) = password {
        s.push_str(&format!("password = \"{p}\"\n"));
    }
    s.push_str(extra);
    s
}

impl Hark {
    /// Hark logged in as `user` of `kam` over UDP; returns once registered.
    pub fn logged_in(kam: &Kamailio, user: &str, password: &str) -> Hark {
        Self::logged_in_with(kam, user, password, "udp", "")
    }

    /// Hark logged in as `user` of `kam` over `transport` ("udp", "tcp"),
    /// with `extra` account settings (TOML lines); returns once registered.
    pub fn logged_in_with(
        kam: &Kamailio,
        user: &str,
        password: &str,
        transport: &str,
        extra: &str,
    ) -> Hark {
        let mut hark = Hark::start(&account_toml(
            &kam.aor(user),
            Some(password),
            &kam.server_addr(),
            transport,
            extra,
        ));
        hark.wait_state("registered", Duration::from_secs(30));
        hark
    }

    /// Starts `hark --headless` with this config text.
    pub fn start(config: &str) -> Hark {
        Self::start_with_args(config, &[])
    }

    pub fn start_with_args(config: &str, args: &[&str]) -> Hark {
        Self::start_with(config, args, &[])
    }

    /// Starts `hark --headless` with `args` and more environment (e.g. a
    /// private PulseAudio's, for the sound device tests).
    pub fn start_with(config: &str, args: &[&str], env: &[(String, String)]) -> Hark {
        let dir = tempfile::Builder::new()
            .prefix("hark-test-")
            .tempdir()
            .expect("temp dir");
        let config_path = dir.path().join("config.toml");
        std::fs::write(&config_path, config).expect("write config");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&config_path, std::fs::Permissions::from_mode(0o600))
                .expect("chmod config");
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_hark"))
            .arg("--headless")
            .arg("--no-keyring")
            .arg("--config")
            .arg(&config_path)
            .args(if args.contains(&"--database") {
                vec![]
            } else {
                vec![
                    "--database".into(),
                    dir.path().join("hark.db").into_os_string(),
                ]
            })
            .args(if args.contains(&"--socket") {
                vec![]
            } else {
                vec![
                    "--socket".into(),
                    dir.path().join("control.sock").into_os_string(),
                ]
            })
            .args(args)
            .env("HARK_LOG", "info,rsipstack=info")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start hark");
        let stdout = child.stdout.take().expect("stdout");
        let stderr_pipe = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("hark wrote a line that is not JSON ({e}): {line}"));
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines() {
                let Ok(line) = line else { break };
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Hark {
            stdin: child.stdin.take(),
            child,
            events: rx,
            seen: Vec::new(),
            stderr,
            dir,
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("control.sock")
    }

    /// Writes one line to Hark's stdin.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").expect("write to hark");
        stdin.flush().expect("flush");
    }

    /// Waits for the first event (not yet consumed) that matches.
    pub fn wait_for(
        &mut self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(ev) => {
                    self.seen.push(ev.clone());
                    if pred(&ev) {
                        return ev;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.fail(&format!("timed out after {timeout:?} waiting for {what}"))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.fail(&format!("hark's stdout closed while waiting for {what}"))
                }
            }
        }
    }

    /// The next event within `timeout` (consumed), None when none came.
    pub fn next_event(&mut self, timeout: Duration) -> Option<Value> {
        let ev = self.events.recv_timeout(timeout).ok()?;
        self.seen.push(ev.clone());
        Some(ev)
    }

    /// Waits for an `account_state` event with this `state`.
    pub fn wait_state(&mut self, state: &str, timeout: Duration) -> Value {
        self.wait_for(&format!("account state {state}"), timeout, |e| {
            e["event"] == "account_state" && e["state"] == state
        })
    }

    /// Waits for an event of this name.
    pub fn wait_event(&mut self, name: &str, timeout: Duration) -> Value {
        self.wait_for(&format!("event {name}"), timeout, |e| e["event"] == name)
    }

    /// Every event seen so far (consumed ones included).
    pub fn seen(&self) -> &[Value] {
        &self.seen
    }

    /// Sends quit and waits for the process to end.
    pub fn quit(mut self, timeout: Duration) -> (ExitStatus, Vec<Value>) {
        self.send(r#"{"cmd":"quit"}"#);
        self.wait_event("stopped", timeout);
        let status = self.wait_exit(timeout);
        (status, std::mem::take(&mut self.seen))
    }

    /// Waits for the process to exit by itself.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            if Instant::now() > deadline {
                self.fail("hark did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Closes stdin (the controller went away).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn fail(&self, why: &str) -> ! {
        let events: Vec<String> = self.seen.iter().map(|v| v.to_string()).collect();
        panic!(
            "{why}\n--- events seen ---\n{}\n--- hark stderr ---\n{}",
            events.join("\n"),
            self.stderr()
        );
    }
}

impl Drop for Hark {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
