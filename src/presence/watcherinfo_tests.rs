use super::*;

/// RFC 3858 §5.
const RFC3858_EXAMPLE: &str = r#"<?xml version="1.0"?>
<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo"
             version="0" state="full">
  <watcher-list resource="sip:professor@example.net" package="presence">
    <watcher status="active"
             id="8ajksjda7s"
             duration-subscribed="509"
             event="approved" >sip:userA@example.net</watcher>
    <watcher status="pending"
             id="hh8juja87s997-ass7"
             display-name="Mr. Subscriber"
             event="subscribe">sip:userB@example.org</watcher>
  </watcher-list>
</watcherinfo>
"#;

/// What Kamailio's presence module (create_winfo_xml) sends: libxml2
/// formatted output, event always "subscribe".
const KAMAILIO_WINFO: &str = r#"<?xml version="1.0"?>
<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="3" state="full">
  <watcher-list resource="sip:alice@example.com" package="presence">
    <watcher id="a7c1.5e2b" event="subscribe" status="pending">sip:bob@example.com</watcher>
    <watcher id="0b21.9f0d" event="subscribe" status="active">sip:carol@example.com</watcher>
  </watcher-list>
</watcherinfo>
"#;

fn partial(version: u64, watchers: Vec<Watcher>) -> WatcherInfo {
    WatcherInfo {
        version,
        state: DocumentState::Partial,
        lists: vec![WatcherList {
            resource: "sip:professor@example.net".into(),
            package: "presence".into(),
            watchers,
        }],
    }
}

fn watcher(id: &str, uri: &str, status: WatcherStatus) -> Watcher {
    Watcher {
        id: id.into(),
        uri: uri.into(),
        display_name: None,
        status,
        event: WatcherEvent::Subscribe,
        expiration: None,
        duration_subscribed: None,
    }
}

#[test]
fn parses_the_rfc_example() {
    let info = parse(RFC3858_EXAMPLE.as_bytes()).unwrap();
    assert_eq!(info.version, 0);
    assert_eq!(info.state, DocumentState::Full);
    assert_eq!(info.lists.len(), 1);
    let list = &info.lists[0];
    assert_eq!(list.resource, "sip:professor@example.net");
    assert_eq!(list.package, "presence");
    assert_eq!(
        list.watchers[0],
        Watcher {
            id: "8ajksjda7s".into(),
            uri: "sip:userA@example.net".into(),
            display_name: None,
            status: WatcherStatus::Active,
            event: WatcherEvent::Approved,
            expiration: None,
            duration_subscribed: Some(509),
        }
    );
    assert_eq!(
        list.watchers[1].display_name.as_deref(),
        Some("Mr. Subscriber")
    );
    assert_eq!(list.watchers[1].status, WatcherStatus::Pending);
}

#[test]
fn round_trips() {
    for doc in [RFC3858_EXAMPLE, KAMAILIO_WINFO] {
        let info = parse(doc.as_bytes()).unwrap();
        let again = parse(build(&info).as_bytes()).unwrap();
        assert_eq!(info, again);
    }
}

#[test]
fn prefixed_namespace_is_the_same_document() {
    let prefixed = r#"<w:watcherinfo xmlns:w="urn:ietf:params:xml:ns:watcherinfo" version="0" state="full">
      <w:watcher-list resource="sip:professor@example.net" package="presence">
        <w:watcher status="active" id="8ajksjda7s" duration-subscribed="509" event="approved">sip:userA@example.net</w:watcher>
        <w:watcher status="pending" id="hh8juja87s997-ass7" display-name="Mr. Subscriber" event="subscribe">sip:userB@example.org</w:watcher>
      </w:watcher-list></w:watcherinfo>"#;
    assert_eq!(
        parse(prefixed.as_bytes()).unwrap(),
        parse(RFC3858_EXAMPLE.as_bytes()).unwrap()
    );
}

#[test]
fn kamailio_body_gives_pending_watchers() {
    let mut table = WatcherTable::new();
    let info = parse(KAMAILIO_WINFO.as_bytes()).unwrap();
    assert_eq!(table.apply(&info), ApplyOutcome::Applied);
    let pending: Vec<_> = table.pending().iter().map(|w| w.uri.clone()).collect();
    assert_eq!(pending, ["sip:bob@example.com"]);
    assert_eq!(table.watchers().count(), 2);
}

#[test]
fn partial_updates_apply_in_order() {
    let mut table = WatcherTable::new();
    table.apply(&parse(RFC3858_EXAMPLE.as_bytes()).unwrap());
    // userB approved, a new watcher arrives.
    let mut approved = watcher(
        "hh8juja87s997-ass7",
        "sip:userB@example.org",
        WatcherStatus::Active,
    );
    approved.event = WatcherEvent::Approved;
    let update = partial(
        1,
        vec![
            approved,
            watcher("n3w", "sip:userC@example.org", WatcherStatus::Pending),
        ],
    );
    assert_eq!(table.apply(&update), ApplyOutcome::Applied);
    let pending: Vec<_> = table.pending().iter().map(|w| w.uri.clone()).collect();
    assert_eq!(pending, ["sip:userC@example.org"]);
    // userA unsubscribes.
    let gone = partial(
        2,
        vec![watcher(
            "8ajksjda7s",
            "sip:userA@example.net",
            WatcherStatus::Terminated,
        )],
    );
    assert_eq!(table.apply(&gone), ApplyOutcome::Applied);
    assert!(table.watchers().all(|w| w.id != "8ajksjda7s"));
    assert_eq!(table.version(), Some(2));
}

