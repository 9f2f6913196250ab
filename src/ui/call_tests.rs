use super::*;
use crate::engine::{CallDirection, CallPhase, CallQualityView, CallView};
use crate::i18n::{I18n, Language};

fn view(id: &str, direction: CallDirection, phase: CallPhase) -> CallView {
    CallView {
        phase,
        ..CallView::new(
            id,
            "sip:alice@hark.test",
            "sip:bob@hark.test",
            direction,
            1_000,
        )
    }
}

fn ended(mut v: CallView, reason: &str) -> CallView {
    v.phase = CallPhase::Ended;
    v.end_reason = Some(reason.into());
    v
}

fn quality(loss: f32, jitter_ms: f32, rtt: Option<f32>) -> CallQualityView {
    CallQualityView {
        call: "c1".into(),
        codec: "opus".into(),
        loss,
        jitter_ms,
        remote_loss: None,
        round_trip_ms: rtt,
        packets_sent: 100,
        packets_received: 100,
        concealed: 0,
    }
}

#[test]
fn a_ringing_call_that_is_answered_stops_ringing_once() {
    let mut calls = Calls::new();
    let ringing = view("c1", CallDirection::Incoming, CallPhase::Incoming);
    let change = calls.apply(ringing.clone());
    assert!(change.first && change.ringing && !change.was_ringing && !change.ended);
    assert!(!calls.apply(ringing.clone()).first);

    let mut answered = ringing.clone();
    answered.phase = CallPhase::Active;
    answered.answered_ms = Some(2_000);
    let change = calls.apply(answered.clone());
    assert!(change.was_ringing && !change.ringing && !change.ended);
    assert!(calls.has_timer());

    let change = calls.apply(ended(answered.clone(), "remote-hangup"));
    assert!(change.ended && !change.missed);
    // The engine may repeat the last word: it ends only once.
    assert!(!calls.apply(ended(answered, "remote-hangup")).ended);
    assert!(calls.missed().is_empty());
    calls.forget("c1");
    assert!(calls.get("c1").is_none());
}

#[test]
fn unanswered_incoming_calls_count_as_missed_unless_declined_or_forwarded() {
    let mut calls = Calls::new();
    for (id, reason, missed) in [
        ("c1", "cancelled", true),
        ("c2", "declined", false),
        ("c3", "forwarded", false),
        ("c4", "no-answer", true),
    ] {
        let v = view(id, CallDirection::Incoming, CallPhase::Incoming);
        calls.apply(v.clone());
        assert_eq!(calls.apply(ended(v, reason)).missed, missed, "{reason}");
    }
    // An outgoing call nobody took is not a missed call.
    let out = view("c5", CallDirection::Outgoing, CallPhase::Calling);
    calls.apply(out.clone());
    assert!(!calls.apply(ended(out, "no-answer")).missed);
    // Nor an answered one.
    let mut answered = view("c6", CallDirection::Incoming, CallPhase::Active);
    answered.answered_ms = Some(5);
    assert!(!calls.apply(ended(answered, "remote-hangup")).missed);

    assert_eq!(calls.missed().len(), 2);
    calls.clear_missed();
    assert!(calls.missed().is_empty());
}

#[test]
fn a_live_call_is_found_by_its_peer() {
    let mut calls = Calls::new();
    calls.apply(view("c1", CallDirection::Outgoing, CallPhase::Ringing));
    let alice = "sip:alice@hark.test";
    assert!(calls.live_with(alice, "sip:bob@hark.test").is_some());
    assert!(calls.live_with(alice, "bob@HARK.test").is_some());
    assert!(calls.live_with(alice, "sip:carol@hark.test").is_none());
    calls.apply(ended(
        view("c1", CallDirection::Outgoing, CallPhase::Ringing),
        "busy",
    ));
    assert!(calls.live_with(alice, "sip:bob@hark.test").is_none());
}

