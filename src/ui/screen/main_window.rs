//! The main window's content, a contact list like Cisco Jabber's: the own
//! status at the top ([`OwnStatus`]), accounts in trouble as cards with the
//! reason in plain words and "Retry now" / "Edit account", notices from the
//! engine, the call entries ([`DialPad`]: dial field, calls in progress,
//! the missed-call badge in the header), the voicemail indicator
//! ([`Voicemail`]), the contact list ([`Contacts`]),
//! and at the bottom a compact line per healthy account with Quit. Keeps the UI's copy of the engine's
//! account states, updated from engine [`EngineEvent`]s; asks the app
//! (through [`Event`]) to send commands.

use std::time::{Duration, Instant};

use iced::widget::{button, column, container, row, rule, space, stack, text};
use iced::{Alignment, Element, Fill, Padding};

use crate::config::AccountConfig;
use crate::engine::{Command, Contact, Event as EngineEvent, RegistrationState};
use crate::i18n::I18n;
use crate::ui::status::{self, display_address};
use crate::ui::theme;

use super::chat_tools::{self, ChatTools, Invitation};
use super::contacts::{self, Contacts, WatcherDecision};
use super::dial_pad::{self, DialPad, DIAL_REQUEST};
use super::own_status::{self, OwnStatus};
use super::voicemail::{self, Voicemail};

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Retry(String),
    Edit(String),
    AddAccount,
    Dismiss(usize),
    Quit,
    Own(own_status::Message),
    Contacts(contacts::Message),
    Chat(chat_tools::Message),
    Dial(dial_pad::Message),
    Voicemail(voicemail::Message),
    /// The Escape key.
    Escape,
}

/// What the main window asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Register this account again now.
    Retry(String),
    /// Open the account form for this account.
    Edit(String),
    /// Open the account form for a new account.
    AddAccount,
    /// Quit Hark.
    Quit,
    /// Send this command to the engine.
    Send(Command),
    /// Send `AddContact` for the form, with [`contacts::ADD_CONTACT_REQUEST`]
    /// as the id so that a refusal shows next to the form.
    AddContact {
        account: String,
        contact: Contact,
    },
    /// Open (or raise) the chat window with this contact.
    OpenChat {
        account: String,
        uri: String,
    },
    /// Call this contact.
    Call {
        account: String,
        uri: String,
    },
    /// Call what was typed in the dial field (a number, a user name or an
    /// address), with [`DIAL_REQUEST`] as the id.
    Dial(String),
    /// Bring the window of this call back.
    ShowCall(String),
    /// Open the call history (`missed`: showing the missed calls).
    OpenHistory {
        missed: bool,
    },
    VideoCall {
        account: String,
        uri: String,
    },
    SendEmail {
        account: String,
        uri: String,
    },
    /// Put this text on the clipboard.
    CopyAddress(String),
    /// Create a group-chat room and open its window.
    CreateRoom {
        account: String,
        room: String,
    },
    /// Join a room the user was invited to and open its window.
    JoinRoom {
        account: String,
        room: String,
    },
    /// Open the window that searches every chat.
    OpenSearch,
    /// Open the call settings window.
    OpenCallSettings,
    /// Put the keyboard focus in this field.
    Focus(&'static str),
    /// The user decided about someone who wants to see their status.
    DecideWatcher {
        account: String,
        watcher: String,
        decision: WatcherDecision,
    },
}

/// The UI's view of one account.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// The address of record as the engine names it (`sip:alice@example.com`).
    pub address: String,
    pub state: RegistrationState,
    /// When the engine will try again by itself (for the countdown).
    pub retry_at: Option<Instant>,
    /// The settings, when this session entered them (for "Edit account").
    pub config: Option<AccountConfig>,
}

/// Something the engine said that the user should read.
#[derive(Debug, Clone, PartialEq)]
enum Notice {
    /// Shown as the engine wrote it.
    Warning(String),
    /// Shown after "Hark could not do that:".
    Error(String),
}

