//! The calls as pure data, the way the windows show them (SPEC C5, C6):
//! the engine's latest [`CallView`] of each call with its media figures
//! and the keys pressed on it, what each change of a call means for the
//! windows ([`Change`]: a call starts ringing, stops ringing, ends), the
//! missed-call count for the main window's badge, a call's quality graded
//! good / fair / poor from loss, jitter and round-trip time, and the
//! Fluent ids of phases and end reasons. No widgets here; the app opens
//! and closes windows from the [`Change`]s.

use std::collections::BTreeMap;

use crate::engine::{CallDirection, CallPhase, CallQualityView, CallView};
use crate::i18n::I18n;

/// One call the UI knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The engine's latest word on it.
    pub view: CallView,
    /// Its latest media figures, once media flows.
    pub quality: Option<CallQualityView>,
    /// Keys the user sent on it (shown above the keypad).
    pub keys_sent: String,
    /// Keys the peer pressed.
    pub keys_received: String,
    /// When the UI heard that it ended (ms since the epoch): stops the timer.
    pub ended_ms: Option<i64>,
}

impl Call {
    pub fn id(&self) -> &str {
        &self.view.id
    }

    /// The call rings here and waits for the user.
    pub fn is_ringing(&self) -> bool {
        self.view.phase == CallPhase::Incoming
    }

    pub fn is_ended(&self) -> bool {
        self.view.phase == CallPhase::Ended
    }

    /// The call is up (answered, not ended).
    pub fn is_active(&self) -> bool {
        self.view.phase == CallPhase::Active
    }

    /// The codec in use: the latest figures', else the call's.
    pub fn codec(&self) -> Option<&str> {
        self.quality
            .as_ref()
            .map(|q| q.codec.as_str())
            .filter(|c| !c.is_empty())
            .or(self.view.codec.as_deref())
    }

    /// How long the call has been up at `now_ms`, in milliseconds.
    pub fn duration_ms(&self, now_ms: i64) -> Option<i64> {
        let until = self.ended_ms.map_or(now_ms, |end| end.min(now_ms));
        self.view.answered_ms.map(|at| (until - at).max(0))
    }

    /// The graded quality of the latest figures.
    pub fn grade(&self) -> Option<Grade> {
        self.quality.as_ref().map(Grade::of)
    }
}

/// What a new [`CallView`] changed, for the windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Change {
    /// The first word on this call.
    pub first: bool,
    /// It rang here before this change.
    pub was_ringing: bool,
    /// It rings here now.
    pub ringing: bool,
    /// It ended with this change.
    pub ended: bool,
    /// It ended as a missed call (counted in [`Calls::missed`]).
    pub missed: bool,
}

/// An incoming call that ended unanswered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissedCall {
    pub account: String,
    pub peer: String,
    pub peer_name: Option<String>,
    /// When it started ringing, ms since the Unix epoch.
    pub at_ms: i64,
}

/// Every call the UI knows, and the missed ones not yet looked at.
#[derive(Debug, Clone, Default)]
pub struct Calls {
    calls: BTreeMap<String, Call>,
    missed: Vec<MissedCall>,
    /// The wall clock the timers are drawn against (ms since the epoch).
    now_ms: i64,
}

impl Calls {
    pub fn new() -> Calls {
        Calls::default()
    }

    pub fn get(&self, id: &str) -> Option<&Call> {
        self.calls.get(id)
    }

