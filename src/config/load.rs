//! Reading and writing the config file. A syntax or type error names the
//! file, line and key; unknown keys are collected as warnings instead of
//! failing, so a config written by a newer Hark still starts.

use std::fmt;
use std::path::{Path, PathBuf};

use super::Config;

/// A config file that could not be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line, when the problem is at a place in the file.
    pub line: Option<usize>,
    /// The key on that line, when there is one.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ", key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// A config that loaded, and what was odd about it.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub config: Config,
    /// Unknown keys, a password in a file others can read, and the like.
    pub warnings: Vec<String>,
}

/// Loads `path`; a missing file is an empty config (first run).
pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| ConfigError {
            path: path.to_owned(),
            line: None,
            key: None,
            message: format!("the file is not UTF-8 text ({e})"),
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::default()),
        Err(e) => {
            return Err(ConfigError {
                path: path.to_owned(),
                line: None,
                key: None,
                message: format!("cannot read it: {e}"),
            })
        }
    };
    let mut loaded = parse(path, &text)?;
    if loaded.config.account.iter().any(|a| a.password.is_some()) && others_can_read(path) {
        loaded.warnings.push(format!(
            "{} holds a password and other users can read it; run: chmod 600 {}",
            path.display(),
            path.display()
        ));
    }
    Ok(loaded)
}

/// Parses config text; `path` is only used in messages.
pub fn parse(path: &Path, text: &str) -> Result<Loaded, ConfigError> {
    let mut warnings = Vec::new();
    let de = toml::Deserializer::parse(text).map_err(|e| error_at(path, text, &e))?;
    let config: Config = serde_ignored::deserialize(de, |ignored| {
        warnings.push(format!(
            "{}: unknown key `{ignored}` is ignored",
            path.display()
        ));
    })
    .map_err(|e| error_at(path, text, &e))?;
    for (i, account) in config.account.iter().enumerate() {
        if let Some((field, problem)) = account.validate().into_iter().next() {
            let key = match field {
                super::AccountField::Address => "address",
                super::AccountField::Password => "password",
                super::AccountField::Server => "server",
            };
            let value = match field {
                super::AccountField::Address => account.address.clone(),
                super::AccountField::Server => account.server.clone().unwrap_or_default(),
                super::AccountField::Password => String::new(),
            };
            return Err(ConfigError {
                path: path.to_owned(),
                line: find_key_line(text, key, &value),
                key: Some(format!("account[{i}].{key}")),
                message: format!("{value:?} {}", problem.describe()),
            });
        }
    }
    Ok(Loaded { config, warnings })
}

fn error_at(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let line = e.span().map(|span| line_of(text, span.start));
    let key = line.and_then(|l| key_on_line(text, l));
    ConfigError {
        path: path.to_owned(),
        line,
        key,
        message: e.message().trim().to_string(),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn key_on_line(text: &str, line: usize) -> Option<String> {
    let l = text.lines().nth(line - 1)?;
    let (key, _) = l.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('#') && !key.starts_with('[')).then(|| key.to_string())
}

fn find_key_line(text: &str, key: &str, value: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.split_once('=')
                .is_some_and(|(k, v)| k.trim() == key && v.contains(value.trim()))
        })
        .map(|i| i + 1)
}

#[cfg(unix)]
fn others_can_read(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o077 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn others_can_read(_: &Path) -> bool {
    false
}

/// Writes the config atomically (temp file + rename) with mode 0600.
pub fn save(path: &Path, config: &Config) -> std::io::Result<()> {
    let text = toml::to_string_pretty(config).map_err(std::io::Error::other)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("toml.tmp");
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        std::io::Write::write_all(&mut f, text.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> PathBuf {
        PathBuf::from("hark.toml")
    }

    #[test]
    fn loads_a_full_config() {
        let text = r#"
[[account]]
address = "sip:alice@hark.test"
password = "demo"
server = "127.0.0.1:5070"
transport = "tcp"

[ui]
language = "de"
"#;
        let l = parse(&p(), text).unwrap();
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);
        let a = &l.config.account[0];
        assert_eq!(a.transport, super::super::Transport::Tcp);
        assert_eq!(a.expires, 600);
        assert_eq!(l.config.ui.language.as_deref(), Some("de"));
    }

    #[test]
    fn warns_about_unknown_keys_but_loads() {
        let text = "colour = \"blue\"\n[[account]]\naddress = \"sip:a@b.c\"\nfoo = 1\n";
        let l = parse(&p(), text).unwrap();
        assert_eq!(l.warnings.len(), 2, "{:?}", l.warnings);
        assert!(l.warnings.iter().any(|w| w.contains("colour")));
        assert!(l.warnings.iter().any(|w| w.contains("foo")));
    }

    #[test]
    fn a_type_error_names_line_and_key() {
        let text = "[[account]]\naddress = \"sip:a@b.c\"\ntransport = \"carrier-pigeon\"\n";
        let e = parse(&p(), text).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert_eq!(e.key.as_deref(), Some("transport"));
        assert!(e.to_string().contains("line 3"), "{e}");
    }

    #[test]
    fn a_syntax_error_names_the_line() {
        let text = "[ui]\nlanguage = \"de\n";
        let e = parse(&p(), text).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn a_bad_address_names_line_and_key() {
        let text = "[[account]]\naddress = \"alice\"\n";
        let e = parse(&p(), text).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert_eq!(e.key.as_deref(), Some("account[0].address"));
        assert!(e.message.contains("not a SIP address"), "{e}");
    }

    #[test]
    fn save_round_trips_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        let mut c = Config::default();
        let mut a = super::super::AccountConfig::new("sip:alice@hark.test");
        a.password = Some("s3cret".into());
        c.account.push(a);
        save(&path, &c).unwrap();
        let l = load(&path).unwrap();
        assert_eq!(l.config, c);
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
