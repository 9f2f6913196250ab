use super::*;

fn root() -> XcapRoot {
    XcapRoot::new("http://example.com:5060/xcap-root/").unwrap()
}

#[test]
fn document_urls_follow_kamailio_layout() {
    let root = root();
    assert_eq!(
        root.user_document_url(Auid::PresRules, "sip:alice@example.com"),
        "http://example.com:5060/xcap-root/pres-rules/users/sip:alice@example.com/index"
    );
    assert_eq!(
        root.user_document_url(Auid::ResourceLists, "sip:alice@example.com"),
        "http://example.com:5060/xcap-root/resource-lists/users/sip:alice@example.com/index"
    );
    assert_eq!(
        root.user_document_url(Auid::OmaPresRules, "sip:alice@example.com"),
        "http://example.com:5060/xcap-root/org.openmobilealliance.pres-rules/users/sip:alice@example.com/pres-rules"
    );
    assert_eq!(
        root.caps_url(),
        "http://example.com:5060/xcap-root/xcap-caps/global/index"
    );
}

#[test]
fn xui_is_percent_encoded_only_where_needed() {
    let path =
        DocumentSelector::user(Auid::ResourceLists, "sip:a/b c%d?e#f\"@example.com;x=y").path();
    assert_eq!(
        path,
        "resource-lists/users/sip:a%2Fb%20c%25d%3Fe%23f%22@example.com;x=y/index"
    );
    let accented = DocumentSelector::user(Auid::PresRules, "sip:zoë@example.com").path();
    assert_eq!(accented, "pres-rules/users/sip:zo%C3%AB@example.com/index");
}

#[test]
fn node_selectors_escape_values() {
    // RFC 4825 §6.3 / RFC 4826 §3.3 style.
    let selector = NodeSelector::new()
        .element("resource-lists")
        .element_where("list", "name", "friends")
        .element_where("entry", "uri", "sip:bob@example.com");
    assert_eq!(
        selector.to_selector(),
        r#"resource-lists/list[@name="friends"]/entry[@uri="sip:bob@example.com"]"#
    );
    assert_eq!(
        selector.to_uri_part(),
        "~~/resource-lists/list%5B@name=%22friends%22%5D/entry%5B@uri=%22sip:bob@example.com%22%5D"
    );
    let tricky = NodeSelector::new()
        .element("resource-lists")
        .element_where("list", "name", "a \"b\" & <c>")
        .element_at("entry", 2)
        .attribute("uri");
    assert_eq!(
        tricky.to_selector(),
        r#"resource-lists/list[@name="a &quot;b&quot; &amp; &lt;c>"]/entry[2]/@uri"#
    );
    assert!(!tricky
        .to_uri_part()
        .contains([' ', '"', '<', '>', '[', ']']));
}

#[test]
fn rls_reference_points_into_resource_lists() {
    assert_eq!(
        resource_list_reference(&root(), "sip:alice@example.com", "buddies"),
        "http://example.com:5060/xcap-root/resource-lists/users/sip:alice@example.com/index/~~/resource-lists/list%5B@name=%22buddies%22%5D"
    );
}

#[test]
fn roots_must_be_http() {
    assert!(XcapRoot::new("https://xcap.example.com").is_ok());
    assert_eq!(root().as_str(), "http://example.com:5060/xcap-root");
    for bad in [
        "",
        "ftp://x",
        "http://",
        "http:///x",
        "example.com/xcap-root",
    ] {
        assert!(XcapRoot::new(bad).is_err(), "{bad}");
    }
}

#[test]
fn mime_types_per_auid() {
    assert_eq!(Auid::ResourceLists.mime(), "application/resource-lists+xml");
    assert_eq!(Auid::RlsServices.mime(), "application/rls-services+xml");
    assert_eq!(Auid::PresRules.mime(), "application/auth-policy+xml");
    assert_eq!(Auid::OmaPresRules.mime(), "application/auth-policy+xml");
    assert_eq!(Auid::XcapCaps.mime(), "application/xcap-caps+xml");
    assert_eq!(Auid::PidfManipulation.mime(), "application/pidf+xml");
    assert!(Auid::XcapCaps.is_global() && !Auid::PresRules.is_global());
}

