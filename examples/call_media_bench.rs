//! What one call's media costs and how much delay Hark adds (issue 5, item
//! 8: "CPU per active Opus call with AEC, at most 3 % of one core";
//! "client-added latency from microphone frame to network and from network
//! to speaker, at most 60 ms at zero jitter").
//!
//! ```sh
//! CARGO_TARGET_DIR=/work/target-release cargo run --release --example call_media_bench [-- --seconds 60 --codec opus --aec]
//! ```
//!
//! Two `MediaSession`s (the code a call runs on its media thread) talk to
//! each other in one thread, with no network between them: every 10 ms
//! each takes a microphone frame (speech-like: a tone gliding 150-400 Hz
//! with syllable-rate bursts and a little noise) and plays a speaker frame,
//! and each one's packets reach the other at once. With `--aec`, each side
//! also runs WebRTC's echo canceller, noise suppression and gain control on
//! every frame, as a call with a sound card does.
//!
//! CPU: the time one side spends (capture, encode, RTP, decode, jitter
//! buffer, playout, and the audio processing) over the audio time it
//! handled; the machine's single-core share.
//!
//! Latency: a click put into A's microphone is looked for in B's speaker;
//! the time between them is what the two clients add at zero network
//! delay and zero jitter: A's framing and encoder look-ahead (microphone to
//! network) plus B's jitter buffer, decoder and playout (network to
//! speaker). Each half is measured too: the click's first packet leaves A
//! after the first, and the speaker gives it back after the second.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hark::audio::dsp::{AudioProcessing, DspSettings};
use hark::audio::FRAME;
use hark::media::codec;
use hark::media::offer_answer::{Codec, Negotiated};
use hark::media::rtp::RtpPacket;
use hark::media::sdp::Direction;
use hark::media::session::MediaSession;

fn negotiated(codec: Codec, port: u16) -> Negotiated {
    let pt = codec.offer_pt();
    Negotiated {
        codec,
        send_pt: pt,
        recv_pt: pt,
        remote_fmtp: (codec == Codec::Opus).then(|| "useinbandfec=1".to_string()),
        telephone_event: Some((101, 101)),
        remote_rtp: SocketAddr::from(([127, 0, 0, 1], port)),
        remote_rtcp: SocketAddr::from(([127, 0, 0, 1], port + 1)),
        direction: Direction::SendRecv,
        remote_ptime: Some(20),
    }
}

fn session(c: Codec, remote_port: u16) -> MediaSession {
    let n = negotiated(c, remote_port);
    let codec = codec::open(c.encoding(), c.clock_rate(), n.remote_fmtp.as_deref()).expect("codec");
    MediaSession::new(n, codec, "bench@hark")
}

/// A speech-like test signal: gliding pitch, syllable bursts, some noise.
struct Voice {
    n: u64,
    phase: f64,
    seed: u64,
}

