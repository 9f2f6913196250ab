//! Unit tests of the call state machine: the dialog rules and the caller's
//! side. The callee's side and established calls are in call_uas_tests.rs.

use super::*;

pub(super) const OFFER: &[u8] = b"v=0 offer";
pub(super) const ANSWER: &[u8] = b"v=0 answer";

pub(super) fn cfg() -> CallConfig {
    CallConfig::default()
}

pub(super) fn resp(code: u16, method: Method, cseq: u32, sdp: Option<&[u8]>) -> Input {
    Input::Response(ResponseIn {
        code,
        reason: "Reason Phrase".into(),
        method: Some(method),
        cseq,
        to_tag: Some("peer".into()),
        contact: Some("<sip:bob@10.0.0.2>".into()),
        record_route: vec!["<sip:p1;lr>".into(), "<sip:p2;lr>".into()],
        sdp: sdp.map(|s| s.to_vec()),
        session_expires: None,
    })
}

pub(super) fn req(method: Method, cseq: u32, sdp: Option<&[u8]>) -> Input {
    Input::Request(RequestIn {
        method,
        cseq,
        contact: None,
        sdp: sdp.map(|s| s.to_vec()),
    })
}

pub(super) fn sent(out: &[Output]) -> Vec<Request> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

pub(super) fn responses(out: &[Output]) -> Vec<(u16, Method, u32)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Respond(r) => Some((r.code, r.method, r.cseq)),
            _ => None,
        })
        .collect()
}

pub(super) fn ended(out: &[Output]) -> Option<EndReason> {
    out.iter().find_map(|o| match o {
        Output::State(CallState::Ended(r)) => Some(r.clone()),
        _ => None,
    })
}

/// A caller whose INVITE is out; returns the INVITE.
fn calling() -> (CallMachine, Instant, Request) {
    let mut m = CallMachine::new(cfg());
    let now = Instant::now();
    let out = m.handle_input(
        Input::Start {
            offer: OFFER.to_vec(),
        },
        now,
    );
    let invite = sent(&out).remove(0);
    assert!(out.contains(&Output::State(CallState::Calling)));
    (m, now, invite)
}

/// An established outgoing call; returns the INVITE.
pub(super) fn uac_established() -> (CallMachine, Instant, Request) {
    let (mut m, now, invite) = calling();
    m.handle_input(resp(200, Method::Invite, invite.cseq, Some(ANSWER)), now);
    assert_eq!(m.state(), &CallState::Established { on_hold: false });
    (m, now, invite)
}

// --- Dialog rules ---

#[test]
fn cseq_increments_for_each_new_request() {
    let mut d = Dialog::uac("c".into(), "t".into(), 1);
    assert_eq!(d.next_cseq(), 2);
    assert_eq!(d.next_cseq(), 3);
}

#[test]
fn uac_route_set_is_record_route_reversed_and_fixed_by_the_2xx() {
    let mut d = Dialog::uac("c".into(), "t".into(), 1);
    let Input::Response(mut r) = resp(180, Method::Invite, 1, None) else {
        unreachable!()
    };
    d.learn_uac(&r);
    assert_eq!(d.remote_tag.as_deref(), Some("peer"));
    assert_eq!(d.route_set, vec!["<sip:p2;lr>", "<sip:p1;lr>"]);
    r.code = 200;
    r.record_route = vec!["<sip:x;lr>".into()];
    d.learn_uac(&r);
    assert_eq!(d.route_set, vec!["<sip:x;lr>"], "the 2xx recomputes it");
    assert!(d.confirmed);
    r.record_route = vec!["<sip:y;lr>".into()];
    r.contact = Some("<sip:bob@new>".into());
    d.learn_uac(&r);
    assert_eq!(d.route_set, vec!["<sip:x;lr>"], "then it is fixed");
    assert_eq!(d.remote_target.as_deref(), Some("<sip:bob@new>"));
}

