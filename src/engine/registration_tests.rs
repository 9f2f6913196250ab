//! Unit tests of the registration state machine, driven faster than real time.

use super::*;

fn policy() -> RegistrationPolicy {
    RegistrationPolicy {
        requested_expires: 600,
        keepalive: Some(Duration::from_secs(30)),
        ..Default::default()
    }
}

fn ok(expires: u32) -> Input {
    Input::Registered(Outcome::Registered { expires })
}

fn rejected(code: u16, reason: &str, auth_sent: bool) -> Input {
    Input::Registered(Outcome::Rejected {
        code,
        reason: reason.into(),
        auth_sent,
        hint_secs: None,
    })
}

fn unreachable(kind: FailureKind) -> Input {
    Input::Registered(Outcome::Unreachable {
        kind,
        detail: "x".into(),
    })
}

fn states(out: &[Output]) -> Vec<RegistrationState> {
    out.iter()
        .filter_map(|o| match o {
            Output::State(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn start_sends_register_and_success_is_shown() {
    let t0 = Instant::now();
    let mut m = RegistrationMachine::new(policy());
    let out = m.handle_input(Input::Start, t0);
    assert_eq!(
        out,
        vec![
            Output::State(RegistrationState::Registering),
            Output::SendRegister { expires: 600 }
        ]
    );
    let out = m.handle_input(ok(300), t0);
    assert_eq!(
        states(&out),
        vec![RegistrationState::Registered { expires: 300 }]
    );
}

#[test]
fn refreshes_before_expiry_without_flicker() {
    let t0 = Instant::now();
    let mut m = RegistrationMachine::new(RegistrationPolicy {
        keepalive: None,
        ..policy()
    });
    m.handle_input(Input::Start, t0);
    m.handle_input(ok(100), t0);
    let wake = m.poll_timeout().unwrap();
    assert_eq!(wake - t0, Duration::from_secs(85));
    assert!(m.handle_timeout(t0 + Duration::from_secs(10)).is_empty());
    let out = m.handle_timeout(wake);
    assert_eq!(out, vec![Output::SendRegister { expires: 600 }]);
    // The refresh succeeding again shows nothing new.
    assert!(states(&m.handle_input(ok(100), wake)).is_empty());
}

#[test]
fn refresh_delay_keeps_a_margin() {
    assert_eq!(refresh_delay(3600), Duration::from_secs(3060));
    assert_eq!(refresh_delay(20), Duration::from_secs(15));
    assert_eq!(refresh_delay(6), Duration::from_secs(1));
    assert!(refresh_delay(1) < Duration::from_secs(1));
}

#[test]
fn wrong_password_and_unknown_user_need_the_user() {
    for (code, reason, kind) in [
        (401, "Unauthorized", FailureKind::WrongPassword),
        (
            407,
            "Proxy Authentication Required",
            FailureKind::WrongPassword,
        ),
        (403, "Wrong password", FailureKind::WrongPassword),
        (403, "Forbidden", FailureKind::Forbidden),
        (404, "User Not Found", FailureKind::UnknownUser),
    ] {
        let t0 = Instant::now();
        let mut m = RegistrationMachine::new(policy());
        m.handle_input(Input::Start, t0);
        let out = m.handle_input(rejected(code, reason, true), t0);
        assert_eq!(
            states(&out),
            vec![RegistrationState::Failed {
                reason: FailureReason {
                    kind,
                    detail: format!("{code} {reason}")
                }
            }],
            "{code}"
        );
        assert_eq!(m.poll_timeout(), None, "no retry loop for {code}");
    }
}

#[test]
fn challenge_without_password_says_so() {
    assert_eq!(
        classify(401, "Unauthorized", false),
        FailureKind::NoPassword
    );
}

#[test]
fn unreachable_server_backs_off_exponentially_with_cap() {
    let mut t = Instant::now();
    let mut m = RegistrationMachine::new(RegistrationPolicy {
        min_backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(30),
        ..policy()
    });
    m.handle_input(Input::Start, t);
    let mut delays = Vec::new();
    for _ in 0..8 {
        let out = m.handle_input(unreachable(FailureKind::ConnectionRefused), t);
        match &states(&out)[..] {
            [RegistrationState::Retrying {
                reason,
                retry_in_ms,
            }] => {
                assert_eq!(reason.kind, FailureKind::ConnectionRefused);
                delays.push(*retry_in_ms);
            }
            other => panic!("{other:?}"),
        }
        t = m.poll_timeout().unwrap();
        let out = m.handle_timeout(t);
        assert!(out.contains(&Output::SendRegister { expires: 600 }));
    }
    for w in delays.windows(2) {
        assert!(w[1] >= w[0] || w[1] >= 24_000, "{delays:?}");
    }
    assert!(delays[0] >= 800 && delays[0] <= 1000, "{delays:?}");
    assert!(delays.iter().all(|&d| d <= 30_000), "{delays:?}");
    assert!(delays[7] >= 24_000, "{delays:?}");
}

#[test]
fn success_after_failures_resets_backoff() {
    let t0 = Instant::now();
    let mut m = RegistrationMachine::new(policy());
    m.handle_input(Input::Start, t0);
    for _ in 0..4 {
        m.handle_input(unreachable(FailureKind::Timeout), t0);
        let t = m.poll_timeout().unwrap();
        m.handle_timeout(t);
    }
    m.handle_input(ok(600), t0);
    m.handle_input(Input::FlowLost, t0);
    // After a loss the first retry is immediate.
    let out = m.handle_timeout(t0);
    assert!(
        out.contains(&Output::SendRegister { expires: 600 }),
        "{out:?}"
    );
    let out = m.handle_input(unreachable(FailureKind::ConnectionRefused), t0);
    match &states(&out)[..] {
        [RegistrationState::Retrying { retry_in_ms, .. }] => assert!(*retry_in_ms <= 1000),
        other => panic!("{other:?}"),
    }
}

#[test]
fn keepalive_failure_means_server_lost_and_reregisters() {
    let t0 = Instant::now();
    let mut m = RegistrationMachine::new(policy());
    m.handle_input(Input::Start, t0);
    m.handle_input(ok(600), t0);
    let k = m.poll_timeout().unwrap();
    assert_eq!(k - t0, Duration::from_secs(30));
    assert_eq!(m.handle_timeout(k), vec![Output::SendKeepalive]);
    // An answered keep-alive schedules the next one.
    assert!(m.handle_input(Input::KeepaliveAnswered(true), k).is_empty());
    let k2 = m.poll_timeout().unwrap();
    assert_eq!(k2 - k, Duration::from_secs(30));
    m.handle_timeout(k2);
    let out = m.handle_input(Input::KeepaliveAnswered(false), k2);
    assert_eq!(
        states(&out),
        vec![RegistrationState::Retrying {
            reason: FailureReason {
                kind: FailureKind::ServerLost,
                detail: "the server stopped answering".into()
            },
            retry_in_ms: 0
        }]
    );
    let out = m.handle_timeout(k2);
    assert_eq!(
        out,
        vec![
            Output::State(RegistrationState::Registering),
            Output::SendRegister { expires: 600 }
        ]
    );
}

#[test]
fn failed_refresh_is_reported_as_server_lost() {
    let t0 = Instant::now();
    let mut m = RegistrationMachine::new(RegistrationPolicy {
        keepalive: None,
        ..policy()
    });
    m.handle_input(Input::Start, t0);
    m.handle_input(ok(60), t0);
    let r = m.poll_timeout().unwrap();
    m.handle_timeout(r);
    let out = m.handle_input(unreachable(FailureKind::Timeout), r);
    match &states(&out)[..] {
        [RegistrationState::Retrying { reason, .. }] => {
            assert_eq!(reason.kind, FailureKind::ServerLost)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn stop_unregisters_when_registered() {
    let t0 = Instant::now();
    let mut m = RegistrationMachine::new(policy());
    m.handle_input(Input::Start, t0);
    m.handle_input(ok(600), t0);
    assert_eq!(
        m.handle_input(Input::Stop, t0),
        vec![Output::SendRegister { expires: 0 }]
    );
    let out = m.handle_input(ok(0), t0);
    assert_eq!(
        out,
        vec![
            Output::State(RegistrationState::Unregistered),
            Output::Finished
        ]
    );
    assert!(m.is_finished());
}

#[test]
fn stop_while_registering_waits_then_removes_the_new_binding() {
    let t0 = Instant::now();
    let mut m = RegistrationMachine::new(policy());
    m.handle_input(Input::Start, t0);
    assert!(m.handle_input(Input::Stop, t0).is_empty());
    assert_eq!(
        m.handle_input(ok(600), t0),
        vec![Output::SendRegister { expires: 0 }]
    );
    assert!(m
        .handle_input(unreachable(FailureKind::Timeout), t0)
        .contains(&Output::Finished));
}

#[test]
fn stop_when_never_registered_finishes_at_once() {
    let t0 = Instant::now();
    let mut m = RegistrationMachine::new(policy());
    m.handle_input(Input::Start, t0);
    m.handle_input(rejected(404, "Not Found", true), t0);
    assert_eq!(
        m.handle_input(Input::Stop, t0),
        vec![
            Output::State(RegistrationState::Unregistered),
            Output::Finished
        ]
    );
}

#[test]
fn interval_too_brief_retries_with_min_expires() {
    let t0 = Instant::now();
    let mut m = RegistrationMachine::new(RegistrationPolicy {
        requested_expires: 30,
        ..policy()
    });
    m.handle_input(Input::Start, t0);
    let out = m.handle_input(
        Input::Registered(Outcome::Rejected {
            code: 423,
            reason: "Interval Too Brief".into(),
            auth_sent: true,
            hint_secs: Some(120),
        }),
        t0,
    );
    assert!(
        out.contains(&Output::SendRegister { expires: 120 }),
        "{out:?}"
    );
}

#[test]
fn service_unavailable_honours_retry_after() {
    let t0 = Instant::now();
    let mut m = RegistrationMachine::new(policy());
    m.handle_input(Input::Start, t0);
    let out = m.handle_input(
        Input::Registered(Outcome::Rejected {
            code: 503,
            reason: "Service Unavailable".into(),
            auth_sent: false,
            hint_secs: Some(7),
        }),
        t0,
    );
    match &states(&out)[..] {
        [RegistrationState::Retrying {
            reason,
            retry_in_ms,
        }] => {
            assert_eq!(reason.kind, FailureKind::ServerError);
            assert_eq!(*retry_in_ms, 7000);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn user_retry_after_failure_starts_again() {
    let t0 = Instant::now();
    let mut m = RegistrationMachine::new(policy());
    m.handle_input(Input::Start, t0);
    m.handle_input(rejected(401, "Unauthorized", true), t0);
    let out = m.handle_input(Input::Start, t0);
    assert!(out.contains(&Output::SendRegister { expires: 600 }));
}
