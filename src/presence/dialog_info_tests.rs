use super::*;

/// RFC 4235 §5, the minimal example: Alice is placing a call.
const RFC4235_MINIMAL: &str = r#"<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info"
             version="0" state="full"
             entity="sip:alice@example.com">
  <dialog id="as7d900as8" call-id="a84b4c76e66710"
          local-tag="1928301774" direction="initiator">
    <state>trying</state>
  </dialog>
</dialog-info>
"#;

/// RFC 4235 §5, the fuller example: the call is up, with participants.
const RFC4235_FULL: &str = r#"<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info"
             version="1" state="full"
             entity="sip:alice@example.com">
  <dialog id="as7d900as8" call-id="a84b4c76e66710"
          local-tag="1928301774" remote-tag="456887766"
          direction="initiator">
    <state>confirmed</state>
    <duration>274</duration>
    <local>
      <identity display="Alice">sip:alice@example.com</identity>
      <target uri="sip:alice@pc33.example.com">
        <param pname="+sip.rendering" pval="yes"/>
      </target>
    </local>
    <remote>
      <identity display="Bob">sip:bob@example.org</identity>
      <target uri="sip:bobster@phone21.example.org"/>
    </remote>
  </dialog>
</dialog-info>
"#;

/// What Kamailio's pua_dialoginfo publishes (remote before local, as it
/// writes them), for an incoming call that is ringing.
const KAMAILIO_STYLE: &str = r#"<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:bob@example.org">
  <dialog id="a84b4c76e66710" call-id="a84b4c76e66710" local-tag="456887766" remote-tag="1928301774" direction="recipient">
    <state>early</state>
    <remote>
      <identity>sip:alice@example.com</identity>
      <target uri="sip:alice@example.com"/>
    </remote>
    <local>
      <identity>sip:bob@example.org</identity>
      <target uri="sip:bob@example.org"/>
    </local>
  </dialog>
</dialog-info>
"#;

#[test]
fn rfc4235_minimal() {
    let info = parse(RFC4235_MINIMAL.as_bytes()).unwrap();
    assert_eq!(info.version, 0);
    assert_eq!(info.state, DocumentState::Full);
    assert_eq!(info.entity, "sip:alice@example.com");
    let d = &info.dialogs[0];
    assert_eq!(d.id, "as7d900as8");
    assert_eq!(d.call_id.as_deref(), Some("a84b4c76e66710"));
    assert_eq!(d.local_tag.as_deref(), Some("1928301774"));
    assert_eq!(d.remote_tag, None);
    assert_eq!(d.direction, Some(Direction::Initiator));
    assert_eq!(d.state, DialogState::Trying);
    assert_eq!(LineState::of(&info.dialogs), LineState::Dialing);
}

#[test]
fn rfc4235_full() {
    let info = parse(RFC4235_FULL.as_bytes()).unwrap();
    let d = &info.dialogs[0];
    assert_eq!(d.state, DialogState::Confirmed);
    assert_eq!(d.duration, Some(274));
    let local = d.local.as_ref().unwrap();
    assert_eq!(
        local.identity,
        Some(NameAddr {
            uri: "sip:alice@example.com".into(),
            display: Some("Alice".into())
        })
    );
    let target = local.target.as_ref().unwrap();
    assert_eq!(target.uri, "sip:alice@pc33.example.com");
    assert_eq!(target.params, vec![("+sip.rendering".into(), "yes".into())]);
    let remote = d.remote.as_ref().unwrap();
    assert_eq!(
        remote.identity.as_ref().unwrap().display.as_deref(),
        Some("Bob")
    );
    assert_eq!(
        remote.target.as_ref().unwrap().uri,
        "sip:bobster@phone21.example.org"
    );
    assert_eq!(LineState::of(&info.dialogs), LineState::InCall);
}

#[test]
fn round_trips() {
    for doc in [RFC4235_MINIMAL, RFC4235_FULL, KAMAILIO_STYLE] {
        let info = parse(doc.as_bytes()).unwrap();
        assert_eq!(parse(to_xml(&info).as_bytes()).unwrap(), info);
    }
    let mut everything = Dialog::new("d1", DialogState::Terminated);
    everything.event = Some("replaced".into());
    everything.code = Some(486);
    everything.replaces = Some(Replaces {
        call_id: "c".into(),
        local_tag: "l".into(),
        remote_tag: "r".into(),
    });
    everything.referred_by = Some(NameAddr {
        uri: "sip:carol@x".into(),
        display: Some("Carol <&>".into()),
    });
    everything.route_set = vec!["sip:p1@x;lr".into(), "sip:p2@x;lr".into()];
    everything.direction = Some(Direction::Recipient);
    let info = DialogInfo {
        version: 9,
        state: DocumentState::Partial,
        entity: "sip:a@x".into(),
        dialogs: vec![everything],
    };
    assert_eq!(parse(to_xml(&info).as_bytes()).unwrap(), info);
}

