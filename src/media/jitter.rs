//! The adaptive jitter buffer for one incoming audio stream, sans-IO.
//!
//! This module owns the reordering and playout timing of received RTP
//! packets; decoding, concealment (PLC) and FEC happen in the codec layer,
//! which [`Playout::Missing`] tells when to conceal. Nothing here reads a
//! clock: the caller passes the arrival [`Instant`] to [`JitterBuffer::push`]
//! and calls [`JitterBuffer::pop`] once per frame tick (every 20 ms) with the
//! tick's time.
//!
//! # Algorithm
//!
//! *Positions.* Each packet is keyed by its RTP timestamp extended to 64 bits
//! (unwrapped against the previous one, so the 32-bit wrap is invisible). The
//! buffer keeps a playout position `play` on the same axis; each `pop` plays
//! the packet whose timestamp falls in the slot `[play, play + frame)`, then
//! moves `play` one frame past it (so a sender whose timestamps are off our
//! grid after a talkspurt re-aligns it). No packet in the slot gives
//! `Missing` and `play` moves one frame on. A packet arriving with a timestamp
//! before `play` is late and dropped; one whose timestamp is already buffered
//! is a duplicate and dropped; past `capacity` the oldest is dropped.
//!
//! *Measuring jitter.* For every packet (late ones too) the transit time
//! `arrival - timestamp` (both in timestamp units; the arrival clock starts at
//! the first packet) goes into a window of the last `window` packets. The
//! smallest transit in the window is the fastest path seen; a packet's
//! *spread* is how much later than that it came. The target delay is
//! `peak spread in the window + one frame`, clamped to
//! `[min_delay, max_delay]`; for the first packets, before the window says
//! much, at least `start_delay`. The peak spread is *held*: it follows a
//! larger one at once and a smaller one slowly (a time constant of
//! `1 << HOLD_SHIFT` packets, about five seconds), so the target does not
//! dip each time the latest peak leaves the window only to rise again at
//! the next one: each dip and rise would cost a dropped and a concealed
//! frame. (Not while the first window fills: a burst at the start, of
//! packets queued before the media thread read its socket, is forgotten
//! with the window.)
//!
//! *Holding the delay.* At a tick at local time `now`, the current delay is
//! how long after the fastest possible arrival of `play` we play it:
//! `now - play - min transit`. Playout starts when the earliest buffered
//! packet has waited the target. While playing, at most every
//! `ADJUST_EVERY` ticks: a delay above `target + frame` drops one frame
//! (shrinks by 20 ms), a delay below `target - frame / 2` repeats the slot as
//! `Missing` without moving `play` (grows by 20 ms; the codec conceals it).
//! Clock drift between sender and receiver is absorbed the same way.
//!
//! *Where to adjust.* Dropping or inserting 20 ms in the middle of a word is
//! heard, and PESQ scores it like a loss. So an adjustment waits for a
//! moment where it costs nothing: after `QUIET_FRAMES` quiet frames (the
//! caller reports what it played with [`JitterBuffer::played`]), or at a
//! slot that is missing anyway (shrinking skips the hole, growing extends
//! a concealment already under way). An adjustment wanted for `FORCE_AFTER`
//! ticks without such a moment (music, a long monologue) goes ahead. A
//! caller that never reports counts as quiet: it adjusts as soon as wanted.
//!
//! *Restarts and idling.* A new SSRC or a timestamp jump of more than ten
//! seconds starts afresh. After a second of `Missing` with nothing buffered
//! (DTX, hold), or when the next buffered packet is more than `max_delay`
//! ahead of `play`, the buffer stops playing (`pop` returns `None`) and
//! buffers anew from the next packet, keeping its jitter window.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use super::rtp::RtpPacket;

