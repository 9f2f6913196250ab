use super::super::test_signal::{goertzel, rms, zero_crossings};
use super::*;
use std::f64::consts::TAU;

fn sine(freq: f64, amp: f64, from: usize, n: usize) -> Vec<i16> {
    (from..from + n)
        .map(|i| (amp * (i as f64 * TAU * freq / 48_000.0).sin()).round() as i16)
        .collect()
}

/// A voiced-speech-like signal: a gliding 110-150 Hz harmonic series with
/// a 3 Hz syllable envelope, plus a little noise.
fn speechlike(n: usize) -> Vec<i16> {
    let mut seed = 7u32;
    (0..n)
        .map(|i| {
            let t = i as f64 / 48_000.0;
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = ((seed >> 16) as f64 / 65_536.0 - 0.5) * 600.0;
            let env = 0.6 + 0.4 * (t * 3.0 * TAU).sin();
            let phase = TAU * (130.0 * t - 20.0 / (0.7 * TAU) * (t * 0.7 * TAU).cos());
            let v: f64 = (1..20).map(|h| (phase * h as f64).sin() / h as f64).sum();
            (env * v * 5000.0 + noise).clamp(-30_000.0, 30_000.0) as i16
        })
        .collect()
}

/// Signal-to-error ratio in dB of `got` against `want`.
fn snr(want: &[i16], got: &[i16]) -> f64 {
    let sig: f64 = want.iter().map(|&x| (x as f64).powi(2)).sum();
    let err: f64 = want
        .iter()
        .zip(got)
        .map(|(&a, &b)| (a as f64 - b as f64).powi(2))
        .sum();
    10.0 * (sig / err.max(1.0)).log10()
}

fn encode_all(codec: &mut Opus, pcm: &[i16]) -> Vec<Vec<u8>> {
    pcm.chunks(FRAME)
        .map(|frame| {
            let mut p = Vec::new();
            codec.encode(frame, &mut p).unwrap();
            p
        })
        .collect()
}

#[test]
fn names_and_rates() {
    let c = Opus::default();
    assert_eq!(c.name(), "opus");
    assert_eq!((c.clock_rate(), c.sample_rate()), (48_000, 48_000));
    assert_eq!(c.samples_per_frame(), 960);
}

#[test]
fn a_1khz_tone_keeps_its_frequency_and_level() {
    let mut c = Opus::default();
    let tone = sine(1000.0, 8000.0, 0, 50 * FRAME);
    let mut back = Vec::new();
    for p in encode_all(&mut c, &tone) {
        assert!(p.len() > 2 && p.len() < 400, "{} bytes", p.len());
        c.decode(&p, &mut back).unwrap();
    }
    assert_eq!(back.len(), tone.len());
    // Past the codec delay and start-up: the last 0.8 s.
    let tail = &back[10 * FRAME..];
    let at = goertzel(tail, 1000.0, 48_000.0);
    for other in [500.0, 800.0, 1200.0, 2000.0] {
        let p = goertzel(tail, other, 48_000.0);
        assert!(at > 1000.0 * p, "1 kHz {at} vs {other} Hz {p}");
    }
    // 0.8 s of 1 kHz crosses zero 1600 times.
    let zc = zero_crossings(tail);
    assert!((1590..=1610).contains(&zc), "{zc} zero crossings");
    let db = 20.0 * (rms(tail) / rms(&tone[10 * FRAME..])).log10();
    assert!(db.abs() < 2.0, "level off by {db:.2} dB");
}

#[test]
fn encode_refuses_a_wrong_frame_length() {
    let mut c = Opus::default();
    let mut out = vec![9u8];
    for n in [0, 480, 959, 961, 1920] {
        assert_eq!(
            c.encode(&vec![0; n], &mut out),
            Err(CodecError::FrameLength {
                expected: 960,
                got: n
            })
        );
    }
    assert_eq!(out, [9], "nothing appended");
}