impl Voice {
    fn frame(&mut self, out: &mut [i16]) {
        for s in out {
            let t = self.n as f64 / 48_000.0;
            let pitch = 150.0 + 125.0 * (1.0 + (t * 0.7).sin());
            self.phase += std::f64::consts::TAU * pitch / 48_000.0;
            let syllable = (0.5 + 0.5 * (t * std::f64::consts::TAU * 4.0).sin()).powi(2);
            self.seed = self.seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let noise = ((self.seed >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 400.0;
            let v = 9000.0 * syllable * (self.phase.sin() + 0.3 * (2.0 * self.phase).sin()) + noise;
            *s = v.clamp(-32768.0, 32767.0) as i16;
            self.n += 1;
        }
    }
}

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

fn codec_named(name: &str) -> Codec {
    match name.to_ascii_lowercase().as_str() {
        "pcmu" => Codec::Pcmu,
        "pcma" => Codec::Pcma,
        "g722" => Codec::G722,
        _ => Codec::Opus,
    }
}

fn main() {
    let seconds: u64 = arg("--seconds", "60").parse().unwrap_or(60);
    let c = codec_named(&arg("--codec", "opus"));
    let aec = std::env::args().any(|a| a == "--aec");
    println!(
        "codec {}, {seconds} s of audio per side, audio processing {}",
        c.encoding(),
        if aec { "on (AEC, NS, AGC)" } else { "off" }
    );
    cpu(c, seconds, aec);
    latency(c);
}

/// Runs both sides for `seconds`; reports side A's time per audio second.
fn cpu(c: Codec, seconds: u64, aec: bool) {
    let mut processing =
        aec.then(|| AudioProcessing::new(DspSettings::default()).expect("webrtc audio processing"));
    let (mut a, mut b) = (session(c, 4000), session(c, 3000));
    let (from_a, from_b) = (
        SocketAddr::from(([127, 0, 0, 1], 3000)),
        SocketAddr::from(([127, 0, 0, 1], 4000)),
    );
    let mut voice_a = Voice {
        n: 0,
        phase: 0.0,
        seed: 1,
    };
    let mut voice_b = Voice {
        n: 0,
        phase: 0.0,
        seed: 2,
    };
    let (mut mic, mut speaker) = (vec![0i16; FRAME], vec![0i16; FRAME]);
    let t0 = Instant::now();
    let mut spent_a = Duration::ZERO;
    let mut bytes = 0usize;
    for tick in 0..seconds * 100 {
        let now = t0 + Duration::from_millis(tick * 10);
        voice_b.frame(&mut mic);
        let to_a = b.capture(&mic, now);
        b.playout(&mut speaker, now);
        voice_a.frame(&mut mic);
        let start = Instant::now();
        for p in &to_a {
            a.receive_rtp(from_b, p, now);
        }
        if let Some(p) = processing.as_mut() {
            p.process_capture(&mut mic);
        }
        let to_b = a.capture(&mic, now);
        a.playout(&mut speaker, now);
        if let Some(p) = processing.as_mut() {
            p.process_render(&speaker);
        }
        spent_a += start.elapsed();
        bytes += to_b.iter().map(Vec::len).sum::<usize>();
        for p in &to_b {
            b.receive_rtp(from_a, p, now);
        }
    }
    let share = spent_a.as_secs_f64() / seconds as f64 * 100.0;
    println!(
        "cpu: one side of a call spends {:.1} ms per second of audio = {share:.2} % of one core; {:.1} kbit/s RTP payload+header sent; concealed {} frames",
        spent_a.as_secs_f64() * 1000.0 / seconds as f64,
        bytes as f64 * 8.0 / seconds as f64 / 1000.0,
        a.stats().concealed
    );
}

/// Finds a click's way from A's microphone to B's speaker.
fn latency(c: Codec) {
    let (mut a, mut b) = (session(c, 4000), session(c, 3000));
    let from_a = SocketAddr::from(([127, 0, 0, 1], 3000));
    let t0 = Instant::now();
    let (mut mic, mut speaker) = (vec![0i16; FRAME], vec![0i16; FRAME]);
    // Warm up with low noise so the jitter buffer is playing.
    let click_tick = 200u64;
    let mut sent_at: Option<u64> = None;
    let mut heard_at: Option<(u64, usize)> = None;
    for tick in 0..400u64 {
        let now = t0 + Duration::from_millis(tick * 10);
        for (i, s) in mic.iter_mut().enumerate() {
            *s = if tick == click_tick && i < 48 {
                20000
            } else {
                ((i * 7 + tick as usize) % 13) as i16 - 6
            };
        }
        let packets = a.capture(&mic, now);
        for p in &packets {
            if sent_at.is_none() && tick >= click_tick {
                let pkt = RtpPacket::parse(p).expect("rtp");
                if !pkt.payload.is_empty() {
                    sent_at = Some(tick);
                }
            }
            b.receive_rtp(from_a, p, now);
        }
        b.playout(&mut speaker, now);
        if heard_at.is_none() && tick >= click_tick {
            if let Some(i) = speaker.iter().position(|s| s.unsigned_abs() > 5000) {
                heard_at = Some((tick, i));
            }
        }
    }
    let (Some(sent), Some((heard, offset))) = (sent_at, heard_at) else {
        println!("latency: the click was not heard");
        return;
    };
    // The click entered at the start of its tick's frame.
    let total_ms = (heard - click_tick) as f64 * 10.0 + offset as f64 / 48.0;
    // The click's packet leaves at the end of the tick that completes its
    // 20 ms frame: +10 ms after that tick's start.
    let to_network = (sent - click_tick) as f64 * 10.0 + 10.0;
    println!(
        "latency at zero jitter: microphone to speaker {total_ms:.1} ms = microphone to network {to_network:.1} ms (framing) + network to speaker {:.1} ms (jitter buffer, decoder, playout)",
        total_ms - to_network
    );
}