/// Ticks between two delay adjustments (100 ms at 20 ms frames).
pub const ADJUST_EVERY: u32 = 5;
/// Consecutive `Missing` ticks with an empty buffer after which playout
/// stops and buffers anew (one second).
pub const IDLE_AFTER: u32 = 50;
/// The held peak spread decays by `1 / (1 << HOLD_SHIFT)` of its excess
/// over the window's peak per packet (256 packets: about 5 s at 20 ms).
pub const HOLD_SHIFT: u32 = 8;
/// Quiet frames played in a row after which adjusting the delay is free.
pub const QUIET_FRAMES: u32 = 2;
/// Ticks an adjustment may wait for a quiet frame or a hole (two seconds).
pub const FORCE_AFTER: u32 = 100;

/// Tuning of one [`JitterBuffer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JitterConfig {
    /// RTP clock rate of the stream (8000 for PCMU/PCMA/G.722, 48000 for Opus).
    pub clock_rate: u32,
    /// Timestamp units in one frame (one `pop`): 20 ms of the clock.
    pub frame_samples: u32,
    pub min_delay: Duration,
    pub max_delay: Duration,
    /// The least delay while the jitter window is still filling.
    pub start_delay: Duration,
    /// Packets the jitter estimate looks back over.
    pub window: usize,
    /// Most packets held.
    pub capacity: usize,
}

impl JitterConfig {
    /// 20 ms frames at `clock_rate`; delay between 20 and 250 ms, 60 ms at
    /// the start; a two-second jitter window.
    pub fn audio(clock_rate: u32) -> JitterConfig {
        JitterConfig {
            clock_rate: clock_rate.max(50),
            frame_samples: (clock_rate / 50).max(1),
            min_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(250),
            start_delay: Duration::from_millis(60),
            window: 100,
            capacity: 64,
        }
    }
}

/// What one tick plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Playout {
    /// The packet for this slot.
    Frame(RtpPacket),
    /// Nothing for this slot: lost, late, not sent (DTX), or a slot inserted
    /// to grow the delay. The decoder conceals it (PLC, or FEC from
    /// [`JitterBuffer::peek_next`]). `timestamp` is the slot's RTP timestamp.
    Missing { timestamp: u32 },
}

/// What [`JitterBuffer::push`] did with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    Buffered,
    /// Its slot has already been played.
    Late,
    Duplicate,
    /// Buffered as the first packet of a new stream (new SSRC or a jump).
    Restarted,
}

/// Counters for the call-info panel and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JitterStats {
    pub pushed: u64,
    pub played: u64,
    pub missing: u64,
    pub late: u64,
    pub duplicates: u64,
    /// Dropped because the buffer was full.
    pub overflow: u64,
    /// Frames dropped to shrink the delay.
    pub shrunk: u64,
    /// Slots inserted to grow the delay (also counted in `missing`).
    pub grown: u64,
    pub restarts: u64,
    /// Adjustments (shrunk or grown) made in speech because one had waited
    /// `FORCE_AFTER` ticks for a quiet frame or a hole.
    pub forced: u64,
}

/// The adaptive jitter buffer; see the module documentation.
#[derive(Debug, Clone)]
pub struct JitterBuffer {
    cfg: JitterConfig,
    epoch: Option<Instant>,
    ssrc: Option<u32>,
    /// Unwrapping reference: the highest extended timestamp and its u32.
    last_ext: i64,
    last_ts: u32,
    packets: BTreeMap<i64, RtpPacket>,
    transits: VecDeque<i64>,
    min_transit: i64,
    peak_spread: i64,
    /// `peak_spread` held: up at once, down slowly.
    held_spread: i64,
    seen: u32,
    play: Option<i64>,
    missing_run: u32,
    since_adjust: u32,
    /// Quiet frames played in a row, as the caller reported them.
    quiet_run: u32,
    /// Ticks an adjustment has been waiting for.
    waiting: u32,
    stats: JitterStats,
}

impl JitterBuffer {
    pub fn new(cfg: JitterConfig) -> JitterBuffer {
        JitterBuffer {
            cfg,
            epoch: None,
            ssrc: None,
            last_ext: 0,
            last_ts: 0,
            packets: BTreeMap::new(),
            transits: VecDeque::new(),
            min_transit: 0,
            peak_spread: 0,
            held_spread: 0,
            seen: 0,
            play: None,
            missing_run: 0,
            since_adjust: 0,
            quiet_run: QUIET_FRAMES,
            waiting: 0,
            stats: JitterStats::default(),
        }
    }

