//! RFC 4733 telephone-events (DTMF over RTP): the 4-byte payload, a sender
//! that turns a key press into the RFC's packet sequence, and a receiver that
//! turns incoming packets into key-down / key-up exactly once.
//!
//! Sans-IO: the sender yields [`DtmfPacket`]s (marker, RTP timestamp,
//! payload) for the RTP layer to number and send; the receiver takes the RTP
//! timestamp, marker and payload of each telephone-event packet.
//!
//! Sequence sent for one key press (RFC 4733 2.5.1): a first packet with the
//! marker bit, an update every packet time (20 ms) with the duration growing,
//! then three end packets (E bit) with the final duration, all with the
//! timestamp of the event start. Events longer than 0xFFFF timestamp units
//! are split into segments (2.5.1.3), each starting where the previous ended.

use std::fmt;

/// Largest duration one segment can carry.
const MAX_DURATION: u32 = 0xFFFF;
/// How many times the end packet is sent (RFC 4733 2.5.1.4 recommends 3).
const END_REPEATS: usize = 3;

/// Why a telephone-event payload was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtmfError {
    /// The payload is not exactly 4 bytes.
    BadLength(usize),
    /// The key is not one of 0-9, *, #, A-D.
    UnknownKey(char),
}

impl fmt::Display for DtmfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DtmfError::BadLength(n) => write!(f, "telephone-event payload of {n} bytes, not 4"),
            DtmfError::UnknownKey(c) => write!(f, "{c:?} is not a DTMF key"),
        }
    }
}

impl std::error::Error for DtmfError {}

/// The event code of a DTMF key (RFC 4733 3.2): 0-9, `*` = 10, `#` = 11,
/// `A`-`D` = 12-15 (lower case accepted).
pub fn event_for_key(key: char) -> Option<u8> {
    match key {
        '0'..='9' => Some(key as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        'A'..='D' => Some(key as u8 - b'A' + 12),
        'a'..='d' => Some(key as u8 - b'a' + 12),
        _ => None,
    }
}

/// The DTMF key of an event code, if it is one (0-15).
pub fn key_for_event(event: u8) -> Option<char> {
    match event {
        0..=9 => Some((b'0' + event) as char),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some((b'A' + event - 12) as char),
        _ => None,
    }
}

/// One telephone-event payload (RFC 4733 2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelephoneEvent {
    /// Event code (0-15 are DTMF keys).
    pub event: u8,
    /// The E bit: this packet ends the event.
    pub end: bool,
    /// Power level in -dBm0, 0-63 (only the low 6 bits are sent).
    pub volume: u8,
    /// Duration so far, in RTP timestamp units.
    pub duration: u16,
}

impl TelephoneEvent {
    /// Parse a 4-byte payload. The R bit is ignored, as the RFC requires.
    pub fn parse(payload: &[u8]) -> Result<Self, DtmfError> {
        let b: [u8; 4] = payload
            .try_into()
            .map_err(|_| DtmfError::BadLength(payload.len()))?;
        Ok(Self {
            event: b[0],
            end: b[1] & 0x80 != 0,
            volume: b[1] & 0x3F,
            duration: u16::from_be_bytes([b[2], b[3]]),
        })
    }

    /// The 4-byte payload (R bit zero, volume masked to 6 bits).
    pub fn to_bytes(&self) -> [u8; 4] {
        let d = self.duration.to_be_bytes();
        let e = if self.end { 0x80 } else { 0 };
        [self.event, e | (self.volume & 0x3F), d[0], d[1]]
    }
}

/// A telephone-event packet for the RTP layer to send (it adds the
/// sequence number, SSRC and payload type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfPacket {
    /// RTP marker bit: set on the first packet of an event.
    pub marker: bool,
    /// RTP timestamp: the start of the event (or of its segment).
    pub timestamp: u32,
    /// The payload.
    pub payload: TelephoneEvent,
}

