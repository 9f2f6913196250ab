//! Writes an account's calls into the call history (SPEC C7) in the order
//! they happen: a row when a call starts (idempotent on its Call-ID), its
//! answer, its end with the reason. One task per account so the writes of
//! one call never overtake each other; SQLite work runs off the async
//! threads (`engine::with_store`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use crate::engine::api::CallView;
use crate::store::calls::{CallEnd, NewCall};
use crate::store::Store;

/// What happened to a call (`id`: the engine's call id).
#[derive(Debug)]
pub(crate) enum HistoryOp {
    Started {
        id: String,
        call: NewCall,
    },
    Answered {
        id: String,
        at: i64,
    },
    Ended {
        id: String,
        at: i64,
        reason: CallEnd,
    },
}

/// The `detail` of a call Do-not-disturb turned away.
pub(crate) const DND_DETAIL: &str = "do not disturb";

impl HistoryOp {
    /// The row for call `v`, known by its SIP Call-ID (one is made up for
    /// a call that never had a dialog).
    pub(crate) fn started(v: &CallView, call_id: Option<String>) -> HistoryOp {
        HistoryOp::Started {
            id: v.id.clone(),
            call: NewCall {
                account: v.account.clone(),
                call_id: call_id.unwrap_or_else(|| format!("{}-{}@hark", v.id, v.started_ms)),
                peer: v.peer.clone(),
                peer_name: v.peer_name.clone(),
                direction: v.direction,
                started: v.started_ms,
            },
        }
    }

    /// The end of call `v` now, with the history's reason for its view's.
    pub(crate) fn ended(v: &CallView) -> HistoryOp {
        let reason = match (v.end_reason.as_deref(), v.detail.as_deref()) {
            (_, Some(DND_DETAIL)) => CallEnd::Dnd,
            (Some(token), _) => CallEnd::from_view_reason(token),
            (None, _) => CallEnd::Failed,
        };
        HistoryOp::Ended {
            id: v.id.clone(),
            at: crate::engine::im::view::now_ms(),
            reason,
        }
    }
}

/// Starts the writer; None without a store (nothing is kept).
pub(crate) fn spawn(store: Option<Arc<Mutex<Store>>>) -> mpsc::UnboundedSender<HistoryOp> {
    let (tx, mut rx) = mpsc::unbounded_channel::<HistoryOp>();
    tokio::spawn(async move {
        let Some(store) = store else {
            while rx.recv().await.is_some() {}
            return;
        };
        let mut rows: HashMap<String, i64> = HashMap::new();
        while let Some(op) = rx.recv().await {
            match op {
                HistoryOp::Started { id, call } => {
                    let r = crate::engine::with_store(&store, move |s| s.record_call(&call)).await;
                    match r {
                        Ok(row) => {
                            rows.insert(id, row);
                        }
                        Err(e) => tracing::warn!("call history: {e}"),
                    }
                }
                HistoryOp::Answered { id, at } => {
                    if let Some(&row) = rows.get(&id) {
                        let r = crate::engine::with_store(&store, move |s| {
                            s.mark_call_answered(row, at)
                        })
                        .await;
                        if let Err(e) = r {
                            tracing::warn!("call history: {e}");
                        }
                    }
                }
                HistoryOp::Ended { id, at, reason } => {
                    if let Some(row) = rows.remove(&id) {
                        let r = crate::engine::with_store(&store, move |s| {
                            s.mark_call_ended(row, at, reason)
                        })
                        .await;
                        if let Err(e) = r {
                            tracing::warn!("call history: {e}");
                        }
                    }
                }
            }
        }
    });
    tx
}
