//! A call window: one per call (SPEC C6). Owns what only the window needs
//! (is the keypad shown, is the info panel shown); the call itself lives
//! in the app's [`Calls`](crate::ui::call::Calls), so the window only
//! asks: its `update` answers with [`Event`]s, a [`CallAction`] for the
//! engine or "close". Buttons follow the engine's word on the call (Mute
//! turns into Unmute once the engine says the microphone is off), never
//! the click alone. The drawing is in [`super::call_view`].
//!
//! Keys while the window has the focus (the app turns them into
//! [`Message`]s): digits, `*` and `#` send tones, Alt+M mutes, Alt+H
//! holds, Alt+K shows the keypad, Alt+I the figures, Alt+E hangs up;
//! Escape closes the keypad or info panel, and an ended call's window.

use crate::engine::{CallAction, CallPhase};
use crate::ui::call::{is_dtmf_key, Call};

/// The call window's size when it opens, and its smallest.
pub const SIZE: iced::Size = iced::Size::new(380.0, 540.0);
pub const MIN_SIZE: iced::Size = iced::Size::new(320.0, 440.0);

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Mute, or unmute when muted.
    ToggleMute,
    /// Hold, or resume when on hold.
    ToggleHold,
    ToggleKeypad,
    ToggleInfo,
    /// A key of the keypad (or typed): sent as a tone.
    Key(char),
    Hangup,
    /// Close the window (an ended call's).
    Close,
    /// The Escape key.
    Escape,
}

/// What the window asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Send this to the engine for the window's call.
    Control(CallAction),
    /// Close the window.
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallWindow {
    call: String,
    pub(super) keypad: bool,
    pub(super) info: bool,
}

impl CallWindow {
    pub fn new(call: &str) -> CallWindow {
        CallWindow {
            call: call.to_string(),
            keypad: false,
            info: false,
        }
    }

    /// The engine's id of the window's call.
    pub fn call(&self) -> &str {
        &self.call
    }

    pub fn keypad_shown(&self) -> bool {
        self.keypad
    }

    pub fn info_shown(&self) -> bool {
        self.info
    }

    pub fn update(&mut self, message: Message, call: &Call) -> Option<Event> {
        let control = |action| Some(Event::Control(action));
        match message {
            Message::ToggleMute if can_mute(call) => control(if call.view.muted {
                CallAction::Unmute
            } else {
                CallAction::Mute
            }),
            Message::ToggleHold if can_hold(call) => control(if call.view.on_hold {
                CallAction::Resume
            } else {
                CallAction::Hold
            }),
            Message::ToggleKeypad if !call.is_ended() => {
                self.keypad = !self.keypad;
                None
            }
            Message::ToggleInfo => {
                self.info = !self.info;
                None
            }
            Message::Key(key) if can_send_keys(call) && is_dtmf_key(key) => {
                control(CallAction::Dtmf {
                    keys: key.to_string(),
                })
            }
            Message::Hangup if !call.is_ended() => control(CallAction::Hangup),
            Message::Close if call.is_ended() => Some(Event::Close),
            Message::Escape => {
                if self.keypad || self.info {
                    self.keypad = false;
                    self.info = false;
                    None
                } else if call.is_ended() {
                    Some(Event::Close)
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

/// The microphone can be switched once the call is set up, or while it
/// rings at the other end (early media).
pub fn can_mute(call: &Call) -> bool {
    matches!(
        call.view.phase,
        CallPhase::EarlyMedia | CallPhase::Connecting | CallPhase::Active
    )
}

/// Only an answered call can be held.
pub fn can_hold(call: &Call) -> bool {
    call.view.phase == CallPhase::Active
}

/// Tones go out once media flows: an answered call, or announcements
/// and menus played before the answer (early media).
pub fn can_send_keys(call: &Call) -> bool {
    matches!(call.view.phase, CallPhase::EarlyMedia | CallPhase::Active) && !call.view.on_hold
}
