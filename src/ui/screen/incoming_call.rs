//! The incoming-call pop-up (SPEC C5): a small window of its own, in a
//! corner of the screen and above the others, that never takes the
//! keyboard focus by itself. It shows who calls (name and address, and the
//! account called when the user has several) with Accept, Decline and
//! "To voicemail". The app opens it when a call starts ringing here and
//! closes it as soon as the call stops ringing (answered here or
//! elsewhere, cancelled, ended). Keys while it has the focus: Enter or
//! Alt+A accepts, Alt+D declines, Alt+V sends to voicemail.

use iced::widget::{button, column, container, row, text, tooltip};
use iced::{window, Alignment, Element, Fill, Point, Size};

use crate::engine::CallAction;
use crate::i18n::I18n;
use crate::ui::call::Call;
use crate::ui::status::display_address;
use crate::ui::theme;

/// The pop-up's size.
pub const SIZE: Size = Size::new(380.0, 190.0);
/// Its distance from the screen's edges.
const MARGIN: f32 = 24.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    Accept,
    Decline,
    Voicemail,
}

impl Message {
    /// What the engine is asked to do.
    pub fn action(self) -> CallAction {
        match self {
            Message::Accept => CallAction::Answer,
            Message::Decline => CallAction::Decline,
            Message::Voicemail => CallAction::Voicemail,
        }
    }
}

/// The window settings: small, fixed, at the lower right, on top. iced
/// 0.14 has no setting for a window that does not take the focus when it
/// maps; the app never asks for the focus and only flags the window for
/// the user's attention, so the window manager's focus-stealing
/// prevention applies.
pub fn settings() -> window::Settings {
    window::Settings {
        size: SIZE,
        resizable: false,
        minimizable: false,
        position: window::Position::SpecificWith(lower_right),
        level: window::Level::AlwaysOnTop,
        exit_on_close_request: false,
        ..window::Settings::default()
    }
}

fn lower_right(window: Size, screen: Size) -> Point {
    Point::new(
        (screen.width - window.width - MARGIN).max(0.0),
        (screen.height - window.height - MARGIN * 2.0).max(0.0),
    )
}

/// The pop-up for `call`; `name` is the caller as the list names them,
/// `account` the account called when the user has several.
pub fn view<'a>(
    i18n: &I18n,
    call: &Call,
    name: &str,
    account: Option<&str>,
) -> Element<'a, Message> {
    let address = display_address(&call.view.peer).to_string();
    let mut heading: Element<'a, Message> = text(i18n.tr("call-incoming"))
        .size(theme::SMALL_SIZE)
        .style(theme::muted)
        .wrapping(text::Wrapping::None)
        .into();
    if let Some(account) = account {
        heading = row![
            heading,
            text(i18n.tr_args(
                "call-incoming-to",
                &[("account", display_address(account).to_string().into())]
            ))
            .size(theme::SMALL_SIZE)
            .style(theme::muted)
            .wrapping(text::Wrapping::None),
        ]
        .spacing(4)
        .into();
    }
    // The address under the name, unless the name is the address.
    let caller: Element<'a, Message> = if address == name {
        text(name.to_string())
            .size(theme::BODY_SIZE + 3.0)
            .font(theme::BOLD)
            .wrapping(text::Wrapping::None)
            .into()
    } else {
        theme::name_and_line(name.to_string(), address, theme::BODY_SIZE + 3.0, true)
    };
    let who = row![theme::avatar(name, 52.0, None), caller]
        .spacing(theme::SMALL_GAP * 2.0)
        .align_y(Alignment::Center);

    let action = |label: &str, tip: &str, style: theme::ButtonStyle, message| {
        tooltip(
            // Two lines fit, for long words (German).
            button(
                text(i18n.tr(label))
                    .size(theme::LABEL_SIZE)
                    .align_x(Alignment::Center)
                    .align_y(Alignment::Center)
                    .width(Fill)
                    .height(Fill),
            )
            .width(Fill)
            .height(Fill)
            .padding([2, 6])
            .style(style)
            .on_press(message),
            theme::tooltip_card(i18n.tr(tip)),
            tooltip::Position::Top,
        )
    };
    let buttons = row![
        action(
            "call-accept",
            "call-accept-tip",
            theme::accept_button,
            Message::Accept
        ),
        action(
            "call-decline",
            "call-decline-tip",
            theme::danger_button,
            Message::Decline
        ),
        action(
            "call-voicemail",
            "call-voicemail-tip",
            theme::secondary_button,
            Message::Voicemail
        ),
    ]
    .spacing(theme::SMALL_GAP)
    .height(46);

    container(
        column![
            container(heading).clip(true),
            who,
            iced::widget::space::vertical(),
            buttons
        ]
        .spacing(theme::SMALL_GAP * 2.0),
    )
    .padding(theme::PADDING * 0.75)
    .width(Fill)
    .height(Fill)
    .into()
}
