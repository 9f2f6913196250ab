//! The main window's chat entries: the "⋯" menu at the top right ("New
//! group chat…", "Search messages…", and "Call settings…"), the small form that names a new
//! group-chat room, and the prompts for invitations to rooms (Join /
//! Dismiss). Owns their state; asks the app through main-window
//! [`Event`]s.

use iced::widget::{
    button, column, container, mouse_area, opaque, row, rule, space, stack, text, text_input,
};
use iced::{Alignment, Element, Fill, Padding};

use crate::i18n::I18n;
use crate::ui::chat::room_address;
use crate::ui::status::display_address;
use crate::ui::theme;

use super::main_window::Event;

/// The id of the room name field.
pub const ROOM_NAME_ID: &str = "chat-room-name";

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    ToggleMenu,
    CloseMenu,
    NewRoom,
    Search,
    CallSettings,
    RoomInput(String),
    RoomSubmit,
    RoomCancel,
    /// Join the room of invitation `index`.
    Join(usize),
    Dismiss(usize),
}

/// An invitation to a group-chat room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub account: String,
    pub room: String,
    /// Who invited the user, as the list names them.
    pub by: Option<String>,
}

/// The "New group chat" form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoomForm {
    pub name: String,
    /// The name cannot be a room address.
    pub invalid: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ChatTools {
    menu_open: bool,
    room_form: Option<RoomForm>,
    invitations: Vec<Invitation>,
}

impl ChatTools {
    pub fn menu_open(&self) -> bool {
        self.menu_open
    }

    pub fn room_form(&self) -> Option<&RoomForm> {
        self.room_form.as_ref()
    }

    pub fn invitations(&self) -> &[Invitation] {
        &self.invitations
    }

    /// Someone invited the user to a room.
    pub fn invited(&mut self, invitation: Invitation) {
        self.invitations
            .retain(|i| !(i.account == invitation.account && i.room == invitation.room));
        self.invitations.push(invitation);
    }

    /// Escape: closes the menu, else the form. False when nothing was open.
    pub fn escape(&mut self) -> bool {
        if self.menu_open {
            self.menu_open = false;
            return true;
        }
        self.room_form.take().is_some()
    }

    /// `accounts` are the user's accounts; a new room goes to the first.
    pub fn update(&mut self, message: Message, accounts: &[String]) -> Option<Event> {
        match message {
            Message::ToggleMenu => self.menu_open = !self.menu_open,
            Message::CloseMenu => self.menu_open = false,
            Message::NewRoom => {
                self.menu_open = false;
                self.room_form.get_or_insert_with(RoomForm::default);
                return Some(Event::Focus(ROOM_NAME_ID));
            }
            Message::Search => {
                self.menu_open = false;
                return Some(Event::OpenSearch);
            }
            Message::CallSettings => {
                self.menu_open = false;
                return Some(Event::OpenCallSettings);
            }
            Message::RoomInput(name) => {
                if let Some(form) = &mut self.room_form {
                    form.name = name;
                    form.invalid = false;
                }
            }
            Message::RoomSubmit => {
                let form = self.room_form.as_mut()?;
                let account = accounts.first()?.clone();
                match room_address(&form.name, &account) {
                    Some(room) => {
                        self.room_form = None;
                        return Some(Event::CreateRoom { account, room });
                    }
                    None => form.invalid = true,
                }
            }
            Message::RoomCancel => self.room_form = None,
            Message::Join(index) => {
                if index < self.invitations.len() {
                    let i = self.invitations.remove(index);
                    return Some(Event::JoinRoom {
                        account: i.account,
                        room: i.room,
                    });
                }
            }
            Message::Dismiss(index) => {
                if index < self.invitations.len() {
                    self.invitations.remove(index);
                }
            }
        }
        None
    }

    /// The "⋯" button that opens the menu.
    pub fn menu_button<'a>(&self, i18n: &I18n) -> Element<'a, Message> {
        iced::widget::tooltip(
            button(text("⋯").size(theme::TITLE_SIZE - 4.0))
                .padding([0, 10])
                .style(theme::flat_button)
                .on_press(Message::ToggleMenu),
            container(text(i18n.tr("chat-menu")).size(theme::SMALL_SIZE))
                .padding([4, 8])
                .style(theme::popup),
            iced::widget::tooltip::Position::Left,
        )
        .into()
    }

