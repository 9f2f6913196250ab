//! `hark::sip::digest::Challenge::parse` on a WWW-/Proxy-Authenticate value,
//! then answering it (twice, so the nonce count advances).
#![no_main]

use hark::sip::digest::Challenge;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let value = String::from_utf8_lossy(data);
    if let Ok(mut challenge) = Challenge::parse(&value) {
        let _ = challenge.realm();
        let _ = challenge.answer("alice", "pw", "REGISTER", "sip:hark.test");
        let _ = challenge.answer("alice", "pw", "REGISTER", "sip:hark.test");
    }
});
