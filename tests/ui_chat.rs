//! Chat windows, driven headless with iced_test against an engine handle
//! wired to plain channels: the engine's chat events are injected, and we
//! read the commands the windows send (history, send, retry, typing, read,
//! search, rooms).

mod support;

use hark::engine::{
    Capabilities, ChatMessage, ChatState, Command, Contact, ContactAvailability, Envelope,
    ErrorKind, Event, PresenceUpdate, RegistrationState, RoomAction, SearchHit,
};
use hark::i18n::Language;
use hark::sip::subscription::SubscriptionState;
use hark::ui::chat::HISTORY_PAGE;
use hark::ui::desktop::{Desktop, Recorded};
use hark::ui::screen::chat_search::QUERY_ID;
use hark::ui::screen::chat_tools::ROOM_NAME_ID;
use hark::ui::screen::chat_window::{COMPOSER_ID, INVITE_ID, SEARCH_ID};
use hark::ui::screen::unread_badge_id;
use hark::ui::{ChatSettings, Message, WindowKind};
use iced::keyboard::{self, key::Named};
use iced::window;
use iced_test::selector;
use std::sync::{Arc, Mutex};
use support::window::Window as Harness;

const ALICE: &str = "sip:alice@hark.test";
const BOB: &str = "sip:bob@hark.test";
const CAROL: &str = "sip:carol@hark.test";
const ROOM: &str = "sip:team@conference.hark.test";
/// 2026-11-23 10:00 UTC.
const T0: i64 = 1_795_428_000_000;
const MIN: i64 = 60_000;

/// A window with Alice registered, Bob and Carol on her list, and a
/// recorder instead of the desktop.
fn harness() -> (Harness, Arc<Mutex<Recorded>>) {
    harness_in(Language::EnUs)
}

fn harness_in(language: Language) -> (Harness, Arc<Mutex<Recorded>>) {
    let mut h = Harness::new(language);
    let (desktop, recorded) = Desktop::recorder();
    h.app.set_desktop(desktop);
    h.event(Event::Started {
        accounts: vec![ALICE.into()],
    });
    h.account_state(ALICE, RegistrationState::Registered { expires: 600 });
    h.event(Event::Contacts {
        account: ALICE.into(),
        contacts: vec![
            Contact {
                uri: BOB.into(),
                name: Some("Bob Builder".into()),
                group: None,
            },
            Contact {
                uri: CAROL.into(),
                name: Some("Carol Chen".into()),
                group: None,
            },
        ],
    });
    h.event(Event::Presence {
        account: ALICE.into(),
        updates: vec![PresenceUpdate {
            contact: BOB.into(),
            availability: ContactAvailability::Available,
            note: None,
            activities: vec![],
            capabilities: Capabilities {
                voice: true,
                video: false,
                im: true,
                email: false,
            },
            subscription: SubscriptionState::Active,
            line: None,
        }],
    });
    (h, recorded)
}

fn incoming(id: i64, at: i64, body: &str) -> ChatMessage {
    ChatMessage {
        id,
        peer: BOB.into(),
        outgoing: false,
        sender: BOB.into(),
        body: body.into(),
        sent_at: at,
        received_at: Some(at),
        state: ChatState::Received,
        failure: None,
        message_id: None,
    }
}

fn outgoing(id: i64, at: i64, body: &str, state: ChatState) -> ChatMessage {
    ChatMessage {
        id,
        peer: BOB.into(),
        outgoing: true,
        sender: ALICE.into(),
        body: body.into(),
        sent_at: at,
        received_at: None,
        state,
        failure: None,
        message_id: None,
    }
}

fn message(h: &mut Harness, message: ChatMessage) {
    h.event(Event::Message {
        account: ALICE.into(),
        message: Box::new(message),
    });
}

/// Opens Bob's chat as `hark chat` does (the engine's `open_chat`) and
/// returns its window, with the commands it sent taken.
fn open_bob(h: &mut Harness) -> window::Id {
    h.event(Event::OpenChat {
        account: ALICE.into(),
        peer: BOB.into(),
    });
    let id = h.app.chat_window(ALICE, BOB).expect("Bob's chat window");
    h.commands();
    id
}

