//! Media for the softphone (SPEC C2/C3), sans-IO at its core: RTP and RTCP
//! wire formats and per-stream state, the jitter buffer, SDP. Nothing here
//! opens a socket or an audio device; the engine's media tasks feed these
//! types bytes and the current time.

pub mod codec;
pub mod jitter;
pub mod offer_answer;
pub mod rtcp;
pub mod rtp;
pub mod sdp;
pub mod session;
