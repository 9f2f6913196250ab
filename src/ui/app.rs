//! The iced daemon: owns the windows (the main window, a window per chat or
//! group-chat room, the message search, a window per call and the
//! incoming-call pop-ups: the [`WindowKind`]s), the top-level [`Message`],
//! which screen the main window shows, the traffic with the engine (events in
//! through a subscription, commands out with [`EngineHandle::send`]) and
//! quitting: Quit or closing the main window sends `Command::Quit` and exits
//! on `Event::Stopped`, after [`QUIT_TIMEOUT`], or at once when the engine is
//! already gone. What concerns chats (opening their windows, routing the
//! engine's chat events, unread badges, notifications) is in [`chats`],
//! what concerns calls in [`calls`], the call history window in
//! [`history`], the call settings window and the devices in [`settings`],
//! the keyboard outside fields in [`keys`], what the main window asks for
//! in [`main_events`].

mod calls;
mod chats;
mod history;
pub mod keys;
mod main_events;
mod settings;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use iced::widget::{button, center, column, text};
use iced::{window, Element, Size, Subscription, Task};

use crate::engine::{Command, EngineHandle, Envelope, Event};
use crate::i18n::I18n;

use super::call::Calls;
use super::chat::Chats;
use super::desktop::Desktop;
use super::engine_events;
use super::screen::{
    account_form, call_history, call_settings, call_window, chat_search, chat_window, contacts,
    incoming_call, main_window, own_status, AccountForm, CallWindow, ChatWindow, MainWindow,
    SearchWindow,
};
use super::theme;

pub use calls::{ENDED_LINGER, FAILED_LINGER};
pub use keys::{call_keys, CallKey};
pub use settings::DEVICE_REQUEST;

/// How long to wait for the engine to unregister before exiting anyway.
pub const QUIT_TIMEOUT: Duration = Duration::from_secs(3);

/// The correlation id of the `Snapshot` the window asks for when it starts.
pub const SNAPSHOT_ID: &str = "ui-snapshot";

/// Runs the window until the user quits. Call it from the main thread, not
/// from inside a tokio runtime; `engine` may be a running engine or
/// [`EngineHandle::channel`] for previews and tests.
pub fn run(engine: EngineHandle, i18n: I18n) -> iced::Result {
    run_with(engine, i18n, ChatSettings::default())
}

/// [`run`] with what a message for a chat without a window does.
pub fn run_with(engine: EngineHandle, i18n: I18n, chat: ChatSettings) -> iced::Result {
    iced::daemon(
        move || {
            let (mut app, task) = App::new(engine.clone(), i18n.clone());
            app.set_chat_settings(chat);
            (app, task)
        },
        App::update,
        App::view,
    )
    .title(App::title)
    .subscription(App::subscription)
    .run()
}

#[derive(Debug, Clone)]
pub enum Message {
    /// The event subscription is listening; time to ask for a snapshot.
    EngineConnected,
    /// Something the engine reported.
    Engine(Event),
    /// The window missed events; ask for a fresh snapshot.
    EngineLagged,
    /// The engine's broadcast is gone.
    EngineClosed,
    Form(account_form::Message),
    Main(main_window::Message),
    /// Something in a chat or room window.
    Chat(window::Id, chat_window::Message),
    /// Something in the message search window.
    Search(chat_search::Message),
    /// Something in a call window.
    Call(window::Id, call_window::Message),
    /// A button of an incoming-call pop-up.
    Incoming(window::Id, incoming_call::Message),
    /// Something in the call history window.
    History(call_history::Message),
    /// Something in the call settings window.
    Settings(call_settings::Message),
    /// A call key pressed in this window ([`keys`]).
    CallKey(window::Id, CallKey),
    /// Once a second while a call's timer runs.
    CallTick,
    /// The moment to show an ended call is over: its window closes.
    CloseEndedCall(window::Id),
    /// A window got (true) or lost the keyboard focus.
    Focus(window::Id, bool),
    /// Tab / Shift+Tab.
    FocusNext,
    FocusPrevious,
    /// The Escape key in the main window: closes a menu, else clears the
    /// contact filter.
    Escape,
    /// The Escape key in this window.
    EscapeIn(window::Id),
    /// A mouse button went down somewhere (the note may have lost the focus).
    Pointer,
    /// Once a second while a retry countdown is shown.
    Tick,
    WindowOpened(window::Id),
    CloseRequested(window::Id),
    WindowClosed(window::Id),
    QuitTimeout,
}

