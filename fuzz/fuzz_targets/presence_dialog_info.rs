//! `hark::presence::dialog_info::parse` (RFC 4235) on up to 8 documents
//! (split at NUL bytes), each applied in turn to one `DialogTable` as the
//! NOTIFYs of one dialog subscription would be; `to_xml` of each.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use hark::presence::dialog_info::{self, DialogTable};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut table = DialogTable::new();
    for document in common::documents(data, 8) {
        let Ok(info) = dialog_info::parse(document) else {
            continue;
        };
        let _ = dialog_info::to_xml(&info);
        let _ = table.apply(info);
        let _ = table.line_state();
        let _ = table.version();
        let _ = table.entity();
        let _ = table.dialogs().len();
    }
});
