//! The engine's chat commands: a message is kept in the history before
//! anything else (so nothing typed is lost), then the account's chat task
//! is told to send its queue; history and search are answered from the
//! store; typing, read marks and rooms go to the account's chat task.

use super::Engine;
use crate::config::Transport;
use crate::engine::account::AccountCtl;
use crate::engine::api::{Command, ErrorKind, Event, SearchHit};
use crate::engine::im::{view, ImCtl};
use crate::im::outbound::{self, MAX_TEXT_BYTES, MAX_UDP_TEXT_BYTES};
use crate::store::StoreError;

type CommandResult = Result<(), (ErrorKind, String)>;

/// Messages a `history` command returns when it names no limit.
const DEFAULT_PAGE: usize = 50;
/// Most messages or hits one command returns.
const MAX_PAGE: usize = 500;

impl Engine {
    /// Chat commands; each is answered `ok` or `error` (with its id).
    pub(super) async fn handle_im(&mut self, id: Option<serde_json::Value>, command: Command) {
        let result = match command {
            Command::SendMessage {
                account,
                to,
                body,
                message_id,
            } => self.send_message(account, to, body, message_id).await,
            Command::RetryMessage { account, message } => {
                self.retry_message(account, message).await
            }
            Command::Typing {
                account,
                to,
                active,
            } => self
                .chat_peer(&account, &to)
                .map(|to| self.tell_im(&account, ImCtl::Typing { to, active })),
            Command::MarkRead { account, peer } => self
                .chat_peer(&account, &peer)
                .map(|peer| self.tell_im(&account, ImCtl::MarkRead { peer })),
            Command::History {
                account,
                peer,
                before,
                limit,
            } => self.history(id.clone(), account, peer, before, limit).await,
            Command::SearchMessages {
                account,
                peer,
                query,
                limit,
            } => self.search(id.clone(), account, peer, query, limit).await,
            Command::OpenChat { account, peer } => self.open_chat(account, peer),
            Command::Room {
                account,
                room,
                action,
            } => self
                .chat_peer(&account, &room)
                .map(|room| self.tell_im(&account, ImCtl::Room { room, action })),
            other => unreachable!("not a chat command: {other:?}"),
        };
        match result {
            Ok(()) => self.emit(Event::Ok { id }),
            Err((kind, message)) => self.emit(Event::Error { id, kind, message }),
        }
    }

    /// Checks the account and turns `peer` into a chat address.
    fn chat_peer(&self, account: &str, peer: &str) -> Result<String, (ErrorKind, String)> {
        if !self.configs.contains_key(account) {
            return Err(super::no_such_account(account));
        }
        // The chat's address (parameters off, host in lower case), which
        // must be a SIP address.
        let address = view::peer_address(peer);
        crate::config::AccountConfig::normalize_address(&address)
            .map(|_| address)
            .map_err(|e| {
                (
                    ErrorKind::BadArgument,
                    format!("{peer:?} is not a SIP address: {}", e.describe()),
                )
            })
    }

    fn tell_im(&self, account: &str, msg: ImCtl) {
        if let Some(a) = self.accounts.get(account) {
            let _ = a.ctl.send(AccountCtl::Im(msg));
        }
    }

    /// Runs `f` on the store on a blocking thread.
    async fn on_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&crate::store::Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, (ErrorKind, String)> {
        let store = self.store.as_ref().ok_or_else(|| {
            (
                ErrorKind::Failed,
                "the database could not be opened, so messages cannot be kept".to_string(),
            )
        })?;
        crate::engine::with_store(store, move |s| f(s))
            .await
            .map_err(|e| {
                (
                    ErrorKind::Failed,
                    format!("the history could not be used: {e}"),
                )
            })
    }

