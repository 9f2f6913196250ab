//! Fixed-ratio sample-rate conversion between [`RATE`] (48 kHz) and
//! whatever rate a sound card runs at (44.1 kHz, 32 kHz, ...), mono, in
//! 10 ms chunks. (The codec rates, which divide 48 kHz, are converted with
//! less delay by the media session's own FIR: `media/session_rate.rs`.)
//!
//! It owns rubato's synchronous FFT resampler behind a chunk API with
//! every buffer allocated when it is made: [`Resampler::process`] never
//! allocates. [`Converter`] adds the small FIFOs needed when the stream's
//! pieces are not the resampler's chunk (a device callback's period, or a
//! rate such as 22.05 kHz whose 10 ms is not a whole number of samples).
//!
//! Latency: a [`Resampler`] delays its output by [`Resampler::delay`]
//! samples (half its FFT block: 5 ms for 10 ms chunks) on top of the chunk
//! it waits for.

use std::collections::VecDeque;

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler as _};

#[cfg(doc)]
use super::RATE;

/// A resampler could not be built for these rates.
#[derive(Debug, thiserror::Error)]
#[error("no resampler from {from} Hz to {to} Hz: {detail}")]
pub struct ResampleError {
    pub from: u32,
    pub to: u32,
    pub detail: String,
}

/// Converts mono audio from one fixed rate to another, one chunk at a time:
/// exactly [`input_len`](Self::input_len) samples in, exactly
/// [`output_len`](Self::output_len) out. Between 48 kHz and 8/16/44.1 kHz
/// the chunks are 10 ms on both sides (480 <-> 80, 160, 441).
pub struct Resampler {
    from: u32,
    to: u32,
    /// `None` when both rates are equal: a copy.
    fft: Option<Fft<f32>>,
    input_len: usize,
    output_len: usize,
    delay: usize,
    scratch_in: Vec<f32>,
    scratch_out: Vec<f32>,
}

impl std::fmt::Debug for Resampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resampler")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("input_len", &self.input_len)
            .field("output_len", &self.output_len)
            .field("delay", &self.delay)
            .finish()
    }
}

impl Resampler {
    /// A resampler from `from` Hz to `to` Hz with chunks of about 10 ms (exactly
    /// 10 ms whenever 10 ms at both rates is a whole number of the ratio's
    /// smallest block, as for every pair among 8, 16, 32, 44.1 and 48 kHz).
    pub fn new(from: u32, to: u32) -> Result<Self, ResampleError> {
        let error = |detail: String| ResampleError { from, to, detail };
        if from == 0 || to == 0 {
            return Err(error("a rate of 0 Hz".into()));
        }
        let ten_ms = (from as usize).div_ceil(100);
        if from == to {
            return Ok(Resampler {
                from,
                to,
                fft: None,
                input_len: ten_ms,
                output_len: ten_ms,
                delay: 0,
                scratch_in: Vec::new(),
                scratch_out: Vec::new(),
            });
        }
        // One FFT block per chunk: the delay stays at half a chunk.
        let fft = Fft::<f32>::new_custom(
            from as usize,
            to as usize,
            ten_ms,
            1,
            1,
            rubato::WindowFunction::BlackmanHarris2,
            FixedSync::Both,
        )
        .map_err(|e| error(e.to_string()))?;
        let input_len = fft.input_frames_next();
        let output_len = fft.output_frames_next();
        let delay = fft.output_delay();
        Ok(Resampler {
            from,
            to,
            input_len,
            output_len,
            delay,
            scratch_in: vec![0.0; input_len],
            scratch_out: vec![0.0; output_len],
            fft: Some(fft),
        })
    }

    /// The input rate in Hz.
    pub fn from_rate(&self) -> u32 {
        self.from
    }

    /// The output rate in Hz.
    pub fn to_rate(&self) -> u32 {
        self.to
    }

    /// Samples taken by each [`process`](Self::process) call.
    pub fn input_len(&self) -> usize {
        self.input_len
    }

    /// Samples given by each [`process`](Self::process) call.
    pub fn output_len(&self) -> usize {
        self.output_len
    }

    /// How many output samples the output lags the input by (the filter's
    /// delay, not counting the wait for a whole chunk).
    pub fn delay(&self) -> usize {
        self.delay
    }

