//! Unit tests of the call state machine: the callee's side and
//! established calls (BYE, re-INVITE both ways, glare).

use super::super::*;
use super::{ended, req, resp, responses, sent, uac_established, ANSWER, OFFER};
use std::time::{Duration, Instant};

const INVITE_CSEQ: u32 = 10;
const HOLD: &[u8] = b"v=0 sendonly";

fn ringing() -> (CallMachine, Instant) {
    let mut m = CallMachine::new(CallConfig::default());
    let now = Instant::now();
    let invite = IncomingInvite {
        call_id: "abc@host".into(),
        from_tag: "ft".into(),
        cseq: INVITE_CSEQ,
        contact: Some("<sip:alice@10.0.0.1>".into()),
        record_route: vec![],
    };
    let out = m.handle_input(
        Input::Incoming {
            invite,
            offer: Some(OFFER.to_vec()),
        },
        now,
    );
    assert_eq!(
        out,
        vec![
            Output::Respond(Response {
                code: 180,
                method: Method::Invite,
                cseq: INVITE_CSEQ,
                sdp: None,
                headers: vec![]
            }),
            Output::State(CallState::Incoming)
        ]
    );
    (m, now)
}

fn accepted() -> (CallMachine, Instant) {
    let (mut m, now) = ringing();
    m.handle_input(
        Input::Accept {
            answer: ANSWER.to_vec(),
        },
        now,
    );
    (m, now)
}

fn uas_established() -> (CallMachine, Instant) {
    let (mut m, now) = accepted();
    m.handle_input(req(Method::Ack, INVITE_CSEQ, None), now);
    (m, now)
}

#[test]
fn accept_sends_200_with_the_answer_and_starts_media() {
    let (mut m, now) = ringing();
    let out = m.handle_input(
        Input::Accept {
            answer: ANSWER.to_vec(),
        },
        now,
    );
    assert_eq!(responses(&out), vec![(200, Method::Invite, INVITE_CSEQ)]);
    assert!(out.contains(&Output::Media {
        local: ANSWER.to_vec(),
        remote: OFFER.to_vec(),
        early: false
    }));
    assert_eq!(m.state(), &CallState::Connecting);
    assert_eq!(m.poll_timeout(), Some(now + Duration::from_millis(500)));
}

#[test]
fn ack_establishes_and_stops_the_retransmissions() {
    let (mut m, now) = accepted();
    let out = m.handle_input(req(Method::Ack, INVITE_CSEQ, None), now);
    assert_eq!(
        out,
        vec![Output::State(CallState::Established { on_hold: false })]
    );
    assert_eq!(m.poll_timeout(), None);
}

#[test]
fn the_200_is_resent_t1_doubling_to_t2() {
    let (mut m, start) = accepted();
    let mut gaps = vec![];
    let mut last = start;
    for _ in 0..6 {
        let at = m.poll_timeout().unwrap();
        let out = m.handle_timeout(at);
        assert_eq!(responses(&out), vec![(200, Method::Invite, INVITE_CSEQ)]);
        gaps.push((at - last).as_millis());
        last = at;
    }
    assert_eq!(gaps, vec![500, 1000, 2000, 4000, 4000, 4000]);
}

#[test]
fn no_ack_within_64_t1_sends_bye_and_ends() {
    let (mut m, start) = accepted();
    let mut out = vec![];
    while let Some(at) = m.poll_timeout() {
        out = m.handle_timeout(at);
        if ended(&out).is_some() {
            assert_eq!(at, start + Duration::from_secs(32));
            break;
        }
    }
    assert_eq!(sent(&out)[0].method, Method::Bye);
    assert!(out.contains(&Output::StopMedia));
    assert_eq!(ended(&out), Some(EndReason::NoAck));
}

#[test]
fn decline_sends_the_code_and_ends() {
    for (code, reason) in [
        (486, EndReason::Busy),
        (603, EndReason::Declined),
        (480, EndReason::NoAnswer),
    ] {
        let (mut m, now) = ringing();
        let out = m.handle_input(Input::Decline { code }, now);
        assert_eq!(responses(&out), vec![(code, Method::Invite, INVITE_CSEQ)]);
        assert_eq!(ended(&out), Some(reason));
        assert!(m.is_finished());
    }
}

#[test]
fn cancel_received_gets_200_and_the_invite_487() {
    let (mut m, now) = ringing();
    let out = m.handle_input(req(Method::Cancel, INVITE_CSEQ, None), now);
    assert_eq!(
        responses(&out),
        vec![
            (200, Method::Cancel, INVITE_CSEQ),
            (487, Method::Invite, INVITE_CSEQ)
        ]
    );
    assert_eq!(ended(&out), Some(EndReason::Cancelled));
}

