//! NOTIFYs arriving in our subscriptions: matched to their dialog (481
//! when none), answered, and their bodies turned into presence views or
//! watcher lists.

use rsipstack::sip::StatusCode;
use rsipstack::transaction::transaction::Transaction;

use super::{unknown_view, SubKey, Task};
use crate::engine::api::{ContactAvailability, Event, PresenceUpdate, WatcherView};
use crate::engine::presence_view;
use crate::presence::watcherinfo::{self, ApplyOutcome};
use crate::sip::request::{header, tag_of};
use crate::sip::subscription::{self, NotifyState};

impl Task {
    pub(super) fn on_notify(&mut self, mut tx: Transaction) {
        let now = std::time::Instant::now();
        let headers = &tx.original.headers;
        let call_id = header(headers, "Call-ID").unwrap_or_default();
        let to_tag = header(headers, "To").and_then(|v| tag_of(&v));
        let from_tag = header(headers, "From").and_then(|v| tag_of(&v));
        let key = self.by_call_id.get(&call_id).cloned().filter(|k| {
            self.subs.get(k).is_some_and(|s| {
                s.dialog
                    .matches(&call_id, to_tag.as_deref(), from_tag.as_deref())
            })
        });
        let Some(key) = key else {
            reply(tx, StatusCode::CallTransactionDoesNotExist);
            return;
        };
        let state = header(headers, "Subscription-State")
            .map(|v| NotifyState::parse(&v))
            .unwrap_or(NotifyState::Active { expires: None });
        let content_type = header(headers, "Content-Type").unwrap_or_default();
        let body = std::mem::take(&mut tx.original.body);
        if key == SubKey::Winfo {
            if let Some(sub) = self.subs.get_mut(&key) {
                sub.dialog.on_notify(&tx.original.headers);
            }
            reply(tx, StatusCode::OK);
            if !body.is_empty() {
                self.on_watcherinfo(&body, now);
            }
            self.feed(&key, subscription::Input::Notify(state), now);
            return;
        }
        if let Some(sub) = self.subs.get_mut(&key) {
            sub.dialog.on_notify(&tx.original.headers);
            if !body.is_empty() {
                let SubKey::Presence(uri) = &key else {
                    unreachable!("winfo handled above");
                };
                match presence_view::view_of(&content_type, &body) {
                    Ok(view) => {
                        let subscription = sub.view.subscription.clone();
                        sub.view = PresenceUpdate {
                            contact: uri.clone(),
                            subscription,
                            ..view
                        };
                    }
                    Err(e) => {
                        tracing::warn!(account = %self.account, contact = %uri, "unusable presence document: {e}");
                        let subscription = sub.view.subscription.clone();
                        sub.view = PresenceUpdate {
                            subscription,
                            ..unknown_view(uri)
                        };
                    }
                }
                self.changed.push(key.clone());
            } else if matches!(state, NotifyState::Active { .. })
                && sub.view.availability == ContactAvailability::Unknown
            {
                // An allowed watcher told nothing: no one has published.
                sub.view.availability = ContactAvailability::Offline;
                self.changed.push(key.clone());
            }
        }
        reply(tx, StatusCode::OK);
        self.feed(&key, subscription::Input::Notify(state), now);
    }

    fn on_watcherinfo(&mut self, body: &[u8], now: std::time::Instant) {
        let info = match watcherinfo::parse(body) {
            Ok(info) => info,
            Err(e) => {
                tracing::warn!(account = %self.account, "unusable watcherinfo document: {e}");
                return;
            }
        };
        match self.watchers.apply(&info) {
            ApplyOutcome::Applied => {
                let watchers = self
                    .watchers
                    .watchers()
                    .map(|w| WatcherView {
                        uri: w.uri.clone(),
                        display_name: w.display_name.clone(),
                        status: w.status.as_str().to_string(),
                    })
                    .collect();
                let _ = self.events.send(Event::Watchers {
                    account: self.account.clone(),
                    watchers,
                });
            }
            ApplyOutcome::Stale { .. } => {}
            ApplyOutcome::ResyncNeeded { .. } => {
                tracing::info!(account = %self.account, "watcherinfo version gap: subscribing afresh");
                self.feed(&SubKey::Winfo, subscription::Input::Reset, now);
            }
        }
    }
}

fn reply(mut tx: Transaction, status: StatusCode) {
    tokio::spawn(async move {
        if let Err(e) = tx.reply(status).await {
            tracing::debug!("NOTIFY reply failed: {e}");
        }
    });
}