fn key(named: Named, modifiers: keyboard::Modifiers) -> iced::Event {
    iced::Event::Keyboard(keyboard::Event::KeyPressed {
        key: keyboard::Key::Named(named),
        modified_key: keyboard::Key::Named(named),
        physical_key: keyboard::key::Physical::Unidentified(
            keyboard::key::NativeCode::Unidentified,
        ),
        location: keyboard::Location::Standard,
        modifiers,
        text: None,
        repeat: false,
    })
}

#[test]
fn double_click_opens_the_chat_asks_for_history_and_shows_it() {
    let (mut h, _) = harness();
    h.interact(|ui| {
        ui.click("Bob Builder").unwrap();
        ui.click("Bob Builder").unwrap();
    });
    let id = h.app.chat_window(ALICE, BOB).expect("a chat window opened");
    assert_eq!(
        h.app.window_kind(id),
        Some(&WindowKind::Chat {
            account: ALICE.into(),
            peer: BOB.into()
        })
    );
    assert_eq!(
        h.commands(),
        [
            Command::History {
                account: ALICE.into(),
                peer: BOB.into(),
                before: None,
                limit: Some(HISTORY_PAGE),
            },
            Command::MarkRead {
                account: ALICE.into(),
                peer: BOB.into()
            },
        ]
    );
    h.shows_in(id, "Bob Builder");
    h.shows_in(id, "bob@hark.test · Available");
    h.shows_in(id, "Loading…");

    h.event(Event::History {
        id: None,
        account: ALICE.into(),
        peer: BOB.into(),
        messages: vec![
            incoming(1, T0, "Lunch at noon?"),
            outgoing(2, T0 + MIN, "Sure, see you there", ChatState::Delivered),
        ],
        more: false,
    });
    h.shows_in(id, "Lunch at noon?");
    h.shows_in(id, "Sure, see you there");
    h.does_not_show_in(id, "Loading…");
    h.does_not_show_in(id, "Load older messages");

    // A second double-click raises the same window.
    h.interact(|ui| {
        ui.click("Bob Builder").unwrap();
        ui.click("Bob Builder").unwrap();
    });
    assert_eq!(h.app.chat_window(ALICE, BOB), Some(id));
    assert_eq!(h.commands(), []);
}

#[test]
fn enter_sends_and_shift_enter_starts_a_new_line() {
    let (mut h, _) = harness();
    let id = open_bob(&mut h);
    h.interact_in(id, |ui| {
        ui.click(selector::id(COMPOSER_ID)).expect("composer");
        let _ = ui.typewrite("hi");
        let _ = ui.simulate([key(Named::Enter, keyboard::Modifiers::SHIFT)]);
        let _ = ui.typewrite("there");
    });
    let sent = h.commands();
    assert!(
        !sent
            .iter()
            .any(|c| matches!(c, Command::SendMessage { .. })),
        "Shift+Enter must not send: {sent:?}"
    );
    assert!(sent.contains(&Command::Typing {
        account: ALICE.into(),
        to: BOB.into(),
        active: true
    }));
    let window = h.app.chat_window_state(id).unwrap();
    assert_eq!(window.composer_text().trim_end(), "hi\nthere");

    h.interact_in(id, |ui| {
        ui.click(selector::id(COMPOSER_ID)).expect("composer");
        let _ = ui.simulate([key(Named::Enter, keyboard::Modifiers::empty())]);
    });
    assert_eq!(
        h.commands(),
        [Command::SendMessage {
            account: ALICE.into(),
            to: BOB.into(),
            body: "hi\nthere".into(),
            message_id: None,
        }]
    );
    assert_eq!(
        h.app.chat_window_state(id).unwrap().composer_text().trim(),
        ""
    );

    // Enter in an empty composer sends nothing.
    h.interact_in(id, |ui| {
        ui.click(selector::id(COMPOSER_ID)).expect("composer");
        let _ = ui.tap_key(Named::Enter);
    });
    assert_eq!(h.commands(), []);
}