#[test]
fn prefixed_namespace_and_unknown_elements() {
    let doc = r#"<d:dialog-info xmlns:d="urn:ietf:params:xml:ns:dialog-info" xmlns:sa="urn:ietf:params:xml:ns:sa"
        version="3" state="partial" entity="sip:a@x">
      <d:dialog id="1" direction="recipient"><d:state event="cancelled" code="487">terminated</d:state>
        <sa:exten>1000</sa:exten>
        <d:local><d:session-description type="application/sdp">v=0</d:session-description></d:local>
      </d:dialog>
      <sa:dialog id="not-ours"><d:state>confirmed</d:state></sa:dialog>
      <d:dialog id="2"><d:state>ringing</d:state></d:dialog>
      <d:dialog><d:state>early</d:state></d:dialog>
    </d:dialog-info>"#;
    let info = parse(doc.as_bytes()).unwrap();
    assert_eq!(info.state, DocumentState::Partial);
    assert_eq!(
        info.dialogs.len(),
        1,
        "foreign, unknown-state and id-less dialogs skipped"
    );
    let d = &info.dialogs[0];
    assert_eq!(d.event.as_deref(), Some("cancelled"));
    assert_eq!(d.code, Some(487));
    assert_eq!(d.local, Some(Participant::default()));
}

#[test]
fn bad_documents_are_typed_errors() {
    let no_version = br#"<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" state="full" entity="sip:a@x"/>"#;
    assert_eq!(
        parse(no_version),
        Err(DialogInfoError::MissingAttribute("version"))
    );
    let bad_state = br#"<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="most" entity="sip:a@x"/>"#;
    assert!(matches!(
        parse(bad_state),
        Err(DialogInfoError::BadAttribute {
            attribute: "state",
            ..
        })
    ));
    let wrong_root = br#"<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@x"/>"#;
    assert!(matches!(
        parse(wrong_root),
        Err(DialogInfoError::Xml(XmlError::WrongRoot { .. }))
    ));
    for cut in 0..RFC4235_FULL.len() {
        let _ = parse(&RFC4235_FULL.as_bytes()[..cut]);
    }
}

fn dialog(id: &str, state: DialogState, direction: Option<Direction>) -> Dialog {
    Dialog {
        direction,
        ..Dialog::new(id, state)
    }
}

#[test]
fn line_state_aggregation() {
    use DialogState::*;
    use Direction::*;
    assert_eq!(LineState::of(&[]), LineState::Idle);
    assert_eq!(
        LineState::of(&[dialog("a", Terminated, Some(Initiator))]),
        LineState::Idle
    );
    assert_eq!(
        LineState::of(&[dialog("a", Early, Some(Recipient))]),
        LineState::Ringing
    );
    assert_eq!(
        LineState::of(&[dialog("a", Proceeding, Some(Recipient))]),
        LineState::Ringing
    );
    assert_eq!(
        LineState::of(&[dialog("a", Early, Some(Initiator))]),
        LineState::Dialing
    );
    assert_eq!(
        LineState::of(&[dialog("a", Early, None)]),
        LineState::Ringing
    );
    assert_eq!(
        LineState::of(&[dialog("a", Trying, None)]),
        LineState::Dialing
    );
    assert_eq!(
        LineState::of(&[
            dialog("a", Early, Some(Initiator)),
            dialog("b", Early, Some(Recipient)),
        ]),
        LineState::Ringing
    );
    assert_eq!(
        LineState::of(&[
            dialog("a", Early, Some(Recipient)),
            dialog("b", Confirmed, Some(Initiator)),
            dialog("c", Terminated, None),
        ]),
        LineState::InCall
    );
}

fn info(version: u32, state: DocumentState, dialogs: Vec<Dialog>) -> DialogInfo {
    DialogInfo {
        version,
        state,
        entity: "sip:bob@x".into(),
        dialogs,
    }
}

