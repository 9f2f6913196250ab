//! One open sound-card stream as the media task sees it: [`DeviceInput`]
//! (an [`AudioInput`]) and [`DeviceOutput`] (an [`AudioOutput`]), opened
//! through [`super::device`].
//!
//! A stream runs at whatever rate, channel count and sample format the
//! device offers (48 kHz mono when it can). Its cpal callbacks
//! ([`super::ring`]) only convert the format and the channels and move
//! samples through a lock-free ring; everything else happens here, on the
//! media task's side of the ring, in `read`/`write`: resampling to and from
//! [`RATE`] ([`Converter`], buffers allocated when opened) and keeping the
//! buffered audio small:
//! - a hard bound, [`TARGET_LATENCY_MS`] (more only when the device's own
//!   period is long): a microphone ring that filled up while nobody read
//!   is cut to its newest samples, a speaker ring that is full drops the
//!   frame;
//! - a standing-delay trim: when the ring never ran low over half a second
//!   (it filled up while the device was starting, say), the excess is
//!   dropped once, so the delay settles near a period plus 10 ms.
//!
//! When a stream fails (an error that ends it, errors in a loop with no
//! data, or callbacks that had started stopping for 2 s), `is_lost` is
//! true, `take_fault` tells why as a [`DeviceFault`] naming the device in
//! cpal's words (a repeated error once), and the caller opens another
//! ([`super::live`] does). Errors the backend got over are only counted
//! ([`Counters::glitches`]).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{BufferSize, SampleFormat, StreamConfig};
use rtrb::{Consumer, Producer};

use super::device::{choose_config, name_of, DeviceError, Direction};
use super::resample::{f32_to_i16, i16_to_f32, Converter, ResampleError};
use super::ring::{
    sample_ring, CaptureCallback, Counters, ErrorCallback, FaultReader, PlaybackCallback, Watchdog,
    STALL_FRAMES,
};
use super::{AudioInput, AudioOutput, DeviceFault, FRAME, RATE};

/// The most audio a device side holds, in milliseconds.
pub const TARGET_LATENCY_MS: u32 = 40;

/// The ring between a callback and the media task holds this much at the
/// device's rate (room for a slow media task or a long device period; the
/// bounds above keep what is really buffered small).
const RING_MS: u32 = 500;

/// Frames over which the lowest fill of a ring is watched (0.5 s).
const STANDING_WINDOW: u32 = 50;

/// What a stream was opened with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamShape {
    pub rate: u32,
    pub channels: u16,
    pub format: SampleFormat,
    /// Frames per callback, when the backend says.
    pub period: Option<u32>,
}

impl StreamShape {
    /// `ms` milliseconds in device frames.
    fn frames(&self, ms: u32) -> usize {
        self.rate as usize * ms as usize / 1000
    }

    /// The hard bound on buffered audio, in device frames: the target, or
    /// two periods plus 10 ms for a device whose period is long.
    fn max_fill(&self) -> usize {
        let period = self.period.unwrap_or(0) as usize;
        self.frames(TARGET_LATENCY_MS)
            .max(2 * period + self.frames(10))
    }
}

/// Watches how full a ring is at each media-task frame; when over a whole
/// window it never came down to `floor + slack`, the excess is standing
/// delay to drop.
#[derive(Debug, Default)]
struct Standing {
    low: Option<usize>,
    frames: u32,
}

impl Standing {
    /// Samples to drop now (mostly 0).
    fn observe(&mut self, fill: usize, floor: usize, slack: usize) -> usize {
        let low = self.low.map_or(fill, |l| l.min(fill));
        self.frames += 1;
        if self.frames < STANDING_WINDOW {
            self.low = Some(low);
            return 0;
        }
        self.low = None;
        self.frames = 0;
        if low > floor + slack {
            low - floor
        } else {
            0
        }
    }
}

/// Builds a stream for every sample format with the callback `$cb`'s
/// `on_data::<T>`.
macro_rules! build_stream {
    ($device:expr, $build:ident, $config:expr, $format:expr, $cb:ident, $err:ident) => {{
        let timeout = Some(Duration::from_secs(1));
        macro_rules! arm {
            ($t:ty) => {
                $device.$build::<$t, _, _>(
                    $config,
                    move |data, _| $cb.on_data::<$t>(data),
                    move |e| $err.on_error(e),
                    timeout,
                )
            };
        }
        match $format {
            SampleFormat::I8 => arm!(i8),
            SampleFormat::I16 => arm!(i16),
            SampleFormat::I32 => arm!(i32),
            SampleFormat::U8 => arm!(u8),
            SampleFormat::U16 => arm!(u16),
            SampleFormat::U32 => arm!(u32),
            SampleFormat::F64 => arm!(f64),
            _ => arm!(f32),
        }
    }};
}

