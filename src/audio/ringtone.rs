//! The ringer: an incoming call's ring played on the device chosen for
//! ringing (often the speakers while the call itself goes to a headset).
//!
//! [`Ringtone`] makes the sound (a tone pattern, as an [`AudioInput`] so
//! it plugs in wherever a source does); [`Ringer`] plays it on a
//! [`LiveOutput`] from a thread of its own, paced by the clock, until
//! stopped or dropped. Faults of the ringer's device (missing, unplugged)
//! are collected for the caller to show; ringing goes on on the default
//! device or not at all, it never fails the call.

use std::f64::consts::TAU;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::live::LiveOutput;
use super::{AudioInput, AudioOutput, DeviceFault, FRAME, RATE};

/// A ring pattern: tones summed while on, silence while off, repeated.
#[derive(Debug, Clone, PartialEq)]
pub struct Cadence {
    /// Frequencies in Hz sounded together.
    pub tones: Vec<f64>,
    /// Amplitude of each tone, 0.0..=1.0 of full scale.
    pub amplitude: f64,
    /// Alternating on and off durations in milliseconds, starting with on.
    pub pattern: Vec<u32>,
}

impl Cadence {
    /// North American ring: 440 + 480 Hz, 2 s on, 4 s off.
    pub fn north_american() -> Self {
        Cadence {
            tones: vec![440.0, 480.0],
            amplitude: 0.2,
            pattern: vec![2000, 4000],
        }
    }

    /// European double ring: 400 + 450 Hz, 0.4 s on, 0.2 s off, 0.4 s on,
    /// 2 s off (the UK's).
    pub fn double_ring() -> Self {
        Cadence {
            tones: vec![400.0, 450.0],
            amplitude: 0.2,
            pattern: vec![400, 200, 400, 2000],
        }
    }
}

impl Default for Cadence {
    fn default() -> Self {
        Cadence::double_ring()
    }
}

/// An endless ring at [`RATE`].
#[derive(Debug, Clone)]
pub struct Ringtone {
    steps: Vec<f64>,
    phases: Vec<f64>,
    amplitude: f64,
    /// Pattern segments in samples.
    segments: Vec<u64>,
    period: u64,
    at: u64,
}

impl Ringtone {
    pub fn new(cadence: &Cadence) -> Self {
        let segments: Vec<u64> = cadence
            .pattern
            .iter()
            .map(|&ms| ms as u64 * RATE as u64 / 1000)
            .collect();
        Ringtone {
            steps: cadence
                .tones
                .iter()
                .map(|f| TAU * f / RATE as f64)
                .collect(),
            phases: vec![0.0; cadence.tones.len()],
            amplitude: cadence.amplitude.clamp(0.0, 1.0) * 32767.0,
            period: segments.iter().sum::<u64>().max(1),
            segments,
            at: 0,
        }
    }

    /// Whether the sample at position `at` in the cycle sounds.
    fn sounding(&self, at: u64) -> bool {
        if self.segments.is_empty() {
            return true;
        }
        let mut t = at % self.period;
        for (i, &len) in self.segments.iter().enumerate() {
            if t < len {
                return i % 2 == 0;
            }
            t -= len;
        }
        false
    }
}

impl AudioInput for Ringtone {
    fn read(&mut self, frame: &mut [i16]) {
        let scale = self.amplitude / self.steps.len().max(1) as f64;
        for s in frame {
            let on = self.sounding(self.at);
            let mut v = 0.0;
            for (phase, step) in self.phases.iter_mut().zip(&self.steps) {
                if on {
                    v += phase.sin();
                }
                *phase = (*phase + step) % TAU;
            }
            *s = (v * scale).round() as i16;
            self.at += 1;
        }
    }
}

/// Rings on a device until stopped (or dropped).
pub struct Ringer {
    stop: Arc<AtomicBool>,
    faults: Arc<Mutex<Vec<DeviceFault>>>,
    thread: Option<JoinHandle<()>>,
}