    /// Every call, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Call> {
        let mut calls: Vec<&Call> = self.calls.values().collect();
        calls.sort_by_key(|c| c.view.started_ms);
        calls.into_iter()
    }

    /// The calls that have not ended, oldest first.
    pub fn live(&self) -> impl Iterator<Item = &Call> {
        self.iter().filter(|c| !c.is_ended())
    }

    /// A call with `peer` on `account` that has not ended.
    pub fn live_with(&self, account: &str, peer: &str) -> Option<&Call> {
        self.live()
            .find(|c| c.view.account == account && same_address(&c.view.peer, peer))
    }

    /// True while some call's timer runs.
    pub fn has_timer(&self) -> bool {
        self.live().any(|c| c.view.answered_ms.is_some())
    }

    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// Moves the clock the call timers are drawn against.
    pub fn tick(&mut self, now_ms: i64) {
        self.now_ms = now_ms;
    }

    /// The missed calls since the user last looked.
    pub fn missed(&self) -> &[MissedCall] {
        &self.missed
    }

    /// A missed call the user has not seen, known from the call history
    /// (from before this start): joins the others in time order, once.
    pub fn add_missed(&mut self, call: MissedCall) {
        if self.missed.contains(&call) {
            return;
        }
        let at = self.missed.partition_point(|m| m.at_ms <= call.at_ms);
        self.missed.insert(at, call);
    }

    /// The user looked at the missed calls: the badge goes.
    pub fn clear_missed(&mut self) {
        self.missed.clear();
    }

    /// Takes in the engine's latest word on a call (after [`Calls::tick`]
    /// has set the clock: an ending call's timer stops there).
    pub fn apply(&mut self, view: CallView) -> Change {
        let previous = self.calls.get(&view.id);
        let mut change = Change {
            first: previous.is_none(),
            was_ringing: previous.is_some_and(Call::is_ringing),
            ringing: view.phase == CallPhase::Incoming,
            ended: view.phase == CallPhase::Ended && !previous.is_some_and(Call::is_ended),
            missed: false,
        };
        if change.ended && is_missed(&view) {
            change.missed = true;
            self.missed.push(MissedCall {
                account: view.account.clone(),
                peer: view.peer.clone(),
                peer_name: view.peer_name.clone(),
                at_ms: view.started_ms,
            });
        }
        let ended_ms = change.ended.then_some(self.now_ms);
        let call = self.calls.entry(view.id.clone()).or_insert_with(|| Call {
            view: view.clone(),
            quality: None,
            keys_sent: String::new(),
            keys_received: String::new(),
            ended_ms: None,
        });
        call.view = view;
        call.ended_ms = call.ended_ms.or(ended_ms);
        change
    }

    /// Takes in a call's media figures.
    pub fn apply_quality(&mut self, quality: CallQualityView) {
        if let Some(call) = self.calls.get_mut(&quality.call) {
            call.quality = Some(quality);
        }
    }

    /// The peer pressed a key.
    pub fn key_received(&mut self, id: &str, key: char) {
        if let Some(call) = self.calls.get_mut(id) {
            push_key(&mut call.keys_received, key);
        }
    }

    /// The user sent keys on a call.
    pub fn keys_sent(&mut self, id: &str, keys: &str) {
        if let Some(call) = self.calls.get_mut(id) {
            for key in keys.chars() {
                push_key(&mut call.keys_sent, key);
            }
        }
    }

    /// Forgets an ended call (its window closed).
    pub fn forget(&mut self, id: &str) {
        if self.calls.get(id).is_some_and(Call::is_ended) {
            self.calls.remove(id);
        }
    }
}

/// The keys shown for a call: the latest few dozen.
const KEYS_SHOWN: usize = 32;

fn push_key(keys: &mut String, key: char) {
    keys.push(key);
    let extra = keys.chars().count().saturating_sub(KEYS_SHOWN);
    if extra > 0 {
        *keys = keys.chars().skip(extra).collect();
    }
}

/// An incoming call that ended without being answered, and not because
/// the user declined it, sent it elsewhere or took it on another device.
pub fn is_missed(view: &CallView) -> bool {
    view.phase == CallPhase::Ended
        && view.direction == CallDirection::Incoming
        && view.answered_ms.is_none()
        && !matches!(
            view.end_reason.as_deref(),
            Some("declined" | "forwarded" | "answered-elsewhere")
        )
}

/// Two addresses name the same person (scheme and case of the host aside).
fn same_address(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        let s = s.trim();
        let s = s
            .strip_prefix("sip:")
            .or_else(|| s.strip_prefix("sips:"))
            .unwrap_or(s);
        s.split(';').next().unwrap_or(s).to_ascii_lowercase()
    };
    strip(a) == strip(b)
}

/// How a call sounds, from its latest figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grade {
    Good,
    Fair,
    Poor,
}

impl Grade {
    /// Loss (either way), jitter and round-trip time each grade the call;
    /// the worst of them counts. Fair from 1 % loss, 30 ms jitter or
    /// 300 ms round trip; poor from 5 %, 60 ms or 600 ms (a mouth-to-ear
    /// delay past ~150 ms each way starts to hurt a conversation, ITU-T
    /// G.114).
    pub fn of(q: &CallQualityView) -> Grade {
        let loss = q.loss.max(q.remote_loss.unwrap_or(0.0));
        let rtt = q.round_trip_ms.unwrap_or(0.0);
        let grade = |value: f32, fair: f32, poor: f32| {
            if value >= poor {
                Grade::Poor
            } else if value >= fair {
                Grade::Fair
            } else {
                Grade::Good
            }
        };
        grade(loss, 0.01, 0.05)
            .max(grade(q.jitter_ms, 30.0, 60.0))
            .max(grade(rtt, 300.0, 600.0))
    }

    /// Its Fluent id.
    pub fn id(self) -> &'static str {
        match self {
            Grade::Good => "call-quality-good",
            Grade::Fair => "call-quality-fair",
            Grade::Poor => "call-quality-poor",
        }
    }
}