/// A stream's ends on our side, as built: the stream, the ring end the
/// media task keeps, the faults.
type Built<E> = (cpal::Stream, E, FaultReader);

/// What both device sides share: the stream, its shape, the counters and
/// the faults waiting to be taken.
struct Common {
    name: String,
    shape: StreamShape,
    /// Held for its lifetime: dropping it stops the device (and joins
    /// cpal's thread).
    _stream: cpal::Stream,
    counters: Arc<Counters>,
    faults: FaultReader,
    watchdog: Watchdog,
    /// The watchdog found the stream stalled; not told yet.
    stall_to_tell: bool,
}

impl Common {
    /// Opens `device` the best way it offers (a 10 ms period if it can,
    /// else its own) and starts it.
    fn start<E>(
        device: &cpal::Device,
        direction: Direction,
        build: impl Fn(StreamConfig, SampleFormat, &Arc<Counters>) -> Result<Built<E>, cpal::Error>,
    ) -> Result<(Common, E), DeviceError> {
        let name = name_of(device);
        let error = |detail: String| DeviceError::Open {
            direction,
            device: name.clone(),
            detail,
        };
        let ranges = match direction {
            Direction::Input => device
                .supported_input_configs()
                .map(|r| r.collect::<Vec<_>>()),
            Direction::Output => device
                .supported_output_configs()
                .map(|r| r.collect::<Vec<_>>()),
        }
        .map_err(|e| error(e.to_string()))?;
        let (mut config, format) = choose_config(ranges.into_iter())
            .ok_or_else(|| error("it offers no sample format Hark can use".into()))?;
        let counters = Arc::new(Counters::default());
        let built = match build(config, format, &counters) {
            Err(_) if config.buffer_size != BufferSize::Default => {
                config.buffer_size = BufferSize::Default;
                build(config, format, &counters)
            }
            other => other,
        };
        let (stream, end, faults) = built.map_err(|e| error(e.to_string()))?;
        stream.play().map_err(|e| error(e.to_string()))?;
        let shape = StreamShape {
            rate: config.sample_rate,
            channels: config.channels,
            format,
            period: stream.buffer_size().ok(),
        };
        let common = Common {
            name,
            shape,
            _stream: stream,
            watchdog: Watchdog::new(counters.clone()),
            counters,
            faults,
            stall_to_tell: false,
        };
        Ok((common, end))
    }

    fn ring_len(config: &StreamConfig) -> usize {
        config.sample_rate as usize * RING_MS as usize / 1000
    }

    fn take_fault(&mut self) -> Option<DeviceFault> {
        if let Some(e) = self.faults.take() {
            return Some(DeviceFault {
                device: self.name.clone(),
                detail: e.to_string(),
            });
        }
        if std::mem::take(&mut self.stall_to_tell) {
            return Some(DeviceFault {
                device: self.name.clone(),
                detail: format!("no audio from the device for {} s", STALL_FRAMES / 100),
            });
        }
        None
    }

    /// Once per frame: the watchdog looks at the counters.
    fn watch(&mut self) {
        if self.watchdog.tick() {
            self.stall_to_tell = true;
        }
    }

    fn is_lost(&self) -> bool {
        self.counters.is_lost()
    }
}

/// The media task's end of a microphone ring: device samples out of the
/// ring, trimmed to keep the delay down, brought to [`RATE`].
pub struct CaptureEnd {
    shape: StreamShape,
    consumer: Consumer<f32>,
    /// Device rate to [`RATE`]; `None` when the device runs at 48 kHz.
    converter: Option<Converter>,
    frame: [f32; FRAME],
    standing: Standing,
    skipped: u64,
}

impl CaptureEnd {
    pub fn new(shape: StreamShape, consumer: Consumer<f32>) -> Result<Self, ResampleError> {
        let converter = match shape.rate {
            RATE => None,
            rate => {
                let max_ready = 2 * FRAME + shape.max_fill() * RATE as usize / rate as usize;
                Some(Converter::new(rate, RATE, max_ready)?)
            }
        };
        Ok(CaptureEnd {
            shape,
            consumer,
            converter,
            frame: [0.0; FRAME],
            standing: Standing::default(),
            skipped: 0,
        })
    }

