use super::*;

/// The Content-Type of the full-state NOTIFY in RFC 4662 §6.
const RFC4662_CONTENT_TYPE: &str = "multipart/related;type=\"application/rlmi+xml\";\r\n    start=\"<nXYxAE@pres.example.com>\";boundary=\"50UBfW7LSCVLtggUPe5z\"";

/// The body of the full-state NOTIFY in RFC 4662 §6 (LF here, CRLF on the wire).
const RFC4662_BODY: &str = r#"--50UBfW7LSCVLtggUPe5z
Content-Transfer-Encoding: binary
Content-ID: <nXYxAE@pres.example.com>
Content-Type: application/rlmi+xml;charset="UTF-8"

<?xml version="1.0" encoding="UTF-8"?>
<list xmlns="urn:ietf:params:xml:ns:rlmi"
      uri="sip:adam-friends@pres.example.com" version="1"
      fullState="true">
  <name xml:lang="en">Buddy List at COM</name>
  <name xml:lang="de">Liste der Freunde an COM</name>
  <resource uri="sip:bob@example.com">
    <name>Bob Smith</name>
    <instance id="juwigmtboe" state="active"
              cid="bUZBsM@pres.example.com"/>
  </resource>
  <resource uri="sip:dave@example.com">
    <name>Dave Jones</name>
    <instance id="hqzsuxtfyq" state="active"
              cid="ZvSvkz@pres.example.com"/>
  </resource>
  <resource uri="sip:ed@example.net">
    <name>Ed at NET</name>
    <instance id="sdlkmeopdf" state="pending"/>
  </resource>
  <resource uri="sip:adam-friends@example.org">
    <name xml:lang="en">My Friends at ORG</name>
    <name xml:lang="de">Meine Freunde an ORG</name>
    <instance id="cmpqweitlp" state="active"
              cid="1KQhyE@pres.example.com"/>
  </resource>
</list>

--50UBfW7LSCVLtggUPe5z
Content-Transfer-Encoding: binary
Content-ID: <bUZBsM@pres.example.com>
Content-Type: application/pidf+xml;charset="UTF-8"

<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    entity="sip:bob@example.com">
  <tuple id="sg89ae">
    <status>
      <basic>open</basic>
    </status>
    <contact priority="1.0">sip:bob@example.com</contact>
  </tuple>
</presence>

--50UBfW7LSCVLtggUPe5z
Content-Transfer-Encoding: binary
Content-ID: <ZvSvkz@pres.example.com>
Content-Type: application/pidf+xml;charset="UTF-8"

<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    entity="sip:dave@example.com">
  <tuple id="slie74">
    <status>
      <basic>closed</basic>
    </status>
  </tuple>
</presence>

--50UBfW7LSCVLtggUPe5z
Content-Transfer-Encoding: binary
Content-ID: <1KQhyE@pres.example.com>
Content-Type: multipart/signed;
    protocol="application/pkcs7-signature";
    micalg=sha1;boundary="l3WMZaaL8NpQWGnQ4mlU"

--l3WMZaaL8NpQWGnQ4mlU
Content-Transfer-Encoding: binary
Content-ID: <ZPvJHL@example.org>
Content-Type: multipart/related;type="application/rlmi+xml";
    start="<Cvjpeo@example.org>";boundary="tuLLl3lDyPZX0GMr2YOo"

--tuLLl3lDyPZX0GMr2YOo
Content-Transfer-Encoding: binary
Content-ID: <Cvjpeo@example.org>
Content-Type: application/rlmi+xml;charset="UTF-8"

<?xml version="1.0" encoding="UTF-8"?>
<list xmlns="urn:ietf:params:xml:ns:rlmi"
      uri="sip:adam-friends@example.org" version="1"
      fullState="true">
  <name xml:lang="en">Buddy List at ORG</name>
  <name xml:lang="de">Liste der Freunde an ORG</name>
  <resource uri="sip:ed@example.org">
    <name>Ed at ORG</name>
    <instance id="1" state="active" cid="JVRubU@example.org"/>
  </resource>
  <resource uri="sip:fred@example.org">
    <name>Fred Smith</name>
    <instance id="1" state="terminated" reason="rejected"/>
  </resource>
