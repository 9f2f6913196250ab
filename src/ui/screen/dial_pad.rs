//! The main window's call entries (SPEC C6, C7 hook): the dial field
//! (type a number, a user name or a SIP address; Enter or "Call" calls,
//! the engine works out the address), a keypad under it for those who
//! click, a line per call in progress with "Show" to bring its window
//! back, the missed-call badge at the top of the list ("2 missed
//! calls" and who called; a click shows them in the call history) and the
//! button that opens the call history. Owns the field and the keypad; the app tells it the
//! live calls and the missed ones ([`DialPad::set_live`],
//! [`DialPad::set_missed`]) and is asked through main-window [`Event`]s.

use iced::widget::{button, column, container, row, text, text_input, tooltip};
use iced::{Alignment, Element, Fill, Length, Padding};

use crate::i18n::I18n;
use crate::ui::call::KEYPAD;
use crate::ui::theme;

use super::main_window::Event;

/// The id of the dial field.
pub const DIAL_ID: &str = "dial-field";
/// The widget id of the button that opens the call history.
pub const HISTORY_ID: &str = "dial-history";
/// The correlation id of `Call` sent from the dial field, so that a
/// refusal shows under it.
pub const DIAL_REQUEST: &str = "ui-dial";

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Input(String),
    /// Enter in the field, or the Call button.
    Dial,
    ToggleKeypad,
    /// A key of the keypad: typed into the field.
    Key(char),
    /// Bring the window of this call back.
    Show(String),
    /// The missed-call badge: show the missed calls.
    ShowMissed,
    /// Open the call history.
    History,
}

/// A call in progress, as the main window lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveCall {
    pub id: String,
    pub name: String,
    /// Where it stands, in words, with its timer.
    pub status: String,
}

#[derive(Debug, Clone, Default)]
pub struct DialPad {
    number: String,
    keypad: bool,
    /// What was dialled, until the engine took it (it comes back on a
    /// refusal: nothing typed is lost).
    sent: Option<String>,
    error: Option<String>,
    live: Vec<LiveCall>,
    /// Who the missed calls were from, newest first.
    missed: Vec<String>,
    /// How many missed calls the user has not seen (some may be older
    /// than the names known).
    missed_count: usize,
}

impl DialPad {
    /// What the field holds.
    pub fn number(&self) -> &str {
        &self.number
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn keypad_shown(&self) -> bool {
        self.keypad
    }

    pub fn live(&self) -> &[LiveCall] {
        &self.live
    }

    pub fn set_live(&mut self, live: Vec<LiveCall>) {
        self.live = live;
    }

    /// The missed calls' names, newest first, and how many there are
    /// (at least as many as the names; zero hides the badge).
    pub fn set_missed(&mut self, names: Vec<String>, count: usize) {
        self.missed_count = count.max(names.len());
        self.missed = names;
    }

    pub fn missed_count(&self) -> usize {
        self.missed_count
    }

    /// The engine placed the dialled call.
    pub fn accepted(&mut self) {
        self.sent = None;
    }

    /// The engine refused the dialled call: the text comes back into an
    /// empty field and the reason shows.
    pub fn refused(&mut self, message: String) {
        if let Some(sent) = self.sent.take() {
            if self.number.trim().is_empty() {
                self.number = sent;
            }
        }
        self.error = Some(message);
    }

    /// Escape: closes the keypad. False when it was not open.
    pub fn escape(&mut self) -> bool {
        std::mem::take(&mut self.keypad)
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Input(number) => {
                self.number = number;
                self.error = None;
            }
            Message::Dial => {
                let number = self.number.trim().to_string();
                if number.is_empty() {
                    return Some(Event::Focus(DIAL_ID));
                }
                self.error = None;
                self.sent = Some(std::mem::take(&mut self.number));
                self.keypad = false;
                return Some(Event::Dial(number));
            }
            Message::ToggleKeypad => {
                self.keypad = !self.keypad;
                return Some(Event::Focus(DIAL_ID));
            }
            Message::Key(key) => {
                self.number.push(key);
                self.error = None;
            }
            Message::Show(call) => return Some(Event::ShowCall(call)),
            Message::ShowMissed => return Some(Event::OpenHistory { missed: true }),
            Message::History => return Some(Event::OpenHistory { missed: false }),
        }
        None
    }

