//! How a call looks from outside: the machine's state as the front ends'
//! [`CallView`], the call history's rows and the account's phone line
//! (busy lamp), all updated together at every change of state.

use super::*;

impl Call {
    /// Keeps the call in the history: a row at its first showing, its
    /// answer, its end.
    fn record(&mut self) {
        use super::super::history::HistoryOp;
        let v = &self.view;
        if !self.recorded {
            self.recorded = true;
            let call_id = self.machine.dialog().map(|d| d.call_id.clone());
            let _ = self.shared.history.send(HistoryOp::started(v, call_id));
        }
        if let (Some(at), false) = (v.answered_ms, self.recorded_answer) {
            self.recorded_answer = true;
            let _ = self.shared.history.send(HistoryOp::Answered {
                id: v.id.clone(),
                at,
            });
        }
        if v.phase == CallPhase::Ended {
            let _ = self.shared.history.send(HistoryOp::ended(v));
        }
    }

    /// The machine's state, as the front ends see it.
    pub(super) fn show(&mut self, state: CallState) {
        let up = matches!(state, CallState::Connecting | CallState::Established { .. });
        self.shared.registry.set_up(&self.view.id, up);
        let ids = self.machine.dialog().filter(|_| up).and_then(|d| {
            Some(super::super::DialogIds {
                call_id: d.call_id.clone(),
                local_tag: d.local_tag.clone(),
                remote_tag: d.remote_tag.clone()?,
                peer: self.view.peer.clone(),
            })
        });
        self.shared.registry.set_dialog(&self.view.id, ids);
        self.publish_line(&state);
        if self.referral.is_some() {
            let code = match &state {
                CallState::Established { .. } => Some(200),
                CallState::Ended(reason) => Some(match reason {
                    EndReason::Busy => 486,
                    EndReason::Declined => 603,
                    EndReason::NotFound => 404,
                    EndReason::NoAnswer => 480,
                    EndReason::Cancelled => 487,
                    EndReason::Failed { code, .. } => *code,
                    _ => 500,
                }),
                _ => None,
            };
            if let (Some(code), Some(r)) = (code, code.and_then(|_| self.referral.take())) {
                let _ = r.report.send(code);
            }
        }
        let v = &mut self.view;
        v.phase = match &state {
            CallState::Idle | CallState::Calling => CallPhase::Calling,
            CallState::Ringing => CallPhase::Ringing,
            CallState::EarlyMedia => CallPhase::EarlyMedia,
            CallState::Incoming => CallPhase::Incoming,
            CallState::Connecting => CallPhase::Connecting,
            CallState::Established { .. } => CallPhase::Active,
            CallState::Ended(_) => CallPhase::Ended,
        };
        match &state {
            CallState::Established { on_hold } => {
                v.on_hold = *on_hold;
                v.answered_ms.get_or_insert_with(now_ms);
                v.detail = None;
            }
            CallState::Connecting => {
                v.answered_ms.get_or_insert_with(now_ms);
            }
            CallState::Ended(reason) => {
                if v.end_reason.is_none() {
                    v.end_reason = Some(reason_token(reason).into());
                }
                if let EndReason::Refused(why) | EndReason::Failed { reason: why, .. } = reason {
                    v.detail.get_or_insert_with(|| why.clone());
                }
                self.media = None;
            }
            _ => {}
        }
        self.record();
        self.emit();
    }
}

impl Call {
    /// Tells the line publisher (busy lamp) how this call stands.
    fn publish_line(&self, state: &CallState) {
        use crate::presence::dialog_info::{DialogState, Direction, OwnCall};
        let dialog_state = match state {
            CallState::Idle | CallState::Calling => Some(DialogState::Trying),
            CallState::Ringing | CallState::EarlyMedia | CallState::Incoming => {
                Some(DialogState::Early)
            }
            CallState::Connecting | CallState::Established { .. } => Some(DialogState::Confirmed),
            CallState::Ended(_) => None,
        };
        let dialog = self.machine.dialog();
        let call = dialog_state.map(|state| OwnCall {
            id: self.view.id.clone(),
            call_id: dialog.map(|d| d.call_id.clone()).unwrap_or_default(),
            local_tag: dialog.map(|d| d.local_tag.clone()),
            remote_tag: dialog.and_then(|d| d.remote_tag.clone()),
            direction: match self.view.direction {
                CallDirection::Outgoing => Direction::Initiator,
                CallDirection::Incoming => Direction::Recipient,
            },
            state,
            local_target: Some(self.shared.identity.contact.to_string()),
            remote_identity: self.view.peer.clone(),
            remote_display: self.view.peer_name.clone(),
            remote_target: dialog.and_then(|d| d.remote_target.clone()),
        });
        let _ = self.shared.line.send((self.view.id.clone(), call));
    }
}

/// The `end_reason` token for a machine's reason.
fn reason_token(r: &EndReason) -> &'static str {
    match r {
        EndReason::Busy => "busy",
        EndReason::Declined => "declined",
        EndReason::NotFound => "not-found",
        EndReason::NoAnswer => "no-answer",
        EndReason::Cancelled => "cancelled",
        EndReason::Refused(_) => "refused",
        EndReason::Failed { .. } => "failed",
        EndReason::LocalHangup => "hangup",
        EndReason::RemoteHangup => "remote-hangup",
        EndReason::NoAck => "no-ack",
        EndReason::SessionExpired => "session-expired",
    }
}