    /// Audio captured and not yet read, in samples at [`RATE`].
    pub fn buffered(&self) -> usize {
        let ready = self.converter.as_ref().map_or(0, |c| c.ready());
        ready + self.consumer.slots() * RATE as usize / self.shape.rate as usize
    }

    /// Device samples thrown away to keep the delay down.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Drops the oldest samples beyond the hard bound, and standing delay.
    fn trim(&mut self) {
        let shape = self.shape;
        let fill = self.consumer.slots();
        let over = fill.saturating_sub(shape.max_fill());
        let standing = self
            .standing
            .observe(fill, shape.frames(15), shape.frames(5));
        let skip = over.max(standing).min(fill);
        if skip > 0 {
            if let Ok(chunk) = self.consumer.read_chunk(skip) {
                chunk.commit_all();
                self.skipped += skip as u64;
            }
        }
    }

    /// One frame at [`RATE`]; silence when not enough has come in.
    pub fn read(&mut self, frame: &mut [i16]) {
        self.trim();
        let n = frame.len().min(FRAME);
        let got = match self.converter.as_mut() {
            None => self.consumer.pop_entire_slice(&mut self.frame[..n]).is_ok(),
            Some(converter) => {
                while converter.ready() < n {
                    let Ok(chunk) = self.consumer.read_chunk(converter.wanted()) else {
                        break;
                    };
                    converter.push_iter(chunk);
                }
                converter.pop(&mut self.frame[..n])
            }
        };
        if got {
            for (s, &f) in frame.iter_mut().zip(&self.frame[..n]) {
                *s = f32_to_i16(f);
            }
            frame[n..].fill(0);
        } else {
            frame.fill(0);
        }
    }
}

/// The media task's end of a speaker ring: frames at [`RATE`] brought to
/// the device rate and into the ring, within the bounds.
pub struct PlaybackEnd {
    shape: StreamShape,
    producer: Producer<f32>,
    /// [`RATE`] to the device rate; `None` when the device runs at 48 kHz.
    converter: Option<Converter>,
    scratch: Vec<f32>,
    standing: Standing,
    /// Device samples still to drop from what is written (standing delay).
    skip: usize,
    dropped: u64,
}

impl PlaybackEnd {
    pub fn new(shape: StreamShape, producer: Producer<f32>) -> Result<Self, ResampleError> {
        let converter = match shape.rate {
            RATE => None,
            rate => Some(Converter::new(RATE, rate, 2 * FRAME)?),
        };
        Ok(PlaybackEnd {
            shape,
            producer,
            converter,
            scratch: vec![0.0; 2 * FRAME],
            standing: Standing::default(),
            skip: 0,
            dropped: 0,
        })
    }

    /// Audio written and not yet played, in samples at [`RATE`] (the
    /// device's own buffer not counted).
    pub fn buffered(&self) -> usize {
        self.fill() * RATE as usize / self.shape.rate as usize
    }

    fn fill(&self) -> usize {
        self.producer.buffer().capacity() - self.producer.slots()
    }

    /// Device samples dropped: the ring was full (the device plays slower
    /// than we write, or has not started) or held standing delay.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Moves device-rate samples into the ring, first dropping what is
    /// owed to the standing-delay trim, then what would go over the bound.
    fn push(&mut self, mut samples: &[f32]) {
        let owed = self.skip.min(samples.len());
        self.skip -= owed;
        samples = &samples[owed..];
        let room = self
            .shape
            .max_fill()
            .saturating_sub(self.fill())
            .min(self.producer.slots());
        let n = samples.len().min(room);
        if n > 0 {
            let _ = self.producer.push_entire_slice(&samples[..n]);
        }
        self.dropped += (owed + samples.len() - n) as u64;
    }

    /// Plays one frame at [`RATE`] (or drops it, see above).
    pub fn write(&mut self, frame: &[i16]) {
        let fill = self.fill();
        self.skip += self
            .standing
            .observe(fill, self.shape.frames(10), self.shape.frames(5));
        let mut scratch = std::mem::take(&mut self.scratch);
        for piece in frame.chunks(FRAME) {
            let (mono, out) = scratch.split_at_mut(FRAME);
            let mono = &mut mono[..piece.len()];
            for (f, &s) in mono.iter_mut().zip(piece) {
                *f = i16_to_f32(s);
            }
            match self.converter.as_mut() {
                None => self.push(mono),
                Some(converter) => {
                    converter.push(mono);
                    let mut ready = converter.pop_some(out);
                    while ready > 0 {
                        self.push(&out[..ready]);
                        ready = self.converter.as_mut().map_or(0, |c| c.pop_some(out));
                    }
                }
            }
        }
        self.scratch = scratch;
    }
}

