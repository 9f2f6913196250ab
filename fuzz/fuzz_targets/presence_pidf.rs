//! `hark::presence::pidf::parse` (RFC 3863 + extensions), then
//! `status::aggregate`, then `pidf::build` and a second parse + aggregate.
//!
//! Only "never panics" is asserted: `pidf` promises a lossless
//! parse → build → parse for the documents its tests cover, not for every
//! input (values it cannot write back are possible, see fuzz/README.md).
//! Set `HARK_FUZZ_STRICT=1` to also assert that the built document parses
//! to an equal `PresenceDocument` (an exploratory mode).
#![no_main]

use std::sync::OnceLock;

use hark::presence::{pidf, status};
use libfuzzer_sys::fuzz_target;

fn strict() -> bool {
    static STRICT: OnceLock<bool> = OnceLock::new();
    *STRICT.get_or_init(|| std::env::var_os("HARK_FUZZ_STRICT").is_some_and(|v| v == "1"))
}

fuzz_target!(|data: &[u8]| {
    let _ = status::aggregate_bytes(data);
    let Ok(doc) = pidf::parse(data) else { return };
    let first = status::aggregate(&doc);
    let _ = first.dot();
    let written = pidf::build(&doc);
    let again = pidf::parse(written.as_bytes());
    if let Ok(again) = &again {
        let _ = status::aggregate(again);
    }
    if strict() {
        match again {
            Ok(again) => assert_eq!(again, doc, "round trip changed the document:\n{written}"),
            Err(e) => panic!("build wrote a document parse refuses ({e}):\n{written}"),
        }
    }
});
