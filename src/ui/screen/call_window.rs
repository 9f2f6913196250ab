//! A call window: one per call (SPEC C6). Owns what only the window needs
//! (is the keypad shown, the info panel, the sound devices panel, the
//! transfer form and what was typed in it); the call itself lives
//! in the app's [`Calls`](crate::ui::call::Calls), so the window only
//! asks: its `update` answers with [`Event`]s, a [`CallAction`] for the
//! engine, a device to switch to, or "close". Buttons follow the engine's word on the call (Mute
//! turns into Unmute once the engine says the microphone is off), never
//! the click alone. The drawing is in [`super::call_view`].
//!
//! Keys while the window has the focus (the app turns them into
//! [`Message`]s): digits, `*` and `#` send tones, Alt+M mutes, Alt+H
//! holds, Alt+K shows the keypad, Alt+T the transfer form, Alt+I the
//! figures, Alt+E hangs up; Escape closes the keypad, form or info panel,
//! and an ended call's window.
//!
//! Transfer (RFC 3515): blind, to what the user types (made a SIP address
//! at the account's domain, [`transfer_target`]), or attended, to the other
//! party of another call of the same account that is up.

use crate::engine::{CallAction, CallPhase};
use crate::ui::call::{is_dtmf_key, transfer_target, Call};
use crate::ui::devices::{Choice, Device, Slot};

pub use super::call_view::device_picker_id;

/// The id of the transfer form's field.
pub const TRANSFER_ID: &str = "call-transfer-target";

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
    /// Show or hide the transfer form.
    ToggleTransfer,
    TransferInput(String),
    /// Enter in the transfer field, or its button: a blind transfer.
    TransferSubmit,
    /// Connect the peer with the peer of this other call (attended).
    TransferWith(String),
    /// Show or hide the microphone and speaker pick lists.
    ToggleDevices,
    /// A microphone or speaker picked: the call moves to it.
    Device(Slot, Choice),
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
    /// Put the keyboard focus in this field.
    Focus(&'static str),
    /// Ask the engine for the sound devices.
    RefreshDevices,
    /// Switch to this microphone or speaker (and remember it).
    UseDevice(Slot, Device),
}

/// The transfer form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransferForm {
    pub target: String,
    /// What was typed is not an address or number.
    pub invalid: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallWindow {
    call: String,
    pub(super) keypad: bool,
    pub(super) info: bool,
    pub(super) devices: bool,
    pub(super) transfer: Option<TransferForm>,
}

impl CallWindow {
    pub fn new(call: &str) -> CallWindow {
        CallWindow {
            call: call.to_string(),
            keypad: false,
            info: false,
            devices: false,
            transfer: None,
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

    pub fn devices_shown(&self) -> bool {
        self.devices
    }

    pub fn transfer_form(&self) -> Option<&TransferForm> {
        self.transfer.as_ref()
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
                self.transfer = None;
                None
            }
            Message::ToggleTransfer if can_transfer(call) => {
                self.keypad = false;
                match self.transfer.take() {
                    Some(_) => None,
                    None => {
                        self.transfer = Some(TransferForm::default());
                        Some(Event::Focus(TRANSFER_ID))
                    }
                }
            }
            Message::TransferInput(target) => {
                if let Some(form) = &mut self.transfer {
                    form.target = target;
                    form.invalid = false;
                }
                None
            }
            Message::TransferSubmit if can_transfer(call) => {
                let form = self.transfer.as_mut()?;
                match transfer_target(&form.target, &call.view.account) {
                    Some(target) => {
                        self.transfer = None;
                        control(CallAction::Transfer { target })
                    }
                    None => {
                        form.invalid = !form.target.trim().is_empty();
                        None
                    }
                }
            }
            Message::TransferWith(other) if can_transfer(call) && self.transfer.is_some() => {
                self.transfer = None;
                control(CallAction::AttendedTransfer { with: other })
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
            Message::ToggleDevices if !call.is_ended() => {
                self.devices = !self.devices;
                self.devices.then_some(Event::RefreshDevices)
            }
            Message::Device(slot, choice) if !call.is_ended() => {
                Some(Event::UseDevice(slot, choice.device))
            }
            Message::Hangup if !call.is_ended() => control(CallAction::Hangup),
            Message::Close if call.is_ended() => Some(Event::Close),
            Message::Escape => {
                if self.keypad || self.info || self.devices || self.transfer.is_some() {
                    self.keypad = false;
                    self.info = false;
                    self.devices = false;
                    self.transfer = None;
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

/// Only an answered call can be passed on.
pub fn can_transfer(call: &Call) -> bool {
    call.view.phase == CallPhase::Active
}

/// Tones go out once media flows: an answered call, or announcements
/// and menus played before the answer (early media).
pub fn can_send_keys(call: &Call) -> bool {
    matches!(call.view.phase, CallPhase::EarlyMedia | CallPhase::Active) && !call.view.on_hold
}
