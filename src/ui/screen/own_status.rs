//! The user's own status at the top of the contact list (SPEC P4): an avatar
//! with their initial, a button with the coloured dot and the availability
//! that opens a menu of the five choices, and the note field. Enter in the
//! note, leaving it, or picking an availability sends `SetStatus`; what the
//! engine confirms (`OwnStatus`) is what shows.

use iced::widget::{button, column, container, mouse_area, row, space, text, text_input};
use iced::{Alignment, Element, Fill};

use crate::engine::{Availability, Command};
use crate::i18n::I18n;
use crate::ui::theme::{self, Dot};

/// The id of the note field.
pub const NOTE_ID: &str = "own-status-note";

/// Height of the block [`OwnStatus::view`] draws; the menu opens under it.
pub const HEIGHT: f32 = 128.0;

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    ToggleMenu,
    CloseMenu,
    Pick(Availability),
    NoteChanged(String),
    NoteSubmitted,
    /// Whether the note field still has the focus (asked after a click).
    NoteFocused(bool),
}

#[derive(Debug, Clone, Default)]
pub struct OwnStatus {
    availability: Availability,
    /// The note the engine confirmed.
    note: Option<String>,
    /// What is in the field.
    draft: String,
    menu_open: bool,
}

/// The colour of the user's own dot.
pub fn dot(availability: Availability) -> Dot {
    match availability {
        Availability::Available => Dot::Green,
        Availability::Away => Dot::Orange,
        Availability::Busy | Availability::DoNotDisturb => Dot::Red,
        Availability::Invisible => Dot::Grey,
    }
}

/// The message id of an availability's name.
pub fn label_id(availability: Availability) -> &'static str {
    match availability {
        Availability::Available => "own-available",
        Availability::Away => "own-away",
        Availability::Busy => "own-busy",
        Availability::DoNotDisturb => "own-dnd",
        Availability::Invisible => "own-invisible",
    }
}

impl OwnStatus {
    pub fn availability(&self) -> Availability {
        self.availability
    }

    pub fn menu_open(&self) -> bool {
        self.menu_open
    }

    /// True when the field holds a note not sent yet.
    pub fn note_edited(&self) -> bool {
        self.draft.trim() != self.note.as_deref().unwrap_or("")
    }

    /// The engine's `OwnStatus`.
    pub fn confirmed(&mut self, availability: Availability, note: Option<String>) {
        let edited = self.note_edited();
        self.availability = availability;
        self.note = note.filter(|n| !n.trim().is_empty());
        if !edited {
            self.draft = self.note.clone().unwrap_or_default();
        }
    }

    /// Returns the command to send, if any.
    pub fn update(&mut self, message: Message) -> Option<Command> {
        match message {
            Message::ToggleMenu => {
                self.menu_open = !self.menu_open;
                None
            }
            Message::CloseMenu => {
                self.menu_open = false;
                None
            }
            Message::Pick(availability) => {
                self.menu_open = false;
                self.availability = availability;
                Some(self.command())
            }
            Message::NoteChanged(note) => {
                self.draft = note;
                None
            }
            Message::NoteSubmitted => Some(self.command()),
            Message::NoteFocused(false) if self.note_edited() => Some(self.command()),
            Message::NoteFocused(_) => None,
        }
    }

    fn command(&mut self) -> Command {
        let note = self.draft.trim().to_string();
        self.note = (!note.is_empty()).then_some(note);
        Command::SetStatus {
            availability: self.availability,
            note: self.note.clone(),
        }
    }

    /// Avatar, name, availability button and note field; `name` is the
    /// user's address without `sip:`.
    pub fn view<'a>(&'a self, i18n: &I18n, name: &str) -> Element<'a, Message> {
        let availability = button(
            row![
                theme::dot(dot(self.availability), 10.0),
                text(i18n.tr(label_id(self.availability))).size(theme::LABEL_SIZE),
                text("▾").size(theme::SMALL_SIZE).style(theme::muted),
            ]
            .spacing(theme::SMALL_GAP)
            .align_y(Alignment::Center),
        )
        .padding([3, 8])
        .style(theme::flat_button)
        .on_press(Message::ToggleMenu);

        let who = row![
            theme::avatar(name, 44.0, None),
            column![
                text(name.to_string())
                    .size(theme::BODY_SIZE + 1.0)
                    .font(theme::BOLD)
                    .wrapping(text::Wrapping::None),
                availability,
            ]
            .spacing(2),
        ]
        .spacing(theme::SMALL_GAP * 2.0)
        .align_y(Alignment::Center);

        let note = text_input(&i18n.tr("own-note-placeholder"), &self.draft)
            .id(NOTE_ID)
            .size(theme::LABEL_SIZE)
            .padding([7, 10])
            .style(theme::field)
            .on_input(Message::NoteChanged)
            .on_submit(Message::NoteSubmitted);

        container(column![who, note].spacing(theme::SMALL_GAP * 2.0))
            .padding([14.0, theme::PADDING * 0.75])
            .height(HEIGHT)
            .width(Fill)
            .into()
    }

    /// The menu of availabilities, to lay over the window (under the
    /// status block); a click beside it closes it.
    pub fn menu<'a>(&'a self, i18n: &I18n) -> Element<'a, Message> {
        let mut items = column![].spacing(2);
        for availability in Availability::ALL {
            let selected = availability == self.availability;
            items = items.push(
                button(
                    row![
                        theme::dot(dot(availability), 10.0),
                        text(i18n.tr(label_id(availability))).size(theme::LABEL_SIZE),
                        space::horizontal(),
                        text(if selected { "✓" } else { "" }).size(theme::LABEL_SIZE),
                    ]
                    .spacing(theme::SMALL_GAP * 1.5)
                    .align_y(Alignment::Center),
                )
                .width(Fill)
                .padding([7, 10])
                .style(theme::menu_item)
                .on_press(Message::Pick(availability)),
            );
        }
        let card = container(items).padding(4).width(220).style(theme::popup);
        iced::widget::stack![
            mouse_area(space().width(Fill).height(Fill))
                .on_press(Message::CloseMenu)
                .on_right_press(Message::CloseMenu),
            iced::widget::pin(iced::widget::opaque(card))
                .x(theme::PADDING * 0.75 + 52.0)
                .y(HEIGHT - 54.0),
        ]
        .into()
    }
}