    /// The dial field, the keypad when open, the refusal, and the calls in
    /// progress.
    pub fn view<'a>(&'a self, i18n: &I18n) -> Element<'a, Message> {
        let field = tooltip(
            text_input(&i18n.tr("dial-placeholder"), &self.number)
                .id(DIAL_ID)
                .size(theme::LABEL_SIZE)
                .padding([7, 10])
                .style(theme::field)
                .on_input(Message::Input)
                .on_submit(Message::Dial),
            theme::tooltip_card(i18n.tr("dial-tip")),
            tooltip::Position::Bottom,
        );
        let keypad = button(text("123").size(theme::SMALL_SIZE).font(theme::BOLD))
            .padding([7, 8])
            .style(if self.keypad {
                theme::toggled_button
            } else {
                theme::secondary_button
            })
            .on_press(Message::ToggleKeypad);
        // The icon alone: "Call" is the contact menu's word.
        let call = tooltip(
            button(text("☎").size(theme::BODY_SIZE))
                .padding([5, 12])
                .style(theme::accept_button)
                .on_press_maybe((!self.number.trim().is_empty()).then_some(Message::Dial)),
            theme::tooltip_card(i18n.tr("dial-call")),
            tooltip::Position::Bottom,
        );
        let history = tooltip(
            container(
                button(text("◷").size(theme::BODY_SIZE + 1.0))
                    .padding([4, 9])
                    .style(theme::secondary_button)
                    .on_press(Message::History),
            )
            .id(HISTORY_ID),
            theme::tooltip_card(i18n.tr("history-open-tip")),
            tooltip::Position::Bottom,
        );
        let bar = row![
            container(field).width(Fill),
            tooltip(
                keypad,
                theme::tooltip_card(i18n.tr("dial-keypad")),
                tooltip::Position::Bottom
            ),
            history,
            call
        ]
        .spacing(theme::SMALL_GAP)
        .align_y(Alignment::Center);

        let mut panel = column![].spacing(theme::SMALL_GAP);
        if let Some(missed) = self.missed_line(i18n) {
            panel = panel.push(missed);
        }
        panel = panel.push(bar);
        if let Some(error) = &self.error {
            panel = panel.push(
                text(i18n.tr_args("dial-error", &[("message", error.as_str().into())]))
                    .size(theme::SMALL_SIZE)
                    .style(theme::error),
            );
        }
        if self.keypad {
            panel = panel.push(keypad_grid());
        }
        for call in &self.live {
            panel = panel.push(live_line(i18n, call));
        }
        container(panel)
            .padding(Padding::from([0.0, theme::PADDING * 0.75]).bottom(10))
            .width(Fill)
            .into()
    }

    /// The missed calls: a red badge with the count (a click shows them
    /// in the call history) and who called, newest first.
    fn missed_line<'a>(&self, i18n: &I18n) -> Option<Element<'a, Message>> {
        if self.missed_count == 0 {
            return None;
        }
        let count = self.missed_count as i64;
        let names = self.missed.join(", ");
        let badge = tooltip(
            button(
                text(i18n.tr_args("calls-missed", &[("count", count.into())]))
                    .size(theme::SMALL_SIZE)
                    .font(theme::BOLD)
                    .wrapping(text::Wrapping::None),
            )
            .padding([3, 10])
            .style(theme::missed_badge)
            .on_press(Message::ShowMissed),
            theme::tooltip_card(
                i18n.tr_args("calls-missed-tip", &[("names", names.clone().into())]),
            ),
            tooltip::Position::Bottom,
        );
        Some(
            row![
                badge,
                text(names)
                    .size(theme::SMALL_SIZE)
                    .style(theme::muted)
                    .wrapping(text::Wrapping::None)
                    .width(Fill),
            ]
            .spacing(theme::SMALL_GAP * 1.5)
            .align_y(Alignment::Center)
            .clip(true)
            .into(),
        )
    }
}

fn keypad_grid<'a>() -> Element<'a, Message> {
    let mut grid = column![].spacing(4);
    for keys in KEYPAD.chunks(3) {
        let mut line = row![].spacing(4);
        for &key in keys {
            line = line.push(
                button(
                    text(key.to_string())
                        .size(theme::BODY_SIZE + 1.0)
                        .align_x(Alignment::Center)
                        .width(Fill),
                )
                .width(Fill)
                .height(Length::Fixed(34.0))
                .style(theme::secondary_button)
                .on_press(Message::Key(key)),
            );
        }
        grid = grid.push(line);
    }
    container(grid).max_width(260).center_x(Fill).into()
}

fn live_line<'a>(i18n: &I18n, call: &'a LiveCall) -> Element<'a, Message> {
    let line = row![
        text("☎").size(theme::LABEL_SIZE),
        theme::name_and_line(
            call.name.clone(),
            call.status.clone(),
            theme::LABEL_SIZE,
            true
        ),
        tooltip(
            button(text(i18n.tr("calls-show")).size(theme::SMALL_SIZE))
                .padding([4, 10])
                .style(theme::secondary_button)
                .on_press(Message::Show(call.id.clone())),
            theme::tooltip_card(i18n.tr("calls-show-tip")),
            tooltip::Position::Left,
        ),
    ]
    .spacing(theme::SMALL_GAP * 1.5)
    .align_y(Alignment::Center);
    container(line)
        .padding([6, 10])
        .width(Fill)
        .style(theme::card)
        .into()
}
