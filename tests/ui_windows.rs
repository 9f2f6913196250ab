//! The window, driven headless with iced_test against an engine handle wired
//! to plain channels: we read the commands the UI sends and inject events.
//! Each step builds a `Simulator` from the current view, interacts, then feeds
//! the produced messages back into `App::update`, like the iced runtime does.

mod support;

use hark::config::Transport;
use hark::engine::{Command, Envelope, Event, FailureKind, FailureReason, RegistrationState};
use hark::i18n::Language;
use hark::ui::screen::account_form::{ADDRESS_ID, PASSWORD_ID};
use hark::ui::{Message, Screen};
use iced::keyboard::key::Named;
use iced_test::selector;
use support::window::Window as Harness;

const ALICE: &str = "sip:alice@hark.test";

fn reason(kind: FailureKind, detail: &str) -> FailureReason {
    FailureReason {
        kind,
        detail: detail.into(),
    }
}

#[test]
fn first_run_form_validates_then_sends_the_normalized_account() {
    let mut h = Harness::new(Language::EnUs);
    h.shows("Starting Hark…");
    h.event(Event::Started { accounts: vec![] });
    assert!(matches!(h.app.screen(), Screen::AccountForm(_)));
    h.shows("Welcome to Hark");

    // An address without a domain: the error shows, nothing is sent.
    h.interact(|ui| {
        ui.click(selector::id(ADDRESS_ID)).expect("address field");
        let _ = ui.typewrite("alice");
        ui.click("Connect").expect("Connect button");
    });
    assert_eq!(h.command(), None, "nothing may be sent for an invalid form");
    h.shows("Enter an address like alice@example.com");
    h.shows("Enter your password.");
    h.shows("alice"); // what was typed is still there

    // Complete the address, type a password, press Enter.
    h.interact(|ui| {
        ui.click(selector::id(ADDRESS_ID)).expect("address field");
        let _ = ui.tap_key(Named::End);
        let _ = ui.typewrite("@hark.test");
        ui.click(selector::id(PASSWORD_ID)).expect("password field");
        let _ = ui.typewrite("s3cret");
        let _ = ui.tap_key(Named::Enter);
    });
    let sent = h.command().expect("SetAccount").command;
    let Command::SetAccount { account, save } = sent else {
        panic!("expected SetAccount, got {sent:?}");
    };
    assert!(save);
    assert_eq!(account.address, ALICE);
    assert_eq!(account.password.as_deref(), Some("s3cret"));
    assert_eq!(account.server, None);
    assert_eq!(account.transport, Transport::Udp);
    assert_eq!(h.command(), None);

    // Straight to the main window, connecting.
    assert!(matches!(h.app.screen(), Screen::Main));
    h.shows("alice@hark.test");
    h.shows("Connecting…");
    h.does_not_show("s3cret");
}

#[test]
fn form_shows_server_problems_and_picks_tcp() {
    let mut h = Harness::new(Language::EnUs);
    h.event(Event::Ok {
        id: Some("ui-snapshot".into()),
    });
    assert!(matches!(h.app.screen(), Screen::AccountForm(_)));
    h.interact(|ui| {
        ui.click(selector::id(ADDRESS_ID)).unwrap();
        let _ = ui.typewrite("bob@hark.test");
        ui.click(selector::id(PASSWORD_ID)).unwrap();
        let _ = ui.typewrite("pw");
        ui.click(selector::id(hark::ui::screen::account_form::SERVER_ID))
            .unwrap();
        let _ = ui.typewrite("proxy.hark.test:70000");
        ui.click("TCP").unwrap();
        ui.click("Connect").unwrap();
    });
    assert_eq!(h.command(), None);
    h.shows("The port must be a number from 1 to 65535.");
    h.interact(|ui| {
        ui.click(selector::id(hark::ui::screen::account_form::SERVER_ID))
            .unwrap();
        let _ = ui.tap_key(Named::End);
        for _ in 0..6 {
            let _ = ui.tap_key(Named::Backspace);
        }
        let _ = ui.typewrite(":5070");
        ui.click("Connect").unwrap();
    });
    let Some(Envelope {
        command: Command::SetAccount { account, .. },
        ..
    }) = h.command()
    else {
        panic!("expected SetAccount");
    };
    assert_eq!(account.address, "sip:bob@hark.test");
    assert_eq!(account.server.as_deref(), Some("proxy.hark.test:5070"));
    assert_eq!(account.transport, Transport::Tcp);
}

