//! One call's task: it feeds the sans-IO `CallMachine` the user's actions,
//! the SIP traffic of the dialog ([`driver_sip`](super::driver_sip)) and
//! the time, carries out what the machine asks (requests, responses,
//! media start and stop), does the SDP offer/answer, and tells the front
//! ends about the call as a [`CallView`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use rsipstack::sip::Uri;
use rsipstack::transaction::transaction::Transaction;
use tokio::sync::{broadcast, mpsc};

use super::audio_setup::AudioSetup;
use super::driver_sip::{self, Reply, SipEvent};
use super::local;
use super::media::{self, MediaEvent, MediaHandle, MediaPorts};
use crate::config::AccountConfig;
use crate::engine::api::{CallAction, CallDirection, CallPhase, CallQualityView, CallView, Event};
use crate::media::offer_answer::{self, LocalMedia, Negotiated};
use crate::media::sdp::{self, SessionDescription};
use crate::sip::call::{
    CallConfig, CallMachine, CallState, EndReason, Input, Method, Output, RequestIn,
};
use crate::sip::call_wire;
use crate::sip::request::Identity;
use crate::sip::SipEndpoint;

/// What every call of an account shares.
pub(super) struct Shared {
    /// The account's call history writer.
    pub history: mpsc::UnboundedSender<super::history::HistoryOp>,
    /// Asks the account's call task to place a call for a REFER.
    pub refers: mpsc::UnboundedSender<super::ReferRequest>,
    /// The account's line publisher (busy lamp).
    pub line: mpsc::UnboundedSender<super::line::LineUpdate>,
    pub registry: super::CallRegistry,
    pub account: AccountConfig,
    pub endpoint: Arc<SipEndpoint>,
    pub identity: Identity,
    pub events: broadcast::Sender<Event>,
}

impl Shared {
    /// The address for a forwarding target or pilot as written in the
    /// settings (a number or name is at the account's domain).
    pub(super) fn target(&self, written: &str) -> String {
        crate::engine::call_target(written, self.account.domain())
            .unwrap_or_else(|| written.trim().to_string())
    }
}

/// What the account's call task hands a call.
pub(crate) enum CallMsg {
    Control(CallAction),
    /// The manager placed the call this call's REFER asked for.
    Referred(mpsc::UnboundedReceiver<u16>),
    /// A request in this call's dialog.
    Request(Box<Transaction>),
}

#[path = "driver_run.rs"]
mod run;
#[path = "driver_transfer.rs"]
mod transfer;
#[path = "driver_view.rs"]
mod view;

struct Call {
    shared: Arc<Shared>,
    view: CallView,
    machine: CallMachine,
    peer: Uri,
    local: LocalMedia,
    ports: MediaPorts,
    media: Option<MediaHandle>,
    /// The offer we made and wait the answer to.
    pending_offer: Option<SessionDescription>,
    /// What our last answer agreed (callee, or a peer's re-offer), and
    /// that answer.
    answered: Option<Negotiated>,
    local_answer: Option<SessionDescription>,
    agreed: Option<Negotiated>,
    sip_tx: mpsc::UnboundedSender<SipEvent>,
    sip_rx: Option<mpsc::UnboundedReceiver<SipEvent>>,
    media_tx: mpsc::UnboundedSender<MediaEvent>,
    media_rx: Option<mpsc::UnboundedReceiver<MediaEvent>>,
    /// Our INVITE's CANCEL trigger.
    cancel: Option<mpsc::UnboundedSender<()>>,
    /// The peer's requests waiting for our response, by method and CSeq.
    servers: HashMap<(Method, u32), mpsc::UnboundedSender<Reply>>,
    /// INVITEs (by CSeq) already answered 2xx: rsipstack resends those.
    answered_2xx: HashSet<u32>,
    muted: bool,
    /// Where a transfer we asked for goes, until it is settled.
    transfer: Option<String>,
    /// This call was asked for by a REFER: whom to tell how it goes.
    referral: Option<Referral>,
    /// A REFER of the peer's we carry out: we tell it how the new call goes.
    refer_subscription: Option<ReferSubscription>,
    /// Callee: the session timer agreed for our 2xx (RFC 4028): its
    /// headers, interval and whether we refresh.
    uas_timer: Option<(Vec<rsipstack::sip::Header>, u32, bool)>,
    /// Where our 3xx sends the ringing call (to voicemail).
    redirect_to: Option<String>,
    /// Forwarding on no answer: when, and where to.
    no_answer: Option<(tokio::time::Instant, String)>,
    /// A hold (true) or resumption asked for while another offer was out.
    wanted_hold: Option<bool>,
    /// The ring of an incoming call, while it waits.
    ringer: Option<crate::audio::ringtone::Ringer>,
    /// The history has this call's row, and its answer.
    recorded: bool,
    recorded_answer: bool,
}

