//! Who may see the user's presence (SPEC P8): a decision on a watcher is
//! written into the user's pres-rules document on the XCAP server, which
//! the presence server enforces. The write is conditional (If-Match), so a
//! rule another client added meanwhile is kept; a server that cannot be
//! reached is tried again, and the user is told, so no decision is lost.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::broadcast;

use super::api::{ErrorKind, Event, WatcherDecision};
use crate::presence::pres_rules::{self, SubHandling, AUTH_POLICY_MIME};
use crate::presence::xcap::{
    Auid, ConditionalWrite, WriteFailure, WriteStep, XcapFailure, XcapRoot,
};
use crate::xcap::XcapClient;

/// Attempts when the server cannot be reached or fails (5xx).
const ATTEMPTS: u32 = 6;
/// PUTs per attempt when the document keeps changing under us (412).
const CONFLICT_ATTEMPTS: u32 = 4;

/// One account's XCAP server.
pub(crate) struct XcapAccount {
    pub client: XcapClient,
    pub root: XcapRoot,
    /// The XCAP user id: the account's address.
    pub xui: String,
}

fn handling(decision: WatcherDecision) -> SubHandling {
    match decision {
        WatcherDecision::Allow => SubHandling::Allow,
        WatcherDecision::Block => SubHandling::Block,
        WatcherDecision::PoliteBlock => SubHandling::PoliteBlock,
    }
}

/// Writes the decision; answers the command `id` with `ok` or `error`.
pub(crate) async fn decide(
    xcap: Arc<XcapAccount>,
    watcher: String,
    decision: WatcherDecision,
    events: broadcast::Sender<Event>,
    id: Option<Value>,
) {
    let url = xcap.root.user_document_url(Auid::PresRules, &xcap.xui);
    let sub_handling = handling(decision);
    let mut delay = Duration::from_secs(1);
    for attempt in 1..=ATTEMPTS {
        let target = watcher.clone();
        let edit = move |current: Option<&[u8]>| -> Result<String, String> {
            let ruleset = match current {
                Some(bytes) => pres_rules::parse(bytes).map_err(|e| {
                    format!("the presence rules stored on the server cannot be read ({e}); they were left as they are")
                })?,
                None => pres_rules::Ruleset::default(),
            };
            Ok(pres_rules::build(&pres_rules::set_watcher(
                &ruleset,
                &target,
                sub_handling,
            )))
        };
        let mut write =
            ConditionalWrite::new(url.clone(), AUTH_POLICY_MIME, edit, CONFLICT_ATTEMPTS);
        let retry_reason = match xcap.client.write(&mut write, None).await {
            Ok(WriteStep::Done { .. }) => {
                tracing::info!(%watcher, ?decision, "presence rule written");
                let _ = events.send(Event::Ok { id });
                return;
            }
            Ok(WriteStep::Failed(WriteFailure::Xcap(XcapFailure::Server(code)))) => {
                format!("the XCAP server failed (error {code})")
            }
            Ok(WriteStep::Failed(failure)) => {
                let message = match failure {
                    WriteFailure::Xcap(f) => f.user_message(),
                    WriteFailure::Edit(why) => why,
                    WriteFailure::TooManyConflicts { attempts } => format!(
                        "the presence rules kept changing on the server; gave up after {attempts} tries"
                    ),
                    WriteFailure::OutOfOrder => "internal error while writing the presence rules".into(),
                };
                let _ = events.send(Event::Error {
                    id,
                    kind: ErrorKind::Failed,
                    message,
                });
                return;
            }
            Ok(_) => "unexpected XCAP state".to_string(),
            Err(e) => e.to_string(),
        };
        if attempt == ATTEMPTS {
            let _ = events.send(Event::Error {
                id,
                kind: ErrorKind::Failed,
                message: format!("the decision on {watcher} could not be saved: {retry_reason}"),
            });
            return;
        }
        let _ = events.send(Event::Warning {
            message: format!(
                "the decision on {watcher} is not saved yet ({retry_reason}); trying again in {} s",
                delay.as_secs()
            ),
        });
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(30));
    }
}
