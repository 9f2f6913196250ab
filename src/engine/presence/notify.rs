//! NOTIFYs arriving in our subscriptions: matched to their dialog (481
//! when none), answered, and their bodies turned into presence views or
//! watcher lists.

use rsipstack::sip::StatusCode;
use rsipstack::transaction::transaction::Transaction;

use super::{unknown_view, SubKey, Task};
use crate::engine::api::{ContactAvailability, Event, LineState, PresenceUpdate, WatcherView};
use crate::engine::presence_view;
use crate::presence::dialog_info::{self, DialogUpdate};
use crate::presence::rlmi::{self, InstanceState, ListUpdate};
use crate::presence::watcherinfo::{self, ApplyOutcome};
use crate::sip::request::{header, tag_of};
use crate::sip::subscription::{self, NotifyState, SubscriptionState};

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
            let status = if self.ended.contains_key(&call_id) {
                StatusCode::OK // the last word of a subscription we ended
            } else {
                StatusCode::CallTransactionDoesNotExist
            };
            reply(tx, status);
            return;
        };
        let state = header(headers, "Subscription-State")
            .map(|v| NotifyState::parse(&v))
            .unwrap_or(NotifyState::Active { expires: None });
        let content_type = header(headers, "Content-Type").unwrap_or_default();
        let body = std::mem::take(&mut tx.original.body);
        if key == SubKey::List && !is_list_notify(&tx.original.headers, &content_type) {
            // Handled as an ordinary subscription to a user of that name:
            // the server has no list service (RFC 4662 §5.2).
            reply(tx, StatusCode::OK);
            tracing::info!(account = %self.account, "the server has no resource list service");
            self.feed(&SubKey::List, subscription::Input::Stop, now);
            self.leave_list_mode(now);
            return;
        }
        if let Some(sub) = self.subs.get_mut(&key) {
            sub.dialog.on_notify(&tx.original.headers);
        }
        reply(tx, StatusCode::OK);
        match &key {
            SubKey::Presence(uri) => {
                let uri = uri.clone();
                self.on_presence(&uri, &content_type, &body, &state);
            }
            SubKey::Line(uri) if !body.is_empty() => {
                let uri = uri.clone();
                self.on_dialog_info(&uri, &body, now);
            }
            SubKey::Winfo if !body.is_empty() => self.on_watcherinfo(&body, now),
            SubKey::Voicemail if !body.is_empty() => self.on_message_summary(&body),
            SubKey::List if !body.is_empty() => self.on_list(&content_type, &body, now),
            _ => {}
        }
        self.feed(&key, subscription::Input::Notify(state), now);
    }

    /// Our voicemail box's summary (RFC 3842) becomes a `voicemail` event.
    fn on_message_summary(&mut self, body: &[u8]) {
        match crate::sip::message_summary::parse(body) {
            Ok(summary) => {
                let voice = summary.voice().unwrap_or_default();
                let _ = self.events.send(Event::Voicemail {
                    account: self.account.clone(),
                    waiting: summary.messages_waiting,
                    new: voice.new,
                    old: voice.old,
                });
            }
            Err(e) => {
                tracing::info!(account = %self.account, "unreadable message summary: {e}");
            }
        }
    }

    /// A contact's presence document (or an empty NOTIFY) becomes their view.
    fn on_presence(&mut self, uri: &str, content_type: &str, body: &[u8], state: &NotifyState) {
        let key = SubKey::Presence(uri.to_string());
        let Some(sub) = self.subs.get_mut(&key) else {
            return;
        };
        if !body.is_empty() {
            let subscription = sub.view.subscription.clone();
            sub.view = match presence_view::view_of(content_type, body) {
                Ok(view) => PresenceUpdate {
                    contact: uri.to_string(),
                    subscription,
                    line: sub.view.line,
                    ..view
                },
                Err(e) => {
                    tracing::warn!(account = %self.account, contact = %uri, "unusable presence document: {e}");
                    PresenceUpdate {
                        subscription,
                        ..unknown_view(uri)
                    }
                }
            };
            self.changed.push(key);
        } else if matches!(state, NotifyState::Active { .. })
            && sub.view.availability == ContactAvailability::Unknown
        {
            // An allowed watcher told nothing: no one has published.
            sub.view.availability = ContactAvailability::Offline;
            self.changed.push(key);
        }
    }

    /// A resource list NOTIFY (RFC 4662): each resource that changed gets
    /// the view its document (or its state) says.
    fn on_list(&mut self, content_type: &str, body: &[u8], now: std::time::Instant) {
        let notify = match rlmi::parse_rls_notify(content_type, body) {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(account = %self.account, "unusable resource list NOTIFY: {e}");
                return;
            }
        };
        let changed = match self.list_state.apply(notify) {
            ListUpdate::Applied { changed, .. } => changed,
            ListUpdate::Stale { .. } => return,
            ListUpdate::NeedsRefresh { .. } => {
                tracing::info!(account = %self.account, "resource list version gap: subscribing afresh");
                self.list_state.reset();
                self.feed(&SubKey::List, subscription::Input::Restart, now);
                return;
            }
        };
        for uri in changed {
            let Some(resource) = self.list_state.resource(&uri) else {
                continue;
            };
            let key = SubKey::Presence(uri.clone());
            let Some(sub) = self.subs.get_mut(&key) else {
                continue; // on the server's list but not (or no longer) ours
            };
            let view = match (resource.state(), resource.document()) {
                (Some(InstanceState::Active), Some((ct, bytes))) => {
                    match presence_view::view_of(&ct.to_header_value(), bytes) {
                        Ok(view) => PresenceUpdate {
                            contact: uri.clone(),
                            subscription: SubscriptionState::Active,
                            ..view
                        },
                        Err(e) => {
                            tracing::warn!(account = %self.account, contact = %uri, "unusable presence document: {e}");
                            PresenceUpdate {
                                subscription: SubscriptionState::Active,
                                ..unknown_view(&uri)
                            }
                        }
                    }
                }
                (Some(InstanceState::Active), None) => PresenceUpdate {
                    subscription: SubscriptionState::Active,
                    availability: ContactAvailability::Offline,
                    ..unknown_view(&uri)
                },
                (Some(InstanceState::Terminated), _) => PresenceUpdate {
                    subscription: SubscriptionState::Refused {
                        reason: resource.reason().unwrap_or("terminated").to_string(),
                    },
                    ..unknown_view(&uri)
                },
                _ => PresenceUpdate {
                    subscription: SubscriptionState::Pending,
                    ..unknown_view(&uri)
                },
            };
            sub.view = view;
            self.changed.push(key);
        }
        self.schedule_flush();
    }

    /// A contact's dialog-info (RFC 4235): their line's state.
    fn on_dialog_info(&mut self, uri: &str, body: &[u8], now: std::time::Instant) {
        let info = match dialog_info::parse(body) {
            Ok(info) => info,
            Err(e) => {
                tracing::warn!(account = %self.account, contact = %uri, "unusable dialog-info: {e}");
                return;
            }
        };
        let table = self.lines.entry(uri.to_string()).or_default();
        let line = match table.apply(info) {
            DialogUpdate::Applied { line, .. } => line,
            DialogUpdate::Stale { .. } => return,
            DialogUpdate::NeedsRefresh { .. } => {
                self.feed(
                    &SubKey::Line(uri.to_string()),
                    subscription::Input::Restart,
                    now,
                );
                return;
            }
        };
        let line = match line {
            dialog_info::LineState::Idle => LineState::Idle,
            dialog_info::LineState::Dialing => LineState::Dialing,
            dialog_info::LineState::Ringing => LineState::Ringing,
            dialog_info::LineState::InCall => LineState::InCall,
        };
        let key = SubKey::Presence(uri.to_string());
        if let Some(sub) = self.subs.get_mut(&key) {
            if sub.view.line != Some(line) {
                sub.view.line = Some(line);
                self.changed.push(key);
                self.schedule_flush();
            }
        }
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
                self.feed(&SubKey::Winfo, subscription::Input::Restart, now);
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

/// A NOTIFY of a list subscription says `Require: eventlist` (RFC 4662
/// §5.2) or carries RLMI.
fn is_list_notify(headers: &rsipstack::sip::Headers, content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    header(headers, "Require").is_some_and(|r| r.to_ascii_lowercase().contains("eventlist"))
        || ct.starts_with("multipart/related")
        || ct.starts_with("application/rlmi+xml")
}
