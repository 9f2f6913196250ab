//! Hark's side of a call's media: the SDP it offers or answers with (its
//! address, port and codec order from the settings, limited to the codecs
//! this build can run) and the codec for what was agreed.

use std::net::IpAddr;

use crate::config::CallSettings;
use crate::media::codec::{AudioCodec, G711};
use crate::media::offer_answer::{Codec, LocalMedia, Negotiated};

/// Whether this build has an encoder and decoder for `codec`.
fn runnable(codec: Codec) -> bool {
    matches!(codec, Codec::Pcmu | Codec::Pcma)
}

/// Our media for a new call: receiving on `ip`:`port`, the configured
/// codec order (those we can run), telephone-event.
pub(super) fn local_media(ip: IpAddr, port: u16, settings: &CallSettings) -> LocalMedia {
    let session_id = u64::from(rand_u32()) << 16 | u64::from(port);
    let mut local = LocalMedia::new(ip, port, session_id);
    local.codecs = settings
        .codec_order()
        .into_iter()
        .filter(|c| runnable(*c))
        .collect();
    if local.codecs.is_empty() {
        local.codecs = vec![Codec::Pcmu, Codec::Pcma];
    }
    local
}

/// The codec for the agreed setup.
pub(super) fn open_codec(negotiated: &Negotiated) -> Option<Box<dyn AudioCodec>> {
    match negotiated.codec {
        Codec::Pcmu => Some(Box::new(G711::pcmu())),
        Codec::Pcma => Some(Box::new(G711::pcma())),
        _ => None,
    }
}

fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    h.finish() as u32
}
