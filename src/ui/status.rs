//! Registration states in plain, translated words: the short headline next
//! to the status dot ("Online", "Retrying in 8 s: the server is not
//! answering"), and for failures a sentence that names the cause and what to
//! do. Pure functions of the state, so tests can check the words directly.

use std::time::Duration;

use crate::engine::{FailureKind, FailureReason, RegistrationState};
use crate::i18n::I18n;

use super::theme::Dot;

/// Everything the window shows about one account's registration.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusText {
    pub dot: Dot,
    /// One line next to the dot.
    pub headline: String,
    /// A whole sentence under it, when something went wrong.
    pub explanation: Option<String>,
    /// Technical specifics (status line, OS error), smaller.
    pub detail: Option<String>,
    /// Whether "Retry now" makes sense.
    pub can_retry: bool,
    /// Only the user can fix it (password, user name): "Edit account" is
    /// the main action.
    pub needs_user: bool,
}

/// The address as people write it: `alice@example.com` for `sip:alice@example.com`.
pub fn display_address(address: &str) -> &str {
    let a = address.trim();
    match a.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("sip:") => &a[4..],
        _ => a,
    }
}

/// Describes `state` of `account`; `retry_in` is the time left before the
/// engine tries again by itself (only used for `Retrying`).
pub fn describe(
    i18n: &I18n,
    account: &str,
    state: &RegistrationState,
    retry_in: Option<Duration>,
) -> StatusText {
    let plain = |dot, id: &str| StatusText {
        dot,
        headline: i18n.tr(id),
        explanation: None,
        detail: None,
        can_retry: false,
        needs_user: false,
    };
    match state {
        RegistrationState::Unregistered => plain(Dot::Grey, "state-offline"),
        RegistrationState::Registering => plain(Dot::Amber, "state-connecting"),
        RegistrationState::Registered { .. } => plain(Dot::Green, "state-online"),
        RegistrationState::Retrying {
            reason,
            retry_in_ms,
        } => {
            let left = retry_in.unwrap_or(Duration::from_millis(*retry_in_ms));
            let seconds = left.as_millis().div_ceil(1000) as u64;
            let clause = retry_clause(i18n, reason);
            let headline = if seconds == 0 {
                i18n.tr_args("state-retrying-now", &[("reason", clause.into())])
            } else {
                i18n.tr_args(
                    "state-retrying",
                    &[("seconds", seconds.into()), ("reason", clause.into())],
                )
            };
            StatusText {
                dot: Dot::Orange,
                headline,
                explanation: None,
                detail: detail_line(i18n, reason),
                can_retry: true,
                needs_user: false,
            }
        }
        RegistrationState::Failed { reason } => StatusText {
            dot: Dot::Red,
            headline: i18n.tr("state-not-connected"),
            explanation: Some(failure_sentence(i18n, account, reason)),
            detail: detail_line(i18n, reason),
            can_retry: true,
            needs_user: reason.kind.needs_user(),
        },
    }
}

/// The sentence for a failure, e.g. "The server did not accept the password
/// for alice@hark.test. Check the password."
pub fn failure_sentence(i18n: &I18n, account: &str, reason: &FailureReason) -> String {
    let id = match reason.kind {
        FailureKind::WrongPassword => "failure-wrong-password",
        FailureKind::UnknownUser => "failure-unknown-user",
        FailureKind::Forbidden => "failure-forbidden",
        FailureKind::Timeout => "failure-timeout",
        FailureKind::ConnectionRefused => "failure-connection-refused",
        FailureKind::NameNotFound => "failure-name-not-found",
        FailureKind::ServerLost => "failure-server-lost",
        FailureKind::ServerError if reason.detail.trim().is_empty() => "failure-server-error",
        FailureKind::ServerError => "failure-server-error-detail",
        FailureKind::Network => "failure-network",
        FailureKind::NoPassword => "failure-no-password",
        FailureKind::BadSettings => "failure-bad-settings",
    };
    i18n.tr_args(
        id,
        &[
            ("account", display_address(account).into()),
            ("detail", reason.detail.trim().into()),
        ],
    )
}

