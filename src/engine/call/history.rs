//! Writes an account's calls into the call history (SPEC C7) in the order
//! they happen: a row when a call starts (idempotent on its Call-ID), its
//! answer, its end with the reason. One task per account so the writes of
//! one call never overtake each other; SQLite work runs off the async
//! threads (`engine::with_store`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

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
