//! Calls in the window, driven headless with iced_test against an engine
//! handle wired to plain channels: the engine's `call` events are injected
//! and we read the commands the windows send. The incoming-call pop-up
//! (Accept, Decline, To voicemail; it goes when the call stops ringing),
//! the call window (phases, timer, Mute, Hold, keypad and typed keys,
//! Hang up, the end state), starting calls from the contact list, the dial
//! field and a chat window, and the missed-call badge.

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use hark::engine::{
    CallAction, CallDirection, CallPhase, CallQualityView, CallView, Command, Envelope, ErrorKind,
    Event,
};
use hark::i18n::Language;
use hark::ui::app::{call_keys, CallKey};
use hark::ui::desktop::Topic;
use hark::ui::screen::call_window::TRANSFER_ID;
use hark::ui::screen::chat_window::COMPOSER_ID;
use hark::ui::screen::contacts::DefaultAction;
use hark::ui::screen::dial_pad::{self, DIAL_ID, DIAL_REQUEST};
use hark::ui::screen::main_window;
use hark::ui::{Message, WindowKind};
use iced::keyboard::{self, key::Named};
use iced::window;
use iced_test::selector;
use support::window::chat::*;
use support::window::Window as Harness;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Bob calling Alice, ringing.
fn incoming_call(id: &str) -> CallView {
    CallView {
        peer_name: Some("Robert B.".into()),
        ..CallView::new(id, ALICE, BOB, CallDirection::Incoming, now_ms())
    }
}

/// Alice calling `peer`, just placed.
fn outgoing_call(id: &str, peer: &str) -> CallView {
    CallView {
        peer: peer.into(),
        peer_name: None,
        direction: CallDirection::Outgoing,
        phase: CallPhase::Calling,
        ..incoming_call(id)
    }
}

fn call(h: &mut Harness, view: &CallView) {
    h.event(Event::Call {
        call: Box::new(view.clone()),
    });
}

fn phase(h: &mut Harness, view: &mut CallView, phase: CallPhase) {
    view.phase = phase;
    if phase == CallPhase::Active && view.answered_ms.is_none() {
        view.answered_ms = Some(now_ms());
    }
    call(h, view);
}

fn ended(h: &mut Harness, view: &mut CallView, reason: &str) {
    view.phase = CallPhase::Ended;
    view.end_reason = Some(reason.into());
    call(h, view);
}

fn control(id: &str, action: CallAction) -> Command {
    Command::CallControl {
        call: id.into(),
        action,
    }
}

fn click(h: &mut Harness, window: window::Id, label: &str) {
    h.interact_in(window, |ui| {
        ui.click(label)
            .unwrap_or_else(|e| panic!("no {label:?} to click: {e}"));
    });
}

/// A key pressed while `window` has the focus, as the app's keyboard
/// subscription sees it.
fn press(h: &mut Harness, window: window::Id, key: keyboard::Key, modifiers: keyboard::Modifiers) {
    let event = iced::Event::Keyboard(keyboard::Event::KeyPressed {
        key: key.clone(),
        modified_key: key,
        physical_key: keyboard::key::Physical::Unidentified(
            keyboard::key::NativeCode::Unidentified,
        ),
        location: keyboard::Location::Standard,
        modifiers,
        text: None,
        repeat: false,
    });
    if let Some(message) = call_keys(event, iced::event::Status::Ignored, window) {
        h.update(message);
    }
}

fn char_key(c: &str) -> keyboard::Key {
    keyboard::Key::Character(c.into())
}

/// Opens Carol's chat and returns its window, with its commands taken.
fn open_carol(h: &mut Harness) -> window::Id {
    h.event(Event::OpenChat {
        account: ALICE.into(),
        peer: CAROL.into(),
    });
    h.commands();
    h.app
        .chat_window(ALICE, CAROL)
        .expect("Carol's chat window")
}

fn call_window(h: &Harness, id: &str) -> window::Id {
    h.app
        .call_window(id)
        .unwrap_or_else(|| panic!("no window for call {id}"))
}

