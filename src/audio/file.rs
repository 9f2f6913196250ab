//! Files and tones as audio devices, for headless runs, bots and tests (as
//! baresip's aufile/ausine and sndfile do): a tone or a WAV file as the
//! microphone, a WAV file as the speaker.
//!
//! A WAV input is read whole when opened, mixed down to mono and brought to
//! [`RATE`] by linear interpolation: enough for test signals and prompts,
//! and exact at the edges (a file is not a stream).

use std::f64::consts::TAU;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use super::{AudioInput, AudioOutput, RATE};

/// A sine tone: `freq` Hz at `amplitude` (0..=32767), endless.
#[derive(Debug, Clone)]
pub struct ToneInput {
    step: f64,
    phase: f64,
    amplitude: f64,
}

impl ToneInput {
    pub fn new(freq: f64, amplitude: i16) -> Self {
        ToneInput {
            step: TAU * freq / RATE as f64,
            phase: 0.0,
            amplitude: amplitude.unsigned_abs() as f64,
        }
    }
}

impl AudioInput for ToneInput {
    fn read(&mut self, frame: &mut [i16]) {
        for s in frame {
            *s = (self.amplitude * self.phase.sin()).round() as i16;
            self.phase = (self.phase + self.step) % TAU;
        }
    }
}

/// A WAV file as the microphone: played once then silence, or looped.
#[derive(Debug, Clone)]
pub struct WavInput {
    samples: Vec<i16>,
    at: usize,
    looped: bool,
}

impl WavInput {
    /// Reads `path` (PCM 8/16/24/32-bit or float, any rate and channels).
    pub fn open(path: &Path, looped: bool) -> Result<Self, hound::Error> {
        let mut reader = hound::WavReader::open(path)?;
        let spec = reader.spec();
        let channels = spec.channels.max(1) as usize;
        let interleaved: Vec<f32> = match spec.sample_format {
            hound::SampleFormat::Float => reader.samples::<f32>().collect::<Result<_, _>>()?,
            hound::SampleFormat::Int => {
                let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
                reader
                    .samples::<i32>()
                    .map(|s| s.map(|v| v as f32 * scale))
                    .collect::<Result<_, _>>()?
            }
        };
        let mono: Vec<f32> = interleaved
            .chunks(channels)
            .map(|c| c.iter().sum::<f32>() / c.len() as f32)
            .collect();
        let samples = to_rate(&mono, spec.sample_rate)
            .into_iter()
            .map(|v| (v * 32767.0).round().clamp(-32768.0, 32767.0) as i16)
            .collect();
        Ok(WavInput {
            samples,
            at: 0,
            looped,
        })
    }

    /// From samples already at [`RATE`].
    pub fn from_samples(samples: Vec<i16>, looped: bool) -> Self {
        WavInput {
            samples,
            at: 0,
            looped,
        }
    }

    /// True once a non-looped file has been played to its end.
    pub fn finished(&self) -> bool {
        !self.looped && self.at >= self.samples.len()
    }
}

impl AudioInput for WavInput {
    fn read(&mut self, frame: &mut [i16]) {
        for s in frame {
            if self.at >= self.samples.len() && self.looped && !self.samples.is_empty() {
                self.at = 0;
            }
            *s = self.samples.get(self.at).copied().unwrap_or(0);
            self.at = self.at.saturating_add(1);
        }
    }
}

/// Linear interpolation from `rate` to [`RATE`].
fn to_rate(mono: &[f32], rate: u32) -> Vec<f32> {
    if rate == RATE || mono.is_empty() || rate == 0 {
        return mono.to_vec();
    }
    let ratio = rate as f64 / RATE as f64;
    let n = (mono.len() as f64 / ratio).floor() as usize;
    (0..n)
        .map(|i| {
            let pos = i as f64 * ratio;
            let k = pos.floor() as usize;
            let frac = (pos - k as f64) as f32;
            let a = mono[k.min(mono.len() - 1)];
            let b = mono[(k + 1).min(mono.len() - 1)];
            a + (b - a) * frac
        })
        .collect()
}

