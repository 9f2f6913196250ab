//! The SIP transactions of one call, each in a small task that reports
//! back to the call task: our INVITE (provisional responses, digest
//! challenges answered under a new CSeq, CANCEL on request), our other
//! requests in the dialog (BYE, re-INVITE), and the peer's requests (our
//! responses go out through them; ACK and CANCEL come back). rsipstack's
//! transaction layer retransmits, ACKs 2xx and absorbs repeats.

use std::sync::Arc;

use rsipstack::sip::{Header, HeadersExt, Method as SipMethod, SipMessage, StatusCode};
use rsipstack::transaction::key::{TransactionKey, TransactionRole};
use rsipstack::transaction::transaction::Transaction;
use tokio::sync::mpsc;

use super::driver::Shared;
use crate::sip::call::{Method, ResponseIn};
use crate::sip::call_wire::{self, ALLOW};
use crate::sip::request::{self, RequestSpec};

/// What the transaction tasks tell the call task.
#[derive(Debug)]
pub(super) enum SipEvent {
    /// A response to one of our requests.
    Response(ResponseIn),
    /// Our request numbered `old` went again as `new` (digest challenge).
    Resent { old: u32, new: u32 },
    /// The peer's request: ACK or CANCEL of its INVITE numbered `cseq`.
    Ack { cseq: u32, sdp: Option<Vec<u8>> },
    Cancel {
        cseq: u32,
        /// Its Reason says another device answered (RFC 3326 cause=200).
        elsewhere: bool,
    },
    /// The final answer to our REFER.
    Referred { code: u16, reason: String },
}

/// A response for the peer's request.
#[derive(Debug)]
pub(super) struct Reply {
    pub code: u16,
    pub reason: Option<String>,
    pub headers: Vec<Header>,
    pub sdp: Option<Vec<u8>>,
}

/// Sends our INVITE (`spec`) through the server, answering challenges;
/// a message on `cancel` sends the CANCEL.
pub(super) fn invite(
    shared: Arc<Shared>,
    mut spec: RequestSpec,
    mut cancel: mpsc::UnboundedReceiver<()>,
    events: mpsc::UnboundedSender<SipEvent>,
) {
    tokio::spawn(async move {
        let endpoint = &shared.endpoint;
        let first = spec.cseq;
        let timeout =
            |detail: String| SipEvent::Response(local_failure(first, Method::Invite, &detail));
        let via = match request::via_address(endpoint).await {
            Ok(v) => v,
            Err(r) => {
                let _ = events.send(timeout(unreachable_detail(&r)));
                return;
            }
        };
        let mut auth = request::preemptive_auth(&shared.identity, &spec);
        let mut answered = 0;
        let mut cancelled = false;
        'attempt: loop {
            let cseq = spec.cseq;
            let req = match request::build(
                &endpoint.inner,
                &via,
                &shared.identity,
                &mut spec,
                auth.as_ref(),
            ) {
                Ok(r) => r,
                Err(e) => {
                    let _ = events.send(timeout(e.to_string()));
                    return;
                }
            };
            if cseq != first {
                let _ = events.send(SipEvent::Resent {
                    old: first,
                    new: cseq,
                });
            }
            let Ok(key) = TransactionKey::from_request(&req, TransactionRole::Client) else {
                let _ = events.send(timeout("bad request".into()));
                return;
            };
            let mut tx = Transaction::new_client(key, req.clone(), endpoint.inner.clone(), None);
            tx.destination = Some(endpoint.server_addr());
            if let Err(e) = tx.send().await {
                let _ = events.send(timeout(e.to_string()));
                return;
            }
            let mut provisional = false;
            loop {
                tokio::select! {
                    msg = tx.receive() => {
                        let Some(SipMessage::Response(r)) = msg else {
                            if msg.is_none() {
                                let _ = events.send(timeout("no answer".into()));
                                return;
                            }
                            continue;
                        };
                        let code = u16::from(r.status_code.clone());
                        if code < 200 {
                            provisional = true;
                            if cancelled {
                                let _ = tx.send_cancel(call_wire::cancel_for(&req)).await;
                                cancelled = false;
                            }
                        } else if !cancelled {
                            if let Some(a) = request::answer_challenge(&shared.identity, &r, &spec, answered) {
                                answered += 1;
                                auth = Some(a);
                                continue 'attempt;
                            }
                        }
                        if code == 408 && crate::sip::register::is_local_timeout(&r) {
                            let _ = events.send(SipEvent::Response(local_failure(first, Method::Invite, "no answer")));
                            return;
                        }
                        let _ = events.send(SipEvent::Response(call_wire::response_in(&r)));
                        if code >= 200 {
                            return;
                        }
                    }
                    Some(()) = cancel.recv() => {
                        if provisional {
                            let _ = tx.send_cancel(call_wire::cancel_for(&req)).await;
                        } else {
                            cancelled = true;
                        }
                    }
                }
            }
        }
    });
}

