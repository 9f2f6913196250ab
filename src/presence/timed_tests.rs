//! Tests of timed status.

use super::super::rpid::ActivityKind;
use super::super::xml;
use super::*;

#[test]
fn timed_status_in_a_person_with_activities_and_unknowns() {
    let element = xml::parse(
        br#"<ts:timed-status xmlns:ts="urn:ietf:params:xml:ns:pidf:timed-status" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:x="urn:x" xmlns:p="urn:ietf:params:xml:ns:pidf" from="2005-08-15T10:20:00Z">
<rpid:activities><rpid:vacation/></rpid:activities><p:note>Back Monday</p:note><x:y/></ts:timed-status>"#,
    )
    .unwrap();
    assert!(TimedStatus::is(&element));
    let timed = TimedStatus::parse(&element);
    assert_eq!(timed.from, "2005-08-15T10:20:00Z");
    assert_eq!(timed.until, None);
    assert_eq!(timed.basic, None);
    assert_eq!(timed.rpid.activity_list()[0].kind, ActivityKind::Vacation);
    assert_eq!(timed.notes, vec![Note::new("Back Monday")]);
    assert_eq!(timed.extensions.len(), 1);
    assert_eq!(TimedStatus::parse(&timed.to_element()), timed);
}

#[test]
fn missing_from_is_tolerated() {
    let element = Element::new(NS, "timed-status")
        .with_child(Element::new(PIDF_NS, "basic").with_text("closed"));
    let timed = TimedStatus::parse(&element);
    assert_eq!(timed.from, "");
    assert_eq!(timed.basic, Some(Basic::Closed));
}
