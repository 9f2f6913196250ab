//! The responses to our requests in a call: to the initial INVITE
//! (provisional, answer, failure, redirect), to our re-INVITEs (hold,
//! resume, refresh; 491 back-off) and to our BYE.

use std::time::{Duration, Instant};

use super::*;

impl CallMachine {
    pub(super) fn response(&mut self, r: ResponseIn, now: Instant) -> Vec<Output> {
        match r.method {
            Some(Method::Invite) => self.invite_response(r, now),
            Some(Method::Bye) if r.code >= 200 && self.bye_deadline.is_some() => self.bye_done(),
            _ => vec![],
        }
    }

    fn invite_response(&mut self, r: ResponseIn, now: Instant) -> Vec<Output> {
        let initial = self.invite.as_ref().is_some_and(|i| i.cseq == r.cseq);
        if !initial {
            return self.reoffer_response(r, now);
        }
        if r.code < 200 {
            return self.provisional(r);
        }
        match self.phase.clone() {
            Phase::Calling { .. } | Phase::Cancelling if r.code < 300 => {
                self.dialog_mut().learn_uac(&r);
                let mut out = vec![Output::Send(self.ack(r.cseq))];
                let cancelled = matches!(
                    self.phase,
                    Phase::Calling { cancel: true, .. } | Phase::Cancelling
                );
                if cancelled {
                    // The 200 crossed our CANCEL: the call is up, end it.
                    out.extend(self.send_bye(EndReason::Cancelled, true, now));
                    return out;
                }
                self.remote_sdp = r.sdp.unwrap_or_default();
                self.phase = Phase::Established;
                out.push(self.media(false));
                out.extend(self.show(CallState::Established { on_hold: false }));
                out
            }
            Phase::Calling { cancel: false, .. }
                if (300..400).contains(&r.code)
                    && r.contact.is_some()
                    && self.redirects < self.cfg.max_redirects =>
            {
                self.follow_redirect(r.contact.unwrap_or_default())
            }
            Phase::Calling { cancel, .. } => {
                self.phase = Phase::Ended;
                let reason = if cancel {
                    EndReason::Cancelled
                } else {
                    EndReason::from_code(r.code, &r.reason)
                };
                let mut out = vec![];
                if self.shown == CallState::EarlyMedia {
                    out.push(Output::StopMedia);
                }
                out.extend(self.show(CallState::Ended(reason)));
                out
            }
            Phase::Cancelling => {
                self.phase = Phase::Ended;
                let mut out = vec![];
                if self.shown == CallState::EarlyMedia {
                    out.push(Output::StopMedia);
                }
                out.extend(self.show(CallState::Ended(EndReason::Cancelled)));
                out
            }
            // A retransmitted 2xx: ACK it again.
            _ if r.code < 300 => self
                .last_ack
                .clone()
                .map(Output::Send)
                .into_iter()
                .collect(),
            _ => vec![],
        }
    }

    /// A new INVITE with our offer to where a 3xx sent the call.
    fn follow_redirect(&mut self, target: String) -> Vec<Output> {
        self.redirects += 1;
        let cseq = self.dialog_mut().redirect(target.clone());
        let invite = self.new_request(Method::Invite, cseq, Some(self.local_sdp.clone()));
        self.invite = Some(invite.clone());
        self.phase = Phase::Calling {
            provisional: false,
            cancel: false,
        };
        let mut out = vec![];
        if self.shown == CallState::EarlyMedia {
            out.push(Output::StopMedia);
        }
        out.push(Output::Redirected { target });
        out.push(Output::Send(invite));
        out.extend(self.show(CallState::Calling));
        out
    }

    fn provisional(&mut self, r: ResponseIn) -> Vec<Output> {
        let Phase::Calling { cancel, .. } = self.phase else {
            return vec![];
        };
        if r.code == 100 {
            return vec![];
        }
        self.phase = Phase::Calling {
            provisional: true,
            cancel,
        };
        if cancel {
            return self.send_cancel();
        }
        if r.to_tag.is_some() {
            self.dialog_mut().learn_uac(&r);
        }
        match r.sdp {
            Some(sdp) if r.code == 183 => {
                self.remote_sdp = sdp;
                let mut out = vec![self.media(true)];
                out.extend(self.show(CallState::EarlyMedia));
                out
            }
            _ if self.shown == CallState::EarlyMedia => vec![],
            _ => self.show(CallState::Ringing),
        }
    }

    fn reoffer_response(&mut self, r: ResponseIn, now: Instant) -> Vec<Output> {
        let Some(ro) = self.reoffer.clone() else {
            return self.reack(r);
        };
        if ro.cseq != r.cseq || ro.retry_at.is_some() || r.code < 200 {
            return self.reack(r);
        }
        self.reoffer = None;
        match r.code {
            200..=299 => {
                self.dialog_mut().learn_uac(&r);
                let mut out = vec![Output::Send(self.ack(r.cseq))];
                self.local_sdp = ro.offer;
                if let Some(sdp) = r.sdp {
                    self.remote_sdp = sdp;
                }
                self.on_hold = ro.hold;
                self.session_refreshed(now);
                out.push(self.media(false));
                out.extend(self.show(CallState::Established { on_hold: ro.hold }));
                out
            }
            491 => {
                // §14.1: the Call-ID's owner waits 2.1-4 s, the other 0-2 s.
                let ms = if self.dialog().is_some_and(|d| d.owns_call_id) {
                    2100 + self.next_rand() % 1901
                } else {
                    self.next_rand() % 2001
                };
                self.reoffer = Some(Reoffer {
                    retry_at: Some(now + Duration::from_millis(ms)),
                    ..ro
                });
                vec![]
            }
            481 => {
                self.phase = Phase::Ended;
                let mut out = vec![Output::StopMedia];
                out.extend(self.show(CallState::Ended(EndReason::from_code(r.code, &r.reason))));
                out
            }
            408 => {
                let reason = EndReason::from_code(r.code, &r.reason);
                self.send_bye(reason, true, now)
            }
            code => vec![Output::ReofferFailed { code }],
        }
    }

    /// A 2xx retransmission to a re-INVITE already ACKed.
    fn reack(&mut self, r: ResponseIn) -> Vec<Output> {
        match &self.last_ack {
            Some(ack) if ack.cseq == r.cseq && (200..300).contains(&r.code) => {
                vec![Output::Send(ack.clone())]
            }
            _ => vec![],
        }
    }
}
