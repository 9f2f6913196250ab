//! The softphone part of an account (SPEC C1-C6): one task per account
//! that owns its calls. It places calls the user asks for, takes incoming
//! INVITEs, routes each in-dialog request to its call by Call-ID (481 for
//! none), and hands user actions to the call they name. Each call runs in
//! its own task ([`driver`]) around the sans-IO `sip::call::CallMachine`,
//! with a media thread ([`media`]) once SDP is agreed.

mod audio_setup;
mod driver;
mod driver_sip;
mod history;
mod line;
mod local;
mod media;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rsipstack::sip::StatusCode;
use rsipstack::transaction::transaction::Transaction;
use tokio::sync::{broadcast, mpsc, watch};

use super::api::{CallAction, Event};
use crate::config::{AccountConfig, CallSettings};
use crate::sip::request::{header, Identity};
use crate::sip::SipEndpoint;

pub(crate) use driver::CallMsg;

/// Which account owns which call, shared by the engine (to route
/// `call_control`) and the accounts' call tasks; the id counter; which
/// calls are up (for on-the-phone presence); Do-not-disturb; and the
/// `[calls]` settings as they are now (changed at run time by
/// `set_call_settings`: new calls take them, calls in progress switch
/// devices).
#[derive(Debug, Clone)]
pub(crate) struct CallRegistry {
    owners: Arc<Mutex<HashMap<String, String>>>,
    next: Arc<AtomicU64>,
    up: Arc<watch::Sender<BTreeSet<String>>>,
    dnd: Arc<AtomicBool>,
    settings: Arc<watch::Sender<CallSettings>>,
    /// Each established call's dialog, for attended transfer and Replaces.
    dialogs: Arc<Mutex<HashMap<String, DialogIds>>>,
    /// What was last told of each call in progress (for `snapshot`).
    views: Arc<Mutex<BTreeMap<String, crate::engine::api::CallView>>>,
}

/// What identifies an established call's dialog (RFC 3891 Replaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DialogIds {
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: String,
    /// The other party's address.
    pub peer: String,
}

impl Default for CallRegistry {
    fn default() -> Self {
        CallRegistry {
            owners: Arc::default(),
            next: Arc::default(),
            up: Arc::new(watch::channel(BTreeSet::new()).0),
            dnd: Arc::default(),
            settings: Arc::new(watch::channel(CallSettings::default()).0),
            dialogs: Arc::default(),
            views: Arc::default(),
        }
    }
}

impl CallRegistry {
    /// Do not disturb: incoming calls are refused (486) or sent to
    /// voicemail, and never ring.
    pub(crate) fn set_dnd(&self, on: bool) {
        self.dnd.store(on, Ordering::Relaxed);
    }

    pub(crate) fn dnd(&self) -> bool {
        self.dnd.load(Ordering::Relaxed)
    }

    /// The `[calls]` settings now.
    pub(crate) fn settings(&self) -> CallSettings {
        self.settings.borrow().clone()
    }

    /// New settings: calls placed or taken from now on use them, and the
    /// calls in progress hear of them (to switch devices).
    pub(crate) fn set_settings(&self, settings: CallSettings) {
        self.settings.send_if_modified(|s| {
            let changed = *s != settings;
            *s = settings;
            changed
        });
    }

    /// Watches the settings.
    pub(crate) fn watch_settings(&self) -> watch::Receiver<CallSettings> {
        self.settings.subscribe()
    }

    /// Call `id` is up (answered) or not any more.
    pub(crate) fn set_up(&self, id: &str, up: bool) {
        self.up.send_if_modified(|set| {
            if up {
                set.insert(id.to_string())
            } else {
                set.remove(id)
            }
        });
    }

    /// The calls that are up now.
    pub(crate) fn up_calls(&self) -> Vec<String> {
        self.up.borrow().iter().cloned().collect()
    }

    /// Keeps what was told of a call; an ended call is forgotten.
    pub(crate) fn set_view(&self, view: &crate::engine::api::CallView) {
        let mut views = self.views.lock().unwrap_or_else(|p| p.into_inner());
        if view.phase == crate::engine::api::CallPhase::Ended {
            views.remove(&view.id);
        } else {
            views.insert(view.id.clone(), view.clone());
        }
    }

