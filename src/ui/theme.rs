//! Look and feel shared by every screen: spacing, text sizes, the status dot
//! and its colours (SPEC P6: green available, yellow/amber in progress,
//! orange away or retrying, red failed, grey offline), and small text styles.
//! Colours are chosen to read on both the light and the dark theme.

use iced::widget::{button, column, container, row, space, text};
use iced::{border, Color, Element, Font, Theme};

/// Space between unrelated blocks.
pub const GAP: f32 = 20.0;
/// Space between related lines inside a block.
pub const SMALL_GAP: f32 = 6.0;
/// Padding around a window's content.
pub const PADDING: f32 = 24.0;

pub const TITLE_SIZE: f32 = 24.0;
pub const LABEL_SIZE: f32 = 14.0;
pub const BODY_SIZE: f32 = 15.0;
pub const SMALL_SIZE: f32 = 13.0;

/// The default font, bold.
pub const BOLD: Font = Font {
    weight: iced::font::Weight::Bold,
    ..Font::DEFAULT
};

/// What a status dot means; each has one colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dot {
    /// Registered, available.
    Green,
    /// Something is under way (connecting).
    Amber,
    /// Trouble that fixes itself (retrying).
    Orange,
    /// Trouble that needs the user.
    Red,
    /// Offline or unknown.
    Grey,
}

impl Dot {
    pub fn color(self) -> Color {
        match self {
            Dot::Green => Color::from_rgb8(0x2e, 0xa0, 0x43),
            Dot::Amber => Color::from_rgb8(0xe3, 0xb3, 0x00),
            Dot::Orange => Color::from_rgb8(0xee, 0x7a, 0x10),
            Dot::Red => Color::from_rgb8(0xd7, 0x33, 0x2f),
            Dot::Grey => Color::from_rgb8(0x8c, 0x8c, 0x8c),
        }
    }
}

/// A filled circle of the dot's colour, `size` pixels across.
pub fn dot<'a, Message: 'a>(dot: Dot, size: f32) -> Element<'a, Message> {
    let color = dot.color();
    container(space().width(size).height(size))
        .style(move |_theme: &Theme| container::Style {
            background: Some(color.into()),
            border: border::rounded(size / 2.0),
            ..container::Style::default()
        })
        .into()
}

/// Secondary text: hints and technical details.
pub fn muted(theme: &Theme) -> text::Style {
    let palette = theme.extended_palette();
    text::Style {
        color: Some(palette.background.base.text.scale_alpha(0.65)),
    }
}

/// Text that says what is wrong.
pub fn error(theme: &Theme) -> text::Style {
    text::danger(theme)
}

/// A card around one account or notice.
pub fn card(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.background.weak.color.scale_alpha(0.35).into()),
        border: border::rounded(8)
            .color(palette.background.strong.color)
            .width(1),
        ..container::Style::default()
    }
}

/// A banner for warnings from the engine.
pub fn notice(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.warning.weak.color.scale_alpha(0.35).into()),
        border: border::rounded(8)
            .color(palette.warning.base.color)
            .width(1),
        text_color: Some(palette.background.base.text),
        ..container::Style::default()
    }
}

/// Corner radius of buttons.
pub const RADIUS: f32 = 4.0;

/// The main action of a screen.
pub fn primary_button(theme: &Theme, status: button::Status) -> button::Style {
    button::Style {
        border: border::rounded(RADIUS),
        ..button::primary(theme, status)
    }
}

/// Every other action: outlined, quieter than the main one.
pub fn secondary_button(theme: &Theme, status: button::Status) -> button::Style {
    let palette = theme.extended_palette();
    let base = button::Style {
        background: Some(palette.background.base.color.into()),
        text_color: palette.background.base.text,
        border: border::rounded(RADIUS)
            .color(palette.background.strong.color)
            .width(1),
        ..button::Style::default()
    };
    match status {
        button::Status::Active => base,
        button::Status::Hovered => button::Style {
            background: Some(palette.background.weak.color.into()),
            ..base
        },
        button::Status::Pressed => button::Style {
            background: Some(palette.background.strong.color.into()),
            ..base
        },
        button::Status::Disabled => button::Style {
            text_color: base.text_color.scale_alpha(0.5),
            ..base
        },
    }
}

