use super::super::test_signal::{goertzel, peak, rms, zero_crossings};
use super::*;
use ezk_g722::libg722::{decoder::Decoder, Bitrate};
use std::f64::consts::TAU;

fn sine(freq: f64, amp: f64, n: usize) -> Vec<i16> {
    (0..n)
        .map(|i| (amp * (i as f64 * TAU * freq / 16_000.0).sin()).round() as i16)
        .collect()
}

/// Voiced-speech-like: a gliding harmonic series with a 3 Hz envelope.
fn speechlike(n: usize) -> Vec<i16> {
    let mut seed = 2u32;
    (0..n)
        .map(|i| {
            let t = i as f64 / 16_000.0;
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = ((seed >> 16) as f64 / 65_536.0 - 0.5) * 2000.0;
            let env = 0.55 + 0.45 * (t * 3.0 * TAU).sin();
            let f0 = 140.0 + 40.0 * (t * 0.7 * TAU).sin();
            let v: f64 = (1..12)
                .map(|h| (t * f0 * h as f64 * TAU).sin() / h as f64)
                .sum();
            (env * v * 6000.0 + noise).clamp(-32_000.0, 32_000.0) as i16
        })
        .collect()
}

fn encode_all(codec: &mut G722, pcm: &[i16]) -> Vec<Vec<u8>> {
    pcm.chunks(FRAME)
        .map(|frame| {
            let mut p = Vec::new();
            codec.encode(frame, &mut p).unwrap();
            p
        })
        .collect()
}

#[test]
fn names_rates_and_payload_type() {
    let c = G722::new();
    assert_eq!((c.name(), c.payload_type()), ("G722", 9));
    assert_eq!(c.clock_rate(), 8000, "RFC 3551 4.5.2");
    assert_eq!(c.sample_rate(), 16_000);
    assert_eq!(c.samples_per_frame(), 320);
}

#[test]
fn frames_are_160_bytes_and_decode_to_320_samples() {
    let mut c = G722::new();
    let mut bytes = vec![7u8];
    c.encode(&sine(440.0, 5000.0, 320), &mut bytes).unwrap();
    assert_eq!(bytes.len(), 1 + FRAME_BYTES);
    let mut pcm = vec![1i16];
    c.decode(&bytes[1..], &mut pcm).unwrap();
    assert_eq!(pcm.len(), 1 + 320);
    c.decode(&[], &mut pcm).unwrap();
    assert_eq!(pcm.len(), 1 + 320, "empty payload decodes to nothing");
}

#[test]
fn encode_refuses_a_wrong_frame_length() {
    let mut c = G722::new();
    let mut out = Vec::new();
    for n in [0, 160, 319, 321, 640] {
        assert_eq!(
            c.encode(&vec![0; n], &mut out),
            Err(CodecError::FrameLength {
                expected: 320,
                got: n
            })
        );
    }
    assert!(out.is_empty());
}

/// Round trip of `freq` at 8000 amplitude: frequency and level kept.
fn round_trip(freq: f64) {
    let mut c = G722::new();
    let tone = sine(freq, 8000.0, 50 * FRAME);
    let mut back = Vec::new();
    for p in encode_all(&mut c, &tone) {
        c.decode(&p, &mut back).unwrap();
    }
    assert_eq!(back.len(), tone.len());
    // Past the start-up: the last 0.9 s.
    let tail = &back[5 * FRAME..];
    let at = goertzel(tail, freq, 16_000.0);
    // 8000 - freq: the mirror image the sub-band split must cancel.
    for other in [freq * 0.8, freq * 1.2, 8000.0 - freq, freq / 2.0] {
        let p = goertzel(tail, other, 16_000.0);
        assert!(at > 1000.0 * p, "{freq} Hz: {at} vs {other} Hz: {p}");
    }
    // 0.9 s of `freq` crosses zero 1.8 * freq times.
    let zc = zero_crossings(tail) as f64;
    assert!(
        (zc - 1.8 * freq).abs() <= 10.0,
        "{freq} Hz: {zc} zero crossings"
    );
    let db = 20.0 * (rms(tail) / rms(&tone[5 * FRAME..])).log10();
    assert!(db.abs() < 1.5, "{freq} Hz: level off by {db:.2} dB");
}

#[test]
fn a_1khz_tone_round_trips() {
    round_trip(1000.0);
}

