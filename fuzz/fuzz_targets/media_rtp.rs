//! `hark::media::rtp` and `hark::media::rtcp` on arbitrary datagrams, plus
//! the receive path (source filter, reception stats, jitter buffer) on a
//! stream of datagrams cut from the input.
//!
//! The whole input goes through `RtpPacket::parse` (an accepted packet must
//! write back and parse to an equal packet) and `rtcp::parse_compound` (the
//! SR/RR/BYE it finds must build and parse back equal). Then the input is
//! cut into records `[len, delay, bytes...]`: each record is a datagram from
//! one of two addresses (bit 7 of `len`) arriving `delay` ms after the
//! previous one; accepted packets feed `ReceptionStats` and a `JitterBuffer`,
//! which is popped on its 20 ms tick, and every 25 packets an RR is built
//! from the stats and parsed again.
#![no_main]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hark::media::jitter::{JitterBuffer, JitterConfig};
use hark::media::rtcp::{self, ReceptionStats, RtcpPacket};
use hark::media::rtp::{RtpPacket, SourceFilter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = RtpPacket::parse(data) {
        let bytes = p.to_bytes().expect("a parsed packet writes");
        assert_eq!(RtpPacket::parse(&bytes).expect("written packet parses"), p);
    }
    if let Ok(packets) = rtcp::parse_compound(data) {
        let known: Vec<RtcpPacket> = packets
            .into_iter()
            .filter(|p| !matches!(p, RtcpPacket::Other { .. }))
            .collect();
        if !known.is_empty() {
            let bytes = rtcp::build_compound(&known).expect("parsed reports build");
            assert_eq!(rtcp::parse_compound(&bytes).expect("built parses"), known);
        }
    }

    let remote: SocketAddr = ([192, 0, 2, 1], 4000).into();
    let other: SocketAddr = ([192, 0, 2, 2], 4000).into();
    let mut filter = SourceFilter::latching(Some(remote));
    let mut stats = ReceptionStats::new(0, 8000);
    let mut jb = JitterBuffer::new(JitterConfig::audio(8000));
    let t0 = Instant::now();
    let mut now = t0;
    let mut next_tick = t0;
    let mut rest = data;
    let mut accepted = 0u32;
    while rest.len() >= 2 {
        let (len, delay) = (rest[0], rest[1]);
        let n = ((len & 0x7f) as usize).min(rest.len() - 2);
        let datagram = &rest[2..2 + n];
        rest = &rest[2 + n..];
        now += Duration::from_millis(delay as u64);
        while next_tick <= now {
            let _ = jb.pop(next_tick);
            next_tick += Duration::from_millis(20);
        }
        let from = if len & 0x80 == 0 { remote } else { other };
        if let Ok(p) = filter.accept(from, datagram) {
            stats.on_rtp(p.sequence, p.timestamp, now);
            jb.push(p, now);
            accepted += 1;
            if accepted % 25 == 0 {
                let block = stats.report_block(now);
                let rr = rtcp::report(1, None, vec![block], "fuzz@hark").expect("RR builds");
                rtcp::parse_compound(&rr).expect("RR parses");
            }
        }
    }
    let _ = jb.current_delay(now);
    let _ = jb.target_delay();
});
