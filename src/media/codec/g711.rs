//! G.711 (ITU-T G.711): PCMU (µ-law) and PCMA (A-law) companding of 16-bit
//! linear PCM at 8 kHz, and a packet-loss concealment in the style of
//! G.711 Appendix I (pitch-period repetition from history, growing to two
//! and three periods on longer losses, fading to silence after 60 ms, and a
//! cross-fade back into the first good frame). The concealment also runs at
//! 16 kHz for G.722 ([`G711Plc::with_rate`]).
//!
//! Sans-IO and allocation-free per sample: the companding functions are pure,
//! decoding goes through 256-entry tables built at compile time.

/// µ-law bias added to the magnitude before segment search (0x84 = 132).
const ULAW_BIAS: i32 = 0x84;
/// Largest magnitude µ-law can represent before clipping.
const ULAW_CLIP: i32 = 32635;

/// Encode one linear sample to µ-law (G.711, the standard segment algorithm).
pub fn linear_to_ulaw(pcm: i16) -> u8 {
    let mut v = pcm as i32;
    let mask: u8 = if v < 0 {
        v = -v;
        0x7F
    } else {
        0xFF
    };
    v = v.min(ULAW_CLIP) + ULAW_BIAS;
    // Segment: position of the highest set bit above bit 7 (v <= 0x7FFF here).
    let seg = (31 - (v as u32).leading_zeros()).saturating_sub(7).min(7) as i32;
    let uval = ((seg << 4) | ((v >> (seg + 3)) & 0x0F)) as u8;
    uval ^ mask
}

/// Decode one µ-law byte to linear PCM.
pub const fn ulaw_to_linear(code: u8) -> i16 {
    let u = !code;
    let mut t = (((u & 0x0F) as i32) << 3) + ULAW_BIAS;
    t <<= ((u & 0x70) >> 4) as i32;
    if u & 0x80 != 0 {
        (ULAW_BIAS - t) as i16
    } else {
        (t - ULAW_BIAS) as i16
    }
}

/// Encode one linear sample to A-law (G.711, 13-bit segment algorithm).
pub fn linear_to_alaw(pcm: i16) -> u8 {
    let mut v = (pcm as i32) >> 3;
    let mask: u8 = if v >= 0 {
        0xD5
    } else {
        v = -v - 1;
        0x55
    };
    // Segment ends 0x1F, 0x3F, ..., 0xFFF; v <= 0xFFF always.
    let seg = (32 - (v as u32).leading_zeros()).saturating_sub(5).min(7) as i32;
    let mant = if seg < 2 {
        (v >> 1) & 0x0F
    } else {
        (v >> seg) & 0x0F
    };
    (((seg << 4) | mant) as u8) ^ mask
}

/// Decode one A-law byte to linear PCM.
pub const fn alaw_to_linear(code: u8) -> i16 {
    let a = code ^ 0x55;
    let mut t = ((a & 0x0F) as i32) << 4;
    let seg = ((a & 0x70) >> 4) as i32;
    match seg {
        0 => t += 8,
        1 => t += 0x108,
        _ => {
            t += 0x108;
            t <<= seg - 1;
        }
    }
    if a & 0x80 != 0 {
        t as i16
    } else {
        -t as i16
    }
}

const fn table(alaw: bool) -> [i16; 256] {
    let mut t = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if alaw {
            alaw_to_linear(i as u8)
        } else {
            ulaw_to_linear(i as u8)
        };
        i += 1;
    }
    t
}

static ULAW_TABLE: [i16; 256] = table(false);
static ALAW_TABLE: [i16; 256] = table(true);

/// Encode PCM to µ-law, appending one byte per sample to `out`.
pub fn encode_ulaw(pcm: &[i16], out: &mut Vec<u8>) {
    out.extend(pcm.iter().map(|&s| linear_to_ulaw(s)));
}

/// Decode µ-law bytes, appending one sample per byte to `out`.
pub fn decode_ulaw(bytes: &[u8], out: &mut Vec<i16>) {
    out.extend(bytes.iter().map(|&b| ULAW_TABLE[b as usize]));
}

