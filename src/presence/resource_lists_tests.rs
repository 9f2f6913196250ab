use super::*;

/// RFC 4826 §3.3.
const RFC4826_RESOURCE_LISTS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <list name="friends">
  <entry uri="sip:bill@example.com">
   <display-name>Bill Doe</display-name>
  </entry>
  <entry-ref ref="resource-lists/users/sip:bill@example.com/index/~~/resource-lists/list%5b@name=%22list1%22%5d/entry%5b@uri=%22sip:petri@example.com%22%5d"/>
  <list name="close-friends">
   <display-name>Close Friends</display-name>
   <entry uri="sip:joe@example.com">
    <display-name>Joe Smith</display-name>
   </entry>
   <entry uri="sip:nancy@example.com">
    <display-name>Nancy Gross</display-name>
   </entry>
   <external anchor="http://xcap.example.org/resource-lists/users/sip:a@example.org/index/~~/resource-lists/list%5b@name=%22mkt%22%5d">
     <display-name>Marketing</display-name>
   </external>
  </list>
 </list>
</resource-lists>
"#;

/// RFC 4826 §4.3.
const RFC4826_RLS_SERVICES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rls-services xmlns="urn:ietf:params:xml:ns:rls-services"
   xmlns:rl="urn:ietf:params:xml:ns:resource-lists"
   xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <service uri="sip:mybuddies@example.com">
  <resource-list>http://xcap.example.com/resource-lists/users/sip:joe@example.com/index/~~/resource-lists/list%5b@name=%22l1%22%5d</resource-list>
  <packages>
   <package>presence</package>
  </packages>
 </service>
 <service uri="sip:marketing@example.com">
   <list name="marketing">
     <rl:entry uri="sip:joe@example.com"/>
     <rl:entry uri="sip:sudhir@example.com"/>
   </list>
   <packages>
     <package>presence</package>
   </packages>
 </service>
</rls-services>
"#;

/// A list written by another client: its own namespace inside entries and
/// lists, unknown attributes, an xml:lang display name.
const FOREIGN: &str = r#"<rl:resource-lists xmlns:rl="urn:ietf:params:xml:ns:resource-lists"
    xmlns:x="urn:example:other-client" x:rev="9">
  <rl:list name="buddies" x:sort="alpha">
    <rl:display-name xml:lang="fr">Copains</rl:display-name>
    <rl:entry uri="sip:bob@example.com" x:fav="1">
      <rl:display-name>Bob</rl:display-name>
      <x:icon href="http://example.com/bob.png"/>
      <x:note>met at IETF</x:note>
    </rl:entry>
    <x:separator/>
    <rl:list name="work"><rl:entry uri="sip:carol@example.com"/></rl:list>
  </rl:list>
  <x:settings version="2"/>
</rl:resource-lists>"#;

fn rl(text: &str) -> ResourceLists {
    parse(text.as_bytes()).unwrap()
}

fn edit(doc: &ResourceLists, e: ListEdit) -> ResourceLists {
    apply_edit(doc, "buddies", &e).unwrap()
}

fn assert_round_trips(doc: &ResourceLists) {
    assert_eq!(&parse(build(doc).as_bytes()).unwrap(), doc);
}

#[test]
fn parses_the_rfc_resource_lists_example() {
    let doc = rl(RFC4826_RESOURCE_LISTS);
    assert_eq!(doc.lists.len(), 1);
    let friends = &doc.lists[0];
    assert_eq!(friends.name.as_deref(), Some("friends"));
    assert_eq!(
        friends.entries().next().unwrap().uri,
        "sip:bill@example.com"
    );
    assert!(
        matches!(&friends.items[1], ListItem::EntryRef(r) if r.target.starts_with("resource-lists/users/"))
    );
    let close = doc.find_list("close-friends").unwrap();
    assert_eq!(close.display_name.as_ref().unwrap().text, "Close Friends");
    assert!(
        matches!(&close.items[2], ListItem::External(r) if r.display_name.as_ref().unwrap().text == "Marketing")
    );
    assert_eq!(
        friends.all_uris(),
        [
            "sip:bill@example.com",
            "sip:joe@example.com",
            "sip:nancy@example.com"
        ]
    );
    assert_eq!(doc.groups_of("sip:joe@example.com"), ["close-friends"]);
    assert_round_trips(&doc);
}

