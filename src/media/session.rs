//! One call's audio stream, sans-IO (SPEC C2): microphone frames in, RTP
//! datagrams out; RTP datagrams in, speaker frames out; RTCP both ways.
//! It ties the pieces of this module together: the codec, the RTP sender,
//! the source filter, reception statistics, the jitter buffer with
//! concealment and FEC, telephone-events (RFC 4733) and RTCP reports.
//!
//! The caller owns the sockets, the audio devices and the clock: it calls
//! [`MediaSession::capture`] and [`MediaSession::playout`] every 10 ms with
//! a frame at [`audio::RATE`](crate::audio::RATE), hands every datagram to
//! [`MediaSession::receive_rtp`] / [`MediaSession::receive_rtcp`], and sends
//! what [`MediaSession::poll_rtcp`] returns when [`MediaSession::next_rtcp`]
//! comes. Nothing here blocks, reads a clock or logs.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::codec::dtmf::{DtmfEvent, DtmfReceiver, DtmfSender};
use super::codec::AudioCodec;
use super::jitter::{JitterBuffer, JitterConfig, JitterStats, Playout};
use super::offer_answer::Negotiated;
use super::rtcp::{self, CallQuality, ReceptionStats, ReportBlock, RtcpPacket, SenderInfo};
use super::rtp::{FilterStats, RtpPacket, RtpSender, SourceFilter};
use super::sdp::Direction;
use crate::audio::{FRAME, RATE};

#[path = "session_rate.rs"]
mod rate;
use rate::RateConverter;

/// How long each key is sent (RFC 4733 suggests at least 40 ms; PBXs and
/// voicemail menus like 100 ms) and the pause before the next one.
const DTMF_KEY: Duration = Duration::from_millis(100);
const DTMF_GAP: Duration = Duration::from_millis(60);
/// RTCP report interval (RFC 3550 §6.2 minimum for a two-party call).
const RTCP_INTERVAL: Duration = Duration::from_secs(5);

/// Something the caller should know about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// The peer pressed a key (RFC 4733), reported once per press.
    Dtmf(char),
    /// The peer said goodbye in RTCP.
    RemoteBye,
}

/// Counters for tests and the call-info panel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionStats {
    pub packets_sent: u64,
    pub packets_received: u64,
    /// Frames filled by concealment, and by FEC recovery.
    pub concealed: u64,
    pub recovered: u64,
    pub decode_errors: u64,
    pub dtmf_sent: u64,
    pub filter: FilterStats,
    /// The jitter buffer's counters (late, shrunk, grown...).
    pub jitter: JitterStats,
}

/// A key being sent.
#[derive(Debug)]
struct DtmfOut {
    sender: DtmfSender,
    payload_type: u8,
    queue: VecDeque<char>,
    /// Ticks (20 ms) left for the current key, then gap ticks.
    hold_ticks: u32,
    gap_ticks: u32,
}

/// A decoded frame quieter than -40 dBFS (RMS) is a pause the jitter buffer
/// may drop or stretch unheard.
const QUIET_RMS: i64 = 328;

fn is_quiet(frame: &[i16]) -> bool {
    let energy: i64 = frame.iter().map(|&s| s as i64 * s as i64).sum();
    energy < QUIET_RMS * QUIET_RMS * frame.len().max(1) as i64
}

/// One call's audio stream; see the module documentation.
pub struct MediaSession {
    negotiated: Negotiated,
    codec: Box<dyn AudioCodec>,
    sender: RtpSender,
    dtmf: Option<DtmfOut>,
    dtmf_in: DtmfReceiver,
    filter: SourceFilter,
    reception: Option<ReceptionStats>,
    jitter: JitterBuffer,
    down: RateConverter,
    up: RateConverter,
    /// Microphone samples at 48 kHz waiting for a whole codec frame.
    captured: Vec<i16>,
    codec_in: Vec<i16>,
    encoded: Vec<u8>,
    decoded: Vec<i16>,
    /// Speaker samples at 48 kHz ready to play.
    playable: VecDeque<i16>,
    upsampled: Vec<i16>,
    muted: bool,
    cname: String,
    rtcp_due: Option<Instant>,
    sent_since_report: bool,
    /// The peer's last report block about our stream, with its arrival
    /// (NTP time).
    their_report: Option<(ReportBlock, u64)>,
    events: Vec<SessionEvent>,
    stats: SessionStats,
}

