//! Look and feel shared by every screen: spacing, text sizes, the status dot
//! and its colours (SPEC P6: green available, yellow/amber in progress,
//! orange away or retrying, red failed, grey offline), and small text styles.
//! Colours are chosen to read on both the light and the dark theme.

use iced::widget::{button, container, space, text};
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