#[test]
fn foreign_data_survives_a_round_trip_and_every_edit() {
    let doc = rl(FOREIGN);
    assert_round_trips(&doc);
    let edits = [
        ListEdit::AddContact {
            group: "family".into(),
            uri: "sip:mum@example.com".into(),
            display_name: Some("Mum".into()),
        },
        ListEdit::RenameContact {
            uri: "sip:bob@example.com".into(),
            display_name: Some("Bobby".into()),
        },
        ListEdit::MoveContact {
            uri: "sip:bob@example.com".into(),
            from: "buddies".into(),
            to: "work".into(),
        },
        ListEdit::RemoveContact {
            uri: "sip:carol@example.com".into(),
            group: None,
        },
        ListEdit::RenameGroup {
            group: "work".into(),
            display_name: "Office".into(),
        },
        ListEdit::RemoveGroup {
            group: "work".into(),
        },
    ];
    for e in edits {
        let edited = edit(&doc, e.clone());
        let text = build(&edited);
        assert!(
            text.contains("x:settings") || text.contains("settings version=\"2\""),
            "{e:?}"
        );
        assert!(text.contains("rev=\"9\""), "{e:?}");
        assert!(text.contains("sort=\"alpha\""), "{e:?}");
        assert!(text.contains("separator"), "{e:?}");
        assert!(text.contains("xml:lang=\"fr\""), "{e:?}");
        if !matches!(e, ListEdit::RemoveGroup { .. }) {
            assert!(text.contains("met at IETF"), "{e:?}");
            assert!(text.contains("bob.png"), "{e:?}");
            assert!(text.contains("fav=\"1\""), "{e:?}");
        }
        assert_round_trips(&edited);
    }
}

#[test]
fn add_contact_creates_group_and_root_list() {
    let doc = edit(
        &ResourceLists::default(),
        ListEdit::AddContact {
            group: "Friends".into(),
            uri: "sip:bob@example.com".into(),
            display_name: Some("Bob".into()),
        },
    );
    let root = doc.find_list("buddies").unwrap();
    let friends = root.sublists().next().unwrap();
    assert_eq!(friends.name.as_deref(), Some("Friends"));
    assert_eq!(
        friends
            .entries()
            .next()
            .unwrap()
            .display_name
            .as_ref()
            .unwrap()
            .text,
        "Bob"
    );
    // Adding again does not duplicate.
    let again = edit(
        &doc,
        ListEdit::AddContact {
            group: "Friends".into(),
            uri: "sip:bob@example.com".into(),
            display_name: None,
        },
    );
    assert_eq!(again, doc);
    // Ungrouped contacts go straight into the root list.
    let root_entry = edit(
        &doc,
        ListEdit::AddContact {
            group: "buddies".into(),
            uri: "sip:eve@example.com".into(),
            display_name: None,
        },
    );
    assert_eq!(
        root_entry.find_list("buddies").unwrap().entries().count(),
        1
    );
    assert_round_trips(&root_entry);
}

#[test]
fn move_keeps_the_entry_whole() {
    let doc = rl(FOREIGN);
    let moved = edit(
        &doc,
        ListEdit::MoveContact {
            uri: "sip:bob@example.com".into(),
            from: "buddies".into(),
            to: "work".into(),
        },
    );
    assert_eq!(moved.groups_of("sip:bob@example.com"), ["work"]);
    let bob = moved
        .find_list("work")
        .unwrap()
        .entries()
        .find(|e| e.uri == "sip:bob@example.com")
        .unwrap();
    assert_eq!(bob.others.len(), 2);
    assert_eq!(bob.other_attrs.len(), 1);
}

#[test]
fn remove_and_rename() {
    let doc = rl(RFC4826_RESOURCE_LISTS);
    let removed = apply_edit(
        &doc,
        "friends",
        &ListEdit::RemoveContact {
            uri: "sip:joe@example.com".into(),
            group: Some("close-friends".into()),
        },
    )
    .unwrap();
    assert!(removed.groups_of("sip:joe@example.com").is_empty());
    let renamed = apply_edit(
        &doc,
        "friends",
        &ListEdit::RenameContact {
            uri: "sip:nancy@example.com".into(),
            display_name: None,
        },
    )
    .unwrap();
    let nancy = renamed
        .find_list("close-friends")
        .unwrap()
        .entries()
        .nth(1)
        .unwrap();
    assert_eq!(nancy.display_name, None);
    let no_group = apply_edit(
        &doc,
        "friends",
        &ListEdit::RemoveGroup {
            group: "close-friends".into(),
        },
    )
    .unwrap();
    assert!(no_group.find_list("close-friends").is_none());
    assert_eq!(no_group.lists[0].items.len(), 2);
}

