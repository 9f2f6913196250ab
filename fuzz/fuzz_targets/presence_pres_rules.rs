//! `hark::presence::pres_rules` (RFC 4745 / 5025): `parse`, `handling_for`
//! for a few watchers, and up to 8 `set_watcher` / `remove_watcher`
//! decisions chosen by the bytes after the first NUL, each result written
//! with `build`. After `set_watcher(w, h)` the watcher must be named in
//! Hark's rule for `h` (what `set_watcher` documents).
//!
//! Input: `document \0 decision-bytes`.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use common::Bytes;
use hark::presence::pres_rules::{self, SubHandling};
use libfuzzer_sys::fuzz_target;

const HANDLINGS: [SubHandling; 4] = [
    SubHandling::Block,
    SubHandling::Confirm,
    SubHandling::PoliteBlock,
    SubHandling::Allow,
];

fuzz_target!(|data: &[u8]| {
    let (document, decisions) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(mut ruleset) = pres_rules::parse(document) else {
        return;
    };
    let _ = pres_rules::build(&ruleset);
    // Watchers the document names, plus a few made-up ones.
    let mut watchers: Vec<String> = ruleset
        .rules
        .iter()
        .filter_map(|r| r.conditions.identity.as_ref())
        .flat_map(|i| i.one.iter().cloned())
        .collect();
    watchers.push("sip:alice@hark.test".into());
    watchers.push("\"Bob\" <sips:bob@example.com;transport=tls>".into());
    for watcher in &watchers {
        let _ = ruleset.handling_for(watcher);
    }

    let mut bytes = Bytes::new(decisions);
    for _ in 0..8 {
        if bytes.is_empty() {
            break;
        }
        let op = bytes.u8();
        let watcher = if op & 0x80 == 0 {
            watchers[bytes.u8() as usize % watchers.len()].clone()
        } else {
            bytes.string(32)
        };
        if op & 0x40 != 0 {
            ruleset = pres_rules::remove_watcher(&ruleset, &watcher);
        } else {
            let handling = HANDLINGS[usize::from(op & 3)];
            ruleset = pres_rules::set_watcher(&ruleset, &watcher, handling);
            let id = pres_rules::watcher_id(&watcher);
            assert!(
                ruleset.watchers_with(handling).contains(&id.as_str()),
                "{id} not in Hark's {handling:?} rule after set_watcher"
            );
        }
        let _ = ruleset.handling_for(&watcher);
        for handling in HANDLINGS {
            let _ = ruleset.watchers_with(handling);
        }
        let _ = pres_rules::build(&ruleset);
    }
});
