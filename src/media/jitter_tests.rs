use super::*;

const FRAME: u32 = 160;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn pkt(seq: u16, ts: u32) -> RtpPacket {
    RtpPacket {
        marker: false,
        payload_type: 0,
        sequence: seq,
        timestamp: ts,
        ssrc: 42,
        csrcs: Vec::new(),
        payload: vec![seq as u8],
    }
}

/// Tiny xorshift64* so the simulations are reproducible without `rand`.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Sends `n` 20 ms packets from `seq0`/`ts0`; each is lost with probability
/// `loss_pct` % and delayed 10 ms + uniform(0..=jitter_ms(i)); ticks every
/// 20 ms (offset 7 ms). Returns what was played (frames by sequence number,
/// missing as None) and the buffer.
fn simulate(
    n: u32,
    seq0: u16,
    ts0: u32,
    loss_pct: u64,
    jitter_ms: impl Fn(u32) -> u64,
    seed: u64,
) -> (Vec<Option<u16>>, JitterBuffer, Vec<Duration>) {
    let mut rng = XorShift(seed);
    let t0 = Instant::now();
    let mut arrivals: Vec<(Duration, RtpPacket)> = Vec::new();
    for i in 0..n {
        if rng.below(100) < loss_pct {
            continue;
        }
        let j = jitter_ms(i);
        let delay = 10 + if j > 0 { rng.below(j + 1) } else { 0 };
        let p = pkt(seq0.wrapping_add(i as u16), ts0.wrapping_add(i * FRAME));
        arrivals.push((ms(20 * i as u64 + delay), p));
    }
    arrivals.sort_by_key(|(t, _)| *t);
    let mut jb = JitterBuffer::new(JitterConfig::audio(8000));
    let mut out = Vec::new();
    let mut targets = Vec::new();
    let mut next = arrivals.into_iter().peekable();
    for k in 0..(n as u64 + 30) {
        let tick = ms(20 * k + 7);
        while let Some((t, _)) = next.peek() {
            if *t > tick {
                break;
            }
            let (t, p) = next.next().unwrap();
            jb.push(p, t0 + t);
        }
        match jb.pop(t0 + tick) {
            Some(Playout::Frame(p)) => out.push(Some(p.sequence)),
            Some(Playout::Missing { .. }) => out.push(None),
            None => {}
        }
        targets.push(jb.target_delay());
    }
    (out, jb, targets)
}

/// Frames played must be strictly increasing (modulo wrap) and unique.
fn assert_in_order(out: &[Option<u16>]) {
    let seqs: Vec<u16> = out.iter().flatten().copied().collect();
    for w in seqs.windows(2) {
        let d = w[1].wrapping_sub(w[0]);
        assert!((1..1000).contains(&d), "{} then {}", w[0], w[1]);
    }
}

#[test]
fn steady_stream_plays_every_frame_once_in_order() {
    let (out, jb, _) = simulate(500, 1000, 0, 0, |_| 0, 1);
    assert_in_order(&out);
    // Frames dropped while the start delay (60 ms) shrinks to the target.
    let played = out.iter().flatten().count() as u64;
    assert_eq!(played + jb.stats().shrunk, 500);
    assert!(jb.stats().shrunk <= 3);
    // The start delay is paid once, then nothing is missing in between.
    let first = out.iter().position(|f| f.is_some()).unwrap();
    let last = out.iter().rposition(|f| f.is_some()).unwrap();
    assert!(out[first..=last].iter().all(|f| f.is_some()));
    assert_eq!(jb.stats().late, 0);
    // With no jitter the target falls to one frame (the minimum).
    assert_eq!(jb.target_delay(), ms(20));
}

