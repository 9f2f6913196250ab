//! Measuring audio: the level of a stretch of samples in dBFS, the power at
//! one frequency (Goertzel) and the strongest tone in a band. Used by the
//! tests of the audio path (a tone survives resampling, a device records
//! what was played, the echo canceller removes echo) and fit for a level
//! meter in the settings screen.

use std::f64::consts::TAU;

/// Level of silence (and the floor of every measurement), in dBFS.
pub const FLOOR_DB: f64 = -120.0;

/// RMS level of 16-bit samples relative to full scale (a full-scale sine
/// reads about -3 dBFS). Empty or silent input reads [`FLOOR_DB`].
pub fn rms_dbfs(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return FLOOR_DB;
    }
    let sum: f64 = samples.iter().map(|&s| (s as f64) * (s as f64)).sum();
    let rms = (sum / samples.len() as f64).sqrt() / 32768.0;
    to_db(rms)
}

/// RMS level of float samples (full scale 1.0) in dBFS.
pub fn rms_dbfs_f32(samples: &[f32]) -> f64 {
    if samples.is_empty() {
        return FLOOR_DB;
    }
    let sum: f64 = samples.iter().map(|&s| (s as f64) * (s as f64)).sum();
    to_db((sum / samples.len() as f64).sqrt())
}

fn to_db(amplitude: f64) -> f64 {
    if amplitude <= 0.0 {
        FLOOR_DB
    } else {
        (20.0 * amplitude.log10()).max(FLOOR_DB)
    }
}

/// Amplitude (0.0..=1.0 of full scale) of the component at `freq` Hz in
/// `samples` taken at `rate` Hz, by the Goertzel algorithm with a Hann
/// window (a tone of amplitude A reads about A whatever its phase).
pub fn tone_amplitude(samples: &[i16], rate: u32, freq: f64) -> f64 {
    match Windowed::new(samples) {
        Some(w) => w.amplitude(rate, freq),
        None => 0.0,
    }
}

/// The strongest tone between `low` and `high` Hz, searched in 5 Hz steps
/// and refined to 1 Hz: `(frequency, amplitude)`.
pub fn dominant_tone(samples: &[i16], rate: u32, low: f64, high: f64) -> (f64, f64) {
    let Some(w) = Windowed::new(samples) else {
        return (low, 0.0);
    };
    let best = |from: f64, to: f64, step: f64| {
        let mut best = (from, 0.0);
        let mut f = from;
        while f <= to {
            let a = w.amplitude(rate, f);
            if a > best.1 {
                best = (f, a);
            }
            f += step;
        }
        best
    };
    let coarse = best(low, high, 5.0);
    best((coarse.0 - 5.0).max(low), (coarse.0 + 5.0).min(high), 1.0)
}

/// Samples under a Hann window, ready for Goertzel at any frequency.
struct Windowed {
    samples: Vec<f64>,
    window_sum: f64,
}

impl Windowed {
    fn new(samples: &[i16]) -> Option<Self> {
        let n = samples.len();
        if n < 2 {
            return None;
        }
        let mut window_sum = 0.0;
        let samples = samples
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let hann = 0.5 - 0.5 * (TAU * i as f64 / (n - 1) as f64).cos();
                window_sum += hann;
                x as f64 / 32768.0 * hann
            })
            .collect();
        Some(Windowed {
            samples,
            window_sum,
        })
    }

    fn amplitude(&self, rate: u32, freq: f64) -> f64 {
        let coeff = 2.0 * (TAU * freq / rate as f64).cos();
        let (mut s1, mut s2) = (0.0f64, 0.0f64);
        for &x in &self.samples {
            let s0 = x + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        2.0 * power.max(0.0).sqrt() / self.window_sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f64, amplitude: f64, rate: u32, n: usize) -> Vec<i16> {
        (0..n)
            .map(|i| (amplitude * 32767.0 * (TAU * freq * i as f64 / rate as f64).sin()) as i16)
            .collect()
    }

    #[test]
    fn levels_of_known_signals() {
        assert_eq!(rms_dbfs(&[]), FLOOR_DB);
        assert_eq!(rms_dbfs(&[0; 480]), FLOOR_DB);
        let full = tone(1000.0, 1.0, 48_000, 4800);
        assert!((rms_dbfs(&full) + 3.01).abs() < 0.05, "{}", rms_dbfs(&full));
        let tenth = tone(1000.0, 0.1, 48_000, 4800);
        assert!((rms_dbfs(&tenth) + 23.01).abs() < 0.05);
        let floats: Vec<f32> = tenth.iter().map(|&s| s as f32 / 32768.0).collect();
        assert!((rms_dbfs_f32(&floats) - rms_dbfs(&tenth)).abs() < 0.01);
    }

    #[test]
    fn goertzel_finds_the_tone_and_its_amplitude() {
        let s = tone(1000.0, 0.25, 48_000, 9600);
        assert!((tone_amplitude(&s, 48_000, 1000.0) - 0.25).abs() < 0.01);
        assert!(tone_amplitude(&s, 48_000, 1500.0) < 0.001);
        let (f, a) = dominant_tone(&s, 48_000, 100.0, 4000.0);
        assert!((f - 1000.0).abs() <= 1.0, "{f}");
        assert!((a - 0.25).abs() < 0.01, "{a}");
        let (f, _) = dominant_tone(&tone(437.0, 0.5, 8000, 8000), 8000, 100.0, 3900.0);
        assert!((f - 437.0).abs() <= 1.0, "{f}");
    }
}
