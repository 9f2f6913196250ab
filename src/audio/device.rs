//! Sound cards through cpal: the list of microphones and speakers for the
//! settings screen, and opening one by name as a [`DeviceInput`] or
//! [`DeviceOutput`] ([`super::stream`]), falling back to the system default
//! with a note ([`Fallback`]) when the chosen one is missing or fails, and
//! a clear [`DeviceError`] when nothing opens (the call then goes on with
//! [`Silence`](super::Silence) / [`Discard`](super::Discard)).
//!
//! Devices are named by their id (ALSA's PCM name, such as `pulse` or
//! `hw:CARD=0,DEV=0`: stable, what the settings store) or by the name
//! shown for them. Listing and opening talk to the sound system and may
//! take tens of milliseconds: do them off the UI thread and off the media
//! task ([`super::live`] opens on a thread of its own).

use std::fmt;

use cpal::traits::{DeviceTrait, HostTrait};
use cpal::{BufferSize, SampleFormat, StreamConfig, SupportedBufferSize};

pub use super::stream::{DeviceInput, DeviceOutput, StreamShape, TARGET_LATENCY_MS};
use super::{DeviceFault, RATE};

/// ALSA plugins that are not devices (rate converters, channel mixers,
/// effects) or are no use for a call (`null` takes everything and records
/// zeros, unpaced): left out of the list. They can still be opened by id.
const NOT_DEVICES: &[&str] = &[
    "null",
    "lavrate",
    "samplerate",
    "speexrate",
    "speex",
    "upmix",
    "vdownmix",
];

/// Input or output, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Input,
    Output,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Input => "microphone",
            Direction::Output => "speaker",
        })
    }
}

/// Why no device could be opened (the call then goes on with
/// [`Silence`](super::Silence) or [`Discard`](super::Discard)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    #[error("no sound system is available: {0}")]
    NoHost(String),
    #[error("the sound devices could not be listed: {0}")]
    List(String),
    #[error("there is no default {0}")]
    NoDefault(Direction),
    #[error("the {direction} “{device}” could not be opened: {detail}")]
    Open {
        direction: Direction,
        device: String,
        detail: String,
    },
}

/// One device for the settings screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// What to store in the settings and give to [`open_input`] /
    /// [`open_output`]: stable across runs (ALSA's PCM name, such as
    /// `pulse` or `hw:CARD=0,DEV=0`).
    pub id: String,
    /// What to show.
    pub name: String,
    /// The system's default device.
    pub is_default: bool,
}

/// Every microphone and speaker the system offers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceList {
    pub inputs: Vec<DeviceInfo>,
    pub outputs: Vec<DeviceInfo>,
}

/// The chosen device was not used: which one and why (for the user, next
/// to the device that was opened instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    /// The device asked for.
    pub wanted: String,
    /// Why it was not used ("not found" or the system's error).
    pub reason: String,
}

/// A device that was opened, maybe not the one asked for.
#[derive(Debug)]
pub struct Opened<T> {
    pub device: T,
    /// Set when the preferred device was missing or failed and the
    /// default was opened instead.
    pub fallback: Option<Fallback>,
}

impl<T> Opened<T> {
    /// The fallback as a [`DeviceFault`] for `take_fault`-style reporting:
    /// the wanted device, why it was not used and which one is used now.
    pub fn fallback_fault(&self, now_using: &str) -> Option<DeviceFault> {
        self.fallback.as_ref().map(|f| DeviceFault {
            device: f.wanted.clone(),
            detail: format!("{}; using “{now_using}” instead", clause(&f.reason)),
        })
    }
}

/// A message as the first part of a longer sentence (cpal's end in a full
/// stop).
pub(super) fn clause(message: &str) -> &str {
    message.trim_end().trim_end_matches('.')
}

fn host() -> Result<cpal::Host, DeviceError> {
    let mut last = String::from("no audio host is compiled in");
    for id in cpal::available_hosts() {
        match cpal::host_from_id(id) {
            Ok(host) => return Ok(host),
            Err(e) => last = e.to_string(),
        }
    }
    Err(DeviceError::NoHost(last))
}

fn id_of(device: &cpal::Device) -> String {
    match device.id() {
        Ok(id) => id.id().to_string(),
        Err(_) => device.to_string(),
    }
}

pub(super) fn name_of(device: &cpal::Device) -> String {
    match device.description() {
        Ok(d) => d.name().to_string(),
        Err(_) => id_of(device),
    }
}

/// Lists microphones and speakers (opens each device briefly to ask what
/// it supports: call it off the UI thread).
pub fn list_devices() -> Result<DeviceList, DeviceError> {
    let host = host()?;
    let list = |direction: Direction| -> Result<Vec<DeviceInfo>, DeviceError> {
        let (devices, default) = match direction {
            Direction::Input => (host.input_devices(), host.default_input_device()),
            Direction::Output => (host.output_devices(), host.default_output_device()),
        };
        let devices = devices.map_err(|e| DeviceError::List(e.to_string()))?;
        let default_id = default.as_ref().map(id_of);
        let mut infos: Vec<DeviceInfo> = devices
            .filter(|d| !NOT_DEVICES.contains(&id_of(d).as_str()))
            .map(|d| {
                let id = id_of(&d);
                DeviceInfo {
                    is_default: Some(&id) == default_id.as_ref(),
                    name: name_of(&d),
                    id,
                }
            })
            .collect();
        if let (Some(d), Some(id)) = (default, default_id) {
            if !infos.iter().any(|i| i.is_default) {
                infos.insert(
                    0,
                    DeviceInfo {
                        name: name_of(&d),
                        id,
                        is_default: true,
                    },
                );
            }
        }
        Ok(infos)
    };
    Ok(DeviceList {
        inputs: list(Direction::Input)?,
        outputs: list(Direction::Output)?,
    })
}