/// Sends a request in the dialog (BYE, re-INVITE) and reports its final
/// response; no answer becomes a 408.
pub(super) fn in_dialog(
    shared: Arc<Shared>,
    mut spec: RequestSpec,
    method: Method,
    events: mpsc::UnboundedSender<SipEvent>,
) {
    tokio::spawn(async move {
        let first = spec.cseq;
        let reply = request::send(&shared.endpoint, &shared.identity, &mut spec).await;
        let used = spec.cseq.saturating_sub(1);
        if used != first {
            let _ = events.send(SipEvent::Resent {
                old: first,
                new: used,
            });
        }
        let response = match reply.response() {
            Some(r) => call_wire::response_in(r),
            None => local_failure(used, method, &unreachable_detail(&reply)),
        };
        let _ = events.send(SipEvent::Response(response));
    });
}

/// Sends a REFER (blind transfer) and reports its final answer.
pub(super) fn refer(
    shared: Arc<Shared>,
    mut spec: RequestSpec,
    events: mpsc::UnboundedSender<SipEvent>,
) {
    tokio::spawn(async move {
        let reply = request::send(&shared.endpoint, &shared.identity, &mut spec).await;
        let (code, reason) = match reply.response() {
            Some(r) => (
                u16::from(r.status_code.clone()),
                crate::sip::register::reason_phrase(r),
            ),
            None => (408, unreachable_detail(&reply)),
        };
        let _ = events.send(SipEvent::Referred { code, reason });
    });
}

/// Serves the peer's request `tx`: replies as told on the returned
/// channel, and for an INVITE reports its ACK or CANCEL. `local_tag` goes
/// in To when the request had none (a dialog-creating INVITE).
pub(super) fn serve(
    shared: Arc<Shared>,
    mut tx: Transaction,
    local_tag: &str,
    events: mpsc::UnboundedSender<SipEvent>,
) -> mpsc::UnboundedSender<Reply> {
    if let Ok(to) = tx.original.to_header() {
        if to.tag().ok().flatten().is_none() {
            tx.original
                .headers
                .unique_push(to.clone().with_tag(local_tag.to_string().into()).into());
        }
    }
    let (reply_tx, mut replies) = mpsc::unbounded_channel::<Reply>();
    let contact = Header::Contact(format!("<{}>", shared.identity.contact).into());
    let is_invite = tx.original.method == SipMethod::Invite;
    let (cseq, _) = call_wire::cseq_of(&tx.original.headers);
    // §12.1.1: responses that make the dialog carry the Record-Route set.
    let record_route: Vec<Header> = tx
        .original
        .headers
        .iter()
        .filter(|h| matches!(h, Header::RecordRoute(_)))
        .cloned()
        .collect();
    tokio::spawn(async move {
        if is_invite {
            let _ = tx.send_trying().await;
        }
        let mut finished = false;
        loop {
            tokio::select! {
                reply = replies.recv(), if !finished => {
                    let Some(reply) = reply else { break };
                    finished = reply.code >= 200;
                    let mut headers = reply.headers;
                    if is_invite && reply.code < 300 && reply.code > 100 {
                        headers.extend(record_route.iter().cloned());
                        headers.push(contact.clone());
                        headers.push(Header::Allow(ALLOW.into()));
                    }
                    if reply.sdp.is_some() {
                        headers.push(Header::ContentType("application/sdp".into()));
                    }
                    let status = StatusCode::from(reply.code);
                    let result = match reply.reason {
                        Some(reason) => {
                            let mut resp = shared.endpoint.inner.make_response(&tx.original, status, reply.sdp);
                            resp.wire_reason = Some(reason);
                            resp.headers.extend(headers);
                            tx.respond(resp).await
                        }
                        None => tx.reply_with(status, headers, reply.sdp).await,
                    };
                    if let Err(e) = result {
                        tracing::debug!("call response not sent: {e}");
                    }
                    if finished && !is_invite {
                        break;
                    }
                }
                msg = tx.receive(), if is_invite => match msg {
                    Some(SipMessage::Request(r)) if r.method == SipMethod::Ack => {
                        let sdp = call_wire::sdp_body(&r.headers, &r.body);
                        let _ = events.send(SipEvent::Ack { cseq, sdp });
                    }
                    Some(SipMessage::Request(r)) if r.method == SipMethod::Cancel => {
                        let elsewhere = call_wire::completed_elsewhere(&r.headers);
                        let _ = events.send(SipEvent::Cancel { cseq, elsewhere });
                    }
                    Some(_) => {}
                    None => break,
                },
            }
        }
    });
    reply_tx
}

/// A final response we make up for a request that got none.
fn local_failure(cseq: u32, method: Method, detail: &str) -> ResponseIn {
    ResponseIn {
        code: 408,
        reason: detail.to_string(),
        method: Some(method),
        cseq,
        ..ResponseIn::default()
    }
}

fn unreachable_detail(reply: &request::Reply) -> String {
    match reply {
        request::Reply::Unreachable { detail, .. } => detail.clone(),
        request::Reply::Response(r) => r.status_code.to_string(),
    }
}