#[derive(Debug, Clone, Copy)]
struct Sending {
    event: u8,
    timestamp: u32,
    /// Duration of the current segment so far.
    duration: u32,
    first: bool,
}

/// Sends one key at a time as RFC 4733 packets.
///
/// [`DtmfSender::start`] the key, call [`DtmfSender::tick`] every packet time
/// (20 ms) while it is held, then [`DtmfSender::stop`].
#[derive(Debug, Clone)]
pub struct DtmfSender {
    step: u32,
    volume: u8,
    sending: Option<Sending>,
}

impl DtmfSender {
    /// A sender for a stream at `clock_rate` Hz with 20 ms packets and a
    /// volume of -10 dBm0.
    pub fn new(clock_rate: u32) -> Self {
        Self {
            step: clock_rate / 50,
            volume: 10,
            sending: None,
        }
    }

    /// Timestamp units per packet (20 ms).
    pub fn step(&self) -> u32 {
        self.step
    }

    /// Whether a key is being sent.
    pub fn is_sending(&self) -> bool {
        self.sending.is_some()
    }

    /// Begin sending `key`, the event starting at RTP timestamp `timestamp`.
    /// A key still being sent is ended first; its end packets are returned.
    pub fn start(&mut self, key: char, timestamp: u32) -> Result<Vec<DtmfPacket>, DtmfError> {
        let event = event_for_key(key).ok_or(DtmfError::UnknownKey(key))?;
        let ended = self.stop();
        self.sending = Some(Sending {
            event,
            timestamp,
            duration: 0,
            first: true,
        });
        Ok(ended)
    }

    /// One packet time has passed: the packet(s) to send now. Usually one;
    /// two when a long event crosses into a new segment.
    pub fn tick(&mut self) -> Vec<DtmfPacket> {
        let volume = self.volume;
        let step = self.step;
        let Some(s) = self.sending.as_mut() else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(2);
        s.duration += step;
        if s.duration > MAX_DURATION {
            // Close the full segment, then continue in a new one.
            out.push(packet(s, MAX_DURATION, false, volume));
            s.timestamp = s.timestamp.wrapping_add(MAX_DURATION);
            s.duration -= MAX_DURATION;
        }
        out.push(packet(s, s.duration, false, volume));
        s.first = false;
        out
    }

    /// The key was released: the three end packets (empty if nothing was
    /// being sent). An event never ticked gets one packet time of duration.
    pub fn stop(&mut self) -> Vec<DtmfPacket> {
        let Some(mut s) = self.sending.take() else {
            return Vec::new();
        };
        let duration = s.duration.max(self.step).min(MAX_DURATION);
        let first = packet(&s, duration, true, self.volume);
        s.first = false;
        let rest = packet(&s, duration, true, self.volume);
        let mut out = vec![first];
        out.extend(std::iter::repeat_n(rest, END_REPEATS - 1));
        out
    }

    /// The whole sequence for a key held `duration_ms`, starting at
    /// `timestamp`: marker packet, 20 ms updates, three end packets.
    pub fn key_press(
        &mut self,
        key: char,
        timestamp: u32,
        duration_ms: u32,
    ) -> Result<Vec<DtmfPacket>, DtmfError> {
        let mut out = self.start(key, timestamp)?;
        let ticks = duration_ms.div_ceil(20).max(1);
        for _ in 0..ticks {
            out.extend(self.tick());
        }
        out.extend(self.stop());
        Ok(out)
    }
}

fn packet(s: &Sending, duration: u32, end: bool, volume: u8) -> DtmfPacket {
    DtmfPacket {
        marker: s.first,
        timestamp: s.timestamp,
        payload: TelephoneEvent {
            event: s.event,
            end,
            volume,
            duration: duration as u16,
        },
    }
}

/// What the receiver reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtmfEvent {
    /// A key went down (event starting at `timestamp`).
    KeyDown { key: char, timestamp: u32 },
    /// The key came up after `duration` timestamp units (all segments).
    KeyUp {
        key: char,
        timestamp: u32,
        duration: u32,
    },
}