/// A call placed for a peer's REFER (we are being transferred).
#[derive(Debug)]
pub(super) struct Referral {
    /// `Replaces` for the new INVITE (attended transfer), as the REFER gave it.
    pub replaces: Option<String>,
    pub referred_by: Option<String>,
    /// Told the new call's final status: 200 when answered, else its code.
    pub report: mpsc::UnboundedSender<u16>,
}

/// The implicit subscription a REFER we accepted creates (RFC 3515 §2.4.4).
pub(super) struct ReferSubscription {
    pub report: mpsc::UnboundedReceiver<u16>,
}

use crate::engine::im::view::now_ms;

fn machine() -> CallMachine {
    CallMachine::new(CallConfig {
        seed: crate::media::rtp::random_u64(),
        ..CallConfig::default()
    })
}

fn view(shared: &Shared, id: String, peer: String, direction: CallDirection) -> CallView {
    CallView::new(
        id,
        shared.account.address.clone(),
        peer,
        direction,
        now_ms(),
    )
}

/// A call that failed before it could start: shown as ended at once.
fn failed_at_once(shared: &Shared, mut v: CallView, reason: &str, detail: String) {
    use super::history::HistoryOp;
    v.phase = CallPhase::Ended;
    v.end_reason = Some(reason.into());
    v.detail = Some(detail);
    let _ = shared.history.send(HistoryOp::started(&v, None));
    let _ = shared.history.send(HistoryOp::ended(&v));
    let _ = shared.events.send(Event::Call { call: Box::new(v) });
}

/// Places a call to `uri`; returns the call's channel and its SIP Call-ID.
pub(super) fn place(
    shared: Arc<Shared>,
    id: String,
    uri: String,
    referral: Option<Referral>,
    done: mpsc::UnboundedSender<String>,
) -> (mpsc::UnboundedSender<CallMsg>, String) {
    let (tx, rx) = mpsc::unbounded_channel();
    let v = view(&shared, id.clone(), uri.clone(), CallDirection::Outgoing);
    let peer = match Uri::try_from(uri.as_str()) {
        Ok(p) => p,
        Err(e) => {
            failed_at_once(&shared, v, "failed", format!("not a SIP address: {e}"));
            let _ = done.send(id);
            return (tx, String::new());
        }
    };
    let ip = shared.endpoint.local_udp.ip();
    let ports = match MediaPorts::bind(ip) {
        Ok(p) => p,
        Err(e) => {
            failed_at_once(
                &shared,
                v,
                "media-failed",
                format!("no port for audio: {e}"),
            );
            let _ = done.send(id);
            return (tx, String::new());
        }
    };
    let local = local::local_media(ip, ports.rtp_port(), &shared.registry.settings());
    let offer = offer_answer::make_offer(&local);
    let mut call = Call::new(shared, v, peer, local, ports);
    call.referral = referral;
    let outputs = call.machine.handle_input(
        Input::Start {
            offer: offer.to_string().into_bytes(),
        },
        Instant::now(),
    );
    call.pending_offer = Some(offer);
    let sip_call_id = call
        .machine
        .dialog()
        .map(|d| d.call_id.clone())
        .unwrap_or_default();
    call.emit();
    tokio::spawn(call.run(outputs, rx, done));
    (tx, sip_call_id)
}

