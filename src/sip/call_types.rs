//! The plain types the call machine takes and gives: the driver builds
//! SIP messages from them.

use std::time::Duration;

/// The methods the call machine sends or receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Invite,
    Ack,
    Bye,
    Cancel,
}

/// Knobs of the machine.
#[derive(Debug, Clone)]
pub struct CallConfig {
    /// RFC 3261 T1 and T2 (500 ms and 4 s).
    pub t1: Duration,
    pub t2: Duration,
    /// Seeds the branch, tag, Call-ID and back-off generator.
    pub seed: u64,
    /// How many 3xx redirects of the initial INVITE are followed.
    pub max_redirects: u8,
}

impl Default for CallConfig {
    fn default() -> Self {
        CallConfig {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            seed: 0x5eed_cafe_f00d_1234,
            max_redirects: 5,
        }
    }
}

/// A request for the driver to send in the dialog (to the remote target
/// through the route set of [`CallMachine::dialog`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub cseq: u32,
    /// Via branch: new for every transaction, the INVITE's for a CANCEL.
    pub branch: String,
    pub sdp: Option<Vec<u8>>,
    /// Extra headers (name, value).
    pub headers: Vec<(String, String)>,
}

/// A response for the driver to send to the peer's request `method`/`cseq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub code: u16,
    pub method: Method,
    pub cseq: u32,
    pub sdp: Option<Vec<u8>>,
    pub headers: Vec<(String, String)>,
}

/// A response the peer sent to one of our requests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseIn {
    pub code: u16,
    pub reason: String,
    pub method: Option<Method>,
    pub cseq: u32,
    pub to_tag: Option<String>,
    pub contact: Option<String>,
    pub record_route: Vec<String>,
    pub sdp: Option<Vec<u8>>,
    /// The Session-Expires it carries (RFC 4028), for the driver.
    pub session_expires: Option<super::super::session_timer::SessionExpires>,
}

/// A request the peer sent in the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestIn {
    pub method: Method,
    pub cseq: u32,
    pub contact: Option<String>,
    pub sdp: Option<Vec<u8>>,
}

/// The dialog-forming parts of an incoming INVITE.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncomingInvite {
    pub call_id: String,
    pub from_tag: String,
    pub cseq: u32,
    pub contact: Option<String>,
    pub record_route: Vec<String>,
}

/// Inputs besides time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Place the call with this SDP offer.
    Start {
        offer: Vec<u8>,
    },
    /// An INVITE came in.
    Incoming {
        invite: IncomingInvite,
        offer: Option<Vec<u8>>,
    },
    /// Answer the incoming call.
    Accept {
        answer: Vec<u8>,
    },
    /// Refuse the incoming call (486, 603, 480...).
    Decline {
        code: u16,
    },
    /// Give up an outgoing call before it is answered.
    Cancel,
    /// End an established call.
    Hangup,
    /// Put on hold / take off hold with a new offer (re-INVITE).
    Hold {
        offer: Vec<u8>,
    },
    Resume {
        offer: Vec<u8>,
    },
    /// Our SDP for a re-INVITE the peer sent ([`Output::NeedAnswer`]).
    Answer {
        sdp: Vec<u8>,
    },
    /// Refuse the peer's re-INVITE (488: its offer is unusable); the old
    /// session goes on.
    RefuseOffer {
        code: u16,
    },
    Response(ResponseIn),
    Request(RequestIn),
    /// A session timer (RFC 4028) was negotiated for the established
    /// call (see `session_timer`): refresh or watch it from now on.
    SessionTimer {
        delta: u32,
        we_refresh: bool,
    },
}

/// Why a call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndReason {
    Busy,
    Declined,
    NotFound,
    NoAnswer,
    Cancelled,
    /// 488 and the peer's reason phrase.
    Refused(String),
    Failed {
        code: u16,
        reason: String,
    },
    LocalHangup,
    RemoteHangup,
    /// Our 2xx was never acknowledged.
    NoAck,
    /// The session timer ran out without a refresh.
    SessionExpired,
}

impl EndReason {
    /// The reason a final failure code gives.
    pub fn from_code(code: u16, reason: &str) -> EndReason {
        match code {
            486 | 600 => EndReason::Busy,
            603 => EndReason::Declined,
            404 | 604 => EndReason::NotFound,
            408 | 480 => EndReason::NoAnswer,
            487 => EndReason::Cancelled,
            488 => EndReason::Refused(reason.to_string()),
            _ => EndReason::Failed {
                code,
                reason: reason.to_string(),
            },
        }
    }
}

/// The state of a call as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallState {
    Idle,
    /// INVITE sent, nothing but 100 heard.
    Calling,
    /// The peer rings (180, or 183 without SDP).
    Ringing,
    /// 183 with SDP: the peer's early media plays.
    EarlyMedia,
    /// An incoming call rings here.
    Incoming,
    /// Answered; waiting for the ACK.
    Connecting,
    Established {
        on_hold: bool,
    },
    Ended(EndReason),
}

/// What the driver must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Send(Request),
    Respond(Response),
    /// Start (or change) media: our SDP and the peer's.
    Media {
        local: Vec<u8>,
        remote: Vec<u8>,
        early: bool,
    },
    StopMedia,
    /// The peer's re-INVITE offer (None: it wants our offer); answer with
    /// [`Input::Answer`].
    NeedAnswer {
        offer: Option<Vec<u8>>,
    },
    /// Our re-INVITE was refused: the old session goes on.
    ReofferFailed {
        code: u16,
    },
    State(CallState),
    /// The initial INVITE was redirected (3xx) to `target`: a new INVITE
    /// (a new transaction, sent next) goes there.
    Redirected {
        target: String,
    },
}
