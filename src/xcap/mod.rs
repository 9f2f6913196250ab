//! XCAP over HTTP (RFC 4825): the client that reads and writes the user's
//! documents on the presence server (contact list, presence rules), with
//! HTTP digest authentication and conditional writes. What to write and how
//! to read the answers is in [`crate::presence::xcap`], free of I/O.

pub mod client;

pub use client::{HttpReply, XcapClient, XcapIoError};
