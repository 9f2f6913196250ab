//! The contact list window, driven headless with iced_test against an engine
//! handle wired to plain channels: contacts and presence are injected as
//! engine events, and we read the commands the window sends (own status,
//! add / remove / rename contact).

mod support;

use hark::engine::{
    Availability, Capabilities, Command, Contact, ContactAvailability, Envelope, ErrorKind, Event,
    PresenceUpdate, RegistrationState,
};
use hark::i18n::{I18n, Language};
use hark::sip::subscription::SubscriptionState;
use hark::ui::screen::contacts::{ADD_ADDRESS_ID, ADD_CONTACT_REQUEST, POPUP_FIELD_ID, SEARCH_ID};
use hark::ui::screen::main_window::{self, MainWindow};
use hark::ui::screen::own_status::NOTE_ID;
use hark::ui::Message;
use iced::keyboard::key::Named;
use iced_test::selector;
use iced_test::{simulator, Simulator};
use support::window::{software_rendering, Window as Harness};

const ALICE: &str = "sip:alice@hark.test";

/// A window with Alice registered and the sample contacts.
fn harness(language: Language) -> Harness {
    let mut h = Harness::new(language);
    for event in sample_events() {
        h.event(event);
    }
    h
}

/// Right-clicks the text `label`.
fn right_click<M: Clone>(ui: &mut Simulator<'_, M>, label: &str) {
    let target = ui.find(label).expect(label);
    let bounds = target.visible_bounds().expect("visible");
    ui.point_at(bounds.center());
    let _ = ui.simulate([iced::Event::Mouse(iced::mouse::Event::ButtonPressed(
        iced::mouse::Button::Right,
    ))]);
}

fn contact(user: &str, name: Option<&str>, group: Option<&str>) -> Contact {
    Contact {
        uri: format!("sip:{user}@hark.test"),
        name: name.map(Into::into),
        group: group.map(Into::into),
    }
}

fn presence(
    user: &str,
    availability: ContactAvailability,
    note: Option<&str>,
    voice: bool,
    subscription: SubscriptionState,
) -> PresenceUpdate {
    PresenceUpdate {
        contact: format!("sip:{user}@hark.test"),
        availability,
        note: note.map(Into::into),
        activities: vec![],
        capabilities: Capabilities {
            voice,
            video: false,
            im: true,
            email: false,
        },
        subscription,
        line: None,
    }
}

fn sample_events() -> Vec<Event> {
    use ContactAvailability::*;
    vec![
        Event::Started {
            accounts: vec![ALICE.into()],
        },
        Event::AccountState {
            account: ALICE.into(),
            state: RegistrationState::Registered { expires: 600 },
        },
        Event::Contacts {
            account: ALICE.into(),
            contacts: vec![
                contact("bob", Some("Bob Builder"), Some("Team")),
                contact("carol", Some("Carol Chen"), Some("Team")),
                contact("dora", None, None),
                contact("erik", Some("Erik Ek"), None),
                contact("fritz", Some("Fritz Föhr"), None),
            ],
        },
        Event::Presence {
            account: ALICE.into(),
            updates: vec![
                presence(
                    "bob",
                    InAMeeting,
                    Some("Planning until 3"),
                    true,
                    SubscriptionState::Active,
                ),
                presence("carol", Away, None, false, SubscriptionState::Active),
                presence("dora", Unknown, None, false, SubscriptionState::Pending),
                presence(
                    "erik",
                    Unknown,
                    None,
                    false,
                    SubscriptionState::Refused {
                        reason: "rejected".into(),
                    },
                ),
                presence(
                    "fritz",
                    OnThePhone,
                    Some("Skiing in Åre"),
                    true,
                    SubscriptionState::Active,
                ),
            ],
        },
    ]
}

#[test]
fn list_shows_contacts_grouped_with_names_notes_and_special_states() {
    let mut h = harness(Language::EnUs);
    h.shows("Team");
    h.shows("Contacts"); // the heading of contacts without a group
    h.shows("Bob Builder");
    h.shows("Planning until 3");
    h.shows("Carol Chen");
    h.shows("Away"); // no note: the availability in words
    h.shows("dora@hark.test"); // no name: the address without sip:
    h.shows("Waiting for approval");
    h.shows("Not shared with you");
    // The account line stays, at the bottom.
    h.shows("alice@hark.test");
    h.shows("Online");

    // A contact leaves the list.
    h.event(Event::Contacts {
        account: ALICE.into(),
        contacts: vec![contact("bob", Some("Bob Builder"), Some("Team"))],
    });
    h.does_not_show("Carol Chen");
    h.shows("Bob Builder");
}

