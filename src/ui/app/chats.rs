//! The app's chat side: opening (or raising) a chat, room or search window,
//! routing the engine's chat events to the conversations and windows,
//! keeping the contact list's unread badges, desktop notifications for
//! messages that arrive with no window open (or opening the window, per
//! [`ChatSettings`](super::ChatSettings)), and "read" when the user looks.

use iced::widget::space;
use iced::{window, Element, Size, Task};

use crate::engine::{Command, Envelope, Event, RoomAction};
use crate::ui::chat::{chat_key, Arrival, ChatKey, ChatKind, LinkTarget, Visibility};
use crate::ui::contact_list;
use crate::ui::screen::{
    availability_id, chat_search, chat_window, ChatWindow, Peer, SearchWindow,
};
use crate::ui::status::display_address;

use super::{App, ChatRequest, Message, SearchTarget, WindowKind};

impl App {
    /// The name to show for an address: the contact's name when it is on
    /// the account's list, else the address without `sip:`.
    pub(super) fn peer_name(&self, account: &str, address: &str) -> String {
        let key = chat_key(account, address);
        let list = self.main.contacts().list();
        list.contact(&key)
            .or_else(|| list.contact(&(account.to_string(), address.to_string())))
            .map(contact_list::display_name)
            .unwrap_or_else(|| display_address(&key.1).to_string())
    }

    /// Who a chat is with, for its window's header.
    fn peer(&self, key: &ChatKey, kind: ChatKind) -> Peer {
        let list = self.main.contacts().list();
        let on_list = kind == ChatKind::Person && list.contact(key).is_some();
        let presence = list.presence(key);
        let status = on_list.then(|| {
            presence
                .note
                .clone()
                .unwrap_or_else(|| self.i18n.tr(availability_id(presence.availability)))
        });
        Peer {
            // A room goes by its name, the user part of its address.
            name: match kind {
                ChatKind::Room => display_address(&key.1)
                    .split('@')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                ChatKind::Person => self.peer_name(&key.0, &key.1),
            },
            address: display_address(&key.1).to_string(),
            dot: on_list.then(|| contact_list::dot(presence.availability)),
            status,
        }
    }

    /// Opens the chat with `peer`, or raises its window.
    pub(super) fn open_chat(&mut self, account: &str, peer: &str) -> Task<Message> {
        let key = chat_key(account, peer);
        let kind = self.chats.get(&key).map(|c| c.kind).unwrap_or_default();
        self.open_chat_window(key, kind)
    }

    fn open_chat_window(&mut self, key: ChatKey, kind: ChatKind) -> Task<Message> {
        if let Some(id) = self.chat_window(&key.0, &key.1) {
            return window::gain_focus(id);
        }
        let (id, open) = window::open(window::Settings {
            size: Size::new(520.0, 640.0),
            min_size: Some(Size::new(360.0, 360.0)),
            exit_on_close_request: false,
            ..window::Settings::default()
        });
        let (account, peer) = key.clone();
        self.windows.insert(
            id,
            match kind {
                ChatKind::Person => WindowKind::Chat { account, peer },
                ChatKind::Room => WindowKind::Room {
                    account,
                    room: peer,
                },
            },
        );
        let chat = self.chats.entry(&key);
        chat.kind = kind;
        let chat_window = ChatWindow::new(key.clone(), chat);
        let commands = chat_window.opening_commands(chat);
        self.chat_windows.insert(id, chat_window);
        // A new window comes up in front.
        self.chats.set_visibility(&key, Visibility::Focused);
        self.chats.mark_read(&key);
        self.sync_badge(&key);
        for command in commands {
            self.chat_command(command, Some(id));
        }
        open.map(Message::WindowOpened)
    }

    /// Sends a room command and opens (or raises) the room's window.
    pub(super) fn room_command(
        &mut self,
        account: &str,
        room: &str,
        action: RoomAction,
    ) -> Task<Message> {
        let key = chat_key(account, room);
        self.chats.set_room(&key);
        self.send(Command::Room {
            account: key.0.clone(),
            room: key.1.clone(),
            action,
        });
        self.open_chat_window(key, ChatKind::Room)
    }

