//! Tests of the CIPID elements.

use super::*;

#[test]
fn take_reads_each_element_and_keeps_the_first() {
    let mut c = Cipid::default();
    let mut name = Element::new(NS, "display-name").with_text(" Alice ");
    name.set_attr(XML_NS, "lang", "en");
    assert!(c.take(&name));
    assert!(c.take(&Element::new(NS, "display-name").with_text("Second")));
    assert!(c.take(&Element::new(NS, "icon").with_text("http://x/a.png")));
    assert!(!c.take(&Element::new(NS, "unknown")));
    assert!(!c.take(&Element::new("urn:x", "icon")));
    assert_eq!(c.display_name.as_deref(), Some("Alice"));
    assert_eq!(c.display_name_lang.as_deref(), Some("en"));
    assert_eq!(c.icon.as_deref(), Some("http://x/a.png"));
}

#[test]
fn write_into_round_trips() {
    let c = Cipid {
        card: Some("http://x/card.vcf".into()),
        display_name: Some("Bob".into()),
        display_name_lang: Some("fr".into()),
        homepage: Some("http://x".into()),
        icon: None,
        map: Some("http://x/map".into()),
        sound: Some("http://x/s.wav".into()),
    };
    let mut parent = Element::new("urn:ietf:params:xml:ns:pidf:data-model", "person");
    c.write_into(&mut parent);
    assert_eq!(parent.children.len(), 5);
    let mut back = Cipid::default();
    for child in &parent.children {
        assert!(back.take(child));
    }
    assert_eq!(back, c);
    assert!(Cipid::default().is_empty());
}
