//! Instant messaging logic, free of I/O.
//!
//! The documents and state machines that ride on SIP MESSAGE (RFC 3428):
//! typing indication ([`composing`], RFC 3994), the CPIM wrapper
//! ([`cpim`], RFC 3862) and delivery and read notifications ([`imdn`],
//! RFC 5438), what an incoming MESSAGE carries ([`inbound`]), what an
//! answer to ours means ([`outbound`]) and which device of a contact gets
//! the next one ([`forking`]). Each parses network input defensively (bounded size, typed
//! errors, no panics) and builds what it parses.

pub mod composing;
pub mod cpim;
pub mod forking;
pub mod imc;
pub mod imdn;
pub mod inbound;
pub mod outbound;
