//! `hark::sip::message_summary::parse` (RFC 3842 message-summary bodies,
//! the voicemail lamp) on the whole input. A refusal must be a 400 or 413;
//! an accepted summary must write (`to_body`) as Kamailio's presence_mwi
//! takes it (starts with `Messages-Waiting: yes|no`, CRLF line ends,
//! printable ASCII) and parse back equal.
#![no_main]

use hark::sip::message_summary::{parse, MAX_BODY_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let summary = match parse(data) {
        Ok(summary) => summary,
        Err(e) => {
            assert!(matches!(e.status(), 400 | 413), "{e}");
            assert_eq!(e.status() == 413, data.len() > MAX_BODY_BYTES, "{e}");
            return;
        }
    };
    let _ = summary.total_new();
    let body = summary.to_body();
    assert!(
        body.starts_with("Messages-Waiting: yes\r\n")
            || body.starts_with("Messages-Waiting: no\r\n"),
        "{body:?}"
    );
    assert!(body.ends_with("\r\n"), "{body:?}");
    for line in body.split_terminator("\r\n") {
        assert!(
            line.bytes().all(|b| (32..=126).contains(&b)),
            "not printable ASCII: {line:?} in {body:?}"
        );
    }
    match parse(body.as_bytes()) {
        Ok(back) => assert_eq!(back, summary, "round trip of {body:?}"),
        Err(e) => panic!("{body:?} did not parse back: {e}"),
    }
});
