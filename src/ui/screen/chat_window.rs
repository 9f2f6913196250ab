//! A chat window: one conversation with a person or a group-chat room.
//! Owns what only the window needs (the composer, the search in this chat,
//! the invite field of a room); the messages themselves live in the app's
//! [`Chats`](crate::ui::chat::Chats), so they survive the window. Its
//! `update` answers with [`Event`]s for the app (commands for the engine,
//! the clipboard, links); the drawing is in [`super::chat_view`].
//!
//! The composer is a multi-line editor: Enter sends, Shift+Enter starts a
//! new line. Each edit tells the engine the user is typing (it throttles
//! and times out the indications itself); clearing the text tells it the
//! user stopped.

use iced::keyboard::{key::Named, Key};
use iced::widget::text_editor::{self, Binding, KeyPress};
use iced::Task;

use crate::engine::{ChatState, Command, RoomAction, SearchHit};
use crate::ui::chat::{ChatKey, ChatKind, Conversation, HISTORY_PAGE};

/// The id of the composer.
pub const COMPOSER_ID: &str = "chat-composer";
/// The id of the message list's scrollable.
pub const MESSAGES_ID: &str = "chat-messages";
/// The id of the search field of a chat window.
pub const SEARCH_ID: &str = "chat-search";
/// The id of the invite field of a room window.
pub const INVITE_ID: &str = "chat-invite";
/// How many hits a search asks for.
pub const SEARCH_LIMIT: usize = 50;

#[derive(Debug, Clone)]
pub enum Message {
    Composer(text_editor::Action),
    /// Enter in the composer, or the Send button.
    Send,
    /// Send a failed or queued message again.
    Retry(i64),
    /// Put a message's text on the clipboard.
    Copy(i64),
    /// Double-click on a message: its text becomes selectable.
    Select(i64),
    /// Selecting (or copying) in the selectable message; edits are ignored.
    Selection(text_editor::Action),
    /// The Escape key: ends the selection, else closes the search.
    Escape,
    /// A link in a message was clicked.
    Link(String),
    LoadOlder,
    /// Show the search bar of this chat.
    SearchOpen,
    SearchInput(String),
    SearchSubmit,
    SearchClose,
    InviteInput(String),
    Invite,
    Leave,
    ToggleMembers,
    /// Call the chat's peer (SPEC M8).
    Call,
}

/// What the window asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Send this command to the engine.
    Send(Command),
    /// Search this chat for `query` (the app routes the answer back).
    Search(String),
    /// Put this text on the clipboard.
    Copy(String),
    /// Open this link (web page or SIP address).
    OpenLink(String),
    /// Close the window (the user left the room).
    Close,
    /// Put the keyboard focus in this field.
    Focus(&'static str),
    /// Call the chat's peer (or show the call already under way).
    Call,
}

/// The answer to a search in this chat.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    pub query: String,
    pub hits: Vec<SearchHit>,
    /// Asked, no answer yet.
    pub waiting: bool,
    /// The engine could not search.
    pub error: Option<String>,
}

#[derive(Debug)]
pub struct ChatWindow {
    pub(super) key: ChatKey,
    pub(super) kind: ChatKind,
    pub(super) composer: text_editor::Content,
    /// We told the engine the user is typing.
    typing_sent: bool,
    /// The search bar is shown.
    pub(super) searching: bool,
    pub(super) search: String,
    pub(super) results: Option<SearchResults>,
    pub(super) invite: String,
    pub(super) show_members: bool,
    /// The message whose text was just copied (for "Copied").
    pub(super) copied: Option<i64>,
    /// Why the engine refused the last message typed here.
    pub(super) error: Option<String>,
    /// The message whose text is selectable, in a read-only editor.
    pub(super) selecting: Option<(i64, text_editor::Content)>,
}

impl ChatWindow {
    /// A window for `key`, its composer holding the chat's draft.
    pub fn new(key: ChatKey, chat: &Conversation) -> ChatWindow {
        ChatWindow {
            key,
            kind: chat.kind,
            composer: text_editor::Content::with_text(&chat.draft),
            typing_sent: false,
            searching: false,
            search: String::new(),
            results: None,
            invite: String::new(),
            show_members: true,
            copied: None,
            error: None,
            selecting: None,
        }
    }

