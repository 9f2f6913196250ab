//! Hark's TOML configuration: the file format, loading with line-accurate
//! errors and unknown-key warnings, and saving (mode 0600, since it may hold a
//! password). Validation of account fields lives in [`account`].

mod account;
mod calls;
mod load;

pub use account::{AccountConfig, AccountField, AccountProblem, Transport};
pub use calls::{CallSettings, Forwarding};
pub use load::{load, save, ConfigError, Loaded};

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The whole configuration file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// SIP accounts; the first is the one the window shows first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub account: Vec<AccountConfig>,
    pub ui: UiConfig,
    pub storage: StorageConfig,
    pub control: ControlConfig,
    /// Automatic presence: away when idle, in a meeting from a calendar.
    #[serde(skip_serializing_if = "is_default_automatic")]
    pub automatic: crate::automatic::AutomaticSettings,
    /// The softphone: codecs, audio devices, voicemail.
    #[serde(skip_serializing_if = "is_default_calls")]
    pub calls: CallSettings,
}

fn is_default_calls(c: &CallSettings) -> bool {
    *c == CallSettings::default()
}

fn is_default_automatic(a: &crate::automatic::AutomaticSettings) -> bool {
    *a == crate::automatic::AutomaticSettings::default()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UiConfig {
    /// Language tag such as `de` or `en-US`; the system locale when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// A message for a chat without a window opens the window (default:
    /// only an unread badge and a notification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_chat_on_message: Option<bool>,
    /// Desktop notifications for messages (default: on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_notifications: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageConfig {
    /// SQLite database file; `$XDG_DATA_HOME/hark/hark.db` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ControlConfig {
    /// Control socket path; `$XDG_RUNTIME_DIR/hark/control.sock` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socket: Option<PathBuf>,
}