#[test]
fn reorders_and_drops_duplicates_and_late_packets() {
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::audio(8000));
    assert_eq!(jb.push(pkt(3, 3 * FRAME), t0), PushOutcome::Buffered);
    assert_eq!(jb.push(pkt(1, FRAME), t0 + ms(1)), PushOutcome::Buffered);
    assert_eq!(
        jb.push(pkt(2, 2 * FRAME), t0 + ms(2)),
        PushOutcome::Buffered
    );
    assert_eq!(
        jb.push(pkt(2, 2 * FRAME), t0 + ms(3)),
        PushOutcome::Duplicate
    );
    assert_eq!(jb.pop(t0 + ms(10)), None, "still buffering");
    assert!(!jb.is_playing());
    assert_eq!(jb.peek_next().unwrap().sequence, 1);
    let mut seqs = Vec::new();
    for k in 0..4 {
        if let Some(Playout::Frame(p)) = jb.pop(t0 + ms(100 + 20 * k)) {
            seqs.push(p.sequence);
        }
    }
    assert_eq!(seqs, vec![1, 2, 3]);
    assert_eq!(jb.push(pkt(2, 2 * FRAME), t0 + ms(200)), PushOutcome::Late);
    let s = jb.stats();
    assert_eq!((s.duplicates, s.late, s.played), (1, 1, 3));
}

#[test]
fn a_lost_packet_is_a_missing_slot_with_its_timestamp() {
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::audio(8000));
    for i in [0u32, 1, 3, 4] {
        jb.push(pkt(i as u16, 1000 + i * FRAME), t0 + ms(20 * i as u64));
    }
    let mut got = Vec::new();
    for k in 0..5 {
        got.push(jb.pop(t0 + ms(80 + 20 * k)));
    }
    assert!(matches!(&got[0], Some(Playout::Frame(p)) if p.sequence == 0));
    assert!(matches!(&got[1], Some(Playout::Frame(p)) if p.sequence == 1));
    assert_eq!(
        got[2],
        Some(Playout::Missing {
            timestamp: 1000 + 2 * FRAME
        })
    );
    assert!(matches!(&got[3], Some(Playout::Frame(p)) if p.sequence == 3));
}

#[test]
fn sequence_and_timestamp_wrap_are_seamless() {
    let (out, jb, _) = simulate(400, 65_400, u32::MAX - 100 * FRAME, 0, |_| 20, 7);
    assert_in_order(&out);
    let s = jb.stats();
    assert_eq!(out.iter().flatten().count() as u64 + s.late + s.shrunk, 400);
    assert_eq!(s.restarts, 0);
    assert!(out.iter().flatten().filter(|&&s| s < 1000).count() > 250);
}

#[test]
fn thirty_ms_jitter_and_five_percent_loss() {
    for seed in [1u64, 2, 3] {
        let n = 3000;
        let (out, jb, _) = simulate(n, 100, 5000, 5, |_| 30, seed * 0x9e37_79b9);
        assert_in_order(&out);
        let s = jb.stats();
        let played = out.iter().flatten().count() as u32;
        let lost = n - (s.pushed as u32);
        // Almost everything that arrived is played: few late, some shrunk.
        assert!(s.late < 30, "late {} (seed {seed})", s.late);
        assert!(played + lost + s.late as u32 + s.shrunk as u32 >= n - 1);
        assert!((100..=200).contains(&lost), "lost {lost}");
        // The target settles around the jitter plus a frame.
        let target = jb.target_delay();
        assert!(target >= ms(40) && target <= ms(60), "target {target:?}");
    }
}

#[test]
fn target_grows_with_jitter_and_comes_back_down() {
    // 10 s calm, 10 s with 80 ms jitter, 20 s calm.
    // The peak is held (a five-second time constant), so 20 s of calm
    // after the storm.
    let phase = |i: u32| if (500..1000).contains(&i) { 80 } else { 0 };
    let (out, jb, targets) = simulate(2000, 0, 0, 0, phase, 99);
    assert_in_order(&out);
    assert_eq!(targets[490], ms(20));
    assert!(targets[990] >= ms(80), "{:?}", targets[990]);
    assert!(targets[990] <= ms(110), "{:?}", targets[990]);
    assert!(targets[1300] < targets[1100], "{:?}", &targets[1100..1300]);
    assert!(targets[1300] > ms(30), "held: {:?}", targets[1300]);
    assert_eq!(targets[1999], ms(20));
    let s = jb.stats();
    assert!(s.shrunk > 0 && s.grown > 0, "{s:?}");
    // Late packets only while the delay ramps up at the storm's start.
    assert!(s.late < 40, "{s:?}");
}

