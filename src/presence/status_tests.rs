//! Tests of the status model: aggregation rules one by one, own status,
//! the published document.

use super::super::pidf::{self, Person};
use super::*;
use ContactAvailability as A;

const HEAD: &str = r#"<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:caps="urn:ietf:params:xml:ns:pidf:caps" xmlns:c="urn:ietf:params:xml:ns:pidf:cipid" entity="sip:x@example.com">"#;

fn status(body: &str) -> ContactStatus {
    aggregate_bytes(format!("{HEAD}{body}</presence>").as_bytes())
}

fn tuple(basic: &str, extra: &str) -> String {
    format!(
        r#"<tuple id="t{basic}"><status><basic>{basic}</basic></status>{extra}<contact>sip:x@example.com</contact></tuple>"#
    )
}

fn person(activities: &str) -> String {
    format!(r#"<dm:person id="p"><rpid:activities>{activities}</rpid:activities></dm:person>"#)
}

#[test]
fn precedence_order() {
    let order = [
        A::DoNotDisturb,
        A::Forwarded,
        A::OnThePhone,
        A::Busy,
        A::InAMeeting,
        A::Away,
        A::Available,
        A::Offline,
        A::Unknown,
    ];
    for pair in order.windows(2) {
        assert!(pair[0] > pair[1], "{:?} > {:?}", pair[0], pair[1]);
    }
}

#[test]
fn dot_colours() {
    assert_eq!(A::Available.dot(), Dot::Green);
    assert_eq!(A::OnThePhone.dot(), Dot::Yellow);
    assert_eq!(A::Forwarded.dot(), Dot::Yellow);
    assert_eq!(A::Busy.dot(), Dot::Red);
    assert_eq!(A::InAMeeting.dot(), Dot::Red);
    assert_eq!(A::DoNotDisturb.dot(), Dot::Red);
    assert_eq!(A::Away.dot(), Dot::Orange);
    assert_eq!(A::Offline.dot(), Dot::Grey);
    assert_eq!(A::Unknown.dot(), Dot::Grey);
}

#[test]
fn an_open_tuple_is_available() {
    let s = status(&tuple("open", ""));
    assert_eq!(s.availability, A::Available);
    assert_eq!(s.dot(), Dot::Green);
}

#[test]
fn all_tuples_closed_is_offline() {
    assert_eq!(
        status(&(tuple("closed", "") + &tuple("closed", ""))).availability,
        A::Offline
    );
}

#[test]
fn closed_with_away_activity_is_offline() {
    let s = status(&(tuple("closed", "") + &person("<rpid:away/>")));
    assert_eq!(s.availability, A::Offline);
}

#[test]
fn one_open_tuple_among_closed_ones_is_available() {
    assert_eq!(
        status(&(tuple("closed", "") + &tuple("open", ""))).availability,
        A::Available
    );
}

#[test]
fn no_basic_and_nothing_else_is_unknown() {
    let s = status(r#"<tuple id="t"><status/></tuple>"#);
    assert_eq!(s.availability, A::Unknown);
}

#[test]
fn no_basic_but_an_activity_uses_the_activity() {
    let s = status(&(r#"<tuple id="t"><status/></tuple>"#.to_owned() + &person("<rpid:busy/>")));
    assert_eq!(s.availability, A::Busy);
}

#[test]
fn an_empty_document_is_offline_and_garbage_is_unknown() {
    assert_eq!(status("").availability, A::Offline);
    assert_eq!(aggregate_bytes(b"not xml").availability, A::Unknown);
    assert_eq!(aggregate_bytes(b"<presence/>").availability, A::Unknown);
    assert_eq!(aggregate_bytes(b"").availability, A::Unknown);
}

#[test]
fn activities_map_to_availability() {
    let cases = [
        ("<rpid:busy/>", A::Busy),
        ("<rpid:on-the-phone/>", A::OnThePhone),
        ("<rpid:meeting/>", A::InAMeeting),
        ("<rpid:appointment/>", A::InAMeeting),
        ("<rpid:away/>", A::Away),
        ("<rpid:vacation/>", A::Away),
        ("<rpid:sleeping/>", A::Away),
        ("<rpid:lunch/>", A::Away),
        ("<rpid:working/>", A::Available),
        ("<rpid:unknown/>", A::Available),
        ("<rpid:other>reading</rpid:other>", A::Available),
    ];
    for (activity, expected) in cases {
        let s = status(&(tuple("open", "") + &person(activity)));
        assert_eq!(s.availability, expected, "{activity}");
    }
}

#[test]
fn the_strongest_activity_wins_across_persons_and_tuples() {
    let body = tuple("open", "<rpid:activities><rpid:away/></rpid:activities>")
        + &person("<rpid:meeting/>")
        + r#"<dm:person id="q"><rpid:activities><rpid:on-the-phone/></rpid:activities></dm:person>"#;
    assert_eq!(status(&body).availability, A::OnThePhone);
}

#[test]
fn a_closed_tuples_activity_does_not_count() {
    let body =
        tuple("closed", "<rpid:activities><rpid:busy/></rpid:activities>") + &tuple("open", "");
    assert_eq!(status(&body).availability, A::Available);
}

#[test]
fn user_input_idle_is_away() {
    let s = status(&tuple("open", "<rpid:user-input>idle</rpid:user-input>"));
    assert_eq!(s.availability, A::Away);
    assert!(s.idle);
    let device = r#"<dm:device id="d"><rpid:user-input>idle</rpid:user-input><dm:deviceID>urn:d</dm:deviceID></dm:device>"#;
    assert_eq!(status(&(tuple("open", "") + device)).availability, A::Away);
}

#[test]
fn one_active_device_keeps_the_contact_active() {
    let body = tuple("open", "<rpid:user-input>idle</rpid:user-input>")
        + &tuple("open", "<rpid:user-input>active</rpid:user-input>").replace("topen", "t2");
    let s = status(&body);
    assert!(!s.idle);
    assert_eq!(s.availability, A::Available);
}

#[test]
fn idle_does_not_lower_busy() {
    let body = tuple("open", "<rpid:user-input>idle</rpid:user-input>") + &person("<rpid:busy/>");
    assert_eq!(status(&body).availability, A::Busy);
}

#[test]
fn dnd_encodings_are_recognised() {
    let encodings = [
        "<rpid:busy>Do not disturb</rpid:busy>",
        "<rpid:other>dnd</rpid:other>",
        "<rpid:other>Do Not Disturb</rpid:other>",
        "<rpid:do-not-disturb/>",
        r#"<x:dnd xmlns:x="urn:vendor"/>"#,
    ];
    for encoding in encodings {
        let s = status(&(tuple("open", "") + &person(encoding)));
        assert_eq!(s.availability, A::DoNotDisturb, "{encoding}");
        assert_eq!(s.dot(), Dot::Red);
    }
}

#[test]
fn dnd_wins_over_closed_as_linphone_publishes_it() {
    let s = status(&(tuple("closed", "") + &person("<rpid:busy>Do not disturb</rpid:busy>")));
    assert_eq!(s.availability, A::DoNotDisturb);
}

#[test]
fn busy_with_a_do_not_disturb_note_is_dnd() {
    let body = tuple("open", "")
        + r#"<dm:person id="p"><rpid:activities><rpid:busy/></rpid:activities><dm:note>Do Not Disturb</dm:note></dm:person>"#;
    assert_eq!(status(&body).availability, A::DoNotDisturb);
}

#[test]
fn dnd_beats_everything_and_removes_voice() {
    let body = tuple("open", "") + &person("<rpid:on-the-phone/><rpid:other>dnd</rpid:other>");
    let s = status(&body);
    assert_eq!(s.availability, A::DoNotDisturb);
    assert!(!s.capabilities.voice && !s.capabilities.video);
    assert!(s.capabilities.im);
}

#[test]
fn forwarded_is_recognised_and_beats_on_the_phone() {
    let body =
        tuple("open", "") + &person("<rpid:on-the-phone/><rpid:other>forwarded</rpid:other>");
    let s = status(&body);
    assert_eq!(s.availability, A::Forwarded);
    assert_eq!(s.dot(), Dot::Yellow);
}

#[test]
fn note_prefers_the_person_then_the_highest_priority_open_tuple() {
    let low = r#"<tuple id="a"><status><basic>open</basic></status><contact priority="0.1">sip:a@x</contact><note>low</note></tuple>"#;
    let high = r#"<tuple id="b"><status><basic>open</basic></status><contact priority="0.9">sip:b@x</contact><note>high</note></tuple>"#;
    let closed =
        r#"<tuple id="c"><status><basic>closed</basic></status><note>closed</note></tuple>"#;
    assert_eq!(
        status(&format!("{closed}{low}{high}")).note.as_deref(),
        Some("high")
    );
    let with_person =
        format!(r#"{low}{high}<dm:person id="p"><dm:note>mine</dm:note></dm:person>"#);
    assert_eq!(status(&with_person).note.as_deref(), Some("mine"));
    assert_eq!(status(closed).note.as_deref(), Some("closed"));
}

#[test]
fn capabilities_from_caps_when_present() {
    let caps = "<caps:servcaps><caps:audio>false</caps:audio><caps:video>true</caps:video><caps:message>true</caps:message></caps:servcaps>";
    let s = status(&tuple("open", caps));
    assert_eq!(
        s.capabilities,
        Capabilities {
            voice: false,
            video: true,
            im: true,
            email: false
        }
    );
}

#[test]
fn capabilities_inferred_from_the_contact() {
    let sip = status(&tuple("open", ""));
    assert!(sip.capabilities.voice && sip.capabilities.im && !sip.capabilities.video);
    let tel = status(
        r#"<tuple id="t"><status><basic>open</basic></status><contact>tel:+15551234</contact></tuple>"#,
    );
    assert!(tel.capabilities.voice && !tel.capabilities.im);
    let mail = status(
        r#"<tuple id="t"><status><basic>open</basic></status><contact>mailto:x@example.com</contact></tuple>"#,
    );
    assert_eq!(
        mail.capabilities,
        Capabilities {
            email: true,
            ..Default::default()
        }
    );
    let offline = status(&tuple("closed", ""));
    assert_eq!(offline.capabilities, Capabilities::default());
}

#[test]
fn display_name_from_cipid() {
    let body = tuple("open", "")
        + r#"<dm:person id="p"><c:display-name>Xavier</c:display-name></dm:person>"#;
    assert_eq!(status(&body).display_name.as_deref(), Some("Xavier"));
}

#[test]
fn real_peer_documents() {
    let baresip = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\r\n<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"\r\n    xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\"\r\n    xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\"\r\n    entity=\"sip:bob@example.com\">\r\n  <dm:person id=\"p4159\"><rpid:activities/></dm:person>\r\n  <tuple id=\"t4109\">\r\n    <status>\r\n      <basic>open</basic>\r\n    </status>\r\n    <contact>sip:bob@example.com</contact>\r\n  </tuple>\r\n</presence>\r\n";
    let s = aggregate_bytes(baresip.as_bytes());
    assert_eq!(s.availability, A::Available);
    assert!(s.capabilities.voice && s.capabilities.im);
    let linphone_away = r#"<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:carol@example.com">
 <tuple id="ab12cd"><status><basic>open</basic></status><contact priority="0.8">sip:carol@example.com</contact><timestamp>2025-06-01T10:00:00Z</timestamp></tuple>
 <dm:person id="ef34gh"><rpid:activities><rpid:away/></rpid:activities><dm:note>Lunch</dm:note><dm:timestamp>2025-06-01T10:00:00Z</dm:timestamp></dm:person>
</presence>"#;
    let s = aggregate_bytes(linphone_away.as_bytes());
    assert_eq!(s.availability, A::Away);
    assert_eq!(s.note.as_deref(), Some("Lunch"));
}

// ----- own status -----

fn own(manual: ManualStatus, automatic: Automatic) -> EffectiveStatus {
    effective(&OwnStatus {
        manual,
        note: String::new(),
        automatic,
    })
}

const PHONE: Automatic = Automatic {
    on_the_phone: true,
    idle: false,
    in_meeting_from_calendar: false,
    forwarded: false,
};
const IDLE: Automatic = Automatic {
    on_the_phone: false,
    idle: true,
    in_meeting_from_calendar: false,
    forwarded: false,
};
const CALENDAR: Automatic = Automatic {
    on_the_phone: false,
    idle: false,
    in_meeting_from_calendar: true,
    forwarded: false,
};
const ALL: Automatic = Automatic {
    on_the_phone: true,
    idle: true,
    in_meeting_from_calendar: true,
    forwarded: true,
};
const NONE: Automatic = Automatic {
    on_the_phone: false,
    idle: false,
    in_meeting_from_calendar: false,
    forwarded: false,
};

#[test]
fn manual_status_alone() {
    assert_eq!(
        own(ManualStatus::Available, NONE),
        EffectiveStatus::Available
    );
    assert_eq!(own(ManualStatus::Away, NONE), EffectiveStatus::Away);
    assert_eq!(own(ManualStatus::Busy, NONE), EffectiveStatus::Busy);
    assert_eq!(
        own(ManualStatus::InAMeeting, NONE),
        EffectiveStatus::InAMeeting
    );
}

#[test]
fn dnd_and_invisible_are_never_overridden() {
    assert_eq!(
        own(ManualStatus::DoNotDisturb, ALL),
        EffectiveStatus::DoNotDisturb
    );
    assert_eq!(
        own(ManualStatus::Invisible, ALL),
        EffectiveStatus::Invisible
    );
}

#[test]
fn on_the_phone_overrides_available_away_and_busy() {
    for manual in [
        ManualStatus::Available,
        ManualStatus::Away,
        ManualStatus::Busy,
    ] {
        assert_eq!(
            own(manual, PHONE),
            EffectiveStatus::OnThePhone,
            "{manual:?}"
        );
    }
}

#[test]
fn on_the_phone_never_overrides_manual_dnd_or_meeting() {
    assert_eq!(
        own(ManualStatus::DoNotDisturb, PHONE),
        EffectiveStatus::DoNotDisturb
    );
    assert_eq!(
        own(ManualStatus::InAMeeting, PHONE),
        EffectiveStatus::InAMeeting
    );
}

#[test]
fn idle_and_calendar_apply_only_while_available() {
    assert_eq!(own(ManualStatus::Available, IDLE), EffectiveStatus::Idle);
    assert_eq!(
        own(ManualStatus::Available, CALENDAR),
        EffectiveStatus::InAMeeting
    );
    assert_eq!(own(ManualStatus::Busy, IDLE), EffectiveStatus::Busy);
    assert_eq!(own(ManualStatus::Busy, CALENDAR), EffectiveStatus::Busy);
    assert_eq!(own(ManualStatus::Away, CALENDAR), EffectiveStatus::Away);
}

#[test]
fn calendar_meeting_beats_idle_and_the_phone_beats_both() {
    let both = Automatic {
        idle: true,
        in_meeting_from_calendar: true,
        ..NONE
    };
    assert_eq!(
        own(ManualStatus::Available, both),
        EffectiveStatus::InAMeeting
    );
    let all_but_forward = Automatic {
        forwarded: false,
        ..ALL
    };
    assert_eq!(
        own(ManualStatus::Available, all_but_forward),
        EffectiveStatus::OnThePhone
    );
}

#[test]
fn forwarding_overrides_all_but_dnd_and_invisible() {
    let fwd = Automatic {
        forwarded: true,
        ..NONE
    };
    assert_eq!(
        own(ManualStatus::InAMeeting, fwd),
        EffectiveStatus::Forwarded
    );
    assert_eq!(
        own(ManualStatus::Available, ALL),
        EffectiveStatus::Forwarded
    );
    assert_eq!(
        own(ManualStatus::DoNotDisturb, fwd),
        EffectiveStatus::DoNotDisturb
    );
}

// ----- published document -----

fn published(manual: ManualStatus, automatic: Automatic, note: &str) -> (String, PresenceDocument) {
    let status = OwnStatus {
        manual,
        note: note.into(),
        automatic,
    };
    let caps = ServiceCaps::voice_and_im();
    let xml = own_document_xml(
        "sip:me@example.com",
        &status,
        "t1",
        Some("sip:me@192.0.2.1"),
        Some(&caps),
    );
    let doc = pidf::parse(xml.as_bytes()).expect("own document parses");
    (xml, doc)
}

#[test]
fn every_own_status_reads_back_as_itself() {
    let cases = [
        (ManualStatus::Available, NONE, A::Available),
        (ManualStatus::Away, NONE, A::Away),
        (ManualStatus::Available, IDLE, A::Away),
        (ManualStatus::Busy, NONE, A::Busy),
        (ManualStatus::InAMeeting, NONE, A::InAMeeting),
        (ManualStatus::Available, PHONE, A::OnThePhone),
        (
            ManualStatus::Available,
            Automatic {
                forwarded: true,
                ..NONE
            },
            A::Forwarded,
        ),
        (ManualStatus::DoNotDisturb, NONE, A::DoNotDisturb),
        (ManualStatus::Invisible, NONE, A::Offline),
    ];
    for (manual, automatic, expected) in cases {
        let (xml, doc) = published(manual, automatic, "note");
        assert_eq!(
            aggregate(&doc).availability,
            expected,
            "{manual:?} {automatic:?}\n{xml}"
        );
        assert_eq!(
            effective(&OwnStatus {
                manual,
                note: String::new(),
                automatic
            })
            .availability(),
            expected
        );
    }
}

#[test]
fn available_document_is_conservative() {
    let (xml, doc) = published(ManualStatus::Available, NONE, "At my desk");
    assert!(
        xml.contains(r#"<presence xmlns="urn:ietf:params:xml:ns:pidf""#),
        "{xml}"
    );
    assert!(xml.contains(r#"entity="sip:me@example.com""#));
    assert!(xml.contains("<status><basic>open</basic></status>"));
    assert!(xml.contains(r#"<contact priority="0.8">sip:me@192.0.2.1</contact>"#));
    assert!(xml.contains("<caps:audio>true</caps:audio>"));
    assert!(xml.contains("<caps:message>true</caps:message>"));
    assert!(xml.contains("<dm:note>At my desk</dm:note>"));
    assert!(
        !xml.contains("activities"),
        "no activity when available (linphone: online)"
    );
    assert_eq!(doc.tuples[0].notes, vec![Note::new("At my desk")]);
    assert_eq!(aggregate(&doc).note.as_deref(), Some("At my desk"));
}

#[test]
fn dnd_document_matches_linphone_and_baresip() {
    let (xml, doc) = published(ManualStatus::DoNotDisturb, NONE, "");
    assert!(xml.contains("<basic>closed</basic>"), "{xml}");
    assert!(
        xml.contains("<rpid:busy>Do not disturb</rpid:busy>"),
        "linphone: {xml}"
    );
    assert!(
        xml.contains("<rpid:busy/>"),
        "baresip greps for <rpid:busy/>: {xml}"
    );
    assert_eq!(doc.persons.len(), 1);
}

#[test]
fn busy_and_phone_documents_use_plain_elements() {
    let (xml, _) = published(ManualStatus::Busy, NONE, "");
    assert!(xml.contains("<rpid:busy/>"), "{xml}");
    let (xml, _) = published(ManualStatus::Available, PHONE, "");
    assert!(xml.contains("<rpid:on-the-phone/>"), "{xml}");
    let (xml, _) = published(ManualStatus::Available, IDLE, "");
    assert!(
        xml.contains("<rpid:away/>") && xml.contains("<rpid:user-input>idle</rpid:user-input>"),
        "{xml}"
    );
}

#[test]
fn invisible_publishes_plain_offline() {
    let (xml, doc) = published(ManualStatus::Invisible, PHONE, "secret note");
    assert!(xml.contains("<basic>closed</basic>"));
    assert!(!xml.contains("secret note"));
    assert!(!xml.contains("activities"));
    assert!(!xml.contains("caps:"));
    assert_eq!(
        doc.persons,
        vec![Person {
            id: "p-t1".into(),
            ..Default::default()
        }]
    );
}

/// Every captured PIDF fixture (tests/fixtures/presence/*pidf*.xml, when the
/// capture exists) parses, round-trips and aggregates to a known status.
#[test]
fn captured_pidf_fixtures_aggregate() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/presence");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !(name.contains("pidf") && name.ends_with(".xml")) {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let doc = pidf::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again =
            pidf::parse(pidf::build(&doc).as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(doc, again, "{name} round trip");
        let status = aggregate(&doc);
        assert_ne!(status.availability, A::Unknown, "{name}");
    }
}
