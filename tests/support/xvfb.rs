//! A private X server for tests that need a real display: Xvfb on a free
//! display number (Xvfb's `-displayfd`, so parallel tests never race for
//! one), killed on drop, and xdotool to act on it as a person would.
//! Needs the Debian packages `xvfb xdotool`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// An Xvfb server, killed on drop.
pub struct Xvfb {
    child: Child,
    pub display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Fails with the packages to install when `tool` is not on the PATH.
pub fn require(tool: &str) {
    let found = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{tool} is not installed: this test needs the Debian packages `xvfb xdotool` \
         (apt-get install xvfb xdotool)"
    );
}

impl Xvfb {
    /// Starts Xvfb with one screen of `size` ("640x480x24").
    pub fn start(size: &str) -> Xvfb {
        require("Xvfb");
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", size, "-nolisten", "tcp"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let stdout = child.stdout.take().expect("Xvfb's stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut xvfb = Xvfb {
            child,
            display: String::new(),
        };
        let line = rx
            .recv_timeout(Duration::from_secs(15))
            .expect("Xvfb names its display within 15 s");
        let number: u32 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb did not name a display: {line:?}"));
        xvfb.display = format!(":{number}");
        xvfb
    }

    /// Runs xdotool on this display; panics when it fails.
    pub fn xdotool(&self, args: &[&str]) -> String {
        require("xdotool");
        let out = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .output()
            .expect("xdotool runs");
        assert!(
            out.status.success(),
            "xdotool {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// Hark with its window on an [`Xvfb`] (software rendering), its config,
/// database and control socket in a temp dir; killed on drop.
pub struct HarkWindow {
    child: Child,
    /// Its control socket (`hark --socket ... send`, `hark chat`).
    pub socket: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl HarkWindow {
    /// Starts `hark` (no `--headless`) with this config text on `x`.
    pub fn start(x: &Xvfb, config: &str) -> HarkWindow {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("config.toml");
        std::fs::write(&config_path, config).unwrap();
        let socket = dir.path().join("control.sock");
        let runtime = dir.path().join("runtime");
        std::fs::create_dir_all(&runtime).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_hark"))
            .arg("--config")
            .arg(&config_path)
            .arg("--database")
            .arg(dir.path().join("hark.db"))
            .arg("--socket")
            .arg(&socket)
            .arg("--no-keyring")
            .env("DISPLAY", &x.display)
            .env("ICED_BACKEND", "tiny-skia")
            .env("XDG_RUNTIME_DIR", &runtime)
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start hark's window");
        HarkWindow {
            child,
            socket,
            _dir: dir,
        }
    }
}

impl Drop for HarkWindow {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
