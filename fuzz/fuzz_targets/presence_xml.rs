//! `hark::presence::xml::parse`, the safe element tree every presence
//! document goes through; a parsed tree written back with `to_xml` (no
//! suggested prefixes) must parse again to an equal tree.
#![no_main]

use hark::presence::xml::{parse, to_xml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(root) = parse(data) {
        let written = to_xml(&root, &[]);
        match parse(written.as_bytes()) {
            Ok(again) => assert_eq!(again, root, "round trip changed the tree:\n{written}"),
            Err(e) => panic!("to_xml wrote a document parse refuses ({e}):\n{written}"),
        }
    }
});
