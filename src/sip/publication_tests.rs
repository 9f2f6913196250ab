//! Unit tests of the publication state machine.

use super::*;

fn machine() -> (PublicationMachine, Instant) {
    (
        PublicationMachine::new(PublicationPolicy::default()),
        Instant::now(),
    )
}

fn ok(etag: &str, expires: u32) -> Input {
    Input::Response {
        code: 200,
        etag: Some(etag.into()),
        expires: Some(expires),
        hint_secs: None,
    }
}

fn fail(code: u16) -> Input {
    Input::Response {
        code,
        etag: None,
        expires: None,
        hint_secs: None,
    }
}

fn sent(out: &[Output]) -> Publish {
    out.iter()
        .find_map(|o| match o {
            Output::Send(p) => Some(p.clone()),
            _ => None,
        })
        .expect("a PUBLISH")
}

#[test]
fn initial_publish_carries_the_body_and_no_if_match() {
    let (mut m, now) = machine();
    let out = m.handle_input(Input::Publish(b"doc1".to_vec()), now);
    let p = sent(&out);
    assert_eq!(p.body.as_deref(), Some(&b"doc1"[..]));
    assert_eq!(p.if_match, None);
    assert!(out.contains(&Output::State(PublicationState::Publishing)));
    let out = m.handle_input(ok("e1", 600), now);
    assert_eq!(out, vec![Output::State(PublicationState::Published)]);
    assert_eq!(m.etag(), Some("e1"));
}

#[test]
fn refresh_has_if_match_and_no_body() {
    let (mut m, now) = machine();
    m.handle_input(Input::Publish(b"doc".to_vec()), now);
    m.handle_input(ok("e1", 100), now);
    let at = m.poll_timeout().unwrap();
    assert_eq!(at.duration_since(now).as_secs(), 85);
    let p = sent(&m.handle_timeout(at));
    assert_eq!(p.if_match.as_deref(), Some("e1"));
    assert_eq!(p.body, None);
    // The server may hand out a new tag on refresh.
    m.handle_input(ok("e2", 100), at);
    assert_eq!(m.etag(), Some("e2"));
}

#[test]
fn modify_sends_the_new_body_with_if_match() {
    let (mut m, now) = machine();
    m.handle_input(Input::Publish(b"a".to_vec()), now);
    m.handle_input(ok("e1", 100), now);
    let p = sent(&m.handle_input(Input::Publish(b"b".to_vec()), now));
    assert_eq!(p.if_match.as_deref(), Some("e1"));
    assert_eq!(p.body.as_deref(), Some(&b"b"[..]));
}

#[test]
fn a_change_while_in_flight_goes_out_after_the_answer() {
    let (mut m, now) = machine();
    m.handle_input(Input::Publish(b"a".to_vec()), now);
    assert!(m
        .handle_input(Input::Publish(b"b".to_vec()), now)
        .is_empty());
    let p = sent(&m.handle_input(ok("e1", 100), now));
    assert_eq!(p.body.as_deref(), Some(&b"b"[..]));
    assert_eq!(p.if_match.as_deref(), Some("e1"));
}

#[test]
fn a_412_starts_afresh_with_the_body() {
    let (mut m, now) = machine();
    m.handle_input(Input::Publish(b"doc".to_vec()), now);
    m.handle_input(ok("e1", 100), now);
    let at = m.poll_timeout().unwrap();
    m.handle_timeout(at);
    let p = sent(&m.handle_input(fail(412), at));
    assert_eq!(p.if_match, None);
    assert_eq!(p.body.as_deref(), Some(&b"doc"[..]));
}

#[test]
fn a_423_raises_the_expiry() {
    let (mut m, now) = machine();
    m.handle_input(Input::Publish(b"doc".to_vec()), now);
    let p = sent(&m.handle_input(
        Input::Response {
            code: 423,
            etag: None,
            expires: None,
            hint_secs: Some(7200),
        },
        now,
    ));
    assert_eq!(p.expires, 7200);
}

#[test]
fn failures_back_off_then_retry_with_the_body() {
    let (mut m, now) = machine();
    m.handle_input(Input::Publish(b"doc".to_vec()), now);
    let out = m.handle_input(fail(0), now);
    assert!(matches!(
        out[0],
        Output::State(PublicationState::Retrying { .. })
    ));
    let at = m.poll_timeout().unwrap();
    assert_eq!(at.duration_since(now).as_secs(), 2);
    let p = sent(&m.handle_timeout(at));
    assert_eq!(p.body.as_deref(), Some(&b"doc"[..]));
}

#[test]
fn refusals_are_final_until_the_next_change() {
    let (mut m, now) = machine();
    m.handle_input(Input::Publish(b"doc".to_vec()), now);
    let out = m.handle_input(fail(489), now);
    assert!(matches!(
        out[0],
        Output::State(PublicationState::Refused { .. })
    ));
    assert_eq!(m.poll_timeout(), None);
    assert!(sent(&m.handle_input(Input::Publish(b"x".to_vec()), now))
        .body
        .is_some());
}

#[test]
fn reset_republishes_the_current_document() {
    let (mut m, now) = machine();
    assert!(
        m.handle_input(Input::Reset, now).is_empty(),
        "nothing to publish yet"
    );
    m.handle_input(Input::Publish(b"doc".to_vec()), now);
    m.handle_input(ok("e1", 100), now);
    let p = sent(&m.handle_input(Input::Reset, now));
    assert_eq!(p.body.as_deref(), Some(&b"doc"[..]));
}

#[test]
fn stop_removes_with_expires_zero() {
    let (mut m, now) = machine();
    m.handle_input(Input::Publish(b"doc".to_vec()), now);
    m.handle_input(ok("e1", 100), now);
    let p = sent(&m.handle_input(Input::Stop, now));
    assert_eq!(
        p,
        Publish {
            expires: 0,
            if_match: Some("e1".into()),
            body: None
        }
    );
    assert_eq!(m.handle_input(ok("e1", 0), now), vec![Output::Finished]);
    assert!(m.is_finished());
}

#[test]
fn stop_during_the_initial_publish_removes_after_it() {
    let (mut m, now) = machine();
    m.handle_input(Input::Publish(b"doc".to_vec()), now);
    assert!(m.handle_input(Input::Stop, now).is_empty());
    let p = sent(&m.handle_input(ok("e9", 100), now));
    assert_eq!(p.expires, 0);
    assert_eq!(p.if_match.as_deref(), Some("e9"));
}

#[test]
fn stop_with_nothing_published_finishes_at_once() {
    let (mut m, now) = machine();
    assert_eq!(m.handle_input(Input::Stop, now), vec![Output::Finished]);
}