#[test]
fn a_new_ssrc_or_a_timestamp_jump_restarts() {
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::audio(8000));
    jb.push(pkt(1, 0), t0);
    let mut other = pkt(9, 777);
    other.ssrc = 43;
    assert_eq!(jb.push(other, t0 + ms(20)), PushOutcome::Restarted);
    assert_eq!(jb.len(), 1);
    assert_eq!(
        jb.push(pkt(10, 777 + 8000 * 11), t0 + ms(40)),
        PushOutcome::Restarted
    );
    assert_eq!(jb.stats().restarts, 2);
}

#[test]
fn goes_idle_after_a_second_of_nothing_and_buffers_anew() {
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::audio(8000));
    for i in 0..10u32 {
        jb.push(pkt(i as u16, i * FRAME), t0 + ms(20 * i as u64));
    }
    let mut tick = 0;
    let mut pop = |jb: &mut JitterBuffer| {
        tick += 1;
        jb.pop(t0 + ms(60 + 20 * tick))
    };
    let mut played = 0;
    let mut missing = 0;
    while let Some(p) = pop(&mut jb) {
        match p {
            Playout::Frame(_) => played += 1,
            Playout::Missing { .. } => missing += 1,
        }
    }
    assert_eq!(played, 10);
    assert_eq!(missing, IDLE_AFTER);
    assert!(!jb.is_playing());
    // DTX over: the sender's timestamp moved on 5 s; the buffer starts again.
    let ts = 5 * 8000;
    jb.push(pkt(10, ts), t0 + ms(5000));
    assert!(jb.pop(t0 + ms(5001)).is_none());
    assert!(matches!(jb.pop(t0 + ms(5100)), Some(Playout::Frame(p)) if p.sequence == 10));
}

#[test]
fn a_fast_sender_clock_does_not_grow_the_delay() {
    // The sender's 20 ms frames come every 19.8 ms of our time (1 % fast).
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::audio(8000));
    let mut sent = 0u32;
    let mut max_len = 0;
    for k in 0..3000u64 {
        let now = t0 + Duration::from_micros(20_000 * k);
        while Duration::from_micros(19_800 * sent as u64) <= now - t0 {
            jb.push(
                pkt(sent as u16, sent * FRAME),
                t0 + Duration::from_micros(19_800 * sent as u64),
            );
            sent += 1;
        }
        jb.pop(now);
        max_len = max_len.max(jb.len());
    }
    assert!(max_len <= 5, "buffer grew to {max_len}");
    assert!(jb.stats().shrunk >= 25, "{:?}", jb.stats());
    assert!(jb.current_delay(t0 + ms(60_000)).unwrap() <= ms(60));
}

#[test]
fn overflow_drops_the_oldest() {
    let t0 = Instant::now();
    let mut cfg = JitterConfig::audio(8000);
    cfg.capacity = 4;
    let mut jb = JitterBuffer::new(cfg);
    for i in 0..6u32 {
        jb.push(pkt(i as u16, i * FRAME), t0);
    }
    assert_eq!(jb.len(), 4);
    assert_eq!(jb.stats().overflow, 2);
    assert_eq!(jb.peek_next().unwrap().sequence, 2);
}

