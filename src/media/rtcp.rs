//! RTCP (RFC 3550 §6) for one call's audio stream, free of I/O.
//!
//! This module owns:
//! - the report types ([`RtcpPacket`], [`SenderInfo`], [`ReportBlock`]) and
//!   compound packets: [`parse_compound`] walks a datagram packet by packet
//!   (version 2 each, lengths inside the datagram, padding only on the last,
//!   RFC 3550 A.2) and decodes SR, RR and BYE with the `rtcp-types` crate;
//!   every other packet type is kept as [`RtcpPacket::Other`] by type only.
//!   [`build_compound`] writes SR/RR + SDES CNAME (+ BYE) back;
//! - [`ReceptionStats`], the receiver's per-source bookkeeping: highest
//!   sequence number with wrap-around cycles and restarts (A.1), expected vs
//!   received, cumulative and fraction lost (A.3), interarrival jitter (§6.4.1,
//!   A.8) and the LSR/DLSR pair for the next report block;
//! - [`round_trip_time`], the A.8 round-trip computation from a report block
//!   the peer sent about our stream, and the NTP timestamp helpers;
//! - [`CallQuality`], what the call-info panel shows: loss, jitter and RTT.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rtcp_types::{
    Bye, Compound, ReceiverReport, ReportBlockBuilder, RtcpPacketParser, RtcpPacketWriterExt,
    RtcpParseError, Sdes, SdesChunk, SdesItem, SenderReport,
};

/// Why an RTCP datagram was refused or a report could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RtcpError {
    #[error("RTCP packet truncated: needs {expected} bytes, has {actual}")]
    Truncated { expected: usize, actual: usize },
    #[error("unsupported RTCP version {0}")]
    Version(u8),
    #[error("RTCP padding on a packet that is not the last of the compound")]
    Padding,
    #[error("malformed RTCP packet type {packet_type}: {reason}")]
    Malformed { packet_type: u8, reason: String },
    #[error("cannot write RTCP: {0}")]
    Write(String),
}

/// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// A 64-bit NTP timestamp (32.32 fixed point seconds since 1900) for `t`.
pub fn ntp_from_system_time(t: SystemTime) -> u64 {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs().wrapping_add(NTP_UNIX_OFFSET);
    let frac = ((d.subsec_nanos() as u64) << 32) / 1_000_000_000;
    (secs << 32) | frac
}

/// The middle 32 bits of an NTP timestamp (16.16 seconds), as LSR and the
/// round-trip arithmetic use them.
pub fn ntp_middle32(ntp: u64) -> u32 {
    (ntp >> 16) as u32
}

/// A duration in 1/65536 s units (DLSR), saturating.
fn to_q16(d: Duration) -> u32 {
    let v = d.as_nanos() * 65_536 / 1_000_000_000;
    v.min(u32::MAX as u128) as u32
}

/// 1/65536 s units back to a duration.
fn from_q16(v: u32) -> Duration {
    Duration::from_nanos(v as u64 * 1_000_000_000 / 65_536)
}

/// The sender-information part of an SR (§6.4.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SenderInfo {
    pub ntp_timestamp: u64,
    pub rtp_timestamp: u32,
    pub packet_count: u32,
    pub octet_count: u32,
}

/// One reception report block (§6.4.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportBlock {
    /// The source this block reports on.
    pub ssrc: u32,
    /// Fraction lost since the previous report, out of 256.
    pub fraction_lost: u8,
    /// Cumulative packets lost (24-bit signed on the wire; negative with
    /// duplicates).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received (cycles << 16 | seq).
    pub extended_highest_seq: u32,
    /// Interarrival jitter in timestamp units.
    pub jitter: u32,
    /// Middle 32 bits of the last SR's NTP timestamp, 0 if none yet.
    pub lsr: u32,
    /// Delay since that SR in 1/65536 s, 0 if none yet.
    pub dlsr: u32,
}

/// One packet of a compound RTCP datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RtcpPacket {
    SenderReport {
        ssrc: u32,
        info: SenderInfo,
        reports: Vec<ReportBlock>,
    },
    ReceiverReport {
        ssrc: u32,
        reports: Vec<ReportBlock>,
    },
    /// SDES with only the CNAME item; written, never parsed (see [`Other`]).
    ///
    /// [`Other`]: RtcpPacket::Other
    SourceDescription {
        ssrc: u32,
        cname: String,
    },
    Bye {
        ssrcs: Vec<u32>,
    },
    /// Any other packet type (SDES, APP, feedback, XR ...), skipped.
    Other {
        packet_type: u8,
    },
}

fn parse_error(packet_type: u8, e: RtcpParseError) -> RtcpError {
    match e {
        RtcpParseError::Truncated { expected, actual } => RtcpError::Truncated { expected, actual },
        RtcpParseError::UnsupportedVersion(v) => RtcpError::Version(v),
        other => RtcpError::Malformed {
            packet_type,
            reason: other.to_string(),
        },
    }
}

