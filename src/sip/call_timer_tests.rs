//! Unit tests of the call state machine: session timers (RFC 4028).

use super::super::*;
use super::{ended, req, resp, sent, uac_established, ANSWER, OFFER};
use std::time::{Duration, Instant};

fn with_timer(we_refresh: bool) -> (CallMachine, Instant) {
    let (mut m, now, _) = uac_established();
    let out = m.handle_input(
        Input::SessionTimer {
            delta: 600,
            we_refresh,
        },
        now,
    );
    assert!(out.is_empty());
    (m, now)
}

#[test]
fn the_refresher_sends_a_reinvite_at_half_the_interval() {
    let (mut m, now) = with_timer(true);
    assert_eq!(m.poll_timeout(), Some(now + Duration::from_secs(300)));
    let at = now + Duration::from_secs(300);
    let out = m.handle_timeout(at);
    let refresh = sent(&out).remove(0);
    assert_eq!(refresh.method, Method::Invite);
    assert_eq!(refresh.sdp.as_deref(), Some(OFFER), "the same session");
    assert!(refresh
        .headers
        .contains(&("Session-Expires".into(), "600;refresher=uac".into())));
    let out = m.handle_input(resp(200, Method::Invite, refresh.cseq, Some(ANSWER)), at);
    assert_eq!(sent(&out)[0].method, Method::Ack);
    assert_eq!(m.poll_timeout(), Some(at + Duration::from_secs(300)));
}

#[test]
fn an_unanswered_refresh_ends_the_session_at_expiry_with_bye() {
    let (mut m, now) = with_timer(true);
    m.handle_timeout(now + Duration::from_secs(300));
    let at = m.poll_timeout().unwrap();
    assert_eq!(at, now + Duration::from_secs(600));
    let out = m.handle_timeout(at);
    assert_eq!(sent(&out)[0].method, Method::Bye);
    assert_eq!(ended(&out), Some(EndReason::SessionExpired));
}

#[test]
fn the_other_side_byes_when_the_peer_does_not_refresh() {
    let (mut m, now) = with_timer(false);
    let at = m.poll_timeout().unwrap();
    assert_eq!(at, now + Duration::from_secs(600 - 32));
    let out = m.handle_timeout(at);
    assert_eq!(sent(&out)[0].method, Method::Bye);
    assert_eq!(ended(&out), Some(EndReason::SessionExpired));
}

#[test]
fn the_peers_refreshing_reinvite_restarts_the_timer() {
    let (mut m, now) = with_timer(false);
    let later = now + Duration::from_secs(290);
    m.handle_input(req(Method::Invite, 50, Some(OFFER)), later);
    m.handle_input(
        Input::Answer {
            sdp: ANSWER.to_vec(),
        },
        later,
    );
    m.handle_input(req(Method::Ack, 50, None), later);
    assert_eq!(m.poll_timeout(), Some(later + Duration::from_secs(568)));
}