#[derive(Debug, Clone)]
pub struct MainWindow {
    accounts: Vec<Account>,
    notices: Vec<Notice>,
    engine_stopped: bool,
    quitting: bool,
    now: Instant,
    own: OwnStatus,
    contacts: Contacts,
    chat: ChatTools,
    dial: DialPad,
    voicemail: Voicemail,
}

impl Default for MainWindow {
    fn default() -> Self {
        MainWindow {
            accounts: Vec::new(),
            notices: Vec::new(),
            engine_stopped: false,
            quitting: false,
            now: Instant::now(),
            own: OwnStatus::default(),
            contacts: Contacts::default(),
            chat: ChatTools::default(),
            dial: DialPad::default(),
            voicemail: Voicemail::default(),
        }
    }
}

impl MainWindow {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    pub fn account(&self, address: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.address == address)
    }

    pub fn own_status(&self) -> &OwnStatus {
        &self.own
    }

    pub fn contacts(&self) -> &Contacts {
        &self.contacts
    }

    pub fn contacts_mut(&mut self) -> &mut Contacts {
        &mut self.contacts
    }

    pub fn chat_tools(&self) -> &ChatTools {
        &self.chat
    }

    pub fn dial_pad(&self) -> &DialPad {
        &self.dial
    }

    pub fn dial_pad_mut(&mut self) -> &mut DialPad {
        &mut self.dial
    }

    pub fn voicemail(&self) -> &Voicemail {
        &self.voicemail
    }

    /// The addresses of the user's accounts.
    pub fn account_addresses(&self) -> Vec<String> {
        self.accounts.iter().map(|a| a.address.clone()).collect()
    }

    /// True while some account counts down to its next attempt.
    pub fn has_countdown(&self) -> bool {
        self.accounts.iter().any(|a| a.retry_at.is_some())
    }

    /// Moves the clock the countdowns are drawn against.
    pub fn tick(&mut self, now: Instant) {
        self.now = now;
    }

    /// Shows "Signing out…" instead of the Quit button.
    pub fn set_quitting(&mut self) {
        self.quitting = true;
    }

    /// The engine is gone: every account is offline from now on.
    pub fn set_engine_stopped(&mut self) {
        self.engine_stopped = true;
        for account in &mut self.accounts {
            account.state = RegistrationState::Unregistered;
            account.retry_at = None;
        }
    }

    /// Records settings the user just submitted; the account shows
    /// "Connecting…" until the engine says otherwise.
    pub fn account_submitted(&mut self, config: AccountConfig) {
        let now = Instant::now();
        let account = self.upsert(&config.address);
        account.state = RegistrationState::Registering;
        account.retry_at = None;
        account.config = Some(config);
        self.now = now;
    }

    /// Takes in what the engine reported.
    pub fn apply(&mut self, event: &EngineEvent) {
        self.voicemail.apply(event);
        match event {
            EngineEvent::Started { accounts } => {
                for address in accounts {
                    self.upsert(address);
                }
            }
            EngineEvent::AccountState { account, state } => {
                let now = Instant::now();
                let entry = self.upsert(account);
                entry.retry_at = match state {
                    RegistrationState::Retrying { retry_in_ms, .. } => {
                        Some(now + Duration::from_millis(*retry_in_ms))
                    }
                    _ => None,
                };
                entry.state = state.clone();
                self.now = now;
            }
            EngineEvent::AccountSettings { account } => {
                let known = self.upsert(&account.address);
                // Keep a password typed in this session for "Edit account".
                let password = known.config.as_ref().and_then(|c| c.password.clone());
                known.config = Some(AccountConfig {
                    password,
                    ..(**account).clone()
                });
            }
            EngineEvent::Warning { message } => self.notice(Notice::Warning(message.clone())),
            EngineEvent::OwnStatus { availability, note } => {
                self.own.confirmed(*availability, note.clone())
            }
            EngineEvent::Contacts { .. }
            | EngineEvent::Presence { .. }
            | EngineEvent::Watchers { .. }
            | EngineEvent::Ok { .. } => {
                if matches!(event, EngineEvent::Ok { id: Some(id) } if id == DIAL_REQUEST) {
                    self.dial.accepted();
                }
                self.contacts.apply(event)
            }
            // The "Add contact" form shows its own errors.
            EngineEvent::Error { .. } if Contacts::owns_error(event) => self.contacts.apply(event),
            // So does the dial field.
            EngineEvent::Error {
                id: Some(id),
                message,
                ..
            } if id == DIAL_REQUEST => self.dial.refused(message.clone()),
            // The forms validate what they send; an error here is the engine
            // failing to carry a command out (saving the config, say).
            EngineEvent::Error { message, .. } => self.notice(Notice::Error(message.clone())),
            EngineEvent::Stopped => self.set_engine_stopped(),
            EngineEvent::RoomInvitation { account, room, by } => {
                // Who invited: their name when they are on the list.
                let by = by.as_ref().map(|by| {
                    let key = crate::ui::chat::chat_key(account, by);
                    self.contacts
                        .list()
                        .contact(&key)
                        .map(crate::ui::contact_list::display_name)
                        .unwrap_or_else(|| display_address(by).to_string())
                });
                self.chat.invited(Invitation {
                    account: account.clone(),
                    room: room.clone(),
                    by,
                })
            }
            _ => {}
        }
    }

    fn notice(&mut self, message: Notice) {
        if !self.notices.contains(&message) {
            self.notices.push(message);
        }
    }

    fn upsert(&mut self, address: &str) -> &mut Account {
        let index = match self.accounts.iter().position(|a| a.address == address) {
            Some(index) => index,
            None => {
                self.accounts.push(Account {
                    address: address.to_string(),
                    state: RegistrationState::Unregistered,
                    retry_at: None,
                    config: None,
                });
                self.accounts.len() - 1
            }
        };
        &mut self.accounts[index]
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Retry(account) => {
                if let Some(a) = self.accounts.iter_mut().find(|a| a.address == account) {
                    a.state = RegistrationState::Registering;
                    a.retry_at = None;
                }
                Some(Event::Retry(account))
            }
            Message::Edit(account) => Some(Event::Edit(account)),
            Message::AddAccount => Some(Event::AddAccount),
            Message::Dismiss(index) => {
                if index < self.notices.len() {
                    self.notices.remove(index);
                }
                None
            }
            Message::Quit => Some(Event::Quit),
            Message::Own(message) => self.own.update(message).map(Event::Send),
            Message::Contacts(message) => {
                let accounts = self.account_addresses();
                self.contacts.update(message, &accounts)
            }
            Message::Chat(message) => {
                let accounts = self.account_addresses();
                self.chat.update(message, &accounts)
            }
            Message::Dial(message) => self.dial.update(message),
            Message::Voicemail(message) => self.voicemail.update(message),
            Message::Escape => {
                if self.own.menu_open() {
                    self.own.update(own_status::Message::CloseMenu);
                } else if !self.chat.escape() && !self.dial.escape() {
                    self.contacts.escape();
                }
                None
            }
        }
    }

    /// The status of one account in words, as the window shows it.
    pub fn status(&self, i18n: &I18n, account: &Account) -> status::StatusText {
        let retry_in = account
            .retry_at
            .map(|at| at.saturating_duration_since(self.now));
        status::describe(i18n, &account.address, &account.state, retry_in)
    }

    pub fn view<'a>(&'a self, i18n: &I18n) -> Element<'a, Message> {
        let mut content = column![].spacing(theme::SMALL_GAP * 2.0);

        if self.engine_stopped && !self.quitting {
            content = content.push(notice(i18n.tr("main-engine-stopped"), None, i18n));
        }
        for (index, message) in self.notices.iter().enumerate() {
            let message = match message {
                Notice::Warning(m) => m.clone(),
                Notice::Error(m) => i18n.tr_args("notice-error", &[("message", m.as_str().into())]),
            };
            content = content.push(notice(message, Some(index), i18n));
        }
        // Accounts in trouble get a card; the others a line at the bottom.
        let mut healthy = column![].spacing(2);
        for account in &self.accounts {
            let status = self.status(i18n, account);
            if status.explanation.is_some() || status.can_retry {
                content = content.push(self.account_card(i18n, account));
            } else {
                healthy = healthy.push(self.account_line(i18n, account, status));
            }
        }
        if self.accounts.is_empty() {
            content = content.push(
                column![
                    text(i18n.tr("main-no-account"))
                        .size(theme::BODY_SIZE)
                        .style(theme::muted),
                    button(text(i18n.tr("main-add-account")).size(theme::BODY_SIZE))
                        .padding([8, 16])
                        .style(theme::primary_button)
                        .on_press_maybe((!self.engine_stopped).then_some(Message::AddAccount)),
                ]
                .spacing(theme::SMALL_GAP * 2.0),
            );
        }

        let quit: Element<'a, Message> = if self.quitting {
            text(i18n.tr("main-quitting"))
                .size(theme::BODY_SIZE)
                .style(theme::muted)
                .into()
        } else {
            button(text(i18n.tr("main-quit")).size(theme::LABEL_SIZE))
                .padding([6, 14])
                .style(theme::secondary_button)
                .on_press(Message::Quit)
                .into()
        };
        let footer = row![container(healthy).width(Fill), quit]
            .spacing(theme::SMALL_GAP)
            .align_y(Alignment::Center);

        let name = self
            .accounts
            .first()
            .map(|a| display_address(&a.address).to_string())
            .unwrap_or_else(|| i18n.tr("app-title"));
        let mut band = row![container(self.own.view(i18n, &name).map(Message::Own)).width(Fill)];
        if !self.accounts.is_empty() {
            let menu = chat_tools::menu_column(self.chat.menu_button(i18n)).map(Message::Chat);
            // The voicemail indicator under the menu button: the note
            // keeps its width.
            band = band.push(match self.voicemail.view(i18n) {
                Some(mwi) => column![menu, mwi.map(Message::Voicemail)]
                    .align_x(Alignment::End)
                    .into(),
                None => menu,
            });
        }
        let mut band = column![band];
        if !self.accounts.is_empty() {
            band = band.push(self.dial.view(i18n).map(Message::Dial));
        }
        let mut page = column![
            container(band).width(Fill).style(theme::band),
            rule::horizontal(1).style(rule::weak),
        ];
        if self.engine_stopped
            || !self.notices.is_empty()
            || self.accounts.is_empty()
            || self.accounts.len() != self.healthy_count(i18n)
        {
            page = page.push(container(content).padding([12.0, theme::PADDING * 0.75]));
        }
        if let Some(panel) = self.chat.panel(i18n) {
            page = page.push(panel.map(Message::Chat));
        }
        if self.accounts.is_empty() {
            page = page.push(space::vertical());
        } else {
            page = page.push(
                self.contacts
                    .view(i18n, self.account_addresses())
                    .map(Message::Contacts),
            );
        }
        let page = page
            .push(rule::horizontal(1).style(rule::weak))
            .push(container(footer).padding([theme::SMALL_GAP * 1.5, theme::PADDING * 0.75]));

        if self.own.menu_open() {
            stack![page, self.own.menu(i18n).map(Message::Own)].into()
        } else if self.chat.menu_open() {
            stack![page, self.chat.menu(i18n).map(Message::Chat)].into()
        } else {
            page.into()
        }
    }

    fn healthy_count(&self, i18n: &I18n) -> usize {
        self.accounts
            .iter()
            .filter(|a| {
                let status = self.status(i18n, a);
                status.explanation.is_none() && !status.can_retry
            })
            .count()
    }

    /// One line for an account that is fine (or connecting): dot, address,
    /// state, and "Edit account".
    fn account_line<'a>(
        &'a self,
        i18n: &I18n,
        account: &'a Account,
        status: status::StatusText,
    ) -> Element<'a, Message> {
        let can_act = !self.engine_stopped && !self.quitting;
        row![
            theme::dot(status.dot, 8.0),
            text(display_address(&account.address))
                .size(theme::SMALL_SIZE)
                .wrapping(text::Wrapping::None),
            text(status.headline)
                .size(theme::SMALL_SIZE)
                .style(theme::muted)
                .wrapping(text::Wrapping::None),
            button(
                text(i18n.tr("main-edit"))
                    .size(theme::SMALL_SIZE)
                    .wrapping(text::Wrapping::None)
            )
            .padding([2, 6])
            .style(theme::flat_button)
            .on_press_maybe(can_act.then(|| Message::Edit(account.address.clone()))),
        ]
        .spacing(theme::SMALL_GAP)
        .align_y(Alignment::Center)
        .into()
    }

    fn account_card<'a>(&'a self, i18n: &I18n, account: &'a Account) -> Element<'a, Message> {
        let status = self.status(i18n, account);
        // The dot sits on the first line when the headline wraps.
        let headline = row![
            container(theme::dot(status.dot, 12.0)).padding(Padding::ZERO.top(4)),
            text(status.headline).size(theme::BODY_SIZE),
        ]
        .spacing(theme::SMALL_GAP * 1.5)
        .align_y(Alignment::Start);

        let mut body = column![
            text(display_address(&account.address))
                .size(theme::BODY_SIZE + 2.0)
                .font(theme::BOLD),
            headline,
        ]
        .spacing(theme::SMALL_GAP);
        if let Some(explanation) = status.explanation {
            body = body.push(text(explanation).size(theme::BODY_SIZE));
        }
        if let Some(detail) = status.detail {
            body = body.push(text(detail).size(theme::SMALL_SIZE).style(theme::muted));
        }

        let can_act = !self.engine_stopped && !self.quitting;
        let (retry_style, edit_style): (theme::ButtonStyle, theme::ButtonStyle) =
            if status.needs_user {
                (theme::secondary_button, theme::primary_button)
            } else {
                (theme::primary_button, theme::secondary_button)
            };
        let mut buttons = row![].spacing(theme::SMALL_GAP * 2.0);
        if status.can_retry {
            buttons = buttons.push(
                button(text(i18n.tr("main-retry")).size(theme::BODY_SIZE))
                    .padding([6, 14])
                    .style(retry_style)
                    .on_press_maybe(can_act.then(|| Message::Retry(account.address.clone()))),
            );
        }
        buttons = buttons.push(
            button(text(i18n.tr("main-edit")).size(theme::BODY_SIZE))
                .padding([6, 14])
                .style(edit_style)
                .on_press_maybe(can_act.then(|| Message::Edit(account.address.clone()))),
        );
        body = body.push(container(buttons).padding(Padding::ZERO.top(theme::SMALL_GAP)));

        container(body)
            .padding(16)
            .width(Fill)
            .style(theme::card)
            .into()
    }
}

fn notice<'a>(message: String, index: Option<usize>, i18n: &I18n) -> Element<'a, Message> {
    let mut line = row![text(message).size(theme::BODY_SIZE).width(Fill)]
        .spacing(theme::SMALL_GAP * 2.0)
        .align_y(Alignment::Center);
    if let Some(index) = index {
        line = line.push(
            button(text(i18n.tr("main-dismiss")).size(theme::SMALL_SIZE))
                .padding([4, 10])
                .style(button::text)
                .on_press(Message::Dismiss(index)),
        );
    }
    container(line)
        .padding(12)
        .width(Fill)
        .style(theme::notice)
        .into()
}
