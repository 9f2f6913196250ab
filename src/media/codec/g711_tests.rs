use super::*;

#[test]
fn known_ulaw_values() {
    assert_eq!(linear_to_ulaw(0), 0xFF);
    assert_eq!(linear_to_ulaw(-1), 0x7F);
    assert_eq!(linear_to_ulaw(i16::MAX), 0x80);
    assert_eq!(linear_to_ulaw(i16::MIN), 0x00);
    assert_eq!(linear_to_ulaw(1000), 0xCE);
    assert_eq!(ulaw_to_linear(0xFF), 0);
    assert_eq!(ulaw_to_linear(0x7F), 0);
    assert_eq!(ulaw_to_linear(0x80), 32124);
    assert_eq!(ulaw_to_linear(0x00), -32124);
}

#[test]
fn known_alaw_values() {
    assert_eq!(linear_to_alaw(0), 0xD5);
    assert_eq!(linear_to_alaw(-1), 0x55);
    assert_eq!(linear_to_alaw(i16::MAX), 0xAA);
    assert_eq!(linear_to_alaw(i16::MIN), 0x2A);
    assert_eq!(alaw_to_linear(0xD5), 8);
    assert_eq!(alaw_to_linear(0x55), -8);
    assert_eq!(alaw_to_linear(0xAA), 32256);
    assert_eq!(alaw_to_linear(0x2A), -32256);
}

#[test]
fn every_code_decodes_and_re_encodes_to_itself() {
    for c in 0..=255u8 {
        if c != 0x7F {
            // 0x7F is µ-law's negative zero, which encodes as 0xFF.
            assert_eq!(linear_to_ulaw(ulaw_to_linear(c)), c, "µ-law {c:#x}");
        }
        assert_eq!(linear_to_alaw(alaw_to_linear(c)), c, "A-law {c:#x}");
    }
}

#[test]
fn round_trip_error_is_bounded_over_all_i16() {
    let (mut prev_u, mut prev_a) = (i16::MIN, i16::MIN);
    for x in i16::MIN..=i16::MAX {
        let xi = x as i32;
        let u = ulaw_to_linear(linear_to_ulaw(x)) as i32;
        let a = alaw_to_linear(linear_to_alaw(x)) as i32;
        // Half a quantisation step: at most ~1/32 of the magnitude (plus
        // the bias near zero), clipping beyond ±32635 for µ-law.
        assert!((u - xi).abs() <= (xi.abs() + 132) / 32, "µ-law {x} -> {u}");
        assert!(
            (a - xi).abs() <= (xi.abs() / 32).max(8) + 8,
            "A-law {x} -> {a}"
        );
        // Sign is kept (or the result is zero).
        assert!(u == 0 || (u > 0) == (xi > 0), "µ-law sign {x} -> {u}");
        assert!((a > 0) == (xi >= 0), "A-law sign {x} -> {a}");
        // Monotonic.
        assert!(u as i16 >= prev_u && a as i16 >= prev_a, "monotonic at {x}");
        prev_u = u as i16;
        prev_a = a as i16;
    }
}

#[test]
fn buffer_helpers_append() {
    let pcm = [0i16, 1000, -1000, i16::MAX];
    let (mut u, mut a) = (vec![1u8], vec![2u8]);
    encode_ulaw(&pcm, &mut u);
    encode_alaw(&pcm, &mut a);
    assert_eq!(u.len(), 5);
    assert_eq!(a.len(), 5);
    let (mut du, mut da) = (Vec::new(), Vec::new());
    decode_ulaw(&u[1..], &mut du);
    decode_alaw(&a[1..], &mut da);
    assert_eq!(du.len(), 4);
    assert_eq!(du[0], 0);
    assert_eq!(da[0], 8);
}

fn sine(period: f32, amp: f32, from: usize, n: usize) -> Vec<i16> {
    (from..from + n)
        .map(|i| (amp * (i as f32 * std::f32::consts::TAU / period).sin()).round() as i16)
        .collect()
}

fn energy(s: &[i16]) -> f64 {
    s.iter().map(|&x| (x as f64) * (x as f64)).sum::<f64>() / s.len() as f64
}

#[test]
fn conceal_with_no_history_is_silence() {
    let mut plc = G711Plc::new();
    let mut out = [7i16; 160];
    plc.conceal(&mut out);
    assert!(out.iter().all(|&s| s == 0));
    assert!(plc.in_loss());
}

#[test]
fn pitch_of_a_periodic_signal_is_found() {
    for period in [40usize, 57, 80, 100, 120] {
        let mut plc = G711Plc::new();
        let mut good = sine(period as f32, 8000.0, 0, 400);
        plc.good(&mut good);
        plc.conceal(&mut [0; 80]);
        let p = plc.pitch();
        assert!(
            p.is_multiple_of(period) || p.abs_diff(period) <= 1,
            "period {period}: {p}"
        );
    }
}