fn open_error(direction: Direction, device: &str) -> impl Fn(ResampleError) -> DeviceError + '_ {
    move |e| DeviceError::Open {
        direction,
        device: device.to_string(),
        detail: e.to_string(),
    }
}

/// A microphone on a sound card.
pub struct DeviceInput {
    common: Common,
    end: CaptureEnd,
}

impl fmt::Debug for DeviceInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceInput")
            .field("name", &self.common.name)
            .field("shape", &self.common.shape)
            .finish()
    }
}

impl DeviceInput {
    /// Opens `device` as a microphone and starts it.
    pub fn open(device: &cpal::Device) -> Result<Self, DeviceError> {
        let (common, consumer) =
            Common::start(device, Direction::Input, |config, format, counters| {
                let (producer, consumer) = sample_ring(Common::ring_len(&config));
                let mut cb = CaptureCallback::new(producer, config.channels, counters.clone());
                let (mut err, faults) = ErrorCallback::new(counters.clone());
                build_stream!(device, build_input_stream, config, format, cb, err)
                    .map(|stream| (stream, consumer, faults))
            })?;
        let end = CaptureEnd::new(common.shape, consumer)
            .map_err(open_error(Direction::Input, &common.name))?;
        Ok(DeviceInput { common, end })
    }

    /// The device's name as the system gives it.
    pub fn name(&self) -> &str {
        &self.common.name
    }

    pub fn shape(&self) -> StreamShape {
        self.common.shape
    }

    pub fn counters(&self) -> &Counters {
        &self.common.counters
    }

    /// The stream has ended (device unplugged or failed): open another.
    pub fn is_lost(&self) -> bool {
        self.common.is_lost()
    }

    /// Audio captured and not yet read, in samples at [`RATE`].
    pub fn buffered(&self) -> usize {
        self.end.buffered()
    }

    /// Device samples thrown away to keep the delay down.
    pub fn skipped(&self) -> u64 {
        self.end.skipped()
    }
}

impl AudioInput for DeviceInput {
    fn read(&mut self, frame: &mut [i16]) {
        self.common.watch();
        self.end.read(frame);
    }

    fn take_fault(&mut self) -> Option<DeviceFault> {
        self.common.take_fault()
    }
}

/// A speaker (or ringer) on a sound card.
pub struct DeviceOutput {
    common: Common,
    end: PlaybackEnd,
}

impl fmt::Debug for DeviceOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceOutput")
            .field("name", &self.common.name)
            .field("shape", &self.common.shape)
            .finish()
    }
}

impl DeviceOutput {
    /// Opens `device` as a speaker and starts it (silent until written).
    pub fn open(device: &cpal::Device) -> Result<Self, DeviceError> {
        let (common, producer) =
            Common::start(device, Direction::Output, |config, format, counters| {
                let (producer, consumer) = sample_ring(Common::ring_len(&config));
                let mut cb = PlaybackCallback::new(
                    consumer,
                    config.channels,
                    playback_margin(config.sample_rate),
                    counters.clone(),
                );
                let (mut err, faults) = ErrorCallback::new(counters.clone());
                build_stream!(device, build_output_stream, config, format, cb, err)
                    .map(|stream| (stream, producer, faults))
            })?;
        let end = PlaybackEnd::new(common.shape, producer)
            .map_err(open_error(Direction::Output, &common.name))?;
        Ok(DeviceOutput { common, end })
    }

    pub fn name(&self) -> &str {
        &self.common.name
    }

    pub fn shape(&self) -> StreamShape {
        self.common.shape
    }

    pub fn counters(&self) -> &Counters {
        &self.common.counters
    }

    /// The stream has ended (device unplugged or failed): open another.
    pub fn is_lost(&self) -> bool {
        self.common.is_lost()
    }

    /// Audio written and not yet played, in samples at [`RATE`] (the
    /// device's own buffer not counted).
    pub fn buffered(&self) -> usize {
        self.end.buffered()
    }

    /// Device samples dropped to keep the delay bounded.
    pub fn dropped(&self) -> u64 {
        self.end.dropped()
    }
}

impl AudioOutput for DeviceOutput {
    fn write(&mut self, frame: &[i16]) {
        self.common.watch();
        self.end.write(frame);
    }

    fn take_fault(&mut self) -> Option<DeviceFault> {
        self.common.take_fault()
    }
}

/// Jitter a playback callback absorbs beyond one device period: 10 ms.
pub fn playback_margin(rate: u32) -> usize {
    rate as usize / 100
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