    /// Opens the search window, or raises it.
    pub(super) fn open_search(&mut self) -> Task<Message> {
        if let Some((id, _)) = &self.search {
            return window::gain_focus(*id);
        }
        let (id, open) = window::open(window::Settings {
            size: Size::new(520.0, 600.0),
            min_size: Some(Size::new(360.0, 320.0)),
            exit_on_close_request: false,
            ..window::Settings::default()
        });
        self.windows.insert(id, WindowKind::Search);
        self.search = Some((id, SearchWindow::new()));
        open.map(Message::WindowOpened)
    }

    /// Shows the unread count of a chat on its contact.
    fn sync_badge(&mut self, key: &ChatKey) {
        let unread = self.chats.unread(key);
        self.main.contacts_mut().set_unread(&key.0, &key.1, unread);
    }

    pub(super) fn chat_message(
        &mut self,
        window: window::Id,
        message: chat_window::Message,
    ) -> Task<Message> {
        let Some(chat_window) = self.chat_windows.get_mut(&window) else {
            return Task::none();
        };
        let key = chat_window.key().clone();
        let chat = self.chats.entry(&key);
        let events = chat_window.update(message, chat);
        let mut tasks = Vec::new();
        for event in events {
            match event {
                chat_window::Event::Send(command) => self.chat_command(command, Some(window)),
                chat_window::Event::Search(query) => {
                    self.start_search(SearchTarget::Chat(window), &key.0, Some(&key.1), &query)
                }
                chat_window::Event::Copy(text) => tasks.push(iced::clipboard::write(text)),
                chat_window::Event::OpenLink(link) => match LinkTarget::of(&link) {
                    Some(LinkTarget::Web(url)) => self.desktop.open_url(&url),
                    Some(LinkTarget::Sip(uri)) => tasks.push(self.open_chat(&key.0, &uri)),
                    None => tracing::warn!(%link, "not a link Hark opens"),
                },
                chat_window::Event::Close => tasks.push(window::close(window)),
                chat_window::Event::Focus(id) => tasks.push(iced::widget::operation::focus(id)),
                chat_window::Event::Call => {
                    tasks.push(self.place_call(Some(key.0.clone()), &key.1, None))
                }
            }
        }
        Task::batch(tasks)
    }

    pub(super) fn search_message(&mut self, message: chat_search::Message) -> Task<Message> {
        let Some((_, search)) = &mut self.search else {
            return Task::none();
        };
        match search.update(message) {
            Some(chat_search::Event::Search(query)) => {
                let accounts = self.main.account_addresses();
                if let Some((_, search)) = &mut self.search {
                    search.started(accounts.len());
                }
                self.requests
                    .retain(|_, r| *r != ChatRequest::Search(SearchTarget::All));
                for account in &accounts {
                    self.start_search(SearchTarget::All, account, None, &query);
                }
                Task::none()
            }
            Some(chat_search::Event::OpenChat { account, peer }) => self.open_chat(&account, &peer),
            None => Task::none(),
        }
    }

    fn start_search(
        &mut self,
        target: SearchTarget,
        account: &str,
        peer: Option<&str>,
        query: &str,
    ) {
        let command = Command::SearchMessages {
            account: account.to_string(),
            peer: peer.map(str::to_string),
            query: query.to_string(),
            limit: Some(chat_window::SEARCH_LIMIT),
        };
        self.request(command, ChatRequest::Search(target));
    }

    /// Sends a command from a chat window; history requests and messages
    /// carry an id so that their answer finds its way back.
    fn chat_command(&mut self, command: Command, window: Option<window::Id>) {
        match (&command, window) {
            (Command::History { account, peer, .. }, _) => {
                let key = chat_key(account, peer);
                self.request(command, ChatRequest::History(key));
            }
            (Command::SendMessage { body, .. }, Some(window)) => {
                let body = body.clone();
                self.request(command, ChatRequest::Send { window, body });
            }
            _ => self.send(command),
        }
    }