    /// The calls in progress as last told.
    pub(crate) fn views(&self) -> Vec<crate::engine::api::CallView> {
        let views = self.views.lock().unwrap_or_else(|p| p.into_inner());
        views.values().cloned().collect()
    }

    /// Some call is up (for forwarding on busy).
    pub(crate) fn any_up(&self) -> bool {
        !self.up.borrow().is_empty()
    }

    /// Watches the set of calls that are up.
    pub(crate) fn watch_up(&self) -> watch::Receiver<BTreeSet<String>> {
        self.up.subscribe()
    }

    /// A new call id (`c1`, `c2`...) owned by `account`.
    pub(crate) fn new_call(&self, account: &str) -> String {
        let id = format!("c{}", self.next.fetch_add(1, Ordering::Relaxed) + 1);
        self.lock().insert(id.clone(), account.to_string());
        id
    }

    /// The account a call belongs to.
    pub(crate) fn owner(&self, id: &str) -> Option<String> {
        self.lock().get(id).cloned()
    }

    fn forget(&self, id: &str) {
        self.lock().remove(id);
        self.views
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
        self.set_up(id, false);
        self.set_dialog(id, None);
    }

    /// Call `id`'s dialog while it is up.
    pub(crate) fn set_dialog(&self, id: &str, ids: Option<DialogIds>) {
        let mut dialogs = self.dialogs.lock().unwrap_or_else(|p| p.into_inner());
        match ids {
            Some(d) => dialogs.insert(id.to_string(), d),
            None => dialogs.remove(id),
        };
    }

    pub(crate) fn dialog(&self, id: &str) -> Option<DialogIds> {
        let dialogs = self.dialogs.lock().unwrap_or_else(|p| p.into_inner());
        dialogs.get(id).cloned()
    }

