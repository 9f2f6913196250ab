//! The softphone part of an account (SPEC C1-C6): one task per account
//! that owns its calls. It places calls the user asks for, takes incoming
//! INVITEs, routes each in-dialog request to its call by Call-ID (481 for
//! none), and hands user actions to the call they name. Each call runs in
//! its own task ([`driver`]) around the sans-IO `sip::call::CallMachine`,
//! with a media thread ([`media`]) once SDP is agreed.

mod audio_setup;
mod driver;
mod driver_sip;
mod line;
mod local;
mod media;

use std::collections::{BTreeSet, HashMap};
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
/// calls are up (for on-the-phone presence); and Do-not-disturb.
#[derive(Debug, Clone)]
pub(crate) struct CallRegistry {
    owners: Arc<Mutex<HashMap<String, String>>>,
    next: Arc<AtomicU64>,
    up: Arc<watch::Sender<BTreeSet<String>>>,
    dnd: Arc<AtomicBool>,
}

impl Default for CallRegistry {
    fn default() -> Self {
        CallRegistry {
            owners: Arc::default(),
            next: Arc::default(),
            up: Arc::new(watch::channel(BTreeSet::new()).0),
            dnd: Arc::default(),
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
        self.set_up(id, false);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.owners.lock().unwrap_or_else(|p| p.into_inner())
    }
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
    pub settings: CallSettings,
    pub endpoint: Arc<SipEndpoint>,
    pub identity: Identity,
    pub events: broadcast::Sender<Event>,
    pub registry: CallRegistry,
    /// INVITE, BYE, CANCEL, INFO, REFER... from the network.
    pub requests: mpsc::UnboundedReceiver<Transaction>,
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
    let shared = Arc::new(driver::Shared {
        line: line::spawn(setup.endpoint.clone(), setup.identity.clone()),
        registry: setup.registry.clone(),
        account: setup.account.clone(),
        settings: setup.settings.clone(),
        endpoint: setup.endpoint.clone(),
        identity: setup.identity.clone(),
        events: setup.events.clone(),
    });
    loop {
        tokio::select! {
            msg = ctl.recv() => match msg {
                Some(CallCtl::Place { id, uri }) => {
                    let (tx, sip_call_id) = driver::place(shared.clone(), id.clone(), uri, done_tx.clone());
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
                        let id = setup.registry.new_call(&setup.account.address);
                        let tx_call = driver::incoming(shared.clone(), id.clone(), tx, done_tx.clone());
                        calls.insert(id, Entry { tx: tx_call, sip_call_id: call_id });
                    }
                    None => refuse(tx, StatusCode::CallTransactionDoesNotExist),
                }
            }
            Some(id) = done_rx.recv() => {
                calls.remove(&id);
                setup.registry.forget(&id);
            }
        }
    }
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
