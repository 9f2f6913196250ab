//! Tests of PIDF parsing and building: the RFC examples, real peers'
//! documents, hostile inputs.

use super::rpid::{ActivityKind, InputState};
use super::*;

/// Parse, build, parse again: the two parses must be equal.
fn round_trip(xml: &str) -> PresenceDocument {
    let first = parse(xml.as_bytes()).expect("first parse");
    let written = build(&first);
    let second = parse(written.as_bytes()).unwrap_or_else(|e| panic!("reparse: {e}\n{written}"));
    assert_eq!(first, second, "round trip changed the document:\n{written}");
    first
}

// RFC 3863 section 7 (example), with its im: and custom status extensions.
const RFC3863: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    xmlns:im="urn:ietf:params:xml:ns:pidf:im"
    xmlns:myex="http://id.example.com/presence/"
    entity="pres:someone@example.com">
  <tuple id="bs35r9">
    <status>
      <basic>open</basic>
      <im:im>busy</im:im>
      <myex:location>home</myex:location>
    </status>
    <contact priority="0.8">im:someone@mobilecarrier.net</contact>
    <note xml:lang="en">Don't Disturb Please!</note>
    <note xml:lang="fr">Ne dérangez pas, s'il vous plaît</note>
    <timestamp>2001-10-27T16:49:29Z</timestamp>
  </tuple>
  <tuple id="eg92n8">
    <status>
      <basic>open</basic>
    </status>
    <contact priority="1.0">mailto:someone@example.com</contact>
  </tuple>
  <note>I'll be in Tokyo next week</note>
</presence>"#;

#[test]
fn rfc3863_example() {
    let doc = round_trip(RFC3863);
    assert_eq!(doc.entity, "pres:someone@example.com");
    assert_eq!(doc.tuples.len(), 2);
    let t = &doc.tuples[0];
    assert_eq!(t.id, "bs35r9");
    assert_eq!(t.basic, Some(Basic::Open));
    assert_eq!(t.status_extensions.len(), 2);
    assert!(t.status_extensions[0].is("urn:ietf:params:xml:ns:pidf:im", "im"));
    let contact = t.contact.as_ref().unwrap();
    assert_eq!(contact.uri, "im:someone@mobilecarrier.net");
    assert_eq!(contact.priority, Some(0.8));
    assert_eq!(t.notes.len(), 2);
    assert_eq!(t.notes[1].lang.as_deref(), Some("fr"));
    assert_eq!(t.notes[1].text, "Ne dérangez pas, s'il vous plaît");
    assert_eq!(t.timestamp.as_deref(), Some("2001-10-27T16:49:29Z"));
    assert_eq!(doc.tuples[1].contact.as_ref().unwrap().priority, Some(1.0));
    assert_eq!(doc.notes, vec![Note::new("I'll be in Tokyo next week")]);
}

// RFC 4479 section 6 (example): a service, a person, a device.
const RFC4479: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
    xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"
    entity="pres:someone@example.com">
  <tuple id="sg89ae">
    <status>
      <basic>open</basic>
    </status>
    <dm:deviceID>mac:8asd7d7d70</dm:deviceID>
    <contact>sip:someone@example.com</contact>
    <timestamp>2005-05-30T22:00:29Z</timestamp>
  </tuple>
  <dm:person id="p1">
    <rpid:activities>
      <rpid:on-the-phone/>
    </rpid:activities>
    <dm:timestamp>2005-05-30T22:02:44+05:00</dm:timestamp>
  </dm:person>
  <dm:device id="pc122">
    <rpid:user-input>idle</rpid:user-input>
    <dm:deviceID>mac:8asd7d7d70</dm:deviceID>
    <dm:timestamp>2005-05-30T22:00:29Z</dm:timestamp>
  </dm:device>
</presence>"#;

#[test]
fn rfc4479_example() {
    let doc = round_trip(RFC4479);
    assert_eq!(doc.tuples[0].device_id.as_deref(), Some("mac:8asd7d7d70"));
    assert_eq!(doc.tuples[0].contact.as_ref().unwrap().priority, None);
    let person = &doc.persons[0];
    assert_eq!(person.id, "p1");
    assert_eq!(
        person.rpid.activity_list()[0].kind,
        ActivityKind::OnThePhone
    );
    assert_eq!(
        person.timestamp.as_deref(),
        Some("2005-05-30T22:02:44+05:00")
    );
    let device = &doc.devices[0];
    assert_eq!(device.id, "pc122");
    assert_eq!(device.device_id.as_deref(), Some("mac:8asd7d7d70"));
    assert_eq!(
        device.rpid.user_input.as_ref().map(|u| u.state),
        Some(InputState::Idle)
    );
}

