//! The dialog identifiers of a call (RFC 3261 §12) and their rules.

use super::{IncomingInvite, Method, ResponseIn};

/// The identifiers and sequence state of the dialog (RFC 3261 §12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    pub call_id: String,
    pub local_tag: String,
    /// None until a response or request with the peer's tag.
    pub remote_tag: Option<String>,
    /// The CSeq number of the last request we sent.
    pub local_cseq: u32,
    /// The highest CSeq number of the peer's requests.
    pub remote_cseq: Option<u32>,
    /// Route headers for requests in the dialog, in order.
    pub route_set: Vec<String>,
    /// Request-URI for requests in the dialog (the peer's Contact).
    pub remote_target: Option<String>,
    /// We chose the Call-ID (we sent the initial INVITE): §14.1 back-off.
    pub owns_call_id: bool,
    /// The route set is fixed once the dialog is confirmed (§12.1).
    pub confirmed: bool,
}

impl Dialog {
    /// The dialog we start by sending an INVITE with CSeq `first_cseq`.
    pub fn uac(call_id: String, local_tag: String, first_cseq: u32) -> Self {
        Dialog {
            call_id,
            local_tag,
            remote_tag: None,
            local_cseq: first_cseq,
            remote_cseq: None,
            route_set: vec![],
            remote_target: None,
            owns_call_id: true,
            confirmed: false,
        }
    }

    /// The dialog an incoming INVITE creates (§12.1.1: Record-Route in
    /// order, the remote target is the INVITE's Contact).
    pub fn uas(invite: &IncomingInvite, local_tag: String, first_cseq: u32) -> Self {
        Dialog {
            call_id: invite.call_id.clone(),
            local_tag,
            remote_tag: Some(invite.from_tag.clone()),
            local_cseq: first_cseq,
            remote_cseq: Some(invite.cseq),
            route_set: invite.record_route.clone(),
            remote_target: invite.contact.clone(),
            owns_call_id: false,
            confirmed: true,
        }
    }

    /// The CSeq number of a new request in the dialog (not ACK, CANCEL).
    pub fn next_cseq(&mut self) -> u32 {
        self.local_cseq += 1;
        self.local_cseq
    }

    /// The initial INVITE was redirected (3xx, RFC 3261 §8.1.3.4): the
    /// next one goes to `target` with the same Call-ID and tags and a new
    /// CSeq (returned); what the redirecting hop told us is forgotten.
    pub fn redirect(&mut self, target: String) -> u32 {
        self.remote_tag = None;
        self.route_set.clear();
        self.remote_target = Some(target);
        self.next_cseq()
    }

    /// A UAC's dialog learns from a response to its initial INVITE
    /// (§12.1.2): peer tag, route set (Record-Route reversed; recomputed
    /// by the 2xx, then fixed) and remote target.
    pub fn learn_uac(&mut self, r: &ResponseIn) {
        if self.confirmed {
            if r.contact.is_some() && (200..300).contains(&r.code) {
                self.remote_target = r.contact.clone();
            }
            return;
        }
        if r.to_tag.is_some() {
            self.remote_tag = r.to_tag.clone();
        }
        self.route_set = r.record_route.iter().rev().cloned().collect();
        if r.contact.is_some() {
            self.remote_target = r.contact.clone();
        }
        self.confirmed = (200..300).contains(&r.code);
    }

    /// Checks the CSeq of a request from the peer (§12.2.2): a new one
    /// must be higher than the last; ACK and CANCEL reuse theirs.
    pub fn accept_remote_cseq(&mut self, method: Method, cseq: u32) -> bool {
        if matches!(method, Method::Ack | Method::Cancel) {
            return true;
        }
        match self.remote_cseq {
            Some(last) if cseq <= last => false,
            _ => {
                self.remote_cseq = Some(cseq);
                true
            }
        }
    }
}
