//! The sound devices as the UI knows them (SPEC C4), as pure data: the
//! engine's last `CallSettings` and `AudioDevices` ([`AudioSetup`]), what a
//! device setting means ([`Device`]: the system default, off, or one
//! device by id) and the entries of a device pick list ([`choices`]):
//! "System default", the devices by name, and a stored device that is not
//! plugged in as "<id> (not connected)" so that it is never lost.

use std::fmt;

use crate::config::CallSettings;
use crate::engine::{AudioDevice, Event};
use crate::i18n::I18n;

/// What the engine last said about the `[calls]` settings and the devices.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AudioSetup {
    /// The settings in force; None until the engine said.
    pub settings: Option<CallSettings>,
    /// The microphones and speakers; None until the engine listed them.
    pub devices: Option<DeviceList>,
    /// Why the engine refused the last device switched from a call window.
    pub switch_error: Option<String>,
}

/// The engine's answer to `AudioDevices`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceList {
    pub inputs: Vec<AudioDevice>,
    pub outputs: Vec<AudioDevice>,
    /// Why there are none (no sound system).
    pub error: Option<String>,
}

impl AudioSetup {
    /// Takes in `CallSettings` and `AudioDevices`; true when it was one.
    pub fn apply(&mut self, event: &Event) -> bool {
        match event {
            Event::CallSettings { settings } => self.settings = Some((**settings).clone()),
            Event::AudioDevices {
                inputs,
                outputs,
                error,
            } => {
                self.devices = Some(DeviceList {
                    inputs: inputs.clone(),
                    outputs: outputs.clone(),
                    error: error.clone(),
                })
            }
            _ => return false,
        }
        true
    }

    /// The device stored for `slot` (the system default when unknown).
    pub fn device(&self, slot: Slot) -> Device {
        self.settings
            .as_ref()
            .map(|s| Device::from_setting(slot.setting(s)))
            .unwrap_or_default()
    }

    /// The settings in force with `slot` set to `device`; None while the
    /// engine has not said which settings are in force (sending defaults
    /// would replace the user's).
    pub fn with(&self, slot: Slot, device: &Device) -> Option<CallSettings> {
        let mut settings = self.settings.clone()?;
        *slot.setting_mut(&mut settings) = device.to_setting();
        Some(settings)
    }
}

/// Which device a pick list chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The microphone.
    Input,
    /// The speaker (or headset) for calls.
    Output,
    /// Where incoming calls ring.
    Ringer,
}

impl Slot {
    fn setting(self, settings: &CallSettings) -> Option<&str> {
        match self {
            Slot::Input => settings.input.as_deref(),
            Slot::Output => settings.output.as_deref(),
            Slot::Ringer => settings.ringer.as_deref(),
        }
    }

    fn setting_mut(self, settings: &mut CallSettings) -> &mut Option<String> {
        match self {
            Slot::Input => &mut settings.input,
            Slot::Output => &mut settings.output,
            Slot::Ringer => &mut settings.ringer,
        }
    }

    /// The devices of this kind in `list`.
    fn devices(self, list: &DeviceList) -> &[AudioDevice] {
        match self {
            Slot::Input => &list.inputs,
            Slot::Output | Slot::Ringer => &list.outputs,
        }
    }
}

/// What a device setting means.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Device {
    /// The system's default device (absent or `default`).
    #[default]
    Default,
    /// No device (`none`): the ringer is silent.
    Off,
    /// One device, by the id the engine gave it.
    Id(String),
}

impl Device {
    /// The meaning of a stored `input`, `output` or `ringer`.
    pub fn from_setting(setting: Option<&str>) -> Device {
        match setting.map(str::trim) {
            None | Some("") => Device::Default,
            Some(s) if s.eq_ignore_ascii_case("default") => Device::Default,
            Some(s) if s.eq_ignore_ascii_case("none") => Device::Off,
            Some(s) => Device::Id(s.to_string()),
        }
    }

    /// What to store: nothing for the default, `none` for off.
    pub fn to_setting(&self) -> Option<String> {
        match self {
            Device::Default => None,
            Device::Off => Some("none".into()),
            Device::Id(id) => Some(id.clone()),
        }
    }
}

/// One entry of a device pick list: the device and its words.
#[derive(Debug, Clone)]
pub struct Choice {
    pub device: Device,
    pub label: String,
}