#[test]
fn an_incoming_call_pops_up_with_the_caller_and_accept_answers() {
    let (mut h, recorded) = harness();
    let mut bob = incoming_call("c1");
    call(&mut h, &bob);
    let popup = h.app.incoming_window("c1").expect("the pop-up");
    assert_eq!(
        h.app.window_kind(popup),
        Some(&WindowKind::IncomingCall { call: "c1".into() })
    );
    assert_eq!(h.app.title(popup), "Call from Bob Builder – Hark");
    h.shows_in(popup, "Incoming call");
    h.shows_in(popup, "Bob Builder"); // the list's name wins over the call's
    h.shows_in(popup, "bob@hark.test");
    {
        let r = recorded.lock().unwrap();
        let n = r.notifications.last().expect("a notification");
        assert_eq!(n.topic, Topic::IncomingCall);
        assert_eq!(n.summary, "Incoming call");
        assert_eq!(n.body, "Bob Builder (bob@hark.test) is calling you.");
    }
    // The main window lists it, to bring the pop-up back.
    h.shows("Bob Builder");
    h.shows("Incoming call");

    click(&mut h, popup, "Accept");
    assert_eq!(h.commands(), [control("c1", CallAction::Answer)]);
    assert_eq!(
        h.app.incoming_window("c1"),
        Some(popup),
        "open until the engine answered"
    );

    // Answered: the pop-up goes, the call window comes.
    phase(&mut h, &mut bob, CallPhase::Connecting);
    assert_eq!(h.app.incoming_window("c1"), None);
    let w = call_window(&h, "c1");
    h.shows_in(w, "Connecting…");
    phase(&mut h, &mut bob, CallPhase::Active);
    h.shows_in(w, "Connected · 0:00");
    assert_eq!(h.app.title(w), "Call with Bob Builder – Hark");

    // The same keys from the keyboard: Enter in a pop-up accepts.
    let carol = CallView {
        peer: CAROL.into(),
        ..incoming_call("c2")
    };
    call(&mut h, &carol);
    let popup = h.app.incoming_window("c2").expect("Carol's pop-up");
    h.shows_in(popup, "Carol Chen");
    press(
        &mut h,
        popup,
        keyboard::Key::Named(Named::Enter),
        keyboard::Modifiers::empty(),
    );
    assert_eq!(h.commands(), [control("c2", CallAction::Answer)]);
}

#[test]
fn decline_and_voicemail_send_their_actions_and_the_pop_up_goes() {
    let (mut h, _) = harness();
    let mut first = incoming_call("c1");
    call(&mut h, &first);
    let popup = h.app.incoming_window("c1").unwrap();
    click(&mut h, popup, "Decline");
    assert_eq!(h.commands(), [control("c1", CallAction::Decline)]);
    ended(&mut h, &mut first, "declined");
    assert_eq!(h.app.incoming_window("c1"), None);
    assert_eq!(
        h.app.call_window("c1"),
        None,
        "a declined call has no window"
    );

    let mut second = incoming_call("c2");
    call(&mut h, &second);
    let popup = h.app.incoming_window("c2").unwrap();
    click(&mut h, popup, "To voicemail");
    assert_eq!(h.commands(), [control("c2", CallAction::Voicemail)]);
    ended(&mut h, &mut second, "forwarded");
    assert_eq!(h.app.incoming_window("c2"), None);

    // Alt+D and Alt+V do the same from the keyboard.
    call(&mut h, &incoming_call("c3"));
    let popup = h.app.incoming_window("c3").unwrap();
    press(&mut h, popup, char_key("d"), keyboard::Modifiers::ALT);
    press(&mut h, popup, char_key("v"), keyboard::Modifiers::ALT);
    assert_eq!(
        h.commands(),
        [
            control("c3", CallAction::Decline),
            control("c3", CallAction::Voicemail)
        ]
    );
    // Neither a declined nor a forwarded call is missed.
    assert!(h.app.calls().missed().is_empty());
    h.does_not_show("1 missed call");
}