/// The speaker written to a WAV file (mono, 16-bit, [`RATE`]).
pub struct WavOutput {
    writer: Option<hound::WavWriter<BufWriter<File>>>,
    failed: Option<super::DeviceFault>,
    path: String,
}

impl WavOutput {
    pub fn create(path: &Path) -> Result<Self, hound::Error> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        Ok(WavOutput {
            writer: Some(hound::WavWriter::create(path, spec)?),
            failed: None,
            path: path.display().to_string(),
        })
    }

    /// Writes the header's final sizes and closes the file.
    pub fn finish(&mut self) {
        if let Some(w) = self.writer.take() {
            if let Err(e) = w.finalize() {
                self.fail(e);
            }
        }
    }

    fn fail(&mut self, e: hound::Error) {
        self.writer = None;
        self.failed = Some(super::DeviceFault {
            device: self.path.clone(),
            detail: e.to_string(),
        });
    }
}

impl AudioOutput for WavOutput {
    fn write(&mut self, frame: &[i16]) {
        let Some(w) = self.writer.as_mut() else {
            return;
        };
        let mut result = Ok(());
        for &s in frame {
            result = w.write_sample(s);
            if result.is_err() {
                break;
            }
        }
        if let Err(e) = result {
            self.fail(e);
        }
    }

    fn take_fault(&mut self) -> Option<super::DeviceFault> {
        self.failed.take()
    }
}

impl Drop for WavOutput {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::FRAME;

    #[test]
    fn tone_has_its_frequency_and_level() {
        let mut tone = ToneInput::new(1000.0, 10000);
        let mut frame = vec![0i16; FRAME];
        tone.read(&mut frame);
        assert_eq!(frame.iter().map(|s| s.abs()).max(), Some(10000));
        // 1 kHz at 48 kHz: 20 zero crossings (rising and falling) in 10 ms.
        let crossings = frame
            .windows(2)
            .filter(|w| (w[0] < 0) != (w[1] < 0))
            .count();
        assert!((19..=21).contains(&crossings), "{crossings}");
    }

    #[test]
    fn wav_round_trip_and_end_of_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.wav");
        let mut out = WavOutput::create(&path).unwrap();
        let mut tone = ToneInput::new(440.0, 8000);
        let mut frame = vec![0i16; FRAME];
        let mut written = vec![];
        for _ in 0..3 {
            tone.read(&mut frame);
            out.write(&frame);
            written.extend_from_slice(&frame);
        }
        out.finish();
        assert!(out.take_fault().is_none());
        let mut input = WavInput::open(&path, false).unwrap();
        let mut back = vec![0i16; FRAME * 4];
        input.read(&mut back);
        assert_eq!(&back[..FRAME * 3], &written[..]);
        assert!(back[FRAME * 3..].iter().all(|&s| s == 0));
        assert!(input.finished());
    }

    #[test]
    fn wav_input_is_mixed_to_mono_and_brought_to_48k() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stereo8k.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for _ in 0..800 {
            w.write_sample(16000i16).unwrap();
            w.write_sample(0i16).unwrap();
        }
        w.finalize().unwrap();
        let input = WavInput::open(&path, true).unwrap();
        // 0.1 s at 8 kHz is 0.1 s at 48 kHz; both channels averaged.
        assert!((4790..=4800).contains(&input.samples.len()));
        assert!(input.samples.iter().all(|&s| (s - 8000).abs() <= 1));
    }

    #[test]
    fn looped_input_starts_over() {
        let mut input = WavInput::from_samples(vec![1, 2, 3], true);
        let mut frame = [0i16; 7];
        input.read(&mut frame);
        assert_eq!(frame, [1, 2, 3, 1, 2, 3, 1]);
        assert!(!input.finished());
    }

    #[test]
    fn unreadable_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not.wav");
        std::fs::write(&path, b"RIFF garbage").unwrap();
        assert!(WavInput::open(&path, false).is_err());
        assert!(WavInput::open(&dir.path().join("missing.wav"), false).is_err());
    }
}
