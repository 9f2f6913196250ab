use std::f64::consts::TAU;

use super::*;
use crate::audio::level::{dominant_tone, rms_dbfs, tone_amplitude};

fn tone(freq: f64, amplitude: f64, rate: u32, n: usize) -> Vec<i16> {
    (0..n)
        .map(|i| (amplitude * 32767.0 * (TAU * freq * i as f64 / rate as f64).sin()).round() as i16)
        .collect()
}

/// Runs `input` through `r` chunk by chunk; the output's first `skip`
/// samples (the filter's delay and its settling) are dropped.
fn run(r: &mut Resampler, input: &[i16]) -> Vec<i16> {
    let mut out = vec![];
    let mut chunk = vec![0i16; r.output_len()];
    for piece in input.chunks_exact(r.input_len()) {
        r.process_i16(piece, &mut chunk);
        out.extend_from_slice(&chunk);
    }
    out
}

#[test]
fn ten_ms_chunks_between_48k_and_the_codec_and_device_rates() {
    for (from, to, input, output) in [
        (48_000, 8_000, 480, 80),
        (8_000, 48_000, 80, 480),
        (48_000, 16_000, 480, 160),
        (16_000, 48_000, 160, 480),
        (44_100, 48_000, 441, 480),
        (48_000, 44_100, 480, 441),
        (32_000, 48_000, 320, 480),
        (48_000, 48_000, 480, 480),
    ] {
        let r = Resampler::new(from, to).unwrap();
        assert_eq!(
            (r.input_len(), r.output_len()),
            (input, output),
            "{from} -> {to}"
        );
        // Half a 10 ms chunk at the output rate (none for a copy).
        let half = if from == to { 0 } else { output / 2 };
        assert_eq!(r.delay(), half, "{from} -> {to}");
    }
    assert!(Resampler::new(0, 48_000).is_err());
    assert!(Resampler::new(48_000, 0).is_err());
}

#[test]
#[should_panic(expected = "resampler input length")]
fn a_wrong_chunk_length_is_refused() {
    let mut r = Resampler::new(48_000, 8_000).unwrap();
    r.process_i16(&[0; 479], &mut [0; 80]);
}

#[test]
fn a_tone_keeps_its_frequency_and_level_down_and_up() {
    for codec in [8_000u32, 16_000] {
        let input = tone(1000.0, 0.5, 48_000, 48_000);
        let mut down = Resampler::new(48_000, codec).unwrap();
        let low = run(&mut down, &input);
        assert_eq!(low.len(), codec as usize, "one second in, one second out");
        let settled = &low[codec as usize / 10..];
        let (f, a) = dominant_tone(settled, codec, 100.0, codec as f64 / 2.0 - 100.0);
        assert!((f - 1000.0).abs() <= 1.0, "{codec} Hz: tone at {f} Hz");
        assert!((a - 0.5).abs() < 0.01, "{codec} Hz: amplitude {a}");

        let mut up = Resampler::new(codec, 48_000).unwrap();
        let back = run(&mut up, &low);
        assert_eq!(back.len(), 48_000);
        let settled = &back[4800..];
        let (f, a) = dominant_tone(settled, 48_000, 100.0, 20_000.0);
        assert!((f - 1000.0).abs() <= 1.0, "back from {codec} Hz: {f} Hz");
        assert!(
            (a - 0.5).abs() < 0.01,
            "back from {codec} Hz: amplitude {a}"
        );
        // Nothing much besides the tone: the level is the tone's.
        assert!((rms_dbfs(settled) - (20.0 * 0.5f64.log10() - 3.01)).abs() < 0.2);
    }
}

#[test]
fn the_delay_is_what_it_says() {
    // A click at sample 0 comes out `delay` samples late, give or take the
    // filter's spread of one sample.
    for (from, to) in [(48_000, 8_000), (8_000, 48_000), (44_100, 48_000)] {
        let mut r = Resampler::new(from, to).unwrap();
        let mut input = vec![0i16; r.input_len() * 4];
        input[0] = 30_000;
        let out = run(&mut r, &input);
        let peak = out
            .iter()
            .enumerate()
            .max_by_key(|(_, s)| s.unsigned_abs())
            .map(|(i, _)| i)
            .unwrap();
        assert!(
            peak.abs_diff(r.delay()) <= 1,
            "{from} -> {to}: peak at {peak}, delay {}",
            r.delay()
        );
    }
}

#[test]
fn the_rate_a_device_runs_at_becomes_48k() {
    let input = tone(440.0, 0.3, 44_100, 44_100);
    let mut r = Resampler::new(44_100, 48_000).unwrap();
    let out = run(&mut r, &input);
    assert_eq!(out.len(), 48_000);
    let a = tone_amplitude(&out[4800..], 48_000, 440.0);
    assert!((a - 0.3).abs() < 0.01, "{a}");
}

#[test]
fn converter_takes_pieces_of_any_length() {
    // A device at 22.05 kHz hands over periods of 256 samples; 10 ms frames
    // at 48 kHz come out.
    let input = tone(1000.0, 0.4, 22_050, 22_050);
    let floats: Vec<f32> = input.iter().map(|&s| i16_to_f32(s)).collect();
    let mut c = Converter::new(22_050, 48_000, 4800).unwrap();
    let mut frames = vec![];
    let mut frame = [0f32; 480];
    for piece in floats.chunks(256) {
        c.push(piece);
        while c.pop(&mut frame) {
            frames.extend(frame.iter().map(|&f| f32_to_i16(f)));
        }
    }
    // One second minus at most a chunk still waiting.
    let chunk = c.resampler().output_len();
    assert!(frames.len() + chunk + 480 >= 48_000, "{}", frames.len());
    assert_eq!(frames.len() % 480, 0);
    let (f, a) = dominant_tone(&frames[4800..], 48_000, 100.0, 10_000.0);
    assert!(
        (f - 1000.0).abs() <= 1.0 && (a - 0.4).abs() < 0.01,
        "{f} Hz {a}"
    );
    assert_eq!(c.dropped(), 0);
}

#[test]
fn converter_output_is_bounded() {
    let mut c = Converter::new(48_000, 8_000, 160).unwrap();
    c.push(&[0.1; 480 * 5]);
    assert_eq!(c.ready(), 160);
    assert_eq!(c.dropped(), 80 * 5 - 160);
    let mut out = [0f32; 100];
    assert_eq!(c.pop_some(&mut out), 100);
    assert!(!c.pop(&mut out));
    c.clear();
    assert_eq!(c.ready(), 0);
    assert_eq!(c.wanted(), 480);
}

#[test]
fn sample_conversions_round_trip_and_clip() {
    for s in [i16::MIN, -1, 0, 1, 12345, i16::MAX] {
        assert_eq!(f32_to_i16(i16_to_f32(s)), s);
    }
    assert_eq!(f32_to_i16(1.5), i16::MAX);
    assert_eq!(f32_to_i16(-1.5), i16::MIN);
}
