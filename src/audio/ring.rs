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
//! are moved whole into a small ring of their own, already allocated, and
//! sorted on the media task's side ([`FaultReader`]): the ones the backend
//! got over are glitches, the ones before a loss are told.

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
    /// Errors other than xruns reported by the backend.
    pub errors: AtomicU64,
    /// Of those, the ones the backend got over (data flowed on after).
    pub glitches: AtomicU64,
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

/// One error from cpal's error callback, with the data callbacks run by
/// then (to tell later whether data flowed on after it).
#[derive(Debug)]
pub struct Fault {
    pub error: cpal::Error,
    pub callbacks: u64,
}

/// Data callbacks after an error that show the backend got over it.
pub const RECOVERED_AFTER: u64 = 2;

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

/// cpal's error callback: xruns are counted, anything else is counted and
/// passed on whole to a [`FaultReader`] for
/// [`DeviceFault`](super::DeviceFault)s, and errors that end the stream
/// mark it lost. (A backend erring in a loop without data is found out by
/// the [`Watchdog`], by time: a burst of errors in a millisecond is no
/// sign of death.)
pub struct ErrorCallback {
    faults: Producer<Fault>,
    counters: Arc<Counters>,
}

impl ErrorCallback {
    pub fn new(counters: Arc<Counters>) -> (Self, FaultReader) {
        let (faults, consumer) = RingBuffer::new(FAULT_RING);
        let callback = ErrorCallback {
            faults,
            counters: counters.clone(),
        };
        let reader = FaultReader {
            faults: consumer,
            counters,
            last: None,
        };
        (callback, reader)
    }

    pub fn on_error(&mut self, error: cpal::Error) {
        use cpal::ErrorKind::*;
        match error.kind() {
            // A glitch the backend recovers from by itself.
            Xrun => Counters::add(&self.counters.xruns, 1),
            // Only the thread's priority: nothing the user can act on.
            RealtimeDenied => {}
            kind => {
                Counters::add(&self.counters.errors, 1);
                let callbacks = Counters::get(&self.counters.callbacks);
                if matches!(
                    kind,
                    DeviceNotAvailable | StreamInvalidated | HostUnavailable
                ) {
                    self.counters.lost.store(true, Ordering::Relaxed);
                }
                // When the ring is full the newest error is dropped: the
                // user has enough to read already.
                let _ = self.faults.push(Fault { error, callbacks });
            }
        }
    }
}

/// The media task's end of the error ring: which errors to tell the user.
///
/// An error is held until it is clear what it was: if data flows on after
/// it ([`RECOVERED_AFTER`] callbacks) the backend got over it, and it is
/// only counted ([`Counters::glitches`]); once the stream is lost the
/// errors held are told, the cause in cpal's words. One error repeated is
/// told once.
pub struct FaultReader {
    faults: Consumer<Fault>,
    counters: Arc<Counters>,
    last: Option<String>,
}

impl FaultReader {
    /// The next error worth telling, if any is decided yet.
    pub fn take(&mut self) -> Option<cpal::Error> {
        // Bounded: a backend in trouble refills the ring meanwhile.
        for _ in 0..2 * FAULT_RING {
            let Ok(fault) = self.faults.peek() else { break };
            let lost = self.counters.is_lost();
            let callbacks = Counters::get(&self.counters.callbacks);
            let recovered = callbacks >= fault.callbacks.saturating_add(RECOVERED_AFTER);
            if !lost && !recovered {
                break;
            }
            let Ok(fault) = self.faults.pop() else { break };
            if !lost {
                Counters::add(&self.counters.glitches, 1);
                continue;
            }
            let message = fault.error.to_string();
            if self.last.as_deref() == Some(message.as_str()) {
                continue;
            }
            self.last = Some(message);
            return Some(fault.error);
        }
        None
    }
}

/// Media-task frames (10 ms) of errors and no data that make a stream lost.
pub const ERRING_FRAMES: u32 = 50;
/// Media-task frames without data, once data had flowed, that make a
/// stream lost (a stream that stopped without a word).
pub const STALL_FRAMES: u32 = 200;

/// Looks at a stream's counters once per media-task frame and marks it
/// lost when it died noisily (errors and no data for [`ERRING_FRAMES`]) or
/// quietly (data that had flowed stopped for [`STALL_FRAMES`]). A device
/// that has not started yet (PulseAudio takes up to 2 s) is neither.
#[derive(Debug)]
pub struct Watchdog {
    counters: Arc<Counters>,
    seen_callbacks: u64,
    errors_at_data: u64,
    still_for: u32,
    stalled: bool,
}

impl Watchdog {
    pub fn new(counters: Arc<Counters>) -> Self {
        Watchdog {
            counters,
            seen_callbacks: 0,
            errors_at_data: 0,
            still_for: 0,
            stalled: false,
        }
    }

    /// Once per frame. True the one time it finds the stream stalled (the
    /// stall has no error of its own to tell).
    pub fn tick(&mut self) -> bool {
        let callbacks = Counters::get(&self.counters.callbacks);
        let errors = Counters::get(&self.counters.errors);
        if callbacks != self.seen_callbacks {
            self.seen_callbacks = callbacks;
            self.errors_at_data = errors;
            self.still_for = 0;
            return false;
        }
        self.still_for = self.still_for.saturating_add(1);
        if errors > self.errors_at_data && self.still_for >= ERRING_FRAMES {
            self.counters.lost.store(true, Ordering::Relaxed);
        }
        if callbacks > 0 && self.still_for >= STALL_FRAMES && !self.stalled {
            self.stalled = true;
            self.counters.lost.store(true, Ordering::Relaxed);
            return true;
        }
        false
    }
}

#[cfg(test)]
#[path = "ring_tests.rs"]
mod tests;
