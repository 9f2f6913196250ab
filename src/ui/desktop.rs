//! What the window asks of the desktop: a notification for a chat message,
//! an incoming call or a missed one (freedesktop notifications through
//! `notify-rust`, SPEC D3) and opening
//! a web link in the browser (`xdg-open`). Both run on a thread of their
//! own so the window never waits for them; failures (no notification
//! daemon, no browser) are only logged.
//!
//! Tests and previews use [`Desktop::recorder`], which keeps what would
//! have been shown or opened instead of touching the desktop.

use std::sync::{Arc, Mutex};

use super::chat::{notification_text, preview};

/// Longest message text shown in a notification, in characters.
const NOTIFICATION_CHARS: usize = 200;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Topic {
    #[default]
    Message,
    IncomingCall,
    MissedCall,
}

impl Topic {
    /// The icon name and the freedesktop category.
    fn icon_and_category(self) -> (&'static str, &'static str) {
        match self {
            Topic::Message => ("mail-message-new", "im.received"),
            Topic::IncomingCall => ("call-start", "call.incoming"),
            Topic::MissedCall => ("call-missed", "call.unanswered"),
        }
    }
}

/// A desktop notification about a chat message or a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub topic: Topic,
    pub account: String,
    pub peer: String,
    /// The sender's name.
    pub summary: String,
    /// The message, shortened, as plain text (escaped when sent).
    pub body: String,
}

/// What a [`Desktop::recorder`] kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    pub notifications: Vec<Notification>,
    pub opened: Vec<String>,
}

/// The desktop, or a stand-in for it.
#[derive(Debug, Clone, Default)]
pub enum Desktop {
    /// The real one.
    #[default]
    System,
    /// Keeps notifications and links instead.
    Recorder(Arc<Mutex<Recorded>>),
}

impl Desktop {
    /// A stand-in and what it records.
    pub fn recorder() -> (Desktop, Arc<Mutex<Recorded>>) {
        let recorded = Arc::new(Mutex::new(Recorded::default()));
        (Desktop::Recorder(recorded.clone()), recorded)
    }

    /// Shows a notification for a message from `summary` (its sender).
    pub fn notify(&self, account: &str, peer: &str, summary: &str, body: &str) {
        self.notify_about(Topic::Message, account, peer, summary, body);
    }

    /// Shows a notification about `topic`: `summary` is its title, `body`
    /// plain text.
    pub fn notify_about(&self, topic: Topic, account: &str, peer: &str, summary: &str, body: &str) {
        let notification = Notification {
            topic,
            account: account.to_string(),
            peer: peer.to_string(),
            summary: summary.to_string(),
            body: preview(body, NOTIFICATION_CHARS),
        };
        match self {
            Desktop::Recorder(recorded) => {
                if let Ok(mut r) = recorded.lock() {
                    r.notifications.push(notification);
                }
            }
            Desktop::System => {
                let spawned = std::thread::Builder::new()
                    .name("hark-notify".into())
                    .spawn(move || show_notification(&notification));
                if let Err(e) = spawned {
                    tracing::warn!(error = %e, "could not start the notification thread");
                }
            }
        }
    }

    /// Opens a web address in the desktop's browser.
    pub fn open_url(&self, url: &str) {
        let url = url.to_string();
        match self {
            Desktop::Recorder(recorded) => {
                if let Ok(mut r) = recorded.lock() {
                    r.opened.push(url);
                }
            }
            Desktop::System => {
                // Only web addresses get here (see chat::LinkTarget), so the
                // argument never starts with "-".
                let spawned =
                    std::thread::Builder::new()
                        .name("hark-open".into())
                        .spawn(move || {
                            let status = std::process::Command::new("xdg-open")
                                .arg(&url)
                                .stdin(std::process::Stdio::null())
                                .stdout(std::process::Stdio::null())
                                .stderr(std::process::Stdio::null())
                                .status();
                            match status {
                                Ok(s) if s.success() => {}
                                Ok(s) => {
                                    tracing::warn!(%url, %s, "xdg-open could not open the link")
                                }
                                Err(e) => {
                                    tracing::warn!(%url, error = %e, "could not run xdg-open")
                                }
                            }
                        });
                if let Err(e) = spawned {
                    tracing::warn!(error = %e, "could not start the thread that opens links");
                }
            }
        }
    }
}

fn show_notification(n: &Notification) {
    let (icon, category) = n.topic.icon_and_category();
    let shown = notify_rust::Notification::new()
        .appname("Hark")
        .summary(&n.summary)
        .body(&notification_text(&n.body))
        .icon(icon)
        .hint(notify_rust::Hint::Category(category.into()))
        .show();
    if let Err(e) = shown {
        tracing::info!(error = %e, peer = %n.peer, "no desktop notification shown");
    }
}