    fn request(&mut self, command: Command, request: ChatRequest) {
        self.next_request += 1;
        let id = format!("ui-chat-{}", self.next_request);
        self.requests.insert(id.clone(), request);
        let envelope = Envelope {
            id: Some(id.into()),
            command,
        };
        if !self.engine.send(envelope) {
            tracing::warn!("the engine is not running; command dropped");
            self.main.set_engine_stopped();
        }
    }

    /// True for the answer to a command a chat window sent.
    pub(super) fn owns_request(&self, event: &Event) -> bool {
        match event {
            Event::Ok { id: Some(id) } | Event::Error { id: Some(id), .. } => {
                id.as_str().is_some_and(|id| self.requests.contains_key(id))
            }
            _ => false,
        }
    }

    /// The engine refused a chat window's command.
    fn refused(&mut self, request: ChatRequest, message: String) {
        match request {
            ChatRequest::History(key) => self.chats.entry(&key).loading_history = false,
            ChatRequest::Send { window, body } => {
                if let Some(w) = self.chat_windows.get_mut(&window) {
                    w.send_refused(&body, message);
                }
            }
            ChatRequest::Search(SearchTarget::Chat(window)) => {
                if let Some(w) = self.chat_windows.get_mut(&window) {
                    w.search_failed(message);
                }
            }
            ChatRequest::Search(SearchTarget::All) => {
                if let Some((_, search)) = &mut self.search {
                    search.failed(message);
                }
            }
        }
    }

    /// A window got or lost the keyboard focus.
    pub(super) fn window_focus(&mut self, window: window::Id, focused: bool) -> Task<Message> {
        let Some(key) = self.chat_windows.get(&window).map(|w| w.key().clone()) else {
            return Task::none();
        };
        let visibility = if focused {
            Visibility::Focused
        } else {
            Visibility::Open
        };
        if self.chats.set_visibility(&key, visibility) {
            self.sync_badge(&key);
            if !self.chats.is_room(&key) {
                self.send(Command::MarkRead {
                    account: key.0,
                    peer: key.1,
                });
            }
        }
        Task::none()
    }

    /// A window closed: a chat keeps its draft and has no window any more.
    pub(super) fn chat_window_closed(&mut self, window: window::Id) {
        if self.search.as_ref().is_some_and(|(id, _)| *id == window) {
            self.search = None;
            self.requests
                .retain(|_, r| *r != ChatRequest::Search(SearchTarget::All));
            return;
        }
        let Some(mut chat_window) = self.chat_windows.remove(&window) else {
            return;
        };
        self.requests.retain(|_, r| match r {
            ChatRequest::Search(SearchTarget::Chat(w)) | ChatRequest::Send { window: w, .. } => {
                *w != window
            }
            _ => true,
        });
        let key = chat_window.key().clone();
        let stop_typing = chat_window.closing(self.chats.entry(&key));
        self.chats.set_visibility(&key, Visibility::Closed);
        if let Some(command) = stop_typing {
            self.send(command);
        }
    }