fn blocks<'a>(it: impl Iterator<Item = rtcp_types::ReportBlock<'a>>) -> Vec<ReportBlock> {
    it.map(|b| ReportBlock {
        ssrc: b.ssrc(),
        fraction_lost: b.fraction_lost(),
        // Sign-extend the 24-bit field.
        cumulative_lost: ((b.cumulative_lost() << 8) as i32) >> 8,
        extended_highest_seq: b.extended_sequence_number(),
        jitter: b.interarrival_jitter(),
        lsr: b.last_sender_report_timestamp(),
        dlsr: b.delay_since_last_sender_report_timestamp(),
    })
    .collect()
}

/// Splits and decodes a (compound) RTCP datagram.
pub fn parse_compound(data: &[u8]) -> Result<Vec<RtcpPacket>, RtcpError> {
    let truncated = |expected, actual| RtcpError::Truncated { expected, actual };
    let mut out = Vec::new();
    let mut rest = data;
    // At least one packet: an empty datagram is truncated.
    while out.is_empty() || !rest.is_empty() {
        let Some(&[b0, pt, l0, l1]) = rest.get(..4) else {
            return Err(truncated(4, rest.len()));
        };
        if b0 >> 6 != 2 {
            return Err(RtcpError::Version(b0 >> 6));
        }
        let len = (u16::from_be_bytes([l0, l1]) as usize + 1) * 4;
        if rest.len() < len {
            return Err(truncated(len, rest.len()));
        }
        let (one, tail) = rest.split_at(len);
        if b0 & 0x20 != 0 && !tail.is_empty() {
            return Err(RtcpError::Padding);
        }
        let e = |e| parse_error(pt, e);
        out.push(match pt {
            200 => {
                let sr = SenderReport::parse(one).map_err(e)?;
                RtcpPacket::SenderReport {
                    ssrc: sr.ssrc(),
                    info: SenderInfo {
                        ntp_timestamp: sr.ntp_timestamp(),
                        rtp_timestamp: sr.rtp_timestamp(),
                        packet_count: sr.packet_count(),
                        octet_count: sr.octet_count(),
                    },
                    reports: blocks(sr.report_blocks()),
                }
            }
            201 => {
                let rr = ReceiverReport::parse(one).map_err(e)?;
                RtcpPacket::ReceiverReport {
                    ssrc: rr.ssrc(),
                    reports: blocks(rr.report_blocks()),
                }
            }
            203 => RtcpPacket::Bye {
                ssrcs: Bye::parse(one).map_err(e)?.ssrcs().collect(),
            },
            _ => RtcpPacket::Other { packet_type: pt },
        });
        rest = tail;
    }
    Ok(out)
}

fn block_builder(b: &ReportBlock) -> ReportBlockBuilder {
    let lost = b.cumulative_lost.clamp(-0x80_0000, 0x7f_ffff) as u32 & 0xff_ffff;
    rtcp_types::ReportBlock::builder(b.ssrc)
        .fraction_lost(b.fraction_lost)
        .cumulative_lost(lost)
        .extended_sequence_number(b.extended_highest_seq)
        .interarrival_jitter(b.jitter)
        .last_sender_report_timestamp(b.lsr)
        .delay_since_last_sender_report_timestamp(b.dlsr)
}

/// Writes `packets` as one compound datagram. RFC 3550 §6.1 wants it to
/// start with an SR or RR and to carry an SDES CNAME; that is the caller's
/// choice (see [`report`]). [`RtcpPacket::Other`] cannot be written.
pub fn build_compound(packets: &[RtcpPacket]) -> Result<Vec<u8>, RtcpError> {
    let mut c = Compound::builder();
    for p in packets {
        c = match p {
            RtcpPacket::SenderReport {
                ssrc,
                info,
                reports,
            } => {
                let mut b = SenderReport::builder(*ssrc)
                    .ntp_timestamp(info.ntp_timestamp)
                    .rtp_timestamp(info.rtp_timestamp)
                    .packet_count(info.packet_count)
                    .octet_count(info.octet_count);
                for r in reports {
                    b = b.add_report_block(block_builder(r));
                }
                c.add_packet(b)
            }
            RtcpPacket::ReceiverReport { ssrc, reports } => {
                let mut b = ReceiverReport::builder(*ssrc);
                for r in reports {
                    b = b.add_report_block(block_builder(r));
                }
                c.add_packet(b)
            }
            RtcpPacket::SourceDescription { ssrc, cname } => {
                let item = SdesItem::builder(SdesItem::CNAME, cname.as_str());
                c.add_packet(Sdes::builder().add_chunk(SdesChunk::builder(*ssrc).add_item(item)))
            }
            RtcpPacket::Bye { ssrcs } => {
                let mut b = Bye::builder();
                for s in ssrcs {
                    b = b.add_source(*s);
                }
                c.add_packet(b)
            }
            RtcpPacket::Other { packet_type } => {
                return Err(RtcpError::Write(format!(
                    "packet type {packet_type} has no content to write"
                )))
            }
        };
    }
    let size = rtcp_types::RtcpPacketWriter::calculate_size(&c)
        .map_err(|e| RtcpError::Write(e.to_string()))?;
    let mut buf = vec![0; size];
    let n = c
        .write_into(&mut buf)
        .map_err(|e| RtcpError::Write(e.to_string()))?;
    buf.truncate(n);
    Ok(buf)
}