#[test]
fn clearing_the_composer_stops_typing_and_the_draft_survives_the_window() {
    let (mut h, _) = harness();
    let id = open_bob(&mut h);
    h.interact_in(id, |ui| {
        ui.click(selector::id(COMPOSER_ID)).unwrap();
        let _ = ui.typewrite("x");
        let _ = ui.tap_key(Named::Backspace);
    });
    assert_eq!(
        h.commands(),
        [
            Command::Typing {
                account: ALICE.into(),
                to: BOB.into(),
                active: true
            },
            Command::Typing {
                account: ALICE.into(),
                to: BOB.into(),
                active: false
            },
        ]
    );
    h.interact_in(id, |ui| {
        ui.click(selector::id(COMPOSER_ID)).unwrap();
        let _ = ui.typewrite("half a thought");
    });
    h.commands();
    h.update(Message::WindowClosed(id));
    assert_eq!(h.app.chat_window(ALICE, BOB), None);
    // Closing with text typed tells the peer we stopped.
    assert!(h.commands().contains(&Command::Typing {
        account: ALICE.into(),
        to: BOB.into(),
        active: false
    }));
    let id = open_bob(&mut h);
    assert_eq!(
        h.app.chat_window_state(id).unwrap().composer_text(),
        "half a thought"
    );
}

#[test]
fn a_failed_message_shows_why_and_retry_sends_it_again() {
    let (mut h, _) = harness();
    let id = open_bob(&mut h);
    let mut failed = outgoing(5, T0, "Are you there?", ChatState::Failed);
    failed.failure = Some("480 Temporarily Unavailable".into());
    message(&mut h, failed);
    h.shows_in(id, "Are you there?");
    h.shows_in(id, "Not sent: 480 Temporarily Unavailable");
    h.interact_in(id, |ui| {
        ui.click("Retry").expect("Retry button");
    });
    assert_eq!(
        h.commands(),
        [Command::RetryMessage {
            account: ALICE.into(),
            message: 5
        }]
    );
    // The engine resends it: the failure goes away.
    message(
        &mut h,
        outgoing(5, T0, "Are you there?", ChatState::Sending),
    );
    h.does_not_show_in(id, "Not sent: 480 Temporarily Unavailable");
    h.does_not_show_in(id, "Retry");

    // Queued, with the reason.
    let mut queued = outgoing(6, T0 + 1, "Later then", ChatState::Queued);
    queued.failure = Some("not registered".into());
    message(&mut h, queued);
    h.shows_in(id, "Waiting to be sent: not registered");
    h.interact_in(id, |ui| {
        ui.click("Send now").expect("Send now button");
    });
    assert_eq!(
        h.commands(),
        [Command::RetryMessage {
            account: ALICE.into(),
            message: 6
        }]
    );
}

#[test]
fn delivery_marks_follow_the_state() {
    let (mut h, _) = harness();
    let id = open_bob(&mut h);
    message(&mut h, outgoing(1, T0, "one", ChatState::Sent));
    h.shows_in(id, "✓");
    h.does_not_show_in(id, "✓✓");
    message(&mut h, outgoing(1, T0, "one", ChatState::Delivered));
    h.shows_in(id, "✓✓");
    h.does_not_show_in(id, "Read");
    message(&mut h, outgoing(1, T0, "one", ChatState::Displayed));
    h.shows_in(id, "Read");
    message(&mut h, outgoing(2, T0 + 1, "two", ChatState::Stored));
    h.shows_in(id, "Stored for later delivery");
}

#[test]
fn markup_and_translation_patterns_show_literally() {
    let (mut h, _) = harness();
    let id = open_bob(&mut h);
    for (n, body) in [
        "<b>hi</b>",
        "{$x}",
        "{ -brand-name }",
        "**not bold** _not italic_",
        "&amp; &lt;",
    ]
    .into_iter()
    .enumerate()
    {
        message(&mut h, incoming(n as i64 + 1, T0 + n as i64, body));
        h.shows_in(id, body);
    }
}

#[test]
fn emoji_and_right_to_left_text_are_shown() {
    let (mut h, _) = harness();
    let id = open_bob(&mut h);
    let bodies = [
        "Grüße 👋🏽🎉",
        "مرحبا بالعالم",
        "שלום עולם",
        "mixed עברית and English",
        "👩‍👩‍👧‍👦",
    ];
    for (n, body) in bodies.into_iter().enumerate() {
        message(&mut h, incoming(n as i64 + 1, T0 + n as i64, body));
    }
    for body in bodies {
        h.shows_in(id, body);
    }
}