#[derive(Debug, Clone, Copy)]
struct Current {
    event: u8,
    /// Timestamp of the first segment (reported in events).
    first_timestamp: u32,
    /// Timestamp of the current segment.
    timestamp: u32,
    /// Duration field last accepted in this segment.
    last: u16,
    /// Duration of earlier segments and wraps.
    before: u32,
}

impl Current {
    fn total(&self) -> u32 {
        self.before.saturating_add(self.last as u32)
    }
}

/// Turns received telephone-event packets into key-down/key-up, once each.
#[derive(Debug, Clone, Default)]
pub struct DtmfReceiver {
    current: Option<Current>,
    /// Segment timestamp and event of the last ended event, to drop its
    /// repeated end packets and late updates.
    ended: Option<(u32, u8)>,
}

/// `a` is later than `b` in RTP timestamp order (wrapping).
fn later(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

impl DtmfReceiver {
    /// A receiver with no key down.
    pub fn new() -> Self {
        Self::default()
    }

    /// The key currently down, if any.
    pub fn key_down(&self) -> Option<char> {
        self.current.and_then(|c| key_for_event(c.event))
    }

    /// One telephone-event packet: its RTP timestamp, marker bit and payload.
    /// Non-DTMF events (codes above 15) are ignored.
    pub fn receive(
        &mut self,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Result<Vec<DtmfEvent>, DtmfError> {
        let te = TelephoneEvent::parse(payload)?;
        Ok(self.receive_event(timestamp, marker, &te))
    }

    /// As [`DtmfReceiver::receive`], with the payload already parsed.
    pub fn receive_event(
        &mut self,
        timestamp: u32,
        marker: bool,
        te: &TelephoneEvent,
    ) -> Vec<DtmfEvent> {
        let mut out = Vec::new();
        let Some(key) = key_for_event(te.event) else {
            return out;
        };
        if let Some((ts, ev)) = self.ended {
            // Repeated end packets, late updates, or anything older.
            if (ts == timestamp && ev == te.event) || later(ts, timestamp) {
                return out;
            }
        }
        if let Some(cur) = self.current.as_mut() {
            if timestamp == cur.timestamp && te.event == cur.event {
                let delta = te.duration.wrapping_sub(cur.last);
                if delta < 0x8000 {
                    // Forward (possibly across a 16-bit wrap).
                    if te.duration < cur.last {
                        cur.before = cur.before.saturating_add(0x1_0000);
                    }
                    cur.last = te.duration;
                }
                if te.end {
                    out.extend(self.finish());
                }
                return out;
            }
            if later(cur.timestamp, timestamp) {
                return out; // a stale packet of an earlier event
            }
            let gap = timestamp.wrapping_sub(cur.timestamp);
            if te.event == cur.event && !marker && gap == MAX_DURATION {
                // Next segment of a long event.
                cur.before = cur.before.saturating_add(gap);
                cur.timestamp = timestamp;
                cur.last = te.duration;
                if te.end {
                    out.extend(self.finish());
                }
                return out;
            }
            // A new event while the old one never saw its end packets.
            out.extend(self.finish());
        }
        // A new event; the marker packet may have been lost.
        self.current = Some(Current {
            event: te.event,
            first_timestamp: timestamp,
            timestamp,
            last: te.duration,
            before: 0,
        });
        out.push(DtmfEvent::KeyDown { key, timestamp });
        if te.end {
            out.extend(self.finish());
        }
        out
    }

    /// End the key down, if any, without an end packet: call this when no
    /// telephone-event packet has arrived for a while (e.g. 5 packet times).
    pub fn finish(&mut self) -> Option<DtmfEvent> {
        let cur = self.current.take()?;
        self.ended = Some((cur.timestamp, cur.event));
        Some(DtmfEvent::KeyUp {
            key: key_for_event(cur.event)?,
            timestamp: cur.first_timestamp,
            duration: cur.total(),
        })
    }
}

#[cfg(test)]
#[path = "dtmf_tests.rs"]
mod tests;