    /// The call whose dialog is (call-id, our tag, their tag).
    pub(crate) fn find_dialog(&self, call_id: &str, local: &str, remote: &str) -> Option<String> {
        let dialogs = self.dialogs.lock().unwrap_or_else(|p| p.into_inner());
        dialogs
            .iter()
            .find(|(_, d)| d.call_id == call_id && d.local_tag == local && d.remote_tag == remote)
            .map(|(id, _)| id.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.owners.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A call asks the account's call task to place the call a REFER names.
pub(crate) struct ReferRequest {
    pub from_call: String,
    pub target: String,
    pub replaces: Option<String>,
    pub referred_by: Option<String>,
}

/// Requests from the engine to an account's call task.
#[derive(Debug)]
pub(crate) enum CallCtl {
    /// Call `uri` as call `id` (already in the registry).
    Place {
        id: String,
        uri: String,
    },
    Control {
        id: String,
        action: CallAction,
    },
}

/// What the account task gives the call task.
pub(crate) struct CallTaskSetup {
    pub account: AccountConfig,
    pub endpoint: Arc<SipEndpoint>,
    pub identity: Identity,
    pub events: broadcast::Sender<Event>,
    pub registry: CallRegistry,
    /// INVITE, BYE, CANCEL, INFO, REFER... from the network.
    pub requests: mpsc::UnboundedReceiver<Transaction>,
    /// Where the call history is kept (None: nowhere).
    pub store: Option<Arc<Mutex<crate::store::Store>>>,
}

struct Entry {
    tx: mpsc::UnboundedSender<CallMsg>,
    sip_call_id: String,
}

/// Starts the account's call task.
pub(crate) fn spawn(setup: CallTaskSetup) -> mpsc::UnboundedSender<CallCtl> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(setup, rx));
    tx
}

async fn run(mut setup: CallTaskSetup, mut ctl: mpsc::UnboundedReceiver<CallCtl>) {
    let mut calls: HashMap<String, Entry> = HashMap::new();
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<String>();
    let (refer_tx, mut refer_rx) = mpsc::unbounded_channel::<ReferRequest>();
    let shared = Arc::new(driver::Shared {
        history: history::spawn(setup.store.clone()),
        refers: refer_tx,
        line: line::spawn(setup.endpoint.clone(), setup.identity.clone()),
        registry: setup.registry.clone(),
        account: setup.account.clone(),
        endpoint: setup.endpoint.clone(),
        identity: setup.identity.clone(),
        events: setup.events.clone(),
    });
    loop {
        tokio::select! {
            msg = ctl.recv() => match msg {
                Some(CallCtl::Place { id, uri }) => {
                    let (tx, sip_call_id) = driver::place(shared.clone(), id.clone(), uri, None, done_tx.clone());
                    calls.insert(id, Entry { tx, sip_call_id });
                }
                Some(CallCtl::Control { id, action }) => {
                    if let Some(c) = calls.get(&id) {
                        let _ = c.tx.send(CallMsg::Control(action));
                    }
                }
                None => break,
            },
            Some(tx) = setup.requests.recv() => {
                let call_id = header(&tx.original.headers, "Call-ID").unwrap_or_default();
                let existing = calls.values().find(|c| c.sip_call_id == call_id);
                match existing {
                    Some(c) => {
                        if let Err(mpsc::error::SendError(CallMsg::Request(tx))) = c.tx.send(CallMsg::Request(Box::new(tx))) {
                            refuse(*tx, StatusCode::CallTransactionDoesNotExist);
                        }
                    }
                    None if is_new_invite(&tx) => {
                        // RFC 3891: an INVITE that replaces one of our calls
                        // (we are the target of an attended transfer) is
                        // taken at once, and the old call ends.
                        let replaced = match replaces(&tx) {
                            None => None,
                            Some(r) => match setup.registry.find_dialog(&r.0, &r.1, &r.2) {
                                Some(old) => Some(old),
                                None => {
                                    refuse(tx, StatusCode::CallTransactionDoesNotExist);
                                    continue;
                                }
                            },
                        };
                        let id = setup.registry.new_call(&setup.account.address);
                        let tx_call = driver::incoming(shared.clone(), id.clone(), tx, done_tx.clone());
                        if let Some(old) = replaced.and_then(|old| calls.get(&old)) {
                            let _ = tx_call.send(CallMsg::Control(CallAction::Answer));
                            let _ = old.tx.send(CallMsg::Control(CallAction::Hangup));
                        }
                        calls.insert(id, Entry { tx: tx_call, sip_call_id: call_id });
                    }
                    None => refuse(tx, StatusCode::CallTransactionDoesNotExist),
                }
            }
            Some(r) = refer_rx.recv() => {
                // A peer asked one of our calls to call someone (transfer).
                let id = setup.registry.new_call(&setup.account.address);
                let (report_tx, report_rx) = mpsc::unbounded_channel();
                let referral = driver::Referral {
                    replaces: r.replaces,
                    referred_by: r.referred_by,
                    report: report_tx,
                };
                let (tx, sip_call_id) = driver::place(shared.clone(), id.clone(), r.target, Some(referral), done_tx.clone());
                calls.insert(id, Entry { tx, sip_call_id });
                if let Some(c) = calls.get(&r.from_call) {
                    let _ = c.tx.send(CallMsg::Referred(report_rx));
                }
            }
            Some(id) = done_rx.recv() => {
                calls.remove(&id);
                setup.registry.forget(&id);
            }
        }
    }
}

/// The dialog a `Replaces` header names: (Call-ID, our tag, their tag).
fn replaces(tx: &Transaction) -> Option<(String, String, String)> {
    let value = header(&tx.original.headers, "Replaces")?;
    let mut parts = value.split(';');
    let call_id = parts.next()?.trim().to_string();
    let (mut to, mut from) = (None, None);
    for p in parts {
        match p.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("to-tag") => {
                to = Some(v.trim().to_string())
            }
            Some((k, v)) if k.trim().eq_ignore_ascii_case("from-tag") => {
                from = Some(v.trim().to_string())
            }
            _ => {}
        }
    }
    Some((call_id, to?, from?))
}

/// An INVITE outside any dialog (no To tag).
fn is_new_invite(tx: &Transaction) -> bool {
    tx.original.method == rsipstack::sip::Method::Invite
        && header(&tx.original.headers, "To")
            .and_then(|v| crate::sip::request::tag_of(&v))
            .is_none()
}

fn refuse(mut tx: Transaction, status: StatusCode) {
    if tx.original.method == rsipstack::sip::Method::Ack {
        return;
    }
    tokio::spawn(async move {
        let _ = tx.reply(status).await;
    });
}
