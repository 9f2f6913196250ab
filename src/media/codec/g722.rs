//! G.722 (ITU-T G.722, 64 kbit/s mode 1) for the softphone: 16 kHz
//! wideband PCM, 20 ms frames of 320 samples to 160 bytes, with the RTP
//! clock running at 8000 Hz as RFC 3551 §4.5.2 requires (static payload
//! type 9, SDP `G722/8000`).
//!
//! The sub-band ADPCM itself is `ezk_g722::libg722`, a Rust port of
//! libg722 (spandsp); this module owns framing and packet-loss concealment.
//! Losses are concealed with the Appendix I-style [`G711Plc`] running at
//! 16 kHz. The ADPCM decoder cannot follow the sender through a loss: its
//! predictor and step size are stale when packets resume, which can make
//! the first frames louder than the real signal. So after a short loss the
//! output is limited for 40 ms to the level heard before it (then
//! cross-faded from the concealment as G.711 does), and after a loss long
//! enough for the concealment to have faded to silence (60 ms) the decoder
//! restarts from its initial state, which fades the speech back in.

use ezk_g722::libg722::{decoder::Decoder, encoder::Encoder, Bitrate};

use super::g711::G711Plc;
use super::{AudioCodec, CodecError};

/// PCM samples in 20 ms at 16 kHz.
const FRAME: usize = 320;
/// Bytes per 20 ms frame at 64 kbit/s: one byte per pair of samples.
const FRAME_BYTES: usize = FRAME / 2;

/// Frames of concealment after which the decoder restarts (60 ms: the
/// concealment is silent by then).
const RESTART_AFTER: usize = 3;
/// Frames after a short loss whose level is limited (40 ms).
const GUARD_FRAMES: usize = 2;
/// Samples per step of the guard's gain (2.5 ms).
const GUARD_BLOCK: usize = 40;

/// A G.722 encoder and decoder pair at 64 kbit/s with concealment.
pub struct G722 {
    encoder: Encoder,
    decoder: Decoder,
    plc: G711Plc,
    /// Consecutive frames concealed so far.
    lost: usize,
    /// Frames still to limit after a short loss.
    guard: usize,
    /// Gain the guard ended its last block with.
    guard_gain: f32,
    /// Peak of the last good frame before the loss.
    peak: i32,
}

impl std::fmt::Debug for G722 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("G722")
            .field("in_loss", &self.plc.in_loss())
            .finish_non_exhaustive()
    }
}

impl Default for G722 {
    fn default() -> Self {
        Self::new()
    }
}

fn decoder() -> Decoder {
    // Argument order: rate, packed, eight_k.
    Decoder::new(Bitrate::Mode1_64000, false, false)
}

impl G722 {
    /// A codec in its initial state.
    pub fn new() -> Self {
        Self {
            // Argument order: rate, eight_k, packed. Unpacked 64 kbit/s is
            // one byte per sample pair, the RTP format (the port's packed
            // mode emits no bytes, so it must stay off).
            encoder: Encoder::new(Bitrate::Mode1_64000, false, false),
            decoder: decoder(),
            plc: G711Plc::with_rate(16000),
            lost: 0,
            guard: 0,
            guard_gain: 1.0,
            peak: 0,
        }
    }

    /// The static RTP payload type (RFC 3551): 9.
    pub fn payload_type(&self) -> u8 {
        9
    }

    /// Limit `pcm` to the pre-loss peak, the gain moving
    /// linearly within 2.5 ms blocks and back to 1 by the guard's end.
    fn limit(&mut self, pcm: &mut [i16]) {
        self.guard -= 1;
        let cap = (self.peak as f32).max(1000.0);
        let blocks = pcm.len().div_ceil(GUARD_BLOCK);
        for (b, block) in pcm.chunks_mut(GUARD_BLOCK).enumerate() {
            let peak = block.iter().map(|&s| (s as f32).abs()).fold(0.0, f32::max);
            let last = self.guard == 0 && b + 1 == blocks;
            let target = if last { 1.0 } else { (cap / peak).min(1.0) };
            let from = self.guard_gain.min(target);
            let n = block.len() as f32;
            for (i, s) in block.iter_mut().enumerate() {
                let g = from + (target - from) * (i + 1) as f32 / n;
                *s = (*s as f32 * g).round() as i16;
            }
            self.guard_gain = target;
        }
    }
}

impl AudioCodec for G722 {
    fn name(&self) -> &'static str {
        "G722"
    }

    /// 8000, not 16000: an RFC 1890 error kept for compatibility.
    fn clock_rate(&self) -> u32 {
        8000
    }

    fn sample_rate(&self) -> u32 {
        16000
    }

    fn samples_per_frame(&self) -> usize {
        FRAME
    }

    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) -> Result<(), CodecError> {
        CodecError::check_frame(pcm, FRAME)?;
        let start = out.len();
        out.extend_from_slice(&self.encoder.encode(pcm));
        debug_assert_eq!(out.len() - start, FRAME_BYTES);
        Ok(())
    }

    /// Any length is accepted (every byte is two samples); an empty payload
    /// decodes to nothing. (The port returns a fresh `Vec` per call, so
    /// this allocates once per frame.)
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> Result<(), CodecError> {
        let start = out.len();
        if self.lost >= RESTART_AFTER {
            self.decoder = decoder();
            self.guard = 0;
        } else if self.lost > 0 {
            self.guard = GUARD_FRAMES;
            self.guard_gain = 1.0;
        }
        self.lost = 0;
        out.extend_from_slice(&self.decoder.decode(payload));
        let pcm = &mut out[start..];
        if self.guard > 0 {
            self.limit(pcm);
        } else {
            self.peak = pcm.iter().map(|&s| (s as i32).abs()).max().unwrap_or(0);
        }
        self.plc.good(pcm);
        Ok(())
    }

    fn conceal(&mut self, frames_lost: usize, out: &mut Vec<i16>) {
        for _ in 0..frames_lost {
            let start = out.len();
            out.resize(start + FRAME, 0);
            self.plc.conceal(&mut out[start..]);
            self.lost += 1;
        }
    }
}

#[cfg(test)]
#[path = "g722_tests.rs"]
mod tests;