/// Sends 20 ms packets at 48 kHz delayed N(40 ms, 30 ms) (at least 0), 5 %
/// lost, as benches/voice_quality.py's link does; pops every 20 ms and
/// reports each slot as speech (not quiet) except in a 400 ms pause every
/// 1.6 s. Returns the stats, and how many adjustments fell in speech
/// outside a hole.
fn speech_over_netem(seed: u64, n: u32) -> (JitterStats, u32) {
    let mut rng = XorShift(seed);
    let mut uniform = move || (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
    let t0 = Instant::now();
    let mut arrivals: Vec<(Duration, RtpPacket)> = Vec::new();
    for i in 0..n {
        let (u1, u2, lost) = (uniform(), uniform(), uniform() < 0.05);
        let normal = (-2.0 * u1.max(1e-12).ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        if !lost {
            let delay_us = ((40.0 + 30.0 * normal).max(0.0) * 1000.0) as u64;
            let at = Duration::from_micros(20_000 * i as u64 + delay_us);
            arrivals.push((at, pkt(i as u16, i * 960)));
        }
    }
    arrivals.sort_by_key(|(t, _)| *t);
    let mut jb = JitterBuffer::new(JitterConfig::audio(48_000));
    let mut next = arrivals.into_iter().peekable();
    let mut in_speech = 0;
    let mut slot = 0u64;
    for k in 0..(n as u64 + 30) {
        let tick = Duration::from_micros(20_000 * k + 3_000);
        while next.peek().is_some_and(|(t, _)| *t <= tick) {
            let (t, p) = next.next().unwrap();
            jb.push(p, t0 + t);
        }
        let before = jb.stats();
        let hole = jb
            .peek_next()
            .is_none_or(|p| p.timestamp != slot as u32 * 960);
        let Some(played) = jb.pop(t0 + tick) else {
            continue;
        };
        let speech = slot % 80 >= 20;
        let after = jb.stats();
        let adjusted = after.shrunk + after.grown > before.shrunk + before.grown;
        if adjusted && speech && !hole {
            in_speech += 1;
        }
        if let Playout::Frame(p) = &played {
            slot = p.timestamp as u64 / 960 + 1;
        } else if !(adjusted && after.grown > before.grown) {
            slot += 1;
        }
        jb.played(!speech);
    }
    (jb.stats(), in_speech)
}

#[test]
fn adjusts_the_delay_in_pauses_and_holes_not_in_speech() {
    for seed in [1u64, 2, 3] {
        let (s, in_speech) = speech_over_netem(seed * 7919, 3000);
        assert!(s.late <= 15, "seed {seed}: {s:?}");
        assert!(s.shrunk + s.grown <= 30, "seed {seed}: {s:?}");
        assert_eq!(in_speech, s.forced as u32, "seed {seed}: {s:?}");
        assert!(s.forced <= 2, "seed {seed}: {s:?}");
    }
}

#[test]
fn an_adjustment_waits_for_a_quiet_frame_then_at_most_two_seconds() {
    // No jitter: after the start delay (60 ms) the target is one frame, so
    // the buffer wants to shrink by two frames, but all it plays is loud.
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::audio(8000));
    let mut shrunk_at = Vec::new();
    for k in 0..400u32 {
        jb.push(pkt(k as u16, k * FRAME), t0 + ms(20 * k as u64));
        let before = jb.stats().shrunk;
        if jb.pop(t0 + ms(20 * k as u64 + 1)).is_some() {
            jb.played(k >= 200);
        }
        if jb.stats().shrunk > before {
            shrunk_at.push(k);
        }
    }
    // Forced once, after two seconds of waiting; the second waits for the
    // quiet frames from tick 200 on.
    assert_eq!(jb.stats().forced, 1, "{:?} at {shrunk_at:?}", jb.stats());
    assert_eq!(shrunk_at.len(), 2, "{shrunk_at:?}");
    assert!((100..140).contains(&shrunk_at[0]), "{shrunk_at:?}");
    assert!((200..210).contains(&shrunk_at[1]), "{shrunk_at:?}");
}
