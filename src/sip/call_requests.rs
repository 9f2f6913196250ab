//! The peer's requests in a call: CANCEL, ACK, BYE and re-INVITE.

use std::time::Instant;

use super::{response, CallMachine, CallState, EndReason, Method, Output, Phase, RequestIn};

impl CallMachine {
    pub(super) fn request(&mut self, r: RequestIn, now: Instant) -> Vec<Output> {
        let Some(d) = self.dialog.as_mut() else {
            return vec![];
        };
        if !d.accept_remote_cseq(r.method, r.cseq) {
            return vec![Output::Respond(response(500, r.method, r.cseq, None))];
        }
        match r.method {
            Method::Cancel => self.cancel_in(r.cseq),
            Method::Ack => self.ack_in(r, now),
            Method::Bye => self.bye_in(r.cseq),
            Method::Invite => self.reinvite_in(r),
        }
    }

    fn cancel_in(&mut self, cseq: u32) -> Vec<Output> {
        let mut out = vec![Output::Respond(response(200, Method::Cancel, cseq, None))];
        if self.phase == Phase::Incoming {
            self.phase = Phase::Ended;
            out.push(Output::Respond(response(487, Method::Invite, cseq, None)));
            out.extend(self.show(CallState::Ended(EndReason::Cancelled)));
        }
        out
    }

    fn ack_in(&mut self, r: RequestIn, now: Instant) -> Vec<Output> {
        if self
            .retransmit
            .as_ref()
            .is_none_or(|t| t.response.cseq != r.cseq)
        {
            return vec![];
        }
        self.retransmit = None;
        let mut out = vec![];
        if let Some(sdp) = r.sdp {
            // The answer to the offer we put in our 2xx.
            self.remote_sdp = sdp;
            out.push(self.media(false));
        }
        if self.phase == Phase::Established {
            // The ACK of the peer's re-INVITE: a refresh.
            self.session_refreshed(now);
        }
        if self.phase == Phase::Answered {
            self.phase = Phase::Established;
            if self.hangup_pending {
                out.extend(self.send_bye(EndReason::LocalHangup, false, now));
                return out;
            }
        }
        out.extend(self.show(CallState::Established {
            on_hold: self.on_hold,
        }));
        out
    }

    fn bye_in(&mut self, cseq: u32) -> Vec<Output> {
        let mut out = vec![Output::Respond(response(200, Method::Bye, cseq, None))];
        if matches!(self.phase, Phase::Answered | Phase::Established) {
            self.phase = Phase::Ended;
            self.retransmit = None;
            self.reoffer = None;
            out.push(Output::StopMedia);
            out.extend(self.show(CallState::Ended(EndReason::RemoteHangup)));
        } else if self.phase == Phase::Incoming {
            // A BYE in the early dialog (§15): the INVITE gets a 487.
            self.phase = Phase::Ended;
            let invite_cseq = self.invite_cseq_in;
            out.push(Output::Respond(response(
                487,
                Method::Invite,
                invite_cseq,
                None,
            )));
            out.extend(self.show(CallState::Ended(EndReason::Cancelled)));
        }
        out
    }

    fn reinvite_in(&mut self, r: RequestIn) -> Vec<Output> {
        if self.phase != Phase::Established {
            return vec![Output::Respond(response(500, Method::Invite, r.cseq, None))];
        }
        if matches!(&self.reoffer, Some(ro) if ro.retry_at.is_none()) {
            // Glare: both sides offered (§14.2).
            return vec![Output::Respond(response(491, Method::Invite, r.cseq, None))];
        }
        // §14.2: 500 only while our answer to the last one is not sent; once
        // sent, a new offer may come before its ACK (the ACK and the next
        // INVITE travel separately and can cross).
        if self.reinvite_in.is_some() {
            let mut resp = response(500, Method::Invite, r.cseq, None);
            let secs = (self.next_rand() % 10).to_string();
            resp.headers.push(("Retry-After".into(), secs));
            return vec![Output::Respond(resp)];
        }
        if r.contact.is_some() {
            self.dialog_mut().remote_target = r.contact;
        }
        self.reinvite_in = Some(r.cseq);
        if let Some(sdp) = &r.sdp {
            self.remote_sdp = sdp.clone();
        } else {
            self.remote_sdp.clear();
        }
        vec![Output::NeedAnswer { offer: r.sdp }]
    }
}
