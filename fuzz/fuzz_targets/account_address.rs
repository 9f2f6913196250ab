//! `AccountConfig::normalize_address` and `AccountConfig::validate` with the
//! input as address and as `server` (which exercises `validate_host_port`).
#![no_main]

use hark::config::AccountConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    if let Ok(canonical) = AccountConfig::normalize_address(&input) {
        // The canonical form is itself accepted, unchanged.
        assert_eq!(
            AccountConfig::normalize_address(&canonical).as_deref(),
            Ok(canonical.as_str()),
            "input {input:?}"
        );
    }

    let mut account = AccountConfig::new("sip:alice@hark.test");
    account.server = Some(input.to_string());
    let _ = account.validate();

    let mut account = AccountConfig::new(input.to_string());
    account.server = Some(input.to_string());
    let _ = account.validate();
    let _ = account.user();
    let _ = account.domain();
});
