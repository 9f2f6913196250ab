//! RTP packets (RFC 3550 §5) and the two small pieces of per-stream state
//! around them, free of I/O.
//!
//! This module owns:
//! - [`RtpPacket`]: an owned, validated RTP packet. [`RtpPacket::parse`] takes
//!   the bytes of one UDP datagram and either returns the header fields and the
//!   payload (padding and the header extension stripped, CSRCs kept) or a typed
//!   [`RtpError`]; it never panics and never slices out of bounds. The
//!   wire-level work is done by the `rtp-types` crate, wrapped here so the rest
//!   of Hark never sees it. [`RtpPacket::to_bytes`] writes one back.
//! - [`RtpSender`]: the sending side of one stream: random SSRC and random
//!   initial sequence number and timestamp (§5.1), sequence wrap-around, the
//!   timestamp advancing by the frame length in samples, the marker bit at the
//!   start of a talkspurt, and the packet/octet counts a sender report needs.
//! - [`SourceFilter`]: symmetric RTP on the receiving side (RFC 4961): it
//!   latches on the remote address the SDP named (or, for a peer behind NAT,
//!   the first address it hears from) and on that source's SSRC; datagrams
//!   from anywhere else, with another SSRC or with a bad header are dropped and
//!   counted in [`FilterStats`].

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;

/// Why a datagram is not a usable RTP packet (or a packet cannot be written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RtpError {
    /// Shorter than the fixed header, its CSRC list, extension or padding say.
    #[error("RTP packet truncated: needs {expected} bytes, has {actual}")]
    Truncated { expected: usize, actual: usize },
    /// Not RTP version 2.
    #[error("unsupported RTP version {0}")]
    Version(u8),
    /// The padding count is zero or reaches back into the header.
    #[error("invalid RTP padding length {0}")]
    Padding(u8),
    /// The second byte is an RTCP packet type (RFC 5761 §4), not RTP.
    #[error("RTCP packet type {0} where RTP was expected")]
    LooksLikeRtcp(u8),
    /// Writing: payload type above 127.
    #[error("RTP payload type {0} out of range 0-127")]
    PayloadType(u8),
    /// Writing: more than 15 CSRCs.
    #[error("{0} CSRCs, at most 15 fit in an RTP header")]
    TooManyCsrcs(usize),
}

/// One RTP packet, owned. Padding and any header extension are not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpPacket {
    pub marker: bool,
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    pub csrcs: Vec<u32>,
    pub payload: Vec<u8>,
}

impl RtpPacket {
    /// Parses one datagram. Every malformed input is an [`RtpError`].
    pub fn parse(data: &[u8]) -> Result<RtpPacket, RtpError> {
        // RFC 5761 §4: with rtcp-mux, a second byte of 192..=223 is an RTCP
        // packet type (SR 200, RR 201, SDES 202, BYE 203, APP 204, feedback
        // 205-207 ...); as RTP it would be marker + payload type 64-95.
        if data.len() >= 2 && (192..=223).contains(&data[1]) && data[0] >> 6 == 2 {
            return Err(RtpError::LooksLikeRtcp(data[1]));
        }
        let p = rtp_types::RtpPacket::parse(data).map_err(|e| match e {
            rtp_types::RtpParseError::UnsupportedVersion(v) => RtpError::Version(v),
            rtp_types::RtpParseError::Truncated { expected, actual } => {
                RtpError::Truncated { expected, actual }
            }
            rtp_types::RtpParseError::PaddingInvalid(n) => RtpError::Padding(n),
        })?;
        Ok(RtpPacket {
            marker: p.marker_bit(),
            payload_type: p.payload_type(),
            sequence: p.sequence_number(),
            timestamp: p.timestamp(),
            ssrc: p.ssrc(),
            csrcs: p.csrc().collect(),
            payload: p.payload().to_vec(),
        })
    }

    /// Writes the packet (no padding, no extension).
    pub fn to_bytes(&self) -> Result<Vec<u8>, RtpError> {
        if self.payload_type > 127 {
            return Err(RtpError::PayloadType(self.payload_type));
        }
        if self.csrcs.len() > 15 {
            return Err(RtpError::TooManyCsrcs(self.csrcs.len()));
        }
        let mut b = rtp_types::RtpPacketBuilder::<&[u8], &[u8]>::new()
            .marker_bit(self.marker)
            .payload_type(self.payload_type)
            .sequence_number(self.sequence)
            .timestamp(self.timestamp)
            .ssrc(self.ssrc)
            .payload(self.payload.as_slice());
        for &c in &self.csrcs {
            b = b.add_csrc(c);
        }
        // Both limits the builder checks were checked above, so this cannot
        // fail; map it anyway rather than unwrap.
        b.write_vec()
            .map_err(|_| RtpError::PayloadType(self.payload_type))
    }
}

/// A random `u64` from the standard library's per-process random hasher keys
/// (no `rand` dependency for three numbers per call).
pub(crate) fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    h.finish()
}

