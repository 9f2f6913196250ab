//! Unit tests of the pure contact list: grouping, sorting, filtering, dot
//! colours and applying presence updates.

use super::*;

const ME: &str = "sip:me@hark.test";

fn contact(uri: &str, name: Option<&str>, group: Option<&str>) -> Contact {
    Contact {
        uri: uri.into(),
        name: name.map(Into::into),
        group: group.map(Into::into),
    }
}

fn update(uri: &str, availability: ContactAvailability, note: Option<&str>) -> PresenceUpdate {
    PresenceUpdate {
        contact: uri.into(),
        availability,
        note: note.map(Into::into),
        activities: vec![],
        capabilities: Capabilities::default(),
        subscription: SubscriptionState::Active,
        line: None,
    }
}

fn names(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| match r {
            Row::Group(g) => format!("[{}]", g.name.as_deref().unwrap_or("-")),
            Row::Contact(c) => c.name.clone(),
        })
        .collect()
}

fn sample() -> ContactList {
    let mut list = ContactList::new();
    list.set_contacts(
        ME,
        vec![
            contact("sip:zoe@hark.test", Some("Zoë Zimmer"), Some("Team")),
            contact("sip:anna@hark.test", Some("Anna Adler"), Some("Team")),
            contact("sip:bob@hark.test", None, None),
            contact("sip:carl@hark.test", Some("Carl"), Some("family")),
        ],
    );
    list
}

#[test]
fn groups_sorted_with_ungrouped_first_and_names_or_addresses() {
    let list = sample();
    assert_eq!(
        names(&list.visible_rows("")),
        [
            "[-]",
            "bob@hark.test",
            "[family]",
            "Carl",
            "[Team]",
            "Anna Adler",
            "Zoë Zimmer"
        ]
    );
    assert_eq!(list.groups(), ["family", "Team"]);
    assert_eq!(list.len(), 4);
}

#[test]
fn available_people_come_first_then_by_name() {
    let mut list = sample();
    list.apply(
        ME,
        &[
            update("sip:zoe@hark.test", ContactAvailability::Available, None),
            update("sip:anna@hark.test", ContactAvailability::Offline, None),
        ],
    );
    let rows = list.visible_rows("");
    assert_eq!(names(&rows[4..]), ["[Team]", "Zoë Zimmer", "Anna Adler"]);
    let Row::Group(team) = &rows[4] else {
        panic!("a heading")
    };
    assert_eq!((team.total, team.online), (2, 1));

    // Alphabetical order ignores availability.
    let mut by_name = ContactList::with_order(SortOrder::Name);
    by_name.set_contacts(
        ME,
        vec![
            contact("sip:zoe@hark.test", Some("Zoë"), None),
            contact("sip:anna@hark.test", Some("Anna"), None),
        ],
    );
    by_name.apply(
        ME,
        &[update(
            "sip:zoe@hark.test",
            ContactAvailability::Available,
            None,
        )],
    );
    assert_eq!(names(&by_name.visible_rows("")), ["[-]", "Anna", "Zoë"]);
}

#[test]
fn rank_follows_reachability() {
    use ContactAvailability::*;
    let order = [
        Available,
        OnThePhone,
        Busy,
        DoNotDisturb,
        Away,
        Offline,
        Unknown,
    ];
    assert!(order.windows(2).all(|w| rank(w[0]) < rank(w[1])));
}

#[test]
fn dot_colour_per_availability() {
    use ContactAvailability::*;
    assert_eq!(dot(Available), Dot::Green);
    assert_eq!(dot(OnThePhone), Dot::Amber);
    assert_eq!(dot(Forwarded), Dot::Amber);
    assert_eq!(dot(Busy), Dot::Red);
    assert_eq!(dot(InAMeeting), Dot::Red);
    assert_eq!(dot(DoNotDisturb), Dot::Red);
    assert_eq!(dot(Away), Dot::Orange);
    assert_eq!(dot(Offline), Dot::Grey);
    assert_eq!(dot(Unknown), Dot::Grey);
}

#[test]
fn filter_matches_name_address_and_note_ignoring_case_and_accents() {
    let mut list = sample();
    list.apply(
        ME,
        &[update(
            "sip:carl@hark.test",
            ContactAvailability::Busy,
            Some("Kundentermin in München"),
        )],
    );
    let only = |filter: &str| -> Vec<String> {
        list.visible_rows(filter)
            .iter()
            .filter_map(|r| match r {
                Row::Contact(c) => Some(c.name.clone()),
                Row::Group(_) => None,
            })
            .collect()
    };
    assert_eq!(only("zoe"), ["Zoë Zimmer"]);
    assert_eq!(only("ZIMMER"), ["Zoë Zimmer"]);
    assert_eq!(only("bob@"), ["bob@hark.test"]);
    assert_eq!(only("munchen"), ["Carl"]);
    assert_eq!(only("anna adler"), ["Anna Adler"]);
    assert!(only("nobody").is_empty());
    assert!(list.visible_rows("nobody").is_empty(), "no empty headings");
    assert_eq!(only("  ").len(), 4);
    assert_eq!(fold("Jürgen Ærø Straße"), "jurgen aero strasse");
}