#[test]
fn edit_errors() {
    let doc = rl(RFC4826_RESOURCE_LISTS);
    let root = "friends";
    let cases = [
        (
            ListEdit::RemoveContact {
                uri: "sip:nobody@example.com".into(),
                group: None,
            },
            EditError::NoSuchContact("sip:nobody@example.com".into()),
        ),
        (
            ListEdit::RenameGroup {
                group: "nope".into(),
                display_name: "x".into(),
            },
            EditError::NoSuchGroup("nope".into()),
        ),
        (
            ListEdit::RemoveGroup {
                group: "friends".into(),
            },
            EditError::RootList,
        ),
        (
            ListEdit::MoveContact {
                uri: "sip:nobody@example.com".into(),
                from: "friends".into(),
                to: "close-friends".into(),
            },
            EditError::NoSuchContact("sip:nobody@example.com".into()),
        ),
        (
            ListEdit::RenameContact {
                uri: "sip:nobody@example.com".into(),
                display_name: None,
            },
            EditError::NoSuchContact("sip:nobody@example.com".into()),
        ),
    ];
    for (e, expected) in cases {
        assert_eq!(apply_edit(&doc, root, &e), Err(expected));
    }
}

#[test]
fn parses_the_rfc_rls_services_example() {
    let doc = parse_rls_services(RFC4826_RLS_SERVICES.as_bytes()).unwrap();
    assert_eq!(doc.services.len(), 2);
    let buddies = doc.service("sip:mybuddies@example.com").unwrap();
    assert!(
        matches!(&buddies.source, ServiceSource::ResourceList(url) if url.ends_with("list%5b@name=%22l1%22%5d"))
    );
    assert_eq!(buddies.packages, ["presence"]);
    let marketing = doc.service("sip:marketing@example.com").unwrap();
    let ServiceSource::List(list) = &marketing.source else {
        panic!("inline list expected");
    };
    assert_eq!(
        list.all_uris(),
        ["sip:joe@example.com", "sip:sudhir@example.com"]
    );
    let again = parse_rls_services(build_rls_services(&doc).as_bytes()).unwrap();
    assert_eq!(again, doc);
}

#[test]
fn builds_a_presence_service_for_kamailio_rls() {
    let mut doc = RlsServices::default();
    let url = "http://example.com:5060/xcap-root/resource-lists/users/sip:alice@example.com/index/~~/resource-lists/list%5B@name=%22buddies%22%5D";
    doc.upsert(Service::presence_list("sip:alice-buddies@example.com", url));
    doc.upsert(Service::presence_list("sip:alice-buddies@example.com", url));
    assert_eq!(doc.services.len(), 1);
    let text = build_rls_services(&doc);
    assert!(
        text.contains(r#"<rls-services xmlns="urn:ietf:params:xml:ns:rls-services">"#),
        "{text}"
    );
    assert!(
        text.contains(r#"<service uri="sip:alice-buddies@example.com"><resource-list>"#),
        "{text}"
    );
    assert!(
        text.contains("<packages><package>presence</package></packages>"),
        "{text}"
    );
    assert_eq!(parse_rls_services(text.as_bytes()).unwrap(), doc);
}

#[test]
fn prefixed_and_default_namespace_read_the_same() {
    let prefixed = r#"<x:resource-lists xmlns:x="urn:ietf:params:xml:ns:resource-lists"><x:list name="friends"><x:entry uri="sip:bill@example.com"><x:display-name>Bill Doe</x:display-name></x:entry></x:list></x:resource-lists>"#;
    let default = r#"<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="friends"><entry uri="sip:bill@example.com"><display-name>Bill Doe</display-name></entry></list></resource-lists>"#;
    assert_eq!(rl(prefixed), rl(default));
}

#[test]
fn hostile_inputs_never_panic() {
    let inputs: [&[u8]; 7] = [
        b"",
        b"<resource-lists",
        br#"<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list><entry/><entry-ref/><external/><list><list/></list></list></resource-lists>"#,
        br#"<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="a"><list name="a"><entry uri="sip:x"/></list></list></resource-lists>"#,
        br#"<rls-services xmlns="urn:ietf:params:xml:ns:rls-services"><service/><service uri="sip:x"/><service uri="sip:y"><list/><list/></service></rls-services>"#,
        br#"<!DOCTYPE r [<!ENTITY e "e">]><resource-lists/>"#,
        b"\xc3\x28",
    ];
    let edits = [
        ListEdit::AddContact {
            group: "a".into(),
            uri: "sip:x".into(),
            display_name: None,
        },
        ListEdit::MoveContact {
            uri: "sip:x".into(),
            from: "a".into(),
            to: "a".into(),
        },
        ListEdit::RemoveGroup { group: "a".into() },
        ListEdit::RemoveContact {
            uri: "sip:x".into(),
            group: None,
        },
    ];
    for input in inputs {
        if let Ok(doc) = parse(input) {
            for e in &edits {
                if let Ok(edited) = apply_edit(&doc, "a", e) {
                    let _ = build(&edited);
                }
                let _ = apply_edit(&doc, "b", e);
            }
        }
        if let Ok(doc) = parse_rls_services(input) {
            let again = parse_rls_services(build_rls_services(&doc).as_bytes()).unwrap();
            assert_eq!(again.services, doc.services);
        }
    }
}