/// The sending side of one RTP stream.
#[derive(Debug, Clone)]
pub struct RtpSender {
    ssrc: u32,
    payload_type: u8,
    samples_per_frame: u32,
    next_sequence: u16,
    next_timestamp: u32,
    marker_pending: bool,
    packets_sent: u32,
    octets_sent: u32,
    last_timestamp: Option<u32>,
}

impl RtpSender {
    /// A stream with random SSRC, initial sequence number and timestamp
    /// (RFC 3550 §5.1, §8.1). `samples_per_frame` is the timestamp step of one
    /// frame, e.g. 160 for 20 ms at 8 kHz, 960 for 20 ms of Opus (48 kHz).
    pub fn new(payload_type: u8, samples_per_frame: u32) -> RtpSender {
        let a = random_u64();
        let b = random_u64();
        RtpSender::with_initial(
            payload_type,
            samples_per_frame,
            a as u32,
            (a >> 32) as u16,
            b as u32,
        )
    }

    /// A stream with the given SSRC, first sequence number and timestamp
    /// (tests, or keeping the SSRC across a re-INVITE).
    pub fn with_initial(
        payload_type: u8,
        samples_per_frame: u32,
        ssrc: u32,
        sequence: u16,
        timestamp: u32,
    ) -> RtpSender {
        RtpSender {
            ssrc,
            payload_type: payload_type & 0x7f,
            samples_per_frame,
            next_sequence: sequence,
            next_timestamp: timestamp,
            marker_pending: true,
            packets_sent: 0,
            octets_sent: 0,
            last_timestamp: None,
        }
    }

    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    pub fn payload_type(&self) -> u8 {
        self.payload_type
    }

    /// Switches the payload type (after a re-INVITE changed the codec).
    pub fn set_payload_type(&mut self, payload_type: u8) {
        self.payload_type = payload_type & 0x7f;
    }

    /// The sequence number and timestamp the next [`packetize`](Self::packetize) uses.
    pub fn next_sequence(&self) -> u16 {
        self.next_sequence
    }

    pub fn next_timestamp(&self) -> u32 {
        self.next_timestamp
    }

    /// Packets and payload octets sent so far (for the sender report, §6.4.1).
    pub fn packets_sent(&self) -> u32 {
        self.packets_sent
    }

    pub fn octets_sent(&self) -> u32 {
        self.octets_sent
    }

    /// The timestamp of the last packet sent, if any (for the sender report).
    pub fn last_timestamp(&self) -> Option<u32> {
        self.last_timestamp
    }

    /// Wraps one encoded frame: the packet carries the next sequence number
    /// and timestamp, both then advance (sequence by one with wrap, timestamp by
    /// one frame). The first packet and the first after [`skip_frames`]
    /// (a talkspurt start, RFC 3551 §4.1) carry the marker bit.
    ///
    /// [`skip_frames`]: Self::skip_frames
    pub fn packetize(&mut self, payload: &[u8]) -> RtpPacket {
        let p = RtpPacket {
            marker: std::mem::take(&mut self.marker_pending),
            payload_type: self.payload_type,
            sequence: self.next_sequence,
            timestamp: self.next_timestamp,
            ssrc: self.ssrc,
            csrcs: Vec::new(),
            payload: payload.to_vec(),
        };
        self.last_timestamp = Some(self.next_timestamp);
        self.next_sequence = self.next_sequence.wrapping_add(1);
        self.next_timestamp = self.next_timestamp.wrapping_add(self.samples_per_frame);
        self.packets_sent = self.packets_sent.wrapping_add(1);
        self.octets_sent = self.octets_sent.wrapping_add(payload.len() as u32);
        p
    }

    /// Wraps a packet with its own payload type, timestamp and marker (a
    /// telephone-event, RFC 4733 §2.3): it takes the next sequence number of
    /// the stream but leaves the audio timestamp alone.
    pub fn packetize_event(
        &mut self,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
        payload: &[u8],
    ) -> RtpPacket {
        let p = RtpPacket {
            marker,
            payload_type: payload_type & 0x7f,
            sequence: self.next_sequence,
            timestamp,
            ssrc: self.ssrc,
            csrcs: Vec::new(),
            payload: payload.to_vec(),
        };
        self.next_sequence = self.next_sequence.wrapping_add(1);
        self.packets_sent = self.packets_sent.wrapping_add(1);
        self.octets_sent = self.octets_sent.wrapping_add(payload.len() as u32);
        p
    }

    /// Frames not sent (silence suppression / DTX, or hold): the timestamp
    /// moves on, the sequence number does not, and the next packet is marked.
    pub fn skip_frames(&mut self, frames: u32) {
        if frames == 0 {
            return;
        }
        self.next_timestamp = self
            .next_timestamp
            .wrapping_add(self.samples_per_frame.wrapping_mul(frames));
        self.marker_pending = true;
    }
}

/// Why [`SourceFilter::accept`] dropped a datagram.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Dropped {
    #[error("bad RTP header: {0}")]
    BadHeader(#[from] RtpError),
    #[error("RTP from unexpected address {0}")]
    WrongAddress(SocketAddr),
    #[error("RTP with unexpected SSRC {0:#010x}")]
    WrongSsrc(u32),
    #[error("RTP payload type {0} not negotiated")]
    WrongPayloadType(u8),
}

