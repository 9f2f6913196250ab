//! Unit tests of the subscription state machine.

use super::*;
use std::time::Duration;

fn machine() -> (SubscriptionMachine, Instant) {
    (
        SubscriptionMachine::new(SubscriptionPolicy::default()),
        Instant::now(),
    )
}

fn ok(expires: u32) -> Input {
    Input::Response {
        code: 202,
        expires: Some(expires),
        hint_secs: None,
    }
}

fn fail(code: u16) -> Input {
    Input::Response {
        code,
        expires: None,
        hint_secs: None,
    }
}

const FRESH: Output = Output::Subscribe {
    expires: 3600,
    fresh: true,
};
const REFRESH: Output = Output::Subscribe {
    expires: 3600,
    fresh: false,
};

#[test]
fn start_subscribes_in_a_new_dialog() {
    let (mut m, now) = machine();
    let out = m.handle_input(Input::Start, now);
    assert_eq!(out[0], FRESH);
    assert!(out.contains(&Output::State(SubscriptionState::Subscribing)));
    assert_eq!(
        m.poll_timeout(),
        None,
        "nothing to wait for while in flight"
    );
}

#[test]
fn notify_states_are_shown_and_refresh_comes_at_85_percent() {
    let (mut m, now) = machine();
    m.handle_input(Input::Start, now);
    assert!(m.handle_input(ok(600), now).is_empty());
    let out = m.handle_input(
        Input::Notify(NotifyState::parse("pending;expires=600")),
        now,
    );
    assert_eq!(out, vec![Output::State(SubscriptionState::Pending)]);
    let out = m.handle_input(Input::Notify(NotifyState::parse("active;expires=599")), now);
    assert_eq!(out, vec![Output::State(SubscriptionState::Active)]);
    let at = m.poll_timeout().unwrap();
    let secs = at.duration_since(now).as_secs_f64();
    assert!((509.0..=511.0).contains(&secs), "refresh after {secs}s");
    assert!(m.handle_timeout(at - Duration::from_secs(1)).is_empty());
    assert_eq!(m.handle_timeout(at), vec![REFRESH]);
}

#[test]
fn a_notify_before_the_response_is_taken() {
    let (mut m, now) = machine();
    m.handle_input(Input::Start, now);
    let out = m.handle_input(Input::Notify(NotifyState::parse("active;expires=300")), now);
    assert_eq!(out, vec![Output::State(SubscriptionState::Active)]);
    m.handle_input(ok(300), now);
    assert!(m.poll_timeout().is_some());
}

#[test]
fn a_481_to_a_refresh_starts_a_new_dialog() {
    let (mut m, now) = machine();
    m.handle_input(Input::Start, now);
    m.handle_input(ok(100), now);
    let at = m.poll_timeout().unwrap();
    assert_eq!(m.handle_timeout(at), vec![REFRESH]);
    let out = m.handle_input(fail(481), at);
    assert_eq!(out[0], FRESH);
}

#[test]
fn rejected_and_noresource_are_final() {
    for reason in ["rejected", "noresource", "invariant"] {
        let (mut m, now) = machine();
        m.handle_input(Input::Start, now);
        m.handle_input(ok(100), now);
        let out = m.handle_input(
            Input::Notify(NotifyState::parse(&format!("terminated;reason={reason}"))),
            now,
        );
        assert_eq!(
            out,
            vec![Output::State(SubscriptionState::Refused {
                reason: reason.into()
            })]
        );
        assert_eq!(m.poll_timeout(), None, "{reason}: no retry");
        // The user can start it again.
        assert_eq!(m.handle_input(Input::Start, now)[0], FRESH);
    }
}

#[test]
fn deactivated_resubscribes_at_once_but_not_in_a_loop() {
    let (mut m, now) = machine();
    m.handle_input(Input::Start, now);
    m.handle_input(ok(100), now);
    m.handle_input(Input::Notify(NotifyState::parse("active")), now);
    let term = || Input::Notify(NotifyState::parse("terminated;reason=deactivated"));
    assert_eq!(m.handle_input(term(), now)[0], FRESH);
    m.handle_input(ok(100), now);
    // Terminated again without ever becoming active: back off.
    let out = m.handle_input(term(), now);
    assert!(matches!(
        out[0],
        Output::State(SubscriptionState::Retrying { .. })
    ));
    assert!(m.poll_timeout().unwrap() > now);
}

#[test]
fn probation_waits_for_retry_after() {
    let (mut m, now) = machine();
    m.handle_input(Input::Start, now);
    m.handle_input(ok(100), now);
    let out = m.handle_input(
        Input::Notify(NotifyState::parse(
            "terminated;reason=probation;retry-after=42",
        )),
        now,
    );
    assert_eq!(
        out,
        vec![Output::State(SubscriptionState::Retrying {
            reason: "probation".into(),
            retry_in_ms: 42_000
        })]
    );
    let at = m.poll_timeout().unwrap();
    assert_eq!(at.duration_since(now), Duration::from_secs(42));
    assert_eq!(m.handle_timeout(at)[0], FRESH);
}

