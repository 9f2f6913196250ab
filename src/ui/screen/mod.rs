//! What a window can show. Each screen owns its state, its `Message`s and its
//! `view`; its `update` returns an `Event` for the app when something must
//! leave the screen (a command for the engine, a change of screen).

pub mod account_form;
pub mod contacts;
mod contacts_view;
pub mod main_window;
pub mod own_status;

pub use account_form::AccountForm;
pub use main_window::MainWindow;
