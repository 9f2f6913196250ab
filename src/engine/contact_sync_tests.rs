//! Unit tests of the contact list <-> resource-lists mapping.

use super::*;

fn c(uri: &str, name: Option<&str>, group: Option<&str>) -> Contact {
    Contact {
        uri: uri.into(),
        name: name.map(Into::into),
        group: group.map(Into::into),
    }
}

fn set(contact: Contact) -> ContactEdit {
    ContactEdit::Set { contact }
}

fn read(xml: &str) -> Vec<Contact> {
    contacts_of(&resource_lists::parse(xml.as_bytes()).unwrap())
}

#[test]
fn a_list_round_trips_through_the_document() {
    let list = vec![
        c("sip:bob@x", Some("Bob"), None),
        c("sip:carol@x", None, Some("Work")),
        c("sip:dave@x", Some("Dave"), Some("Work")),
    ];
    let xml = resource_lists::build(&document_of(&list));
    let mut back = read(&xml);
    back.sort_by(|a, b| a.uri.cmp(&b.uri));
    assert_eq!(back, list);
}

#[test]
fn edits_add_move_rename_and_remove() {
    let xml = apply(None, &set(c("sip:bob@x", Some("Bob"), None))).unwrap();
    let xml = apply(
        Some(xml.as_bytes()),
        &set(c("sip:carol@x", None, Some("Work"))),
    )
    .unwrap();
    assert_eq!(read(&xml).len(), 2);
    // Move bob to Work and rename him.
    let xml = apply(
        Some(xml.as_bytes()),
        &set(c("sip:bob@x", Some("Robert"), Some("Work"))),
    )
    .unwrap();
    let list = read(&xml);
    assert!(
        list.contains(&c("sip:bob@x", Some("Robert"), Some("Work"))),
        "{list:?}"
    );
    let xml = apply(
        Some(xml.as_bytes()),
        &ContactEdit::Remove {
            uri: "sip:carol@x".into(),
        },
    )
    .unwrap();
    assert_eq!(
        read(&xml),
        vec![c("sip:bob@x", Some("Robert"), Some("Work"))]
    );
    // Removing someone who is not there changes nothing.
    let again = apply(
        Some(xml.as_bytes()),
        &ContactEdit::Remove {
            uri: "sip:zed@x".into(),
        },
    )
    .unwrap();
    assert_eq!(read(&again), read(&xml));
}

#[test]
fn other_clients_lists_and_data_are_kept() {
    let theirs = r#"<?xml version="1.0" encoding="UTF-8"?>
<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists" xmlns:x="urn:example:x">
  <list name="Friends">
    <display-name>My friends</display-name>
    <entry uri="sip:erin@x"><display-name>Erin</display-name><x:ringtone>bell</x:ringtone></entry>
  </list>
</resource-lists>"#;
    assert_eq!(
        read(theirs),
        vec![c("sip:erin@x", Some("Erin"), Some("My friends"))]
    );
    let xml = apply(Some(theirs.as_bytes()), &set(c("sip:bob@x", None, None))).unwrap();
    assert!(xml.contains("ringtone"), "{xml}");
    assert_eq!(read(&xml).len(), 2);
}

#[test]
fn an_unreadable_server_document_is_not_overwritten() {
    let err = apply(Some(b"<not-a-list/>"), &set(c("sip:bob@x", None, None))).unwrap_err();
    assert!(err.contains("left as it is"), "{err}");
}