#[test]
fn server_errors_and_silence_back_off_doubling() {
    let (mut m, now) = machine();
    m.handle_input(Input::Start, now);
    let mut t = now;
    let mut delays = vec![];
    for code in [0, 503, 500, 408] {
        m.handle_input(fail(code), t);
        let at = m.poll_timeout().unwrap();
        delays.push(at.duration_since(t).as_secs());
        t = at;
        assert_eq!(m.handle_timeout(t)[0], FRESH);
    }
    assert_eq!(delays, vec![2, 4, 8, 16]);
}

#[test]
fn not_found_and_bad_event_are_refused() {
    for code in [404, 489, 403] {
        let (mut m, now) = machine();
        m.handle_input(Input::Start, now);
        let out = m.handle_input(fail(code), now);
        assert!(
            matches!(&out[0], Output::State(SubscriptionState::Refused { reason }) if reason.starts_with(&code.to_string())),
            "{code}: {out:?}"
        );
    }
}

#[test]
fn a_423_asks_again_with_the_minimum() {
    let (mut m, now) = machine();
    let mut m2 = SubscriptionMachine::new(SubscriptionPolicy {
        requested_expires: 10,
        ..Default::default()
    });
    m2.handle_input(Input::Start, now);
    let out = m2.handle_input(
        Input::Response {
            code: 423,
            expires: None,
            hint_secs: Some(60),
        },
        now,
    );
    assert_eq!(
        out,
        vec![Output::Subscribe {
            expires: 60,
            fresh: true
        }]
    );
    m.handle_input(Input::Start, now);
}

#[test]
fn reset_refreshes_the_dialog_it_has_and_starts_afresh_only_on_481() {
    let (mut m, now) = machine();
    m.handle_input(Input::Start, now);
    m.handle_input(ok(100), now);
    // The server may have kept the dialog: refresh it, never a second one.
    assert_eq!(m.handle_input(Input::Reset, now)[0], REFRESH);
    // In flight: the reset waits for the answer.
    assert!(m.handle_input(Input::Reset, now).is_empty());
    assert_eq!(m.handle_input(ok(100), now)[0], REFRESH);
    // The server forgot it: a new dialog.
    assert_eq!(m.handle_input(fail(481), now)[0], FRESH);
    // Before any dialog, a reset subscribes afresh.
    let (mut m, now) = machine();
    m.handle_input(Input::Start, now);
    m.handle_input(fail(503), now);
    assert_eq!(m.handle_input(Input::Reset, now)[0], FRESH);
}

#[test]
fn a_failed_refresh_retries_in_the_same_dialog() {
    let (mut m, now) = machine();
    m.handle_input(Input::Start, now);
    m.handle_input(ok(100), now);
    let at = m.poll_timeout().unwrap();
    assert_eq!(m.handle_timeout(at), vec![REFRESH]);
    m.handle_input(fail(0), at);
    let retry = m.poll_timeout().unwrap();
    assert_eq!(m.handle_timeout(retry)[0], REFRESH);
}

#[test]
fn stop_unsubscribes_an_existing_dialog_then_finishes() {
    let (mut m, now) = machine();
    m.handle_input(Input::Start, now);
    m.handle_input(ok(100), now);
    let out = m.handle_input(Input::Stop, now);
    assert_eq!(
        out[0],
        Output::Subscribe {
            expires: 0,
            fresh: false
        }
    );
    assert_eq!(m.handle_input(ok(0), now), vec![Output::Finished]);
    assert!(m.is_finished());
}

#[test]
fn stop_while_subscribing_waits_for_the_answer_then_unsubscribes() {
    let (mut m, now) = machine();
    m.handle_input(Input::Start, now);
    assert!(m.handle_input(Input::Stop, now).is_empty());
    let out = m.handle_input(ok(100), now);
    assert_eq!(
        out[0],
        Output::Subscribe {
            expires: 0,
            fresh: false
        }
    );
    assert_eq!(m.handle_input(fail(0), now), vec![Output::Finished]);
}

#[test]
fn stop_without_a_dialog_finishes_at_once() {
    let (mut m, now) = machine();
    m.handle_input(Input::Start, now);
    m.handle_input(fail(404), now);
    let out = m.handle_input(Input::Stop, now);
    assert!(out.contains(&Output::Finished));
}

#[test]
fn subscription_state_header_parsing() {
    assert_eq!(
        NotifyState::parse("Active ; expires=3599"),
        NotifyState::Active {
            expires: Some(3599)
        }
    );
    assert_eq!(
        NotifyState::parse("terminated;reason=timeout"),
        NotifyState::Terminated {
            reason: Some("timeout".into()),
            retry_after: None
        }
    );
    assert_eq!(
        NotifyState::parse("waiting-for-godot"),
        NotifyState::Pending { expires: None }
    );
    assert_eq!(
        NotifyState::parse(""),
        NotifyState::Pending { expires: None }
    );
}

#[test]
fn restart_always_makes_a_new_dialog() {
    let (mut m, now) = machine();
    m.handle_input(Input::Start, now);
    m.handle_input(ok(100), now);
    assert_eq!(m.handle_input(Input::Restart, now)[0], FRESH);
    // In flight: after the answer, a new dialog all the same.
    assert!(m.handle_input(Input::Restart, now).is_empty());
    assert_eq!(m.handle_input(ok(100), now)[0], FRESH);
}