#[test]
fn uas_route_set_keeps_record_route_order_and_remote_cseq_must_grow() {
    let invite = IncomingInvite {
        call_id: "c".into(),
        from_tag: "ft".into(),
        cseq: 5,
        contact: Some("<sip:a@h>".into()),
        record_route: vec!["<sip:p1;lr>".into(), "<sip:p2;lr>".into()],
    };
    let mut d = Dialog::uas(&invite, "lt".into(), 1);
    assert_eq!(d.route_set, invite.record_route);
    assert_eq!(d.remote_target.as_deref(), Some("<sip:a@h>"));
    assert!(d.accept_remote_cseq(Method::Ack, 5), "ACK reuses the CSeq");
    assert!(d.accept_remote_cseq(Method::Cancel, 5));
    assert!(!d.accept_remote_cseq(Method::Bye, 5), "not higher");
    assert!(d.accept_remote_cseq(Method::Bye, 6));
    assert!(!d.accept_remote_cseq(Method::Invite, 4));
}

#[test]
fn ack_for_2xx_is_a_new_transaction_with_the_invites_cseq() {
    let (mut m, now, invite) = calling();
    let out = m.handle_input(resp(200, Method::Invite, invite.cseq, Some(ANSWER)), now);
    let ack = sent(&out).remove(0);
    assert_eq!(ack.method, Method::Ack);
    assert_eq!(ack.cseq, invite.cseq);
    assert_ne!(ack.branch, invite.branch);
    assert!(ack.branch.starts_with("z9hG4bK"));
}

#[test]
fn cancel_has_the_invites_cseq_and_branch() {
    let (mut m, now, invite) = calling();
    m.handle_input(resp(180, Method::Invite, invite.cseq, None), now);
    let cancel = sent(&m.handle_input(Input::Cancel, now)).remove(0);
    assert_eq!(cancel.method, Method::Cancel);
    assert_eq!((cancel.cseq, &cancel.branch), (invite.cseq, &invite.branch));
}

// --- Caller ---

#[test]
fn start_sends_an_invite_with_the_offer() {
    let (m, _, invite) = calling();
    assert_eq!(invite.method, Method::Invite);
    assert_eq!(invite.sdp.as_deref(), Some(OFFER));
    let d = m.dialog().unwrap();
    assert!(d.owns_call_id && !d.call_id.is_empty() && !d.local_tag.is_empty());
}

#[test]
fn trying_is_ignored() {
    let (mut m, now, invite) = calling();
    assert!(m
        .handle_input(resp(100, Method::Invite, invite.cseq, None), now)
        .is_empty());
    assert_eq!(m.state(), &CallState::Calling);
}

#[test]
fn ringing_on_180() {
    let (mut m, now, invite) = calling();
    let out = m.handle_input(resp(180, Method::Invite, invite.cseq, None), now);
    assert_eq!(out, vec![Output::State(CallState::Ringing)]);
}

#[test]
fn early_media_on_183_with_sdp() {
    let (mut m, now, invite) = calling();
    let out = m.handle_input(resp(183, Method::Invite, invite.cseq, Some(ANSWER)), now);
    assert_eq!(
        out,
        vec![
            Output::Media {
                local: OFFER.to_vec(),
                remote: ANSWER.to_vec(),
                early: true
            },
            Output::State(CallState::EarlyMedia)
        ]
    );
    let out = m.handle_input(resp(183, Method::Invite, invite.cseq, None), now);
    assert!(
        out.is_empty(),
        "a later 183 without SDP keeps the early media"
    );
}

#[test]
fn answer_acks_and_establishes_with_the_answer() {
    let (mut m, now, invite) = calling();
    let out = m.handle_input(resp(200, Method::Invite, invite.cseq, Some(ANSWER)), now);
    assert_eq!(sent(&out)[0].method, Method::Ack);
    assert!(out.contains(&Output::Media {
        local: OFFER.to_vec(),
        remote: ANSWER.to_vec(),
        early: false
    }));
    assert!(out.contains(&Output::State(CallState::Established { on_hold: false })));
    let d = m.dialog().unwrap();
    assert_eq!(d.remote_target.as_deref(), Some("<sip:bob@10.0.0.2>"));
}