/// A button that looks like text until hovered (menus, headings, links).
pub fn flat_button(theme: &Theme, status: button::Status) -> button::Style {
    let palette = theme.extended_palette();
    let base = button::Style {
        background: None,
        text_color: palette.background.base.text,
        border: border::rounded(RADIUS),
        ..button::Style::default()
    };
    match status {
        button::Status::Active => base,
        button::Status::Hovered | button::Status::Pressed => button::Style {
            background: Some(palette.background.weak.color.into()),
            ..base
        },
        button::Status::Disabled => button::Style {
            text_color: base.text_color.scale_alpha(0.4),
            ..base
        },
    }
}

/// One entry of a menu: full width, highlighted under the pointer, greyed
/// out when the action is not available.
pub fn menu_item(theme: &Theme, status: button::Status) -> button::Style {
    let palette = theme.extended_palette();
    let base = button::Style {
        background: None,
        text_color: palette.background.base.text,
        border: border::rounded(RADIUS),
        ..button::Style::default()
    };
    match status {
        button::Status::Active => base,
        button::Status::Hovered | button::Status::Pressed => button::Style {
            background: Some(palette.primary.weak.color.scale_alpha(0.35).into()),
            ..base
        },
        button::Status::Disabled => button::Style {
            text_color: base.text_color.scale_alpha(0.35),
            ..base
        },
    }
}

/// A floating card: menus and small forms over the window.
pub fn popup(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.background.base.color.into()),
        border: border::rounded(8)
            .color(palette.background.strong.color)
            .width(1),
        shadow: iced::Shadow {
            color: Color::BLACK.scale_alpha(0.25),
            offset: iced::Vector::new(0.0, 4.0),
            blur_radius: 16.0,
        },
        text_color: Some(palette.background.base.text),
        ..container::Style::default()
    }
}

/// A band across the window (the own-status block, the search bar).
pub fn band(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.background.weak.color.scale_alpha(0.45).into()),
        ..container::Style::default()
    }
}

/// A row of the contact list that is selected.
pub fn selected_row(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.primary.weak.color.scale_alpha(0.25).into()),
        border: border::rounded(6),
        ..container::Style::default()
    }
}

/// A text field with rounded corners.
pub fn field(
    theme: &Theme,
    status: iced::widget::text_input::Status,
) -> iced::widget::text_input::Style {
    let style = iced::widget::text_input::default(theme, status);
    iced::widget::text_input::Style {
        border: style.border.rounded(6),
        ..style
    }
}

/// A pick list that looks like a text field (see [`field`]).
pub fn picker(
    theme: &Theme,
    status: iced::widget::pick_list::Status,
) -> iced::widget::pick_list::Style {
    use iced::widget::pick_list::{self, Status};
    let palette = theme.extended_palette();
    let style = pick_list::default(theme, status);
    let edge = match status {
        Status::Active => palette.background.strong.color,
        Status::Hovered => palette.background.base.text,
        Status::Opened { .. } => palette.primary.strong.color,
    };
    pick_list::Style {
        text_color: palette.background.base.text,
        handle_color: palette.background.base.text.scale_alpha(0.65),
        background: palette.background.base.color.into(),
        border: style.border.rounded(6).color(edge),
        ..style
    }
}

/// The open list of a [`picker`]: a floating card like [`popup`].
pub fn picker_menu(theme: &Theme) -> iced::widget::overlay::menu::Style {
    let palette = theme.extended_palette();
    iced::widget::overlay::menu::Style {
        background: palette.background.base.color.into(),
        border: border::rounded(6)
            .color(palette.background.strong.color)
            .width(1),
        text_color: palette.background.base.text,
        selected_text_color: palette.primary.weak.text,
        selected_background: palette.primary.weak.color.into(),
        shadow: iced::Shadow {
            color: Color::BLACK.scale_alpha(0.2),
            offset: iced::Vector::new(0.0, 3.0),
            blur_radius: 10.0,
        },
    }
}