    pub fn config(&self) -> &JitterConfig {
        &self.cfg
    }

    pub fn stats(&self) -> JitterStats {
        self.stats
    }

    /// Packets held.
    pub fn len(&self) -> usize {
        self.packets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.packets.is_empty()
    }

    /// Whether playout is running (false while buffering).
    pub fn is_playing(&self) -> bool {
        self.play.is_some()
    }

    /// The next packet to be played, for FEC when the current slot is
    /// [`Playout::Missing`].
    pub fn peek_next(&self) -> Option<&RtpPacket> {
        self.packets.values().next()
    }

    fn units(&self, d: Duration) -> i64 {
        (d.as_nanos() * self.cfg.clock_rate as u128 / 1_000_000_000) as i64
    }

    fn duration(&self, units: i64) -> Duration {
        let ns = units.max(0) as u128 * 1_000_000_000 / self.cfg.clock_rate as u128;
        Duration::from_nanos(ns as u64)
    }

    fn local(&mut self, t: Instant) -> i64 {
        let epoch = *self.epoch.get_or_insert(t);
        self.units(t.saturating_duration_since(epoch))
    }

    /// The delay the buffer aims at now.
    pub fn target_delay(&self) -> Duration {
        self.duration(self.target_units())
    }

    fn target_units(&self) -> i64 {
        let frame = self.cfg.frame_samples as i64;
        let mut t = self.held_spread + frame;
        if (self.seen as usize) < self.cfg.window / 4 {
            t = t.max(self.units(self.cfg.start_delay));
        }
        t.clamp(
            self.units(self.cfg.min_delay),
            self.units(self.cfg.max_delay),
        )
    }

    /// The delay the next slot would be played with at `now`, once playing.
    pub fn current_delay(&mut self, now: Instant) -> Option<Duration> {
        let play = self.play?;
        let d = self.local(now) - play - self.min_transit;
        Some(self.duration(d))
    }

    /// What the caller made of the last slot: `quiet` when it played (or
    /// concealed) a frame too faint to miss, so a delay adjustment next to
    /// it would not be heard. See "Where to adjust" in the module docs.
    pub fn played(&mut self, quiet: bool) {
        self.quiet_run = if quiet {
            self.quiet_run.saturating_add(1)
        } else {
            0
        };
    }

    fn restart(&mut self) {
        self.ssrc = None;
        self.packets.clear();
        self.transits.clear();
        self.held_spread = 0;
        self.waiting = 0;
        self.seen = 0;
        self.play = None;
        self.missing_run = 0;
        self.since_adjust = 0;
        self.stats.restarts += 1;
    }

    /// Takes a received packet (already through the source filter).
    pub fn push(&mut self, packet: RtpPacket, arrival: Instant) -> PushOutcome {
        self.stats.pushed += 1;
        let now = self.local(arrival);
        let jump_limit = 10 * self.cfg.clock_rate as i64;
        let mut restarted = false;
        let ext = match self.ssrc {
            Some(ssrc) if ssrc == packet.ssrc => {
                let e = self.last_ext + packet.timestamp.wrapping_sub(self.last_ts) as i32 as i64;
                if (e - self.last_ext).abs() > jump_limit {
                    self.restart();
                    restarted = true;
                    None
                } else {
                    Some(e)
                }
            }
            Some(_) => {
                self.restart();
                restarted = true;
                None
            }
            None => None,
        };
        let ext = ext.unwrap_or_else(|| {
            self.ssrc = Some(packet.ssrc);
            self.last_ext = packet.timestamp as i64;
            self.last_ts = packet.timestamp;
            self.last_ext
        });
        if ext > self.last_ext {
            self.last_ext = ext;
            self.last_ts = packet.timestamp;
        }
        self.observe(now - ext);

        if self.play.is_some_and(|p| ext < p) {
            self.stats.late += 1;
            return PushOutcome::Late;
        }
        if self.packets.contains_key(&ext) {
            self.stats.duplicates += 1;
            return PushOutcome::Duplicate;
        }
        if self.packets.len() >= self.cfg.capacity.max(1) {
            self.packets.pop_first();
            self.stats.overflow += 1;
        }
        self.packets.insert(ext, packet);
        if restarted {
            PushOutcome::Restarted
        } else {
            PushOutcome::Buffered
        }
    }