/// The session timer (RFC 4028) for an INVITE's headers: what our 2xx
/// says, the interval and whether we refresh; Err(Min-SE) for a 422.
fn uas_session_timer(
    headers: &rsipstack::sip::Headers,
) -> Result<Option<(Vec<rsipstack::sip::Header>, u32, bool)>, u32> {
    use crate::sip::request::{header, header_values, leading_number};
    use crate::sip::session_timer::{
        negotiate_uas, SessionExpires, SessionTimerConfig, UasDecision,
    };
    let requested = header(headers, "Session-Expires").and_then(|v| SessionExpires::parse(&v));
    let min_se = header(headers, "Min-SE").and_then(|v| leading_number(&v));
    let supports = header_values(headers, "Supported")
        .iter()
        .flat_map(|v| {
            v.split(',')
                .map(|t| t.trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .any(|t| t == "timer");
    match negotiate_uas(&SessionTimerConfig::default(), requested, min_se, supports) {
        UasDecision::Reject { min_se } => Err(min_se),
        UasDecision::Accept {
            session_expires,
            require_timer,
            we_refresh,
        } => {
            let mut h = vec![rsipstack::sip::Header::Other(
                "Session-Expires".into(),
                session_expires.to_header_value(),
            )];
            if require_timer {
                h.push(rsipstack::sip::Header::Other(
                    "Require".into(),
                    "timer".into(),
                ));
            }
            Ok(Some((h, session_expires.delta, we_refresh)))
        }
    }
}

/// Takes an incoming INVITE as call `id`.
pub(super) fn incoming(
    shared: Arc<Shared>,
    id: String,
    mut tx: Transaction,
    done: mpsc::UnboundedSender<String>,
) -> mpsc::UnboundedSender<CallMsg> {
    let (call_tx, rx) = mpsc::unbounded_channel();
    let refuse = |mut tx: Transaction, code: u16, reason: String| {
        tokio::spawn(async move {
            let mut resp = tx
                .endpoint_inner
                .make_response(&tx.original, code.into(), None);
            resp.wire_reason = Some(reason);
            let _ = tx.respond(resp).await;
        });
    };
    let Some((invite, offer)) = call_wire::incoming_invite(&tx.original) else {
        refuse(tx, 400, "Missing Call-ID or From tag".into());
        let _ = done.send(id);
        return call_tx;
    };
    let from = crate::sip::request::header(&tx.original.headers, "From").unwrap_or_default();
    let (name, address) = call_wire::name_and_address(&from);
    let mut v = view(
        &shared,
        id.clone(),
        address.clone(),
        CallDirection::Incoming,
    );
    v.peer_name = name;
    let settings = shared.registry.settings();
    let forwarding = &settings.forwarding;
    // Do not disturb: never ring; voicemail takes it when there is one.
    // Otherwise forwarding: every call, or while another call is up.
    let redirect = if shared.registry.dnd() {
        match settings.voicemail.as_deref() {
            Some(pilot) => Err((pilot, super::history::DND_DETAIL.to_string())),
            None => Ok(()),
        }
    } else if let Some(to) = forwarding.always() {
        Err((to, to.to_string()))
    } else if let Some(to) = forwarding.busy().filter(|_| shared.registry.any_up()) {
        Err((to, to.to_string()))
    } else {
        Ok(())
    };
    match redirect {
        Err((to, detail)) => {
            let contact =
                rsipstack::sip::Header::Contact(format!("<{}>", shared.target(to)).into());
            tokio::spawn(async move {
                let status = rsipstack::sip::StatusCode::MovedTemporarily;
                let _ = tx.reply_with(status, vec![contact], None).await;
            });
            failed_at_once(&shared, v, "forwarded", detail);
            let _ = done.send(id);
            return call_tx;
        }
        Ok(()) if shared.registry.dnd() => {
            refuse(tx, 486, "Busy Here".into());
            failed_at_once(&shared, v, "busy", super::history::DND_DETAIL.into());
            let _ = done.send(id);
            return call_tx;
        }
        Ok(()) => {}
    }
    let peer = Uri::try_from(address.as_str()).unwrap_or_else(|_| shared.identity.aor.clone());
    let ip = shared.endpoint.local_udp.ip();
    let ports = match MediaPorts::bind(ip) {
        Ok(p) => p,
        Err(e) => {
            refuse(tx, 500, "No Media Port".into());
            failed_at_once(
                &shared,
                v,
                "media-failed",
                format!("no port for audio: {e}"),
            );
            let _ = done.send(id);
            return call_tx;
        }
    };
    let local = local::local_media(ip, ports.rtp_port(), &shared.registry.settings());
    let mut answered = None;
    if let Some(offer) = &offer {
        let refusal = match sdp::parse(offer) {
            Ok(sdp) => offer_answer::answer(&sdp, &local)
                .map(|a| answered = Some(a))
                .err(),
            Err(e) => Some(e.into()),
        };
        if let Some(r) = refusal {
            tracing::info!(call = %id, reason = %r.reason, "incoming call refused: {}", r.status);
            refuse(tx, r.status, r.reason.clone());
            failed_at_once(&shared, v, "refused", format!("{} {}", r.status, r.reason));
            let _ = done.send(id);
            return call_tx;
        }
    }
    let timer = match uas_session_timer(&tx.original.headers) {
        Ok(t) => t,
        Err(min_se) => {
            // 422: the interval asked for is below what we take.
            tokio::spawn(async move {
                let h = rsipstack::sip::Header::Other("Min-SE".into(), min_se.to_string());
                let _ = tx.reply_with(422.into(), vec![h], None).await;
            });
            failed_at_once(
                &shared,
                v,
                "failed",
                "422 Session Interval Too Small".into(),
            );
            let _ = done.send(id);
            return call_tx;
        }
    };
    let mut call = Call::new(shared.clone(), v, peer, local, ports);
    call.uas_timer = timer;
    call.no_answer = forwarding
        .no_answer()
        .filter(|_| settings.auto_answer != Some(true))
        .map(|(to, after)| (tokio::time::Instant::now() + after, to.to_string()));
    let cseq = invite.cseq;
    let outputs = call
        .machine
        .handle_input(Input::Incoming { invite, offer }, Instant::now());
    let local_tag = call
        .machine
        .dialog()
        .map(|d| d.local_tag.clone())
        .unwrap_or_default();
    if let Some(a) = answered {
        call.answered = Some(a.negotiated.clone());
        call.local_answer = Some(a.sdp);
    }
    tx.original.body.clear();
    let server = driver_sip::serve(shared.clone(), tx, &local_tag, call.sip_tx.clone());
    call.servers.insert((Method::Invite, cseq), server);
    call.emit();
    if settings.auto_answer == Some(true) {
        let _ = call_tx.send(CallMsg::Control(CallAction::Answer));
    } else {
        call.start_ringing();
    }
    tokio::spawn(call.run(outputs, rx, done));
    call_tx
}
