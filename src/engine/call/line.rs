//! The account's phone line for busy-lamp watchers (SPEC P5, RFC 4235):
//! every change of a call goes into a full `dialog-info` document about
//! all of the account's calls, PUBLISHed (Event: dialog) through the
//! sans-IO `PublicationMachine`, refreshed, and removed when the account
//! stops. Kamailio's presence_dialoginfo hands it to the watchers.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;

use crate::presence::dialog_info::{self, OwnCall, DIALOG_INFO_CONTENT_TYPE};
use crate::sip::publication::{self, PublicationMachine, PublicationPolicy};
use crate::sip::request::{self, Identity};
use crate::sip::SipEndpoint;

/// One call's line state (None: the call is over).
pub(crate) type LineUpdate = (String, Option<OwnCall>);

/// Starts the publisher; send it each call's state as it changes.
pub(crate) fn spawn(
    endpoint: Arc<SipEndpoint>,
    identity: Identity,
) -> mpsc::UnboundedSender<LineUpdate> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(endpoint, identity, rx));
    tx
}

async fn run(
    endpoint: Arc<SipEndpoint>,
    identity: Identity,
    mut updates: mpsc::UnboundedReceiver<LineUpdate>,
) {
    let mut calls: BTreeMap<String, OwnCall> = BTreeMap::new();
    let mut machine = PublicationMachine::new(PublicationPolicy::default());
    let mut version = 0u32;
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<request::Reply>();
    let mut published_once = false;
    let mut closed = false;
    loop {
        let wake = machine.poll_timeout().map(tokio::time::Instant::from_std);
        let outputs = tokio::select! {
            update = updates.recv(), if !closed => match update {
                None => {
                    closed = true;
                    if !published_once {
                        return;
                    }
                    machine.handle_input(publication::Input::Stop, Instant::now())
                }
                Some((id, call)) => {
                    match call {
                        Some(c) => calls.insert(id, c),
                        None => calls.remove(&id),
                    };
                    // A line that never had a call needs no document.
                    if calls.is_empty() && !published_once {
                        continue;
                    }
                    published_once = true;
                    version = version.wrapping_add(1);
                    let list: Vec<OwnCall> = calls.values().cloned().collect();
                    let doc =
                        dialog_info::publish_document(&identity.aor.to_string(), version, &list);
                    let body = dialog_info::to_xml(&doc).into_bytes();
                    machine.handle_input(publication::Input::Publish(body), Instant::now())
                }
            },
            Some(reply) = done_rx.recv() => {
                machine.handle_input(publication::Input::response(&reply), Instant::now())
            }
            _ = crate::engine::sleep_until(wake) => machine.handle_timeout(Instant::now()),
        };
        for output in outputs {
            match output {
                publication::Output::Send(p) => {
                    let mut spec = p.request(&identity.aor, "dialog", DIALOG_INFO_CONTENT_TYPE);
                    let (endpoint, identity, done) =
                        (endpoint.clone(), identity.clone(), done_tx.clone());
                    tokio::spawn(async move {
                        let _ = done.send(request::send(&endpoint, &identity, &mut spec).await);
                    });
                }
                publication::Output::State(state) => {
                    tracing::debug!(?state, "line publication");
                }
                publication::Output::Finished => return,
            }
        }
    }
}