// RFC 4480 section 4 (example), every RPID element.
const RFC4480: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
    xmlns:lt="urn:ietf:params:xml:ns:location-type"
    xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"
    entity="pres:someone@example.com">
  <tuple id="bs35r9">
    <status>
      <basic>open</basic>
    </status>
    <dm:deviceID>urn:device:0003ba4811e3</dm:deviceID>
    <rpid:relationship><rpid:self/></rpid:relationship>
    <rpid:service-class><rpid:electronic/></rpid:service-class>
    <contact priority="0.8">im:someone@mobile.example.net</contact>
  </tuple>
  <tuple id="ty4658">
    <status>
      <basic>open</basic>
    </status>
    <rpid:relationship><rpid:assistant/></rpid:relationship>
    <contact priority="1.0">mailto:secretary@example.com</contact>
  </tuple>
  <tuple id="eg92n8">
    <status>
      <basic>open</basic>
    </status>
    <dm:deviceID>urn:x-mac:0003ba4811e3</dm:deviceID>
    <rpid:class>email</rpid:class>
    <rpid:service-class><rpid:electronic/></rpid:service-class>
    <rpid:status-icon>http://example.com/mail.png</rpid:status-icon>
    <contact priority="1.0">mailto:someone@example.com</contact>
  </tuple>
  <note>Full of piss and vinegar</note>
  <dm:person id="p1">
    <rpid:activities from="2005-05-30T12:00:00+05:00"
        until="2005-05-30T17:00:00+05:00">
      <rpid:note>Far away</rpid:note>
      <rpid:away/>
    </rpid:activities>
    <rpid:class>calendar</rpid:class>
    <rpid:mood>
      <rpid:angry/>
      <rpid:other>brooding</rpid:other>
    </rpid:mood>
    <rpid:place-is>
      <rpid:audio>
        <rpid:noisy/>
      </rpid:audio>
    </rpid:place-is>
    <rpid:place-type><lt:residence/></rpid:place-type>
    <rpid:privacy><rpid:unknown/></rpid:privacy>
    <rpid:sphere>bowling league</rpid:sphere>
    <rpid:status-icon>http://example.com/play.gif</rpid:status-icon>
    <rpid:time-offset>-240</rpid:time-offset>
    <dm:note>Scoring 120</dm:note>
    <dm:timestamp>2005-05-30T22:00:29Z</dm:timestamp>
  </dm:person>
  <dm:device id="pda">
    <rpid:class>personal</rpid:class>
    <rpid:user-input idle-threshold="600"
        last-input="2004-10-21T13:20:00.000-05:00">idle</rpid:user-input>
    <dm:deviceID>urn:device:0003ba4811e3</dm:deviceID>
    <dm:note>PDA</dm:note>
    <dm:timestamp>2005-05-30T22:00:29Z</dm:timestamp>
  </dm:device>
</presence>"#;

#[test]
fn rfc4480_example() {
    let doc = round_trip(RFC4480);
    assert_eq!(doc.tuples.len(), 3);
    // relationship and service-class are kept as extensions.
    assert_eq!(doc.tuples[0].extensions.len(), 2);
    assert_eq!(
        doc.tuples[2].rpid.class.as_ref().map(|c| c.value.as_str()),
        Some("email")
    );
    assert_eq!(
        doc.tuples[2]
            .rpid
            .status_icon
            .as_ref()
            .map(|c| c.value.as_str()),
        Some("http://example.com/mail.png")
    );
    let p = &doc.persons[0];
    let activities = p.rpid.activities.as_ref().unwrap();
    assert_eq!(
        activities.validity.from.as_deref(),
        Some("2005-05-30T12:00:00+05:00")
    );
    assert_eq!(activities.notes, vec![Note::new("Far away")]);
    assert_eq!(activities.activities[0].kind, ActivityKind::Away);
    let mood = p.rpid.mood.as_ref().unwrap();
    assert!(mood.has("angry"));
    assert_eq!(mood.values[1].text, "brooding");
    let place = p.rpid.place_is.as_ref().unwrap();
    assert_eq!(place.audio.as_ref().map(|v| v.name.as_str()), Some("noisy"));
    let place_type = p.rpid.place_type.as_ref().unwrap();
    assert_eq!(
        place_type.values[0].ns,
        "urn:ietf:params:xml:ns:location-type"
    );
    assert_eq!(place_type.values[0].name, "residence");
    assert!(p.rpid.privacy.as_ref().unwrap().has("unknown"));
    assert_eq!(p.rpid.sphere.as_ref().unwrap().value, "bowling league");
    assert_eq!(p.rpid.time_offset.as_ref().unwrap().minutes, Some(-240));
    assert_eq!(p.notes, vec![Note::new("Scoring 120")]);
    let input = doc.devices[0].rpid.user_input.as_ref().unwrap();
    assert_eq!(input.state, InputState::Idle);
    assert_eq!(input.idle_threshold, Some(600));
    assert_eq!(
        input.last_input.as_deref(),
        Some("2004-10-21T13:20:00.000-05:00")
    );
}

