//! Measures the codec tests share: level, peak, the power of one
//! frequency (Goertzel) and zero crossings of a decoded signal.

/// Root mean square of `s`.
pub(super) fn rms(s: &[i16]) -> f64 {
    (s.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / s.len() as f64).sqrt()
}

/// The largest magnitude in `s`.
pub(super) fn peak(s: &[i16]) -> i32 {
    s.iter().map(|&x| (x as i32).abs()).max().unwrap_or(0)
}

/// Power of `freq` in `s` sampled at `rate` (Goertzel), normalised by length.
pub(super) fn goertzel(s: &[i16], freq: f64, rate: f64) -> f64 {
    let k = 2.0 * (std::f64::consts::TAU * freq / rate).cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &x in s {
        let s0 = x as f64 + k * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    (s1 * s1 + s2 * s2 - k * s1 * s2) / (s.len() as f64).powi(2)
}

/// Sign changes, skipping exact zeros.
pub(super) fn zero_crossings(s: &[i16]) -> usize {
    let mut signs = s.iter().filter(|&&x| x != 0).map(|&x| x > 0);
    let Some(mut last) = signs.next() else {
        return 0;
    };
    signs
        .filter(|&now| std::mem::replace(&mut last, now) != now)
        .count()
}
