//! `hark::media::codec`: RFC 4733 telephone-events and G.711 on arbitrary
//! input.
//!
//! The whole input goes through `TelephoneEvent::parse` (an accepted payload
//! must build and parse back equal) and both G.711 decoders (one sample per
//! byte; re-encoding the samples and decoding again gives the same samples).
//! Then the input is cut into records `[flags, ts delta (u16), 4 payload
//! bytes]`: each is a telephone-event packet for one `DtmfReceiver` (flag bit
//! 0 = marker, bit 1 = step the timestamp back instead of forward), whose
//! key-down / key-up must alternate and agree with `key_down()`; the same
//! payload also feeds a PCMU and a PCMA codec, as a payload or (flag bits
//! 2-4) as up to 7 lost frames to conceal.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use common::Bytes;
use hark::media::codec::dtmf::{DtmfEvent, DtmfReceiver, TelephoneEvent};
use hark::media::codec::{AudioCodec, G711};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(te) = TelephoneEvent::parse(data) {
        let back = TelephoneEvent::parse(&te.to_bytes()).expect("built payload parses");
        assert_eq!(back, te);
    }

    for mut codec in [G711::pcmu(), G711::pcma()] {
        let mut pcm = Vec::new();
        codec
            .decode(data, &mut pcm)
            .expect("G.711 decodes anything");
        assert_eq!(pcm.len(), data.len());
        let mut bytes = Vec::new();
        for frame in pcm.chunks_exact(160) {
            codec
                .encode(frame, &mut bytes)
                .expect("a full frame encodes");
        }
        let mut again = Vec::new();
        G711::new(codec.law()).decode(&bytes, &mut again).unwrap();
        assert_eq!(again[..], pcm[..bytes.len()]);
    }

    let mut input = Bytes::new(data);
    let mut receiver = DtmfReceiver::new();
    let mut down: Option<char> = None;
    let mut codecs = [G711::pcmu(), G711::pcma()];
    let mut ts: u32 = input.u32();
    let mut pcm = Vec::new();
    while !input.is_empty() {
        let flags = input.u8();
        let delta = input.u16() as u32;
        ts = if flags & 2 != 0 {
            ts.wrapping_sub(delta)
        } else {
            ts.wrapping_add(delta)
        };
        let payload = [input.u8(), input.u8(), input.u8(), input.u8()];
        let events = receiver
            .receive(ts, flags & 1 != 0, &payload)
            .expect("4-byte payloads parse");
        for e in events {
            match e {
                DtmfEvent::KeyDown { key, .. } => {
                    assert_eq!(down, None, "key down twice");
                    down = Some(key);
                }
                DtmfEvent::KeyUp { key, .. } => {
                    assert_eq!(down, Some(key), "key up without its key down");
                    down = None;
                }
            }
        }
        assert_eq!(receiver.key_down(), down);

        let lost = ((flags >> 2) & 7) as usize;
        for codec in codecs.iter_mut() {
            pcm.clear();
            if lost > 0 {
                codec.conceal(lost, &mut pcm);
                assert_eq!(pcm.len(), lost * 160);
            } else {
                codec.decode(&payload, &mut pcm).unwrap();
                assert_eq!(pcm.len(), 4);
            }
        }
    }
    if let Some(DtmfEvent::KeyUp { key, .. }) = receiver.finish() {
        assert_eq!(down, Some(key));
    } else {
        assert_eq!(down, None);
    }
});