// RFC 4481 section 3 (example): a tuple closed for a week ahead.
const RFC4481: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    xmlns:ts="urn:ietf:params:xml:ns:pidf:timed-status"
    entity="pres:someone@example.com">
  <tuple id="c8dqui">
    <status>
      <basic>open</basic>
    </status>
    <ts:timed-status from="2005-08-15T10:20:00.000-05:00"
        until="2005-08-22T19:30:00.000-05:00">
      <basic>closed</basic>
    </ts:timed-status>
    <contact>sip:Vincent.Van.Gogh@example.com</contact>
  </tuple>
  <note>I'll be in Tokyo next week</note>
</presence>"#;

#[test]
fn rfc4481_example() {
    let doc = round_trip(RFC4481);
    let timed = &doc.tuples[0].timed[0];
    assert_eq!(timed.from, "2005-08-15T10:20:00.000-05:00");
    assert_eq!(
        timed.until.as_deref(),
        Some("2005-08-22T19:30:00.000-05:00")
    );
    assert_eq!(timed.basic, Some(Basic::Closed));
    assert_eq!(doc.tuples[0].basic, Some(Basic::Open));
}

// RFC 4482 section 3 (example).
const RFC4482: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
    xmlns:c="urn:ietf:params:xml:ns:pidf:cipid"
    entity="pres:someone@example.com">
  <tuple id="bs35r9">
    <status>
      <basic>open</basic>
    </status>
    <contact priority="0.8">im:someone@mobilecarrier.net</contact>
    <timestamp>2005-05-30T22:00:29Z</timestamp>
  </tuple>
  <dm:person id="p1">
    <c:card>http://example.com/~someone/card.vcd</c:card>
    <c:display-name>Some One</c:display-name>
    <c:homepage>http://example.com/~someone</c:homepage>
    <c:icon>http://example.com/~someone/icon.gif</c:icon>
    <c:map>http://example.com/~someone/gml-map.xml</c:map>
    <c:sound>http://example.com/~someone/whoosh.wav</c:sound>
    <dm:timestamp>2005-05-30T22:00:29Z</dm:timestamp>
  </dm:person>
</presence>"#;

#[test]
fn rfc4482_example() {
    let doc = round_trip(RFC4482);
    let c = &doc.persons[0].cipid;
    assert_eq!(
        c.card.as_deref(),
        Some("http://example.com/~someone/card.vcd")
    );
    assert_eq!(c.display_name.as_deref(), Some("Some One"));
    assert_eq!(c.homepage.as_deref(), Some("http://example.com/~someone"));
    assert_eq!(
        c.icon.as_deref(),
        Some("http://example.com/~someone/icon.gif")
    );
    assert_eq!(
        c.map.as_deref(),
        Some("http://example.com/~someone/gml-map.xml")
    );
    assert_eq!(
        c.sound.as_deref(),
        Some("http://example.com/~someone/whoosh.wav")
    );
    assert!(doc.persons[0].extensions.is_empty());
}