#[test]
fn version_gap_in_partial_asks_for_resync() {
    let mut table = WatcherTable::new();
    table.apply(&parse(RFC3858_EXAMPLE.as_bytes()).unwrap());
    let update = partial(
        3,
        vec![watcher("x", "sip:x@example.org", WatcherStatus::Pending)],
    );
    assert_eq!(
        table.apply(&update),
        ApplyOutcome::ResyncNeeded {
            expected: Some(1),
            received: 3
        }
    );
    assert_eq!(table.version(), Some(0));
    assert!(table.watchers().all(|w| w.id != "x"));
    // A full document with any newer version repairs the table.
    let mut full = parse(KAMAILIO_WINFO.as_bytes()).unwrap();
    full.version = 7;
    assert_eq!(table.apply(&full), ApplyOutcome::Applied);
    assert_eq!(table.version(), Some(7));
}

#[test]
fn partial_before_full_state_asks_for_resync() {
    let mut table = WatcherTable::new();
    let update = partial(0, vec![]);
    assert_eq!(
        table.apply(&update),
        ApplyOutcome::ResyncNeeded {
            expected: None,
            received: 0
        }
    );
}

#[test]
fn old_or_duplicate_versions_are_ignored() {
    let mut table = WatcherTable::new();
    let mut info = parse(KAMAILIO_WINFO.as_bytes()).unwrap();
    table.apply(&info);
    assert_eq!(
        table.apply(&info),
        ApplyOutcome::Stale {
            local: 3,
            received: 3
        }
    );
    info.version = 2;
    info.lists.clear();
    assert!(matches!(table.apply(&info), ApplyOutcome::Stale { .. }));
    assert_eq!(table.watchers().count(), 2);
    table.reset();
    assert_eq!(table.apply(&info), ApplyOutcome::Applied);
    assert_eq!(table.watchers().count(), 0);
}

#[test]
fn one_pending_entry_per_uri() {
    let mut table = WatcherTable::new();
    let mut info = partial(
        0,
        vec![
            watcher("1", "sip:bob@example.com", WatcherStatus::Pending),
            watcher("2", "sip:bob@example.com", WatcherStatus::Waiting),
        ],
    );
    info.state = DocumentState::Full;
    table.apply(&info);
    assert_eq!(table.pending().len(), 1);
}

#[test]
fn invalid_watchers_are_skipped_and_bad_roots_refused() {
    let doc = r#"<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="1" state="partial">
      <watcher-list resource="sip:a@b" package="presence">
        <watcher id="1" status="sleeping" event="subscribe">sip:x@y</watcher>
        <watcher status="pending" event="subscribe">sip:noid@y</watcher>
        <watcher id="3" status="pending" event="subscribe">sip:ok@y</watcher>
      </watcher-list></watcherinfo>"#;
    let info = parse(doc.as_bytes()).unwrap();
    assert_eq!(info.lists[0].watchers.len(), 1);
    assert_eq!(info.lists[0].watchers[0].uri, "sip:ok@y");

    let no_version = r#"<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" state="full"/>"#;
    assert_eq!(parse(no_version.as_bytes()), Err(WatcherInfoError::Version));
    let bad_state =
        r#"<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="1" state="x"/>"#;
    assert_eq!(parse(bad_state.as_bytes()), Err(WatcherInfoError::State));
    let wrong_ns = r#"<watcherinfo version="1" state="full"/>"#;
    assert!(matches!(
        parse(wrong_ns.as_bytes()),
        Err(WatcherInfoError::Xml(XmlError::WrongRoot { .. }))
    ));
}

#[test]
fn hostile_inputs_never_panic() {
    let inputs: [&[u8]; 8] = [
        b"",
        b"\xff\xfe",
        b"<watcherinfo",
        br#"<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="18446744073709551615" state="partial"/>"#,
        br#"<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="-1" state="full"/>"#,
        br#"<!DOCTYPE x [<!ENTITY a "b">]><watcherinfo/>"#,
        br#"<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="1" state="full"><watcher-list><watcher id="1" status="active" event="approved" expiration="99999999999999999999999"/></watcher-list></watcherinfo>"#,
        br#"<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="1" state="full"><watcher-list/><watcher-list/></watcherinfo>"#,
    ];
    let mut table = WatcherTable::new();
    for input in inputs {
        if let Ok(info) = parse(input) {
            table.apply(&info);
            let _ = build(&info);
        }
    }
    // Version at u64::MAX followed by a partial cannot overflow.
    let mut table = WatcherTable::new();
    let mut info = partial(u64::MAX, vec![]);
    info.state = DocumentState::Full;
    table.apply(&info);
    assert!(matches!(
        table.apply(&partial(0, vec![])),
        ApplyOutcome::Stale { .. }
    ));
}