#[test]
fn missed_calls_show_a_badge_that_a_click_clears() {
    let (mut h, recorded) = harness();
    let mut first = incoming_call("c1");
    call(&mut h, &first);
    // Answered on another device, or the caller gave up: the pop-up goes.
    ended(&mut h, &mut first, "cancelled");
    assert_eq!(h.app.incoming_window("c1"), None);
    assert_eq!(h.app.call_window("c1"), None);
    h.shows("1 missed call");
    assert_eq!(
        recorded
            .lock()
            .unwrap()
            .notifications
            .last()
            .map(|n| n.topic),
        Some(Topic::MissedCall)
    );

    let mut second = CallView {
        peer: "sip:dave@elsewhere.test".into(),
        peer_name: Some("Dave Dialer".into()),
        ..incoming_call("c2")
    };
    call(&mut h, &second);
    let popup = h.app.incoming_window("c2").unwrap();
    h.shows_in(popup, "Dave Dialer"); // not on the list: the call's name
    ended(&mut h, &mut second, "no-answer");
    h.shows("2 missed calls");
    assert_eq!(h.app.calls().missed().len(), 2);

    // A click shows them in the call history (tests/ui_call_history.rs),
    // and they count as seen.
    h.interact(|ui| {
        ui.click("2 missed calls").expect("the badge");
    });
    h.does_not_show("2 missed calls");
    assert!(h.app.calls().missed().is_empty());
    assert!(h.app.history_window().is_some());
    assert_eq!(
        h.commands().first(),
        Some(&Command::MarkCallsSeen { account: None })
    );
}

