//! The X11 idle counter against a real X server: starts its own Xvfb on a
//! free display number (Xvfb's `-displayfd`), watches the idle time grow,
//! moves the pointer with xdotool (XTEST input, as a person's mouse) and
//! sees the idle time drop.
//! Needs the Debian packages `xvfb xdotool`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::sleep;
use std::time::{Duration, Instant};

use hark::automatic::idle::{IdleProbe, IdleTracker};

/// An Xvfb server, killed on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn require(tool: &str) {
    let found = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{tool} is not installed: this test needs the Debian packages `xvfb xdotool` \
         (apt-get install xvfb xdotool)"
    );
}

/// Starts Xvfb on a free display number: Xvfb picks it itself
/// (`-displayfd`), so parallel tests and other X servers cannot race it.
fn start_xvfb() -> Xvfb {
    require("Xvfb");
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "640x480x24",
            "-nolisten",
            "tcp",
        ])
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

fn xdotool(display: &str, args: &[&str]) {
    require("xdotool");
    let status = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .status()
        .expect("xdotool runs");
    assert!(status.success(), "xdotool {args:?} failed: {status}");
}

#[test]
fn moving_the_mouse_resets_the_x11_idle_counter() {
    require("xdotool");
    let x = start_xvfb();
    let probe = IdleProbe::open_x11(&x.display)
        .unwrap_or_else(|e| panic!("idle probe on Xvfb {}: {e}", x.display));
    let mut tracker = IdleTracker::new(Duration::from_secs(1));

    // No input: the idle time grows past one second.
    let deadline = Instant::now() + Duration::from_secs(10);
    let grown = loop {
        let idle = probe.idle_time().expect("idle time");
        if idle > Duration::from_millis(1_200) || Instant::now() > deadline {
            break idle;
        }
        sleep(Duration::from_millis(200));
    };
    assert!(grown > Duration::from_millis(1_200), "idle time {grown:?}");
    assert_eq!(tracker.update(grown), Some(true));

    xdotool(&x.display, &["mousemove", "100", "200"]);
    let after = probe.idle_time().expect("idle time");
    assert!(
        after < Duration::from_millis(1_000) && after < grown,
        "idle time {after:?} after moving the mouse (was {grown:?})"
    );
    assert_eq!(tracker.update(after), Some(false));
}