/// Encode PCM to A-law, appending one byte per sample to `out`.
pub fn encode_alaw(pcm: &[i16], out: &mut Vec<u8>) {
    out.extend(pcm.iter().map(|&s| linear_to_alaw(s)));
}

/// Decode A-law bytes, appending one sample per byte to `out`.
pub fn decode_alaw(bytes: &[u8], out: &mut Vec<i16>) {
    out.extend(bytes.iter().map(|&b| ALAW_TABLE[b as usize]));
}

/// History kept for concealment (48.75 ms, as in Appendix I), in 8 kHz
/// samples; [`G711Plc::with_rate`] scales this and the lengths below.
const HISTORY_LEN: usize = 390;
/// Shortest pitch period searched (200 Hz).
const PITCH_MIN: usize = 40;
/// Longest pitch period searched (66.7 Hz).
const PITCH_MAX: usize = 120;
/// Window correlated when estimating the pitch (20 ms).
const CORR_LEN: usize = 160;
/// Samples per 10 ms at 8 kHz.
const TEN_MS: usize = 80;
/// Shortest cross-fade into the first good frame after a loss (4 ms).
const FADE_MIN: usize = 32;

/// Packet-loss concealment in the style of G.711 Appendix I, for mono PCM
/// at 8 kHz ([`G711Plc::new`]) or a multiple of it ([`G711Plc::with_rate`],
/// e.g. 16 kHz for G.722): every length scales with the rate, so the timing
/// (10 ms steps, silence after 60 ms) is the same at any rate.
///
/// Feed every decoded good frame through [`G711Plc::good`] (which records
/// history and, right after a loss, cross-fades from the concealment into the
/// real signal), and call [`G711Plc::conceal`] for each lost frame.
#[derive(Debug, Clone)]
pub struct G711Plc {
    /// Samples per 8 kHz sample: 1 at 8 kHz, 2 at 16 kHz.
    scale: usize,
    /// `HISTORY_LEN * scale` samples, newest last.
    history: Vec<i16>,
    /// Estimated pitch period of the current loss.
    pitch: usize,
    /// Number of pitch periods being repeated (1, 2 or 3).
    periods: usize,
    /// Read position within the repeated periods.
    pos: usize,
    /// Consecutive concealed samples so far (0 = not in a loss).
    lost: usize,
}

impl Default for G711Plc {
    fn default() -> Self {
        Self::new()
    }
}

impl G711Plc {
    /// A concealer for 8 kHz with silent history.
    pub fn new() -> Self {
        Self::with_rate(8000)
    }

    /// A concealer for `rate` Hz with silent history. The rate is rounded
    /// down to a multiple of 8000 (at least 8000): 16000 for G.722.
    pub fn with_rate(rate: u32) -> Self {
        let scale = (rate / 8000).max(1) as usize;
        Self {
            scale,
            history: vec![0; HISTORY_LEN * scale],
            pitch: PITCH_MIN * scale,
            periods: 1,
            pos: 0,
            lost: 0,
        }
    }

    /// The sample rate this concealer works at.
    pub fn rate(&self) -> u32 {
        8000 * self.scale as u32
    }

    /// Whether the last call was [`G711Plc::conceal`] (a loss is ongoing).
    pub fn in_loss(&self) -> bool {
        self.lost > 0
    }

    /// The pitch period (samples) used by the current or last concealment.
    pub fn pitch(&self) -> usize {
        self.pitch
    }

    /// Samples in 10 ms at this rate.
    fn ten_ms(&self) -> usize {
        TEN_MS * self.scale
    }

    /// Record a good decoded frame; after a loss, its start is cross-faded
    /// from the continued concealment so there is no click.
    pub fn good(&mut self, pcm: &mut [i16]) {
        if self.lost > 0 {
            // 4 ms, plus 4 ms per further 10 ms lost, at most 10 ms.
            let (ten_ms, fade) = (self.ten_ms(), FADE_MIN * self.scale);
            let extra = (self.lost.saturating_sub(1) / ten_ms) * fade;
            let len = (fade + extra).min(ten_ms).min(pcm.len());
            for (i, s) in pcm.iter_mut().take(len).enumerate() {
                let synth = self.next_sample() as f32;
                let w = (i + 1) as f32 / (len + 1) as f32;
                *s = (synth * (1.0 - w) + *s as f32 * w).round() as i16;
            }
            self.lost = 0;
        }
        self.push_history(pcm);
    }

