//! Chat windows, driven headless with iced_test against an engine handle
//! wired to plain channels: the engine's chat events are injected, and we
//! read the commands the window sends (history, send, retry, typing, read).
//! Rooms, search and unread badges are in `ui_chat_rooms.rs`.

mod support;

use hark::engine::{ChatState, Command, ErrorKind, Event};
use hark::i18n::Language;
use hark::ui::chat::HISTORY_PAGE;
use hark::ui::screen::chat_window::COMPOSER_ID;
use hark::ui::{Message, WindowKind};
use iced::keyboard::{self, key::Named};
use iced_test::selector;
use support::window::chat::*;

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

/// SPEC M8; the call that follows is in `ui_calls.rs`.
#[test]
fn the_call_button_calls_the_peer() {
    let (mut h, _) = harness();
    let id = open_bob(&mut h);
    h.shows_in(id, "Call");
    h.interact_in(id, |ui| {
        ui.click("Call").expect("Call button");
    });
    assert_eq!(
        h.commands(),
        [Command::Call {
            account: Some(ALICE.into()),
            uri: BOB.into()
        }]
    );
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

#[test]
fn send_message_in_the_menu_opens_the_chat_even_for_someone_offline() {
    let (mut h, _) = harness();
    // Carol's presence is unknown: the server keeps messages for her.
    h.interact(|ui| {
        let bounds = ui
            .find("Carol Chen")
            .unwrap()
            .visible_bounds()
            .expect("visible");
        ui.point_at(bounds.center());
        let _ = ui.simulate([iced::Event::Mouse(iced::mouse::Event::ButtonPressed(
            iced::mouse::Button::Right,
        ))]);
    });
    h.interact(|ui| {
        ui.click("Send message").expect("Send message entry");
    });
    let id = h
        .app
        .chat_window(ALICE, CAROL)
        .expect("Carol's chat opened");
    h.shows_in(id, "Carol Chen");
    assert!(h.commands().contains(&Command::History {
        account: ALICE.into(),
        peer: CAROL.into(),
        before: None,
        limit: Some(HISTORY_PAGE),
    }));
}