/// What a window is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowKind {
    Main,
    /// A conversation with a person.
    Chat {
        account: String,
        peer: String,
    },
    /// A group-chat room.
    Room {
        account: String,
        room: String,
    },
    /// The search over every chat.
    Search,
    /// A call, once it is set up (or failed).
    Call {
        call: String,
    },
    /// A call ringing here: the pop-up.
    IncomingCall {
        call: String,
    },
    /// The call history.
    History,
    /// Devices, voicemail and forwarding.
    CallSettings,
}

/// What happens when a message arrives for a chat without a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatSettings {
    /// Open the chat's window (instead of only the badge).
    pub open_on_message: bool,
    /// Show a desktop notification.
    pub notify: bool,
}

impl Default for ChatSettings {
    fn default() -> Self {
        ChatSettings {
            open_on_message: false,
            notify: true,
        }
    }
}

/// A chat command whose answer (or refusal) goes back to where it came
/// from, by its correlation id.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ChatRequest {
    /// The history of this chat: "Loading…" ends with an answer or a refusal.
    History(super::chat::ChatKey),
    /// A message typed in this window: a refusal puts the text back.
    Send {
        window: window::Id,
        body: String,
    },
    Search(SearchTarget),
}

/// Who asked for a search whose answer is awaited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SearchTarget {
    /// The search field of this chat window.
    Chat(window::Id),
    /// The search window.
    All,
}

/// What the main window shows.
#[derive(Debug, Clone)]
pub enum Screen {
    /// Until the engine said which accounts it has.
    Loading,
    AccountForm(Box<AccountForm>),
    Main,
}

pub struct App {
    engine: EngineHandle,
    i18n: I18n,
    windows: BTreeMap<window::Id, WindowKind>,
    main_window: window::Id,
    screen: Screen,
    main: MainWindow,
    quitting: bool,
    chats: Chats,
    chat_windows: BTreeMap<window::Id, ChatWindow>,
    search: Option<(window::Id, SearchWindow)>,
    /// Chat commands sent, by correlation id.
    requests: HashMap<String, ChatRequest>,
    next_request: u64,
    desktop: Desktop,
    chat_settings: ChatSettings,
    calls: Calls,
    call_windows: BTreeMap<window::Id, CallWindow>,
    /// The incoming-call pop-ups and their calls.
    incoming: BTreeMap<window::Id, String>,
    /// Live calls whose window the user closed.
    hidden_calls: HashSet<String>,
    /// The last call placed and when (a double click calls once).
    last_placed: Option<((Option<String>, String), Instant)>,
    /// Call windows asked to open, not open yet.
    opening: HashSet<window::Id>,
    /// Of those, the ones to close as soon as they are open (a call that
    /// stopped ringing before its pop-up was up).
    close_when_open: HashSet<window::Id>,
    call_log: history::CallLog,
    /// The devices and `[calls]` settings, and their window.
    settings: settings::Settings,
}

impl App {
    /// The state at start and the task that opens the main window.
    pub fn new(engine: EngineHandle, i18n: I18n) -> (App, Task<Message>) {
        let (id, open) = window::open(window::Settings {
            size: Size::new(420.0, 720.0),
            min_size: Some(Size::new(360.0, 420.0)),
            exit_on_close_request: false,
            ..window::Settings::default()
        });
        let app = App {
            engine,
            i18n,
            windows: BTreeMap::from([(id, WindowKind::Main)]),
            main_window: id,
            screen: Screen::Loading,
            main: MainWindow::new(),
            quitting: false,
            chats: Chats::new(),
            chat_windows: BTreeMap::new(),
            search: None,
            requests: HashMap::new(),
            next_request: 0,
            desktop: Desktop::default(),
            chat_settings: ChatSettings::default(),
            calls: Calls::new(),
            call_windows: BTreeMap::new(),
            incoming: BTreeMap::new(),
            hidden_calls: HashSet::new(),
            last_placed: None,
            opening: HashSet::new(),
            close_when_open: HashSet::new(),
            call_log: history::CallLog::default(),
            settings: settings::Settings::default(),
        };
        (app, open.map(Message::WindowOpened))
    }