#[test]
fn typing_filters_the_list_and_escape_clears_it() {
    let mut h = harness(Language::EnUs);
    h.interact(|ui| {
        ui.click(selector::id(SEARCH_ID)).expect("search field");
        let _ = ui.typewrite("planning");
    });
    h.shows("Bob Builder");
    h.does_not_show("Carol Chen");
    h.does_not_show("Contacts");

    // Accents and case do not matter; notes count.
    h.interact(|ui| {
        ui.click(selector::id(SEARCH_ID)).expect("search field");
        let _ = ui.tap_key(Named::End);
        for _ in 0.."planning".len() {
            let _ = ui.tap_key(Named::Backspace);
        }
        let _ = ui.typewrite("ARE");
    });
    h.shows("Fritz Föhr");
    h.does_not_show("Bob Builder");

    h.update(Message::Escape);
    h.shows("Bob Builder");
    h.shows("Carol Chen");

    h.interact(|ui| {
        ui.click(selector::id(SEARCH_ID)).expect("search field");
        let _ = ui.typewrite("nobody");
    });
    h.shows("No contact matches “nobody”.");
}

#[test]
fn own_status_selector_sends_availability_and_note() {
    let mut h = harness(Language::EnUs);
    h.event(Event::OwnStatus {
        availability: Availability::Available,
        note: Some("In Berlin".into()),
    });
    h.shows("In Berlin");
    h.interact(|ui| {
        ui.click("Available").expect("the status button");
    });
    h.shows("Do not disturb");
    h.shows("Appear offline");
    h.interact(|ui| {
        ui.click("Busy").expect("Busy in the menu");
    });
    assert_eq!(
        h.command().map(|e| e.command),
        Some(Command::SetStatus {
            availability: Availability::Busy,
            note: Some("In Berlin".into()),
        })
    );
    h.shows("Busy");
    h.does_not_show("Appear offline"); // the menu closed

    h.interact(|ui| {
        ui.click(selector::id(NOTE_ID)).expect("note field");
        let _ = ui.tap_key(Named::End);
        for _ in 0.."In Berlin".len() {
            let _ = ui.tap_key(Named::Backspace);
        }
        let _ = ui.typewrite("Back at 2");
        let _ = ui.tap_key(Named::Enter);
    });
    assert_eq!(
        h.command().map(|e| e.command),
        Some(Command::SetStatus {
            availability: Availability::Busy,
            note: Some("Back at 2".into()),
        })
    );
    // What the engine confirms shows.
    h.event(Event::OwnStatus {
        availability: Availability::Away,
        note: Some("Back at 2".into()),
    });
    h.shows("Away");
    assert_eq!(h.command(), None);
}

#[test]
fn add_contact_form_sends_add_contact_and_shows_the_engine_refusal() {
    let mut h = harness(Language::EnUs);
    h.interact(|ui| {
        ui.click("Add contact").expect("Add contact button");
    });
    h.interact(|ui| {
        ui.click(selector::id(ADD_ADDRESS_ID))
            .expect("address field");
        let _ = ui.typewrite("zed@");
    });
    h.interact(|ui| {
        ui.click("Add").expect("Add button");
    });
    let sent = h.command().expect("AddContact");
    assert_eq!(sent.id, Some(ADD_CONTACT_REQUEST.into()));
    assert_eq!(
        sent.command,
        Command::AddContact {
            account: ALICE.into(),
            contact: Contact {
                uri: "zed@".into(),
                name: None,
                group: None,
            },
        }
    );
    h.event(Event::Error {
        id: Some(ADD_CONTACT_REQUEST.into()),
        kind: ErrorKind::BadArgument,
        message: "\"zed@\" is not a SIP address".into(),
    });
    h.shows("Could not add this contact: \"zed@\" is not a SIP address");
    h.shows("zed@"); // what was typed is kept
    h.does_not_show("Hark could not do that: \"zed@\" is not a SIP address");

    h.interact(|ui| {
        ui.click(selector::id(ADD_ADDRESS_ID))
            .expect("address field");
        let _ = ui.tap_key(Named::End);
        let _ = ui.typewrite("hark.test");
        let _ = ui.tap_key(Named::Enter);
    });
    let Some(Envelope {
        command: Command::AddContact { contact, .. },
        ..
    }) = h.command()
    else {
        panic!("expected AddContact");
    };
    assert_eq!(contact.uri, "zed@hark.test");
    h.event(Event::Ok {
        id: Some(ADD_CONTACT_REQUEST.into()),
    });
    h.does_not_show("Add a contact"); // the form closed
}

#[test]
fn context_menu_greys_out_what_the_contact_cannot_take_and_removes() {
    let mut h = harness(Language::EnUs);
    // Carol has no voice capability: Call is disabled.
    h.interact(|ui| right_click(ui, "Carol Chen"));
    h.shows("Send message");
    h.shows("Copy address");
    h.interact(|ui| {
        ui.click("Call").expect("Call entry");
    });
    assert_eq!(h.command(), None, "a disabled Call sends nothing");
    h.shows("Remove contact"); // still open: the click did nothing
    h.interact(|ui| {
        ui.click("Remove contact").expect("Remove entry");
    });
    assert_eq!(
        h.command().map(|e| e.command),
        Some(Command::RemoveContact {
            account: ALICE.into(),
            uri: "sip:carol@hark.test".into(),
        })
    );
    h.does_not_show("Remove contact");

    // Rename sends the changed name, keeping the group.
    h.interact(|ui| right_click(ui, "Bob Builder"));
    h.interact(|ui| {
        ui.click("Rename…").expect("Rename entry");
    });
    h.interact(|ui| {
        ui.click(selector::id(POPUP_FIELD_ID)).expect("name field");
        let _ = ui.tap_key(Named::End);
        let _ = ui.typewrite(" Jr.");
        let _ = ui.tap_key(Named::Enter);
    });
    assert_eq!(
        h.command().map(|e| e.command),
        Some(Command::AddContact {
            account: ALICE.into(),
            contact: contact("bob", Some("Bob Builder Jr."), Some("Team")),
        })
    );
}

