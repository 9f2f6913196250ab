//! The contact list panel of the main window: the search field, the
//! "Add contact" form, the prompts for people who want to see the user's
//! status, and the list itself with its right-click menu and the small
//! rename / move forms. Owns the UI state of all that; the drawing lives in
//! [`super::contacts_view`], the list data in [`ContactList`].
//!
//! The rows are computed when something changes (not on every frame), and
//! only the rows inside the scrolled viewport are built as widgets, so five
//! thousand contacts scroll as smoothly as fifty.

use std::collections::HashMap;

use crate::engine::{Command, Contact, Event as EngineEvent};
use crate::ui::chat::{chat_key, ChatKey};
use crate::ui::contact_list::{ContactList, Key, Row};

use super::main_window::Event;

/// The correlation id of `AddContact` sent by the form, so that the
/// engine's `Error` for it shows next to the form.
pub const ADD_CONTACT_REQUEST: &str = "ui-add-contact";
/// The id of the search field.
pub const SEARCH_ID: &str = "contacts-search";
/// The id of the address field of the "Add contact" form.
pub const ADD_ADDRESS_ID: &str = "contacts-add-address";
/// The id of the field of the rename / move form.
pub const POPUP_FIELD_ID: &str = "contacts-popup-field";
/// The id of the list's scrollable.
pub const LIST_ID: &str = "contacts-list";

/// Height of a group heading in the list.
pub const GROUP_HEIGHT: f32 = 32.0;
/// Height of a contact row in the list.
pub const ROW_HEIGHT: f32 = 52.0;
/// Rows built beyond each edge of the viewport.
const OVERSCAN: usize = 4;
/// The viewport height assumed until the list reports its own.
const DEFAULT_VIEWPORT: f32 = 2000.0;

/// What a double-click on a contact does (a setting, SPEC "who uses it").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DefaultAction {
    #[default]
    Chat,
    Call,
}

/// Everything the right-click menu offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Message,
    Call,
    VideoCall,
    Email,
    Rename,
    MoveToGroup,
    Remove,
    CopyAddress,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Message,
        Action::Call,
        Action::VideoCall,
        Action::Email,
        Action::Rename,
        Action::MoveToGroup,
        Action::Remove,
        Action::CopyAddress,
    ];
}

/// What the user decided about someone who wants to see their status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatcherDecision {
    Allow,
    Block,
    Ignore,
}

/// Someone who asked to see the user's status and waits for an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingWatcher {
    pub account: String,
    /// Their address, `sip:bob@example.com`.
    pub uri: String,
    pub name: Option<String>,
}

/// A field of the "Add contact" form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Address,
    Name,
    Group,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Filter(String),
    ClearFilter,
    ToggleGroup(Option<String>),
    /// The list scrolled or changed size.
    Scrolled {
        offset: f32,
        height: f32,
    },
    Select(Key),
    /// Double-click: the default action.
    Activate(Key),
    /// Right-click: the menu.
    OpenMenu(Key),
    ClosePopup,
    Action(Key, Action),
    PopupInput(String),
    PopupSubmit,
    AddOpen,
    AddInput(Field, String),
    AddAccount(String),
    AddSubmit,
    AddCancel,
    Watcher(usize, WatcherDecision),
}

/// A floating card over the list.
#[derive(Debug, Clone, PartialEq)]
pub enum Popup {
    Menu(Key),
    Rename(Key, String),
    MoveToGroup(Key, String),
}

impl Popup {
    pub fn key(&self) -> &Key {
        match self {
            Popup::Menu(k) | Popup::Rename(k, _) | Popup::MoveToGroup(k, _) => k,
        }
    }
}

/// The "Add contact" form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AddForm {
    pub address: String,
    pub name: String,
    pub group: String,
    /// The account it goes to (the first one unless chosen).
    pub account: Option<String>,
    /// The engine's answer when it refused the contact.
    pub error: Option<String>,
    /// Sent, no answer yet.
    pub waiting: bool,
}

