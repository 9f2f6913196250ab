//! Tests of the safe XML reader and writer.

use super::*;

const PIDF: &str = "urn:ietf:params:xml:ns:pidf";

#[test]
fn the_same_document_with_any_prefix_reads_the_same() {
    let default_ns = br#"<?xml version="1.0"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@x"><tuple id="t"><status><basic>open</basic></status></tuple></presence>"#;
    let prefixed = br#"<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" entity="sip:a@x"><p:tuple id="t"><p:status><p:basic>open</p:basic></p:status></p:tuple></p:presence>"#;
    let a = parse(default_ns).unwrap();
    let b = parse(prefixed).unwrap();
    assert_eq!(a, b);
    assert!(a.is(PIDF, "presence"));
    assert_eq!(a.attr("entity"), Some("sip:a@x"));
    let basic = a
        .child(PIDF, "tuple")
        .and_then(|t| t.child(PIDF, "status"))
        .and_then(|s| s.child_text(PIDF, "basic"));
    assert_eq!(basic, Some("open"));
}

#[test]
fn an_element_in_another_namespace_is_not_confused() {
    let doc = br#"<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:o="urn:other"><o:tuple/></presence>"#;
    let root = parse(doc).unwrap();
    assert!(root.child(PIDF, "tuple").is_none());
    assert!(root.child("urn:other", "tuple").is_some());
}

#[test]
fn predefined_entities_and_character_references_are_resolved() {
    let root =
        parse(br#"<n a="x&amp;y&#65;">1 &lt; 2 &#x263A; &quot;q&quot;<![CDATA[<raw>]]></n>"#)
            .unwrap();
    assert_eq!(root.text, "1 < 2 \u{263a} \"q\"<raw>");
    assert_eq!(root.attr("a"), Some("x&yA"));
}

#[test]
fn a_doctype_is_refused() {
    let bomb = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<presence xmlns="urn:ietf:params:xml:ns:pidf">&lol2;</presence>"#;
    assert_eq!(parse(bomb), Err(XmlError::Doctype));
    let external = br#"<!DOCTYPE p SYSTEM "file:///etc/passwd"><p/>"#;
    assert_eq!(parse(external), Err(XmlError::Doctype));
}

#[test]
fn an_undeclared_entity_is_refused() {
    assert_eq!(parse(b"<p>&lol;</p>"), Err(XmlError::Entity("lol".into())));
    assert!(matches!(
        parse(br#"<p a="&lol;"/>"#),
        Err(XmlError::Entity(_))
    ));
}

#[test]
fn limits_are_enforced() {
    let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
    assert_eq!(parse(deep.as_bytes()), Err(XmlError::TooDeep));
    let huge = vec![b' '; MAX_DOCUMENT_BYTES + 1];
    assert!(matches!(parse(&huge), Err(XmlError::TooLarge(_))));
    let many = format!("<a>{}</a>", "<b/>".repeat(MAX_ELEMENTS));
    assert_eq!(parse(many.as_bytes()), Err(XmlError::TooManyElements));
}

#[test]
fn malformed_documents_are_errors_not_panics() {
    for doc in [
        &b""[..],
        b"   ",
        b"<a>",
        b"<a></b>",
        b"</a>",
        b"<a/><b/>",
        b"text<a/>",
        b"<x:a/>",
        b"<a x:y='1'/>",
        b"\xff\xfe<a/>",
        b"<a>&#xD800;</a>",
        b"<a b='1' b='2'/>",
    ] {
        assert!(
            parse(doc).is_err(),
            "{:?} was accepted",
            String::from_utf8_lossy(doc)
        );
    }
}

#[test]
fn a_wrong_root_is_named() {
    let err = parse_root(b"<foo xmlns='urn:x'/>", PIDF, "presence").unwrap_err();
    assert!(err.to_string().contains("urn:x"), "{err}");
}

#[test]
fn writing_declares_namespaces_once_and_reads_back_equal() {
    let root = Element::new(PIDF, "presence")
        .with_attr("entity", "sip:a@x.test")
        .with_child(
            Element::new(PIDF, "tuple")
                .with_attr("id", "t1")
                .with_child(
                    Element::new("urn:ietf:params:xml:ns:pidf:rpid", "activities")
                        .with_child(Element::new("urn:ietf:params:xml:ns:pidf:rpid", "away")),
                ),
        )
        .with_child(Element::new(PIDF, "note").with_text("<b>&\"hi\"</b>\r\n"));
    let mut note = root.children[1].clone();
    note.set_attr(XML_NS, "lang", "en");
    let mut root = root;
    root.children[1] = note;
    let xml = to_xml(&root, &[("urn:ietf:params:xml:ns:pidf:rpid", "rpid")]);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(
        xml.contains("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:rpid="),
        "{xml}"
    );
    assert!(xml.contains("<rpid:away/>"), "{xml}");
    assert!(xml.contains("xml:lang=\"en\""), "{xml}");
    assert_eq!(xml.matches("xmlns:rpid").count(), 1);
    assert_eq!(parse(xml.as_bytes()).unwrap(), root);
}

#[test]
fn unqualified_children_force_a_prefix_for_the_root() {
    let root = Element::new("urn:x", "r").with_child(Element::new("", "plain"));
    let xml = to_xml(&root, &[]);
    assert!(
        xml.contains("<ns1:r xmlns:ns1=\"urn:x\"><plain/></ns1:r>"),
        "{xml}"
    );
    assert_eq!(parse(xml.as_bytes()).unwrap(), root);
}