#[test]
fn dialog_table_versions() {
    use DialogState::*;
    use DocumentState::*;
    let mut table = DialogTable::new();
    assert_eq!(
        table.apply(info(5, Partial, vec![])),
        DialogUpdate::NeedsRefresh {
            expected: None,
            received: 5
        }
    );
    assert_eq!(
        table.apply(info(
            0,
            Full,
            vec![dialog("a", Early, Some(Direction::Recipient))]
        )),
        DialogUpdate::Applied {
            line: LineState::Ringing,
            changed: true
        }
    );
    assert_eq!(table.entity(), Some("sip:bob@x"));
    // Same full state again: applied, nothing changed.
    assert_eq!(
        table.apply(info(
            0,
            Full,
            vec![dialog("a", Early, Some(Direction::Recipient))]
        )),
        DialogUpdate::Applied {
            line: LineState::Ringing,
            changed: false
        }
    );
    assert_eq!(
        table.apply(info(
            1,
            Partial,
            vec![dialog("a", Confirmed, Some(Direction::Recipient))]
        )),
        DialogUpdate::Applied {
            line: LineState::InCall,
            changed: true
        }
    );
    // A second call rings in while the first is up (partial adds it).
    table.apply(info(
        2,
        Partial,
        vec![dialog("b", Early, Some(Direction::Recipient))],
    ));
    assert_eq!(table.dialogs().len(), 2);
    assert_eq!(table.line_state(), LineState::InCall);
    assert_eq!(
        table.apply(info(2, Partial, vec![])),
        DialogUpdate::Stale {
            received: 2,
            current: 2
        }
    );
    assert_eq!(
        table.apply(info(1, Full, vec![])),
        DialogUpdate::Stale {
            received: 1,
            current: 2
        }
    );
    assert_eq!(
        table.apply(info(4, Partial, vec![])),
        DialogUpdate::NeedsRefresh {
            expected: Some(3),
            received: 4
        }
    );
    // The first call ends: dropped from the table; the second still rings.
    assert_eq!(
        table.apply(info(3, Partial, vec![dialog("a", Terminated, None)])),
        DialogUpdate::Applied {
            line: LineState::Ringing,
            changed: true
        }
    );
    assert_eq!(table.dialogs().len(), 1);
    // A full state with no dialogs: idle.
    assert_eq!(
        table.apply(info(4, Full, vec![])),
        DialogUpdate::Applied {
            line: LineState::Idle,
            changed: true
        }
    );
    table.reset();
    assert_eq!(table.version(), None);
}

#[test]
fn own_publish_document_matches_pua_dialoginfo() {
    let call = OwnCall {
        id: "a84b4c76e66710".into(),
        call_id: "a84b4c76e66710".into(),
        local_tag: Some("1928301774".into()),
        remote_tag: None,
        direction: Direction::Initiator,
        state: DialogState::Early,
        local_target: Some("sip:alice@192.0.2.4:5060;transport=tcp".into()),
        remote_identity: "sip:bob@example.org".into(),
        remote_display: Some("Bob".into()),
        remote_target: None,
    };
    let doc = publish_document("sip:alice@example.com", 0, &[call]);
    let text = to_xml(&doc);
    assert!(text.contains(r#"<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:alice@example.com">"#), "{text}");
    assert!(text.contains(r#"<dialog id="a84b4c76e66710" call-id="a84b4c76e66710" local-tag="1928301774" direction="initiator"><state>early</state>"#), "{text}");
    assert!(text.contains(r#"<local><identity>sip:alice@example.com</identity><target uri="sip:alice@192.0.2.4:5060;transport=tcp"/></local>"#), "{text}");
    assert!(text.contains(r#"<remote><identity display="Bob">sip:bob@example.org</identity><target uri="sip:bob@example.org"/></remote>"#), "{text}");
    assert_eq!(parse(text.as_bytes()).unwrap(), doc);

    let idle = publish_document("sip:alice@example.com", 1, &[]);
    assert_eq!(
        LineState::of(&parse(to_xml(&idle).as_bytes()).unwrap().dialogs),
        LineState::Idle
    );
}

#[test]
fn kamailio_style_document_reads_as_ringing() {
    let info = parse(KAMAILIO_STYLE.as_bytes()).unwrap();
    let d = &info.dialogs[0];
    assert_eq!(
        d.remote.as_ref().unwrap().identity.as_ref().unwrap().uri,
        "sip:alice@example.com"
    );
    assert_eq!(LineState::of(&info.dialogs), LineState::Ringing);
}

/// Real documents: what Kamailio presence_dialoginfo notified, and the
/// PUBLISH body (CRLF) sipp sent it.
#[test]
fn captured_documents() {
    for bytes in [
        &include_bytes!("../../tests/fixtures/presence/kamailio-dialog-info.xml")[..],
        &include_bytes!("../../tests/fixtures/presence/sipp-publish-dialog-info.xml")[..],
    ] {
        let info = parse(bytes).unwrap();
        assert_eq!(info.entity, "sip:alice@hark.test");
        assert_eq!(info.state, DocumentState::Full);
        let d = &info.dialogs[0];
        assert_eq!(d.call_id.as_deref(), Some("call-1234@127.0.0.1"));
        assert_eq!(d.direction, Some(Direction::Initiator));
        assert_eq!(
            d.remote
                .as_ref()
                .and_then(|r| r.identity.as_ref())
                .map(|i| i.uri.as_str()),
            Some("sip:carol@hark.test")
        );
        let mut table = DialogTable::new();
        assert_eq!(
            table.apply(info),
            DialogUpdate::Applied {
                line: LineState::InCall,
                changed: true
            }
        );
    }
}