/// The clause that completes "Retrying in 8 s: …".
pub fn retry_clause(i18n: &I18n, reason: &FailureReason) -> String {
    let id = match reason.kind {
        FailureKind::WrongPassword => "retry-reason-wrong-password",
        FailureKind::UnknownUser => "retry-reason-unknown-user",
        FailureKind::Forbidden => "retry-reason-forbidden",
        FailureKind::Timeout => "retry-reason-timeout",
        FailureKind::ConnectionRefused => "retry-reason-connection-refused",
        FailureKind::NameNotFound => "retry-reason-name-not-found",
        FailureKind::ServerLost => "retry-reason-server-lost",
        FailureKind::ServerError if reason.detail.trim().is_empty() => "retry-reason-server-error",
        FailureKind::ServerError => "retry-reason-server-error-detail",
        FailureKind::Network => "retry-reason-network",
        FailureKind::NoPassword => "retry-reason-no-password",
        FailureKind::BadSettings => "retry-reason-bad-settings",
    };
    i18n.tr_args(id, &[("detail", reason.detail.trim().into())])
}

/// "Details: …" for the technical specifics, unless the sentence already has them.
fn detail_line(i18n: &I18n, reason: &FailureReason) -> Option<String> {
    let detail = reason.detail.trim();
    (!detail.is_empty() && reason.kind != FailureKind::ServerError)
        .then(|| i18n.tr_args("failure-detail", &[("detail", detail.into())]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    fn reason(kind: FailureKind, detail: &str) -> FailureReason {
        FailureReason {
            kind,
            detail: detail.into(),
        }
    }

    #[test]
    fn plain_words_for_each_state() {
        let i18n = I18n::for_language(Language::EnUs);
        let a = "sip:alice@hark.test";
        let d = |s| describe(&i18n, a, &s, None);
        assert_eq!(d(RegistrationState::Registering).headline, "Connecting…");
        assert_eq!(
            d(RegistrationState::Registered { expires: 600 }).headline,
            "Online"
        );
        assert_eq!(d(RegistrationState::Unregistered).headline, "Offline");
        let retrying = d(RegistrationState::Retrying {
            reason: reason(FailureKind::Timeout, ""),
            retry_in_ms: 8000,
        });
        assert_eq!(
            retrying.headline,
            "Retrying in 8 s: the server is not answering"
        );
        assert!(retrying.can_retry);
        let failed = d(RegistrationState::Failed {
            reason: reason(FailureKind::WrongPassword, "401 Unauthorized"),
        });
        assert_eq!(
            failed.explanation.as_deref(),
            Some("The server did not accept the password for alice@hark.test. Check the password.")
        );
        assert_eq!(failed.detail.as_deref(), Some("Details: 401 Unauthorized"));
    }

    #[test]
    fn every_failure_kind_has_words_in_every_language() {
        use FailureKind::*;
        let kinds = [
            WrongPassword,
            UnknownUser,
            Forbidden,
            Timeout,
            ConnectionRefused,
            NameNotFound,
            ServerLost,
            ServerError,
            Network,
            NoPassword,
            BadSettings,
        ];
        for lang in Language::ALL {
            let i18n = I18n::for_language(lang);
            for kind in kinds {
                for detail in ["", "503 Service Unavailable"] {
                    let r = reason(kind, detail);
                    let s = failure_sentence(&i18n, "sip:alice@hark.test", &r);
                    let c = retry_clause(&i18n, &r);
                    assert!(
                        !s.contains("failure-") && !c.contains("retry-"),
                        "{s} / {c}"
                    );
                    assert!(!s.contains('{') && !c.contains('{'), "{s} / {c}");
                    assert!(!s.contains("sip:"), "{s}");
                    if kind == ServerError && !detail.is_empty() {
                        assert!(s.contains(detail) && c.contains(detail));
                    }
                }
            }
        }
    }

    #[test]
    fn strips_the_scheme() {
        assert_eq!(display_address("sip:bob@x.org"), "bob@x.org");
        assert_eq!(display_address("SIP:bob@x.org"), "bob@x.org");
        assert_eq!(display_address("bob@x.org"), "bob@x.org");
    }
}
