//! Hark's side of a call's media: the SDP it offers or answers with (its
//! address, port and codec order from the settings) and the codec for
//! what was agreed.

use std::net::IpAddr;

use crate::config::CallSettings;
use crate::media::codec::{self, AudioCodec};
use crate::media::offer_answer::{Codec, LocalMedia, Negotiated};

/// Our media for a new call: receiving on `ip`:`port`, the configured
/// codec order (those we can run), telephone-event.
pub(super) fn local_media(ip: IpAddr, port: u16, settings: &CallSettings) -> LocalMedia {
    let session_id = (crate::media::rtp::random_u64() >> 32) << 16 | u64::from(port);
    let mut local = LocalMedia::new(ip, port, session_id);
    local.codecs = settings.codec_order();
    local
}

/// The codec for the agreed setup, encoding as the peer's fmtp asks
/// (Opus FEC and DTX when it says it takes them).
pub(super) fn open_codec(negotiated: &Negotiated) -> Option<Box<dyn AudioCodec>> {
    let c: Codec = negotiated.codec;
    codec::open(
        c.encoding(),
        c.clock_rate(),
        negotiated.remote_fmtp.as_deref(),
    )
}
