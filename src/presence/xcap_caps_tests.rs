use super::*;

/// RFC 4825 §12 example.
const RFC4825_EXAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xcap-caps xmlns="urn:ietf:params:xml:ns:xcap-caps">
  <auids>
    <auid>xcap-caps</auid>
    <auid>resource-lists</auid>
    <auid>rls-services</auid>
  </auids>
  <extensions>
  </extensions>
  <namespaces>
    <namespace>urn:ietf:params:xml:ns:xcap-caps</namespace>
    <namespace>urn:ietf:params:xml:ns:xcap-error</namespace>
    <namespace>urn:ietf:params:xml:ns:resource-lists</namespace>
    <namespace>urn:ietf:params:xml:ns:rls-services</namespace>
  </namespaces>
</xcap-caps>
"#;

/// The document the Kamailio xcap_server README has the routing script
/// serve (single-quoted XML declaration, empty <extensions>).
const KAMAILIO_XCAP_CAPS: &str = "<?xml version='1.0' encoding='UTF-8'?>
<xcap-caps xmlns='urn:ietf:params:xml:ns:xcap-caps'>
  <auids>
    <auid>rls-services</auid>
    <auid>pidf-manipulation</auid>
    <auid>xcap-caps</auid>
    <auid>resource-lists</auid>
    <auid>pres-rules</auid>
    <auid>org.openmobilealliance.pres-rules</auid>
    <auid>org.openmobilealliance.user-profile</auid>
    <auid>org.openmobilealliance.pres-content</auid>
    <auid>org.openmobilealliance.search</auid>
    <auid>org.openmobilealliance.xcap-directory</auid>
  </auids>
  <extensions>
  </extensions>
  <namespaces>
    <namespace>urn:ietf:params:xml:ns:rls-services</namespace>
    <namespace>urn:ietf:params:xml:ns:pidf</namespace>
    <namespace>urn:ietf:params:xml:ns:xcap-caps</namespace>
    <namespace>urn:ietf:params:xml:ns:resource-lists</namespace>
    <namespace>urn:ietf:params:xml:ns:pres-rules</namespace>
    <namespace>urn:oma:xml:xdm:user-profile</namespace>
    <namespace>urn:oma:xml:prs:pres-content</namespace>
    <namespace>urn:oma:xml:xdm:search</namespace>
    <namespace>urn:oma:xml:xdm:xcap-directory</namespace>
  </namespaces>
</xcap-caps>";

#[test]
fn parses_the_rfc_example() {
    let caps = parse(RFC4825_EXAMPLE.as_bytes()).unwrap();
    assert_eq!(caps.auids, ["xcap-caps", "resource-lists", "rls-services"]);
    assert!(caps.extensions.is_empty());
    assert!(caps.supports_namespace("urn:ietf:params:xml:ns:xcap-error"));
    assert!(!caps.supports_auid("pres-rules"));
    assert_eq!(parse(build(&caps).as_bytes()).unwrap(), caps);
}

#[test]
fn parses_kamailio_caps() {
    let caps = parse(KAMAILIO_XCAP_CAPS.as_bytes()).unwrap();
    for auid in [
        "pres-rules",
        "resource-lists",
        "rls-services",
        "pidf-manipulation",
    ] {
        assert!(caps.supports_auid(auid), "{auid}");
    }
    assert_eq!(caps.auids.len(), 10);
    assert_eq!(caps.namespaces.len(), 9);
    assert_eq!(parse(build(&caps).as_bytes()).unwrap(), caps);
}

#[test]
fn prefixed_form_and_extensions() {
    let doc = r#"<c:xcap-caps xmlns:c="urn:ietf:params:xml:ns:xcap-caps"><c:auids><c:auid> pres-rules </c:auid><c:auid/></c:auids>
      <c:extensions><c:extension>urn:example:ext</c:extension></c:extensions><c:namespaces/></c:xcap-caps>"#;
    let caps = parse(doc.as_bytes()).unwrap();
    assert_eq!(caps.auids, ["pres-rules"]);
    assert_eq!(caps.extensions, ["urn:example:ext"]);
    assert_eq!(parse(build(&caps).as_bytes()).unwrap(), caps);
}

#[test]
fn hostile_inputs_never_panic() {
    for input in [
        &b""[..],
        b"<xcap-caps",
        b"<xcap-caps/>",
        br#"<xcap-caps xmlns="urn:ietf:params:xml:ns:xcap-caps"><auids><auids><auid>x</auid></auids></auids></xcap-caps>"#,
        br#"<!DOCTYPE a [<!ENTITY b SYSTEM "file:///etc/passwd">]><xcap-caps xmlns="urn:ietf:params:xml:ns:xcap-caps">&b;</xcap-caps>"#,
    ] {
        if let Ok(caps) = parse(input) {
            let _ = build(&caps);
        }
    }
}
