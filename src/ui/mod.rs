//! The desktop user interface (iced). It knows the engine only through
//! [`crate::engine::Command`]s sent on an [`EngineHandle`](crate::engine::EngineHandle) and the
//! [`crate::engine::Event`]s it broadcasts; it never touches sockets, files or
//! the config, and never blocks.
//!
//! Start it with [`run`] from the main thread, outside any tokio runtime
//! context (iced runs its own tokio executor for the UI's tasks):
//!
//! ```no_run
//! # fn main() -> iced::Result {
//! let (engine, _commands, _events) = hark::engine::EngineHandle::channel();
//! hark::ui::run(engine, hark::i18n::I18n::new(None))
//! # }
//! ```
//!
//! Layout: [`app`] is the iced daemon (windows, top-level [`Message`],
//! quitting); [`screen`] holds what a window shows; [`contact_list`] is the
//! contact list as pure data (sorting, grouping, filtering, presence
//! updates); [`call`] is the calls as pure data (phases, missed calls,
//! quality grades, timers); [`devices`] the sound devices and their pick
//! lists; [`chat`] is the chats as pure data (messages,
//! runs, unread counts, links) and [`chat_format`] their times and days in
//! words; [`desktop`] shows notifications (messages, calls) and opens
//! links; [`status`] turns registration states into words; [`theme`] holds
//! sizes, colours, dots and avatars.

pub mod app;
pub mod call;
pub mod chat;
pub mod chat_format;
pub mod contact_list;
pub mod desktop;
pub mod devices;
mod engine_events;
pub mod screen;
pub mod status;
pub mod theme;

pub use app::{run, run_with, App, ChatSettings, Message, Screen, WindowKind};