impl MediaSession {
    /// A session for the agreed setup with `codec` (built for
    /// `negotiated.codec`); `cname` names us in RTCP.
    pub fn new(negotiated: Negotiated, codec: Box<dyn AudioCodec>, cname: &str) -> MediaSession {
        let frame = codec.samples_per_frame() as u32;
        let clock_frame = frame * codec.clock_rate() / codec.sample_rate().max(1);
        let sender = RtpSender::new(negotiated.send_pt, clock_frame);
        let jitter = JitterBuffer::new(JitterConfig::audio(codec.clock_rate()));
        let mut accepted = vec![negotiated.recv_pt];
        let dtmf = negotiated.telephone_event.map(|(send_pt, recv_pt)| {
            accepted.push(recv_pt);
            DtmfOut {
                sender: DtmfSender::new(codec.clock_rate()),
                payload_type: send_pt,
                queue: VecDeque::new(),
                hold_ticks: 0,
                gap_ticks: 0,
            }
        });
        let filter =
            SourceFilter::latching(Some(negotiated.remote_rtp)).with_payload_types(&accepted);
        let rate = codec.sample_rate();
        MediaSession {
            down: RateConverter::new(RATE, rate),
            up: RateConverter::new(rate, RATE),
            captured: Vec::with_capacity(2 * RATE as usize / 50),
            codec_in: Vec::with_capacity(codec.samples_per_frame()),
            encoded: Vec::with_capacity(1500),
            decoded: Vec::with_capacity(RATE as usize / 8),
            playable: VecDeque::with_capacity(RATE as usize / 5),
            upsampled: Vec::with_capacity(RATE as usize / 8),
            negotiated,
            codec,
            sender,
            dtmf,
            dtmf_in: DtmfReceiver::new(),
            filter,
            reception: None,
            jitter,
            muted: false,
            cname: cname.to_owned(),
            rtcp_due: None,
            sent_since_report: false,
            their_report: None,
            events: Vec::new(),
            stats: SessionStats::default(),
        }
    }

    /// The setup in force.
    pub fn negotiated(&self) -> &Negotiated {
        &self.negotiated
    }

