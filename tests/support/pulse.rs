//! A private PulseAudio server with a null sink, for testing the real cpal
//! path on a machine without a sound card: ALSA's default device is routed
//! to it (libasound2-plugins' pulse plugin), `parec` records what reaches
//! the sink through its monitor.
//!
//! Each [`Pulse`] has its own runtime directory, HOME (with the
//! `.asoundrc` that routes ALSA to it) and socket; it runs in its own
//! process group and is killed with it when dropped. Code that opens
//! devices must run in a process started with [`Pulse::env`] (ALSA reads
//! its configuration once per process): see `run_child` in
//! tests/audio_pulse.rs.

use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The Debian packages the audio tests need, for messages.
pub const PACKAGES: &str = "pulseaudio pulseaudio-utils libasound2-plugins";

/// Fails (never skips) with the Debian package to install when a tool is
/// missing.
pub fn require_tools() {
    for (tool, package) in [
        ("pulseaudio", "pulseaudio"),
        ("pactl", "pulseaudio-utils"),
        ("parec", "pulseaudio-utils"),
    ] {
        let found = Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        assert!(
            found,
            "`{tool}` is missing: install the Debian package `{package}` \
             (the audio tests need {PACKAGES})"
        );
    }
    let plugin = ["/usr/lib", "/usr/lib64", "/lib"].iter().any(|root| {
        fs::read_dir(root)
            .into_iter()
            .flatten()
            .flatten()
            .any(|dir| {
                dir.path()
                    .join("alsa-lib/libasound_module_pcm_pulse.so")
                    .exists()
            })
            || Path::new(root)
                .join("alsa-lib/libasound_module_pcm_pulse.so")
                .exists()
    });
    assert!(
        plugin,
        "ALSA's pulse plugin is missing: install the Debian package \
         `libasound2-plugins` (the audio tests need {PACKAGES})"
    );
}

pub struct Pulse {
    dir: tempfile::TempDir,
    daemon: Option<Child>,
}

impl Pulse {
    /// Starts the server and waits until it answers (a few hundred ms).
    pub fn start() -> Pulse {
        require_tools();
        let dir = tempfile::tempdir().expect("temporary directory");
        let root = dir.path();
        for d in ["home/.config/pulse", "run/pulse"] {
            fs::create_dir_all(root.join(d)).expect("directories");
        }
        // PulseAudio refuses a runtime directory others can read.
        for d in ["run", "run/pulse"] {
            fs::set_permissions(root.join(d), fs::Permissions::from_mode(0o700))
                .expect("runtime directory permissions");
        }
        fs::write(
            root.join("home/.asoundrc"),
            "pcm.!default { type pulse }\nctl.!default { type pulse }\n",
        )
        .expect(".asoundrc");
        fs::write(
            root.join("home/.config/pulse/client.conf"),
            "autospawn = no\n",
        )
        .expect("client.conf");
        let log = fs::File::create(root.join("pulseaudio.log")).expect("log file");
        let socket = root.join("run/native");
        let mut cmd = Command::new("pulseaudio");
        cmd.args([
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--use-pid-file=no",
            "--system=no",
            "-n",
            "--log-target=stderr",
        ])
        .arg(format!(
            "--load=module-native-protocol-unix socket={} auth-anonymous=1",
            socket.display()
        ))
        .arg("--load=module-null-sink sink_name=nullsink rate=48000")
        .arg("--load=module-always-sink")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .process_group(0);
        let mut pulse = Pulse { dir, daemon: None };
        for (k, v) in pulse.env() {
            cmd.env(k, v);
        }
        let daemon = cmd.spawn().unwrap_or_else(|e| {
            panic!("pulseaudio did not start ({e}): install the Debian package `pulseaudio`")
        });
        pulse.daemon = Some(daemon);
        let deadline = Instant::now() + Duration::from_secs(15);
        while !pulse.pactl(&["info"]).0 {
            if Instant::now() > deadline {
                panic!(
                    "PulseAudio did not answer in 15 s; its log:\n{}",
                    pulse.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        pulse
    }

    /// The environment that makes a process (ALSA, cpal, pactl, parec)
    /// use this server.
    pub fn env(&self) -> Vec<(String, String)> {
        let root = self.dir.path();
        let s = |p: PathBuf| p.display().to_string();
        vec![
            ("HOME".into(), s(root.join("home"))),
            ("XDG_RUNTIME_DIR".into(), s(root.join("run"))),
            ("PULSE_RUNTIME_PATH".into(), s(root.join("run/pulse"))),
            (
                "PULSE_SERVER".into(),
                format!("unix:{}", s(root.join("run/native"))),
            ),
            (
                "PULSE_CLIENTCONFIG".into(),
                s(root.join("home/.config/pulse/client.conf")),
            ),
        ]
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("pulseaudio.log")).unwrap_or_default()
    }

    /// Runs `pactl ARGS`: (success, stdout).
    pub fn pactl(&self, args: &[&str]) -> (bool, String) {
        let mut cmd = Command::new("pactl");
        cmd.args(args).stdin(Stdio::null()).stderr(Stdio::null());
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        match cmd.output() {
            Ok(out) => (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            ),
            Err(_) => (false, String::new()),
        }
    }

    /// Starts recording the null sink's monitor (48 kHz mono 16-bit).
    pub fn record(&self) -> Recording {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.path().join(format!("rec-{n}.raw"));
        let file = fs::File::create(&path).expect("recording file");
        let mut cmd = Command::new("parec");
        cmd.args([
            "-d",
            "nullsink.monitor",
            "--rate=48000",
            "--channels=1",
            "--format=s16le",
            "--latency-msec=20",
            "--raw",
        ])
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(Stdio::null());
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("parec did not start ({e}): install `pulseaudio-utils`"));
        Recording { child, path }
    }

    /// Kills the server now (the "sound system went away" case).
    pub fn kill(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            super::process_group::signal_group(d.id(), "KILL");
            let _ = d.wait();
            super::process_group::wait_group_gone(d.id(), Duration::from_secs(5));
        }
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            super::process_group::signal_group(d.id(), "TERM");
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = d.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            super::process_group::signal_group(d.id(), "KILL");
            let _ = d.wait();
            super::process_group::wait_group_gone(d.id(), Duration::from_secs(5));
        }
    }
}

/// A `parec` running into a file.
pub struct Recording {
    child: Child,
    path: PathBuf,
}

impl Recording {
    /// Stops recording; the samples recorded.
    pub fn stop(mut self) -> Vec<i16> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        let mut bytes = vec![];
        fs::File::open(&self.path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .expect("reading the recording");
        bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect()
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