#[test]
fn the_call_window_follows_the_call_and_its_buttons_send_the_actions() {
    let (mut h, _) = harness();
    // Right-click Bob, Call.
    h.interact(|ui| {
        let target = ui.find("Bob Builder").unwrap();
        let bounds = target.visible_bounds().unwrap();
        ui.point_at(bounds.center());
        let _ = ui.simulate([iced::Event::Mouse(iced::mouse::Event::ButtonPressed(
            iced::mouse::Button::Right,
        ))]);
    });
    h.interact(|ui| {
        ui.click("Call").expect("Call in the menu");
    });
    assert_eq!(
        h.commands(),
        [Command::Call {
            account: Some(ALICE.into()),
            uri: BOB.into()
        }]
    );
    let mut bob = outgoing_call("c1", BOB);
    call(&mut h, &bob);
    let w = call_window(&h, "c1");
    h.shows_in(w, "Bob Builder");
    h.shows_in(w, "Calling…");
    // Nothing to mute or hold yet.
    click(&mut h, w, "Hold");
    assert_eq!(h.commands(), []);
    phase(&mut h, &mut bob, CallPhase::Ringing);
    h.shows_in(w, "Ringing…");
    phase(&mut h, &mut bob, CallPhase::Active);
    h.shows_in(w, "Connected · 0:00");
    h.shows_in(w, "Measuring the connection…");

    click(&mut h, w, "Mute");
    assert_eq!(h.commands(), [control("c1", CallAction::Mute)]);
    h.shows_in(w, "Mute"); // until the engine says so
    bob.muted = true;
    call(&mut h, &bob);
    h.shows_in(w, "Unmute");
    h.shows_in(w, "Your microphone is off");
    click(&mut h, w, "Unmute");
    assert_eq!(h.commands(), [control("c1", CallAction::Unmute)]);
    bob.muted = false;
    call(&mut h, &bob);

    click(&mut h, w, "Hold");
    assert_eq!(h.commands(), [control("c1", CallAction::Hold)]);
    bob.on_hold = true;
    call(&mut h, &bob);
    h.shows_in(w, "On hold · 0:00");
    click(&mut h, w, "Resume");
    assert_eq!(h.commands(), [control("c1", CallAction::Resume)]);
    bob.on_hold = false;
    call(&mut h, &bob);

    // The keypad sends a key per press; typed digits too.
    click(&mut h, w, "Keypad");
    assert!(h.app.call_window_state(w).unwrap().keypad_shown());
    click(&mut h, w, "5");
    press(&mut h, w, char_key("#"), keyboard::Modifiers::SHIFT);
    press(&mut h, w, char_key("x"), keyboard::Modifiers::empty());
    assert_eq!(
        h.commands(),
        [
            control("c1", CallAction::Dtmf { keys: "5".into() }),
            control("c1", CallAction::Dtmf { keys: "#".into() }),
        ]
    );
    h.shows_in(w, "5#");
    h.event(Event::DtmfReceived {
        call: "c1".into(),
        key: '7',
    });
    h.shows_in(w, "They pressed: 7");

    // The connection's quality, and the figures in the info panel.
    h.event(Event::CallQuality {
        quality: CallQualityView {
            call: "c1".into(),
            codec: "opus".into(),
            loss: 0.025,
            jitter_ms: 12.0,
            remote_loss: None,
            round_trip_ms: Some(80.0),
            packets_sent: 500,
            packets_received: 490,
            concealed: 3,
        },
    });
    h.shows_in(w, "Fair connection");
    press(&mut h, w, char_key("i"), keyboard::Modifiers::ALT);
    h.shows_in(w, "Codec: opus");
    h.shows_in(w, "Packets lost: 2.5 %");
    h.shows_in(w, "Round trip: 80 ms");

    // Alt+M, Alt+H and Alt+E from the keyboard.
    press(&mut h, w, char_key("m"), keyboard::Modifiers::ALT);
    press(&mut h, w, char_key("h"), keyboard::Modifiers::ALT);
    assert_eq!(
        h.commands(),
        [
            control("c1", CallAction::Mute),
            control("c1", CallAction::Hold)
        ]
    );
    click(&mut h, w, "Hang up");
    assert_eq!(h.commands(), [control("c1", CallAction::Hangup)]);

    // Ended: the reason in words, Close, then the window goes by itself.
    ended(&mut h, &mut bob, "remote-hangup");
    h.shows_in(w, "Bob Builder hung up · 0:00");
    h.does_not_show_in(w, "Hang up");
    h.shows_in(w, "Close");
    h.update(Message::CloseEndedCall(w));
    assert_eq!(h.app.call_window("c1"), None);
    assert_eq!(h.app.window_kind(w), None);
    assert!(h.app.calls().get("c1").is_none());
}

#[test]
fn transfer_passes_the_call_on_to_a_number_or_to_another_call() {
    let (mut h, _) = harness();
    let mut bob = outgoing_call("c1", BOB);
    phase(&mut h, &mut bob, CallPhase::Active);
    let w = call_window(&h, "c1");
    click(&mut h, w, "Transfer");
    h.shows_in(w, "Transfer Bob Builder to:");
    h.shows_in(w, "Cancel");
    // Something that is no address: said so, nothing sent.
    h.interact_in(w, |ui| {
        ui.click(selector::id(TRANSFER_ID)).expect("transfer field");
        let _ = ui.typewrite("carol chen");
        let _ = ui.tap_key(Named::Enter);
    });
    assert_eq!(h.commands(), []);
    h.shows_in(
        w,
        "Enter a number, a user name or an address like bob@example.com.",
    );
    // A user name is at the account's domain (blind transfer).
    h.update(Message::Call(
        w,
        hark::ui::screen::call_window::Message::TransferInput(String::new()),
    ));
    h.interact_in(w, |ui| {
        ui.click(selector::id(TRANSFER_ID)).expect("transfer field");
        let _ = ui.typewrite("carol");
        let _ = ui.tap_key(Named::Enter);
    });
    assert_eq!(
        h.commands(),
        [control(
            "c1",
            CallAction::Transfer {
                target: "sip:carol@hark.test".into()
            }
        )]
    );
    assert!(h
        .app
        .call_window_state(w)
        .unwrap()
        .transfer_form()
        .is_none());

    // With Carol on hold in another call: connect Bob with her (attended).
    let mut carol = outgoing_call("c2", CAROL);
    phase(&mut h, &mut carol, CallPhase::Active);
    carol.on_hold = true;
    call(&mut h, &carol);
    press(&mut h, w, char_key("t"), keyboard::Modifiers::ALT);
    h.shows_in(w, "Or put Bob Builder through to a call you have:");
    h.shows_in(w, "Carol Chen");
    h.shows_in(w, "On hold · 0:00");
    click(&mut h, w, "Connect");
    assert_eq!(
        h.commands(),
        [control(
            "c1",
            CallAction::AttendedTransfer { with: "c2".into() }
        )]
    );
    // Escape closes the form.
    press(&mut h, w, char_key("t"), keyboard::Modifiers::ALT);
    h.update(Message::EscapeIn(w));
    assert!(h
        .app
        .call_window_state(w)
        .unwrap()
        .transfer_form()
        .is_none());

    ended(&mut h, &mut bob, "transferred");
    h.shows_in(w, "Call transferred · 0:00");
}