#[test]
fn the_typing_line_appears_and_goes() {
    let (mut h, _) = harness();
    let id = open_bob(&mut h);
    h.does_not_show_in(id, "Bob Builder is typing…");
    let typing = |typing| Event::Typing {
        account: ALICE.into(),
        peer: BOB.into(),
        typing,
    };
    h.event(typing(true));
    h.shows_in(id, "Bob Builder is typing…");
    h.event(typing(false));
    h.does_not_show_in(id, "Bob Builder is typing…");
    // A message ends it too.
    h.event(typing(true));
    message(&mut h, incoming(1, T0, "done"));
    h.does_not_show_in(id, "Bob Builder is typing…");
}

#[test]
fn a_message_with_no_window_shows_a_badge_and_a_notification() {
    let (mut h, recorded) = harness();
    let badge = unread_badge_id(BOB);
    let has_badge = |h: &mut Harness| {
        let id = h.app.main_window();
        let mut ui = iced_test::simulator(h.app.view(id));
        ui.find(selector::id(badge.clone())).is_ok()
    };
    assert!(!has_badge(&mut h));
    message(&mut h, incoming(1, T0, "<i>ping</i>"));
    assert!(has_badge(&mut h), "no unread badge on Bob");
    h.shows("1");
    message(&mut h, incoming(2, T0 + 1, "again"));
    h.shows("2");
    assert_eq!(h.app.chats().total_unread(), 2);
    assert_eq!(h.app.title(h.app.main_window()), "Hark (2)");
    assert_eq!(h.app.chat_window(ALICE, BOB), None, "no window by default");
    {
        let r = recorded.lock().unwrap();
        assert_eq!(r.notifications.len(), 2);
        assert_eq!(r.notifications[0].summary, "Bob Builder");
        assert_eq!(r.notifications[0].body, "<i>ping</i>");
        assert_eq!(r.notifications[0].peer, BOB);
    }
    // Our own messages and repeats count for nothing.
    message(&mut h, outgoing(3, T0 + 2, "pong", ChatState::Sent));
    message(&mut h, incoming(2, T0 + 1, "again"));
    assert_eq!(h.app.chats().total_unread(), 2);

    // Opening the chat reads them.
    h.interact(|ui| {
        ui.click("Bob Builder").unwrap();
        ui.click("Bob Builder").unwrap();
    });
    assert!(h.commands().contains(&Command::MarkRead {
        account: ALICE.into(),
        peer: BOB.into()
    }));
    assert!(!has_badge(&mut h), "the badge stays after reading");

    // While the window is in front, a new message is read at once.
    message(&mut h, incoming(4, T0 + 3, "seen"));
    assert_eq!(
        h.commands(),
        [Command::MarkRead {
            account: ALICE.into(),
            peer: BOB.into()
        }]
    );
    // Behind other windows it counts, until the window gets the focus.
    let id = h.app.chat_window(ALICE, BOB).unwrap();
    h.update(Message::Focus(id, false));
    message(&mut h, incoming(5, T0 + 4, "unseen"));
    assert_eq!(h.commands(), []);
    assert!(has_badge(&mut h));
    h.update(Message::Focus(id, true));
    assert_eq!(
        h.commands(),
        [Command::MarkRead {
            account: ALICE.into(),
            peer: BOB.into()
        }]
    );
    assert!(!has_badge(&mut h));
    assert_eq!(recorded.lock().unwrap().notifications.len(), 2);
}

#[test]
fn the_setting_opens_the_window_instead() {
    let (mut h, recorded) = harness();
    h.app.set_chat_settings(ChatSettings {
        open_on_message: true,
        notify: true,
    });
    message(&mut h, incoming(1, T0, "knock knock"));
    let id = h.app.chat_window(ALICE, BOB).expect("the window opened");
    h.shows_in(id, "knock knock");
    assert!(recorded.lock().unwrap().notifications.is_empty());
    assert_eq!(h.app.chats().total_unread(), 0);
}