#[test]
fn hangup_before_the_ack_waits_for_it() {
    let (mut m, now) = accepted();
    assert!(m.handle_input(Input::Hangup, now).is_empty());
    let out = m.handle_input(req(Method::Ack, INVITE_CSEQ, None), now);
    assert_eq!(sent(&out)[0].method, Method::Bye);
}

// --- Established ---

#[test]
fn hangup_sends_bye_and_ends_on_its_answer() {
    for code in [200, 481, 408] {
        let (mut m, now, _) = uac_established();
        let out = m.handle_input(Input::Hangup, now);
        let bye = sent(&out).remove(0);
        assert_eq!((bye.method, bye.cseq), (Method::Bye, 2));
        assert!(out.contains(&Output::StopMedia));
        assert_eq!(ended(&out), None);
        let out = m.handle_input(resp(code, Method::Bye, bye.cseq, None), now);
        assert_eq!(ended(&out), Some(EndReason::LocalHangup), "{code}");
        assert!(m.is_finished());
    }
}

#[test]
fn hangup_ends_when_the_bye_gets_no_answer() {
    let (mut m, now) = uas_established();
    m.handle_input(Input::Hangup, now);
    let at = m.poll_timeout().unwrap();
    assert_eq!(at, now + Duration::from_secs(32));
    let out = m.handle_timeout(at);
    assert_eq!(ended(&out), Some(EndReason::LocalHangup));
}

#[test]
fn bye_received_is_answered_and_ends() {
    let (mut m, now) = uas_established();
    let out = m.handle_input(req(Method::Bye, INVITE_CSEQ + 1, None), now);
    assert_eq!(responses(&out), vec![(200, Method::Bye, INVITE_CSEQ + 1)]);
    assert!(out.contains(&Output::StopMedia));
    assert_eq!(ended(&out), Some(EndReason::RemoteHangup));
}

#[test]
fn stale_cseq_gets_500() {
    let (mut m, now) = uas_established();
    let out = m.handle_input(req(Method::Bye, INVITE_CSEQ, None), now);
    assert_eq!(responses(&out), vec![(500, Method::Bye, INVITE_CSEQ)]);
    assert_eq!(m.state(), &CallState::Established { on_hold: false });
}

#[test]
fn reinvite_in_is_handed_out_answered_and_acked() {
    let (mut m, now, _) = uac_established();
    let out = m.handle_input(req(Method::Invite, 7, Some(HOLD)), now);
    assert_eq!(
        out,
        vec![Output::NeedAnswer {
            offer: Some(HOLD.to_vec())
        }]
    );
    let out = m.handle_input(
        Input::Answer {
            sdp: b"v=0 recvonly".to_vec(),
        },
        now,
    );
    assert_eq!(responses(&out), vec![(200, Method::Invite, 7)]);
    assert!(out.contains(&Output::Media {
        local: b"v=0 recvonly".to_vec(),
        remote: HOLD.to_vec(),
        early: false
    }));
    assert!(m.poll_timeout().is_some(), "the 200 is resent until ACKed");
    m.handle_input(req(Method::Ack, 7, None), now);
    assert_eq!(m.poll_timeout(), None);
}

#[test]
fn a_second_reinvite_before_the_answer_gets_500_with_retry_after() {
    let (mut m, now, _) = uac_established();
    m.handle_input(req(Method::Invite, 7, Some(HOLD)), now);
    let out = m.handle_input(req(Method::Invite, 8, Some(HOLD)), now);
    assert_eq!(responses(&out), vec![(500, Method::Invite, 8)]);
    let Output::Respond(r) = &out[0] else {
        unreachable!()
    };
    assert_eq!(r.headers[0].0, "Retry-After");
}

#[test]
fn a_reinvite_after_our_answer_but_before_its_ack_is_taken() {
    let (mut m, now, _) = uac_established();
    m.handle_input(req(Method::Invite, 7, Some(HOLD)), now);
    let out = m.handle_input(
        Input::Answer {
            sdp: ANSWER.to_vec(),
        },
        now,
    );
    assert_eq!(responses(&out), vec![(200, Method::Invite, 7)]);
    let out = m.handle_input(req(Method::Invite, 8, Some(OFFER)), now);
    assert!(responses(&out).is_empty(), "{out:?}");
    assert!(out.iter().any(|o| matches!(o, Output::NeedAnswer { .. })));
}