/// The regular report of §6.4: an SR when `sender` is given (we sent RTP
/// since the last report), an RR otherwise, with `blocks` (at most 31), then
/// SDES CNAME.
pub fn report(
    ssrc: u32,
    sender: Option<SenderInfo>,
    blocks: Vec<ReportBlock>,
    cname: &str,
) -> Result<Vec<u8>, RtcpError> {
    let first = match sender {
        Some(info) => RtcpPacket::SenderReport {
            ssrc,
            info,
            reports: blocks,
        },
        None => RtcpPacket::ReceiverReport {
            ssrc,
            reports: blocks,
        },
    };
    let sdes = RtcpPacket::SourceDescription {
        ssrc,
        cname: cname.to_owned(),
    };
    build_compound(&[first, sdes])
}

/// Round-trip time from a report block the peer sent about our stream,
/// received at NTP time `arrival_ntp` (RFC 3550 §6.4.1, A.8: A - LSR - DLSR).
/// `None` when the peer has not had an SR from us yet (LSR 0) or the result
/// would be negative (clock trouble).
pub fn round_trip_time(block: &ReportBlock, arrival_ntp: u64) -> Option<Duration> {
    if block.lsr == 0 {
        return None;
    }
    let since_sr = ntp_middle32(arrival_ntp).wrapping_sub(block.lsr);
    if since_sr >= 0x8000_0000 || since_sr < block.dlsr {
        return None;
    }
    Some(from_q16(since_sr - block.dlsr))
}

/// A.1's limits: a jump of less than this many sequence numbers ahead is
/// in order (with loss); one this far behind or more is a restart candidate.
const MAX_DROPOUT: u16 = 3000;
const MAX_MISORDER: u16 = 100;

/// Receiver-side statistics for one remote source.
#[derive(Debug, Clone, Default)]
pub struct ReceptionStats {
    ssrc: u32,
    clock_rate: u32,
    epoch: Option<Instant>,
    max_seq: u16,
    cycles: u32,
    base_seq: u32,
    bad_seq: Option<u16>,
    received: u32,
    expected_prior: u32,
    received_prior: u32,
    last_fraction: u8,
    transit: Option<u32>,
    /// Jitter in timestamp units, times 16 (A.8's integer form).
    jitter_q4: u32,
    last_sr: Option<(u32, Instant)>,
}

impl ReceptionStats {
    pub fn new(ssrc: u32, clock_rate: u32) -> ReceptionStats {
        ReceptionStats {
            ssrc,
            clock_rate: clock_rate.max(1),
            ..ReceptionStats::default()
        }
    }

    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    fn init_seq(&mut self, seq: u16) {
        self.base_seq = seq as u32;
        self.max_seq = seq;
        self.bad_seq = None;
        self.cycles = 0;
        self.received = 0;
        self.expected_prior = 0;
        self.received_prior = 0;
    }

    /// Records one RTP packet from this source. Returns false when the packet
    /// is a large jump A.1 does not believe yet (it counts from the second
    /// packet in sequence after such a jump, as a restarted source).
    pub fn on_rtp(&mut self, seq: u16, timestamp: u32, arrival: Instant) -> bool {
        let epoch = *self.epoch.get_or_insert(arrival);
        if self.received == 0 && self.transit.is_none() {
            self.init_seq(seq);
        } else {
            let udelta = seq.wrapping_sub(self.max_seq);
            if udelta < MAX_DROPOUT {
                if seq < self.max_seq {
                    self.cycles = self.cycles.wrapping_add(1 << 16);
                }
                self.max_seq = seq;
            } else if udelta as u32 <= 65_536 - MAX_MISORDER as u32 {
                if self.bad_seq == Some(seq) {
                    self.init_seq(seq);
                    self.transit = None;
                } else {
                    self.bad_seq = Some(seq.wrapping_add(1));
                    return false;
                }
            }
            // else: duplicate or reordered, counted below.
        }
        self.received = self.received.wrapping_add(1);

        // A.8: arrival time in timestamp units; only differences matter, so
        // the clock starts at the first packet and wraps like the timestamp.
        let ns = arrival.saturating_duration_since(epoch).as_nanos();
        let arrival_ts = (ns * self.clock_rate as u128 / 1_000_000_000) as u32;
        let transit = arrival_ts.wrapping_sub(timestamp);
        if let Some(prev) = self.transit {
            let d = (transit.wrapping_sub(prev) as i32).unsigned_abs() as i64;
            let j = self.jitter_q4 as i64 + d - ((self.jitter_q4 as i64 + 8) >> 4);
            self.jitter_q4 = j.clamp(0, u32::MAX as i64) as u32;
        }
        self.transit = Some(transit);
        true
    }