#[test]
fn several_chats_have_several_windows() {
    let (mut h, _) = harness();
    let bob = open_bob(&mut h);
    h.event(Event::OpenChat {
        account: ALICE.into(),
        peer: CAROL.into(),
    });
    let carol = h.app.chat_window(ALICE, CAROL).expect("Carol's window");
    assert_ne!(bob, carol);
    let mut to_carol = incoming(9, T0, "for Carol's window");
    to_carol.peer = CAROL.into();
    to_carol.sender = CAROL.into();
    message(&mut h, to_carol);
    h.shows_in(carol, "for Carol's window");
    h.does_not_show_in(bob, "for Carol's window");
    h.shows_in(carol, "Carol Chen");
}

#[test]
fn load_older_asks_for_the_page_before_the_oldest() {
    let (mut h, _) = harness();
    let id = open_bob(&mut h);
    h.event(Event::History {
        id: None,
        account: ALICE.into(),
        peer: BOB.into(),
        messages: vec![incoming(40, T0, "forty"), incoming(41, T0 + 1, "forty-one")],
        more: true,
    });
    h.interact_in(id, |ui| {
        ui.click("Load older messages").expect("load older");
    });
    assert_eq!(
        h.commands(),
        [Command::History {
            account: ALICE.into(),
            peer: BOB.into(),
            before: Some(40),
            limit: Some(HISTORY_PAGE),
        }]
    );
    h.event(Event::History {
        id: None,
        account: ALICE.into(),
        peer: BOB.into(),
        messages: vec![incoming(39, T0 - MIN, "thirty-nine")],
        more: false,
    });
    h.shows_in(id, "thirty-nine");
    h.does_not_show_in(id, "Load older messages");
}

#[test]
fn links_open_in_the_browser_and_sip_links_in_hark() {
    let (mut h, recorded) = harness();
    let id = open_bob(&mut h);
    message(
        &mut h,
        incoming(
            1,
            T0,
            "docs at https://hark.test/docs or sip:carol@hark.test",
        ),
    );
    // The plain text around the links is still there.
    h.does_not_show_in(id, "https://hark.test/docs");
    use hark::ui::screen::chat_window::Message as Chat;
    h.update(Message::Chat(
        id,
        Chat::Link("https://hark.test/docs".into()),
    ));
    assert_eq!(recorded.lock().unwrap().opened, ["https://hark.test/docs"]);
    h.update(Message::Chat(id, Chat::Link("sip:carol@hark.test".into())));
    assert!(h.app.chat_window(ALICE, CAROL).is_some());
    // Anything else is not opened.
    h.update(Message::Chat(id, Chat::Link("file:///etc/passwd".into())));
    assert_eq!(recorded.lock().unwrap().opened.len(), 1);
}

#[test]
fn copy_puts_one_message_on_the_clipboard() {
    let (mut h, _) = harness();
    let id = open_bob(&mut h);
    message(&mut h, incoming(1, T0, "copy me"));
    h.interact_in(id, |ui| {
        ui.click("Copy").expect("Copy button");
    });
    h.shows_in(id, "Copied");

    // Double-click: the text becomes selectable, and stays as it was.
    h.interact_in(id, |ui| {
        ui.click("copy me").unwrap();
        ui.click("copy me").unwrap();
    });
    let window = h.app.chat_window_state(id).unwrap();
    assert_eq!(window.selecting(), Some(1));
    use hark::ui::screen::chat_window::Message as Chat;
    use iced::widget::text_editor::{Action, Edit};
    h.update(Message::Chat(id, Chat::Selection(Action::SelectAll)));
    h.update(Message::Chat(
        id,
        Chat::Selection(Action::Edit(Edit::Delete)),
    ));
    let window = h.app.chat_window_state(id).unwrap();
    assert_eq!(window.selectable_text().as_deref(), Some("copy me"));
    h.update(Message::EscapeIn(id));
    assert_eq!(h.app.chat_window_state(id).unwrap().selecting(), None);
    h.shows_in(id, "copy me");
}