#[test]
fn dtx_sends_tiny_packets_in_silence_and_decoding_goes_on() {
    let silence = vec![0i16; 100 * FRAME];
    let tone = sine(440.0, 6000.0, 0, 10 * FRAME);
    let mut off = Opus::new(OpusSettings {
        dtx: false,
        ..OpusSettings::default()
    });
    let mut on = Opus::default();
    assert!(on.settings().dtx);
    for p in encode_all(&mut off, &[&tone[..], &silence[..]].concat()) {
        assert!(!Opus::is_dtx(&p), "no DTX packets with DTX off: {p:?}");
    }
    let packets = encode_all(&mut on, &[&tone[..], &silence[..], &tone[..]].concat());
    let silent = &packets[10..110];
    // libopus waits ~200 ms of silence, then sends only an occasional
    // comfort-noise update.
    assert!(!Opus::is_dtx(&silent[0]), "first silent frame is sent");
    let dtx = silent[20..].iter().filter(|p| Opus::is_dtx(p)).count();
    assert!(dtx >= 70, "{dtx} of 80 late silent frames are DTX");
    assert!(packets[..10].iter().all(|p| !Opus::is_dtx(p)));
    // A receiver that got everything (DTX frames included) or only the
    // sent frames (concealing the rest) keeps decoding.
    let mut all = Opus::default();
    let mut gaps = Opus::default();
    let (mut a, mut g) = (Vec::new(), Vec::new());
    for p in &packets {
        all.decode(p, &mut a).unwrap();
        if Opus::is_dtx(p) {
            gaps.conceal(1, &mut g);
        } else {
            gaps.decode(p, &mut g).unwrap();
        }
    }
    assert_eq!(a.len(), packets.len() * FRAME);
    assert_eq!(g.len(), packets.len() * FRAME);
    for out in [&a, &g] {
        assert!(
            rms(&out[60 * FRAME..100 * FRAME]) < 50.0,
            "quiet in silence"
        );
        let resumed = &out[112 * FRAME..];
        assert!(rms(resumed) > 2000.0, "tone back: {}", rms(resumed));
        assert!(goertzel(resumed, 440.0, 48_000.0) > 100.0 * goertzel(resumed, 880.0, 48_000.0));
    }
}

/// Decodes `packets` with frame `lost` missing, filled in by `fill`.
fn decode_with_loss(
    packets: &[Vec<u8>],
    lost: usize,
    fill: impl Fn(&mut Opus, &[u8], &mut Vec<i16>),
) -> Vec<i16> {
    let mut d = Opus::default();
    let mut out = Vec::new();
    for (i, p) in packets.iter().enumerate() {
        if i == lost {
            fill(&mut d, &packets[i + 1], &mut out);
        } else {
            d.decode(p, &mut out).unwrap();
        }
    }
    out
}

#[test]
fn fec_recovers_a_lost_frame_better_than_concealment() {
    let mut enc = Opus::new(OpusSettings {
        expected_loss_percent: 20,
        ..OpusSettings::default()
    });
    let packets = encode_all(&mut enc, &speechlike(60 * FRAME));
    let mut clean = Opus::default();
    let mut reference = Vec::new();
    for p in &packets {
        clean.decode(p, &mut reference).unwrap();
    }
    // libopus adds the FEC copy only where the previous frame was active
    // speech: here, all but the quieter stretches of the envelope.
    let with_fec: Vec<usize> = (5..58)
        .filter(|&i| Opus::has_fec(&packets[i + 1]))
        .collect();
    assert!(
        with_fec.len() > 30,
        "{} of 53 packets carry FEC",
        with_fec.len()
    );
    let (mut fec_db, mut plc_db) = (0.0, 0.0);
    for &lost in &with_fec {
        let fec = decode_with_loss(&packets, lost, |d, next, out| {
            let before = out.len();
            assert!(d.recover(next, out));
            assert_eq!(out.len() - before, FRAME);
        });
        let plc = decode_with_loss(&packets, lost, |d, _, out| d.conceal(1, out));
        assert_eq!((fec.len(), plc.len()), (reference.len(), reference.len()));
        let span = lost * FRAME..(lost + 1) * FRAME;
        fec_db += snr(&reference[span.clone()], &fec[span.clone()]);
        plc_db += snr(&reference[span.clone()], &plc[span]);
    }
    let n = with_fec.len() as f64;
    let (fec_db, plc_db) = (fec_db / n, plc_db / n);
    assert!(
        fec_db > plc_db + 3.0 && fec_db > 5.0,
        "FEC {fec_db:.1} dB vs concealment {plc_db:.1} dB"
    );
}

#[test]
fn no_fec_without_fec_or_on_garbage() {
    let mut enc = Opus::new(OpusSettings {
        fec: false,
        ..OpusSettings::default()
    });
    let packets = encode_all(&mut enc, &speechlike(20 * FRAME));
    let mut d = Opus::default();
    let mut out = Vec::new();
    for p in &packets[5..] {
        assert!(!Opus::has_fec(p));
        assert!(!d.recover(p, &mut out));
    }
    for junk in [&[][..], &[0xFF], &[0x0B, 0x00, 0x00], &[0x03, 0x00]] {
        assert!(!d.recover(junk, &mut out), "{junk:?}");
    }
    assert!(out.is_empty(), "nothing appended on false");
}

