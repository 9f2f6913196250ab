//! Tests of isComposing: the RFC 3994 examples, liblinphone's documents,
//! hostile input, and the sender and receiver timers.

use super::*;

// RFC 3994 section 7, the active example.
const RFC_ACTIVE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:ietf:params:xml:ns:im-composing iscomposing.xsd">
  <state>active</state>
  <contenttype>text/plain</contenttype>
  <refresh>90</refresh>
</isComposing>"#;

// RFC 3994 section 7, the idle example.
const RFC_IDLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:ietf:params:xml:ns:im-composing iscomposing.xsd">
  <state>idle</state>
  <lastactive>2003-01-27T10:43:00Z</lastactive>
  <contenttype>audio</contenttype>
</isComposing>"#;

// liblinphone (IsComposing::createXml): default namespace, no pretty
// printing, refresh from `composing_refresh_timeout` (60) on active only.
const LINPHONE_ACTIVE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\" ?><isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>active</state><refresh>60</refresh></isComposing>";
const LINPHONE_IDLE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\" ?><isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>idle</state></isComposing>";

fn round_trip(doc: &IsComposing) {
    let written = build(doc);
    let back = parse(written.as_bytes()).unwrap_or_else(|e| panic!("reparse: {e}\n{written}"));
    assert_eq!(&back, doc, "{written}");
}

#[test]
fn rfc_active_example() {
    let doc = parse(RFC_ACTIVE.as_bytes()).unwrap();
    assert_eq!(doc.state, State::Active);
    assert_eq!(doc.contenttype.as_deref(), Some("text/plain"));
    assert_eq!(doc.refresh, Some(90));
    assert_eq!(doc.lastactive, None);
    round_trip(&doc);
}

#[test]
fn rfc_idle_example() {
    let doc = parse(RFC_IDLE.as_bytes()).unwrap();
    assert_eq!(doc.state, State::Idle);
    assert_eq!(doc.lastactive.as_deref(), Some("2003-01-27T10:43:00Z"));
    assert_eq!(doc.contenttype.as_deref(), Some("audio"));
    assert_eq!(doc.refresh, None);
    round_trip(&doc);
}

#[test]
fn linphone_documents() {
    let active = parse(LINPHONE_ACTIVE.as_bytes()).unwrap();
    assert_eq!(
        active,
        IsComposing {
            state: State::Active,
            lastactive: None,
            contenttype: None,
            refresh: Some(60),
        }
    );
    let idle = parse(LINPHONE_IDLE.as_bytes()).unwrap();
    assert_eq!(idle, IsComposing::new(State::Idle));
}

#[test]
fn linphone_with_contenttype() {
    let body = r#"<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><state>active</state><contenttype>text/plain</contenttype><refresh>60</refresh></isComposing>"#;
    let doc = parse(body.as_bytes()).unwrap();
    assert_eq!(doc.state, State::Active);
    assert_eq!(doc.contenttype.as_deref(), Some("text/plain"));
    assert_eq!(doc.refresh, Some(60));
}

#[test]
fn build_has_linphone_shape() {
    let sender = ComposingSender::default();
    let written = build(&sender.document(State::Active));
    assert!(written.contains(
        "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>active</state><contenttype>text/plain</contenttype><refresh>60</refresh></isComposing>"
    ), "{written}");
    let idle = build(&sender.document(State::Idle));
    assert!(idle.contains("<state>idle</state>"), "{idle}");
    assert!(!idle.contains("refresh"), "{idle}");
}

#[test]
fn prefixed_namespace_is_matched_by_uri() {
    let body = r#"<c:isComposing xmlns:c="urn:ietf:params:xml:ns:im-iscomposing"><c:state> active </c:state><c:refresh>120</c:refresh></c:isComposing>"#;
    let doc = parse(body.as_bytes()).unwrap();
    assert_eq!(doc.state, State::Active);
    assert_eq!(doc.refresh, Some(120));
    // The right local names in another namespace are not isComposing.
    let wrong = r#"<isComposing xmlns="urn:example"><state>active</state></isComposing>"#;
    assert!(matches!(
        parse(wrong.as_bytes()),
        Err(ComposingError::Xml(XmlError::WrongRoot { .. }))
    ));
}

