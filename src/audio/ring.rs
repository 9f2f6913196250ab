//! The hand-over between a sound card's callback thread and the media task:
//! what runs inside cpal's data and error callbacks, and what they share
//! with the other side.
//!
//! Rules for everything here that runs in a callback: no allocation, no
//! lock, no logging, no system call. Samples cross in wait-free SPSC rings
//! (rtrb) of mono `f32` at the device's own rate; the callbacks only
//! convert the sample format and mix channels down (capture) or copy mono
//! to every channel (playback). Resampling to 48 kHz and bounding the
//! buffered latency happen on the media task's side ([`super::stream`]).
//! Counters and the "device lost" flag are relaxed atomics; cpal's errors
//! are moved whole into a small ring of their own, already allocated.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use cpal::{FromSample, Sample};
use rtrb::{Consumer, Producer, RingBuffer};

/// Figures a callback keeps for the other side (all relaxed: they are
/// statistics and a flag, not synchronisation).
#[derive(Debug, Default)]
pub struct Counters {
    /// Data callbacks run.
    pub callbacks: AtomicU64,
    /// Device frames moved through the ring.
    pub frames: AtomicU64,
    /// Playback: frames the device wanted and the ring did not have.
    pub underruns: AtomicU64,
    /// Capture: frames the ring had no room for (the media task is not
    /// reading).
    pub overruns: AtomicU64,
    /// Over- and underruns cpal reported at the device.
    pub xruns: AtomicU64,
    /// The stream is dead (device unplugged, server gone): reopen.
    pub lost: AtomicBool,
}

impl Counters {
    fn add(counter: &AtomicU64, n: usize) {
        counter.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Reads a counter.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::Relaxed)
    }
}

/// A ring of `capacity` mono samples.
pub fn sample_ring(capacity: usize) -> (Producer<f32>, Consumer<f32>) {
    RingBuffer::new(capacity.max(1))
}

/// Errors from cpal's error callback, moved (not copied, not formatted)
/// into a ring of this many.
pub const FAULT_RING: usize = 8;

/// The data callback of an input stream: interleaved device samples in,
/// mono `f32` into the ring.
pub struct CaptureCallback {
    producer: Producer<f32>,
    channels: usize,
    counters: Arc<Counters>,
}

impl CaptureCallback {
    pub fn new(producer: Producer<f32>, channels: u16, counters: Arc<Counters>) -> Self {
        CaptureCallback {
            producer,
            channels: channels.max(1) as usize,
            counters,
        }
    }

    /// Takes one period of interleaved samples. What does not fit in the
    /// ring is dropped and counted. No allocation, no lock.
    pub fn on_data<T>(&mut self, data: &[T])
    where
        T: Sample,
        f32: FromSample<T>,
    {
        let counters = &*self.counters;
        Counters::add(&counters.callbacks, 1);
        let frames = data.len() / self.channels;
        let room = self.producer.slots();
        let n = frames.min(room);
        if n < frames {
            Counters::add(&counters.overruns, frames - n);
        }
        if n == 0 {
            return;
        }
        let channels = self.channels;
        let scale = 1.0 / channels as f32;
        if let Ok(chunk) = self.producer.write_chunk_uninit(n) {
            let mono = data.chunks_exact(channels).take(n).map(|frame| {
                if channels == 1 {
                    f32::from_sample(frame[0])
                } else {
                    frame.iter().map(|&s| f32::from_sample(s)).sum::<f32>() * scale
                }
            });
            chunk.fill_from_iter(mono);
        }
        Counters::add(&counters.frames, n);
    }
}

/// The data callback of an output stream: mono `f32` from the ring out to
/// every channel of the device.
///
/// It starts (and, after running dry, restarts) only once the ring holds
/// this period plus a margin, so a media task writing 10 ms at a time does
/// not run it dry on every period: the margin is the jitter it absorbs.
pub struct PlaybackCallback {
    consumer: Consumer<f32>,
    channels: usize,
    margin: usize,
    playing: bool,
    counters: Arc<Counters>,
}

impl PlaybackCallback {
    /// `margin`: device frames to hold beyond one period before starting.
    pub fn new(
        consumer: Consumer<f32>,
        channels: u16,
        margin: usize,
        counters: Arc<Counters>,
    ) -> Self {
        PlaybackCallback {
            consumer,
            channels: channels.max(1) as usize,
            margin,
            playing: false,
            counters,
        }
    }

    /// Fills one period of interleaved samples; silence for what the ring
    /// does not have (counted as underrun once playing). No allocation, no
    /// lock.
    pub fn on_data<T>(&mut self, data: &mut [T])
    where
        T: Sample + FromSample<f32>,
    {
        let counters = &*self.counters;
        Counters::add(&counters.callbacks, 1);
        let frames = data.len() / self.channels;
        let available = self.consumer.slots();
        if !self.playing && available >= frames + self.margin {
            self.playing = true;
        }
        let n = if self.playing {
            frames.min(available)
        } else {
            0
        };
        if n > 0 {
            if let Ok(chunk) = self.consumer.read_chunk(n) {
                let (a, b) = chunk.as_slices();
                let out = data.chunks_exact_mut(self.channels);
                for (frame, &s) in out.zip(a.iter().chain(b)) {
                    frame.fill(T::from_sample(s));
                }
                chunk.commit_all();
            }
            Counters::add(&counters.frames, n);
        }
        for s in &mut data[n * self.channels..] {
            *s = T::EQUILIBRIUM;
        }
        if self.playing && n < frames {
            Counters::add(&counters.underruns, frames - n);
            self.playing = false;
        }
    }
}

/// cpal's error callback: glitches are counted, anything else is passed on
/// whole for [`DeviceFault`](super::DeviceFault)s, and errors that end the
/// stream (or [`LOST_AFTER_ERRORS`] in a row with no data between) mark it
/// lost.
pub struct ErrorCallback {
    faults: Producer<cpal::Error>,
    counters: Arc<Counters>,
    /// Data callbacks counted at the last error, and errors since data
    /// last flowed.
    callbacks_then: u64,
    streak: u32,
}

/// Errors in a row with no data in between that make a stream lost (a
/// backend whose server died reports the same error in a tight loop).
pub const LOST_AFTER_ERRORS: u32 = 20;

impl ErrorCallback {
    pub fn new(counters: Arc<Counters>) -> (Self, Consumer<cpal::Error>) {
        let (faults, consumer) = RingBuffer::new(FAULT_RING);
        let callback = ErrorCallback {
            faults,
            counters,
            callbacks_then: u64::MAX,
            streak: 0,
        };
        (callback, consumer)
    }

    pub fn on_error(&mut self, error: cpal::Error) {
        use cpal::ErrorKind::*;
        match error.kind() {
            // A glitch the backend recovers from by itself.
            Xrun => Counters::add(&self.counters.xruns, 1),
            // Only the thread's priority: nothing the user can act on.
            RealtimeDenied => {}
            kind => {
                let callbacks = Counters::get(&self.counters.callbacks);
                if callbacks == self.callbacks_then {
                    self.streak = self.streak.saturating_add(1);
                } else {
                    self.callbacks_then = callbacks;
                    self.streak = 1;
                }
                if matches!(
                    kind,
                    DeviceNotAvailable | StreamInvalidated | HostUnavailable
                ) || self.streak >= LOST_AFTER_ERRORS
                {
                    self.counters.lost.store(true, Ordering::Relaxed);
                }
                // When the ring is full the newest error is dropped: the
                // user has enough to read already.
                let _ = self.faults.push(error);
            }
        }
    }
}

#[cfg(test)]
#[path = "ring_tests.rs"]
mod tests;
