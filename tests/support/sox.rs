//! Measuring recordings with sox (`sox FILE -n remix 1 trim START LEN stat`,
//! the first channel only: its rough frequency is wrong on stereo): the
//! rough frequency and RMS level of a stretch of a WAV file, and a check
//! that names what to install when sox is missing.

use std::path::Path;
use std::process::Command;

/// What `sox stat` says of a stretch of audio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    /// Rough frequency in Hz.
    pub frequency: f64,
    /// RMS amplitude, 0.0-1.0 of full scale.
    pub rms: f64,
    /// Length in seconds of the whole file.
    pub length: f64,
}

/// `sox stat` of `len` seconds of `wav` from `start`, once the file is
/// complete (its writer may still be closing it: up to 5 s).
pub fn stat(wav: &Path, start: f64, len: f64) -> Stat {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while length_of(wav) <= 0.0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let out = Command::new("sox")
        .arg(wav)
        .args([
            "-n",
            "remix",
            "1",
            "trim",
            &start.to_string(),
            &len.to_string(),
            "stat",
        ])
        .output()
        .unwrap_or_else(|e| panic!("sox not found ({e}): install the Debian package `sox`"));
    let text = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        out.status.success(),
        "sox failed on {}: {text}",
        wav.display()
    );
    let field = |name: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split(':').nth(1))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name:?} in sox stat output: {text}"))
    };
    Stat {
        frequency: field("Rough   frequency"),
        rms: field("RMS     amplitude"),
        length: length_of(wav),
    }
}

/// The length in seconds its header gives (0 while it is being written).
fn length_of(wav: &Path) -> f64 {
    let out = Command::new("soxi")
        .args(["-D"])
        .arg(wav)
        .output()
        .unwrap_or_else(|e| panic!("soxi not found ({e}): install the Debian package `sox`"));
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0.0)
}

/// Level in dBFS of an RMS amplitude.
pub fn dbfs(rms: f64) -> f64 {
    20.0 * rms.max(1e-9).log10()
}