#[test]
fn a_retransmitted_2xx_is_acked_again() {
    let (mut m, now, invite) = uac_established();
    let first_ack = m.last_ack.clone().unwrap();
    let out = m.handle_input(resp(200, Method::Invite, invite.cseq, Some(ANSWER)), now);
    assert_eq!(out, vec![Output::Send(first_ack)]);
}

#[test]
fn failures_end_the_call_with_a_reason() {
    let cases = [
        (486, EndReason::Busy),
        (600, EndReason::Busy),
        (603, EndReason::Declined),
        (404, EndReason::NotFound),
        (604, EndReason::NotFound),
        (408, EndReason::NoAnswer),
        (480, EndReason::NoAnswer),
        (487, EndReason::Cancelled),
        (488, EndReason::Refused("Reason Phrase".into())),
        (
            500,
            EndReason::Failed {
                code: 500,
                reason: "Reason Phrase".into(),
            },
        ),
        (
            302,
            EndReason::Failed {
                code: 302,
                reason: "Reason Phrase".into(),
            },
        ),
    ];
    for (code, reason) in cases {
        let (mut m, now, invite) = calling();
        let mut response = resp(code, Method::Invite, invite.cseq, None);
        if let Input::Response(r) = &mut response {
            r.contact = None; // a 3xx without a Contact goes nowhere
        }
        let out = m.handle_input(response, now);
        assert_eq!(ended(&out), Some(reason), "{code}");
        assert!(m.is_finished());
    }
}

fn redirect(code: u16, cseq: u32, to: &str) -> Input {
    let mut r = resp(code, Method::Invite, cseq, None);
    if let Input::Response(r) = &mut r {
        r.contact = Some(to.into());
    }
    r
}

#[test]
fn a_redirect_is_followed_with_a_new_invite_in_the_same_call() {
    let (mut m, now, invite) = calling();
    m.handle_input(resp(180, Method::Invite, invite.cseq, None), now);
    let out = m.handle_input(redirect(302, invite.cseq, "sip:carol@10.0.0.3"), now);
    let again = sent(&out);
    assert_eq!(again.len(), 1, "{out:?}");
    assert_eq!(again[0].method, Method::Invite);
    assert_eq!(again[0].cseq, invite.cseq + 1);
    assert_ne!(again[0].branch, invite.branch);
    assert_eq!(again[0].sdp.as_deref(), Some(OFFER));
    assert!(out.contains(&Output::Redirected {
        target: "sip:carol@10.0.0.3".into()
    }));
    assert!(out.contains(&Output::State(CallState::Calling)));
    let d = m.dialog().unwrap();
    assert_eq!(d.remote_target.as_deref(), Some("sip:carol@10.0.0.3"));
    assert_eq!(d.remote_tag, None, "the redirecting hop's tag is forgotten");
    assert!(d.route_set.is_empty());
    // The new target answers: the call is up.
    m.handle_input(resp(200, Method::Invite, again[0].cseq, Some(ANSWER)), now);
    assert_eq!(m.state(), &CallState::Established { on_hold: false });
}

#[test]
fn redirects_stop_after_the_limit() {
    let (mut m, now, invite) = calling();
    let mut cseq = invite.cseq;
    for _ in 0..cfg().max_redirects {
        let out = m.handle_input(redirect(302, cseq, "sip:loop@10.0.0.9"), now);
        cseq = sent(&out)[0].cseq;
    }
    let out = m.handle_input(redirect(302, cseq, "sip:loop@10.0.0.9"), now);
    assert!(sent(&out).is_empty());
    assert!(matches!(
        ended(&out),
        Some(EndReason::Failed { code: 302, .. })
    ));
}

#[test]
fn a_redirect_after_cancel_is_not_followed() {
    let (mut m, now, invite) = calling();
    m.handle_input(resp(180, Method::Invite, invite.cseq, None), now);
    m.handle_input(Input::Cancel, now);
    let out = m.handle_input(redirect(302, invite.cseq, "sip:carol@10.0.0.3"), now);
    assert!(sent(&out).is_empty());
    assert_eq!(ended(&out), Some(EndReason::Cancelled));
}

