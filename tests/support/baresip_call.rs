//! baresip as the far end of a call: a tone or a WAV file as its
//! microphone, what it hears recorded by its sndfile module
//! (`dump-*-dec.wav` in a directory of the test's), codecs in a chosen
//! order, answering by itself or on `accept`. Driven over ctrl_tcp.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::kamailio::Kamailio;
use super::peers::{Baresip, Setup};

/// How baresip takes calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Auto,
    Manual,
}

/// baresip's settings for calls: `source` as its microphone
/// (`ausine,1000`, `aufile,/path.wav`), `codecs` in order (`opus/48000/2`,
/// `PCMU`...), recordings into `recordings`.
pub fn setup(source: &str, codecs: &[&str], answer: Answer, recordings: &Path) -> Setup {
    Setup {
        audio_source: Some(source.to_string()),
        modules: "module opus.so\nmodule g722.so\nmodule sndfile.so\n".into(),
        account_params: format!(
            ";audio_codecs={};answermode={}",
            codecs.join(","),
            if answer == Answer::Auto {
                "auto"
            } else {
                "manual"
            }
        ),
        // ausine only makes 48 kHz stereo: baresip resamples to the codec.
        extra_config: format!(
            "snd_path {}\nausrc_srate 48000\nausrc_channels 2\nauplay_srate 48000\n",
            recordings.display()
        ),
    }
}

impl Baresip {
    /// baresip registered as `user`, set up for calls.
    pub fn start_for_calls(kam: &Kamailio, user: &str, password: &str, setup: &Setup) -> Baresip {
        Baresip::launch(kam, user, password, &[], &[], setup)
    }

    /// baresip as the far end most call tests want: a 1 kHz tone as its
    /// microphone, recordings in `dir`, `codecs`, answering as `answer`.
    pub fn callee(
        kam: &Kamailio,
        user: &str,
        password: &str,
        answer: Answer,
        dir: &Path,
        codecs: &[&str],
    ) -> Baresip {
        Baresip::start_for_calls(
            kam,
            user,
            password,
            &setup("ausine,1000", codecs, answer, dir),
        )
    }

    pub fn dial(&self, uri: &str) {
        self.command_with_params("dial", uri);
    }

    pub fn accept(&self) {
        self.command("accept");
    }

    pub fn hangup(&self) {
        self.command("hangup");
    }

    /// Waits for a line in the log; returns the log.
    pub fn wait_for_line(&self, what: &str, limit: Duration) -> String {
        self.wait_log(limit, what, |l| l.contains(what));
        self.log()
    }

    /// The keys baresip reported receiving, in order (its log says
    /// `received event: '1' (end=1)` at the end of each).
    pub fn received_dtmf(&self) -> String {
        self.log()
            .split("received event: '")
            .skip(1)
            .filter_map(|rest| {
                let key = rest.chars().next()?;
                rest[key.len_utf8()..]
                    .starts_with("' (end=1)")
                    .then_some(key)
            })
            .collect()
    }
}

/// The recording of what baresip heard (`dump-*-dec.wav`) in `dir`,
/// waiting up to `limit` for it to appear.
pub fn decoded_recording(dir: &Path, limit: Duration) -> PathBuf {
    let deadline = Instant::now() + limit;
    loop {
        let found = std::fs::read_dir(dir).ok().and_then(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().ends_with("-dec.wav"))
        });
        if let Some(p) = found {
            return p;
        }
        assert!(
            Instant::now() < deadline,
            "baresip wrote no *-dec.wav in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
