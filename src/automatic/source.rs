//! Where the calendar comes from (SPEC P5): a local `.ics` file, or an
//! HTTP(S) URL of an `.ics` (a published calendar, or a CalDAV calendar's
//! export: Nextcloud `…/calendars/USER/NAME?export`, Radicale and Baïkal the
//! collection URL). Reads the bytes, at most [`MAX_CALENDAR_BYTES`];
//! parsing is [`super::calendar`]'s job.
//!
//! Credentials go in the URL (`https://user:password@host/cal.ics`); they
//! are taken out of it before the request and sent only when the server
//! asks: Digest (through [`crate::sip::digest::Challenge`], as XCAP does) or
//! Basic. `webcal://` is read as `https://`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_LENGTH, WWW_AUTHENTICATE};
use reqwest::{StatusCode, Url};

use super::calendar::MAX_CALENDAR_BYTES;
use crate::sip::digest::Challenge;

/// Longest wait for one calendar download.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the calendar's bytes could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("bad calendar URL {0}")]
    BadUrl(String),
    #[error("the calendar file {path} cannot be read: {reason}")]
    File { path: String, reason: String },
    #[error("the calendar server could not be reached: {0}")]
    Unreachable(String),
    #[error("the calendar server answered {0}")]
    Http(u16),
    #[error("the calendar server refused the user name or password")]
    Unauthorized,
    #[error("the calendar is larger than {MAX_CALENDAR_BYTES} bytes")]
    TooLarge,
}

/// A calendar location from the settings.
#[derive(Clone, PartialEq, Eq)]
pub enum CalendarSource {
    File(PathBuf),
    Url {
        /// Without credentials.
        url: Url,
        user: Option<String>,
        password: Option<String>,
    },
}

impl std::fmt::Debug for CalendarSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CalendarSource::File(path) => f.debug_tuple("File").field(path).finish(),
            // Never print the password.
            CalendarSource::Url { url, user, .. } => f
                .debug_struct("Url")
                .field("url", &url.as_str())
                .field("user", user)
                .finish_non_exhaustive(),
        }
    }
}

impl CalendarSource {
    /// Reads the `calendar` setting: an http(s)/webcal URL, else a path
    /// (`~/` is the home directory, `file://` is stripped).
    pub fn parse(setting: &str) -> Result<CalendarSource, SourceError> {
        let text = setting.trim();
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return url_source(text);
        }
        if lower.starts_with("webcal://") {
            return url_source(&format!("https://{}", &text["webcal://".len()..]));
        }
        if lower.contains("://") && !lower.starts_with("file://") {
            return Err(SourceError::BadUrl(redact(text)));
        }
        let path = text.strip_prefix("file://").unwrap_or(text);
        if path.is_empty() {
            return Err(SourceError::File {
                path: String::new(),
                reason: "no path given".to_string(),
            });
        }
        let path = match path.strip_prefix("~/") {
            Some(rest) => directories::BaseDirs::new()
                .map(|d| d.home_dir().join(rest))
                .unwrap_or_else(|| PathBuf::from(path)),
            None => PathBuf::from(path),
        };
        Ok(CalendarSource::File(path))
    }

    /// A name for messages, without credentials.
    pub fn describe(&self) -> String {
        match self {
            CalendarSource::File(path) => path.display().to_string(),
            CalendarSource::Url { url, .. } => url.to_string(),
        }
    }
}

fn url_source(text: &str) -> Result<CalendarSource, SourceError> {
    let mut url = Url::parse(text).map_err(|_| SourceError::BadUrl(redact(text)))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(SourceError::BadUrl(redact(text)));
    }
    let user = Some(percent_decode(url.username())).filter(|u| !u.is_empty());
    let password = url.password().map(percent_decode);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Ok(CalendarSource::Url {
        url,
        user,
        password,
    })
}

/// The URL with anything between "://" and "@" hidden.
fn redact(text: &str) -> String {
    match (text.find("://"), text.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}***{}", &text[..s + 3], &text[at..]),
        _ => text.to_string(),
    }
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// A file's modification stamp, to re-read it only when it changed.
pub fn file_stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Reads a calendar file, at most [`MAX_CALENDAR_BYTES`]. Blocks.
pub fn read_file(path: &Path) -> Result<Vec<u8>, SourceError> {
    use std::io::Read;
    let fail = |reason: String| SourceError::File {
        path: path.display().to_string(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_CALENDAR_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    if bytes.len() > MAX_CALENDAR_BYTES {
        return Err(SourceError::TooLarge);
    }
    Ok(bytes)
}

/// An HTTP client for calendar downloads.
pub fn http_client() -> Result<reqwest::Client, SourceError> {
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .user_agent(format!("Hark/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| SourceError::Unreachable(e.to_string()))
}

/// GETs a calendar, answering one Digest or Basic challenge when
/// credentials are known.
pub async fn fetch(
    client: &reqwest::Client,
    url: &Url,
    user: Option<&str>,
    password: Option<&str>,
) -> Result<Vec<u8>, SourceError> {
    let mut authorization: Option<Auth> = None;
    loop {
        let mut request = client.get(url.clone());
        match &authorization {
            Some(Auth::Header(value)) => {
                if let Ok(value) = HeaderValue::from_str(value) {
                    request = request.header(AUTHORIZATION, value);
                }
            }
            Some(Auth::Basic) => request = request.basic_auth(user.unwrap_or(""), password),
            None => {}
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| SourceError::Unreachable(error_chain(&e)))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED {
            if authorization.is_some() {
                return Err(SourceError::Unauthorized);
            }
            let (Some(user), Some(password)) = (user, password) else {
                return Err(SourceError::Unauthorized);
            };
            let challenges: Vec<String> = response
                .headers()
                .get_all(WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_string))
                .collect();
            authorization =
                Some(answer(&challenges, user, password, url).ok_or(SourceError::Unauthorized)?);
            continue;
        }
        if !status.is_success() {
            return Err(SourceError::Http(status.as_u16()));
        }
        let announced = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > MAX_CALENDAR_BYTES as u64) {
            return Err(SourceError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| SourceError::Unreachable(error_chain(&e)))?
        {
            if body.len() + chunk.len() > MAX_CALENDAR_BYTES {
                return Err(SourceError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        return Ok(body);
    }
}

/// How to answer the server's challenges: Digest first, then Basic.
pub fn answer(challenges: &[String], user: &str, password: &str, url: &Url) -> Option<Auth> {
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let digest = challenges
        .iter()
        .filter_map(|c| Challenge::parse(c).ok())
        .find_map(|mut c| c.answer(user, password, "GET", &target).ok());
    if let Some(header) = digest {
        return Some(Auth::Header(header));
    }
    let basic = challenges.iter().any(|c| {
        c.split_whitespace()
            .next()
            .is_some_and(|s| s.eq_ignore_ascii_case("basic"))
    });
    basic.then_some(Auth::Basic)
}

/// How to answer a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// A ready Authorization value (Digest).
    Header(String),
    /// Basic with the user and password (reqwest encodes it).
    Basic,
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
#[path = "source_tests.rs"]
mod tests;
