use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::*;
use crate::audio::file::ToneInput;
use crate::audio::{AudioInput, FRAME};
use crate::media::codec::G711;
use crate::media::offer_answer::Codec;

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// Alice's view of a PCMU call with bob at port 4000 (RTCP 4001).
fn negotiated(remote_port: u16, direction: Direction) -> Negotiated {
    Negotiated {
        codec: Codec::Pcmu,
        send_pt: 0,
        recv_pt: 0,
        remote_fmtp: None,
        telephone_event: Some((101, 101)),
        remote_rtp: addr(remote_port),
        remote_rtcp: addr(remote_port + 1),
        direction,
        remote_ptime: Some(20),
    }
}

fn session(remote_port: u16) -> MediaSession {
    MediaSession::new(
        negotiated(remote_port, Direction::SendRecv),
        Box::new(G711::pcmu()),
        "test@hark",
    )
}

fn rms(x: &[i16]) -> f64 {
    (x.iter().map(|&s| (s as f64).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

fn crossings(x: &[i16]) -> usize {
    x.windows(2).filter(|w| (w[0] < 0) != (w[1] < 0)).count()
}

/// Runs `ms` of a call from `a` (fed `mic`) to `b`, returning b's speaker.
fn run(
    a: &mut MediaSession,
    b: &mut MediaSession,
    mic: &mut dyn AudioInput,
    ms: u64,
    t0: Instant,
    mut lose: impl FnMut(usize) -> bool,
) -> Vec<i16> {
    let mut heard = Vec::new();
    let mut frame = vec![0i16; FRAME];
    let mut sent = 0usize;
    for tick in 0..ms / 10 {
        let now = t0 + Duration::from_millis(tick * 10);
        mic.read(&mut frame);
        for datagram in a.capture(&frame, now) {
            sent += 1;
            if !lose(sent) {
                b.receive_rtp(addr(3000), &datagram, now);
            }
        }
        let mut out = vec![0i16; FRAME];
        b.playout(&mut out, now);
        heard.extend_from_slice(&out);
    }
    heard
}

#[test]
fn a_tone_crosses_the_call() {
    let (mut a, mut b) = (session(4000), session(3000));
    let mut tone = ToneInput::new(1000.0, 10000);
    let heard = run(&mut a, &mut b, &mut tone, 2000, Instant::now(), |_| false);
    assert_eq!(heard.len(), 2 * 48000);
    let tail = &heard[48000..];
    // One second of 1 kHz: 2000 zero crossings, level within 1 dB.
    let c = crossings(tail);
    assert!((1990..=2010).contains(&c), "crossings {c}");
    let level = 20.0 * (rms(tail) / (10000.0 / 2f64.sqrt())).log10();
    assert!(level.abs() < 1.0, "level {level:.2} dB");
    assert_eq!(a.stats().packets_sent, 100);
    assert_eq!(b.stats().packets_received, 100);
    assert_eq!(b.stats().concealed, 0);
}

#[test]
fn losses_are_concealed_not_silent() {
    let (mut a, mut b) = (session(4000), session(3000));
    let mut tone = ToneInput::new(500.0, 8000);
    // Every 10th packet lost.
    let heard = run(&mut a, &mut b, &mut tone, 3000, Instant::now(), |n| {
        n % 10 == 0
    });
    assert!(b.stats().concealed >= 10, "{:?}", b.stats());
    // No long silent stretch after playout started: concealment fills.
    let tail = &heard[48000..];
    let silent_runs = tail.chunks(480).filter(|c| rms(c) < 100.0).count();
    assert_eq!(silent_runs, 0);
    let q = b.quality();
    assert!((13..=16).contains(&q.lost), "{q:?}");
}

#[test]
fn packets_from_a_stranger_or_with_bad_headers_are_dropped() {
    let (mut a, mut b) = (session(4000), session(3000));
    let now = Instant::now();
    let mut tone = ToneInput::new(1000.0, 10000);
    let mut frame = vec![0i16; FRAME];
    let mut first = None;
    while first.is_none() {
        tone.read(&mut frame);
        first = a.capture(&frame, now).into_iter().next();
    }
    let first = first.unwrap();
    b.receive_rtp(addr(3000), &first, now);
    b.receive_rtp(addr(9999), &first, now);
    b.receive_rtp(addr(3000), b"\x00\x01garbage", now);
    b.receive_rtp(addr(3000), &[], now);
    let stats = b.stats();
    assert_eq!(stats.packets_received, 1);
    assert_eq!(stats.filter.wrong_address, 1);
    assert_eq!(stats.filter.bad_header, 2);
}

#[test]
fn dtmf_keys_reach_the_peer_once_each() {
    let (mut a, mut b) = (session(4000), session(3000));
    assert!(a.send_dtmf("1#9x"));
    let mut silence = crate::audio::Silence;
    run(&mut a, &mut b, &mut silence, 1500, Instant::now(), |_| {
        false
    });
    let keys: Vec<SessionEvent> = b.take_events();
    assert_eq!(
        keys,
        vec![
            SessionEvent::Dtmf('1'),
            SessionEvent::Dtmf('#'),
            SessionEvent::Dtmf('9')
        ]
    );
    assert_eq!(a.stats().dtmf_sent, 3);
}

#[test]
fn no_dtmf_without_telephone_event() {
    let mut n = negotiated(4000, Direction::SendRecv);
    n.telephone_event = None;
    let mut a = MediaSession::new(n, Box::new(G711::pcmu()), "a");
    assert!(!a.send_dtmf("1"));
}

#[test]
fn hold_stops_sending_and_resume_restarts_with_a_marker() {
    let (mut a, mut b) = (session(4000), session(3000));
    let now = Instant::now();
    let mut tone = ToneInput::new(1000.0, 10000);
    run(&mut a, &mut b, &mut tone, 200, now, |_| false);
    let before = a.stats().packets_sent;
    a.update(negotiated(4000, Direction::RecvOnly));
    run(&mut a, &mut b, &mut tone, 200, now, |_| false);
    assert_eq!(a.stats().packets_sent, before, "nothing sent on hold");
    a.update(negotiated(4000, Direction::SendRecv));
    let mut frame = vec![0i16; FRAME];
    let mut packets = vec![];
    for _ in 0..2 {
        tone.read(&mut frame);
        packets.extend(a.capture(&frame, now));
    }
    let p = RtpPacket::parse(&packets[0]).unwrap();
    assert!(p.marker, "a talkspurt starts after hold");
}

#[test]
fn mute_sends_silence() {
    let (mut a, mut b) = (session(4000), session(3000));
    a.set_muted(true);
    let mut tone = ToneInput::new(1000.0, 10000);
    let heard = run(&mut a, &mut b, &mut tone, 1000, Instant::now(), |_| false);
    assert!(a.stats().packets_sent >= 49);
    assert!(rms(&heard) < 50.0);
}

#[test]
fn rtcp_reports_give_quality_and_round_trip() {
    let (mut a, mut b) = (session(4000), session(3000));
    let t0 = Instant::now();
    let mut tone = ToneInput::new(1000.0, 10000);
    let mut frame = vec![0i16; FRAME];
    let ntp = |t: Instant| {
        let secs = t.duration_since(t0).as_secs_f64() + 1000.0;
        (secs * 4294967296.0) as u64
    };
    let mut sent = 0;
    let mut in_flight: Vec<(Instant, bool, Vec<u8>)> = vec![];
    for tick in 0..1200u64 {
        let now = t0 + Duration::from_millis(tick * 10);
        tone.read(&mut frame);
        for d in a.capture(&frame, now) {
            sent += 1;
            if sent % 20 != 0 {
                b.receive_rtp(addr(3000), &d, now);
            }
        }
        tone.read(&mut frame);
        for d in b.capture(&frame, now) {
            a.receive_rtp(addr(4000), &d, now);
        }
        let mut out = vec![0i16; FRAME];
        b.playout(&mut out, now);
        a.playout(&mut out, now);
        // RTCP takes 30 ms each way.
        if let Some(r) = a.poll_rtcp(now, ntp(now)) {
            in_flight.push((now + Duration::from_millis(30), true, r));
        }
        if let Some(r) = b.poll_rtcp(now, ntp(now)) {
            in_flight.push((now + Duration::from_millis(30), false, r));
        }
        for (at, to_bob, r) in in_flight.iter().filter(|(at, ..)| *at <= now) {
            let to = if *to_bob { &mut b } else { &mut a };
            to.receive_rtcp(r, now, ntp(*at));
        }
        in_flight.retain(|(at, ..)| *at > now);
    }
    let q = a.quality();
    let loss = q.remote_fraction_lost.expect("bob reported on our stream");
    assert!((0.03..0.08).contains(&loss), "bob lost 5 %: {loss}");
    let rtt = q.round_trip.expect("round trip from LSR/DLSR");
    assert!(
        rtt >= Duration::from_millis(40) && rtt <= Duration::from_millis(80),
        "{rtt:?}"
    );
    // The goodbye carries a BYE the peer notices.
    let bye = a.bye(t0, ntp(t0)).unwrap();
    b.receive_rtcp(&bye, t0, ntp(t0));
    assert!(b.take_events().contains(&SessionEvent::RemoteBye));
}

#[test]
fn garbage_rtcp_is_ignored() {
    let mut a = session(4000);
    let now = Instant::now();
    a.receive_rtcp(b"\x80\xc8\x00\xffjunk", now, 0);
    a.receive_rtcp(&[], now, 0);
    assert_eq!(a.quality(), CallQuality::default());
}

/// A microphone silent for its first second, then speech-like: a gliding
/// 110-150 Hz harmonic series with a syllable envelope and a little noise
/// (what Opus codes as speech, with its FEC copy).
struct Voiced(u64);

impl AudioInput for Voiced {
    fn read(&mut self, frame: &mut [i16]) {
        use std::f64::consts::TAU;
        for s in frame {
            let i = self.0;
            self.0 += 1;
            if i < 48_000 {
                *s = 0;
                continue;
            }
            let t = i as f64 / 48_000.0;
            let noise = ((i.wrapping_mul(2_654_435_761) >> 16) % 600) as f64 - 300.0;
            let env = 0.6 + 0.4 * (t * 3.0 * TAU).sin();
            let phase = TAU * (130.0 * t - 20.0 / (0.7 * TAU) * (t * 0.7 * TAU).cos());
            let v: f64 = (1..20).map(|h| (phase * h as f64).sin() / h as f64).sum();
            *s = (env * v * 5000.0 + noise).clamp(-30_000.0, 30_000.0) as i16;
        }
    }
}

fn opus_session(remote_port: u16) -> MediaSession {
    use crate::media::codec::{Opus, OpusSettings};
    let n = Negotiated {
        codec: Codec::Opus,
        send_pt: 96,
        recv_pt: 96,
        remote_fmtp: Some("useinbandfec=1".into()),
        ..negotiated(remote_port, Direction::SendRecv)
    };
    let codec = Opus::new(OpusSettings::from_fmtp("useinbandfec=1"));
    MediaSession::new(n, Box::new(codec), "test@hark")
}

#[test]
fn fec_fills_a_slot_only_from_the_packet_right_after_it() {
    let (mut a, mut b) = (opus_session(4000), opus_session(3000));
    // Packets 100 and 101 lost in a row, then 130 alone (in speech, with
    // the delay settled in the silence before): 101 and 130 come back from
    // the FEC of 102 and 131; 100 is concealed (102's FEC is 101's frame).
    run(&mut a, &mut b, &mut Voiced(0), 3500, Instant::now(), |n| {
        [100, 101, 130].contains(&n)
    });
    let s = b.stats();
    assert_eq!((s.recovered, s.concealed), (2, 1), "{s:?}");
}
