//! Tests of the RPID elements.

use super::super::xml;
use super::*;

fn element(text: &str) -> Element {
    xml::parse(text.as_bytes()).expect("test XML parses")
}

const R: &str = r#"xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid""#;

#[test]
fn every_rfc_activity_round_trips() {
    let names = [
        "appointment",
        "away",
        "breakfast",
        "busy",
        "dinner",
        "holiday",
        "in-transit",
        "looking-for-work",
        "lunch",
        "meal",
        "meeting",
        "on-the-phone",
        "performance",
        "permanent-absence",
        "playing",
        "presentation",
        "shopping",
        "sleeping",
        "spectator",
        "steering",
        "travel",
        "tv",
        "unknown",
        "vacation",
        "working",
        "worship",
    ];
    for name in names {
        let parsed = Activities::parse(&element(&format!(
            "<rpid:activities {R}><rpid:{name}/></rpid:activities>"
        )));
        let kind = &parsed.activities[0].kind;
        assert!(!matches!(kind, ActivityKind::Extension { .. }), "{name}");
        assert_eq!(kind.rpid_name(), Some(name));
        assert_eq!(Activities::parse(&parsed.to_element()), parsed);
    }
}

#[test]
fn other_and_unknown_activities_are_kept() {
    let parsed = Activities::parse(&element(&format!(
        r#"<rpid:activities {R} xmlns:x="urn:x" id="a1"><rpid:note xml:lang="en">n</rpid:note><rpid:other>dnd</rpid:other><rpid:do-not-disturb/><x:gaming>chess</x:gaming></rpid:activities>"#
    )));
    assert_eq!(parsed.validity.id.as_deref(), Some("a1"));
    assert_eq!(parsed.notes[0].lang.as_deref(), Some("en"));
    assert_eq!(parsed.activities[0], Activity::other("dnd"));
    assert_eq!(
        parsed.activities[1].kind,
        ActivityKind::Extension {
            ns: NS.into(),
            name: "do-not-disturb".into()
        }
    );
    assert_eq!(parsed.activities[2].text, "chess");
    assert_eq!(Activities::parse(&parsed.to_element()), parsed);
}

#[test]
fn user_input_reads_attributes_and_tolerates_junk() {
    let idle = UserInput::parse(&element(&format!(
        r#"<rpid:user-input {R} idle-threshold="600" last-input="2004-10-21T13:20:00Z"> idle </rpid:user-input>"#
    )));
    assert_eq!(idle.state, InputState::Idle);
    assert_eq!(idle.idle_threshold, Some(600));
    assert_eq!(UserInput::parse(&idle.to_element()), idle);
    let junk = UserInput::parse(&element(&format!(
        r#"<rpid:user-input {R} idle-threshold="-5">sleepy</rpid:user-input>"#
    )));
    assert_eq!(junk.state, InputState::Active);
    assert_eq!(junk.idle_threshold, None);
}

#[test]
fn sphere_as_element_or_text() {
    let work = Single::parse(&element(&format!(
        "<rpid:sphere {R}><rpid:work/></rpid:sphere>"
    )));
    assert_eq!(work.value, "work");
    assert_eq!(work.to_element("sphere").children[0].name, "work");
    let text = Single::parse(&element(&format!(
        "<rpid:sphere {R}>bowling league</rpid:sphere>"
    )));
    assert_eq!(text.value, "bowling league");
}

#[test]
fn time_offset_and_place_is() {
    let offset = TimeOffset::parse(&element(&format!(
        r#"<rpid:time-offset {R} description="Eastern">-300</rpid:time-offset>"#
    )));
    assert_eq!(offset.minutes, Some(-300));
    assert_eq!(offset.description.as_deref(), Some("Eastern"));
    assert_eq!(TimeOffset::parse(&offset.to_element()), offset);
    let place = PlaceIs::parse(&element(&format!(
        "<rpid:place-is {R}><rpid:video><rpid:dark/></rpid:video><rpid:text><rpid:ok/></rpid:text></rpid:place-is>"
    )));
    assert_eq!(place.video.as_ref().map(|v| v.name.as_str()), Some("dark"));
    assert_eq!(place.text.as_ref().map(|v| v.name.as_str()), Some("ok"));
    assert!(place.audio.is_none());
    assert_eq!(PlaceIs::parse(&place.to_element()), place);
}

#[test]
fn rpid_take_ignores_other_namespaces_and_merges_activities() {
    let mut rpid = Rpid::default();
    assert!(!rpid.take(&Element::new("urn:x", "activities")));
    assert!(rpid.is_empty());
    let a = element(&format!(
        "<rpid:activities {R}><rpid:away/></rpid:activities>"
    ));
    let b = element(&format!(
        "<rpid:activities {R}><rpid:busy/></rpid:activities>"
    ));
    assert!(rpid.take(&a) && rpid.take(&b));
    assert_eq!(rpid.activity_list().len(), 2);
    let mood = element(&format!("<rpid:mood {R}><rpid:happy/></rpid:mood>"));
    assert!(rpid.take(&mood));
    assert!(rpid.mood.as_ref().unwrap().has("happy"));
}
