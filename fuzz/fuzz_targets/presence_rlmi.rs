//! `hark::presence::rlmi::parse_rls_notify` (RFC 4662 resource-list NOTIFY
//! bodies) and `multipart::parse` (RFC 2046 / 2387), with the Content-Type
//! header value taken from the first line of the input and the body from
//! the rest. A parsed notification is also applied to a `ListState`, and
//! every document part is handed to `pidf::parse` as the engine would.
#![no_main]

use hark::presence::rlmi::{self, ListState, ResourceBody, RlsNotify};
use hark::presence::{multipart, pidf};
use libfuzzer_sys::fuzz_target;

fn walk(notify: &RlsNotify, depth: usize) {
    assert!(depth <= 8, "nested lists deeper than multipart allows");
    for resource in &notify.resources {
        let _ = resource.display_name();
        let _ = resource.state();
        let _ = resource.reason();
        if let Some((_, bytes)) = resource.document() {
            let _ = pidf::parse(bytes);
        }
        for instance in &resource.instances {
            if let ResourceBody::List(nested) = &instance.body {
                walk(nested, depth + 1);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (first, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let content_type = String::from_utf8_lossy(first);
    let content_type = content_type.trim_end_matches('\r');

    if let Ok(mp) = multipart::parse(content_type, body) {
        let _ = mp.root();
        for part in &mp.parts {
            let _ = part.content();
            let _ = part.content_type.to_header_value();
            if let Some(cid) = &part.content_id {
                let _ = mp.part_by_cid(cid);
            }
            if part.content_type.is_multipart() {
                let _ = mp.nested(part);
            }
        }
        // What we send must read back.
        let (header, built) = multipart::build_related(&mp.parts);
        let _ = multipart::parse(&header, &built);
    }

    if let Ok(notify) = rlmi::parse_rls_notify(content_type, body) {
        walk(&notify, 0);
        let mut state = ListState::new();
        let _ = state.apply(notify.clone());
        let _ = state.apply(notify);
        let _ = state.resources().len();
    }
    let _ = rlmi::parse(body);
});