/// What a [`SourceFilter`] let through and what it dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FilterStats {
    pub accepted: u64,
    pub bad_header: u64,
    pub wrong_address: u64,
    pub wrong_ssrc: u64,
    pub wrong_payload_type: u64,
    /// Times the filter moved to a new SSRC from the latched address.
    pub ssrc_changes: u64,
}

/// After this many consecutive packets from the latched address carrying one
/// new SSRC (and none with the old one), the filter follows the new SSRC: a
/// peer or a media relay may restart its stream without telling us.
pub const SSRC_CHANGE_PROBATION: u32 = 8;

/// Symmetric-RTP source filter for one incoming stream.
#[derive(Debug, Clone)]
pub struct SourceFilter {
    expected: Option<SocketAddr>,
    latch_any: bool,
    payload_types: Vec<u8>,
    latched: Option<(SocketAddr, u32)>,
    candidate: Option<(u32, u32)>,
    stats: FilterStats,
}

impl SourceFilter {
    /// Accepts only packets from `remote` (the address in the peer's SDP);
    /// latches on the SSRC of the first valid one.
    pub fn new(remote: SocketAddr) -> SourceFilter {
        SourceFilter {
            expected: Some(remote),
            latch_any: false,
            payload_types: Vec::new(),
            latched: None,
            candidate: None,
            stats: FilterStats::default(),
        }
    }

    /// Latches on the address and SSRC of the first valid packet, from
    /// wherever it comes (a peer behind NAT whose SDP names a private address);
    /// `remote` is still preferred: a packet from it re-latches until
    /// something has been accepted from it once.
    pub fn latching(remote: Option<SocketAddr>) -> SourceFilter {
        SourceFilter {
            expected: remote,
            latch_any: true,
            ..SourceFilter::new(remote.unwrap_or_else(|| ([0, 0, 0, 0], 0).into()))
        }
    }

    /// Restricts the accepted payload types (those negotiated in SDP);
    /// empty (the default) accepts any.
    pub fn with_payload_types(mut self, payload_types: &[u8]) -> SourceFilter {
        self.payload_types = payload_types.to_vec();
        self
    }

    /// The address and SSRC latched on, once a packet has been accepted.
    pub fn latched(&self) -> Option<(SocketAddr, u32)> {
        self.latched
    }

    pub fn stats(&self) -> FilterStats {
        self.stats
    }

    /// Forgets the latched source (new SDP from a re-INVITE).
    pub fn reset(&mut self, remote: Option<SocketAddr>) {
        if remote.is_some() {
            self.expected = remote;
        }
        self.latched = None;
        self.candidate = None;
    }

    /// Checks one datagram received from `from`; on success returns the
    /// parsed packet, otherwise counts and returns why it was dropped.
    pub fn accept(&mut self, from: SocketAddr, data: &[u8]) -> Result<RtpPacket, Dropped> {
        let r = self.check(from, data);
        let s = &mut self.stats;
        match &r {
            Ok(_) => s.accepted += 1,
            Err(Dropped::BadHeader(_)) => s.bad_header += 1,
            Err(Dropped::WrongAddress(_)) => s.wrong_address += 1,
            Err(Dropped::WrongSsrc(_)) => s.wrong_ssrc += 1,
            Err(Dropped::WrongPayloadType(_)) => s.wrong_payload_type += 1,
        }
        r
    }

    fn check(&mut self, from: SocketAddr, data: &[u8]) -> Result<RtpPacket, Dropped> {
        let p = RtpPacket::parse(data)?;
        if !self.payload_types.is_empty() && !self.payload_types.contains(&p.payload_type) {
            return Err(Dropped::WrongPayloadType(p.payload_type));
        }
        let from_expected = self.expected == Some(from);
        match self.latched {
            None => {
                if !from_expected && !self.latch_any {
                    return Err(Dropped::WrongAddress(from));
                }
                self.latched = Some((from, p.ssrc));
                Ok(p)
            }
            Some((addr, ssrc)) => {
                if addr != from {
                    // A NAT-latched filter moves to the SDP address when that
                    // one starts sending; otherwise the address is fixed.
                    if self.latch_any && from_expected {
                        self.latched = Some((from, p.ssrc));
                        self.candidate = None;
                        return Ok(p);
                    }
                    return Err(Dropped::WrongAddress(from));
                }
                if p.ssrc == ssrc {
                    self.candidate = None;
                    return Ok(p);
                }
                let n = match self.candidate {
                    Some((c, n)) if c == p.ssrc => n + 1,
                    _ => 1,
                };
                if n >= SSRC_CHANGE_PROBATION {
                    self.latched = Some((addr, p.ssrc));
                    self.candidate = None;
                    self.stats.ssrc_changes += 1;
                    return Ok(p);
                }
                self.candidate = Some((p.ssrc, n));
                Err(Dropped::WrongSsrc(p.ssrc))
            }
        }
    }
}

#[cfg(test)]
#[path = "rtp_tests.rs"]
mod tests;