    /// The id of the main window.
    pub fn main_window(&self) -> window::Id {
        self.main_window
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    pub fn main(&self) -> &MainWindow {
        &self.main
    }

    pub fn is_quitting(&self) -> bool {
        self.quitting
    }

    pub fn title(&self, window: window::Id) -> String {
        match self.windows.get(&window) {
            Some(WindowKind::Chat { .. } | WindowKind::Room { .. }) => {
                match self.chat_windows.get(&window) {
                    Some(chat) => self.i18n.tr_args(
                        "chat-window-title",
                        &[("name", self.peer_name(chat.account(), chat.peer()).into())],
                    ),
                    None => self.i18n.tr("app-title"),
                }
            }
            Some(WindowKind::Search) => self.i18n.tr("search-window-title"),
            Some(WindowKind::History) => self.i18n.tr("history-window-title"),
            Some(WindowKind::CallSettings) => self.i18n.tr("settings-window-title"),
            Some(WindowKind::Call { .. } | WindowKind::IncomingCall { .. }) => self
                .call_title(window)
                .unwrap_or_else(|| self.i18n.tr("app-title")),
            _ => match self.chats.total_unread() {
                0 => self.i18n.tr("app-title"),
                unread => self
                    .i18n
                    .tr_args("app-title-unread", &[("count", (unread as i64).into())]),
            },
        }
    }

    /// What a window is for.
    pub fn window_kind(&self, window: window::Id) -> Option<&WindowKind> {
        self.windows.get(&window)
    }

    /// Every chat the UI knows, with unread counts and window states.
    pub fn chats(&self) -> &Chats {
        &self.chats
    }

    /// The window of a chat or room, when it is open.
    pub fn chat_window(&self, account: &str, peer: &str) -> Option<window::Id> {
        let key = super::chat::chat_key(account, peer);
        self.chat_windows
            .iter()
            .find(|(_, w)| *w.key() == key)
            .map(|(id, _)| *id)
    }

    pub fn chat_window_state(&self, window: window::Id) -> Option<&ChatWindow> {
        self.chat_windows.get(&window)
    }

    /// The search window, when it is open.
    pub fn search_window(&self) -> Option<window::Id> {
        self.search.as_ref().map(|(id, _)| *id)
    }

    /// Where notifications and links go (tests and previews record them).
    pub fn set_desktop(&mut self, desktop: Desktop) {
        self.desktop = desktop;
    }

    pub fn chat_settings(&self) -> ChatSettings {
        self.chat_settings
    }

    pub fn set_chat_settings(&mut self, settings: ChatSettings) {
        self.chat_settings = settings;
    }

    /// What a double-click on a contact does: chat (the default) or call.
    pub fn set_default_action(&mut self, action: contacts::DefaultAction) {
        self.main.contacts_mut().set_default_action(action);
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::EngineConnected => {
                let snapshot = Envelope {
                    id: Some(SNAPSHOT_ID.into()),
                    command: Command::Snapshot,
                };
                if !self.engine.send(snapshot) {
                    return self.engine_gone();
                }
                Task::none()
            }
            Message::EngineLagged => {
                self.send(Command::Snapshot);
                Task::none()
            }
            Message::EngineClosed => self.engine_gone(),
            Message::Engine(event) => self.engine_event(event),
            Message::Form(message) => self.form_message(message),
            Message::Main(message) => self.main_message(message),
            Message::Chat(window, message) => self.chat_message(window, message),
            Message::Search(message) => self.search_message(message),
            Message::Call(window, message) => self.call_message(window, message),
            Message::Incoming(window, message) => self.incoming_message(window, message),
            Message::History(message) => self.history_message(message),
            Message::Settings(message) => self.settings_message(message),
            Message::CallKey(window, key) => self.call_key(window, key),
            Message::CallTick => {
                self.call_tick();
                Task::none()
            }
            Message::CloseEndedCall(window) => self.close_ended_call(window),
            Message::Focus(window, focused) => self.window_focus(window, focused),
            Message::FocusNext => {
                iced::widget::operation::focus_next().chain(self.check_note_focus())
            }
            Message::FocusPrevious => {
                iced::widget::operation::focus_previous().chain(self.check_note_focus())
            }
            Message::Escape => self.main_message(main_window::Message::Escape),
            Message::EscapeIn(id) if self.chat_windows.contains_key(&id) => {
                self.chat_message(id, chat_window::Message::Escape)
            }
            Message::EscapeIn(id) if self.call_windows.contains_key(&id) => {
                self.call_message(id, call_window::Message::Escape)
            }
            Message::EscapeIn(id) if self.history_window() == Some(id) => window::close(id),
            Message::EscapeIn(id) if self.call_settings_window() == Some(id) => {
                self.settings_message(call_settings::Message::Cancel)
            }
            Message::EscapeIn(id) if id == self.main_window => {
                self.main_message(main_window::Message::Escape)
            }
            Message::EscapeIn(_) => Task::none(),
            Message::Pointer => self.check_note_focus(),
            Message::Tick => {
                self.main.tick(Instant::now());
                Task::none()
            }
            Message::WindowOpened(id) if self.closes_on_opening(id) => window::close(id),
            Message::WindowOpened(id) => match (self.windows.get(&id), &self.screen) {
                (Some(WindowKind::Main), Screen::AccountForm(_)) => AccountForm::focus(),
                (Some(WindowKind::Chat { .. } | WindowKind::Room { .. }), _) => {
                    ChatWindow::focus_composer()
                }
                (Some(WindowKind::Search), _) => {
                    iced::widget::operation::focus(chat_search::QUERY_ID)
                }
                _ => Task::none(),
            },
            Message::CloseRequested(id) if id == self.main_window => self.quit(),
            Message::CloseRequested(id) => window::close(id),
            Message::WindowClosed(id) => {
                self.windows.remove(&id);
                self.chat_window_closed(id);
                self.call_window_closed(id);
                self.history_window_closed(id);
                self.settings_window_closed(id);
                if id == self.main_window {
                    self.quit()
                } else {
                    Task::none()
                }
            }
            Message::QuitTimeout => {
                tracing::warn!("the engine did not stop in time; exiting anyway");
                iced::exit()
            }
        }
    }