#[test]
fn the_call_button_is_there_but_disabled() {
    let (mut h, _) = harness();
    let id = open_bob(&mut h);
    h.shows_in(id, "Call");
    h.interact_in(id, |ui| {
        ui.click("Call").expect("Call button");
    });
    assert_eq!(h.commands(), []);
}

#[test]
fn searching_one_chat_and_all_chats() {
    let (mut h, _) = harness();
    let id = open_bob(&mut h);
    h.does_not_show_in(id, "Search this chat");
    h.interact_in(id, |ui| {
        ui.click("Search").expect("search button");
    });
    h.interact_in(id, |ui| {
        ui.click(selector::id(SEARCH_ID)).unwrap();
        let _ = ui.typewrite("lunch");
        let _ = ui.tap_key(Named::Enter);
    });
    let Some(Envelope {
        id: Some(request),
        command:
            Command::SearchMessages {
                account,
                peer,
                query,
                ..
            },
    }) = h.command()
    else {
        panic!("expected a search");
    };
    assert_eq!(
        (account.as_str(), peer.as_deref(), query.as_str()),
        (ALICE, Some(BOB), "lunch")
    );
    h.shows_in(id, "Searching…");
    let hit = SearchHit {
        message: incoming(3, T0, "Lunch at noon?"),
        snippet: "\u{2}Lunch\u{3} at noon?".into(),
    };
    h.event(Event::SearchResults {
        id: Some(request),
        account: ALICE.into(),
        query: "lunch".into(),
        hits: vec![hit.clone()],
    });
    h.shows_in(id, "1 message contains “lunch”");
    h.interact_in(id, |ui| {
        ui.click("Back to the chat").unwrap();
    });
    h.does_not_show_in(id, "1 message contains “lunch”");

    // Across all chats, from the main window's menu.
    h.interact(|ui| {
        ui.click("⋯").expect("menu button");
    });
    h.interact(|ui| {
        ui.click("Search messages…").expect("menu entry");
    });
    let search = h.app.search_window().expect("the search window opened");
    h.interact_in(search, |ui| {
        ui.click(selector::id(QUERY_ID)).unwrap();
        let _ = ui.typewrite("noon");
        let _ = ui.tap_key(Named::Enter);
    });
    let Some(Envelope {
        id: Some(request),
        command: Command::SearchMessages { peer: None, .. },
    }) = h.command()
    else {
        panic!("expected a search of every chat");
    };
    h.event(Event::SearchResults {
        id: Some(request),
        account: ALICE.into(),
        query: "noon".into(),
        hits: vec![hit],
    });
    h.shows_in(search, "1 message contains “noon”");
    h.update(Message::WindowClosed(id));
    assert_eq!(h.app.chat_window(ALICE, BOB), None);
    h.interact_in(search, |ui| {
        ui.click("Bob Builder").expect("the hit names the chat");
    });
    assert!(
        h.app.chat_window(ALICE, BOB).is_some(),
        "a hit opens its chat"
    );
}

#[test]
fn a_new_room_window_invites_and_leaves() {
    let (mut h, _) = harness();
    h.interact(|ui| {
        ui.click("⋯").expect("menu button");
    });
    h.interact(|ui| {
        ui.click("New group chat…").expect("menu entry");
    });
    h.interact(|ui| {
        ui.click(selector::id(ROOM_NAME_ID)).unwrap();
        let _ = ui.typewrite("team");
        let _ = ui.tap_key(Named::Enter);
    });
    let sent = h.commands();
    assert_eq!(
        sent[0],
        Command::Room {
            account: ALICE.into(),
            room: ROOM.into(),
            action: RoomAction::Create
        }
    );
    let id = h.app.chat_window(ALICE, ROOM).expect("the room's window");
    assert_eq!(
        h.app.window_kind(id),
        Some(&WindowKind::Room {
            account: ALICE.into(),
            room: ROOM.into()
        })
    );
    h.event(Event::RoomMembers {
        account: ALICE.into(),
        room: ROOM.into(),
        members: vec![ALICE.into(), BOB.into()],
    });
    h.shows_in(id, "Members (2)");
    h.shows_in(id, "Bob Builder");
    h.shows_in(id, "team@conference.hark.test · 2 members");
    h.shows_in(id, "You");

    h.interact_in(id, |ui| {
        ui.click(selector::id(INVITE_ID)).unwrap();
        let _ = ui.typewrite("carol@hark.test");
    });
    h.interact_in(id, |ui| {
        ui.click("Invite").expect("Invite button");
    });
    assert_eq!(
        h.commands(),
        [Command::Room {
            account: ALICE.into(),
            room: ROOM.into(),
            action: RoomAction::Invite { uri: CAROL.into() }
        }]
    );

    // A member's message shows under their name.
    let mut from_carol = incoming(1, T0, "hello team");
    from_carol.peer = ROOM.into();
    from_carol.sender = CAROL.into();
    message(&mut h, from_carol);
    h.shows_in(id, "hello team");
    h.shows_in(id, "Carol Chen");

    h.interact_in(id, |ui| {
        ui.click("Leave the room").unwrap();
    });
    assert_eq!(
        h.commands(),
        [Command::Room {
            account: ALICE.into(),
            room: ROOM.into(),
            action: RoomAction::Leave
        }]
    );
}

