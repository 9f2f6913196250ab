//! Where Hark keeps its files: XDG config, data and runtime directories, each
//! overridable so tests and several instances never collide.

use std::path::PathBuf;

use directories::ProjectDirs;

fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "hark")
}

/// `$XDG_CONFIG_HOME/hark/config.toml`.
pub fn default_config_file() -> PathBuf {
    dirs()
        .map(|d| d.config_dir().join("config.toml"))
        .unwrap_or_else(|| PathBuf::from("hark.toml"))
}

/// `$XDG_DATA_HOME/hark/hark.db`.
pub fn default_database() -> PathBuf {
    dirs()
        .map(|d| d.data_dir().join("hark.db"))
        .unwrap_or_else(|| PathBuf::from("hark.db"))
}

/// `$XDG_RUNTIME_DIR/hark/control.sock`, or a per-user folder in the temp dir.
pub fn default_control_socket() -> PathBuf {
    if let Some(p) = std::env::var_os("HARK_SOCKET") {
        return PathBuf::from(p);
    }
    let base = dirs()
        .and_then(|d| d.runtime_dir().map(|p| p.to_path_buf()))
        .unwrap_or_else(|| {
            let user = std::env::var("USER").unwrap_or_else(|_| "user".into());
            std::env::temp_dir().join(format!("hark-{user}"))
        });
    base.join("control.sock")
}