    fn observe(&mut self, transit: i64) {
        self.seen = self.seen.saturating_add(1);
        self.transits.push_back(transit);
        while self.transits.len() > self.cfg.window.max(1) {
            self.transits.pop_front();
        }
        let min = self.transits.iter().copied().min().unwrap_or(transit);
        let max = self.transits.iter().copied().max().unwrap_or(transit);
        self.min_transit = min;
        self.peak_spread = max - min;
        let excess = self.held_spread - self.peak_spread;
        // Not held while the first window fills: a burst at the start (the
        // packets queued before our media thread read its socket) would
        // otherwise keep the delay high for many seconds.
        if excess <= 0 || self.seen as usize <= self.cfg.window {
            self.held_spread = self.peak_spread;
        } else {
            // Rounded up, so the held value reaches the window's at last.
            self.held_spread -= (excess + (1 << HOLD_SHIFT) - 1) >> HOLD_SHIFT;
        }
    }

    /// One frame tick at `now`: what to play, or `None` while buffering.
    pub fn pop(&mut self, now: Instant) -> Option<Playout> {
        let now = self.local(now);
        let frame = self.cfg.frame_samples as i64;
        let target = self.target_units();
        let play = match self.play {
            Some(p) => p,
            None => {
                let first = *self.packets.keys().next()?;
                if now - first - self.min_transit < target {
                    return None;
                }
                self.since_adjust = 0;
                self.missing_run = 0;
                self.play = Some(first);
                first
            }
        };
        let mut play = play;
        let delay = now - play - self.min_transit;
        self.since_adjust += 1;
        let grow = delay < target - frame / 2;
        let shrink = delay > target + frame;
        if self.since_adjust >= ADJUST_EVERY && (grow || shrink) {
            self.waiting += 1;
        } else {
            self.waiting = 0;
        }
        let hole = self
            .packets
            .first_key_value()
            .is_none_or(|(&k, _)| k >= play + frame);
        let free = self.quiet_run >= QUIET_FRAMES || hole;
        if self.waiting > 0 && (free || self.waiting >= FORCE_AFTER) {
            self.waiting = 0;
            self.since_adjust = 0;
            if !free {
                self.stats.forced += 1;
            }
            if grow {
                self.stats.grown += 1;
                self.stats.missing += 1;
                return Some(Playout::Missing {
                    timestamp: play as u32,
                });
            }
            if shrink {
                self.stats.shrunk += 1;
                if let Some((&k, _)) = self.packets.first_key_value() {
                    if k < play + frame {
                        self.packets.pop_first();
                        play = k;
                    }
                }
                play += frame;
            }
        }
        match self.packets.first_key_value() {
            Some((&k, _)) if k < play + frame => {
                let (_, p) = self.packets.pop_first()?;
                self.play = Some(k + frame);
                self.missing_run = 0;
                self.stats.played += 1;
                Some(Playout::Frame(p))
            }
            next => {
                let next = next.map(|(&k, _)| k);
                self.play = Some(play + frame);
                self.missing_run += 1;
                self.stats.missing += 1;
                let far = next.is_some_and(|k| k - play > self.units(self.cfg.max_delay));
                if far || (next.is_none() && self.missing_run >= IDLE_AFTER) {
                    self.play = None;
                }
                Some(Playout::Missing {
                    timestamp: play as u32,
                })
            }
        }
    }
}

#[cfg(test)]
#[path = "jitter_tests.rs"]
mod tests;