#[test]
fn unknown_state_is_idle_and_bad_refresh_ignored() {
    let body = |state: &str, refresh: &str| {
        format!("<isComposing xmlns=\"{NS}\"><state>{state}</state><refresh>{refresh}</refresh></isComposing>")
    };
    let doc = parse(body("typing", "60").as_bytes()).unwrap();
    assert_eq!(doc.state, State::Idle);
    for refresh in ["0", "-5", "abc", "99999999999", ""] {
        let doc = parse(body("active", refresh).as_bytes()).unwrap();
        assert_eq!(doc.refresh, None, "refresh {refresh:?}");
    }
}

#[test]
fn missing_state_and_oversized_refused() {
    let body = format!("<isComposing xmlns=\"{NS}\"><refresh>60</refresh></isComposing>");
    assert_eq!(parse(body.as_bytes()), Err(ComposingError::MissingState));
    let big = format!(
        "<isComposing xmlns=\"{NS}\"><state>active</state><!--{}--></isComposing>",
        "x".repeat(MAX_BODY_BYTES)
    );
    assert!(matches!(
        parse(big.as_bytes()),
        Err(ComposingError::TooLarge(_))
    ));
}

#[test]
fn hostile_xml_refused() {
    let entity = r#"<!DOCTYPE x [<!ENTITY a "aaaa">]><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>&a;</state></isComposing>"#;
    assert!(parse(entity.as_bytes()).is_err());
    assert!(parse(b"\xff\xfe<isComposing/>").is_err());
    assert!(parse(b"").is_err());
}

#[test]
fn truncated_and_garbled_inputs_never_panic() {
    for doc in [RFC_ACTIVE, RFC_IDLE, LINPHONE_ACTIVE] {
        let bytes = doc.as_bytes();
        for end in 0..bytes.len() {
            let _ = parse(&bytes[..end]);
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut garbled = bytes.to_vec();
            let at = (seed as usize) % garbled.len();
            garbled[at] = (seed >> 32) as u8;
            let _ = parse(&garbled);
        }
    }
}

// ---- sender ----

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[test]
fn sender_active_on_first_keystroke_only() {
    let t0 = Instant::now();
    let mut s = ComposingSender::default();
    assert_eq!(s.poll_timeout(), None);
    assert_eq!(s.on_typing(t0), Some(State::Active));
    assert!(s.is_active());
    assert_eq!(s.on_typing(t0 + secs(1)), None);
    assert_eq!(s.on_typing(t0 + secs(2)), None);
    // Idle 15 s after the last keystroke.
    assert_eq!(s.poll_timeout(), Some(t0 + secs(17)));
    assert_eq!(s.handle_timeout(t0 + secs(16)), None);
    assert_eq!(s.handle_timeout(t0 + secs(17)), Some(State::Idle));
    assert!(!s.is_active());
    assert_eq!(s.poll_timeout(), None);
    assert_eq!(s.handle_timeout(t0 + secs(100)), None);
    // Typing again starts over.
    assert_eq!(s.on_typing(t0 + secs(30)), Some(State::Active));
}

#[test]
fn sender_refreshes_while_typing() {
    let t0 = Instant::now();
    let mut s = ComposingSender::default();
    assert_eq!(s.on_typing(t0), Some(State::Active));
    // Keep typing every 10 s for two minutes.
    let mut sent = Vec::new();
    for tick in 1..=12u64 {
        let now = t0 + secs(tick * 10);
        while let Some(at) = s.poll_timeout().filter(|&at| at <= now) {
            if let Some(state) = s.handle_timeout(at) {
                sent.push((at, state));
            }
        }
        assert_eq!(s.on_typing(now), None);
    }
    assert_eq!(
        sent,
        vec![
            (t0 + secs(60), State::Active),
            (t0 + secs(120), State::Active)
        ]
    );
}

