//! `im::inbound::classify`: what an incoming MESSAGE carries. The first
//! line of the input is the Content-Type (one of the types we take, picked
//! by its first byte, or the line itself), the rest the body; this reaches
//! the CPIM, isComposing and IMDN parsers (a first byte 0xff: the body is
//! inflated first, as a deflated MESSAGE would be). Anything accepted as text keeps
//! its body exactly (when it was UTF-8), and nothing panics.
#![no_main]

use hark::im::inbound::{classify, decode, Inbound};
use libfuzzer_sys::fuzz_target;

const TYPES: [&str; 5] = [
    "text/plain;charset=UTF-8",
    "message/cpim",
    "application/im-iscomposing+xml",
    "message/imdn+xml",
    "Message/CPIM ; x=y",
];

fuzz_target!(|data: &[u8]| {
    let (first, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let content_type = match first.first() {
        Some(&b) if usize::from(b) < TYPES.len() => TYPES[usize::from(b)].to_string(),
        _ => String::from_utf8_lossy(first).into_owned(),
    };
    // A first byte of 0xff: the body is a deflate stream (liblinphone).
    if content_type.as_bytes().first() == Some(&0xff) || first.first() == Some(&0xff) {
        if let Ok(inflated) = decode(Some("deflate"), body) {
            assert!(inflated.len() <= hark::im::inbound::MAX_BODY_BYTES);
            let _ = classify(Some("message/cpim"), &inflated);
        }
        return;
    }
    let result = classify(Some(&content_type), body);
    if content_type.starts_with("text/plain") {
        if let (Ok(Inbound::Text(text)), Ok(utf8)) = (&result, std::str::from_utf8(body)) {
            assert_eq!(text.body, utf8);
        }
    }
    if let Err(refusal) = &result {
        assert!([400, 413, 415].contains(&refusal.status()));
        let _ = refusal.to_string();
    }
});
