//! The engine's call commands: `call` picks the account and a call id and
//! hands the call to the account's call task; `call_control` finds the
//! account that owns the call. Everything else happens in the account's
//! call task (`engine/call`).

use super::Engine;
use crate::engine::account::AccountCtl;
use crate::engine::api::{CallAction, Command, ErrorKind, Event};
use crate::engine::call::CallCtl;

type CommandResult = Result<(), (ErrorKind, String)>;

impl Engine {
    /// Call commands; each is answered `ok` or `error` (with its id).
    pub(super) fn handle_call(&mut self, id: Option<serde_json::Value>, command: Command) {
        let result = match command {
            Command::Call { account, uri } => self.place_call(account, &uri),
            Command::CallControl { call, action } => match self.calls.owner(&call) {
                Some(account) => {
                    // One call is active: taking or resuming one holds the others.
                    if matches!(action, CallAction::Answer | CallAction::Resume) {
                        self.hold_calls_but(&call);
                    }
                    self.tell_account(&account, CallCtl::Control { id: call, action });
                    Ok(())
                }
                None => Err((ErrorKind::BadArgument, format!("there is no call {call}"))),
            },
            other => unreachable!("not a call command: {other:?}"),
        };
        match result {
            Ok(()) => self.emit(Event::Ok { id }),
            Err((kind, message)) => self.emit(Event::Error { id, kind, message }),
        }
    }

    /// `call_history` and `mark_calls_seen`, from the store.
    pub(super) async fn handle_call_history(
        &mut self,
        id: Option<serde_json::Value>,
        command: Command,
    ) {
        let Some(store) = self.store.clone() else {
            self.emit(Event::Error {
                id,
                kind: ErrorKind::Failed,
                message: "the database could not be opened, so no call history is kept".into(),
            });
            return;
        };
        let result = match command {
            Command::CallHistory {
                filter,
                before,
                limit,
            } => {
                let limit = limit.unwrap_or(50).clamp(1, 500);
                crate::engine::with_store(&store, move |s| {
                    let mut calls = s.calls(&filter, before, limit + 1)?;
                    let more = calls.len() > limit;
                    calls.truncate(limit);
                    Ok::<_, crate::store::StoreError>((calls, more, s.unseen_missed_calls(None)?))
                })
                .await
                .map(|(calls, more, missed_unseen)| {
                    self.emit(Event::CallHistory {
                        id: id.clone(),
                        calls,
                        more,
                        missed_unseen,
                    })
                })
            }
            Command::MarkCallsSeen { account } => crate::engine::with_store(&store, move |s| {
                s.mark_missed_calls_seen(account.as_deref()).map(|_| ())
            })
            .await
            .map(|()| self.emit(Event::Ok { id: id.clone() })),
            other => unreachable!("not a call history command: {other:?}"),
        };
        if let Err(e) = result {
            self.emit(Event::Error {
                id,
                kind: ErrorKind::Failed,
                message: format!("call history: {e}"),
            });
        }
    }

    fn place_call(&mut self, account: Option<String>, uri: &str) -> CommandResult {
        let account = match account {
            Some(a) if self.configs.contains_key(&a) => a,
            Some(a) => return Err(super::no_such_account(&a)),
            None => self.configs.keys().next().cloned().ok_or((
                ErrorKind::BadArgument,
                "there is no account to call from".to_string(),
            ))?,
        };
        let domain = self
            .configs
            .get(&account)
            .map(|c| c.domain().to_string())
            .unwrap_or_default();
        let target = call_target(uri, &domain).ok_or_else(|| {
            (
                ErrorKind::BadArgument,
                format!("{uri:?} is not an address to call"),
            )
        })?;
        let id = self.calls.new_call(&account);
        self.hold_calls_but(&id);
        self.tell_account(&account, CallCtl::Place { id, uri: target });
        Ok(())
    }

    /// Puts every call that is up on hold, except `keep` (held calls
    /// stay as they are).
    fn hold_calls_but(&self, keep: &str) {
        for id in self.calls.up_calls() {
            if id == keep {
                continue;
            }
            if let Some(account) = self.calls.owner(&id) {
                let action = CallAction::Hold;
                self.tell_account(&account, CallCtl::Control { id, action });
            }
        }
    }

    fn tell_account(&self, account: &str, msg: CallCtl) {
        if let Some(a) = self.accounts.get(account) {
            let _ = a.ctl.send(AccountCtl::Call(msg));
        }
    }
}

/// The SIP address to call for what the user typed: a `sip:`/`sips:`
/// address as is, `tel:` numbers and bare numbers or user names at the
/// account's domain.
pub(crate) fn call_target(input: &str, domain: &str) -> Option<String> {
    let input = input.trim();
    if input.is_empty() || input.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let lower = input.to_ascii_lowercase();
    if lower.starts_with("sip:") || lower.starts_with("sips:") {
        let uri = rsipstack::sip::Uri::try_from(input).ok()?;
        return Some(uri.to_string());
    }
    let user = match lower.strip_prefix("tel:") {
        Some(_) => input[4..]
            .split(';')
            .next()?
            .chars()
            .filter(|c| !matches!(c, '-' | '.' | '(' | ')'))
            .collect::<String>(),
        None => input.to_string(),
    };
    if user.is_empty() {
        return None;
    }
    let address = if user.contains('@') {
        format!("sip:{user}")
    } else {
        format!("sip:{user}@{domain}")
    };
    rsipstack::sip::Uri::try_from(address.as_str())
        .ok()
        .map(|u| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::call_target;

    #[test]
    fn what_the_user_types_becomes_an_address() {
        assert_eq!(
            call_target("sip:bob@example.com", "x").as_deref(),
            Some("sip:bob@example.com")
        );
        assert_eq!(
            call_target("bob", "example.com").as_deref(),
            Some("sip:bob@example.com")
        );
        assert_eq!(
            call_target("bob@other.org", "example.com").as_deref(),
            Some("sip:bob@other.org")
        );
        assert_eq!(
            call_target("tel:+1-555-0100", "example.com").as_deref(),
            Some("sip:+15550100@example.com")
        );
        assert_eq!(call_target("", "example.com"), None);
        assert_eq!(call_target("bob smith", "example.com"), None);
        assert_eq!(call_target("tel:", "example.com"), None);
    }
}