#[test]
fn concealment_continues_then_fades() {
    let mut c = Opus::default();
    let tone = sine(300.0, 8000.0, 0, 20 * FRAME);
    for p in encode_all(&mut c, &tone) {
        c.decode(&p, &mut Vec::new()).unwrap();
    }
    let mut out = vec![1i16; 3];
    c.conceal(12, &mut out);
    assert_eq!(out.len(), 3 + 12 * FRAME);
    let first = rms(&out[3..3 + FRAME]);
    let last = rms(&out[3 + 11 * FRAME..]);
    assert!(first > 2000.0, "first lost frame continues: {first}");
    assert!(last < first / 4.0, "fades: {first} -> {last}");
    // A fresh decoder conceals with silence.
    let mut fresh = Opus::default();
    let mut quiet = Vec::new();
    fresh.conceal(2, &mut quiet);
    assert_eq!(quiet.len(), 2 * FRAME);
    assert!(quiet.iter().all(|&s| s == 0));
}

#[test]
fn decodes_any_duration_up_to_120ms_and_stereo_to_mono() {
    // Packets our encoder never makes but a peer may send.
    let mut d = Opus::default();
    for (ms, channels) in [(10, 1), (40, 1), (60, 1), (20, 2), (60, 2)] {
        let ch = if channels == 1 {
            ::opus::Channels::Mono
        } else {
            ::opus::Channels::Stereo
        };
        let mut e = ::opus::Encoder::new(48_000, ch, ::opus::Application::Voip).unwrap();
        let n = 48 * ms;
        let pcm = sine(500.0, 5000.0, 0, n * channels);
        let mut buf = [0u8; 4000];
        let len = e.encode(&pcm, &mut buf).unwrap();
        let mut out = Vec::new();
        d.decode(&buf[..len], &mut out).unwrap();
        assert_eq!(out.len(), n, "{ms} ms, {channels} channels");
    }
    // 120 ms: six 20 ms frames repacketised into one packet.
    let mut e = Opus::default();
    let packets = encode_all(&mut e, &sine(500.0, 5000.0, 0, 6 * FRAME));
    let mut rp = ::opus::Repacketizer::new().unwrap();
    let refs: Vec<&[u8]> = packets.iter().map(|p| &p[..]).collect();
    let mut big = [0u8; 8000];
    let len = rp.combine(&refs, &mut big).unwrap();
    let mut out = Vec::new();
    d.decode(&big[..len], &mut out).unwrap();
    assert_eq!(out.len(), 6 * FRAME);
}

#[test]
fn malformed_payloads_are_errors() {
    let mut d = Opus::default();
    let mut out = Vec::new();
    let cases: [&[u8]; 6] = [
        // Empty: not an Opus packet (and not to be taken as a loss).
        &[],
        // Code 1 (two equal frames) with an odd number of frame bytes.
        &[0x79, 1, 2, 3],
        // Code 2 whose first frame length runs past the end.
        &[0x7A, 200, 1, 2],
        // Code 3 with zero frames.
        &[0x7B, 0x00],
        // Code 3 with 48 frames of 20 ms: 960 ms, over the 120 ms limit.
        &[0x7B, 48, 0, 0, 0],
        // Code 3 claiming padding longer than the packet.
        &[0x7B, 0x41, 0xFF, 1, 2],
    ];
    for bad in cases {
        let r = d.decode(bad, &mut out);
        assert!(
            matches!(r, Err(CodecError::BadPayload(_))),
            "{bad:?}: {r:?}"
        );
    }
    let huge = vec![0x78u8; MAX_PAYLOAD_BYTES + 1];
    assert!(matches!(
        d.decode(&huge, &mut out),
        Err(CodecError::BadPayload(_))
    ));
    assert!(out.is_empty(), "errors append nothing");
    // The decoder still works afterwards.
    let mut e = Opus::default();
    let p = encode_all(&mut e, &sine(500.0, 5000.0, 0, FRAME)).remove(0);
    d.decode(&p, &mut out).unwrap();
    assert_eq!(out.len(), FRAME);
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut d = Opus::default();
    let mut e = Opus::default();
    let valid = encode_all(&mut e, &speechlike(20 * FRAME));
    let mut seed = 0x1234_5678u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let mut out = Vec::new();
    let (mut ok, mut bad) = (0, 0);
    for i in 0..20_000 {
        let payload: Vec<u8> = if i % 2 == 0 {
            let len = (next() % 300) as usize;
            (0..len).map(|_| next() as u8).collect()
        } else {
            // A valid packet with a few bytes flipped or cut short.
            let mut p = valid[i % valid.len()].clone();
            for _ in 0..(next() % 4) {
                let at = next() as usize % p.len();
                p[at] ^= next() as u8;
            }
            p.truncate(next() as usize % (p.len() + 1));
            p
        };
        out.clear();
        match d.decode(&payload, &mut out) {
            Ok(()) => {
                ok += 1;
                assert!(out.len() <= MAX_PACKET_SAMPLES && out.len() % 120 == 0);
            }
            Err(CodecError::BadPayload(_)) => {
                bad += 1;
                assert!(out.is_empty());
            }
            Err(other) => panic!("{other:?}"),
        }
        let _ = Opus::has_fec(&payload);
        if d.recover(&payload, &mut out) {
            assert!(out.len() >= FRAME);
        }
    }
    assert!(ok > 1000 && bad > 1000, "{ok} decoded, {bad} refused");
}