    fn engine_event(&mut self, event: Event) -> Task<Message> {
        self.history_snapshot(&event);
        match &event {
            Event::Stopped if self.quitting => return iced::exit(),
            Event::Stopped => return self.engine_gone(),
            Event::Started { accounts } if matches!(self.screen, Screen::Loading) => {
                self.main.apply(&event);
                return if accounts.is_empty() {
                    self.show_form(AccountForm::new())
                } else {
                    self.screen = Screen::Main;
                    Task::none()
                };
            }
            Event::AccountState { .. } if matches!(self.screen, Screen::Loading) => {
                self.screen = Screen::Main;
            }
            // The snapshot is complete; no account at all means first run.
            Event::Ok { .. } | Event::Error { .. } if matches!(self.screen, Screen::Loading) => {
                return if self.main.accounts().is_empty() {
                    self.show_form(AccountForm::new())
                } else {
                    self.screen = Screen::Main;
                    Task::none()
                };
            }
            _ => {}
        }
        // Answers to the settings' own commands stay with them.
        let (owned, task) = self.settings_event(&event);
        if owned {
            return task;
        }
        // Answers to the chat windows' own commands stay with them.
        if self.owns_request(&event) {
            return self.chat_event(event);
        }
        if self.owns_history_answer(&event) {
            return self.history_answer(event);
        }
        self.main.apply(&event);
        let calls = self.call_event(&event);
        Task::batch([calls, self.chat_event(event)])
    }

    fn form_message(&mut self, message: account_form::Message) -> Task<Message> {
        let Screen::AccountForm(form) = &mut self.screen else {
            return Task::none();
        };
        match form.update(message) {
            Some(account_form::Event::Submitted(account)) => {
                self.main.account_submitted(account.clone());
                self.screen = Screen::Main;
                self.send(Command::SetAccount {
                    account,
                    save: true,
                });
            }
            Some(account_form::Event::Cancelled) => self.screen = Screen::Main,
            None => {}
        }
        Task::none()
    }