/// The device called `wanted` (its id first, else its shown name).
fn find(host: &cpal::Host, direction: Direction, wanted: &str) -> Option<cpal::Device> {
    let devices = match direction {
        Direction::Input => host.input_devices().ok()?.collect::<Vec<_>>(),
        Direction::Output => host.output_devices().ok()?.collect::<Vec<_>>(),
    };
    let by_id = devices.iter().position(|d| id_of(d) == wanted);
    let at = by_id.or_else(|| devices.iter().position(|d| name_of(d) == wanted))?;
    devices.into_iter().nth(at)
}

/// Opens `preferred` (an id or name from [`list_devices`]), or the default
/// when it is `None`, missing or fails (saying so in
/// [`Opened::fallback`]).
fn open_with<T>(
    direction: Direction,
    preferred: Option<&str>,
    build: impl Fn(&cpal::Device) -> Result<T, DeviceError>,
) -> Result<Opened<T>, DeviceError> {
    let host = host()?;
    let mut fallback = None;
    if let Some(wanted) = preferred {
        match find(&host, direction, wanted) {
            Some(device) => match build(&device) {
                Ok(device) => {
                    return Ok(Opened {
                        device,
                        fallback: None,
                    })
                }
                Err(e) => {
                    let reason = match e {
                        DeviceError::Open { detail, .. } => detail,
                        other => other.to_string(),
                    };
                    fallback = Some(Fallback {
                        wanted: wanted.to_string(),
                        reason,
                    });
                }
            },
            None => {
                fallback = Some(Fallback {
                    wanted: wanted.to_string(),
                    reason: "not found".to_string(),
                })
            }
        }
    }
    let default = match direction {
        Direction::Input => host.default_input_device(),
        Direction::Output => host.default_output_device(),
    }
    .ok_or(DeviceError::NoDefault(direction))?;
    let device = build(&default)?;
    Ok(Opened { device, fallback })
}

/// Opens a microphone: `preferred` by id or name, else the default.
pub fn open_input(preferred: Option<&str>) -> Result<Opened<DeviceInput>, DeviceError> {
    open_with(Direction::Input, preferred, DeviceInput::open)
}

/// Opens a speaker (or the ringer's device): `preferred` by id or name,
/// else the default.
pub fn open_output(preferred: Option<&str>) -> Result<Opened<DeviceOutput>, DeviceError> {
    open_with(Direction::Output, preferred, DeviceOutput::open)
}

/// The best configuration we can use: 48 kHz if offered (else 44.1 kHz,
/// else the nearest rate), fewest channels, then the format cpal ranks
/// first; a 10 ms period when the device allows one.
pub(super) fn choose_config(
    ranges: impl Iterator<Item = cpal::SupportedStreamConfigRange>,
) -> Option<(StreamConfig, SampleFormat)> {
    let usable = |f: SampleFormat| {
        matches!(
            f,
            SampleFormat::I8
                | SampleFormat::I16
                | SampleFormat::I32
                | SampleFormat::U8
                | SampleFormat::U16
                | SampleFormat::U32
                | SampleFormat::F32
                | SampleFormat::F64
        )
    };
    let rate_for = |r: &cpal::SupportedStreamConfigRange| {
        [RATE, 44_100]
            .into_iter()
            .find(|&rate| r.contains_rate(rate))
            .unwrap_or_else(|| RATE.clamp(r.min_sample_rate(), r.max_sample_rate()))
    };
    let best = ranges
        .filter(|r| usable(r.sample_format()) && r.channels() > 0)
        .max_by(|a, b| {
            let key = |r: &cpal::SupportedStreamConfigRange| {
                let rate = rate_for(r);
                (
                    rate == RATE,
                    rate == 44_100,
                    std::cmp::Reverse(rate.abs_diff(RATE)),
                    std::cmp::Reverse(r.channels()),
                    matches!(r.sample_format(), SampleFormat::F32 | SampleFormat::I16),
                )
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.cmp_default_heuristics(b))
        })?;
    let rate = rate_for(&best);
    let period = rate / 100;
    let buffer_size = match best.buffer_size() {
        SupportedBufferSize::Range { min, max } if (*min..=*max).contains(&period) => {
            BufferSize::Fixed(period)
        }
        _ => BufferSize::Default,
    };
    let config = StreamConfig {
        channels: best.channels(),
        sample_rate: rate,
        buffer_size,
    };
    Some((config, best.sample_format()))
}

#[cfg(test)]
#[path = "device_tests.rs"]
mod tests;