/// Entries are the same when they choose the same device (the words of a
/// device change when it is plugged in or out).
impl PartialEq for Choice {
    fn eq(&self, other: &Self) -> bool {
        self.device == other.device
    }
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

/// The entries of the pick list for `slot` with `current` chosen:
/// "System default", "Off" (for the ringer, or when it is what is
/// stored), the devices by name, and `current` when it is not among them.
pub fn choices(
    i18n: &I18n,
    devices: Option<&DeviceList>,
    slot: Slot,
    current: &Device,
) -> Vec<Choice> {
    let mut list = vec![Choice {
        device: Device::Default,
        label: i18n.tr("device-default"),
    }];
    if slot == Slot::Ringer || *current == Device::Off {
        list.push(Choice {
            device: Device::Off,
            label: i18n.tr("device-off"),
        });
    }
    for d in devices.map(|l| slot.devices(l)).unwrap_or_default() {
        let device = Device::Id(d.id.clone());
        if !list.iter().any(|c| c.device == device) {
            list.push(Choice {
                device,
                label: d.name.clone(),
            });
        }
    }
    if let Device::Id(id) = current {
        if !list.iter().any(|c| c.device == *current) {
            // Until the engine listed the devices, nobody knows it is gone.
            let label = match devices {
                Some(_) => i18n.tr_args("device-missing", &[("device", id.as_str().into())]),
                None => id.clone(),
            };
            list.push(Choice {
                device: current.clone(),
                label,
            });
        }
    }
    list
}

/// True when `device` is one device and the engine's list does not have it
/// (the engine uses the system default until it is back).
pub fn is_missing(devices: Option<&DeviceList>, slot: Slot, device: &Device) -> bool {
    match (devices, device) {
        (Some(list), Device::Id(id)) => !slot.devices(list).iter().any(|d| d.id == *id),
        _ => false,
    }
}

/// The entry of `choices` for `device`.
pub fn chosen(choices: &[Choice], device: &Device) -> Option<Choice> {
    choices.iter().find(|c| c.device == *device).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: &str, name: &str) -> AudioDevice {
        AudioDevice {
            id: id.into(),
            name: name.into(),
            is_default: false,
        }
    }

    fn labels(choices: &[Choice]) -> Vec<&str> {
        choices.iter().map(|c| c.label.as_str()).collect()
    }

    #[test]
    fn settings_mean_default_off_or_a_device() {
        assert_eq!(Device::from_setting(None), Device::Default);
        assert_eq!(Device::from_setting(Some("default")), Device::Default);
        assert_eq!(Device::from_setting(Some("none")), Device::Off);
        assert_eq!(
            Device::from_setting(Some("alsa:hw1")),
            Device::Id("alsa:hw1".into())
        );
        assert_eq!(Device::Default.to_setting(), None);
        assert_eq!(Device::Off.to_setting().as_deref(), Some("none"));
    }

    #[test]
    fn a_stored_device_that_is_gone_stays_in_the_list() {
        let i18n = I18n::default();
        let list = DeviceList {
            inputs: vec![device("mic-1", "Built-in Microphone")],
            outputs: vec![device("spk-1", "Speakers")],
            error: None,
        };
        let gone = Device::Id("usb-headset".into());
        let mics = choices(&i18n, Some(&list), Slot::Input, &gone);
        assert_eq!(
            labels(&mics),
            [
                "System default",
                "Built-in Microphone",
                "usb-headset (not connected)"
            ]
        );
        assert_eq!(chosen(&mics, &gone).unwrap().device, gone);
        let ringers = choices(&i18n, Some(&list), Slot::Ringer, &Device::Default);
        assert_eq!(labels(&ringers), ["System default", "Off", "Speakers"]);
        // Not listed yet: shown by its id.
        assert_eq!(
            labels(&choices(&i18n, None, Slot::Output, &gone)),
            ["System default", "usb-headset"]
        );
    }

    #[test]
    fn with_replaces_one_device_and_keeps_the_rest() {
        let mut setup = AudioSetup::default();
        assert_eq!(setup.with(Slot::Input, &Device::Default), None);
        let settings = CallSettings {
            codecs: vec!["PCMA".into()],
            output: Some("spk-1".into()),
            ..CallSettings::default()
        };
        assert!(setup.apply(&Event::CallSettings {
            settings: Box::new(settings.clone())
        }));
        let out = setup
            .with(Slot::Input, &Device::Id("mic-1".into()))
            .unwrap();
        assert_eq!(out.input.as_deref(), Some("mic-1"));
        assert_eq!(out.output, settings.output);
        assert_eq!(out.codecs, settings.codecs);
        assert_eq!(setup.device(Slot::Output), Device::Id("spk-1".into()));
    }
}