#[test]
fn failure_after_early_media_stops_it() {
    let (mut m, now, invite) = calling();
    m.handle_input(resp(183, Method::Invite, invite.cseq, Some(ANSWER)), now);
    let out = m.handle_input(resp(486, Method::Invite, invite.cseq, None), now);
    assert_eq!(
        out,
        vec![
            Output::StopMedia,
            Output::State(CallState::Ended(EndReason::Busy))
        ]
    );
}

#[test]
fn cancel_after_a_provisional_sends_cancel_and_487_ends() {
    let (mut m, now, invite) = calling();
    m.handle_input(resp(180, Method::Invite, invite.cseq, None), now);
    let out = m.handle_input(Input::Cancel, now);
    assert_eq!(sent(&out)[0].method, Method::Cancel);
    m.handle_input(resp(200, Method::Cancel, invite.cseq, None), now);
    let out = m.handle_input(resp(487, Method::Invite, invite.cseq, None), now);
    assert_eq!(ended(&out), Some(EndReason::Cancelled));
    assert!(m.is_finished());
}

#[test]
fn cancel_before_any_provisional_waits_for_one() {
    let (mut m, now, invite) = calling();
    assert!(m.handle_input(Input::Cancel, now).is_empty());
    assert!(m
        .handle_input(resp(100, Method::Invite, invite.cseq, None), now)
        .is_empty());
    let out = m.handle_input(resp(180, Method::Invite, invite.cseq, None), now);
    assert_eq!(sent(&out)[0].method, Method::Cancel);
    assert_eq!(m.state(), &CallState::Calling, "no ringing shown");
}

#[test]
fn cancel_pending_and_a_final_failure_ends_cancelled() {
    let (mut m, now, invite) = calling();
    m.handle_input(Input::Cancel, now);
    let out = m.handle_input(resp(408, Method::Invite, invite.cseq, None), now);
    assert_eq!(ended(&out), Some(EndReason::Cancelled));
}

#[test]
fn a_200_racing_the_cancel_is_acked_then_byed() {
    let (mut m, now, invite) = calling();
    m.handle_input(resp(180, Method::Invite, invite.cseq, None), now);
    m.handle_input(Input::Cancel, now);
    let out = m.handle_input(resp(200, Method::Invite, invite.cseq, Some(ANSWER)), now);
    let reqs = sent(&out);
    assert_eq!(reqs[0].method, Method::Ack);
    assert_eq!(reqs[0].cseq, invite.cseq);
    assert_eq!(reqs[1].method, Method::Bye);
    assert_eq!(reqs[1].cseq, invite.cseq + 1);
    assert_eq!(ended(&out), Some(EndReason::Cancelled));
    assert!(!out.iter().any(|o| matches!(o, Output::Media { .. })));
    assert!(!m.is_finished(), "the BYE is in flight");
    m.handle_input(resp(200, Method::Bye, reqs[1].cseq, None), now);
    assert!(m.is_finished());
}

#[test]
fn a_200_racing_a_pending_cancel_is_acked_then_byed() {
    let (mut m, now, invite) = calling();
    m.handle_input(Input::Cancel, now);
    let out = m.handle_input(resp(200, Method::Invite, invite.cseq, Some(ANSWER)), now);
    let methods: Vec<Method> = sent(&out).iter().map(|r| r.method).collect();
    assert_eq!(methods, vec![Method::Ack, Method::Bye]);
}

#[test]
fn hangup_while_calling_cancels() {
    let (mut m, now, invite) = calling();
    m.handle_input(resp(180, Method::Invite, invite.cseq, None), now);
    let out = m.handle_input(Input::Hangup, now);
    assert_eq!(sent(&out)[0].method, Method::Cancel);
}

#[test]
fn poll_timeout_is_none_while_calling() {
    let (m, _, _) = calling();
    assert_eq!(m.poll_timeout(), None);
}

#[path = "call_uas_tests.rs"]
mod uas;

#[path = "call_timer_tests.rs"]
mod timer;
