//! `hark::presence::watcherinfo::parse` (RFC 3858) on up to 8 documents
//! (split at NUL bytes), each applied in turn to one `WatcherTable`, as the
//! NOTIFYs of one winfo subscription would be; and `build` of each.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use hark::presence::watcherinfo::{self, WatcherTable};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut table = WatcherTable::new();
    for document in common::documents(data, 8) {
        let Ok(info) = watcherinfo::parse(document) else {
            continue;
        };
        let _ = table.apply(&info);
        let _ = table.version();
        let _ = table.pending();
        let _ = table.watchers().count();
        let _ = watcherinfo::build(&info);
    }
});
