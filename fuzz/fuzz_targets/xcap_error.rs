//! `hark::presence::xcap::parse_xcap_error` (RFC 4825 §11, the body of a
//! 409) and `failure_for(status, body)`: with 409 (the status that parses
//! the body) and with a status made of the first two bytes; then the
//! user-facing texts.
#![no_main]

use hark::presence::xcap::{failure_for, parse_xcap_error};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(conflict) = parse_xcap_error(data) {
        let _ = conflict.reason();
    }
    if let Some(failure) = failure_for(409, data) {
        let _ = failure.user_message();
    }
    let status = match data {
        [a, b, ..] => u16::from_le_bytes([*a, *b]),
        _ => 0,
    };
    if let Some(failure) = failure_for(status, data) {
        let _ = failure.user_message();
    }
});
