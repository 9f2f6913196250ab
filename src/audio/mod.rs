//! Audio in and out for calls (SPEC C4): what the media task reads as the
//! microphone and writes as the speaker, whatever is behind it (a sound
//! card through cpal, a WAV file or a tone for headless runs and tests).
//!
//! The media task works in 10 ms frames of mono 16-bit PCM at [`RATE`]
//! (48 kHz: Opus's rate, and what WebRTC's audio processing takes); codecs
//! at 8 or 16 kHz are resampled in the media task. Implementations never
//! block: a microphone with nothing ready gives silence, a speaker that is
//! full drops.
//!
//! The pieces:
//! - [`file`](mod@file): tones and WAV files as devices (headless runs, tests);
//! - [`device`]: sound cards through cpal, listed for the settings screen
//!   and opened by name with a fallback to the default; [`stream`] is one
//!   open stream on the media task's side (resampling, bounded latency,
//!   faults), [`ring`] what runs in its real-time callbacks (lock-free,
//!   allocation-free, no logging);
//! - [`live`]: the call's microphone and speaker over a whole call:
//!   switched mid-call, replaced by the default when unplugged, silent
//!   (and saying why) when nothing opens;
//! - [`ringtone`]: the ring pattern and a ringer on its own device;
//! - [`resample`]: rubato between 48 kHz and the codec and device rates;
//! - [`dsp`]: echo cancellation, noise suppression and gain control;
//! - [`level`]: levels and tone detection (tests, level meters).

pub mod device;
pub mod dsp;
pub mod file;
pub mod level;
pub mod live;
pub mod resample;
pub mod ring;
pub mod ringtone;
pub mod stream;

/// The sample rate of every frame crossing these traits.
pub const RATE: u32 = 48_000;
/// Samples in one 10 ms frame at [`RATE`].
pub const FRAME: usize = (RATE / 100) as usize;

/// Something that went wrong with a device, for the user (it is shown, and
/// the call goes on on another device or silent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceFault {
    /// The device's name as the system gives it.
    pub device: String,
    /// What happened, in the system's words.
    pub detail: String,
}

/// Where the call's microphone audio comes from.
pub trait AudioInput: Send {
    /// Fills `frame` (mono, [`RATE`]) with the next samples; silence for
    /// what is not there yet. Never blocks.
    fn read(&mut self, frame: &mut [i16]);
    /// A fault since the last call (the device vanished or failed).
    fn take_fault(&mut self) -> Option<DeviceFault> {
        None
    }
    /// Moves to another sound device (`None`: the default) without a gap;
    /// false when this input is not a sound device (open a new one then).
    fn switch_device(&mut self, _preferred: Option<String>) -> bool {
        false
    }
}

/// Where the call's far-end audio goes.
pub trait AudioOutput: Send {
    /// Plays `frame` (mono, [`RATE`]). Never blocks.
    fn write(&mut self, frame: &[i16]);
    /// A fault since the last call (the device vanished or failed).
    fn take_fault(&mut self) -> Option<DeviceFault> {
        None
    }
    /// Moves to another sound device (`None`: the default) without a gap;
    /// false when this output is not a sound device (open a new one then).
    fn switch_device(&mut self, _preferred: Option<String>) -> bool {
        false
    }
}

/// A microphone that gives silence (muted source, or no device at all).
#[derive(Debug, Default, Clone, Copy)]
pub struct Silence;

impl AudioInput for Silence {
    fn read(&mut self, frame: &mut [i16]) {
        frame.fill(0);
    }
}

/// A speaker that plays nowhere.
#[derive(Debug, Default, Clone, Copy)]
pub struct Discard;

impl AudioOutput for Discard {
    fn write(&mut self, _frame: &[i16]) {}
}
