//! Requests that arrive from the network outside any transaction we started.
//! OPTIONS is answered 200 (servers probe us with it); NOTIFY goes to the
//! account's subscriptions (481 when nothing takes it); MESSAGE goes to the
//! account's chat task (480 while there is none); INVITE and the other
//! requests of call dialogs go to the account's call task; everything else gets
//! 501 until the feature that owns the method lands. A request whose body
//! is shorter than its Content-Length (a UDP datagram cut at the receive
//! buffer) gets 413 instead of being taken for whole. Malformed messages never
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
    /// MESSAGE requests (chat).
    pub message: Option<mpsc::UnboundedSender<Transaction>>,
    /// INVITE and the requests of call dialogs (BYE, CANCEL, INFO, REFER,
    /// UPDATE, PRACK).
    pub call: Option<mpsc::UnboundedSender<Transaction>>,
}

/// Answers or routes incoming requests until the endpoint stops. `routes`
/// may be filled in later (the watch channel's latest value is used).
pub async fn serve(
    mut incoming: TransactionReceiver,
    routes: tokio::sync::watch::Receiver<Routes>,
) {
    while let Some(mut tx) = incoming.recv().await {
        if let Some(declared) = truncated(&tx) {
            // rsipstack reads at most 8 KiB of a UDP datagram and keeps what
            // fit: never take a cut body for the whole one.
            tracing::info!(
                method = %tx.original.method,
                declared,
                got = tx.original.body.len(),
                "request body cut short (too large for UDP): refused"
            );
            tokio::spawn(async move {
                let _ = tx.reply(StatusCode::RequestEntityTooLarge).await;
            });
            continue;
        }
        let status = match tx.original.method {
            Method::Options => StatusCode::OK,
            Method::Ack => continue,
            Method::Notify if is_refer_progress(&tx) => {
                let route = routes.borrow().call.clone();
                match hand_over(route, tx) {
                    None => continue,
                    Some(back) => {
                        tx = back;
                        StatusCode::CallTransactionDoesNotExist
                    }
                }
            }
            Method::Notify => {
                let route = routes.borrow().notify.clone();
                match hand_over(route, tx) {
                    None => continue,
                    Some(back) => {
                        tx = back;
                        StatusCode::CallTransactionDoesNotExist
                    }
                }
            }
            Method::Message => {
                let route = routes.borrow().message.clone();
                match hand_over(route, tx) {
                    None => continue,
                    Some(back) => {
                        tx = back;
                        StatusCode::TemporarilyUnavailable
                    }
                }
            }
            Method::Invite
            | Method::Bye
            | Method::Cancel
            | Method::Info
            | Method::Refer
            | Method::Update
            | Method::PRack => {
                let route = routes.borrow().call.clone();
                match hand_over(route, tx) {
                    None => continue,
                    Some(back) => {
                        tx = back;
                        if tx.original.method == Method::Invite {
                            StatusCode::TemporarilyUnavailable
                        } else {
                            StatusCode::CallTransactionDoesNotExist
                        }
                    }
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

/// Gives the transaction to `route`; hands it back when nobody takes it.
fn hand_over(
    route: Option<mpsc::UnboundedSender<Transaction>>,
    tx: Transaction,
) -> Option<Transaction> {
    match route {
        Some(route) => route
            .send(tx)
            .err()
            .map(|mpsc::error::SendError(back)| back),
        None => Some(tx),
    }
}

/// A NOTIFY about a transfer we asked for (RFC 3515 `Event: refer`): it
/// belongs to the call's dialog.
fn is_refer_progress(tx: &Transaction) -> bool {
    super::request::header(&tx.original.headers, "Event").is_some_and(|e| {
        e.split(';')
            .next()
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("refer"))
    })
}

/// The Content-Length a request declares, when its body is shorter (a UDP
/// datagram larger than the receive buffer was cut).
fn truncated(tx: &Transaction) -> Option<usize> {
    let declared = super::request::header(&tx.original.headers, "Content-Length")
        .and_then(|v| super::request::leading_number(&v))? as usize;
    (declared > tx.original.body.len()).then_some(declared)
}
