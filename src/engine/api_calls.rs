//! The call part of the engine's vocabulary (SPEC C1-C8): what a front end
//! asks of a call and what it is told about one. Re-exported from
//! [`api`](super::api); documented in `docs/control-protocol.md`.

use serde::{Deserialize, Serialize};

/// What to do with a call (`call_control`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum CallAction {
    /// Take an incoming call.
    Answer,
    /// Refuse an incoming call (603 Decline).
    Decline,
    /// Send an incoming call to the voicemail pilot (302 to it).
    Voicemail,
    /// End the call, whatever its state (CANCEL, decline or BYE).
    Hangup,
    Hold,
    Resume,
    Mute,
    Unmute,
    /// Send keys as telephone-events (RFC 4733): `0-9`, `*`, `#`, `A-D`.
    Dtmf {
        keys: String,
    },
    /// Blind transfer (RFC 3515): ask the peer to call `target` instead;
    /// this call ends once the peer reports the new call answered.
    Transfer {
        target: String,
    },
    /// Attended transfer (RFC 3515 with RFC 3891 Replaces): connect this
    /// call's peer with the peer of our other call `with` (which the
    /// user has spoken to); both our calls end.
    AttendedTransfer {
        with: String,
    },
}

/// Who started the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    Outgoing,
    Incoming,
}

/// Where a call stands, as shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallPhase {
    /// INVITE sent, nothing heard yet.
    Calling,
    /// The peer rings.
    Ringing,
    /// The peer plays early media (183 with SDP).
    EarlyMedia,
    /// A call rings here.
    Incoming,
    /// Answered, waiting for the peer's ACK.
    Connecting,
    Active,
    Ended,
}

/// One call as a front end shows it: sent whole on every change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallView {
    /// The engine's id for the call (`call_control` takes it).
    pub id: String,
    pub account: String,
    /// The other party's address.
    pub peer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_name: Option<String>,
    pub direction: CallDirection,
    pub phase: CallPhase,
    /// We put the call on hold.
    #[serde(default)]
    pub on_hold: bool,
    /// The microphone is muted.
    #[serde(default)]
    pub muted: bool,
    /// The codec in use once media flows (`opus`, `G722`, `PCMU`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codec: Option<String>,
    /// Why it ended: `hangup`, `remote-hangup`, `busy`, `declined`,
    /// `not-found`, `no-answer`, `cancelled`, `refused`, `failed`,
    /// `no-ack`, `session-expired`, `media-failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<String>,
    /// The peer's or the network's words for a failure (`486 Busy Here`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Our call was forwarded (a 3xx followed): where it rings now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded_to: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub started_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_ms: Option<i64>,
}

impl CallView {
    /// A call as it starts: calling (ours) or ringing here (theirs), with
    /// nothing known yet but who, from which account and when.
    pub fn new(
        id: impl Into<String>,
        account: impl Into<String>,
        peer: impl Into<String>,
        direction: CallDirection,
        started_ms: i64,
    ) -> CallView {
        CallView {
            id: id.into(),
            account: account.into(),
            peer: peer.into(),
            peer_name: None,
            direction,
            phase: match direction {
                CallDirection::Outgoing => CallPhase::Calling,
                CallDirection::Incoming => CallPhase::Incoming,
            },
            on_hold: false,
            muted: false,
            codec: None,
            end_reason: None,
            detail: None,
            forwarded_to: None,
            started_ms,
            answered_ms: None,
        }
    }
}

/// Media figures for the call-info panel, every few seconds of a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallQualityView {
    pub call: String,
    pub codec: String,
    /// Share of the peer's packets we lost (0.0-1.0), last interval.
    pub loss: f32,
    /// Their stream's interarrival jitter as we measure it, ms.
    pub jitter_ms: f32,
    /// What the peer reports about our stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_loss: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round_trip_ms: Option<f32>,
    pub packets_sent: u64,
    pub packets_received: u64,
    /// Frames filled by concealment or FEC.
    pub concealed: u64,
}

/// A microphone or speaker, for the settings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioDevice {
    /// What to put in the settings (`input`, `output`, `ringer`).
    pub id: String,
    /// What to show.
    pub name: String,
    /// The system's default device.
    #[serde(default)]
    pub is_default: bool,
}

impl From<crate::audio::device::DeviceInfo> for AudioDevice {
    fn from(d: crate::audio::device::DeviceInfo) -> Self {
        AudioDevice {
            id: d.id,
            name: d.name,
            is_default: d.is_default,
        }
    }
}