// RFC 5196 section 5 (example): service and device capabilities.
const RFC5196: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
    xmlns:caps="urn:ietf:params:xml:ns:pidf:caps"
    entity="pres:someone@example.com">
  <tuple id="qoica8">
    <status>
      <basic>open</basic>
    </status>
    <caps:servcaps>
      <caps:audio>true</caps:audio>
      <caps:event-packages>
        <caps:supported>
          <caps:conference/>
          <caps:presence/>
        </caps:supported>
      </caps:event-packages>
      <caps:methods>
        <caps:supported>
          <caps:BYE/>
          <caps:INVITE/>
          <caps:MESSAGE/>
        </caps:supported>
        <caps:notsupported>
          <caps:PRACK/>
        </caps:notsupported>
      </caps:methods>
      <caps:duplex>
        <caps:supported>
          <caps:full/>
        </caps:supported>
      </caps:duplex>
      <caps:type>
        <caps:supported>
          <caps:type>text/plain</caps:type>
        </caps:supported>
      </caps:type>
      <caps:languages>
        <caps:supported>
          <caps:l>en</caps:l>
          <caps:l>fi</caps:l>
        </caps:supported>
      </caps:languages>
      <caps:message>true</caps:message>
      <caps:text>false</caps:text>
      <caps:video>false</caps:video>
      <caps:application>false</caps:application>
      <caps:is-focus>true</caps:is-focus>
      <caps:priority>
        <caps:supported>
          <caps:higherhan>10</caps:higherhan>
        </caps:supported>
      </caps:priority>
    </caps:servcaps>
    <dm:deviceID>mac:xxx</dm:deviceID>
    <contact>sip:someone@example.com</contact>
  </tuple>
  <dm:device id="pc1">
    <caps:devcaps>
      <caps:mobility>
        <caps:supported>
          <caps:fixed/>
        </caps:supported>
      </caps:mobility>
    </caps:devcaps>
    <dm:deviceID>mac:xxx</dm:deviceID>
  </dm:device>
</presence>"#;

#[test]
fn rfc5196_example() {
    let doc = round_trip(RFC5196);
    let caps = doc.tuples[0].caps.as_ref().unwrap();
    assert_eq!(caps.audio, Some(true));
    assert_eq!(caps.video, Some(false));
    assert_eq!(caps.text, Some(false));
    assert_eq!(caps.message, Some(true));
    assert_eq!(caps.application, Some(false));
    assert_eq!(caps.is_focus, Some(true));
    let methods = caps.methods.as_ref().unwrap();
    assert_eq!(methods.supported, vec!["BYE", "INVITE", "MESSAGE"]);
    assert_eq!(methods.not_supported, vec!["PRACK"]);
    assert_eq!(caps.duplex.as_ref().unwrap().supported, vec!["full"]);
    assert_eq!(caps.types.as_ref().unwrap().supported, vec!["text/plain"]);
    assert_eq!(caps.languages.as_ref().unwrap().supported, vec!["en", "fi"]);
    assert_eq!(
        caps.event_packages.as_ref().unwrap().supported,
        vec!["conference", "presence"]
    );
    assert_eq!(caps.other.len(), 1); // priority, kept
    assert!(doc.devices[0].extensions[0].is(CAPS_NS, "devcaps"));
}

// baresip modules/presence/publisher.c (CRLF line ends, as sent).
const BARESIP: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\r\n\
<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"\r\n\
    xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\"\r\n\
    xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\"\r\n\
    entity=\"sip:bob@example.com\">\r\n\
  <dm:person id=\"p4159\"><rpid:activities/></dm:person>\r\n\
  <tuple id=\"t4109\">\r\n\
    <status>\r\n\
      <basic>open</basic>\r\n\
    </status>\r\n\
    <contact>sip:bob@example.com</contact>\r\n\
  </tuple>\r\n\
</presence>\r\n";

#[test]
fn baresip_publish() {
    let doc = round_trip(BARESIP);
    assert_eq!(doc.entity, "sip:bob@example.com");
    assert_eq!(doc.tuples[0].basic, Some(Basic::Open));
    assert_eq!(
        doc.tuples[0].contact.as_ref().unwrap().uri,
        "sip:bob@example.com"
    );
    assert!(doc.persons[0].rpid.activities.is_some());
    assert!(doc.persons[0].rpid.activity_list().is_empty());
}

// liblinphone PresenceModel::toXml (linphone_core_set_presence_info with
// LinphoneStatusDoNotDisturb): closed, busy with a description.
const LINPHONE_DND: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:carol@example.com">
 <tuple id="ab12cd">
  <status>
   <basic>closed</basic>
  </status>
  <contact priority="0.8">sip:carol@example.com</contact>
  <timestamp>2025-06-01T10:00:00Z</timestamp>
 </tuple>
 <dm:person id="ef34gh">
  <rpid:activities>
   <rpid:busy>Do not disturb</rpid:busy>
  </rpid:activities>
  <dm:note xml:lang="en">Writing</dm:note>
  <dm:timestamp>2025-06-01T10:00:00Z</dm:timestamp>
 </dm:person>