/// Puts the established call on hold; returns the re-INVITE sent.
fn send_hold(m: &mut CallMachine, now: Instant) -> Request {
    let out = m.handle_input(
        Input::Hold {
            offer: HOLD.to_vec(),
        },
        now,
    );
    sent(&out).remove(0)
}

#[test]
fn hold_sends_a_reinvite_and_2xx_is_acked() {
    let (mut m, now, invite) = uac_established();
    let reinvite = send_hold(&mut m, now);
    assert_eq!(reinvite.method, Method::Invite);
    assert_eq!(reinvite.cseq, invite.cseq + 1);
    assert_eq!(reinvite.sdp.as_deref(), Some(HOLD));
    let out = m.handle_input(resp(200, Method::Invite, reinvite.cseq, Some(ANSWER)), now);
    let ack = sent(&out).remove(0);
    assert_eq!((ack.method, ack.cseq), (Method::Ack, reinvite.cseq));
    assert!(out.contains(&Output::State(CallState::Established { on_hold: true })));
    // Its retransmission is ACKed again.
    let out = m.handle_input(resp(200, Method::Invite, reinvite.cseq, Some(ANSWER)), now);
    assert_eq!(out, vec![Output::Send(ack)]);
    let out = m.handle_input(
        Input::Resume {
            offer: OFFER.to_vec(),
        },
        now,
    );
    let resume = sent(&out).remove(0);
    let out = m.handle_input(resp(200, Method::Invite, resume.cseq, Some(ANSWER)), now);
    assert!(out.contains(&Output::State(CallState::Established { on_hold: false })));
}

fn glare(mut m: CallMachine, now: Instant, low: u64, high: u64) {
    let first = send_hold(&mut m, now);
    let out = m.handle_input(resp(491, Method::Invite, first.cseq, None), now);
    assert!(out.is_empty());
    let at = m.poll_timeout().unwrap();
    let wait = (at - now).as_millis() as u64;
    assert!((low..=high).contains(&wait), "{wait} ms");
    assert!(m.handle_timeout(at - Duration::from_millis(1)).is_empty());
    let retry = sent(&m.handle_timeout(at)).remove(0);
    assert_eq!(retry.method, Method::Invite);
    assert_eq!(retry.cseq, first.cseq + 1);
    assert_eq!(retry.sdp.as_deref(), Some(HOLD));
}

#[test]
fn glare_491_retries_after_2_1_to_4_s_when_we_own_the_call_id() {
    for seed in 1..20 {
        let (mut m, now, _) = uac_established();
        m.rng = seed;
        glare(m, now, 2100, 4000);
    }
}

#[test]
fn glare_491_retries_within_2_s_when_the_peer_owns_the_call_id() {
    for seed in 1..20 {
        let (mut m, now) = uas_established();
        m.rng = seed;
        glare(m, now, 0, 2000);
    }
}

#[test]
fn reinvite_in_while_ours_is_out_gets_491() {
    let (mut m, now, _) = uac_established();
    send_hold(&mut m, now);
    let out = m.handle_input(req(Method::Invite, 7, Some(OFFER)), now);
    assert_eq!(responses(&out), vec![(491, Method::Invite, 7)]);
}

#[test]
fn a_refused_reinvite_keeps_the_old_session() {
    let (mut m, now, _) = uac_established();
    let reinvite = send_hold(&mut m, now);
    let out = m.handle_input(resp(488, Method::Invite, reinvite.cseq, None), now);
    assert_eq!(out, vec![Output::ReofferFailed { code: 488 }]);
    assert_eq!(m.state(), &CallState::Established { on_hold: false });
    assert!(!m.is_finished());
}

#[test]
fn a_reinvite_481_ends_the_call() {
    let (mut m, now, _) = uac_established();
    let reinvite = send_hold(&mut m, now);
    let out = m.handle_input(resp(481, Method::Invite, reinvite.cseq, None), now);
    assert!(ended(&out).is_some());
    assert!(m.is_finished());
}

#[test]
fn bye_in_the_early_dialog_ends_the_ringing_call() {
    let (mut m, now) = ringing();
    let out = m.handle_input(req(Method::Bye, INVITE_CSEQ + 1, None), now);
    assert_eq!(
        responses(&out),
        vec![
            (200, Method::Bye, INVITE_CSEQ + 1),
            (487, Method::Invite, INVITE_CSEQ)
        ]
    );
    assert_eq!(ended(&out), Some(EndReason::Cancelled));
    assert!(m.is_finished());
}