</list>

--tuLLl3lDyPZX0GMr2YOo
Content-Transfer-Encoding: binary
Content-ID: <JVRubU@example.org>
Content-Type: application/pidf+xml;charset="UTF-8"

<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    entity="sip:ed@example.org">
  <tuple id="ajisks">
    <status>
      <basic>open</basic>
    </status>
  </tuple>
</presence>

--tuLLl3lDyPZX0GMr2YOo--

--l3WMZaaL8NpQWGnQ4mlU
Content-Transfer-Encoding: binary
Content-ID: <KEFA7sAJ@example.org>
Content-Type: application/pkcs7-signature;name=smime.p7s
Content-Disposition: attachment;handling=required;filename=smime.p7s

[PKCS #7 signature here]

--l3WMZaaL8NpQWGnQ4mlU--

--50UBfW7LSCVLtggUPe5z--
"#;

/// The partial NOTIFY that follows in RFC 4662 §6: Ed's subscription is now active.
const RFC4662_PARTIAL_BODY: &str = r#"--TfZxoxgAvLqgj4wRWPDL
Content-Transfer-Encoding: binary
Content-ID: <hh8juja87s997-ascjhnhsj@pres.example.com>
Content-Type: application/rlmi+xml;charset="UTF-8"

<?xml version="1.0" encoding="UTF-8"?>
<list xmlns="urn:ietf:params:xml:ns:rlmi"
      uri="sip:adam-friends@pres.example.com" version="2"
      fullState="false">
  <name xml:lang="en">Buddy List at COM</name>
  <name xml:lang="de">Liste der Freunde an COM</name>
  <resource uri="sip:ed@example.net">
    <name>Ed at NET</name>
    <instance id="sdlkmeopdf" state="active"
              cid="gnsdgfoeed@pres.example.com"/>
  </resource>
</list>

--TfZxoxgAvLqgj4wRWPDL
Content-Transfer-Encoding: binary
Content-ID: <gnsdgfoeed@pres.example.com>
Content-Type: application/pidf+xml;charset="UTF-8"

<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    entity="sip:ed@example.net">
  <tuple id="s8d9f0">
    <status>
      <basic>open</basic>
    </status>
  </tuple>
</presence>

--TfZxoxgAvLqgj4wRWPDL--
"#;

const RFC4662_PARTIAL_CONTENT_TYPE: &str = "multipart/related;type=\"application/rlmi+xml\";start=\"<hh8juja87s997-ascjhnhsj@pres.example.com>\";boundary=\"TfZxoxgAvLqgj4wRWPDL\"";

fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

fn full() -> RlsNotify {
    parse_rls_notify(RFC4662_CONTENT_TYPE, &crlf(RFC4662_BODY)).unwrap()
}

#[test]
fn rfc4662_full_notify() {
    let notify = full();
    assert_eq!(notify.uri, "sip:adam-friends@pres.example.com");
    assert_eq!(notify.version, 1);
    assert!(notify.full_state);
    assert_eq!(
        name_in(&notify.names, "de"),
        Some("Liste der Freunde an COM")
    );
    assert_eq!(notify.resources.len(), 4);

    let bob = &notify.resources[0];
    assert_eq!(bob.uri, "sip:bob@example.com");
    assert_eq!(bob.display_name(), Some("Bob Smith"));
    assert_eq!(bob.state(), Some(InstanceState::Active));
    let (ct, bytes) = bob.document().unwrap();
    assert!(ct.is("application/pidf+xml"));
    let pidf = xml::parse(bytes).unwrap();
    assert_eq!(pidf.attr("entity"), Some("sip:bob@example.com"));

    let ed = &notify.resources[2];
    assert_eq!(ed.state(), Some(InstanceState::Pending));
    assert_eq!(ed.primary().unwrap().body, ResourceBody::None);
    assert!(ed.document().is_none());

    let org = &notify.resources[3];
    assert_eq!(name_in(&org.names, "en"), Some("My Friends at ORG"));
    let ResourceBody::List(nested) = &org.primary().unwrap().body else {
        panic!("nested list expected, got {:?}", org.primary());
    };
    assert_eq!(nested.uri, "sip:adam-friends@example.org");
    assert_eq!(nested.resources[0].uri, "sip:ed@example.org");
    assert!(nested.resources[0].document().is_some());
    let fred = &nested.resources[1];
    assert_eq!(fred.state(), Some(InstanceState::Terminated));
    assert_eq!(fred.reason(), Some("rejected"));
}

#[test]
fn rfc4662_full_notify_with_bare_lf() {
    let lf = parse_rls_notify(RFC4662_CONTENT_TYPE, RFC4662_BODY.as_bytes()).unwrap();
    let crlf = full();
    assert_eq!(lf.resources.len(), crlf.resources.len());
    for (a, b) in lf.resources.iter().zip(&crlf.resources) {
        assert_eq!(a.uri, b.uri);
        assert_eq!(a.state(), b.state());
        assert_eq!(a.document().is_some(), b.document().is_some());
    }
}

#[test]
fn rlmi_document_round_trip_and_prefixes() {
    let mp = multipart::parse(RFC4662_CONTENT_TYPE, &crlf(RFC4662_BODY)).unwrap();
    let list = parse(&mp.root().unwrap().body).unwrap();
    assert_eq!(list.resources[2].instances[0].cid, None);
    assert_eq!(
        list.resources[0].instances[0].cid.as_deref(),
        Some("bUZBsM@pres.example.com")
    );
    let written = to_xml(&list);
    assert_eq!(parse(written.as_bytes()).unwrap(), list);

    let prefixed = r#"<r:list xmlns:r="urn:ietf:params:xml:ns:rlmi" xmlns:x="urn:example:ext"
        uri="sip:l@x" version="7" fullState="false" cid="abc@x">
      <r:name xml:lang="en">L</r:name>
      <x:name>not an RLMI name</x:name>
      <r:resource uri="sip:a@x"><r:instance id="i" state="terminated" reason="noresource"/><x:extra/></r:resource>
      <x:resource uri="sip:ignored@x"/>
    </r:list>"#;
    let list = parse(prefixed.as_bytes()).unwrap();
    assert_eq!(list.version, 7);
    assert!(!list.full_state);
    assert_eq!(list.cid.as_deref(), Some("abc@x"));
    assert_eq!(list.names.len(), 1);
    assert_eq!(list.resources.len(), 1);
    assert_eq!(
        list.resources[0].instances[0].reason.as_deref(),
        Some("noresource")
    );
    assert_eq!(parse(to_xml(&list).as_bytes()).unwrap(), list);
}

#[test]
fn bad_rlmi_documents() {
    let missing = br#"<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:l@x" fullState="true"/>"#;
    assert_eq!(
        parse(missing),
        Err(RlsError::MissingAttribute {
            element: "list",
            attribute: "version"
        })
    );
    let bad_version = br#"<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:l@x" version="-1" fullState="true"/>"#;
    assert!(matches!(
        parse(bad_version),
        Err(RlsError::BadAttribute {
            attribute: "version",
            ..
        })
    ));
    let wrong_ns = br#"<list xmlns="urn:ietf:params:xml:ns:rmli" uri="sip:l@x" version="1" fullState="true"/>"#;
    assert!(matches!(
        parse(wrong_ns),
        Err(RlsError::Xml(XmlError::WrongRoot { .. }))
    ));
    // Bad entries are skipped, not fatal.
    let lenient = br#"<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:l@x" version="1" fullState="true">
        <resource><instance id="a" state="active"/></resource>
        <resource uri="sip:a@x"><instance state="active"/><instance id="b" state="sleepy"/><instance id="c" state="pending"/></resource>
    </list>"#;
    let list = parse(lenient).unwrap();
    assert_eq!(list.resources.len(), 1);
    assert_eq!(list.resources[0].instances.len(), 1);
    assert_eq!(list.resources[0].instances[0].id, "c");
}

#[test]
fn rlmi_alone_and_missing_parts() {
    let rlmi = br#"<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:l@x" version="0" fullState="true">
        <resource uri="sip:a@x"><name>A</name><instance id="1" state="active" cid="gone@x"/></resource>
        <resource uri="sip:b@x"/>
    </list>"#;
    let notify = parse_rls_notify("application/rlmi+xml;charset=UTF-8", rlmi).unwrap();
    let a = &notify.resources[0];
    assert_eq!(a.state(), Some(InstanceState::Active));
    assert_eq!(a.display_name(), Some("A"));
    assert_eq!(
        a.primary().unwrap().body,
        ResourceBody::Missing {
            cid: "gone@x".into()
        }
    );
    assert_eq!(notify.resources[1].state(), None);

    // The same in a multipart body that lacks the part.
    let (ct, body) = multipart::build_related(&[Part::new(
        ContentType::new(RLMI_CONTENT_TYPE),
        Some("root@x"),
        rlmi.to_vec(),
    )]);
    let notify = parse_rls_notify(&ct, &body).unwrap();
    assert_eq!(
        notify.resources[0].primary().unwrap().body,
        ResourceBody::Missing {
            cid: "gone@x".into()
        }
    );
}

#[test]
fn notify_errors_are_typed() {
    assert!(matches!(
        parse_rls_notify("application/pidf+xml", b"<presence/>"),
        Err(RlsError::UnexpectedContentType(_))
    ));
    assert_eq!(
        parse_rls_notify("multipart/related", b"--q\r\n\r\nx\r\n--q--"),
        Err(RlsError::Multipart(MultipartError::NoBoundary))
    );
    assert_eq!(
        parse_rls_notify("multipart/related;boundary=q", b"--q\r\n\r\nx\r\n--q\r\n"),
        Err(RlsError::Multipart(MultipartError::Unterminated))
    );
    assert_eq!(
        parse_rls_notify(
            "multipart/related;boundary=q",
            b"--q\r\nContent-Type: application/pidf+xml\r\n\r\nx\r\n--q--"
        ),
        Err(RlsError::RootNotRlmi("application/pidf+xml".into()))
    );
    assert_eq!(
        parse_rls_notify(
            "multipart/related;boundary=q;start=\"<no@x>\"",
            b"--q\r\n\r\nx\r\n--q--"
        ),
        Err(RlsError::NoRootPart)
    );
}

#[test]
fn duplicate_cid_is_handed_out_once_and_base64_is_unreadable() {
    let rlmi =
        br#"<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:l@x" version="1" fullState="true">
        <resource uri="sip:a@x"><instance id="1" state="active" cid="d@x"/></resource>
        <resource uri="sip:b@x"><instance id="1" state="active" cid="&lt;d@x&gt;"/></resource>
        <resource uri="sip:c@x"><instance id="1" state="active" cid="e@x"/></resource>
    </list>"#;
    let mut encoded = Part::new(
        ContentType::new("application/pidf+xml"),
        Some("e@x"),
        b"PHA+".to_vec(),
    );
    encoded.transfer_encoding = Some("base64".into());
    let (ct, body) = multipart::build_related(&[
        Part::new(
            ContentType::new(RLMI_CONTENT_TYPE),
            Some("r@x"),
            rlmi.to_vec(),
        ),
        Part::new(
            ContentType::new("application/pidf+xml"),
            Some("d@x"),
            b"<p/>".to_vec(),
        ),
        encoded,
    ]);
    let notify = parse_rls_notify(&ct, &body).unwrap();
    assert!(notify.resources[0].document().is_some());
    assert_eq!(
        notify.resources[1].primary().unwrap().body,
        ResourceBody::Unreadable {
            cid: "d@x".into(),
            error: RlsError::DuplicateCid("d@x".into())
        }
    );
    assert!(matches!(
        &notify.resources[2].primary().unwrap().body,
        ResourceBody::Unreadable {
            error: RlsError::Multipart(MultipartError::UnsupportedTransferEncoding { .. }),
            ..
        }
    ));
}

#[test]
fn nested_list_bomb_is_contained() {
    // Each level is a list whose one resource is the next level's list.
    let mut ct = String::new();
    let mut body = Vec::new();
    for level in 0..(multipart::MAX_NESTING + 3) {
        let rlmi = format!(
            r#"<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:l{level}@x" version="1" fullState="true"><resource uri="sip:r{level}@x"><instance id="1" state="active" cid="n{level}@x"/></resource></list>"#
        );
        let mut parts = vec![Part::new(
            ContentType::new(RLMI_CONTENT_TYPE),
            Some("root@x"),
            rlmi.into_bytes(),
        )];
        if level > 0 {
            parts.push(Part::new(
                ContentType::parse(&ct).unwrap(),
                Some(&format!("n{level}@x")),
                body,
            ));
        }
        (ct, body) = multipart::build_related(&parts);
    }
    let mut notify = parse_rls_notify(&ct, &body).unwrap();
    let mut depth = 0;
    loop {
        match &notify.resources[0].primary().unwrap().body {
            ResourceBody::List(inner) => {
                notify = (**inner).clone();
                depth += 1;
            }
            ResourceBody::Unreadable { error, .. } => {
                assert_eq!(*error, RlsError::Multipart(MultipartError::TooDeep));
                break;
            }
            other => panic!("unexpected {other:?} at depth {depth}"),
        }
    }
    assert_eq!(depth, multipart::MAX_NESTING);
}

#[test]
fn five_thousand_contacts() {
    let mut rlmi = String::from(
        r#"<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:l@x" version="1" fullState="true">"#,
    );
    let mut parts = vec![];
    for i in 0..5_000 {
        rlmi.push_str(&format!(
            r#"<resource uri="sip:u{i}@x"><name>User {i}</name><instance id="1" state="active" cid="c{i}@x"/></resource>"#
        ));
        parts.push(Part::new(
            ContentType::new("application/pidf+xml"),
            Some(&format!("c{i}@x")),
            format!(r#"<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:u{i}@x"/>"#)
                .into_bytes(),
        ));
    }
    rlmi.push_str("</list>");
    parts.insert(
        0,
        Part::new(
            ContentType::new(RLMI_CONTENT_TYPE),
            Some("root@x"),
            rlmi.into_bytes(),
        ),
    );
    let (ct, body) = multipart::build_related(&parts);
    let start = std::time::Instant::now();
    let notify = parse_rls_notify(&ct, &body).unwrap();
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(notify.resources.len(), 5_000);
    assert!(notify.resources.iter().all(|r| r.document().is_some()));

    let mut state = ListState::new();
    let ListUpdate::Applied { changed, .. } = state.apply(notify) else {
        panic!()
    };
    assert_eq!(changed.len(), 5_000);
    assert_eq!(
        state.resource("sip:u4999@x").unwrap().display_name(),
        Some("User 4999")
    );
}

#[test]
fn list_state_applies_versions_in_order() {
    let mut state = ListState::new();
    let partial =
        parse_rls_notify(RFC4662_PARTIAL_CONTENT_TYPE, &crlf(RFC4662_PARTIAL_BODY)).unwrap();

    // A partial before any full state cannot be applied.
    assert_eq!(
        state.apply(partial.clone()),
        ListUpdate::NeedsRefresh {
            expected: None,
            received: 2
        }
    );

    let ListUpdate::Applied { changed, removed } = state.apply(full()) else {
        panic!()
    };
    assert_eq!(changed.len(), 4);
    assert!(removed.is_empty());
    assert_eq!(state.version(), Some(1));
    assert_eq!(
        state.resource("sip:ed@example.net").unwrap().state(),
        Some(InstanceState::Pending)
    );

    // The same full state again changes nothing.
    assert_eq!(
        state.apply(full()),
        ListUpdate::Applied {
            changed: vec![],
            removed: vec![]
        }
    );

    assert_eq!(
        state.apply(partial.clone()),
        ListUpdate::Applied {
            changed: vec!["sip:ed@example.net".into()],
            removed: vec![]
        }
    );
    let ed = state.resource("sip:ed@example.net").unwrap();
    assert_eq!(ed.state(), Some(InstanceState::Active));
    assert!(ed.document().is_some());
    assert!(
        state
            .resource("sip:bob@example.com")
            .unwrap()
            .document()
            .is_some(),
        "untouched"
    );

    // Replayed or older: ignored.
    assert_eq!(
        state.apply(partial.clone()),
        ListUpdate::Stale {
            received: 2,
            current: 2
        }
    );
    assert_eq!(
        state.apply(full()),
        ListUpdate::Stale {
            received: 1,
            current: 2
        }
    );

    // A gap: refresh needed, nothing applied.
    let mut gap = partial.clone();
    gap.version = 4;
    assert_eq!(
        state.apply(gap),
        ListUpdate::NeedsRefresh {
            expected: Some(3),
            received: 4
        }
    );
    assert_eq!(state.version(), Some(2));

    // Active again with no new document keeps the last one.
    let mut same = partial.clone();
    same.version = 3;
    same.resources[0].instances[0].body = ResourceBody::None;
    assert_eq!(
        state.apply(same),
        ListUpdate::Applied {
            changed: vec![],
            removed: vec![]
        }
    );
    assert!(state
        .resource("sip:ed@example.net")
        .unwrap()
        .document()
        .is_some());

    // Terminated: the document goes, the reason is kept.
    let mut ended = partial;
    ended.version = 4;
    ended.resources[0].instances[0].instance.state = InstanceState::Terminated;
    ended.resources[0].instances[0].instance.reason = Some("timeout".into());
    ended.resources[0].instances[0].body = ResourceBody::None;
    state.apply(ended);
    let ed = state.resource("sip:ed@example.net").unwrap();
    assert_eq!(ed.state(), Some(InstanceState::Terminated));
    assert_eq!(ed.reason(), Some("timeout"));
    assert!(ed.document().is_none());

    // A new full state drops resources it no longer lists.
    let mut smaller = full();
    smaller.version = 5;
    smaller.resources.truncate(1);
    let ListUpdate::Applied { removed, .. } = state.apply(smaller) else {
        panic!()
    };
    assert_eq!(removed.len(), 3);
    assert_eq!(state.resources().len(), 1);

    state.reset();
    assert_eq!(state.version(), None);
}

#[test]
fn arbitrary_bodies_never_panic() {
    let body = crlf(RFC4662_BODY);
    for cut in (0..body.len()).step_by(7) {
        let _ = parse_rls_notify(RFC4662_CONTENT_TYPE, &body[..cut]);
        let mut flipped = body.clone();
        flipped[cut] = b'-';
        let _ = parse_rls_notify(RFC4662_CONTENT_TYPE, &flipped);
    }
}

/// Real NOTIFYs captured from Kamailio rls: the first (full state, no
/// instances yet), then Bob's presence arriving as a partial update.
#[test]
fn kamailio_rls_notifies() {
    let full_ct = include_str!(
        "../../tests/fixtures/presence/kamailio-rlmi-notify-full.multipart.content-type"
    );
    let full_body =
        include_bytes!("../../tests/fixtures/presence/kamailio-rlmi-notify-full.multipart");
    let bob_ct = include_str!(
        "../../tests/fixtures/presence/kamailio-rlmi-notify-bob.multipart.content-type"
    );
    let bob_body =
        include_bytes!("../../tests/fixtures/presence/kamailio-rlmi-notify-bob.multipart");

    let full = parse_rls_notify(full_ct.trim(), full_body).unwrap();
    assert_eq!(full.uri, "sip:alice-buddies@hark.test");
    assert!(full.full_state);
    let uris: Vec<&str> = full.resources.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(uris, ["sip:bob@hark.test", "sip:carol@hark.test"]);
    assert!(full.resources.iter().all(|r| r.state().is_none()));

    let bob = parse_rls_notify(bob_ct.trim(), bob_body).unwrap();
    assert_eq!(bob.version, 2);
    assert!(!bob.full_state);
    let (ct, pidf) = bob.resources[0].document().unwrap();
    assert!(ct.is("application/pidf+xml"));
    let presence = xml::parse(pidf).unwrap();
    assert_eq!(presence.attr("entity"), Some("sip:bob@hark.test"));

    let mut state = ListState::new();
    assert!(matches!(state.apply(full), ListUpdate::Applied { .. }));
    assert_eq!(
        state.apply(bob),
        ListUpdate::Applied {
            changed: vec!["sip:bob@hark.test".into()],
            removed: vec![]
        }
    );
    assert_eq!(
        state.resource("sip:bob@hark.test").unwrap().state(),
        Some(InstanceState::Active)
    );
    assert_eq!(state.resource("sip:carol@hark.test").unwrap().state(), None);
}