    /// Fill `out` with concealment for lost samples, continuing any loss
    /// already under way.
    pub fn conceal(&mut self, out: &mut [i16]) {
        if self.lost == 0 {
            self.pitch = self.estimate_pitch();
            self.periods = 1;
            self.pos = 0;
        }
        for s in out.iter_mut() {
            *s = self.next_sample();
        }
        self.push_history(out);
    }

    /// One concealment sample: repeat periods from history, fading out.
    fn next_sample(&mut self) -> i16 {
        let ten_ms = self.ten_ms();
        // Use more periods after 10 and 20 ms so the result is less buzzy.
        let want = (self.lost / ten_ms + 1).min(3);
        // `want` only changes on 10 ms boundaries; `pos` stays in range
        // because the buffer only grows.
        self.periods = want;
        let v = self.period_sample(self.pos, self.periods);
        self.pos = (self.pos + 1) % (self.pitch * self.periods);
        let gain = if self.lost < ten_ms {
            1.0
        } else if self.lost >= 6 * ten_ms {
            // Silent after 60 ms.
            0.0
        } else {
            // 20 % down per 10 ms after the first 10 ms.
            1.0 - 0.2 * (self.lost - ten_ms) as f32 / ten_ms as f32
        };
        self.lost += 1;
        (v * gain.max(0.0)).round() as i16
    }

    /// Sample `i` of the last `n` pitch periods of the history snapshot taken
    /// when the loss began, with the wrap smoothed over a quarter period.
    fn period_sample(&self, i: usize, n: usize) -> f32 {
        let p = self.pitch;
        let len = p * n;
        // History is frozen during a loss (see `push_history`).
        let start = self.history.len() - len;
        let ov = (p / 4).max(1);
        let x = self.history[start + i] as f32;
        if i + ov >= len {
            // Blend the end of the buffer into what precedes its start, so
            // wrapping back to the start is continuous.
            let k = i + ov - len; // 0..ov
            let w = (k + 1) as f32 / (ov + 1) as f32;
            let before = self.history[start - ov + k] as f32;
            x * (1.0 - w) + before * w
        } else {
            x
        }
    }

    fn push_history(&mut self, pcm: &[i16]) {
        if self.lost > 0 {
            // Keep the pre-loss snapshot intact while concealing.
            return;
        }
        let len = self.history.len();
        if pcm.len() >= len {
            self.history.copy_from_slice(&pcm[pcm.len() - len..]);
        } else {
            self.history.copy_within(pcm.len().., 0);
            self.history[len - pcm.len()..].copy_from_slice(pcm);
        }
    }

    /// Pitch period maximising the normalised correlation of the last 20 ms
    /// with the signal one period earlier.
    fn estimate_pitch(&self) -> usize {
        let (h, k) = (&self.history, self.scale);
        let (len, corr) = (h.len(), CORR_LEN * k);
        let tail = &h[len - corr..];
        let mut best = PITCH_MIN * k;
        let mut best_score = f64::MIN;
        for lag in PITCH_MIN * k..=PITCH_MAX * k {
            let from = len - corr - lag;
            let other = &h[from..from + corr];
            let (mut xy, mut yy) = (0f64, 0f64);
            for (&a, &b) in tail.iter().zip(other) {
                xy += a as f64 * b as f64;
                yy += b as f64 * b as f64;
            }
            let score = if yy > 0.0 { xy / yy.sqrt() } else { 0.0 };
            // Strictly greater: prefer the shortest of equal lags.
            if score > best_score + 1e-9 {
                best_score = score;
                best = lag;
            }
        }
        best
    }
}

#[cfg(test)]
#[path = "g711_tests.rs"]
mod tests;