#[test]
fn first_10_ms_continue_the_waveform() {
    let mut plc = G711Plc::new();
    let mut good = sine(50.0, 10000.0, 0, 400);
    plc.good(&mut good);
    let mut out = [0i16; 80];
    plc.conceal(&mut out);
    let truth = sine(50.0, 10000.0, 400, 80);
    for (i, (o, t)) in out.iter().zip(&truth).enumerate() {
        assert!(
            (*o as i32 - *t as i32).abs() < 1500,
            "sample {i}: {o} vs {t}"
        );
    }
}

#[test]
fn fades_by_a_fifth_per_10_ms_and_is_silent_after_60_ms() {
    let mut plc = G711Plc::new();
    let mut good = sine(40.0, 10000.0, 0, 400);
    plc.good(&mut good);
    let mut energies = Vec::new();
    for _ in 0..8 {
        let mut out = [0i16; 80];
        plc.conceal(&mut out);
        energies.push(energy(&out));
    }
    assert!(energies[0] > 1e7, "full level first: {energies:?}");
    for w in energies[1..6].windows(2) {
        assert!(w[1] < w[0], "decreasing: {energies:?}");
    }
    assert_eq!(energies[6], 0.0);
    assert_eq!(energies[7], 0.0);
}

#[test]
fn good_frame_after_loss_is_cross_faded() {
    let mut plc = G711Plc::new();
    let mut good = sine(40.0, 10000.0, 0, 400);
    plc.good(&mut good);
    let mut lost = [0i16; 160];
    plc.conceal(&mut lost);
    // The resumed signal is the same tone with the opposite phase: without a
    // cross-fade the first sample would jump from the concealment.
    let mut next = sine(40.0, -10000.0, 560, 160);
    let raw = next.clone();
    plc.good(&mut next);
    assert!(!plc.in_loss());
    assert_ne!(next[..32], raw[..32], "start blended");
    assert_eq!(next[80..], raw[80..], "rest untouched");
    let jump = (next[0] as i32 - lost[159] as i32).abs();
    let raw_jump = (raw[0] as i32 - lost[159] as i32).abs();
    assert!(jump <= raw_jump, "{jump} vs {raw_jump}");
}

#[test]
fn longer_losses_and_odd_frame_sizes_do_not_panic() {
    let mut plc = G711Plc::new();
    let mut good = sine(73.0, 3000.0, 0, 1000);
    plc.good(&mut good);
    for n in [1usize, 7, 80, 160, 333, 1000] {
        let mut out = vec![0i16; n];
        plc.conceal(&mut out);
    }
    let mut short = vec![5i16; 3];
    plc.good(&mut short);
    assert_eq!(short.len(), 3);
}

#[test]
fn at_16_khz_lengths_scale_with_the_rate() {
    let mut plc = G711Plc::with_rate(16000);
    assert_eq!(plc.rate(), 16000);
    assert_eq!(G711Plc::new().rate(), 8000);
    // A 250 Hz tone: 64 samples per period at 16 kHz (32 at 8 kHz would be
    // below the 8 kHz search range, so this also checks the range scaled).
    let mut good = sine(64.0, 10000.0, 0, 800);
    plc.good(&mut good);
    let mut energies = Vec::new();
    let mut first = [0i16; 160];
    plc.conceal(&mut first);
    assert!(plc.pitch().is_multiple_of(64), "pitch {}", plc.pitch());
    let truth = sine(64.0, 10000.0, 800, 160);
    for (i, (o, t)) in first.iter().zip(&truth).enumerate() {
        assert!(
            (*o as i32 - *t as i32).abs() < 1500,
            "sample {i}: {o} vs {t}"
        );
    }
    energies.push(energy(&first));
    for _ in 0..7 {
        let mut out = [0i16; 160];
        plc.conceal(&mut out);
        energies.push(energy(&out));
    }
    assert!(energies[0] > 1e7, "full level first: {energies:?}");
    for w in energies[1..6].windows(2) {
        assert!(w[1] < w[0], "decreasing per 10 ms: {energies:?}");
    }
    assert_eq!(energies[6], 0.0, "silent after 60 ms (960 samples)");
    // The cross-fade back is 4 ms = 64 samples at least, at most 10 ms.
    let mut next = sine(64.0, -10000.0, 2080, 320);
    let raw = next.clone();
    plc.good(&mut next);
    assert_ne!(next[..64], raw[..64], "start blended");
    assert_eq!(next[160..], raw[160..], "after 10 ms untouched");
}