/// A call's duration as a clock: `0:07`, `12:34`, `1:02:03`.
pub fn format_duration(ms: i64) -> String {
    let seconds = ms.max(0) / 1000;
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// The Fluent id of where a call stands (not ended).
pub fn phase_id(view: &CallView) -> &'static str {
    match view.phase {
        CallPhase::Calling => "call-phase-calling",
        CallPhase::Ringing | CallPhase::EarlyMedia => "call-phase-ringing",
        CallPhase::Incoming => "call-phase-incoming",
        CallPhase::Connecting => "call-phase-connecting",
        CallPhase::Active if view.on_hold => "call-phase-on-hold",
        CallPhase::Active => "call-phase-active",
        CallPhase::Ended => end_reason_id(view.end_reason.as_deref()),
    }
}

/// The Fluent id of why a call ended, for each of the engine's tokens.
pub fn end_reason_id(reason: Option<&str>) -> &'static str {
    match reason {
        Some("hangup") => "call-end-hangup",
        Some("remote-hangup") => "call-end-remote-hangup",
        Some("busy") => "call-end-busy",
        Some("declined") => "call-end-declined",
        Some("not-found") => "call-end-not-found",
        Some("no-answer") => "call-end-no-answer",
        Some("cancelled") => "call-end-cancelled",
        Some("refused") => "call-end-refused",
        Some("failed") => "call-end-failed",
        Some("no-ack") => "call-end-no-ack",
        Some("session-expired") => "call-end-session-expired",
        Some("media-failed") => "call-end-media-failed",
        Some("forwarded") => "call-end-forwarded",
        Some("transferred") => "call-end-transferred",
        Some("answered-elsewhere") => "call-end-answered-elsewhere",
        _ => "call-end-other",
    }
}

/// True when the call ended the ordinary way (someone hung up, it was
/// passed on): its window need not stay long.
pub fn ended_normally(view: &CallView) -> bool {
    matches!(
        view.end_reason.as_deref(),
        Some("hangup" | "remote-hangup" | "forwarded" | "transferred" | "answered-elsewhere")
    )
}

/// The SIP address to transfer a call on `account` to, for what the user
/// typed: a `sip:`/`sips:` address as it is, `user@host` with `sip:`, a
/// `tel:` number, a number or a user name at the account's domain
/// (spaces, dashes, dots and brackets of a number dropped). None for
/// nothing, or text with spaces that is not a number.
pub fn transfer_target(input: &str, account: &str) -> Option<String> {
    let input = input.trim();
    let lower = input.to_ascii_lowercase();
    if lower.starts_with("sip:") || lower.starts_with("sips:") {
        return (!input.contains(char::is_whitespace)).then(|| input.to_string());
    }
    let user = lower
        .strip_prefix("tel:")
        .map(|_| &input[4..])
        .unwrap_or(input);
    let user = user.split(';').next().unwrap_or(user);
    let is_number = user.chars().any(|c| c.is_ascii_digit())
        && user
            .chars()
            .all(|c| c.is_ascii_digit() || " +-.()*#".contains(c));
    let user: String = if is_number {
        user.chars().filter(|c| !" -.()".contains(*c)).collect()
    } else {
        user.to_string()
    };
    if user.is_empty() || user.contains(char::is_whitespace) {
        return None;
    }
    if user.contains('@') {
        return Some(format!("sip:{user}"));
    }
    let domain = account.rsplit_once('@').map(|(_, d)| d)?;
    Some(format!("sip:{user}@{domain}"))
}

/// Where a call stands in words, with its timer once answered:
/// "Ringing…", "Connected · 1:23", "Bob hung up · 12:04". `name` is the
/// other person as the list names them.
pub fn describe(i18n: &I18n, call: &Call, name: &str, now_ms: i64) -> String {
    let direction = match call.view.direction {
        CallDirection::Incoming => "incoming",
        CallDirection::Outgoing => "outgoing",
    };
    let words = i18n.tr_args(
        phase_id(&call.view),
        &[
            ("name", name.to_string().into()),
            ("direction", direction.into()),
        ],
    );
    match call.duration_ms(now_ms) {
        Some(duration) => format!("{words} · {}", format_duration(duration)),
        None => words,
    }
}

/// The keys a keypad has, in its order (three columns).
pub const KEYPAD: [char; 12] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

/// True for a key that can be sent as a tone from the keypad or keyboard.
pub fn is_dtmf_key(c: char) -> bool {
    KEYPAD.contains(&c)
}

#[cfg(test)]
#[path = "call_tests.rs"]
mod tests;