#[test]
fn collapsed_groups_keep_their_heading_and_open_while_filtering() {
    let mut list = sample();
    list.toggle_group(Some("Team".into()));
    let rows = list.visible_rows("");
    assert_eq!(
        names(&rows),
        ["[-]", "bob@hark.test", "[family]", "Carl", "[Team]"]
    );
    let Some(Row::Group(team)) = rows.last() else {
        panic!("a heading")
    };
    assert!(team.collapsed);
    assert_eq!(team.total, 2);
    assert_eq!(names(&list.visible_rows("anna")), ["[Team]", "Anna Adler"]);
    list.toggle_group(Some("Team".into()));
    assert_eq!(list.visible_rows("").len(), 7);
}

#[test]
fn updates_set_notes_badges_and_survive_a_new_list() {
    let mut list = ContactList::new();
    // Presence may arrive before the list.
    let mut pending = update("sip:dan@hark.test", ContactAvailability::Unknown, None);
    pending.subscription = SubscriptionState::Pending;
    let mut refused = update("sip:eve@hark.test", ContactAvailability::Unknown, None);
    refused.subscription = SubscriptionState::Refused {
        reason: "rejected".into(),
    };
    let mut phone = update(
        "sip:fay@hark.test",
        ContactAvailability::OnThePhone,
        Some("  "),
    );
    phone.capabilities.voice = true;
    list.apply(ME, &[pending, refused, phone]);
    list.set_contacts(
        ME,
        vec![
            contact("sip:dan@hark.test", Some("Dan"), None),
            contact("sip:eve@hark.test", Some("Eve"), None),
            contact("sip:fay@hark.test", Some("Fay"), None),
        ],
    );
    let rows = list.visible_rows("");
    let row = |name: &str| -> ContactRow {
        rows.iter()
            .find_map(|r| match r {
                Row::Contact(c) if c.name == name => Some(c.clone()),
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(row("Dan").badge, Some(Badge::Pending));
    assert_eq!(row("Eve").badge, Some(Badge::Refused));
    assert_eq!(row("Fay").badge, None);
    assert_eq!(row("Fay").note, None, "a blank note is no note");
    assert!(row("Fay").capabilities.voice);
    assert_eq!(row("Fay").dot(), Dot::Amber);

    // A new list without Eve drops her; renaming Dan moves him.
    list.set_contacts(
        ME,
        vec![
            contact("sip:dan@hark.test", Some("Aaron"), Some("Ops")),
            contact("sip:fay@hark.test", Some("Fay"), None),
        ],
    );
    assert_eq!(
        names(&list.visible_rows("")),
        ["[-]", "Fay", "[Ops]", "Aaron"]
    );
    let key = (ME.to_string(), "sip:dan@hark.test".to_string());
    assert_eq!(list.presence(&key).subscription, SubscriptionState::Pending);

    list.remove_account(ME);
    assert!(list.is_empty());
}

#[test]
fn thousands_of_updates_apply_quickly() {
    let mut list = ContactList::new();
    let contacts: Vec<Contact> = (0..5000)
        .map(|i| {
            contact(
                &format!("sip:user{i}@hark.test"),
                Some(&format!("User {i}")),
                Some(&format!("Group {}", i % 10)),
            )
        })
        .collect();
    list.set_contacts(ME, contacts);
    let updates: Vec<PresenceUpdate> = (0..5000)
        .map(|i| {
            update(
                &format!("sip:user{i}@hark.test"),
                if i % 3 == 0 {
                    ContactAvailability::Available
                } else {
                    ContactAvailability::Away
                },
                Some("note"),
            )
        })
        .collect();
    let start = std::time::Instant::now();
    list.apply(ME, &updates);
    let rows = list.visible_rows("");
    let filtered = list.visible_rows("user 42");
    // Generous: a debug build on a slow machine.
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(rows.len(), 5010);
    assert!(filtered.len() > 1);
}

#[test]
fn a_line_in_a_call_or_ringing_shows_as_a_badge() {
    use crate::engine::LineState;
    let mut list = ContactList::new();
    list.set_contacts(ME, vec![contact("sip:bob@x", Some("Bob"), None)]);
    let badge_of = |list: &ContactList| {
        list.visible_rows("")
            .into_iter()
            .find_map(|r| match r {
                Row::Contact(c) => Some(c.badge),
                _ => None,
            })
            .flatten()
    };
    for (line, badge) in [
        (Some(LineState::InCall), Some(Badge::InCall)),
        (Some(LineState::Ringing), Some(Badge::Ringing)),
        (Some(LineState::Idle), None),
    ] {
        let mut u = update("sip:bob@x", ContactAvailability::Available, None);
        u.line = line;
        list.apply(ME, &[u]);
        assert_eq!(badge_of(&list), badge, "{line:?}");
    }
}