#[test]
fn double_click_opens_a_chat_and_right_click_call_calls() {
    software_rendering();
    let i18n = I18n::for_language(Language::EnUs);
    let mut window = MainWindow::new();
    for event in sample_events() {
        window.apply(&event);
    }
    let run = |window: &mut MainWindow, f: &dyn Fn(&mut Simulator<'_, main_window::Message>)| {
        let messages: Vec<main_window::Message> = {
            let mut ui = simulator(window.view(&i18n));
            f(&mut ui);
            ui.into_messages().collect()
        };
        messages
            .into_iter()
            .filter_map(|m| window.update(m))
            .collect::<Vec<_>>()
    };
    let events = run(&mut window, &|ui| {
        ui.click("Bob Builder").unwrap();
        ui.click("Bob Builder").unwrap();
    });
    assert_eq!(
        events,
        [main_window::Event::OpenChat {
            account: ALICE.into(),
            uri: "sip:bob@hark.test".into()
        }]
    );
    run(&mut window, &|ui| right_click(ui, "Bob Builder"));
    let events = run(&mut window, &|ui| {
        ui.click("Call").unwrap();
    });
    assert_eq!(
        events,
        [main_window::Event::Call {
            account: ALICE.into(),
            uri: "sip:bob@hark.test".into()
        }]
    );
}

#[test]
fn pending_watchers_ask_allow_block_or_ignore() {
    software_rendering();
    let i18n = I18n::for_language(Language::EnUs);
    let mut window = MainWindow::new();
    for event in sample_events() {
        window.apply(&event);
    }
    {
        let mut ui = simulator(window.view(&i18n));
        assert!(ui.find("Allow").is_err(), "hidden while nobody waits");
    }
    window
        .contacts_mut()
        .add_pending_watcher(hark::ui::screen::contacts::PendingWatcher {
            account: ALICE.into(),
            uri: "sip:zoe@hark.test".into(),
            name: Some("Zoe".into()),
        });
    let messages: Vec<main_window::Message> = {
        let mut ui = simulator(window.view(&i18n));
        ui.find("Zoe wants to see your status.").unwrap();
        ui.click("Block").unwrap();
        ui.into_messages().collect()
    };
    let events: Vec<_> = messages
        .into_iter()
        .filter_map(|m| window.update(m))
        .collect();
    assert_eq!(
        events,
        [main_window::Event::DecideWatcher {
            account: ALICE.into(),
            watcher: "sip:zoe@hark.test".into(),
            decision: hark::ui::screen::contacts::WatcherDecision::Block,
        }]
    );
    assert!(window.contacts().pending_watchers().is_empty());
}

#[test]
fn german_labels() {
    let mut h = harness(Language::De);
    h.shows("Verfügbar");
    h.shows("Kontakt hinzufügen");
    h.shows("Kontakte");
    h.shows("Abwesend");
    h.shows("Wartet auf Freigabe");
    h.shows("Nicht für Sie freigegeben");
    h.interact(|ui| right_click(ui, "Carol Chen"));
    h.shows("Nachricht senden");
    h.shows("Kontakt entfernen");
}

/// The engine's `watchers` event brings the prompt; Allow sends the
/// decision to the engine, which writes it to the server (P8).
#[test]
fn a_pending_watcher_from_the_engine_is_allowed_through_the_engine() {
    let mut h = harness(Language::EnUs);
    h.event(Event::Watchers {
        account: ALICE.into(),
        watchers: vec![
            hark::engine::WatcherView {
                uri: "sip:zoe@hark.test".into(),
                display_name: Some("Zoe".into()),
                status: "pending".into(),
            },
            hark::engine::WatcherView {
                uri: "sip:yan@hark.test".into(),
                display_name: Some("Yan".into()),
                status: "active".into(),
            },
        ],
    });
    h.shows("Zoe wants to see your status.");
    h.does_not_show("Yan wants to see your status.");
    h.interact(|ui| {
        ui.click("Allow").unwrap();
    });
    let sent = h.command().map(|e| e.command);
    assert_eq!(
        sent,
        Some(Command::DecideWatcher {
            account: ALICE.into(),
            watcher: "sip:zoe@hark.test".into(),
            decision: hark::engine::WatcherDecision::Allow,
        })
    );
    h.does_not_show("Zoe wants to see your status.");
}
