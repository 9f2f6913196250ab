//! Requests that arrive from the network outside any transaction we started.
//! OPTIONS is answered 200 (servers probe us with it); NOTIFY goes to the
//! account's subscriptions (481 when nothing takes it); everything else gets
//! 501 until the feature that owns the method lands. Malformed messages never
//! get here: rsipstack's parser drops them with a log line.

use rsipstack::sip::{Method, StatusCode};
use rsipstack::transaction::transaction::Transaction;
use rsipstack::transaction::TransactionReceiver;
use tokio::sync::mpsc;

/// Where requests for a feature go; the receiver must answer each one.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    /// NOTIFY requests (subscriptions).
    pub notify: Option<mpsc::UnboundedSender<Transaction>>,
}

/// Answers or routes incoming requests until the endpoint stops. `routes`
/// may be filled in later (the watch channel's latest value is used).
pub async fn serve(
    mut incoming: TransactionReceiver,
    routes: tokio::sync::watch::Receiver<Routes>,
) {
    while let Some(mut tx) = incoming.recv().await {
        let status = match tx.original.method {
            Method::Options => StatusCode::OK,
            Method::Ack => continue,
            Method::Notify => {
                let route = routes.borrow().notify.clone();
                match route {
                    Some(route) => match route.send(tx) {
                        Ok(()) => continue,
                        Err(mpsc::error::SendError(back)) => {
                            tx = back;
                            StatusCode::CallTransactionDoesNotExist
                        }
                    },
                    None => StatusCode::CallTransactionDoesNotExist,
                }
            }
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