/// A small rounded label for special states ("Waiting for approval").
pub fn badge(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.background.strong.color.scale_alpha(0.5).into()),
        border: border::rounded(8),
        text_color: Some(palette.background.base.text.scale_alpha(0.8)),
        ..container::Style::default()
    }
}

/// The soft colour of someone's avatar, always the same for the same name.
pub fn avatar_color(name: &str) -> Color {
    const COLORS: [(u8, u8, u8); 8] = [
        (0x5b, 0x8d, 0xd6),
        (0x3f, 0xa7, 0x8e),
        (0xc0, 0x6c, 0x84),
        (0x8e, 0x6c, 0xc8),
        (0xd0, 0x8a, 0x3c),
        (0x4e, 0x9b, 0xb5),
        (0x7a, 0x9a, 0x4a),
        (0xb5, 0x6a, 0x5a),
    ];
    let hash = name
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let (r, g, b) = COLORS[hash as usize % COLORS.len()];
    Color::from_rgb8(r, g, b)
}

/// The first letter of a name (or address) in capitals.
pub fn initials(name: &str) -> String {
    let mut words = name
        .split(|c: char| c.is_whitespace() || c == '.' || c == '@' || c == '_')
        .filter(|w| !w.is_empty());
    let first = words.next().and_then(|w| w.chars().next());
    // A second word only for names, not for addresses.
    let second = if name.contains('@') {
        None
    } else {
        words
            .next()
            .and_then(|w| w.chars().next())
            .filter(|c| c.is_alphabetic())
    };
    first
        .into_iter()
        .chain(second)
        .flat_map(char::to_uppercase)
        .collect()
}

/// A round avatar with the initials of `name`, `size` pixels across, and
/// the status dot at its lower right when `status` is given.
pub fn avatar<'a, Message: 'a>(name: &str, size: f32, status: Option<Dot>) -> Element<'a, Message> {
    let color = avatar_color(name);
    let face = container(
        text(initials(name))
            .size(size * 0.4)
            .font(BOLD)
            .color(Color::WHITE),
    )
    .center(size)
    .style(move |_theme: &Theme| container::Style {
        background: Some(color.into()),
        border: border::rounded(size / 2.0),
        ..container::Style::default()
    });
    let Some(status) = status else {
        return face.into();
    };
    let dot_size = (size * 0.3).round();
    let ring = container(dot(status, dot_size))
        .padding(2)
        .style(|theme: &Theme| container::Style {
            background: Some(theme.extended_palette().background.base.color.into()),
            border: border::rounded(100),
            ..container::Style::default()
        });
    let offset = size - dot_size - 2.0;
    iced::widget::stack![face, iced::widget::pin(ring).x(offset).y(offset),]
        .width(size + 2.0)
        .height(size + 2.0)
        .into()
}

/// A chat message from someone else: a soft grey bubble.
pub fn bubble_in(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.background.weak.color.scale_alpha(0.7).into()),
        border: border::rounded(12),
        text_color: Some(palette.background.base.text),
        ..container::Style::default()
    }
}

/// A chat message the user sent: tinted with the accent colour.
pub fn bubble_out(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.primary.weak.color.scale_alpha(0.45).into()),
        border: border::rounded(12),
        text_color: Some(palette.background.base.text),
        ..container::Style::default()
    }
}

/// A chat message that did not go out: outlined in red.
pub fn bubble_failed(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        border: border::rounded(12)
            .color(palette.danger.base.color)
            .width(1),
        ..bubble_out(theme)
    }
}