</presence>"#;

// liblinphone online: <pidfonline:online/> in the status.
const LINPHONE_ONLINE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:pidfonline="http://www.linphone.org/xsds/pidfonline.xsd" entity="sip:carol@example.com">
 <tuple id="ab12cd">
  <status>
   <basic>open</basic>
   <pidfonline:online/>
  </status>
  <contact priority="0.8">sip:carol@example.com</contact>
  <timestamp>2025-06-01T10:00:00Z</timestamp>
 </tuple>
</presence>"#;

#[test]
fn linphone_documents() {
    let dnd = round_trip(LINPHONE_DND);
    let activity = &dnd.persons[0].rpid.activity_list()[0];
    assert_eq!(activity.kind, ActivityKind::Busy);
    assert_eq!(activity.text, "Do not disturb");
    assert_eq!(dnd.persons[0].notes[0].lang.as_deref(), Some("en"));
    let online = round_trip(LINPHONE_ONLINE);
    assert_eq!(online.tuples[0].basic, Some(Basic::Open));
    assert!(online.tuples[0].status_extensions[0]
        .is("http://www.linphone.org/xsds/pidfonline.xsd", "online"));
}

// Kamailio presence_xml aggregation of two publications: tuples and persons
// of both, each with the namespaces its publisher declared.
const KAMAILIO_AGGREGATED: &str = r#"<?xml version="1.0"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@example.com">
  <tuple xmlns="urn:ietf:params:xml:ns:pidf" id="t4109">
    <status><basic>open</basic></status>
    <contact>sip:alice@example.com</contact>
  </tuple>
  <dm:person xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" id="p4159"><rpid:activities/></dm:person>
  <tuple id="a1b2"><status><basic>open</basic></status><contact priority="0.8">sip:alice@192.0.2.7:5060</contact></tuple>
  <dm:person xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" id="p-a1b2"><r:activities><r:on-the-phone/></r:activities><dm:note>Call</dm:note></dm:person>
</presence>"#;

#[test]
fn kamailio_aggregated_notify() {
    let doc = round_trip(KAMAILIO_AGGREGATED);
    assert_eq!(doc.tuples.len(), 2);
    assert_eq!(doc.persons.len(), 2);
    assert_eq!(
        doc.persons[1].rpid.activity_list()[0].kind,
        ActivityKind::OnThePhone
    );
}

// Fully prefixed PIDF (Jitsi / pjsip-style writers, MicroSIP watchers).
const PREFIXED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<pidf:presence xmlns:pidf="urn:ietf:params:xml:ns:pidf" xmlns:data="urn:ietf:params:xml:ns:pidf:data-model" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:dave@example.com">
 <pidf:tuple id="pj1">
  <pidf:status><pidf:basic>open</pidf:basic></pidf:status>
  <pidf:contact priority="1">sip:dave@example.com</pidf:contact>
  <pidf:note>Away</pidf:note>
  <pidf:timestamp>2025-06-01T10:00:00Z</pidf:timestamp>
 </pidf:tuple>
 <data:person id="pp1">
  <r:activities><r:away/></r:activities>
  <data:note>Back at 3</data:note>
 </data:person>
</pidf:presence>"#;

#[test]
fn prefixes_do_not_matter() {
    let doc = round_trip(PREFIXED);
    assert_eq!(doc.tuples[0].basic, Some(Basic::Open));
    assert_eq!(doc.tuples[0].notes, vec![Note::new("Away")]);
    assert_eq!(
        doc.persons[0].rpid.activity_list()[0].kind,
        ActivityKind::Away
    );
    assert_eq!(doc.persons[0].notes, vec![Note::new("Back at 3")]);
}

