//! `hark::sip::resolve::split_host_port` on arbitrary `host[:port]` text.
#![no_main]

use hark::sip::resolve::split_host_port;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let _ = split_host_port(&input);
});
