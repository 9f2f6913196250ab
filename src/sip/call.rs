//! The life of one call (an INVITE dialog, RFC 3261 §12-15, offer/answer
//! roles of RFC 3264), sans-IO: fed the user's wishes, the requests and
//! responses of the dialog and the time, it says what to send, when media
//! starts or stops and what to show. It builds no SIP message: the driver
//! builds them from the [`Output`]s and the [`Dialog`] (Call-ID, tags,
//! route set, remote target). Transaction timeouts reach it as a 408.

use std::time::{Duration, Instant};

use super::session_timer::{Refresher, SessionExpires, SessionTimer, TimerAction};

#[path = "call_dialog.rs"]
mod dialog;
#[path = "call_requests.rs"]
mod requests;
#[path = "call_responses.rs"]
mod responses;
#[path = "call_types.rs"]
mod types;

pub use dialog::Dialog;
pub use types::*;

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Idle,
    /// UAC: INVITE out, no final response.
    Calling {
        provisional: bool,
        cancel: bool,
    },
    /// UAC: CANCEL sent.
    Cancelling,
    /// UAS: ringing here.
    Incoming,
    /// UAS: 200 sent, waiting for the ACK.
    Answered,
    Established,
    /// BYE sent; `shown` once Ended was shown.
    Terminating {
        reason: EndReason,
        shown: bool,
    },
    Ended,
}

/// A re-INVITE we sent or will send.
#[derive(Debug, Clone, PartialEq)]
struct Reoffer {
    offer: Vec<u8>,
    hold: bool,
    cseq: u32,
    /// Waiting out a 491 until then.
    retry_at: Option<Instant>,
}

/// Our 2xx to an INVITE, resent until ACKed (§13.3.1.4).
#[derive(Debug, Clone, PartialEq)]
struct Retransmit {
    response: Response,
    next_at: Instant,
    interval: Duration,
    give_up_at: Instant,
}

/// One call's state machine.
#[derive(Debug)]
pub struct CallMachine {
    cfg: CallConfig,
    rng: u64,
    phase: Phase,
    shown: CallState,
    dialog: Option<Dialog>,
    /// The initial INVITE (UAC): CSeq and branch, and our offer.
    invite: Option<Request>,
    /// The ACK of the 2xx, resent for a retransmitted 2xx.
    last_ack: Option<Request>,
    /// SDP of the session in force: ours and the peer's.
    local_sdp: Vec<u8>,
    remote_sdp: Vec<u8>,
    on_hold: bool,
    reoffer: Option<Reoffer>,
    /// A peer's re-INVITE waiting for our answer (its CSeq).
    reinvite_in: Option<u32>,
    retransmit: Option<Retransmit>,
    /// Until when we wait for the response to our BYE.
    bye_deadline: Option<Instant>,
    /// Hangup came before the ACK of our 2xx.
    hangup_pending: bool,
    /// The RFC 4028 session timer, once negotiated.
    session: Option<SessionTimer>,
    /// The CSeq of the peer's initial INVITE (callee).
    invite_cseq_in: u32,
    /// 3xx redirects followed so far.
    redirects: u8,
}

impl CallMachine {
    pub fn new(cfg: CallConfig) -> Self {
        let rng = cfg.seed | 1;
        CallMachine {
            cfg,
            rng,
            phase: Phase::Idle,
            shown: CallState::Idle,
            dialog: None,
            invite: None,
            last_ack: None,
            local_sdp: vec![],
            remote_sdp: vec![],
            on_hold: false,
            reoffer: None,
            reinvite_in: None,
            retransmit: None,
            bye_deadline: None,
            hangup_pending: false,
            session: None,
            invite_cseq_in: 0,
            redirects: 0,
        }
    }

    pub fn state(&self) -> &CallState {
        &self.shown
    }

    /// One of our re-offers (hold, resume, refresh) waits for its answer.
    pub fn offer_pending(&self) -> bool {
        self.reoffer.is_some()
    }

    pub fn dialog(&self) -> Option<&Dialog> {
        self.dialog.as_ref()
    }

