//! The window, headless: an [`App`] wired to an engine handle made of plain
//! channels (iced_test), so a test injects engine events, interacts with the
//! view as a user would, and reads the commands the window sends.

use hark::engine::{Command, EngineHandle, Envelope, Event, RegistrationState};
use hark::i18n::{I18n, Language};
use hark::ui::{App, Message};
use iced_test::{simulator, Simulator};
use tokio::sync::{broadcast, mpsc};

/// Software rendering: no GPU needed, stable across machines.
pub fn software_rendering() {
    static BACKEND: std::sync::Once = std::sync::Once::new();
    BACKEND.call_once(|| std::env::set_var("ICED_TEST_BACKEND", "tiny-skia"));
}

pub struct Window {
    pub app: App,
    commands: mpsc::UnboundedReceiver<Envelope>,
    _events: broadcast::Sender<Event>,
}

impl Window {
    /// A window whose engine subscription has started (it asked for a
    /// snapshot, which is taken here).
    pub fn new(language: Language) -> Window {
        software_rendering();
        let (engine, commands, events) = EngineHandle::channel();
        let (app, _open_window) = App::new(engine, I18n::for_language(language));
        let mut w = Window {
            app,
            commands,
            _events: events,
        };
        w.update(Message::EngineConnected);
        let snapshot = w.command().expect("a snapshot request");
        assert_eq!(snapshot.command, Command::Snapshot);
        w
    }

    pub fn update(&mut self, message: Message) {
        let _task = self.app.update(message);
    }

    pub fn event(&mut self, event: Event) {
        self.update(Message::Engine(event));
    }

    /// An account's registration state, as the engine reports it.
    pub fn account_state(&mut self, account: &str, state: RegistrationState) {
        self.event(Event::AccountState {
            account: account.into(),
            state,
        });
    }

    /// The next command the window sent, if any.
    pub fn command(&mut self) -> Option<Envelope> {
        self.commands.try_recv().ok()
    }

    /// Interacts with the current view, then applies what it produced.
    pub fn interact(&mut self, f: impl FnOnce(&mut Simulator<'_, Message>)) {
        let id = self.app.main_window();
        let messages: Vec<Message> = {
            let mut ui = simulator(self.app.view(id));
            f(&mut ui);
            ui.into_messages().collect()
        };
        for message in messages {
            self.update(message);
        }
    }

    /// Panics unless the current view shows exactly this text somewhere.
    pub fn shows(&mut self, wanted: &str) {
        let id = self.app.main_window();
        let mut ui = simulator(self.app.view(id));
        if let Err(e) = ui.find(wanted) {
            panic!("the window does not show {wanted:?}: {e}");
        }
    }

    pub fn does_not_show(&mut self, unwanted: &str) {
        let id = self.app.main_window();
        let mut ui = simulator(self.app.view(id));
        assert!(ui.find(unwanted).is_err(), "the window shows {unwanted:?}");
    }
}

/// Other windows than the main one (chat, room, search windows).
impl Window {
    /// Every command sent since the last call, in order.
    pub fn commands(&mut self) -> Vec<Command> {
        std::iter::from_fn(|| self.command())
            .map(|e| e.command)
            .collect()
    }

    /// Interacts with the view of window `id`, then applies what it produced.
    pub fn interact_in(
        &mut self,
        id: iced::window::Id,
        f: impl FnOnce(&mut Simulator<'_, Message>),
    ) {
        let messages: Vec<Message> = {
            let mut ui = simulator(self.app.view(id));
            f(&mut ui);
            ui.into_messages().collect()
        };
        for message in messages {
            self.update(message);
        }
    }

    /// Panics unless window `id` shows exactly this text somewhere.
    pub fn shows_in(&mut self, id: iced::window::Id, wanted: &str) {
        let mut ui = simulator(self.app.view(id));
        if let Err(e) = ui.find(wanted) {
            panic!("window {id:?} does not show {wanted:?}: {e}");
        }
    }

    pub fn does_not_show_in(&mut self, id: iced::window::Id, unwanted: &str) {
        let mut ui = simulator(self.app.view(id));
        assert!(
            ui.find(unwanted).is_err(),
            "window {id:?} shows {unwanted:?}"
        );
    }
}

/// What the chat window tests share: Alice with Bob and Carol on her list,
/// a recorder for the desktop, messages, keys.
pub mod chat {
    use std::sync::{Arc, Mutex};

    use hark::engine::{
        Capabilities, ChatMessage, ChatState, Contact, ContactAvailability, Event, PresenceUpdate,
        RegistrationState,
    };
    use hark::i18n::Language;
    use hark::sip::subscription::SubscriptionState;
    use hark::ui::desktop::{Desktop, Recorded};
    use iced::keyboard::{self, key::Named};
    use iced::window;

    use super::Window as Harness;

    pub const ALICE: &str = "sip:alice@hark.test";
    pub const BOB: &str = "sip:bob@hark.test";
    pub const CAROL: &str = "sip:carol@hark.test";
    pub const ROOM: &str = "sip:team@conference.hark.test";
    /// 2026-11-23 10:00 UTC.
    pub const T0: i64 = 1_795_428_000_000;
    pub const MIN: i64 = 60_000;

    /// A window with Alice registered, Bob and Carol on her list, and a
    /// recorder instead of the desktop.
    pub fn harness() -> (Harness, Arc<Mutex<Recorded>>) {
        harness_in(Language::EnUs)
    }

    pub fn harness_in(language: Language) -> (Harness, Arc<Mutex<Recorded>>) {
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

    pub fn incoming(id: i64, at: i64, body: &str) -> ChatMessage {
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

    pub fn outgoing(id: i64, at: i64, body: &str, state: ChatState) -> ChatMessage {
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

    pub fn message(h: &mut Harness, message: ChatMessage) {
        h.event(Event::Message {
            account: ALICE.into(),
            message: Box::new(message),
        });
    }

    /// Opens Bob's chat as `hark chat` does (the engine's `open_chat`) and
    /// returns its window, with the commands it sent taken.
    pub fn open_bob(h: &mut Harness) -> window::Id {
        h.event(Event::OpenChat {
            account: ALICE.into(),
            peer: BOB.into(),
        });
        let id = h.app.chat_window(ALICE, BOB).expect("Bob's chat window");
        h.commands();
        id
    }

    pub fn key(named: Named, modifiers: keyboard::Modifiers) -> iced::Event {
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
}