    pub fn key(&self) -> &ChatKey {
        &self.key
    }

    pub fn account(&self) -> &str {
        &self.key.0
    }

    pub fn peer(&self) -> &str {
        &self.key.1
    }

    pub fn kind(&self) -> ChatKind {
        self.kind
    }

    /// What the composer holds now.
    pub fn composer_text(&self) -> String {
        self.composer.text()
    }

    /// The message whose text is selectable now.
    pub fn selecting(&self) -> Option<i64> {
        self.selecting.as_ref().map(|(id, _)| *id)
    }

    /// The text of the selectable message, as its editor holds it.
    pub fn selectable_text(&self) -> Option<String> {
        self.selecting.as_ref().map(|(_, content)| content.text())
    }

    pub fn search_results(&self) -> Option<&SearchResults> {
        self.results.as_ref()
    }

    /// Puts the keyboard focus in the composer.
    pub fn focus_composer<T: Send + 'static>() -> Task<T> {
        iced::widget::operation::focus(COMPOSER_ID)
    }

    /// The commands that open the chat: its recent history, and "read".
    pub fn opening_commands(&self, chat: &mut Conversation) -> Vec<Command> {
        let (account, peer) = self.key.clone();
        chat.loading_history = true;
        let mut commands = vec![Command::History {
            account: account.clone(),
            peer: peer.clone(),
            before: None,
            limit: Some(HISTORY_PAGE),
        }];
        if self.kind == ChatKind::Room {
            commands.push(Command::Room {
                account: account.clone(),
                room: peer.clone(),
                action: RoomAction::Members,
            });
        } else {
            commands.push(Command::MarkRead { account, peer });
        }
        commands
    }

    /// The window is going away: the draft stays with the chat, and the
    /// peer stops seeing "typing".
    pub fn closing(&mut self, chat: &mut Conversation) -> Option<Command> {
        chat.draft = self.composer.text();
        self.stop_typing()
    }

    /// Takes in the engine's answer to this window's search.
    pub fn search_answered(&mut self, hits: Vec<SearchHit>) {
        if let Some(results) = &mut self.results {
            results.hits = hits;
            results.waiting = false;
        }
    }

    /// The engine refused a message typed here: its text goes back into
    /// an empty composer (nothing typed is lost) and the reason shows.
    pub fn send_refused(&mut self, body: &str, message: String) {
        if self.composer.text().trim().is_empty() {
            self.composer = text_editor::Content::with_text(body);
        }
        self.error = Some(message);
    }

    /// Why the last message typed here was refused.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn search_failed(&mut self, message: String) {
        if let Some(results) = &mut self.results {
            results.waiting = false;
            results.error = Some(message);
        }
    }

    pub fn update(&mut self, message: Message, chat: &mut Conversation) -> Vec<Event> {
        let (account, peer) = self.key.clone();
        match message {
            Message::Composer(action) => {
                let edit = action.is_edit();
                self.composer.perform(action);
                if !edit {
                    return vec![];
                }
                let text = self.composer.text();
                let active = !text.trim().is_empty();
                chat.draft = text;
                self.copied = None;
                self.error = None;
                // Every keystroke while there is text; the engine throttles.
                if active {
                    self.typing_sent = true;
                    return vec![Event::Send(Command::Typing {
                        account,
                        to: peer,
                        active: true,
                    })];
                }
                self.stop_typing().map(Event::Send).into_iter().collect()
            }
            Message::Send => {
                let text = self.composer.text();
                let body = text.trim_end().trim_start_matches(['\n', '\r']);
                if body.trim().is_empty() {
                    return vec![];
                }
                let command = Command::SendMessage {
                    account,
                    to: peer,
                    body: body.to_string(),
                    message_id: None,
                };
                // Sending ends the typing by itself (RFC 3994 §3.2).
                self.typing_sent = false;
                self.error = None;
                self.composer = text_editor::Content::new();
                chat.draft.clear();
                vec![Event::Send(command)]
            }
            Message::Retry(id) => {
                let retriable = chat
                    .message(id)
                    .is_some_and(|m| matches!(m.state, ChatState::Failed | ChatState::Queued));
                if !retriable {
                    return vec![];
                }
                vec![Event::Send(Command::RetryMessage {
                    account,
                    message: id,
                })]
            }
            Message::Copy(id) => match chat.message(id) {
                Some(m) => {
                    self.copied = Some(id);
                    vec![Event::Copy(m.body.clone())]
                }
                None => vec![],
            },
            Message::Select(id) => {
                if let Some(m) = chat.message(id) {
                    self.selecting = Some((id, text_editor::Content::with_text(&m.body)));
                }
                vec![]
            }
            Message::Selection(action) => {
                // Read-only: selection, motion and copy, never an edit.
                if let Some((_, content)) = &mut self.selecting {
                    if !action.is_edit() {
                        content.perform(action);
                    }
                }
                vec![]
            }
            Message::Escape => {
                if self.selecting.take().is_some() {
                    return vec![];
                }
                self.update(Message::SearchClose, chat)
            }
            Message::Link(link) => vec![Event::OpenLink(link)],
            Message::LoadOlder => {
                let Some(before) = chat.oldest_id() else {
                    return vec![];
                };
                if chat.loading_history {
                    return vec![];
                }
                chat.loading_history = true;
                vec![Event::Send(Command::History {
                    account,
                    peer,
                    before: Some(before),
                    limit: Some(HISTORY_PAGE),
                })]
            }
            Message::SearchOpen => {
                self.searching = true;
                vec![Event::Focus(SEARCH_ID)]
            }
            Message::SearchInput(query) => {
                self.search = query;
                vec![]
            }
            Message::SearchSubmit => {
                let query = self.search.trim().to_string();
                if query.is_empty() {
                    self.results = None;
                    return vec![];
                }
                self.results = Some(SearchResults {
                    query: query.clone(),
                    hits: vec![],
                    waiting: true,
                    error: None,
                });
                vec![Event::Search(query)]
            }
            Message::SearchClose => {
                self.results = None;
                self.searching = false;
                self.search.clear();
                vec![Event::Focus(COMPOSER_ID)]
            }
            Message::InviteInput(uri) => {
                self.invite = uri;
                vec![]
            }
            Message::Invite => {
                let uri = self.invite.trim();
                if uri.is_empty() || !uri.contains('@') {
                    return vec![];
                }
                let uri = crate::ui::chat::normalize_peer(uri);
                self.invite.clear();
                vec![Event::Send(Command::Room {
                    account,
                    room: peer,
                    action: RoomAction::Invite { uri },
                })]
            }
            Message::Leave => {
                chat.members.clear();
                vec![
                    Event::Send(Command::Room {
                        account,
                        room: peer,
                        action: RoomAction::Leave,
                    }),
                    Event::Close,
                ]
            }
            Message::ToggleMembers => {
                self.show_members = !self.show_members;
                vec![]
            }
            Message::Call if self.kind == ChatKind::Person => vec![Event::Call],
            Message::Call => vec![],
        }
    }

    /// `Typing { active: false }` when the engine was told the user types.
    fn stop_typing(&mut self) -> Option<Command> {
        if !self.typing_sent {
            return None;
        }
        self.typing_sent = false;
        Some(Command::Typing {
            account: self.key.0.clone(),
            to: self.key.1.clone(),
            active: false,
        })
    }
}

/// The composer's keys: Enter sends, Shift+Enter breaks the line, Alt+C
/// calls (outside the composer the app's call keys do), the rest as usual.
pub(super) fn composer_keys(press: KeyPress) -> Option<Binding<Message>> {
    let focused = matches!(press.status, text_editor::Status::Focused { .. });
    if focused && matches!(press.key, Key::Named(Named::Enter)) {
        return Some(if press.modifiers.shift() {
            Binding::Enter
        } else {
            Binding::Custom(Message::Send)
        });
    }
    let is_c = matches!(press.key.as_ref(), Key::Character(c) if c.eq_ignore_ascii_case("c"));
    if focused && is_c && press.modifiers.alt() && !press.modifiers.command() {
        return Some(Binding::Custom(Message::Call));
    }
    Binding::from_key_press(press)
}