#[derive(Debug, Clone)]
pub struct Contacts {
    pub(super) list: ContactList,
    pub(super) filter: String,
    pub(super) rows: Vec<Row>,
    /// The bottom edge of each row; the last one is the list's height.
    pub(super) bottoms: Vec<f32>,
    pub(super) offset: f32,
    pub(super) viewport: f32,
    pub(super) selected: Option<Key>,
    pub(super) popup: Option<Popup>,
    pub(super) add: Option<AddForm>,
    pub(super) watchers: Vec<PendingWatcher>,
    pub(super) default_action: DefaultAction,
    /// Unread chat messages per contact (the badge on the row).
    pub(super) unread: HashMap<ChatKey, usize>,
}

impl Default for Contacts {
    fn default() -> Self {
        Contacts {
            list: ContactList::new(),
            filter: String::new(),
            rows: Vec::new(),
            bottoms: Vec::new(),
            offset: 0.0,
            viewport: DEFAULT_VIEWPORT,
            selected: None,
            popup: None,
            add: None,
            watchers: Vec::new(),
            default_action: DefaultAction::default(),
            unread: HashMap::new(),
        }
    }
}

impl Contacts {
    pub fn list(&self) -> &ContactList {
        &self.list
    }

    /// The rows as the list shows them now.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    pub fn popup(&self) -> Option<&Popup> {
        self.popup.as_ref()
    }

    pub fn add_form(&self) -> Option<&AddForm> {
        self.add.as_ref()
    }

    pub fn set_default_action(&mut self, action: DefaultAction) {
        self.default_action = action;
    }

    /// How many chat messages from this contact are unread (0 hides the
    /// badge).
    pub fn set_unread(&mut self, account: &str, peer: &str, count: usize) {
        let key = chat_key(account, peer);
        if count == 0 {
            self.unread.remove(&key);
        } else {
            self.unread.insert(key, count);
        }
    }

    /// The unread count shown next to a contact.
    pub fn unread(&self, account: &str, uri: &str) -> usize {
        self.unread
            .get(&chat_key(account, uri))
            .copied()
            .unwrap_or(0)
    }

    pub fn pending_watchers(&self) -> &[PendingWatcher] {
        &self.watchers
    }

    /// Someone asks to see the user's status (engine events land later).
    pub fn add_pending_watcher(&mut self, watcher: PendingWatcher) {
        if !self.watchers.contains(&watcher) {
            self.watchers.push(watcher);
        }
    }

    /// Takes in the engine events about contacts.
    pub fn apply(&mut self, event: &EngineEvent) {
        match event {
            EngineEvent::Contacts { account, contacts } => {
                self.list.set_contacts(account, contacts.clone());
                self.refresh();
            }
            EngineEvent::Presence { account, updates } => {
                self.list.apply(account, updates);
                self.refresh();
            }
            EngineEvent::Watchers { account, watchers } => {
                // The engine tells the whole set: those pending wait for us.
                self.watchers.retain(|w| &w.account != account);
                for w in watchers.iter().filter(|w| w.status == "pending") {
                    self.add_pending_watcher(PendingWatcher {
                        account: account.clone(),
                        uri: w.uri.clone(),
                        name: w.display_name.clone(),
                    });
                }
            }
            EngineEvent::Ok { id: Some(id) } if id == ADD_CONTACT_REQUEST => self.add = None,
            EngineEvent::Error {
                id: Some(id),
                message,
                ..
            } if id == ADD_CONTACT_REQUEST => {
                if let Some(form) = &mut self.add {
                    form.waiting = false;
                    form.error = Some(message.clone());
                }
            }
            _ => {}
        }
    }

    /// True when this engine error belongs to the "Add contact" form.
    pub fn owns_error(event: &EngineEvent) -> bool {
        matches!(event, EngineEvent::Error { id: Some(id), .. } if id == ADD_CONTACT_REQUEST)
    }

    /// Escape: closes the menu or form on top, else clears the filter.
    /// Returns false when there was nothing to close.
    pub fn escape(&mut self) -> bool {
        if self.popup.take().is_some() {
            return true;
        }
        if self.add.take().is_some() {
            return true;
        }
        if !self.filter.is_empty() {
            self.set_filter(String::new());
            return true;
        }
        false
    }

    fn set_filter(&mut self, filter: String) {
        self.filter = filter;
        self.popup = None;
        self.offset = 0.0;
        self.refresh();
    }

    /// Recomputes the rows after a change of contacts, presence or filter.
    fn refresh(&mut self) {
        self.rows = self.list.visible_rows(&self.filter);
        let mut bottom = 0.0;
        self.bottoms = self
            .rows
            .iter()
            .map(|row| {
                bottom += match row {
                    Row::Group(_) => GROUP_HEIGHT,
                    Row::Contact(_) => ROW_HEIGHT,
                };
                bottom
            })
            .collect();
        if let Some(popup) = &self.popup {
            if self.row_index(popup.key()).is_none() {
                self.popup = None;
            }
        }
    }

    /// The list's full height.
    pub(super) fn height(&self) -> f32 {
        self.bottoms.last().copied().unwrap_or(0.0)
    }

    /// The top edge of row `index`.
    pub(super) fn top(&self, index: usize) -> f32 {
        if index == 0 {
            0.0
        } else {
            self.bottoms[index - 1]
        }
    }

    /// The rows (by index) that intersect the viewport, with some spare.
    pub fn visible_range(&self) -> std::ops::Range<usize> {
        let top = self.scroll_top();
        let start = self.bottoms.partition_point(|b| *b <= top);
        let end = self
            .bottoms
            .partition_point(|b| *b < top + self.viewport)
            .saturating_add(1);
        start.saturating_sub(OVERSCAN)..end.saturating_add(OVERSCAN).min(self.rows.len())
    }

    /// The scroll offset, kept inside the list when it shrank.
    pub(super) fn scroll_top(&self) -> f32 {
        self.offset
            .min((self.height() - self.viewport).max(0.0))
            .max(0.0)
    }

    pub(super) fn row_index(&self, key: &Key) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| matches!(r, Row::Contact(c) if c.account == key.0 && c.uri == key.1))
    }

    pub(super) fn row(&self, key: &Key) -> Option<&crate::ui::contact_list::ContactRow> {
        self.row_index(key).and_then(|i| match &self.rows[i] {
            Row::Contact(c) => Some(c),
            Row::Group(_) => None,
        })
    }

    /// True when `action` can be done for this contact now (SPEC P7).
    /// A message can also go to someone offline or of unknown presence:
    /// the server keeps it for them (SPEC M4).
    pub fn action_enabled(&self, key: &Key, action: Action) -> bool {
        let presence = self.list.presence(key);
        let caps = presence.capabilities;
        match action {
            Action::Message => {
                caps.im || !crate::ui::contact_list::is_online(presence.availability)
            }
            Action::Call => caps.voice,
            Action::VideoCall => caps.video,
            Action::Email => caps.email,
            Action::Rename | Action::MoveToGroup | Action::Remove | Action::CopyAddress => true,
        }
    }

    /// `accounts` are the user's accounts, for the "Add contact" form.
    pub fn update(&mut self, message: Message, accounts: &[String]) -> Option<Event> {
        match message {
            Message::Filter(filter) => self.set_filter(filter),
            Message::ClearFilter => self.set_filter(String::new()),
            Message::ToggleGroup(group) => {
                self.list.toggle_group(group);
                self.refresh();
            }
            Message::Scrolled { offset, height } => {
                self.offset = offset;
                self.viewport = height;
            }
            Message::Select(key) => {
                self.popup = None;
                self.selected = Some(key);
            }
            Message::Activate(key) => {
                self.popup = None;
                self.selected = Some(key.clone());
                let (account, uri) = key;
                return Some(match self.default_action {
                    DefaultAction::Chat => Event::OpenChat { account, uri },
                    DefaultAction::Call => Event::Call { account, uri },
                });
            }
            Message::OpenMenu(key) => {
                self.selected = Some(key.clone());
                self.popup = Some(Popup::Menu(key));
            }
            Message::ClosePopup => self.popup = None,
            Message::Action(key, action) => return self.action(key, action),
            Message::PopupInput(value) => {
                if let Some(Popup::Rename(_, v) | Popup::MoveToGroup(_, v)) = &mut self.popup {
                    *v = value;
                }
            }
            Message::PopupSubmit => return self.submit_popup(),
            Message::AddOpen => {
                self.popup = None;
                if self.add.is_none() {
                    self.add = Some(AddForm::default());
                }
            }
            Message::AddInput(field, value) => {
                if let Some(form) = &mut self.add {
                    match field {
                        Field::Address => form.address = value,
                        Field::Name => form.name = value,
                        Field::Group => form.group = value,
                    }
                }
            }
            Message::AddAccount(account) => {
                if let Some(form) = &mut self.add {
                    form.account = Some(account);
                }
            }
            Message::AddSubmit => return self.submit_add(accounts),
            Message::AddCancel => self.add = None,
            Message::Watcher(index, decision) => {
                if index < self.watchers.len() {
                    let watcher = self.watchers.remove(index);
                    return Some(Event::DecideWatcher {
                        account: watcher.account,
                        watcher: watcher.uri,
                        decision,
                    });
                }
            }
        }
        None
    }

    fn action(&mut self, key: Key, action: Action) -> Option<Event> {
        self.popup = None;
        if !self.action_enabled(&key, action) {
            return None;
        }
        let contact = self.list.contact(&key)?.clone();
        let (account, uri) = key.clone();
        match action {
            Action::Message => Some(Event::OpenChat { account, uri }),
            Action::Call => Some(Event::Call { account, uri }),
            Action::VideoCall => Some(Event::VideoCall { account, uri }),
            Action::Email => Some(Event::SendEmail { account, uri }),
            Action::CopyAddress => Some(Event::CopyAddress(
                crate::ui::status::display_address(&uri).to_string(),
            )),
            Action::Remove => Some(Event::Send(Command::RemoveContact { account, uri })),
            Action::Rename => {
                self.popup = Some(Popup::Rename(key, contact.name.unwrap_or_default()));
                None
            }
            Action::MoveToGroup => {
                self.popup = Some(Popup::MoveToGroup(key, contact.group.unwrap_or_default()));
                None
            }
        }
    }

    fn submit_popup(&mut self) -> Option<Event> {
        let (key, contact) = match self.popup.take()? {
            Popup::Menu(key) => {
                self.popup = Some(Popup::Menu(key));
                return None;
            }
            Popup::Rename(key, name) => {
                let mut contact = self.list.contact(&key)?.clone();
                contact.name = non_empty(name);
                (key, contact)
            }
            Popup::MoveToGroup(key, group) => {
                let mut contact = self.list.contact(&key)?.clone();
                contact.group = non_empty(group);
                (key, contact)
            }
        };
        Some(Event::Send(Command::AddContact {
            account: key.0,
            contact,
        }))
    }

    fn submit_add(&mut self, accounts: &[String]) -> Option<Event> {
        let form = self.add.as_mut()?;
        let address = form.address.trim();
        if address.is_empty() || form.waiting {
            return None;
        }
        let account = form
            .account
            .clone()
            .filter(|a| accounts.contains(a))
            .or_else(|| accounts.first().cloned())?;
        form.error = None;
        form.waiting = true;
        Some(Event::AddContact {
            account,
            contact: Contact {
                uri: address.to_string(),
                name: non_empty(form.name.clone()),
                group: non_empty(form.group.clone()),
            },
        })
    }
}

fn non_empty(s: String) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}