    /// Sends the edited note once its field has lost the focus.
    fn check_note_focus(&self) -> Task<Message> {
        if !self.main.own_status().note_edited() {
            return Task::none();
        }
        iced::widget::operation::is_focused(own_status::NOTE_ID).map(|focused| {
            Message::Main(main_window::Message::Own(own_status::Message::NoteFocused(
                focused,
            )))
        })
    }

    fn show_form(&mut self, form: AccountForm) -> Task<Message> {
        self.screen = Screen::AccountForm(Box::new(form));
        AccountForm::focus()
    }

    /// Sends a command; notices when the engine is gone.
    fn send(&mut self, command: Command) {
        if !self.engine.send(command) {
            tracing::warn!("the engine is not running; command dropped");
            self.main.set_engine_stopped();
        }
    }

    /// The engine stopped without being asked to, or cannot be reached.
    fn engine_gone(&mut self) -> Task<Message> {
        if self.quitting {
            return iced::exit();
        }
        self.main.set_engine_stopped();
        if !matches!(self.screen, Screen::AccountForm(_)) {
            self.screen = Screen::Main;
        }
        Task::none()
    }

    /// Asks the engine to unregister and stop; exits when it has, after
    /// [`QUIT_TIMEOUT`], or at once when there is no engine to wait for.
    fn quit(&mut self) -> Task<Message> {
        if self.quitting {
            return Task::none();
        }
        self.quitting = true;
        self.main.set_quitting();
        if !self.engine.is_running() || !self.engine.send(Command::Quit) {
            return iced::exit();
        }
        // The timer is created when the task runs, inside iced's runtime.
        Task::perform(async { tokio::time::sleep(QUIT_TIMEOUT).await }, |()| {
            Message::QuitTimeout
        })
    }

    pub fn view(&self, window: window::Id) -> Element<'_, Message> {
        match self.windows.get(&window) {
            Some(WindowKind::Main) => match &self.screen {
                Screen::Loading => self.loading_view(),
                Screen::AccountForm(form) => form.view(&self.i18n).map(Message::Form),
                Screen::Main => self.main.view(&self.i18n).map(Message::Main),
            },
            Some(WindowKind::Chat { .. } | WindowKind::Room { .. }) => self.chat_view(window),
            Some(WindowKind::Search) => self.search_view(),
            Some(WindowKind::History) => self.history_view(),
            Some(WindowKind::CallSettings) => self.settings_view(),
            Some(WindowKind::Call { .. } | WindowKind::IncomingCall { .. }) => {
                self.call_view(window)
            }
            None => iced::widget::space().into(),
        }
    }

    fn loading_view(&self) -> Element<'_, Message> {
        let quit = button(text(self.i18n.tr("loading-quit")).size(theme::BODY_SIZE))
            .padding([8, 16])
            .style(theme::secondary_button)
            .on_press_maybe((!self.quitting).then_some(Message::Main(main_window::Message::Quit)));
        center(
            column![
                text(self.i18n.tr("loading"))
                    .size(theme::BODY_SIZE)
                    .style(theme::muted),
                quit,
            ]
            .spacing(theme::GAP)
            .align_x(iced::Alignment::Center),
        )
        .into()
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let mut subscriptions = vec![
            engine_events::subscription(&self.engine),
            window::close_requests().map(Message::CloseRequested),
            window::close_events().map(Message::WindowClosed),
            window::events().filter_map(|(id, event)| match event {
                window::Event::Focused => Some(Message::Focus(id, true)),
                window::Event::Unfocused => Some(Message::Focus(id, false)),
                _ => None,
            }),
            iced::event::listen_with(keys::focus_keys),
        ];
        if self.main.own_status().note_edited() {
            subscriptions.push(iced::event::listen_with(keys::pointer_presses));
        }
        if self.calls.has_timer() {
            subscriptions
                .push(iced::time::every(Duration::from_secs(1)).map(|_| Message::CallTick));
        }
        if self.main.has_countdown() {
            subscriptions.push(iced::time::every(Duration::from_secs(1)).map(|_| Message::Tick));
        }
        Subscription::batch(subscriptions)
    }
}