    /// The codec's SDP name.
    pub fn codec_name(&self) -> &'static str {
        self.codec.name()
    }

    /// A re-INVITE changed direction or addresses (same codec): hold,
    /// resume, or the peer moved.
    pub fn update(&mut self, negotiated: Negotiated) {
        if negotiated.remote_rtp != self.negotiated.remote_rtp {
            self.filter.reset(Some(negotiated.remote_rtp));
        }
        if let (Some(d), Some((send_pt, _))) = (self.dtmf.as_mut(), negotiated.telephone_event) {
            d.payload_type = send_pt;
        }
        self.sender.set_payload_type(negotiated.send_pt);
        self.negotiated = negotiated;
    }

    /// Mute: silence is sent instead of the microphone (the stream keeps
    /// flowing so the peer's jitter buffer and NAT bindings stay up).
    pub fn set_muted(&mut self, muted: bool) {
        self.muted = muted;
    }

    /// Queues keys to send as telephone-events; false when the peer did not
    /// agree to telephone-event (nothing is queued).
    pub fn send_dtmf(&mut self, keys: &str) -> bool {
        let Some(d) = self.dtmf.as_mut() else {
            return false;
        };
        d.queue.extend(
            keys.chars()
                .filter(|k| super::codec::dtmf::event_for_key(*k).is_some()),
        );
        true
    }

    /// Takes one 10 ms microphone frame ([`FRAME`] samples at 48 kHz);
    /// returns the RTP datagrams to send now (none, one, or a few around
    /// a key press).
    pub fn capture(&mut self, mic: &[i16], now: Instant) -> Vec<Vec<u8>> {
        self.rtcp_due.get_or_insert(now + RTCP_INTERVAL / 2);
        if self.muted {
            self.captured.extend(std::iter::repeat_n(0, mic.len()));
        } else {
            self.captured.extend_from_slice(mic);
        }
        let per_frame = FRAME * 2;
        let mut out = Vec::new();
        while self.captured.len() >= per_frame {
            out.extend(self.frame_tick());
            self.captured.drain(..per_frame);
        }
        out
    }

    /// One 20 ms frame of the captured audio (the first `2 * FRAME`
    /// samples of `captured`) is due.
    fn frame_tick(&mut self) -> Vec<Vec<u8>> {
        let sends = self.negotiated.direction.sends();
        if let Some(packets) = self.dtmf_tick(sends) {
            return packets;
        }
        if !sends {
            self.sender.skip_frames(1);
            return vec![];
        }
        self.codec_in.clear();
        self.down
            .process(&self.captured[..FRAME * 2], &mut self.codec_in);
        self.codec_in.resize(self.codec.samples_per_frame(), 0);
        self.encoded.clear();
        if self
            .codec
            .encode(&self.codec_in, &mut self.encoded)
            .is_err()
        {
            self.sender.skip_frames(1);
            return vec![];
        }
        if self.codec.skip_sending(&self.encoded) {
            self.sender.skip_frames(1);
            return vec![];
        }
        let packet = self.sender.packetize(&self.encoded);
        self.sent(&packet).into_iter().collect()
    }

    /// Sends or continues a key; Some while keys own the stream.
    fn dtmf_tick(&mut self, sends: bool) -> Option<Vec<Vec<u8>>> {
        let timestamp = self.sender.next_timestamp();
        let d = self.dtmf.as_mut()?;
        let mut started = false;
        let packets = if d.sender.is_sending() {
            if d.hold_ticks > 0 {
                d.hold_ticks -= 1;
                d.sender.tick()
            } else {
                d.gap_ticks = (DTMF_GAP.as_millis() / 20) as u32;
                d.sender.stop()
            }
        } else if d.gap_ticks > 0 {
            d.gap_ticks -= 1;
            return None;
        } else if let Some(key) = d.queue.pop_front().filter(|_| sends) {
            let mut packets = d.sender.start(key, timestamp).ok()?;
            packets.extend(d.sender.tick());
            d.hold_ticks = (DTMF_KEY.as_millis() / 20) as u32 - 1;
            started = true;
            packets
        } else {
            return None;
        };
        let pt = d.payload_type;
        if started {
            self.stats.dtmf_sent += 1;
        }
        // The audio clock goes on under the event.
        self.sender.skip_frames(1);
        let wire: Vec<RtpPacket> = packets
            .iter()
            .map(|p| {
                self.sender
                    .packetize_event(pt, p.marker, p.timestamp, &p.payload.to_bytes())
            })
            .collect();
        Some(wire.iter().filter_map(|p| self.sent(p)).collect())
    }

    fn sent(&mut self, packet: &RtpPacket) -> Option<Vec<u8>> {
        let bytes = packet.to_bytes().ok()?;
        self.sent_since_report = true;
        self.stats.packets_sent += 1;
        Some(bytes)
    }

    /// One datagram from the RTP socket. Packets from elsewhere, with a bad
    /// header or a payload type not agreed are dropped (and counted).
    pub fn receive_rtp(&mut self, from: SocketAddr, data: &[u8], now: Instant) {
        let Ok(packet) = self.filter.accept(from, data) else {
            return;
        };
        if !self.negotiated.direction.receives() {
            return;
        }
        self.stats.packets_received += 1;
        let event_pt = self.negotiated.telephone_event.map(|(_, recv)| recv);
        if Some(packet.payload_type) == event_pt {
            if let Ok(events) =
                self.dtmf_in
                    .receive(packet.timestamp, packet.marker, &packet.payload)
            {
                for e in events {
                    if let DtmfEvent::KeyDown { key, .. } = e {
                        self.events.push(SessionEvent::Dtmf(key));
                    }
                }
            }
            return;
        }
        let reception = match &mut self.reception {
            Some(r) if r.ssrc() == packet.ssrc => r,
            slot => slot.insert(ReceptionStats::new(packet.ssrc, self.codec.clock_rate())),
        };
        reception.on_rtp(packet.sequence, packet.timestamp, now);
        self.jitter.push(packet, now);
    }

    /// Fills one 10 ms speaker frame (`out.len()` samples at 48 kHz):
    /// decoded audio, concealment for what is missing, silence before
    /// playout starts.
    pub fn playout(&mut self, out: &mut [i16], now: Instant) {
        while self.playable.len() < out.len() {
            if !self.decode_tick(now) {
                break;
            }
        }
        for s in out.iter_mut() {
            *s = self.playable.pop_front().unwrap_or(0);
        }
    }

    /// One 20 ms slot of the jitter buffer; false when nothing plays yet.
    fn decode_tick(&mut self, now: Instant) -> bool {
        self.decoded.clear();
        match self.jitter.pop(now) {
            None => return false,
            Some(Playout::Frame(packet)) => {
                if self
                    .codec
                    .decode(&packet.payload, &mut self.decoded)
                    .is_err()
                {
                    self.stats.decode_errors += 1;
                    self.decoded.clear();
                    self.codec.conceal(1, &mut self.decoded);
                }
            }
            Some(Playout::Missing { timestamp }) => {
                // FEC in a packet rebuilds the frame just before it: only
                // the next slot's packet can fill this one. (Not the packet
                // of this very slot, when the buffer repeats a slot to grow,
                // nor one further on, after two losses in a row.)
                let step = self.jitter.config().frame_samples;
                let next = self
                    .jitter
                    .peek_next()
                    .filter(|p| p.timestamp == timestamp.wrapping_add(step))
                    .map(|p| p.payload.clone());
                let recovered = next
                    .map(|payload| self.codec.recover(&payload, &mut self.decoded))
                    .unwrap_or(false);
                if recovered {
                    self.stats.recovered += 1;
                } else {
                    self.decoded.clear();
                    self.codec.conceal(1, &mut self.decoded);
                    self.stats.concealed += 1;
                }
            }
        }
        self.jitter.played(is_quiet(&self.decoded));
        self.upsampled.clear();
        self.up.process(&self.decoded, &mut self.upsampled);
        self.playable.extend(self.upsampled.iter().copied());
        true
    }

    /// One datagram from the RTCP socket (`arrival_ntp`: wall clock now,
    /// NTP format, for the round-trip time).
    pub fn receive_rtcp(&mut self, data: &[u8], now: Instant, arrival_ntp: u64) {
        let Ok(packets) = rtcp::parse_compound(data) else {
            return;
        };
        let ours = self.sender.ssrc();
        for p in packets {
            let blocks = match p {
                RtcpPacket::SenderReport {
                    ssrc,
                    info,
                    reports,
                } => {
                    if let Some(r) = self.reception.as_mut().filter(|r| r.ssrc() == ssrc) {
                        r.on_sender_report(info.ntp_timestamp, now);
                    }
                    reports
                }
                RtcpPacket::ReceiverReport { reports, .. } => reports,
                RtcpPacket::Bye { ssrcs } => {
                    if self
                        .reception
                        .as_ref()
                        .is_some_and(|r| ssrcs.contains(&r.ssrc()))
                    {
                        self.events.push(SessionEvent::RemoteBye);
                    }
                    continue;
                }
                _ => continue,
            };
            if let Some(b) = blocks.into_iter().find(|b| b.ssrc == ours) {
                self.their_report = Some((b, arrival_ntp));
            }
        }
    }

    /// When the next RTCP report is due (after the first capture).
    pub fn next_rtcp(&self) -> Option<Instant> {
        self.rtcp_due
    }

    /// The RTCP report to send now, if one is due (`wall_ntp`: the wall
    /// clock in NTP format for the sender report).
    pub fn poll_rtcp(&mut self, now: Instant, wall_ntp: u64) -> Option<Vec<u8>> {
        let due = self.rtcp_due?;
        if now < due {
            return None;
        }
        self.rtcp_due = Some(now + RTCP_INTERVAL);
        self.report(now, wall_ntp, false)
    }

    /// The goodbye report (RR/SR, SDES and BYE) to send when the call ends.
    pub fn bye(&mut self, now: Instant, wall_ntp: u64) -> Option<Vec<u8>> {
        self.report(now, wall_ntp, true)
    }

    fn report(&mut self, now: Instant, wall_ntp: u64, bye: bool) -> Option<Vec<u8>> {
        let sender = std::mem::take(&mut self.sent_since_report).then(|| SenderInfo {
            ntp_timestamp: wall_ntp,
            rtp_timestamp: self.sender.next_timestamp(),
            packet_count: self.sender.packets_sent(),
            octet_count: self.sender.octets_sent(),
        });
        let blocks: Vec<ReportBlock> = self
            .reception
            .as_mut()
            .map(|r| r.report_block(now))
            .into_iter()
            .collect();
        let mut bytes = rtcp::report(self.sender.ssrc(), sender, blocks, &self.cname).ok()?;
        if bye {
            let goodbye = rtcp::build_compound(&[RtcpPacket::Bye {
                ssrcs: vec![self.sender.ssrc()],
            }])
            .ok()?;
            bytes.extend_from_slice(&goodbye);
        }
        Some(bytes)
    }

    /// Loss, jitter and round trip for the call-info panel.
    pub fn quality(&self) -> CallQuality {
        match &self.reception {
            Some(r) => CallQuality::new(
                r,
                self.their_report.as_ref().map(|(b, at)| (b, *at)),
                self.codec.clock_rate(),
            ),
            None => CallQuality::default(),
        }
    }

    /// What happened since the last call.
    pub fn take_events(&mut self) -> Vec<SessionEvent> {
        std::mem::take(&mut self.events)
    }

    pub fn stats(&self) -> SessionStats {
        SessionStats {
            filter: self.filter.stats(),
            jitter: self.jitter.stats(),
            ..self.stats
        }
    }

    /// Whether any direction carries audio now (not on hold both ways).
    pub fn direction(&self) -> Direction {
        self.negotiated.direction
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
