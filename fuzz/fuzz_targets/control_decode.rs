//! `hark::control::codec::decode`: one JSON line of the control protocol.
//! Also checks that an accepted command survives `encode_command` (which
//! `expect`s) and decodes back to the same envelope.
#![no_main]

use hark::control::codec::{decode, encode_command};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    if let Ok(Some(envelope)) = decode(&line) {
        let again = encode_command(&envelope);
        match decode(&again) {
            Ok(Some(back)) => assert_eq!(back, envelope, "round trip of {again}"),
            other => panic!("{again} did not decode back: {other:?}"),
        }
    }
});