#[test]
fn parses_the_rfc_uniqueness_failure() {
    // RFC 4825 §11.
    let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<xcap-error xmlns="urn:ietf:params:xml:ns:xcap-error">
  <uniqueness-failure>
    <exists field="rls-services/service/@uri">
      <alt-value>sip:mybuddies@example.com</alt-value>
    </exists>
  </uniqueness-failure>
</xcap-error>"#;
    let Some(XcapFailure::Conflict(Some(conflict))) = failure_for(409, body) else {
        panic!("409 with an xcap-error body");
    };
    assert_eq!(
        conflict.kind,
        ConflictKind::UniquenessFailure {
            exists: vec![UniquenessConflict {
                field: "rls-services/service/@uri".into(),
                alt_values: vec!["sip:mybuddies@example.com".into()],
            }]
        }
    );
    assert!(XcapFailure::Conflict(Some(conflict))
        .user_message()
        .contains("try sip:mybuddies@example.com"));
}

#[test]
fn every_conflict_kind_and_phrase() {
    let cases = [
        ("<not-well-formed/>", ConflictKind::NotWellFormed),
        ("<not-utf-8/>", ConflictKind::NotUtf8),
        ("<not-xml-frag/>", ConflictKind::NotXmlFrag),
        ("<not-xml-att-value/>", ConflictKind::NotXmlAttValue),
        ("<schema-validation-error/>", ConflictKind::SchemaValidationError),
        (
            "<no-parent><ancestor>http://x/resource-lists/users/sip:a@b/index</ancestor></no-parent>",
            ConflictKind::NoParent {
                ancestor: Some("http://x/resource-lists/users/sip:a@b/index".into()),
            },
        ),
        ("<cannot-insert/>", ConflictKind::CannotInsert),
        ("<cannot-delete/>", ConflictKind::CannotDelete),
        ("<constraint-failure/>", ConflictKind::ConstraintFailure),
        (
            r#"<extension><v:too-big xmlns:v="urn:example"/></extension>"#,
            ConflictKind::Other("too-big".into()),
        ),
    ];
    for (inner, kind) in cases {
        let body = format!(
            r#"<xcap-error xmlns="urn:ietf:params:xml:ns:xcap-error">{inner}</xcap-error>"#
        );
        let conflict = parse_xcap_error(body.as_bytes()).unwrap();
        assert_eq!(conflict.kind, kind, "{inner}");
        assert!(!conflict.reason().is_empty());
    }
    let with_phrase = br#"<e:xcap-error xmlns:e="urn:ietf:params:xml:ns:xcap-error"><e:constraint-failure phrase="Too many rules"/></e:xcap-error>"#;
    let conflict = parse_xcap_error(with_phrase).unwrap();
    assert_eq!(conflict.reason(), "Too many rules");
}

#[test]
fn status_codes_map_to_causes() {
    assert_eq!(failure_for(200, b""), None);
    assert_eq!(failure_for(201, b""), None);
    assert_eq!(failure_for(304, b""), None);
    assert_eq!(failure_for(401, b""), Some(XcapFailure::Unauthorized));
    assert_eq!(failure_for(403, b""), Some(XcapFailure::Forbidden));
    assert_eq!(failure_for(404, b""), Some(XcapFailure::NotFound));
    assert_eq!(
        failure_for(409, b"not xml"),
        Some(XcapFailure::Conflict(None))
    );
    assert_eq!(failure_for(412, b""), Some(XcapFailure::PreconditionFailed));
    assert_eq!(failure_for(501, b""), Some(XcapFailure::NotImplemented));
    assert_eq!(failure_for(500, b""), Some(XcapFailure::Server(500)));
    assert_eq!(failure_for(302, b""), Some(XcapFailure::Unexpected(302)));
    for code in [401, 403, 404, 405, 409, 412, 500, 501, 302] {
        assert!(!failure_for(code, b"").unwrap().user_message().is_empty());
    }
}

/// The pending edit: append a line to whatever is there.
fn append(current: Option<&[u8]>) -> Result<String, String> {
    let current = current
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    if current.contains("poison") {
        return Err("cannot edit".into());
    }
    Ok(format!("{current}+edit"))
}

#[test]
fn conditional_write_puts_over_the_cached_etag() {
    let mut write = ConditionalWrite::new(
        "http://x/doc".into(),
        "application/resource-lists+xml",
        append,
        3,
    );
    let cached = Document {
        etag: Some("sr-1-2-3".into()),
        body: b"v1".to_vec(),
    };
    assert_eq!(
        write.start(Some(&cached)),
        WriteStep::Put {
            url: "http://x/doc".into(),
            content_type: "application/resource-lists+xml",
            body: "v1+edit".into(),
            if_match: Some("\"sr-1-2-3\"".into()),
            create_only: false,
        }
    );
    assert_eq!(
        write.on_response(200, Some("\"sr-1-2-4\""), b""),
        WriteStep::Done {
            etag: Some("\"sr-1-2-4\"".into())
        }
    );
    assert_eq!(
        write.on_response(200, None, b""),
        WriteStep::Failed(WriteFailure::OutOfOrder)
    );
}

