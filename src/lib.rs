//! Hark: a desktop unified communicator over SIP/SIMPLE.
//!
//! The library holds everything but the command line: the engine that owns
//! accounts and protocol state, the SIP layer it drives, storage, config,
//! translations, the control protocol and the iced user interface. The UI and
//! the headless mode talk to the engine only through [`engine::Command`] and
//! [`engine::Event`].

pub mod audio;
pub mod automatic;
pub mod config;
pub mod control;
pub mod engine;
pub mod i18n;
pub mod im;
pub mod media;
pub mod paths;
pub mod presence;
pub mod secrets;
pub mod sip;
pub mod store;
pub mod ui;
pub mod xcap;