/// The count of unread messages next to a contact: a filled pill.
pub fn unread_badge(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.primary.base.color.into()),
        border: border::rounded(10),
        text_color: Some(palette.primary.base.text),
        ..container::Style::default()
    }
}

/// The accent colour as text (links, read marks).
pub fn accent(theme: &Theme) -> text::Style {
    text::Style {
        color: Some(theme.extended_palette().primary.base.color),
    }
}

/// The end of a form: Cancel and the form's action (greyed out while
/// `on_submit` is None), on the right.
pub fn form_buttons<'a, Message: Clone + 'a>(
    cancel: String,
    on_cancel: Message,
    submit: String,
    on_submit: Option<Message>,
) -> Element<'a, Message> {
    row![
        space::horizontal(),
        button(text(cancel).size(LABEL_SIZE))
            .padding([6, 12])
            .style(secondary_button)
            .on_press(on_cancel),
        button(text(submit).size(LABEL_SIZE))
            .padding([6, 12])
            .style(primary_button)
            .on_press_maybe(on_submit),
    ]
    .spacing(SMALL_GAP)
    .into()
}

/// A person's name over a muted second line (address, status, note), each
/// on one line and clipped: the text beside an avatar.
pub fn name_and_line<'a, Message: 'a>(
    name: String,
    second: String,
    name_size: f32,
    bold: bool,
) -> Element<'a, Message> {
    let mut name = text(name).size(name_size).wrapping(text::Wrapping::None);
    if bold {
        name = name.font(BOLD);
    }
    column![
        name,
        text(second)
            .size(SMALL_SIZE)
            .style(muted)
            .wrapping(text::Wrapping::None),
    ]
    .spacing(1)
    .width(iced::Fill)
    .clip(true)
    .into()
}

/// The type of a button style function.
pub type ButtonStyle = fn(&Theme, button::Status) -> button::Style;

/// A filled button of one colour, a little darker when pressed.
fn filled_button(color: Color, status: button::Status) -> button::Style {
    let background = match status {
        button::Status::Active => color,
        button::Status::Hovered => Color { a: 0.88, ..color },
        button::Status::Pressed => Color {
            r: color.r * 0.85,
            g: color.g * 0.85,
            b: color.b * 0.85,
            a: 1.0,
        },
        button::Status::Disabled => color.scale_alpha(0.4),
    };
    button::Style {
        background: Some(background.into()),
        text_color: if status == button::Status::Disabled {
            Color::WHITE.scale_alpha(0.7)
        } else {
            Color::WHITE
        },
        border: border::rounded(RADIUS),
        ..button::Style::default()
    }
}

/// Answering a call: green on both themes.
pub fn accept_button(_theme: &Theme, status: button::Status) -> button::Style {
    filled_button(Dot::Green.color(), status)
}

/// Ending or refusing a call: red on both themes.
pub fn danger_button(_theme: &Theme, status: button::Status) -> button::Style {
    filled_button(Dot::Red.color(), status)
}

/// A call control that is switched on (muted, on hold, keypad shown).
pub fn toggled_button(theme: &Theme, status: button::Status) -> button::Style {
    let palette = theme.extended_palette();
    let base = secondary_button(theme, status);
    match status {
        button::Status::Disabled => base,
        _ => button::Style {
            background: Some(palette.primary.weak.color.scale_alpha(0.55).into()),
            border: border::rounded(RADIUS)
                .color(palette.primary.base.color)
                .width(1),
            ..base
        },
    }
}

/// The missed-call badge: red, like a missed call in any phone.
pub fn missed_badge(_theme: &Theme, status: button::Status) -> button::Style {
    button::Style {
        border: border::rounded(10),
        ..filled_button(Dot::Red.color(), status)
    }
}

/// The card of a tooltip: a few words on a floating card.
pub fn tooltip_card<'a, Message: 'a>(words: String) -> Element<'a, Message> {
    container(text(words).size(SMALL_SIZE))
        .padding([4, 8])
        .max_width(320)
        .style(popup)
        .into()
}
