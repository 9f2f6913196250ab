//! The control protocol: engine commands in and events out as JSON lines,
//! over stdin/stdout in headless mode and over a local socket for a running
//! Hark (GUI or headless), which `hark status ...` and friends use.
//! The wire format is documented in `docs/control-protocol.md`.

pub mod client;
pub mod codec;
pub mod server;
pub mod stdio;
