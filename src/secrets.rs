//! Account passwords: kept in the OS keyring (Secret Service) when one is
//! running, else read from the config file with a warning. Keyring calls
//! block (D-Bus), so callers run them on a blocking thread.

const SERVICE: &str = "hark";

/// Where a password came from, so the user can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    Keyring,
    ConfigFile,
    None,
}

/// Looks the password of `address` up: the config's own value wins (it was
/// put there deliberately), else the keyring.
pub fn lookup(address: &str, from_config: Option<&str>) -> (Option<String>, PasswordSource) {
    if let Some(p) = from_config {
        return (Some(p.to_string()), PasswordSource::ConfigFile);
    }
    match keyring::Entry::new(SERVICE, address).and_then(|e| e.get_password()) {
        Ok(p) => (Some(p), PasswordSource::Keyring),
        Err(keyring::Error::NoEntry) => (None, PasswordSource::None),
        Err(e) => {
            tracing::debug!("keyring unavailable: {e}");
            (None, PasswordSource::None)
        }
    }
}

/// Stores the password in the keyring. Err when no keyring is usable; the
/// caller then keeps it in the config file.
pub fn store(address: &str, password: &str) -> Result<(), String> {
    keyring::Entry::new(SERVICE, address)
        .and_then(|e| e.set_password(password))
        .map_err(|e| e.to_string())
}