#[test]
fn an_invitation_asks_and_join_opens_the_room() {
    let (mut h, _) = harness();
    h.event(Event::RoomInvitation {
        account: ALICE.into(),
        room: ROOM.into(),
        by: Some(BOB.into()),
    });
    h.shows("bob@hark.test invites you to the group chat team@conference.hark.test.");
    h.interact(|ui| {
        ui.click("Join").unwrap();
    });
    assert_eq!(
        h.commands()[0],
        Command::Room {
            account: ALICE.into(),
            room: ROOM.into(),
            action: RoomAction::Join
        }
    );
    assert!(h.app.chat_window(ALICE, ROOM).is_some());
    h.does_not_show("bob@hark.test invites you to the group chat team@conference.hark.test.");
}

#[test]
fn german_words() {
    let (mut h, _) = harness_in(Language::De);
    let id = open_bob(&mut h);
    h.event(Event::Typing {
        account: ALICE.into(),
        peer: BOB.into(),
        typing: true,
    });
    h.shows_in(id, "Bob Builder schreibt…");
    let mut failed = outgoing(1, T0, "Hallo", ChatState::Failed);
    failed.failure = Some("408 Request Timeout".into());
    message(&mut h, failed);
    h.shows_in(id, "Nicht gesendet: 408 Request Timeout");
    h.shows_in(id, "Erneut senden");
    h.shows_in(id, "Anrufen");
}

#[test]
fn a_refused_message_comes_back_into_the_composer() {
    let (mut h, _) = harness();
    h.event(Event::OpenChat {
        account: ALICE.into(),
        peer: BOB.into(),
    });
    let id = h.app.chat_window(ALICE, BOB).unwrap();
    // The history request fails: no endless "Loading…".
    let history = h.command().expect("history request");
    assert!(matches!(history.command, Command::History { .. }));
    h.commands();
    h.shows_in(id, "Loading…");
    h.event(Event::Error {
        id: history.id,
        kind: ErrorKind::Failed,
        message: "the history could not be used: disk full".into(),
    });
    h.does_not_show_in(id, "Loading…");

    h.interact_in(id, |ui| {
        ui.click(selector::id(COMPOSER_ID)).unwrap();
        let _ = ui.typewrite("too long");
        let _ = ui.tap_key(Named::Enter);
    });
    let send = std::iter::from_fn(|| h.command())
        .find(|e| matches!(e.command, Command::SendMessage { .. }))
        .expect("a SendMessage");
    assert_eq!(
        h.app.chat_window_state(id).unwrap().composer_text().trim(),
        ""
    );
    h.event(Event::Error {
        id: send.id,
        kind: ErrorKind::BadArgument,
        message: "the message is 70000 bytes long".into(),
    });
    assert_eq!(
        h.app
            .chat_window_state(id)
            .unwrap()
            .composer_text()
            .trim_end(),
        "too long"
    );
    h.shows_in(
        id,
        "Could not send this message: the message is 70000 bytes long",
    );
    // It is the chat window's business, not the main window's.
    h.does_not_show("Hark could not do that: the message is 70000 bytes long");
}