#[test]
fn a_call_that_fails_at_once_says_why_until_closed() {
    let (mut h, _) = harness();
    let mut carol = outgoing_call("c1", CAROL);
    carol.detail = Some("486 Busy Here".into());
    ended(&mut h, &mut carol, "busy");
    let w = call_window(&h, "c1");
    h.shows_in(w, "Carol Chen is busy");
    h.shows_in(w, "Details: 486 Busy Here");
    click(&mut h, w, "Close");
    assert_eq!(h.app.call_window("c1"), None);

    // Escape closes an ended call's window too.
    let mut nobody = outgoing_call("c2", "sip:nobody@hark.test");
    ended(&mut h, &mut nobody, "not-found");
    let w = call_window(&h, "c2");
    h.shows_in(w, "There is no one at this number or address");
    h.update(Message::EscapeIn(w));
    assert_eq!(h.app.call_window("c2"), None);
}

#[test]
fn the_chat_window_calls_its_peer_and_then_shows_the_call() {
    let (mut h, _) = harness();
    let chat = open_bob(&mut h);
    click(&mut h, chat, "Call");
    assert_eq!(
        h.commands(),
        [Command::Call {
            account: Some(ALICE.into()),
            uri: BOB.into()
        }]
    );
    // A second click at once is the same call.
    click(&mut h, chat, "Call");
    assert_eq!(h.commands(), []);

    // Alt+C in the composer calls too, and types nothing.
    let chat = open_carol(&mut h);
    h.interact_in(chat, |ui| {
        ui.click(selector::id(COMPOSER_ID)).expect("composer");
        let _ = ui.simulate([iced::Event::Keyboard(keyboard::Event::KeyPressed {
            key: char_key("c"),
            modified_key: char_key("c"),
            physical_key: keyboard::key::Physical::Unidentified(
                keyboard::key::NativeCode::Unidentified,
            ),
            location: keyboard::Location::Standard,
            modifiers: keyboard::Modifiers::ALT,
            text: Some("c".into()),
            repeat: false,
        })]);
    });
    assert_eq!(
        h.commands(),
        [Command::Call {
            account: Some(ALICE.into()),
            uri: CAROL.into()
        }]
    );
    assert_eq!(
        h.app
            .chat_window_state(chat)
            .unwrap()
            .composer_text()
            .trim(),
        ""
    );
    let chat = h.app.chat_window(ALICE, BOB).unwrap();

    call(&mut h, &outgoing_call("c1", BOB));
    let w = call_window(&h, "c1");
    // With a call under way, the button (and Alt+C) show it, no new call.
    click(&mut h, chat, "Call");
    press(&mut h, chat, char_key("c"), keyboard::Modifiers::ALT);
    assert_eq!(h.commands(), []);
    assert_eq!(h.app.call_window("c1"), Some(w));

    // Closing the window of a live call keeps the call; Show brings it back.
    h.update(Message::WindowClosed(w));
    assert_eq!(h.app.call_window("c1"), None);
    h.shows("Calling…");
    h.interact(|ui| {
        ui.click("Show").expect("Show");
    });
    let again = call_window(&h, "c1");
    assert_ne!(again, w);
    assert_eq!(h.commands(), []);
}

