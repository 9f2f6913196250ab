//! The microphone's clean-up before encoding: WebRTC's echo cancellation,
//! noise suppression and automatic gain control (webrtc-audio-processing
//! 0.5, which links the system's libwebrtc-audio-processing), on 10 ms
//! mono frames at [`RATE`](super::RATE), each part switchable from the
//! settings ([`DspSettings`]).
//!
//! The media task drives it: every frame sent to the speaker goes through
//! [`AudioProcessing::process_render`] (the far end, what the canceller
//! looks for), every frame read from the microphone through
//! [`AudioProcessing::process_capture`] before the encoder:
//!
//! ```no_run
//! use hark::audio::dsp::{AudioProcessing, DspSettings};
//! use hark::audio::{AudioInput, AudioOutput, Discard, Silence, FRAME};
//!
//! let (mut mic, mut speaker) = (Silence, Discard);
//! let mut dsp = AudioProcessing::new(DspSettings::default()).expect("dsp");
//! let (mut far, mut near) = ([0i16; FRAME], [0i16; FRAME]);
//! // every 10 ms:
//! dsp.process_render(&far);
//! speaker.write(&far);
//! mic.read(&mut near);
//! dsp.process_capture(&mut near);
//! // encode `near`
//! ```
//!
//! The echo canceller estimates the delay between the two streams itself
//! (WebRTC's delay-agnostic mode), since the buffering of two sound cards
//! is not known exactly; it needs a few seconds of far-end audio to lock on.

use serde::{Deserialize, Serialize};
use webrtc_audio_processing as webrtc;

use super::resample::{f32_to_i16, i16_to_f32};
use super::FRAME;

/// Which parts of the clean-up run (the settings screen's switches; all on
/// by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DspSettings {
    /// Remove the far end's voice coming back through the microphone.
    pub echo_cancellation: bool,
    /// Remove steady background noise (fans, hum, hiss).
    pub noise_suppression: bool,
    /// Bring a quiet or loud microphone to a steady level.
    pub gain_control: bool,
}

impl Default for DspSettings {
    fn default() -> Self {
        DspSettings {
            echo_cancellation: true,
            noise_suppression: true,
            gain_control: true,
        }
    }
}

impl DspSettings {
    /// Everything off: frames pass untouched.
    pub const OFF: DspSettings = DspSettings {
        echo_cancellation: false,
        noise_suppression: false,
        gain_control: false,
    };

    fn any(&self) -> bool {
        self.echo_cancellation || self.noise_suppression || self.gain_control
    }

    fn to_config(self) -> webrtc::Config {
        webrtc::Config {
            echo_cancellation: self.echo_cancellation.then_some(webrtc::EchoCancellation {
                suppression_level: webrtc::EchoCancellationSuppressionLevel::Moderate,
                enable_extended_filter: true,
                enable_delay_agnostic: true,
                stream_delay_ms: None,
            }),
            noise_suppression: self.noise_suppression.then_some(webrtc::NoiseSuppression {
                suppression_level: webrtc::NoiseSuppressionLevel::High,
            }),
            // WebRTC's own defaults: -3 dBFS target, up to 9 dB of gain,
            // limiter on.
            gain_control: self.gain_control.then_some(webrtc::GainControl {
                mode: webrtc::GainControlMode::AdaptiveDigital,
                target_level_dbfs: 3,
                compression_gain_db: 9,
                enable_limiter: true,
            }),
            voice_detection: None,
            enable_transient_suppressor: false,
            enable_high_pass_filter: self.any(),
        }
    }
}

/// The processor could not be created or refused a frame.
#[derive(Debug, thiserror::Error)]
#[error("audio processing failed: {0}")]
pub struct DspError(String);

/// What the echo canceller reports (for the health screen and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DspStats {
    /// Echo return loss enhancement in dB: how much echo was removed.
    pub erle_db: Option<f64>,
    /// The delay between far end and echo the canceller settled on.
    pub delay_ms: Option<i32>,
    /// Whether the last capture frame held echo.
    pub has_echo: Option<bool>,
}

/// WebRTC's audio processing for one call: 48 kHz, mono, 10 ms frames.
pub struct AudioProcessing {
    processor: webrtc::Processor,
    settings: DspSettings,
    capture: Vec<f32>,
    render: Vec<f32>,
    failures: u64,
}

impl std::fmt::Debug for AudioProcessing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioProcessing")
            .field("settings", &self.settings)
            .field("failures", &self.failures)
            .finish()
    }
}

impl AudioProcessing {
    pub fn new(settings: DspSettings) -> Result<Self, DspError> {
        let init = webrtc::InitializationConfig {
            num_capture_channels: 1,
            num_render_channels: 1,
            ..Default::default()
        };
        let mut processor = webrtc::Processor::new(&init).map_err(|e| DspError(e.to_string()))?;
        processor.set_config(settings.to_config());
        Ok(AudioProcessing {
            processor,
            settings,
            capture: vec![0.0; FRAME],
            render: vec![0.0; FRAME],
            failures: 0,
        })
    }

    pub fn settings(&self) -> DspSettings {
        self.settings
    }

    /// Switches parts on or off mid-call.
    pub fn set_settings(&mut self, settings: DspSettings) {
        if settings != self.settings {
            self.settings = settings;
            self.processor.set_config(settings.to_config());
        }
    }

    /// Cleans one microphone frame ([`FRAME`] samples) in place. A frame of
    /// another length, or one the library refuses, passes unchanged (and is
    /// counted in [`failures`](Self::failures)).
    pub fn process_capture(&mut self, frame: &mut [i16]) {
        if !self.settings.any() {
            return;
        }
        if frame.len() != FRAME {
            self.failures += 1;
            return;
        }
        for (f, &s) in self.capture.iter_mut().zip(frame.iter()) {
            *f = i16_to_f32(s);
        }
        if self
            .processor
            .process_capture_frame(&mut self.capture)
            .is_err()
        {
            self.failures += 1;
            return;
        }
        for (s, &f) in frame.iter_mut().zip(&self.capture) {
            *s = f32_to_i16(f);
        }
    }

    /// Shows the canceller one far-end frame ([`FRAME`] samples) as it goes
    /// to the speaker. Does nothing while echo cancellation is off.
    pub fn process_render(&mut self, frame: &[i16]) {
        if !self.settings.echo_cancellation {
            return;
        }
        if frame.len() != FRAME {
            self.failures += 1;
            return;
        }
        for (f, &s) in self.render.iter_mut().zip(frame) {
            *f = i16_to_f32(s);
        }
        if self
            .processor
            .process_render_frame(&mut self.render)
            .is_err()
        {
            self.failures += 1;
        }
    }

    /// Frames that could not be processed (wrong length or refused).
    pub fn failures(&self) -> u64 {
        self.failures
    }

    /// The echo canceller's figures, when it runs.
    pub fn stats(&self) -> DspStats {
        let stats = self.processor.get_stats();
        DspStats {
            erle_db: stats.echo_return_loss_enhancement,
            delay_ms: stats.delay_median_ms,
            has_echo: stats.has_echo,
        }
    }
}

#[cfg(test)]
#[path = "dsp_tests.rs"]
mod tests;
