//! What a window can show. Each screen owns its state, its `Message`s and its
//! `view`; its `update` returns an `Event` for the app when something must
//! leave the screen (a command for the engine, a change of screen).

pub mod account_form;
pub mod call_history;
pub mod call_history_row;
pub mod call_settings;
mod call_transfer;
mod call_view;
pub mod call_window;
mod chat_members;
mod chat_results;
pub mod chat_search;
pub mod chat_tools;
mod chat_view;
pub mod chat_window;
pub mod contacts;
mod contacts_view;
pub mod dial_pad;
pub mod incoming_call;
pub mod main_window;
pub mod own_status;
pub mod voicemail;

pub use account_form::AccountForm;
pub use call_history::HistoryWindow;
pub use call_transfer::TransferCandidate;
pub use call_window::CallWindow;
pub use chat_search::SearchWindow;
pub use chat_view::Peer;
pub use chat_window::ChatWindow;
pub use contacts_view::{availability_id, unread_badge_id};
pub use main_window::MainWindow;