    /// True once the call is over and nothing is in flight.
    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Ended
    }

    /// A CSeq for a request the driver sends in the dialog itself (REFER,
    /// INFO); None before the dialog is established.
    pub fn next_cseq(&mut self) -> Option<u32> {
        if self.phase != Phase::Established {
            return None;
        }
        self.dialog.as_mut().map(Dialog::next_cseq)
    }

    /// The driver sent the request the machine numbered `old` again under
    /// CSeq `new` (with credentials, after a 401/407): its responses, its
    /// CANCEL and the dialog's next CSeq follow the new number.
    pub fn request_resent(&mut self, old: u32, new: u32) {
        if let Some(invite) = self.invite.as_mut().filter(|i| i.cseq == old) {
            invite.cseq = new;
        }
        if let Some(r) = self.reoffer.as_mut().filter(|r| r.cseq == old) {
            r.cseq = new;
        }
        if let Some(d) = self.dialog.as_mut() {
            d.local_cseq = d.local_cseq.max(new);
        }
    }

    /// When the machine wants `handle_timeout` called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let retransmit = self
            .retransmit
            .as_ref()
            .map(|r| r.next_at.min(r.give_up_at));
        let retry = self.reoffer.as_ref().and_then(|r| r.retry_at);
        let session = self
            .session
            .as_ref()
            .filter(|_| self.phase == Phase::Established)
            .map(SessionTimer::poll_timeout);
        [retransmit, retry, self.bye_deadline, session]
            .into_iter()
            .flatten()
            .min()
    }

    pub fn handle_timeout(&mut self, now: Instant) -> Vec<Output> {
        let mut out = vec![];
        if let Some(r) = self.retransmit.as_mut() {
            if now >= r.give_up_at {
                self.retransmit = None;
                out.extend(self.send_bye(EndReason::NoAck, true, now));
                return out;
            }
            if now >= r.next_at {
                out.push(Output::Respond(r.response.clone()));
                r.interval = (r.interval * 2).min(self.cfg.t2);
                r.next_at = now + r.interval;
            }
        }
        if let Some(deadline) = self.bye_deadline {
            if now >= deadline {
                out.extend(self.bye_done());
            }
        }
        if self.phase == Phase::Established {
            out.extend(self.session_timeout(now));
        }
        let due = matches!(&self.reoffer, Some(Reoffer { retry_at: Some(t), .. }) if now >= *t);
        if due && self.phase == Phase::Established {
            let r = self.reoffer.take().expect("due");
            out.extend(self.send_reoffer(r.offer, r.hold));
        }
        out
    }

    pub fn handle_input(&mut self, input: Input, now: Instant) -> Vec<Output> {
        match input {
            Input::Start { offer } => self.start(offer),
            Input::Incoming { invite, offer } => self.incoming(invite, offer),
            Input::Accept { answer } => self.accept(answer, now),
            Input::Decline { code } => self.decline(code),
            Input::Cancel => self.cancel(),
            Input::Hangup => match self.phase {
                Phase::Calling { .. } => self.cancel(),
                Phase::Incoming => self.decline(603),
                // §15: the callee waits for the ACK before its BYE.
                Phase::Answered => {
                    self.hangup_pending = true;
                    vec![]
                }
                Phase::Established => self.send_bye(EndReason::LocalHangup, false, now),
                _ => vec![],
            },
            Input::Hold { offer } => self.reoffer(offer, true),
            Input::Resume { offer } => self.reoffer(offer, false),
            Input::Answer { sdp } => self.answer_reinvite(sdp, now),
            Input::RefuseOffer { code } => match self.reinvite_in.take() {
                Some(cseq) => vec![Output::Respond(response(code, Method::Invite, cseq, None))],
                None => vec![],
            },
            Input::Response(r) => self.response(r, now),
            Input::Request(r) => self.request(r, now),
            Input::SessionTimer { delta, we_refresh } => {
                if matches!(self.phase, Phase::Answered | Phase::Established) {
                    self.session = Some(SessionTimer::new(delta, we_refresh, now));
                }
                vec![]
            }
        }
    }

    fn start(&mut self, offer: Vec<u8>) -> Vec<Output> {
        if self.phase != Phase::Idle {
            return vec![];
        }
        let call_id = format!("{:016x}{:016x}", self.next_rand(), self.next_rand());
        let tag = format!("{:08x}", self.next_rand() as u32);
        self.dialog = Some(Dialog::uac(call_id, tag, 1));
        let invite = self.new_request(Method::Invite, 1, Some(offer.clone()));
        self.invite = Some(invite.clone());
        self.local_sdp = offer;
        self.phase = Phase::Calling {
            provisional: false,
            cancel: false,
        };
        let mut out = vec![Output::Send(invite)];
        out.extend(self.show(CallState::Calling));
        out
    }

    fn incoming(&mut self, invite: IncomingInvite, offer: Option<Vec<u8>>) -> Vec<Output> {
        if self.phase != Phase::Idle {
            return vec![];
        }
        let tag = format!("{:08x}", self.next_rand() as u32);
        let cseq = invite.cseq;
        self.invite_cseq_in = cseq;
        self.dialog = Some(Dialog::uas(&invite, tag, self.next_rand() as u32 >> 1));
        self.remote_sdp = offer.unwrap_or_default();
        self.phase = Phase::Incoming;
        let mut out = vec![Output::Respond(response(180, Method::Invite, cseq, None))];
        out.extend(self.show(CallState::Incoming));
        out
    }

    fn accept(&mut self, answer: Vec<u8>, now: Instant) -> Vec<Output> {
        if self.phase != Phase::Incoming {
            return vec![];
        }
        let cseq = self.invite_cseq_in;
        self.local_sdp = answer.clone();
        self.phase = Phase::Answered;
        let mut out = self.send_2xx(cseq, Some(answer), now);
        if !self.remote_sdp.is_empty() {
            out.push(self.media(false));
        }
        out.extend(self.show(CallState::Connecting));
        out
    }

    fn decline(&mut self, code: u16) -> Vec<Output> {
        if self.phase != Phase::Incoming {
            return vec![];
        }
        let cseq = self.invite_cseq_in;
        self.phase = Phase::Ended;
        let mut out = vec![Output::Respond(response(code, Method::Invite, cseq, None))];
        out.extend(self.show(CallState::Ended(EndReason::from_code(code, ""))));
        out
    }

    fn cancel(&mut self) -> Vec<Output> {
        match self.phase {
            Phase::Calling {
                provisional: true, ..
            } => self.send_cancel(),
            Phase::Calling {
                provisional: false, ..
            } => {
                self.phase = Phase::Calling {
                    provisional: false,
                    cancel: true,
                };
                vec![]
            }
            _ => vec![],
        }
    }

    fn send_cancel(&mut self) -> Vec<Output> {
        let invite = self.invite.as_ref().expect("UAC call has an INVITE");
        let cancel = Request {
            method: Method::Cancel,
            cseq: invite.cseq,
            branch: invite.branch.clone(),
            sdp: None,
            headers: vec![],
        };
        self.phase = Phase::Cancelling;
        vec![Output::Send(cancel)]
    }

    fn reoffer(&mut self, offer: Vec<u8>, hold: bool) -> Vec<Output> {
        // Holding a held call (or resuming one that is not) changes nothing.
        if self.phase != Phase::Established
            || self.reoffer.is_some()
            || self.reinvite_in.is_some()
            || self.on_hold == hold
        {
            return vec![];
        }
        self.send_reoffer(offer, hold)
    }

    fn send_reoffer(&mut self, offer: Vec<u8>, hold: bool) -> Vec<Output> {
        let cseq = self.dialog_mut().next_cseq();
        let mut req = self.new_request(Method::Invite, cseq, Some(offer.clone()));
        if let Some(t) = &self.session {
            // We send this re-INVITE: the refresher is its UAC if it is us.
            let refresher = if t.we_refresh() {
                Refresher::Uac
            } else {
                Refresher::Uas
            };
            let se = SessionExpires {
                delta: t.delta(),
                refresher: Some(refresher),
            };
            req.headers.push(("Supported".into(), "timer".into()));
            req.headers
                .push(("Session-Expires".into(), se.to_header_value()));
        }
        self.reoffer = Some(Reoffer {
            offer,
            hold,
            cseq,
            retry_at: None,
        });
        vec![Output::Send(req)]
    }

    fn answer_reinvite(&mut self, sdp: Vec<u8>, now: Instant) -> Vec<Output> {
        let Some(cseq) = self.reinvite_in.take() else {
            return vec![];
        };
        self.local_sdp = sdp.clone();
        let mut out = self.send_2xx(cseq, Some(sdp), now);
        if !self.remote_sdp.is_empty() {
            out.push(self.media(false));
        }
        out
    }

    fn session_timeout(&mut self, now: Instant) -> Vec<Output> {
        let Some(action) = self.session.as_mut().and_then(|t| t.handle_timeout(now)) else {
            return vec![];
        };
        match action {
            // A re-INVITE already under way refreshes the session too.
            TimerAction::Refresh
                if self.reoffer.is_none()
                    && self.reinvite_in.is_none()
                    && self.retransmit.is_none() =>
            {
                self.send_reoffer(self.local_sdp.clone(), self.on_hold)
            }
            TimerAction::Refresh => vec![],
            TimerAction::Expired => self.send_bye(EndReason::SessionExpired, true, now),
        }
    }

    /// A re-INVITE (either way) succeeded: the session timer starts over.
    pub(super) fn session_refreshed(&mut self, now: Instant) {
        if let Some(t) = self.session.as_mut() {
            t.refreshed(t.delta(), t.we_refresh(), now);
        }
    }

    /// Sends BYE; `show_now` shows Ended at once, else on its response.
    fn send_bye(&mut self, reason: EndReason, show_now: bool, now: Instant) -> Vec<Output> {
        let cseq = self.dialog_mut().next_cseq();
        let bye = self.new_request(Method::Bye, cseq, None);
        self.retransmit = None;
        self.reoffer = None;
        self.session = None;
        self.bye_deadline = Some(now + self.cfg.t1 * 64);
        let mut out = vec![Output::Send(bye), Output::StopMedia];
        if show_now {
            out.extend(self.show(CallState::Ended(reason.clone())));
        }
        self.phase = Phase::Terminating {
            reason,
            shown: show_now,
        };
        out
    }

    /// The BYE was answered (any final response ends the dialog) or
    /// timed out.
    fn bye_done(&mut self) -> Vec<Output> {
        self.bye_deadline = None;
        let Phase::Terminating { reason, shown } = self.phase.clone() else {
            return vec![];
        };
        self.phase = Phase::Ended;
        if shown {
            return vec![];
        }
        self.show(CallState::Ended(reason))
    }

    fn send_2xx(&mut self, cseq: u32, sdp: Option<Vec<u8>>, now: Instant) -> Vec<Output> {
        let resp = response(200, Method::Invite, cseq, sdp);
        self.retransmit = Some(Retransmit {
            response: resp.clone(),
            next_at: now + self.cfg.t1,
            interval: self.cfg.t1,
            give_up_at: now + self.cfg.t1 * 64,
        });
        vec![Output::Respond(resp)]
    }

    /// The ACK for a 2xx: a new transaction with the INVITE's CSeq number.
    fn ack(&mut self, cseq: u32) -> Request {
        let ack = self.new_request(Method::Ack, cseq, None);
        self.last_ack = Some(ack.clone());
        ack
    }

    fn new_request(&mut self, method: Method, cseq: u32, sdp: Option<Vec<u8>>) -> Request {
        Request {
            method,
            cseq,
            branch: format!("z9hG4bK{:016x}", self.next_rand()),
            sdp,
            headers: vec![],
        }
    }

    fn media(&self, early: bool) -> Output {
        Output::Media {
            local: self.local_sdp.clone(),
            remote: self.remote_sdp.clone(),
            early,
        }
    }

    fn dialog_mut(&mut self) -> &mut Dialog {
        self.dialog
            .as_mut()
            .expect("a call in progress has a dialog")
    }

    fn show(&mut self, state: CallState) -> Vec<Output> {
        if self.shown == state {
            return vec![];
        }
        self.shown = state.clone();
        vec![Output::State(state)]
    }

    /// xorshift64*: enough for branches, tags and back-off jitter.
    fn next_rand(&mut self) -> u64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn response(code: u16, method: Method, cseq: u32, sdp: Option<Vec<u8>>) -> Response {
    Response {
        code,
        method,
        cseq,
        sdp,
        headers: vec![],
    }
}

#[cfg(test)]
#[path = "call_tests.rs"]
mod tests;