#[test]
fn main_window_says_what_happens_in_plain_words() {
    let mut h = Harness::new(Language::EnUs);
    h.event(Event::Started {
        accounts: vec![ALICE.into()],
    });
    assert!(matches!(h.app.screen(), Screen::Main));

    h.account_state(ALICE, RegistrationState::Registered { expires: 600 });
    h.shows("alice@hark.test");
    h.shows("Online");
    h.does_not_show("Retry now");

    h.account_state(
        ALICE,
        RegistrationState::Failed {
            reason: reason(FailureKind::WrongPassword, "401 Unauthorized"),
        },
    );
    h.shows("Not connected");
    h.shows("The server did not accept the password for alice@hark.test. Check the password.");
    h.shows("Details: 401 Unauthorized");
    h.interact(|ui| {
        ui.click("Retry now").expect("Retry now button");
    });
    assert_eq!(
        h.command().map(|e| e.command),
        Some(Command::Register {
            account: ALICE.into()
        })
    );
    h.shows("Connecting…");

    h.account_state(
        ALICE,
        RegistrationState::Retrying {
            reason: reason(FailureKind::Timeout, ""),
            retry_in_ms: 8000,
        },
    );
    h.shows("Retrying in 8 s: the server is not answering");
    h.shows("Retry now");

    h.account_state(
        ALICE,
        RegistrationState::Failed {
            reason: reason(FailureKind::ConnectionRefused, ""),
        },
    );
    h.shows("The server refused the connection: is the server address right?");

    h.account_state(
        ALICE,
        RegistrationState::Failed {
            reason: reason(FailureKind::ServerError, "503 Service Unavailable"),
        },
    );
    h.shows("The server reported an error: 503 Service Unavailable");

    h.event(Event::Warning {
        message: "The password is kept in the config file.".into(),
    });
    h.shows("The password is kept in the config file.");
    h.interact(|ui| {
        ui.click("Dismiss").unwrap();
    });
    h.does_not_show("The password is kept in the config file.");
}

#[test]
fn edit_opens_the_form_prefilled_and_cancel_goes_back() {
    let mut h = Harness::new(Language::EnUs);
    h.account_state(ALICE, RegistrationState::Registered { expires: 600 });
    assert!(matches!(h.app.screen(), Screen::Main));
    h.interact(|ui| {
        ui.click("Edit account").unwrap();
    });
    assert!(matches!(h.app.screen(), Screen::AccountForm(_)));
    h.shows("alice@hark.test"); // in the address field
    h.interact(|ui| {
        ui.click("Cancel").unwrap();
    });
    assert!(matches!(h.app.screen(), Screen::Main));
    h.shows("Online");
    assert_eq!(h.command(), None);
}

#[test]
fn quit_asks_the_engine_to_stop_first() {
    let mut h = Harness::new(Language::EnUs);
    h.account_state(ALICE, RegistrationState::Registered { expires: 600 });
    h.interact(|ui| {
        ui.click("Quit").unwrap();
    });
    assert_eq!(h.command().map(|e| e.command), Some(Command::Quit));
    assert!(h.app.is_quitting());
    h.shows("Signing out…");
    // A second request (closing the window) sends nothing more.
    let id = h.app.main_window();
    h.update(Message::CloseRequested(id));
    assert_eq!(h.command(), None);
}

#[test]
fn german_words() {
    let mut h = Harness::new(Language::De);
    h.account_state(ALICE, RegistrationState::Registering);
    h.shows("Verbindung wird hergestellt…");
    h.account_state(
        ALICE,
        RegistrationState::Failed {
            reason: reason(FailureKind::WrongPassword, ""),
        },
    );
    h.shows(
        "Der Server hat das Passwort für alice@hark.test nicht angenommen. \
         Bitte prüfen Sie das Passwort.",
    );
    h.shows("Jetzt erneut versuchen");
    h.account_state(
        ALICE,
        RegistrationState::Retrying {
            reason: reason(FailureKind::Timeout, ""),
            retry_in_ms: 8000,
        },
    );
    h.shows("Neuer Versuch in 8 s: der Server antwortet nicht");
}

#[test]
fn edit_prefills_the_server_and_transport_the_engine_reported() {
    let mut h = Harness::new(Language::EnUs);
    let mut account = hark::config::AccountConfig::new(ALICE);
    account.server = Some("proxy.hark.test:5070".into());
    account.transport = Transport::Tcp;
    h.event(Event::AccountSettings {
        account: Box::new(account),
    });
    h.account_state(ALICE, RegistrationState::Registered { expires: 600 });
    h.interact(|ui| {
        ui.click("Edit account").unwrap();
    });
    assert!(matches!(h.app.screen(), Screen::AccountForm(_)));
    h.shows("proxy.hark.test:5070");
}