#[test]
fn keys_and_figures_stay_with_their_call() {
    let mut calls = Calls::new();
    calls.apply(view("c1", CallDirection::Outgoing, CallPhase::Active));
    calls.keys_sent("c1", "12");
    calls.key_received("c1", '#');
    calls.key_received("nope", '1');
    calls.apply_quality(quality(0.0, 3.0, Some(40.0)));
    let call = calls.get("c1").unwrap();
    assert_eq!(call.keys_sent, "12");
    assert_eq!(call.keys_received, "#");
    assert_eq!(call.codec(), Some("opus"));
    assert_eq!(call.grade(), Some(Grade::Good));
    calls.keys_sent("c1", &"1".repeat(40));
    assert_eq!(calls.get("c1").unwrap().keys_sent.len(), 32);
}

#[test]
fn quality_is_the_worst_of_loss_jitter_and_round_trip() {
    assert_eq!(Grade::of(&quality(0.0, 5.0, None)), Grade::Good);
    assert_eq!(Grade::of(&quality(0.02, 5.0, None)), Grade::Fair);
    assert_eq!(Grade::of(&quality(0.0, 35.0, Some(50.0))), Grade::Fair);
    assert_eq!(Grade::of(&quality(0.0, 5.0, Some(650.0))), Grade::Poor);
    assert_eq!(Grade::of(&quality(0.08, 5.0, None)), Grade::Poor);
    let mut remote = quality(0.0, 5.0, None);
    remote.remote_loss = Some(0.06);
    assert_eq!(Grade::of(&remote), Grade::Poor);
}

#[test]
fn durations_read_as_a_clock() {
    assert_eq!(format_duration(0), "0:00");
    assert_eq!(format_duration(7_900), "0:07");
    assert_eq!(format_duration(754_000), "12:34");
    assert_eq!(format_duration(3_723_000), "1:02:03");
    assert_eq!(format_duration(-5), "0:00");
}

#[test]
fn every_phase_and_end_reason_has_words_in_every_language() {
    let tokens = [
        "hangup",
        "remote-hangup",
        "busy",
        "declined",
        "not-found",
        "no-answer",
        "cancelled",
        "refused",
        "failed",
        "no-ack",
        "session-expired",
        "media-failed",
        "forwarded",
        "transferred",
        "something-new",
    ];
    for lang in Language::ALL {
        let i18n = I18n::for_language(lang);
        for token in tokens {
            let id = end_reason_id(Some(token));
            assert!(i18n.has(id), "{} lacks {id}", lang.tag());
            for direction in ["incoming", "outgoing"] {
                let words = i18n.tr_args(
                    id,
                    &[("name", "Bob".into()), ("direction", direction.into())],
                );
                assert!(!words.contains('{') && !words.is_empty(), "{words}");
            }
        }
        for phase in [
            CallPhase::Calling,
            CallPhase::Ringing,
            CallPhase::EarlyMedia,
            CallPhase::Incoming,
            CallPhase::Connecting,
            CallPhase::Active,
        ] {
            let id = phase_id(&view("c", CallDirection::Outgoing, phase));
            assert!(i18n.has(id), "{} lacks {id}", lang.tag());
        }
        for grade in [Grade::Good, Grade::Fair, Grade::Poor] {
            assert!(i18n.has(grade.id()));
        }
    }
    let mut held = view("c", CallDirection::Outgoing, CallPhase::Active);
    held.on_hold = true;
    assert_eq!(phase_id(&held), "call-phase-on-hold");
}

#[test]
fn what_the_user_types_becomes_a_transfer_target() {
    let alice = "sip:alice@hark.test";
    let t = |input| transfer_target(input, alice);
    assert_eq!(t("carol").as_deref(), Some("sip:carol@hark.test"));
    assert_eq!(
        t(" carol@other.org ").as_deref(),
        Some("sip:carol@other.org")
    );
    assert_eq!(
        t("sip:desk@hark.test").as_deref(),
        Some("sip:desk@hark.test")
    );
    assert_eq!(
        t("+49 (30) 123-45").as_deref(),
        Some("sip:+493012345@hark.test")
    );
    assert_eq!(
        t("tel:+1-555-0100").as_deref(),
        Some("sip:+15550100@hark.test")
    );
    assert_eq!(t(""), None);
    assert_eq!(t("carol chen"), None);
    assert_eq!(transfer_target("carol", "no-domain"), None);
}