impl Ringer {
    /// Starts ringing `cadence` on `device` (an id or name; `None`: the
    /// default). Returns at once; opening happens in the background.
    pub fn start(device: Option<String>, cadence: &Cadence) -> std::io::Result<Self> {
        Self::start_on(LiveOutput::new(device), cadence)
    }

    /// Rings on any output (tests give a file or a fake).
    pub fn start_on<O: AudioOutput + 'static>(
        mut output: O,
        cadence: &Cadence,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let faults = Arc::new(Mutex::new(Vec::new()));
        let mut tone = Ringtone::new(cadence);
        let thread = std::thread::Builder::new()
            .name("hark-ringer".into())
            .spawn({
                let stop = stop.clone();
                let faults = faults.clone();
                move || {
                    let mut frame = [0i16; FRAME];
                    let mut next = Instant::now();
                    while !stop.load(Ordering::Relaxed) {
                        tone.read(&mut frame);
                        output.write(&frame);
                        while let Some(f) = output.take_fault() {
                            if let Ok(mut faults) = faults.lock() {
                                faults.push(f);
                            }
                        }
                        // Paced by deadlines, not by sleeping 10 ms each time,
                        // so the ring does not drift slower than the device.
                        next += Duration::from_millis(10);
                        let now = Instant::now();
                        if next > now {
                            std::thread::sleep(next - now);
                        } else if now - next > Duration::from_millis(200) {
                            next = now;
                        }
                    }
                }
            })?;
        Ok(Ringer {
            stop,
            faults,
            thread: Some(thread),
        })
    }

    /// What went wrong with the ringer's device since the last call.
    pub fn take_faults(&self) -> Vec<DeviceFault> {
        self.faults
            .lock()
            .map(|mut f| std::mem::take(&mut *f))
            .unwrap_or_default()
    }

    /// Stops ringing and waits for the thread to finish.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Ringer {
    fn drop(&mut self) {
        self.halt();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::level::{rms_dbfs, tone_amplitude};

    #[test]
    fn the_cadence_sounds_and_pauses_on_time() {
        let mut tone = Ringtone::new(&Cadence::double_ring());
        // 3 s = one whole cycle of 0.4 on, 0.2 off, 0.4 on, 2 off.
        let mut s = vec![0i16; 3 * RATE as usize];
        tone.read(&mut s);
        let ms = |a: usize, b: usize| &s[a * 48..b * 48];
        assert!(rms_dbfs(ms(0, 400)) > -25.0);
        assert_eq!(rms_dbfs(ms(400, 600)), crate::audio::level::FLOOR_DB);
        assert!(rms_dbfs(ms(600, 1000)) > -25.0);
        assert_eq!(rms_dbfs(ms(1000, 3000)), crate::audio::level::FLOOR_DB);
        // Both tones at their amplitude (0.2 shared between two tones).
        let on = ms(0, 400);
        assert!((tone_amplitude(on, RATE, 400.0) - 0.1).abs() < 0.01);
        assert!((tone_amplitude(on, RATE, 450.0) - 0.1).abs() < 0.01);
        assert!(tone_amplitude(on, RATE, 1000.0) < 0.005);
        // The next cycle starts sounding again.
        let mut next = vec![0i16; 4800];
        tone.read(&mut next);
        assert!(rms_dbfs(&next) > -25.0);
    }

    struct Recorder(Arc<Mutex<Vec<i16>>>);

    impl AudioOutput for Recorder {
        fn write(&mut self, frame: &[i16]) {
            self.0.lock().unwrap().extend_from_slice(frame);
        }
    }

    #[test]
    fn the_ringer_plays_in_real_time_until_stopped() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let ringer = Ringer::start_on(Recorder(heard.clone()), &Cadence::north_american()).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        ringer.stop();
        let heard = heard.lock().unwrap().clone();
        // About 300 ms of frames, paced by the clock (not as fast as it can).
        let ms = heard.len() / 48;
        assert!((200..=500).contains(&ms), "{ms} ms written in 300 ms");
        assert!((tone_amplitude(&heard, RATE, 440.0) - 0.1).abs() < 0.02);
    }
}