#[test]
fn conditional_write_refetches_and_reapplies_on_412() {
    let mut write = ConditionalWrite::new(
        "http://x/doc".into(),
        "application/auth-policy+xml",
        append,
        2,
    );
    let stale = Document {
        etag: Some("\"old\"".into()),
        body: b"v1".to_vec(),
    };
    assert!(matches!(write.start(Some(&stale)), WriteStep::Put { .. }));
    assert_eq!(
        write.on_response(412, None, b""),
        WriteStep::Get {
            url: "http://x/doc".into()
        }
    );
    let WriteStep::Put { body, if_match, .. } = write.on_response(200, Some("\"new\""), b"v2")
    else {
        panic!("PUT expected");
    };
    assert_eq!(body, "v2+edit");
    assert_eq!(if_match.as_deref(), Some("\"new\""));
    // A second 412 exhausts the two attempts.
    assert_eq!(
        write.on_response(412, None, b""),
        WriteStep::Failed(WriteFailure::TooManyConflicts { attempts: 2 })
    );
}

#[test]
fn conditional_write_creates_a_missing_document() {
    let mut write = ConditionalWrite::new(
        "http://x/doc".into(),
        "application/rls-services+xml",
        append,
        3,
    );
    assert_eq!(
        write.start(None),
        WriteStep::Get {
            url: "http://x/doc".into()
        }
    );
    let WriteStep::Put {
        body,
        if_match,
        create_only,
        ..
    } = write.on_response(404, None, b"")
    else {
        panic!("PUT expected");
    };
    assert_eq!(
        (body.as_str(), if_match, create_only),
        ("+edit", None, true)
    );
    assert!(matches!(
        write.on_response(201, Some("\"e\""), b""),
        WriteStep::Done { .. }
    ));
}

#[test]
fn conditional_write_failures() {
    let mut write = ConditionalWrite::new("u".into(), "t", append, 3);
    write.start(None);
    assert_eq!(
        write.on_response(403, None, b""),
        WriteStep::Failed(WriteFailure::Xcap(XcapFailure::Forbidden))
    );
    let mut write = ConditionalWrite::new("u".into(), "t", append, 3);
    write.start(None);
    assert_eq!(
        write.on_response(200, Some("\"e\""), b"poison"),
        WriteStep::Failed(WriteFailure::Edit("cannot edit".into()))
    );
    let mut write = ConditionalWrite::new("u".into(), "t", append, 0);
    write.start(Some(&Document {
        etag: None,
        body: vec![],
    }));
    assert_eq!(
        write.on_response(500, None, b""),
        WriteStep::Failed(WriteFailure::Xcap(XcapFailure::Server(500)))
    );
    let mut never_started = ConditionalWrite::new("u".into(), "t", append, 1);
    assert_eq!(
        never_started.on_response(200, None, b""),
        WriteStep::Failed(WriteFailure::OutOfOrder)
    );
}

#[test]
fn etags_are_quoted_for_if_match() {
    assert_eq!(quoted_etag("abc"), "\"abc\"");
    assert_eq!(quoted_etag("\"abc\""), "\"abc\"");
    assert_eq!(quoted_etag("W/\"abc\""), "W/\"abc\"");
    assert_eq!(quoted_etag("*"), "*");
}

#[test]
fn hostile_error_bodies_never_panic() {
    for body in [
        &b""[..],
        b"<xcap-error",
        br#"<xcap-error xmlns="urn:ietf:params:xml:ns:xcap-error"/>"#,
        br#"<xcap-error xmlns="urn:ietf:params:xml:ns:xcap-error"><extension/></xcap-error>"#,
        br#"<xcap-error xmlns="urn:ietf:params:xml:ns:xcap-error"><uniqueness-failure><exists/></uniqueness-failure></xcap-error>"#,
        b"\xff",
    ] {
        for code in [0, 99, 409, 599, 600, u16::MAX] {
            if let Some(failure) = failure_for(code, body) {
                let _ = failure.user_message();
            }
        }
    }
}
