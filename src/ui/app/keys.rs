//! The keyboard outside the fields (SPEC D6): Tab and Shift+Tab move the
//! focus, Escape closes what is open; the call keys ([`CallKey`]) answer
//! and control calls from the keyboard, each meant for one kind of window
//! (the app routes them by the window that had the focus): in the
//! incoming-call pop-up Enter or Alt+A accepts, Alt+D declines, Alt+V
//! sends to voicemail; in a call window digits, `*` and `#` send tones,
//! Alt+M mutes, Alt+H holds, Alt+K shows the keypad, Alt+T the transfer
//! form, Alt+I the figures, Alt+E hangs up and Enter closes an ended call's window; in a chat
//! window Alt+C calls the person; in the main window Ctrl+D goes to the
//! dial field. A mouse press is also reported while the note is edited.

use iced::keyboard::{key::Named, Event as Key, Key as K};
use iced::{event, window};

use super::Message;
use crate::ui::call::is_dtmf_key;

/// A key meant for calls; which window it was pressed in decides what it
/// does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKey {
    /// A digit, `*` or `#` typed outside any field.
    Tone(char),
    /// Enter outside any field.
    Enter,
    Accept,
    Decline,
    Voicemail,
    Mute,
    Hold,
    Keypad,
    Info,
    Transfer,
    Hangup,
    /// Call the person of a chat window.
    CallPeer,
    /// Go to the dial field.
    Dial,
}

/// Any mouse press, to notice the note field losing the focus.
pub(super) fn pointer_presses(
    event: iced::Event,
    _status: event::Status,
    _window: window::Id,
) -> Option<Message> {
    matches!(
        event,
        iced::Event::Mouse(iced::mouse::Event::ButtonPressed(_))
    )
    .then_some(Message::Pointer)
}

/// Tab and Shift+Tab move the keyboard focus between fields; Escape closes
/// menus and clears the contact filter (even from inside a field); the
/// rest is [`call_keys`].
pub(super) fn focus_keys(
    event: iced::Event,
    status: event::Status,
    window: window::Id,
) -> Option<Message> {
    match (&event, status) {
        (
            iced::Event::Keyboard(Key::KeyPressed {
                key: K::Named(Named::Escape),
                ..
            }),
            _,
        ) => Some(Message::EscapeIn(window)),
        (
            iced::Event::Keyboard(Key::KeyPressed {
                key: K::Named(Named::Tab),
                modifiers,
                ..
            }),
            event::Status::Ignored,
        ) => Some(if modifiers.shift() {
            Message::FocusPrevious
        } else {
            Message::FocusNext
        }),
        _ => call_keys(event, status, window),
    }
}

/// The call keys: a [`Message::CallKey`] for the window they were pressed
/// in. Keys a field took (status captured) are left to it, except Ctrl+D.
pub fn call_keys(event: iced::Event, status: event::Status, window: window::Id) -> Option<Message> {
    let iced::Event::Keyboard(Key::KeyPressed {
        key,
        modified_key,
        modifiers,
        repeat: false,
        ..
    }) = event
    else {
        return None;
    };
    let free = status == event::Status::Ignored;
    let letter = match key.as_ref() {
        K::Character(c) => c.chars().next().map(|c| c.to_ascii_lowercase()),
        _ => None,
    };
    let call_key = if modifiers.command() && !modifiers.alt() {
        (letter == Some('d')).then_some(CallKey::Dial)?
    } else if modifiers.alt() {
        if !free {
            return None;
        }
        match letter? {
            'a' => CallKey::Accept,
            'd' => CallKey::Decline,
            'v' => CallKey::Voicemail,
            'm' => CallKey::Mute,
            'h' => CallKey::Hold,
            'k' => CallKey::Keypad,
            'i' => CallKey::Info,
            't' => CallKey::Transfer,
            'e' => CallKey::Hangup,
            'c' => CallKey::CallPeer,
            _ => return None,
        }
    } else if !free {
        return None;
    } else if key == K::Named(Named::Enter) {
        CallKey::Enter
    } else {
        // `*` and `#` come with Shift on most layouts.
        match modified_key.as_ref() {
            K::Character(c) => {
                let mut chars = c.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if is_dtmf_key(c) => CallKey::Tone(c),
                    _ => return None,
                }
            }
            _ => return None,
        }
    };
    Some(Message::CallKey(window, call_key))
}
