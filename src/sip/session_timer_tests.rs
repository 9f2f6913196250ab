//! Unit tests of the session timer negotiation and timer.

use super::*;

fn se(delta: u32, refresher: Option<Refresher>) -> Option<SessionExpires> {
    Some(SessionExpires { delta, refresher })
}

#[test]
fn session_expires_parses_and_writes_back() {
    let v = SessionExpires::parse(" 1800 ; Refresher=UAS").unwrap();
    assert_eq!(v, se(1800, Some(Refresher::Uas)).unwrap());
    assert_eq!(v.to_header_value(), "1800;refresher=uas");
    assert_eq!(SessionExpires::parse("90").unwrap().refresher, None);
    assert_eq!(SessionExpires::parse("soon"), None);
}

#[test]
fn refresher_side_follows_the_transaction_role() {
    let uac = se(600, Some(Refresher::Uac)).unwrap();
    assert!(uac.we_refresh(true));
    assert!(!uac.we_refresh(false));
    let uas = se(600, Some(Refresher::Uas)).unwrap();
    assert!(uas.we_refresh(false));
}

#[test]
fn invite_headers_ask_for_the_interval_and_raise_it_after_a_422() {
    let cfg = SessionTimerConfig::default();
    let h = cfg.request_headers(None);
    assert!(h.contains(&("Session-Expires".into(), "1800".into())));
    assert!(h.contains(&("Min-SE".into(), "90".into())));
    assert!(h.contains(&("Supported".into(), "timer".into())));
    let short = SessionTimerConfig {
        session_expires: 120,
        min_se: 90,
    };
    let h = short.request_headers(Some(300));
    assert!(h.contains(&("Session-Expires".into(), "300".into())));
    assert!(h.contains(&("Min-SE".into(), "300".into())));
}

#[test]
fn uas_rejects_an_interval_below_its_min_se_with_422() {
    let cfg = SessionTimerConfig {
        session_expires: 1800,
        min_se: 600,
    };
    assert_eq!(
        negotiate_uas(&cfg, se(300, None), None, true),
        UasDecision::Reject { min_se: 600 }
    );
}

#[test]
fn uas_keeps_the_requested_refresher_and_may_shorten_not_below_min_se() {
    let cfg = SessionTimerConfig {
        session_expires: 600,
        min_se: 90,
    };
    let d = negotiate_uas(&cfg, se(3600, Some(Refresher::Uas)), Some(1200), true);
    assert_eq!(
        d,
        UasDecision::Accept {
            session_expires: se(1200, Some(Refresher::Uas)).unwrap(),
            require_timer: true,
            we_refresh: true,
        }
    );
}

#[test]
fn uas_makes_the_uac_refresh_when_it_supports_timers_and_did_not_say() {
    let d = negotiate_uas(&SessionTimerConfig::default(), se(1800, None), None, true);
    let UasDecision::Accept {
        session_expires,
        we_refresh,
        ..
    } = d
    else {
        panic!("{d:?}")
    };
    assert_eq!(session_expires.refresher, Some(Refresher::Uac));
    assert!(!we_refresh);
}

#[test]
fn uas_refreshes_itself_for_a_uac_without_timer_support() {
    let d = negotiate_uas(&SessionTimerConfig::default(), None, None, false);
    assert_eq!(
        d,
        UasDecision::Accept {
            session_expires: se(1800, Some(Refresher::Uas)).unwrap(),
            require_timer: false,
            we_refresh: true,
        }
    );
}

#[test]
fn uac_learns_interval_and_refresher_from_the_2xx() {
    let cfg = SessionTimerConfig::default();
    assert_eq!(
        negotiate_uac(&cfg, se(900, Some(Refresher::Uas))),
        (900, false)
    );
    assert_eq!(
        negotiate_uac(&cfg, se(900, Some(Refresher::Uac))),
        (900, true)
    );
    assert_eq!(negotiate_uac(&cfg, None), (1800, true));
}

#[test]
fn the_refresher_refreshes_at_half_the_interval_and_byes_at_expiry() {
    let now = Instant::now();
    let mut t = SessionTimer::new(600, true, now);
    assert_eq!(t.poll_timeout(), now + Duration::from_secs(300));
    assert_eq!(t.handle_timeout(now + Duration::from_secs(299)), None);
    assert_eq!(
        t.handle_timeout(now + Duration::from_secs(300)),
        Some(TimerAction::Refresh)
    );
    // The refresh got no answer: the session expires.
    assert_eq!(t.poll_timeout(), now + Duration::from_secs(600));
    assert_eq!(
        t.handle_timeout(now + Duration::from_secs(600)),
        Some(TimerAction::Expired)
    );
}

#[test]
fn a_successful_refresh_restarts_the_timer() {
    let now = Instant::now();
    let mut t = SessionTimer::new(600, true, now);
    let later = now + Duration::from_secs(300);
    t.handle_timeout(later);
    t.refreshed(600, true, later);
    assert_eq!(t.poll_timeout(), later + Duration::from_secs(300));
}

#[test]
fn the_other_side_byes_when_no_refresh_comes_before_expiry() {
    let now = Instant::now();
    let mut t = SessionTimer::new(90, false, now);
    // min(32, 90/3 = 30) s before expiry.
    assert_eq!(t.poll_timeout(), now + Duration::from_secs(60));
    assert_eq!(
        t.handle_timeout(now + Duration::from_secs(60)),
        Some(TimerAction::Expired)
    );
    let mut long = SessionTimer::new(1800, false, now);
    assert_eq!(long.poll_timeout(), now + Duration::from_secs(1768));
    long.refreshed(1800, false, now + Duration::from_secs(900));
    assert_eq!(long.poll_timeout(), now + Duration::from_secs(2668));
}