    /// Records an SR from this source, received at `arrival` (for LSR/DLSR).
    pub fn on_sender_report(&mut self, ntp_timestamp: u64, arrival: Instant) {
        self.last_sr = Some((ntp_middle32(ntp_timestamp), arrival));
    }

    /// Extended highest sequence number received.
    pub fn extended_highest_seq(&self) -> u32 {
        self.cycles.wrapping_add(self.max_seq as u32)
    }

    /// Packets expected so far (A.3).
    pub fn expected(&self) -> u32 {
        if self.received == 0 {
            return 0;
        }
        self.extended_highest_seq()
            .wrapping_sub(self.base_seq)
            .wrapping_add(1)
    }

    /// Packets received, duplicates included.
    pub fn received(&self) -> u32 {
        self.received
    }

    /// Expected minus received; negative with duplicates.
    pub fn cumulative_lost(&self) -> i64 {
        self.expected() as i64 - self.received as i64
    }

    /// Interarrival jitter in timestamp units.
    pub fn jitter(&self) -> u32 {
        self.jitter_q4 >> 4
    }

    /// Interarrival jitter as time.
    pub fn jitter_duration(&self) -> Duration {
        Duration::from_nanos(self.jitter() as u64 * 1_000_000_000 / self.clock_rate as u64)
    }

    /// The fraction lost of the last [`report_block`](Self::report_block).
    pub fn last_fraction_lost(&self) -> u8 {
        self.last_fraction
    }

    /// The block for our next SR/RR; starts a new interval for
    /// `fraction_lost` (A.3).
    pub fn report_block(&mut self, now: Instant) -> ReportBlock {
        let expected = self.expected();
        let expected_interval = expected.wrapping_sub(self.expected_prior);
        let received_interval = self.received.wrapping_sub(self.received_prior);
        self.expected_prior = expected;
        self.received_prior = self.received;
        let lost_interval = expected_interval as i64 - received_interval as i64;
        self.last_fraction = if expected_interval == 0 || lost_interval <= 0 {
            0
        } else {
            ((lost_interval << 8) / expected_interval as i64).min(255) as u8
        };
        let (lsr, dlsr) = match self.last_sr {
            Some((lsr, at)) => (lsr, to_q16(now.saturating_duration_since(at))),
            None => (0, 0),
        };
        ReportBlock {
            ssrc: self.ssrc,
            fraction_lost: self.last_fraction,
            cumulative_lost: self.cumulative_lost().clamp(-0x80_0000, 0x7f_ffff) as i32,
            extended_highest_seq: self.extended_highest_seq(),
            jitter: self.jitter(),
            lsr,
            dlsr,
        }
    }
}

/// What the call-info panel shows for one call.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallQuality {
    /// Packets we lost of theirs, in total and as a share (0.0-1.0) over the
    /// last report interval.
    pub lost: i64,
    pub fraction_lost: f32,
    /// Interarrival jitter of their stream as we measure it.
    pub jitter: Duration,
    /// What the peer last reported about our stream.
    pub remote_fraction_lost: Option<f32>,
    pub remote_jitter: Option<Duration>,
    /// From the peer's last report block about us, if it had our SR.
    pub round_trip: Option<Duration>,
}

impl CallQuality {
    /// Combines our [`ReceptionStats`] with the peer's last report block
    /// about our stream (`ours`, received at NTP `arrival_ntp`).
    pub fn new(
        stats: &ReceptionStats,
        ours: Option<(&ReportBlock, u64)>,
        our_clock_rate: u32,
    ) -> CallQuality {
        let rate = our_clock_rate.max(1) as u64;
        CallQuality {
            lost: stats.cumulative_lost(),
            fraction_lost: stats.last_fraction_lost() as f32 / 256.0,
            jitter: stats.jitter_duration(),
            remote_fraction_lost: ours.map(|(b, _)| b.fraction_lost as f32 / 256.0),
            remote_jitter: ours
                .map(|(b, _)| Duration::from_nanos(b.jitter as u64 * 1_000_000_000 / rate)),
            round_trip: ours.and_then(|(b, at)| round_trip_time(b, at)),
        }
    }
}

#[cfg(test)]
#[path = "rtcp_tests.rs"]
mod tests;