#[test]
fn dtx_detection() {
    assert!(Opus::is_dtx(&[]));
    assert!(Opus::is_dtx(&[0x78]));
    assert!(Opus::is_dtx(&[0x78, 0x00]));
    assert!(!Opus::is_dtx(&[0x78, 0x00, 0x00]));
}

#[test]
fn fmtp_parameters_follow_rfc_7587() {
    let d = OpusSettings::default();
    assert_eq!(
        (d.bitrate, d.fec, d.dtx, d.cbr, d.complexity),
        (32_000, true, true, false, 5)
    );
    assert_eq!(d.max_bandwidth(), ::opus::Bandwidth::Fullband);

    // Absent parameters default to 0: no FEC, no DTX.
    let none = OpusSettings::from_fmtp("");
    assert!(!none.fec && !none.dtx && !none.cbr);
    assert_eq!(none.bitrate, 32_000);

    let s = OpusSettings::from_fmtp(
        "minptime=10; useinbandfec=1;usedtx=1 ; stereo=1; sprop-stereo=1; \
         MaxAverageBitrate=20000; maxplaybackrate=16000; cbr=1",
    );
    assert!(s.fec && s.dtx && s.cbr);
    assert_eq!(s.bitrate, 20_000);
    assert_eq!(s.max_playback_rate, 16_000);
    assert_eq!(s.max_bandwidth(), ::opus::Bandwidth::Wideband);

    // maxaveragebitrate only lowers; malformed values are ignored.
    let s = OpusSettings::from_fmtp("maxaveragebitrate=128000;useinbandfec=yes;usedtx=0");
    assert_eq!(s.bitrate, 32_000);
    assert!(!s.fec && !s.dtx);
    let s = OpusSettings::from_fmtp("maxaveragebitrate=lots;maxplaybackrate=-1;garbage;=;;");
    assert_eq!((s.bitrate, s.max_playback_rate), (32_000, 48_000));

    for (rate, bw) in [
        (8000, ::opus::Bandwidth::Narrowband),
        (12000, ::opus::Bandwidth::Mediumband),
        (24000, ::opus::Bandwidth::Superwideband),
        (44100, ::opus::Bandwidth::Fullband),
    ] {
        let s = OpusSettings::from_fmtp(&format!("maxplaybackrate={rate}"));
        assert_eq!(s.max_bandwidth(), bw, "{rate}");
    }
}

#[test]
fn settings_are_clamped_and_narrow_bandwidth_is_honoured() {
    let c = Opus::new(OpusSettings {
        bitrate: 1,
        expected_loss_percent: 250,
        complexity: 99,
        ..OpusSettings::default()
    });
    let s = c.settings();
    assert_eq!(
        (s.bitrate, s.expected_loss_percent, s.complexity),
        (6000, 100, 10)
    );
    // A peer that plays back at 8 kHz gets narrowband packets (TOC).
    let mut nb = Opus::new(OpusSettings::from_fmtp("maxplaybackrate=8000"));
    let packets = encode_all(&mut nb, &speechlike(10 * FRAME));
    for p in &packets[2..] {
        assert_eq!(
            ::opus::packet::get_bandwidth(p).unwrap(),
            ::opus::Bandwidth::Narrowband
        );
    }
}
