//! Which microphone and speaker a call uses, from the `[calls]` settings:
//! a sound device by name (or the system default), or for headless runs,
//! bots and tests a tone or a WAV file as the microphone and a WAV file as
//! the speaker (as baresip's ausine/aufile and sndfile do). Opening never
//! fails a call: a sound device that is missing falls back to the default
//! (the user is told), and what cannot be opened at all is silence, with
//! the reason, while it keeps trying ([`crate::audio::live`]).

use std::path::Path;

use crate::audio::file::{ToneInput, WavInput, WavOutput};
use crate::audio::live::{LiveInput, LiveOutput};
use crate::audio::{AudioInput, AudioOutput, DeviceFault, Discard, Silence};

/// The devices one call uses, as written in the settings:
/// `default`, a device name, `none`, `tone:<Hz>`, `file:<path.wav>`
/// (played once) or `loop:<path.wav>` for the input; `default`, a device
/// name, `none` or `file:<path.wav>` for the output.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct AudioSetup {
    pub input: String,
    pub output: String,
    /// Echo cancellation, noise suppression and gain control for sound
    /// devices (files and tones are used as they are).
    pub processing: crate::audio::dsp::DspSettings,
}

impl AudioSetup {
    /// The devices the `[calls]` settings name.
    pub(crate) fn from_settings(settings: &crate::config::CallSettings) -> AudioSetup {
        AudioSetup {
            input: settings.input.clone().unwrap_or_default(),
            output: settings.output.clone().unwrap_or_default(),
            processing: settings.audio_processing.unwrap_or_default(),
        }
    }

    /// Whether the microphone is a sound device (not a file, tone or none).
    pub(crate) fn uses_device(&self) -> bool {
        device_name(&self.input).is_some()
    }
}

/// The device a spec names: `Some(None)` for the system default,
/// `Some(Some(name))` for a device, None for files, tones and `none`.
pub(crate) fn device_name(spec: &str) -> Option<Option<String>> {
    let spec = spec.trim();
    if spec == "none"
        || ["tone:", "file:", "loop:"]
            .iter()
            .any(|p| spec.starts_with(p))
    {
        return None;
    }
    Some((!spec.is_empty() && spec != "default").then(|| spec.to_string()))
}

/// Opens the microphone `spec` names; on failure silence and why.
pub(crate) fn open_input(spec: &str) -> (Box<dyn AudioInput>, Option<String>) {
    let spec = spec.trim();
    if spec == "none" {
        return (Box::new(Silence), None);
    }
    if let Some(freq) = spec.strip_prefix("tone:") {
        return match freq.trim().parse::<f64>() {
            Ok(f) if f > 0.0 && f < 24_000.0 => (Box::new(ToneInput::new(f, 8000)), None),
            _ => (
                Box::new(Silence),
                Some(format!("microphone {spec:?}: not a frequency in Hz")),
            ),
        };
    }
    let file = spec
        .strip_prefix("file:")
        .map(|p| (p, false))
        .or_else(|| spec.strip_prefix("loop:").map(|p| (p, true)));
    if let Some((path, looped)) = file {
        return match WavInput::open(Path::new(path), looped) {
            Ok(w) => (Box::new(w), None),
            Err(e) => (
                Box::new(Silence),
                Some(format!("microphone file {path}: {e}")),
            ),
        };
    }
    let preferred = device_name(spec).flatten();
    (Box::new(LiveInput::new(preferred)), None)
}

/// An opened speaker.
pub(crate) enum Output {
    File(WavOutput),
    Other(Box<dyn AudioOutput>),
}

impl Output {
    pub(crate) fn write(&mut self, frame: &[i16]) {
        match self {
            Output::File(w) => w.write(frame),
            Output::Other(o) => o.write(frame),
        }
    }

    pub(crate) fn take_fault(&mut self) -> Option<DeviceFault> {
        match self {
            Output::File(w) => w.take_fault(),
            Output::Other(o) => o.take_fault(),
        }
    }

    /// See [`AudioOutput::switch_device`].
    pub(crate) fn switch_device(&mut self, preferred: Option<String>) -> bool {
        match self {
            Output::File(_) => false,
            Output::Other(o) => o.switch_device(preferred),
        }
    }

    /// Closes a file so its header is complete.
    pub(crate) fn finish(&mut self) {
        if let Output::File(w) = self {
            w.finish();
        }
    }
}

impl AudioOutput for Output {
    fn write(&mut self, frame: &[i16]) {
        Output::write(self, frame)
    }

    fn take_fault(&mut self) -> Option<DeviceFault> {
        Output::take_fault(self)
    }
}

/// Starts ringing on the ringer `spec` names (`default`, a device name,
/// `file:<path.wav>` for tests; `none`: silent). Device trouble is logged,
/// and never keeps a call from ringing on screen.
pub(crate) fn start_ringer(spec: &str) -> Option<crate::audio::ringtone::Ringer> {
    use crate::audio::ringtone::{Cadence, Ringer};
    if spec.trim() == "none" {
        return None;
    }
    let (output, problem) = open_output(spec);
    if let Some(p) = problem {
        tracing::warn!("ringer: {p}");
    }
    Ringer::start_on(output, &Cadence::default())
        .map_err(|e| tracing::warn!("ringer thread: {e}"))
        .ok()
}

/// Opens the speaker `spec` names; on failure nowhere and why.
pub(crate) fn open_output(spec: &str) -> (Output, Option<String>) {
    let spec = spec.trim();
    if spec == "none" {
        return (Output::Other(Box::new(Discard)), None);
    }
    if let Some(path) = spec.strip_prefix("file:") {
        return match WavOutput::create(Path::new(path)) {
            Ok(w) => (Output::File(w), None),
            Err(e) => (
                Output::Other(Box::new(Discard)),
                Some(format!("speaker file {path}: {e}")),
            ),
        };
    }
    let preferred = device_name(spec).flatten();
    (Output::Other(Box::new(LiveOutput::new(preferred))), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_open_or_say_why() {
        assert!(open_input("tone:440").1.is_none());
        assert!(open_input("none").1.is_none());
        assert!(open_input("tone:abc").1.unwrap().contains("frequency"));
        let missing = open_input("file:/nonexistent/x.wav").1.unwrap();
        assert!(missing.contains("/nonexistent/x.wav"), "{missing}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.wav");
        let (mut out, problem) = open_output(&format!("file:{}", path.display()));
        assert!(problem.is_none());
        out.write(&[1, 2, 3]);
        out.finish();
        assert_eq!(hound::WavReader::open(&path).unwrap().len(), 3);
        assert!(open_output("file:/nonexistent/dir/x.wav").1.is_some());
    }

    #[test]
    fn device_names_and_the_rest() {
        assert_eq!(device_name(""), Some(None));
        assert_eq!(device_name("default"), Some(None));
        assert_eq!(device_name("Headset"), Some(Some("Headset".into())));
        assert_eq!(device_name("tone:440"), None);
        assert_eq!(device_name("none"), None);
        assert_eq!(device_name("file:x.wav"), None);
    }
}