#[test]
fn the_dial_field_calls_what_was_typed_and_keeps_it_when_refused() {
    let (mut h, _) = harness();
    h.interact(|ui| {
        ui.click(selector::id(DIAL_ID)).expect("dial field");
        let _ = ui.typewrite("+49 30 1234");
        let _ = ui.tap_key(Named::Enter);
    });
    let Some(Envelope { id, command }) = h.command() else {
        panic!("no call command");
    };
    assert_eq!(id, Some(DIAL_REQUEST.into()));
    assert_eq!(
        command,
        Command::Call {
            account: None,
            uri: "+49 30 1234".into()
        }
    );
    assert_eq!(h.app.main().dial_pad().number(), "");
    h.event(Event::Error {
        id: Some(DIAL_REQUEST.into()),
        kind: ErrorKind::BadArgument,
        message: "\"+49 30 1234\" is not an address to call".into(),
    });
    h.shows("Could not call: \"+49 30 1234\" is not an address to call");
    assert_eq!(h.app.main().dial_pad().number(), "+49 30 1234");

    // The keypad types into the field; the button calls.
    h.update(Message::Main(main_window::Message::Dial(
        dial_pad::Message::Input(String::new()),
    )));
    h.interact(|ui| {
        ui.click("123").expect("keypad button");
    });
    h.interact(|ui| {
        ui.click("7").unwrap();
        ui.click("0").unwrap();
        ui.click("0").unwrap();
    });
    assert_eq!(h.app.main().dial_pad().number(), "700");
    h.interact(|ui| {
        ui.click("☎").expect("call button");
    });
    assert_eq!(
        h.commands(),
        [Command::Call {
            account: None,
            uri: "700".into()
        }]
    );
    // Ctrl+D goes to the field from anywhere in the main window.
    let main = h.app.main_window();
    let message = call_keys(
        iced::Event::Keyboard(keyboard::Event::KeyPressed {
            key: char_key("d"),
            modified_key: char_key("d"),
            physical_key: keyboard::key::Physical::Unidentified(
                keyboard::key::NativeCode::Unidentified,
            ),
            location: keyboard::Location::Standard,
            modifiers: keyboard::Modifiers::CTRL,
            text: None,
            repeat: false,
        }),
        iced::event::Status::Captured,
        main,
    );
    assert!(
        matches!(message, Some(Message::CallKey(w, CallKey::Dial)) if w == main),
        "{message:?}"
    );
}

#[test]
fn double_click_calls_when_that_is_the_default_action() {
    let (mut h, _) = harness();
    h.app.set_default_action(DefaultAction::Call);
    h.interact(|ui| {
        ui.click("Bob Builder").unwrap();
        ui.click("Bob Builder").unwrap();
    });
    assert_eq!(
        h.commands(),
        [Command::Call {
            account: Some(ALICE.into()),
            uri: BOB.into()
        }]
    );
    assert_eq!(h.app.chat_window(ALICE, BOB), None);
}

#[test]
fn german_calls_read_in_german() {
    let (mut h, _) = harness_in(Language::De);
    let mut bob = incoming_call("c1");
    call(&mut h, &bob);
    let popup = h.app.incoming_window("c1").unwrap();
    h.shows_in(popup, "Eingehender Anruf");
    h.shows_in(popup, "Annehmen");
    h.shows_in(popup, "Zur Mailbox");
    phase(&mut h, &mut bob, CallPhase::Active);
    let w = call_window(&h, "c1");
    h.shows_in(w, "Verbunden · 0:00");
    h.shows_in(w, "Stummschalten");
    h.shows_in(w, "Auflegen");
    ended(&mut h, &mut bob, "hangup");
    h.shows_in(w, "Anruf beendet · 0:00");
}