#[test]
fn sender_message_sent_implies_idle() {
    let t0 = Instant::now();
    let mut s = ComposingSender::default();
    s.on_typing(t0);
    s.on_message_sent(t0 + secs(3));
    assert!(!s.is_active());
    assert_eq!(s.poll_timeout(), None);
    assert_eq!(s.handle_timeout(t0 + secs(60)), None);
    assert_eq!(s.on_typing(t0 + secs(4)), Some(State::Active));
}

#[test]
fn sender_cleared_sends_idle_once() {
    let t0 = Instant::now();
    let mut s = ComposingSender::default();
    assert_eq!(s.on_cleared(t0), None);
    s.on_typing(t0);
    assert_eq!(s.on_cleared(t0 + secs(1)), Some(State::Idle));
    assert_eq!(s.on_cleared(t0 + secs(2)), None);
}

#[test]
fn sender_custom_timers_and_document() {
    let t0 = Instant::now();
    let mut s = ComposingSender::new(secs(90), Duration::ZERO);
    assert_eq!(s.document(State::Active).refresh, Some(90));
    s.on_typing(t0);
    // A zero idle timeout is raised to one second.
    assert_eq!(s.poll_timeout(), Some(t0 + secs(1)));
}

// ---- receiver ----

fn active(refresh: Option<u32>) -> IsComposing {
    IsComposing {
        refresh,
        ..IsComposing::new(State::Active)
    }
}

#[test]
fn receiver_active_then_idle() {
    let t0 = Instant::now();
    let mut r = ComposingReceiver::new();
    assert!(!r.is_typing());
    let mut doc = active(Some(60));
    doc.contenttype = Some("text/plain".into());
    assert!(r.on_indication(&doc, t0));
    assert!(r.is_typing());
    assert_eq!(r.content_type(), Some("text/plain"));
    assert!(!r.on_indication(&doc, t0 + secs(1)), "refresh: no change");
    assert!(r.on_indication(&IsComposing::new(State::Idle), t0 + secs(2)));
    assert!(!r.is_typing());
    assert_eq!(r.content_type(), None);
    assert_eq!(r.poll_timeout(), None);
}

#[test]
fn receiver_times_out_without_refresh() {
    let t0 = Instant::now();
    let mut r = ComposingReceiver::new();
    r.on_indication(&active(Some(60)), t0);
    assert_eq!(r.poll_timeout(), Some(t0 + secs(60)));
    assert!(!r.handle_timeout(t0 + secs(59)));
    // A refresh pushes the deadline.
    r.on_indication(&active(Some(60)), t0 + secs(50));
    assert!(!r.handle_timeout(t0 + secs(60)));
    assert!(r.handle_timeout(t0 + secs(110)));
    assert!(!r.is_typing());
    assert!(!r.handle_timeout(t0 + secs(200)));
}

#[test]
fn receiver_default_and_capped_refresh() {
    let t0 = Instant::now();
    let mut r = ComposingReceiver::new();
    r.on_indication(&active(None), t0);
    assert_eq!(r.poll_timeout(), Some(t0 + DEFAULT_REMOTE_REFRESH));
    r.on_indication(&active(Some(u32::MAX)), t0);
    assert_eq!(r.poll_timeout(), Some(t0 + MAX_REMOTE_REFRESH));
}

#[test]
fn receiver_message_ends_typing() {
    let t0 = Instant::now();
    let mut r = ComposingReceiver::new();
    assert!(!r.on_message(t0));
    r.on_indication(&active(None), t0);
    assert!(r.on_message(t0 + secs(5)));
    assert!(!r.is_typing());
    assert_eq!(r.poll_timeout(), None);
}