    /// The open menu, to lay over the window; a click beside it closes it.
    pub fn menu<'a>(&self, i18n: &I18n) -> Element<'a, Message> {
        let item = |id: &str, message| {
            button(text(i18n.tr(id)).size(theme::LABEL_SIZE))
                .width(Fill)
                .padding([7, 10])
                .style(theme::menu_item)
                .on_press(message)
        };
        let card = container(
            column![
                item("chat-menu-new-room", Message::NewRoom),
                item("chat-menu-search", Message::Search),
                rule::horizontal(1).style(rule::weak),
                item("menu-call-settings", Message::CallSettings),
            ]
            .spacing(2),
        )
        .padding(4)
        .width(230)
        .style(theme::popup);
        stack![
            mouse_area(space().width(Fill).height(Fill))
                .on_press(Message::CloseMenu)
                .on_right_press(Message::CloseMenu),
            container(opaque(card))
                .align_right(Fill)
                .padding(Padding::from([48, 12])),
        ]
        .into()
    }

    /// The room form and the invitations, when there are any.
    pub fn panel<'a>(&'a self, i18n: &I18n) -> Option<Element<'a, Message>> {
        if self.room_form.is_none() && self.invitations.is_empty() {
            return None;
        }
        let mut panel = column![].spacing(theme::SMALL_GAP);
        if let Some(form) = &self.room_form {
            let mut fields = column![
                text(i18n.tr("room-new-title"))
                    .size(theme::BODY_SIZE)
                    .font(theme::BOLD),
                text_input(&i18n.tr("room-new-placeholder"), &form.name)
                    .id(ROOM_NAME_ID)
                    .size(theme::LABEL_SIZE)
                    .padding([6, 10])
                    .style(theme::field)
                    .on_input(Message::RoomInput)
                    .on_submit(Message::RoomSubmit),
            ]
            .spacing(theme::SMALL_GAP * 1.5);
            if form.invalid {
                fields = fields.push(
                    text(i18n.tr("room-new-invalid"))
                        .size(theme::SMALL_SIZE)
                        .style(theme::error),
                );
            }
            fields = fields.push(theme::form_buttons(
                i18n.tr("contacts-cancel"),
                Message::RoomCancel,
                i18n.tr("room-new-create"),
                (!form.name.trim().is_empty()).then_some(Message::RoomSubmit),
            ));
            panel = panel.push(container(fields).padding(12).width(Fill).style(theme::card));
        }
        for (index, invitation) in self.invitations.iter().enumerate() {
            let room = display_address(&invitation.room).to_string();
            let words = match &invitation.by {
                Some(by) => i18n.tr_args(
                    "room-invitation-by",
                    &[("name", by.as_str().into()), ("room", room.into())],
                ),
                None => i18n.tr_args("room-invitation", &[("room", room.into())]),
            };
            panel = panel.push(
                container(
                    column![
                        text(words).size(theme::LABEL_SIZE),
                        row![
                            button(text(i18n.tr("room-join")).size(theme::SMALL_SIZE))
                                .padding([4, 10])
                                .style(theme::primary_button)
                                .on_press(Message::Join(index)),
                            button(text(i18n.tr("main-dismiss")).size(theme::SMALL_SIZE))
                                .padding([4, 10])
                                .style(theme::secondary_button)
                                .on_press(Message::Dismiss(index)),
                        ]
                        .spacing(theme::SMALL_GAP),
                    ]
                    .spacing(theme::SMALL_GAP),
                )
                .padding(10)
                .width(Fill)
                .style(theme::notice),
            );
        }
        Some(
            container(panel)
                .padding(Padding::from([10.0, theme::PADDING * 0.75]))
                .into(),
        )
    }
}

/// Aligns the menu button with the own-status block.
pub fn menu_column<'a>(button: Element<'a, Message>) -> Element<'a, Message> {
    container(button)
        .padding(Padding::from([10, 8]))
        .align_y(Alignment::Start)
        .into()
}
