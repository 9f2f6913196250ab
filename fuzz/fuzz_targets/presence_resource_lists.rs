//! `hark::presence::resource_lists`: `parse` (resource-lists, RFC 4826) and
//! `parse_rls_services` on the same document, then up to 8 `apply_edit`s
//! chosen by the bytes after the first NUL (groups and URIs are picked
//! from the document's own list names and entry URIs, or made up), each
//! result written with `build`; `build_rls_services` for the services.
//!
//! Input: `document \0 edit-bytes`.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use common::Bytes;
use hark::presence::resource_lists::{
    self, apply_edit, List, ListEdit, ListItem, ResourceLists, Service,
};
use libfuzzer_sys::fuzz_target;

fn collect_names(list: &List, names: &mut Vec<String>, uris: &mut Vec<String>) {
    if let Some(name) = &list.name {
        names.push(name.clone());
    }
    for item in &list.items {
        match item {
            ListItem::Entry(e) => uris.push(e.uri.clone()),
            ListItem::List(l) => collect_names(l, names, uris),
            _ => {}
        }
    }
}

fn pick(bytes: &mut Bytes, pool: &[String]) -> String {
    let choice = bytes.u8() as usize;
    if pool.is_empty() || choice >= 192 {
        bytes.string(24)
    } else {
        pool[choice % pool.len()].clone()
    }
}

fn opt_string(bytes: &mut Bytes) -> Option<String> {
    bytes.bool().then(|| bytes.string(24))
}

fn edit(bytes: &mut Bytes, doc: &ResourceLists) -> ListEdit {
    let mut names = vec!["hark".to_owned()];
    let mut uris = Vec::new();
    for list in &doc.lists {
        collect_names(list, &mut names, &mut uris);
    }
    match bytes.u8() % 6 {
        0 => ListEdit::AddContact {
            group: pick(bytes, &names),
            uri: pick(bytes, &uris),
            display_name: opt_string(bytes),
        },
        1 => ListEdit::RenameContact {
            uri: pick(bytes, &uris),
            display_name: opt_string(bytes),
        },
        2 => ListEdit::MoveContact {
            uri: pick(bytes, &uris),
            from: pick(bytes, &names),
            to: pick(bytes, &names),
        },
        3 => ListEdit::RemoveContact {
            uri: pick(bytes, &uris),
            group: bytes.bool().then(|| pick(bytes, &names)),
        },
        4 => ListEdit::RenameGroup {
            group: pick(bytes, &names),
            display_name: bytes.string(24),
        },
        _ => ListEdit::RemoveGroup {
            group: pick(bytes, &names),
        },
    }
}

fuzz_target!(|data: &[u8]| {
    let (document, edits) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };

    if let Ok(mut services) = resource_lists::parse_rls_services(document) {
        let _ = resource_lists::build_rls_services(&services);
        let uri = services.services.first().map(|s| s.uri.clone());
        if let Some(uri) = uri {
            let _ = services.service(&uri);
            services.upsert(Service::presence_list(&uri, "http://xcap.test/list"));
        }
        services.upsert(Service::presence_list("sip:new@hark.test", "x"));
        let _ = resource_lists::build_rls_services(&services);
    }

    let Ok(mut doc) = resource_lists::parse(document) else {
        return;
    };
    let _ = resource_lists::build(&doc);
    let mut bytes = Bytes::new(edits);
    for _ in 0..8 {
        if bytes.is_empty() {
            break;
        }
        let root_list = if bytes.bool() { "hark".to_owned() } else { bytes.string(16) };
        let edit = edit(&mut bytes, &doc);
        if let Ok(next) = apply_edit(&doc, &root_list, &edit) {
            doc = next;
            let _ = resource_lists::build(&doc);
        }
        if let Some(list) = doc.lists.first() {
            let _ = list.all_uris();
            if let Some(uri) = list.all_uris().first() {
                let _ = doc.groups_of(uri);
            }
        }
    }
});