    /// Converts one chunk. `input` must hold [`input_len`](Self::input_len)
    /// samples and `output` [`output_len`](Self::output_len) (checked: a
    /// wrong length is a programming error and panics). Samples are floats
    /// in -1.0..=1.0. Never allocates.
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) {
        assert_eq!(input.len(), self.input_len, "resampler input length");
        assert_eq!(output.len(), self.output_len, "resampler output length");
        let Some(fft) = self.fft.as_mut() else {
            output.copy_from_slice(input);
            return;
        };
        let len = output.len();
        let done = match (
            InterleavedSlice::new(input, 1, input.len()),
            InterleavedSlice::new_mut(&mut *output, 1, len),
        ) {
            (Ok(adapter_in), Ok(mut adapter_out)) => fft
                .process_into_buffer(&adapter_in, &mut adapter_out, None)
                .is_ok(),
            _ => false,
        };
        // The lengths were checked above, so rubato has nothing to refuse;
        // should it ever, the chunk comes out silent rather than stale.
        if !done {
            output.fill(0.0);
        }
    }

    /// [`process`](Self::process) for 16-bit samples.
    pub fn process_i16(&mut self, input: &[i16], output: &mut [i16]) {
        assert_eq!(input.len(), self.input_len, "resampler input length");
        assert_eq!(output.len(), self.output_len, "resampler output length");
        if self.fft.is_none() {
            output.copy_from_slice(input);
            return;
        }
        let mut scratch_in = std::mem::take(&mut self.scratch_in);
        let mut scratch_out = std::mem::take(&mut self.scratch_out);
        for (f, &s) in scratch_in.iter_mut().zip(input) {
            *f = i16_to_f32(s);
        }
        self.process(&scratch_in, &mut scratch_out);
        for (s, &f) in output.iter_mut().zip(&scratch_out) {
            *s = f32_to_i16(f);
        }
        self.scratch_in = scratch_in;
        self.scratch_out = scratch_out;
    }

    /// Forgets the audio seen so far (a new stream starts).
    pub fn reset(&mut self) {
        if let Some(fft) = self.fft.as_mut() {
            fft.reset();
        }
    }
}

/// A sample as a float in -1.0..1.0.
pub fn i16_to_f32(s: i16) -> f32 {
    s as f32 / 32768.0
}

/// A float sample as 16 bits, clipped.
pub fn f32_to_i16(f: f32) -> i16 {
    (f * 32768.0).round().clamp(-32768.0, 32767.0) as i16
}

/// A [`Resampler`] fed pieces of any length: input waits in a FIFO until a
/// chunk is whole, output waits in another until taken. Both FIFOs are
/// bounded and allocated up front; what does not fit is dropped (and
/// counted), so nothing allocates after [`Converter::new`].
pub struct Converter {
    resampler: Resampler,
    pending: Vec<f32>,
    filled: usize,
    chunk_out: Vec<f32>,
    out: VecDeque<f32>,
    out_capacity: usize,
    dropped: u64,
}

impl std::fmt::Debug for Converter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Converter")
            .field("resampler", &self.resampler)
            .field("filled", &self.filled)
            .field("ready", &self.out.len())
            .field("dropped", &self.dropped)
            .finish()
    }
}

impl Converter {
    /// From `from` Hz to `to` Hz, holding at most `max_ready` converted
    /// samples (at least one chunk's worth is always allowed).
    pub fn new(from: u32, to: u32, max_ready: usize) -> Result<Self, ResampleError> {
        let resampler = Resampler::new(from, to)?;
        let out_capacity = max_ready.max(resampler.output_len());
        Ok(Converter {
            pending: vec![0.0; resampler.input_len()],
            filled: 0,
            chunk_out: vec![0.0; resampler.output_len()],
            out: VecDeque::with_capacity(out_capacity),
            out_capacity,
            dropped: 0,
            resampler,
        })
    }

    /// The resampler inside (rates, chunk sizes, delay).
    pub fn resampler(&self) -> &Resampler {
        &self.resampler
    }

    /// Samples still needed before the next chunk is converted.
    pub fn wanted(&self) -> usize {
        self.resampler.input_len() - self.filled
    }

    /// Feeds samples; whole chunks are converted at once.
    pub fn push(&mut self, mut input: &[f32]) {
        while !input.is_empty() {
            let take = self.wanted().min(input.len());
            self.pending[self.filled..self.filled + take].copy_from_slice(&input[..take]);
            self.filled += take;
            input = &input[take..];
            if self.filled == self.pending.len() {
                self.convert_pending();
            }
        }
    }

    /// Feeds samples given one at a time (straight out of a ring buffer).
    pub fn push_iter(&mut self, input: impl IntoIterator<Item = f32>) {
        for s in input {
            self.pending[self.filled] = s;
            self.filled += 1;
            if self.filled == self.pending.len() {
                self.convert_pending();
            }
        }
    }

    fn convert_pending(&mut self) {
        self.filled = 0;
        self.resampler.process(&self.pending, &mut self.chunk_out);
        for &s in &self.chunk_out {
            if self.out.len() == self.out_capacity {
                self.out.pop_front();
                self.dropped += 1;
            }
            self.out.push_back(s);
        }
    }

    /// Converted samples waiting to be taken.
    pub fn ready(&self) -> usize {
        self.out.len()
    }

    /// Takes `dst.len()` converted samples if that many are ready (true);
    /// otherwise takes nothing (false).
    pub fn pop(&mut self, dst: &mut [f32]) -> bool {
        if self.out.len() < dst.len() {
            return false;
        }
        let n = dst.len();
        for (d, s) in dst.iter_mut().zip(self.out.drain(..n)) {
            *d = s;
        }
        true
    }

    /// Takes up to `dst.len()` ready samples; returns how many.
    pub fn pop_some(&mut self, dst: &mut [f32]) -> usize {
        let n = dst.len().min(self.out.len());
        for (d, s) in dst.iter_mut().zip(self.out.drain(..n)) {
            *d = s;
        }
        n
    }

    /// Output samples thrown away because the output FIFO was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Empties both FIFOs and the resampler's memory.
    pub fn clear(&mut self) {
        self.filled = 0;
        self.out.clear();
        self.resampler.reset();
    }
}

#[cfg(test)]
#[path = "resample_tests.rs"]
mod tests;
