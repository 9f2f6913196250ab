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