#[test]
fn build_uses_conventional_prefixes() {
    let doc = parse(RFC4479.as_bytes()).unwrap();
    let xml = build(&doc);
    assert!(
        xml.contains(r#"<presence xmlns="urn:ietf:params:xml:ns:pidf""#),
        "{xml}"
    );
    assert!(xml.contains(r#"xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model""#));
    assert!(xml.contains(r#"xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid""#));
    assert!(xml.contains("<dm:person id=\"p1\">"));
    assert!(xml.contains("<rpid:on-the-phone/>"));
    assert!(xml.contains("<status><basic>open</basic></status>"));
}

#[test]
fn a_tuple_without_basic_is_accepted_as_unknown() {
    let doc = parse(
        br#"<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@x"><tuple id="t"><status/></tuple><tuple id="u"/><tuple id="v"><status><basic>maybe</basic></status></tuple></presence>"#,
    )
    .unwrap();
    assert!(doc.tuples.iter().all(|t| t.basic.is_none()));
}

#[test]
fn basic_is_read_leniently() {
    let doc = parse(
        br#"<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@x"><tuple id="t"><status><basic> OPEN </basic></status><contact priority="high">sip:a@x</contact></tuple></presence>"#,
    )
    .unwrap();
    assert_eq!(doc.tuples[0].basic, Some(Basic::Open));
    assert_eq!(doc.tuples[0].contact.as_ref().unwrap().priority, None);
}

#[test]
fn wrong_root_or_namespace_is_an_error_naming_the_cause() {
    let err = parse(br#"<presence entity="sip:a@x"><tuple id="t"/></presence>"#).unwrap_err();
    assert_eq!(
        err,
        PidfError::WrongNamespace {
            found: String::new()
        }
    );
    let err =
        parse(br#"<presence xmlns="urn:ietf:params:xml:ns:cpim-pidf" entity="x"/>"#).unwrap_err();
    assert!(
        err.to_string().contains("urn:ietf:params:xml:ns:cpim-pidf"),
        "{err}"
    );
    let err = parse(br#"<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo"/>"#).unwrap_err();
    assert_eq!(
        err,
        PidfError::NotPresence {
            found: "watcherinfo".into()
        }
    );
    assert!(matches!(parse(b""), Err(PidfError::Xml(XmlError::NoRoot))));
    assert!(matches!(parse(b"   "), Err(PidfError::Xml(_))));
}

#[test]
fn hostile_documents_are_refused() {
    let bomb = br#"<?xml version="1.0"?>
<!DOCTYPE presence [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@x"><note>&b;</note></presence>"#;
    assert!(matches!(
        parse(bomb),
        Err(PidfError::Xml(XmlError::Doctype))
    ));
    let external = br#"<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="&x;"/>"#;
    assert!(matches!(parse(external), Err(PidfError::Xml(_))));
    let mut huge =
        String::from(r#"<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="a"><note>"#);
    huge.push_str(&"x".repeat(xml::MAX_DOCUMENT_BYTES));
    huge.push_str("</note></presence>");
    assert!(matches!(
        parse(huge.as_bytes()),
        Err(PidfError::Xml(XmlError::TooLarge(_)))
    ));
    let deep = format!(
        r#"<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="a">{}{}</presence>"#,
        "<x>".repeat(100),
        "</x>".repeat(100)
    );
    assert!(parse(deep.as_bytes()).is_err());
    assert!(parse(b"<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"><tuple>").is_err());
    assert!(parse(&[0xff, 0xfe, 0x00]).is_err());
}

#[test]
fn garbage_never_panics() {
    // Every prefix of every sample, and a byte-flipped copy, parses or errs.
    for sample in [
        RFC3863,
        RFC4480,
        RFC5196,
        BARESIP,
        LINPHONE_DND,
        KAMAILIO_AGGREGATED,
    ] {
        let bytes = sample.as_bytes();
        for end in (0..bytes.len()).step_by(7) {
            let _ = parse(&bytes[..end]);
        }
        let mut flipped = bytes.to_vec();
        for i in (0..flipped.len()).step_by(13) {
            flipped[i] ^= 0x20;
        }
        let _ = parse(&flipped);
    }
}

#[test]
fn unknown_elements_are_kept_and_written_back() {
    let xml = r#"<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:x="urn:example:x" entity="sip:a@x">
<tuple id="t"><status><basic>open</basic></status><x:geo lat="1" lon="2"/><contact>sip:a@x</contact></tuple>
<x:top>kept</x:top></presence>"#;
    let doc = round_trip(xml);
    assert_eq!(doc.tuples[0].extensions[0].attr("lat"), Some("1"));
    assert_eq!(doc.extensions[0].text, "kept");
    assert!(build(&doc).contains("urn:example:x"));
}
