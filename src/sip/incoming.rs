//! Requests that arrive from the network outside any transaction we started.
//! For now: OPTIONS is answered 200 (servers probe us with it), everything
//! else 501 until the feature that owns the method lands. Malformed messages
//! never get here: rsipstack's parser drops them with a log line.

use rsipstack::sip::{Method, StatusCode};
use rsipstack::transaction::TransactionReceiver;

/// Answers incoming requests until the endpoint stops.
pub async fn serve(mut incoming: TransactionReceiver) {
    while let Some(mut tx) = incoming.recv().await {
        let status = match tx.original.method {
            Method::Options => StatusCode::OK,
            Method::Ack => continue,
            _ => StatusCode::NotImplemented,
        };
        tracing::debug!(method = %tx.original.method, %status, "incoming request");
        tokio::spawn(async move {
            if let Err(e) = tx.reply(status).await {
                tracing::debug!("reply failed: {e}");
            }
        });
    }
}