    async fn send_message(
        &mut self,
        account: String,
        to: String,
        body: String,
        message_id: Option<String>,
    ) -> CommandResult {
        let peer = self.chat_peer(&account, &to)?;
        if body.trim().is_empty() {
            return Err((ErrorKind::BadArgument, "the message is empty".to_string()));
        }
        let udp = self
            .configs
            .get(&account)
            .is_some_and(|c| c.transport == Transport::Udp);
        let most = if udp {
            MAX_UDP_TEXT_BYTES
        } else {
            MAX_TEXT_BYTES
        };
        if body.len() > most {
            let hint = if udp {
                " over UDP (the account's transport; TCP takes up to 12000)"
            } else {
                ""
            };
            return Err((
                ErrorKind::BadArgument,
                format!(
                    "the message is {} bytes long; at most {most} bytes can be sent{hint}",
                    body.len()
                ),
            ));
        }
        let message_id = match message_id {
            Some(m) if valid_message_id(&m) => m,
            Some(m) => {
                return Err((
                    ErrorKind::BadArgument,
                    format!("message_id {m:?} must be 1 to 64 letters, digits, '-' or '_'"),
                ))
            }
            None => outbound::new_message_id(),
        };
        let acc = account.clone();
        let now = view::now_ms();
        let message = self
            .on_store(move |s| {
                let id = s.queue_outgoing(&acc, &peer, &body, "text/plain", &message_id, now)?;
                s.message(id)
            })
            .await?;
        if let Some(m) = message {
            self.emit(view::message_event(&account, &m));
        }
        self.tell_im(&account, ImCtl::Flush);
        Ok(())
    }

    async fn retry_message(&mut self, account: String, id: i64) -> CommandResult {
        if !self.configs.contains_key(&account) {
            return Err(super::no_such_account(&account));
        }
        let acc = account.clone();
        let message = self
            .on_store(move |s| {
                let Some(m) = s.message(id)? else {
                    return Ok(None);
                };
                if m.account != acc {
                    return Ok(None);
                }
                s.requeue(id, None)?;
                s.message(id)
            })
            .await?
            .ok_or_else(|| {
                (
                    ErrorKind::BadArgument,
                    format!("there is no message {id} of {account}"),
                )
            })?;
        self.emit(view::message_event(&account, &message));
        self.tell_im(&account, ImCtl::Flush);
        Ok(())
    }

    async fn history(
        &mut self,
        id: Option<serde_json::Value>,
        account: String,
        peer: String,
        before: Option<i64>,
        limit: Option<usize>,
    ) -> CommandResult {
        let peer = self.chat_peer(&account, &peer)?;
        let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let (acc, p) = (account.clone(), peer.clone());
        let mut messages = self
            .on_store(move |s| s.history(&acc, &p, before, limit + 1))
            .await?;
        let more = messages.len() > limit;
        if more {
            messages.remove(0);
        }
        self.emit(Event::History {
            id,
            account,
            peer,
            messages: messages.iter().map(view::chat_message).collect(),
            more,
        });
        Ok(())
    }

    async fn search(
        &mut self,
        id: Option<serde_json::Value>,
        account: String,
        peer: Option<String>,
        query: String,
        limit: Option<usize>,
    ) -> CommandResult {
        let peer = match peer {
            Some(p) => Some(self.chat_peer(&account, &p)?),
            None if self.configs.contains_key(&account) => None,
            None => return Err(super::no_such_account(&account)),
        };
        let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let (acc, q) = (account.clone(), query.clone());
        let hits = self
            .on_store(move |s| s.search(&acc, peer.as_deref(), &q, limit))
            .await?;
        self.emit(Event::SearchResults {
            id,
            account,
            query,
            hits: hits
                .iter()
                .map(|h| SearchHit {
                    message: view::chat_message(&h.message),
                    snippet: h.snippet.clone(),
                })
                .collect(),
        });
        Ok(())
    }

    fn open_chat(&mut self, account: Option<String>, peer: String) -> CommandResult {
        let account = match account {
            Some(a) => a,
            None => self.configs.keys().next().cloned().ok_or_else(|| {
                (
                    ErrorKind::BadArgument,
                    "there is no account to chat from".to_string(),
                )
            })?,
        };
        let peer = self.chat_peer(&account, &peer)?;
        let event = Event::OpenChat { account, peer };
        match &mut self.held {
            Some(held) => held.push(event),
            None => self.emit(event),
        }
        Ok(())
    }
}

/// A message id a caller may choose: 1 to 64 of `[A-Za-z0-9_-]`.
fn valid_message_id(m: &str) -> bool {
    (1..=64).contains(&m.len())
        && m.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
