//! The SIP layer: a thin layer over rsipstack (transport, transactions and
//! rsip's message types) that knows nothing of the engine or the UI.
//! It resolves the server, sets up one endpoint per account, sends
//! REGISTER and keep-alives and reduces every result to a small typed
//! outcome the engine's state machines can reason about.

pub mod call;
pub mod call_wire;
pub mod digest;
pub mod endpoint;
pub mod incoming;
pub mod message_summary;
pub mod publication;
pub mod refresh_policy;
pub mod register;
pub mod request;
pub mod resolve;
pub mod session_timer;
pub mod subscribe_dialog;
pub mod subscription;

pub use endpoint::{EndpointSettings, SipEndpoint};
pub use register::{Outcome, Registrar, Unreachable};
pub use resolve::ResolveError;
