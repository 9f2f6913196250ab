//! The TOML config parser. `parse` lives in the private module
//! `hark::config::load` and is not re-exported, so this goes through the
//! public `hark::config::load(path)`: each input is written to a temp file
//! (raw bytes, so the not-UTF-8 path is covered too).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("hark-fuzz-config-{}.toml", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let path = path();
    std::fs::write(path, data).expect("write temp config");
    match hark::config::load(path) {
        Ok(loaded) => {
            // Whatever loads is valid by construction.
            for account in &loaded.config.account {
                assert!(account.validate().is_empty(), "{account:?}");
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