    /// Takes in the engine's chat events.
    pub(super) fn chat_event(&mut self, event: Event) -> Task<Message> {
        match event {
            Event::Message { account, message } => {
                let key = chat_key(&account, &message.peer);
                let sender = message.sender.clone();
                let body = message.body.clone();
                let arrival = self.chats.receive(&account, *message);
                let task = match arrival {
                    Some(Arrival::Seen) if !self.chats.is_room(&key) => {
                        self.send(Command::MarkRead {
                            account: key.0.clone(),
                            peer: key.1.clone(),
                        });
                        Task::none()
                    }
                    Some(Arrival::Unread) => match self.chat_window(&key.0, &key.1) {
                        Some(id) => window::request_user_attention(
                            id,
                            Some(window::UserAttention::Informational),
                        ),
                        None => Task::none(),
                    },
                    Some(Arrival::Notify) if self.chat_settings.open_on_message => {
                        self.open_chat(&key.0, &key.1)
                    }
                    Some(Arrival::Notify) => {
                        if self.chat_settings.notify {
                            let summary = self.notification_summary(&key, &sender);
                            self.desktop.notify(&key.0, &key.1, &summary, &body);
                        }
                        Task::none()
                    }
                    _ => Task::none(),
                };
                self.sync_badge(&key);
                task
            }
            Event::Typing {
                account,
                peer,
                typing,
            } => {
                self.chats.set_typing(&chat_key(&account, &peer), typing);
                Task::none()
            }
            Event::History {
                account,
                peer,
                messages,
                more,
                ..
            } => {
                let key = chat_key(&account, &peer);
                self.chats.entry(&key).apply_history(messages, more);
                Task::none()
            }
            Event::SearchResults {
                id: Some(id),
                hits,
                account,
                ..
            } => {
                let id = id.as_str().unwrap_or_default().to_string();
                match self.requests.remove(&id) {
                    Some(ChatRequest::Search(SearchTarget::Chat(window))) => {
                        if let Some(w) = self.chat_windows.get_mut(&window) {
                            w.search_answered(hits);
                        }
                    }
                    Some(ChatRequest::Search(SearchTarget::All)) => {
                        if let Some((_, search)) = &mut self.search {
                            search.answered(&account, hits);
                        }
                    }
                    Some(other) => {
                        self.requests.insert(id, other);
                    }
                    None => {}
                }
                Task::none()
            }
            Event::Ok { id: Some(id) } => {
                if let Some(id) = id.as_str() {
                    self.requests.remove(id);
                }
                Task::none()
            }
            Event::Error {
                id: Some(id),
                message,
                ..
            } => {
                let request = id.as_str().and_then(|id| self.requests.remove(id));
                if let Some(request) = request {
                    self.refused(request, message);
                }
                Task::none()
            }
            Event::OpenChat { account, peer } => self.open_chat(&account, &peer),
            // The main window shows the prompt; the desktop tells the user.
            Event::RoomInvitation { account, room, by } => {
                if self.chat_settings.notify {
                    let room = display_address(&room).to_string();
                    let words = match &by {
                        Some(by) => self.i18n.tr_args(
                            "room-invitation-by",
                            &[
                                ("name", self.peer_name(&account, by).into()),
                                ("room", room.clone().into()),
                            ],
                        ),
                        None => self
                            .i18n
                            .tr_args("room-invitation", &[("room", room.clone().into())]),
                    };
                    let summary = self.i18n.tr("room-invitation-title");
                    self.desktop.notify(&account, &room, &summary, &words);
                }
                Task::none()
            }
            Event::RoomMembers {
                account,
                room,
                members,
            } => {
                let key = chat_key(&account, &room);
                self.chats.set_room(&key);
                self.chats.entry(&key).members = members;
                Task::none()
            }
            _ => Task::none(),
        }
    }

    /// "Bob Builder", or "Bob Builder in team@conference…" for a room.
    fn notification_summary(&self, key: &ChatKey, sender: &str) -> String {
        let name = self.peer_name(&key.0, sender);
        if self.chats.is_room(key) {
            self.i18n.tr_args(
                "chat-notification-room",
                &[
                    ("name", name.into()),
                    ("room", display_address(&key.1).to_string().into()),
                ],
            )
        } else {
            name
        }
    }

    pub(super) fn chat_view(&self, window: window::Id) -> Element<'_, Message> {
        let Some(chat_window) = self.chat_windows.get(&window) else {
            return space().into();
        };
        let key = chat_window.key();
        let Some(chat) = self.chats.get(key) else {
            return space().into();
        };
        let peer = self.peer(key, chat.kind);
        let account = key.0.clone();
        let names = |address: &str| self.peer_name(&account, address);
        chat_window
            .view(&self.i18n, chat, &peer, &names)
            .map(move |m| Message::Chat(window, m))
    }

    pub(super) fn search_view(&self) -> Element<'_, Message> {
        let Some((_, search)) = &self.search else {
            return space().into();
        };
        let accounts = self.main.account_addresses();
        let names = |address: &str| {
            let account = accounts.first().map(String::as_str).unwrap_or_default();
            self.peer_name(account, address)
        };
        search.view(&self.i18n, &names).map(Message::Search)
    }
}