#[test]
fn a_6khz_tone_round_trips_unlike_narrowband_g711() {
    round_trip(6000.0);
}

#[test]
fn concealment_fades_to_silence_like_g711() {
    let mut c = G722::new();
    let tone = sine(250.0, 8000.0, 10 * FRAME);
    for p in encode_all(&mut c, &tone) {
        c.decode(&p, &mut Vec::new()).unwrap();
    }
    let mut out = Vec::new();
    c.conceal(4, &mut out);
    assert_eq!(out.len(), 4 * FRAME);
    assert!(peak(&out[..160]) > 6000, "first 10 ms keep the tone");
    let tens: Vec<f64> = out.chunks(160).map(rms).collect();
    for w in tens[1..6].windows(2) {
        assert!(w[1] < w[0], "fading: {tens:?}");
    }
    assert!(out[960..].iter().all(|&s| s == 0), "silent after 60 ms");
    // Decoding resumes with the right samples count and the tone.
    let mut back = Vec::new();
    let more = sine(250.0, 8000.0, 20 * FRAME);
    for p in encode_all(&mut c, &more) {
        c.decode(&p, &mut back).unwrap();
    }
    assert_eq!(back.len(), 20 * FRAME);
    assert!(peak(&back[10 * FRAME..]) > 7000);
}

/// Decodes `packets` losing `lost` frames from `from`: the stale ADPCM
/// decoder of a plain implementation can come back louder than the signal.
#[test]
fn no_burst_after_a_loss() {
    let pcm = speechlike(40 * FRAME);
    let packets = encode_all(&mut G722::new(), &pcm);
    let mut clean = G722::new();
    let mut reference = Vec::new();
    for p in &packets {
        clean.decode(p, &mut reference).unwrap();
    }
    let mut worst_plain = 0.0f64;
    for lost in [1, 2, 3, 5, 10] {
        for from in [7, 13, 22] {
            let (mut ours, mut out) = (G722::new(), Vec::new());
            let mut plain = Decoder::new(Bitrate::Mode1_64000, false, false);
            let mut plain_out = Vec::new();
            for (i, p) in packets.iter().enumerate() {
                if (from..from + lost).contains(&i) {
                    ours.conceal(1, &mut out);
                    plain_out.extend(vec![0; FRAME]);
                } else {
                    ours.decode(p, &mut out).unwrap();
                    plain_out.extend(plain.decode(p));
                }
            }
            assert_eq!(out.len(), reference.len());
            let resumed = (from + lost) * FRAME..(from + lost + 2) * FRAME;
            let before = peak(&reference[(from - 1) * FRAME..from * FRAME]);
            let limit = before.max(peak(&reference[resumed.clone()]));
            let got = peak(&out[resumed.clone()]);
            assert!(
                got as f64 <= limit as f64 * 1.05,
                "{lost} lost at {from}: peak {got}, before {before}, limit {limit}"
            );
            let plain_peak = peak(&plain_out[resumed]);
            worst_plain = worst_plain.max(plain_peak as f64 / limit as f64);
        }
    }
    // The guard matters: without it the worst case is a real burst.
    assert!(worst_plain > 1.5, "plain decoder worst {worst_plain:.2}x");
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut c = G722::new();
    let mut seed = 0x9E37_79B9u32;
    let mut out = Vec::new();
    for i in 0..3000 {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let len = (seed % 400) as usize;
        let payload: Vec<u8> = (0..len)
            .map(|k| (seed.rotate_left(k as u32) ^ k as u32) as u8)
            .collect();
        out.clear();
        c.decode(&payload, &mut out).unwrap();
        assert_eq!(out.len(), 2 * len);
        if i % 7 == 0 {
            c.conceal(1 + i % 4, &mut out);
        }
    }
    // Extreme input: full-scale square waves and constant codes.
    let mut e = G722::new();
    let square: Vec<i16> = (0..FRAME)
        .map(|i| if i % 2 == 0 { i16::MAX } else { i16::MIN })
        .collect();
    for _ in 0..50 {
        e.encode(&square, &mut Vec::new()).unwrap();
        c.decode(&[0xFF; 160], &mut Vec::new()).unwrap();
        c.decode(&[0x00; 160], &mut Vec::new()).unwrap();
    }
}
