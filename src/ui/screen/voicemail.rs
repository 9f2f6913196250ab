//! The voicemail indicator in the main window's header (SPEC C8): an
//! envelope with the count of new voice messages while any account's box
//! has messages waiting (the engine's `voicemail` events, RFC 3842), and
//! one click to call the voicemail pilot (`[calls] voicemail`, from the
//! engine's `call_settings` events). Without a pilot it still shows the
//! count, and its tooltip says that no voicemail number is set. Owns the
//! boxes' counts and the pilot.

use iced::widget::{button, container, row, text, tooltip};
use iced::{border, Alignment, Element, Padding, Theme};

use crate::engine::Event as EngineEvent;
use crate::i18n::I18n;
use crate::ui::theme;

use super::main_window::Event;

/// The widget id of the indicator.
pub const INDICATOR_ID: &str = "voicemail-indicator";

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The indicator was clicked: call the pilot.
    Call,
}

/// One account's box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mailbox {
    pub waiting: bool,
    pub new: u32,
    pub old: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Voicemail {
    /// Each account's box, in the order the engine first told of them.
    boxes: Vec<(String, Mailbox)>,
    /// The number to call to listen to them.
    pilot: Option<String>,
}

impl Voicemail {
    /// Takes in the engine's `voicemail` and `call_settings` events.
    pub fn apply(&mut self, event: &EngineEvent) {
        match event {
            EngineEvent::Voicemail {
                account,
                waiting,
                new,
                old,
            } => {
                let mailbox = Mailbox {
                    waiting: *waiting,
                    new: *new,
                    old: *old,
                };
                match self.boxes.iter_mut().find(|(a, _)| a == account) {
                    Some((_, known)) => *known = mailbox,
                    None => self.boxes.push((account.clone(), mailbox)),
                }
            }
            EngineEvent::CallSettings { settings } => {
                self.pilot = settings
                    .voicemail
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(Into::into);
            }
            _ => {}
        }
    }

    /// The voicemail pilot, when one is set.
    pub fn pilot(&self) -> Option<&str> {
        self.pilot.as_deref()
    }

    /// The account whose box has messages waiting (the first of them).
    pub fn waiting_account(&self) -> Option<&str> {
        self.boxes
            .iter()
            .find(|(_, b)| b.waiting || b.new > 0)
            .map(|(a, _)| a.as_str())
    }

    /// New and old voice messages over every box with messages waiting.
    pub fn counts(&self) -> (u32, u32) {
        self.boxes
            .iter()
            .filter(|(_, b)| b.waiting || b.new > 0)
            .fold((0, 0), |(new, old), (_, b)| (new + b.new, old + b.old))
    }

    /// True while the indicator shows.
    pub fn shown(&self) -> bool {
        self.waiting_account().is_some()
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Call => Some(Event::Call {
                account: self.waiting_account()?.to_string(),
                uri: self.pilot.clone()?,
            }),
        }
    }

    /// The indicator's tooltip: the counts, and the number a click calls
    /// (or that none is set).
    pub fn tip(&self, i18n: &I18n) -> String {
        let (new, old) = self.counts();
        let counts = i18n.tr_args(
            "voicemail-counts",
            &[
                ("new", i64::from(new).into()),
                ("old", i64::from(old).into()),
            ],
        );
        match &self.pilot {
            Some(pilot) => i18n.tr_args(
                "voicemail-tip",
                &[
                    ("counts", counts.into()),
                    (
                        "pilot",
                        crate::ui::status::display_address(pilot).to_string().into(),
                    ),
                ],
            ),
            None => i18n.tr_args("voicemail-tip-no-pilot", &[("counts", counts.into())]),
        }
    }

    /// The indicator, while messages wait: the envelope and the count of
    /// new messages; a click calls the pilot (none without one).
    pub fn view<'a>(&self, i18n: &I18n) -> Option<Element<'a, Message>> {
        self.waiting_account()?;
        let (new, _) = self.counts();
        let tip = self.tip(i18n);
        let mut face = row![text("✉").size(theme::BODY_SIZE)]
            .spacing(3)
            .align_y(Alignment::Center);
        if new > 0 {
            face = face.push(
                text(new.to_string())
                    .size(theme::SMALL_SIZE)
                    .font(theme::BOLD),
            );
        }
        let indicator = button(face)
            .padding([1, 7])
            .style(indicator_style)
            .on_press_maybe(self.pilot.is_some().then_some(Message::Call));
        Some(
            container(tooltip(
                container(indicator).id(INDICATOR_ID),
                theme::tooltip_card(tip),
                tooltip::Position::Bottom,
            ))
            // Under the menu button, its right edge with the button's.
            .padding(Padding::ZERO.right(8))
            .into(),
        )
    }
}

/// The indicator: a pill in the accent colour, like the unread counts; as
/// readable without a pilot (not clickable then, never greyed out).
fn indicator_style(theme: &Theme, status: button::Status) -> button::Style {
    let palette = theme.extended_palette();
    let background = match status {
        button::Status::Hovered => palette.primary.strong.color,
        button::Status::Pressed => palette.primary.strong.color,
        button::Status::Active | button::Status::Disabled => palette.primary.base.color,
    };
    button::Style {
        background: Some(background.into()),
        text_color: palette.primary.base.text,
        border: border::rounded(10),
        ..button::Style::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CallSettings;

    const ALICE: &str = "sip:alice@hark.test";

    fn mwi(account: &str, waiting: bool, new: u32, old: u32) -> EngineEvent {
        EngineEvent::Voicemail {
            account: account.into(),
            waiting,
            new,
            old,
        }
    }

    #[test]
    fn counts_add_up_over_the_boxes_with_messages_waiting() {
        let mut v = Voicemail::default();
        assert!(!v.shown());
        v.apply(&mwi(ALICE, true, 2, 1));
        v.apply(&mwi("sip:work@hark.test", true, 1, 0));
        v.apply(&mwi("sip:other@hark.test", false, 0, 4));
        assert_eq!(v.counts(), (3, 1));
        assert_eq!(v.waiting_account(), Some(ALICE));
        // No pilot: nothing to call.
        assert_eq!(v.update(Message::Call), None);
        v.apply(&EngineEvent::CallSettings {
            settings: Box::new(CallSettings {
                voicemail: Some(" sip:vm@hark.test ".into()),
                ..CallSettings::default()
            }),
        });
        assert_eq!(
            v.update(Message::Call),
            Some(Event::Call {
                account: ALICE.into(),
                uri: "sip:vm@hark.test".into()
            })
        );
        v.apply(&mwi(ALICE, false, 0, 3));
        assert_eq!(v.waiting_account(), Some("sip:work@hark.test"));
        v.apply(&mwi("sip:work@hark.test", false, 0, 1));
        assert!(!v.shown());
    }
}
