//! The chat task of one account (SPEC M1-M9). It sends the account's
//! outbox (messages are in the store before this task sees them), one
//! message at a time per peer so they arrive in order, several peers at
//! once; takes incoming MESSAGEs (stored before they are answered, so a
//! crash never loses one the sender saw accepted); runs typing indications
//! both ways; answers delivery and read notification requests; and keeps
//! a conversation on the device that last wrote (forking).
//!
//! The store decides what is queued: this task reads the queue when told
//! (`Flush`), when registration comes back, and after a back-off when the
//! server was unwell, so nothing typed waits for a user's action.

mod receive;
mod send;
pub(crate) mod view;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rsipstack::transaction::transaction::Transaction;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinSet;

use super::api::{Event, RoomAction};
use crate::im::composing::{ComposingReceiver, ComposingSender, State};
use crate::im::forking::DeviceRouting;
use crate::im::imdn::{DisplayStatus, ImdnRequest, Notification};
use crate::im::outbound::{self, FailureKind, Outcome};
use crate::sip::request::Identity;
use crate::sip::SipEndpoint;
use crate::store::messages::Message;
use crate::store::{Store, StoreError};
use send::{Answer, Outgoing};

/// Most messages in flight at once (each to a different peer).
const MAX_IN_FLIGHT: usize = 16;
/// First wait before the queue is tried again after the server was unwell.
const FIRST_BACKOFF: Duration = Duration::from_secs(2);
/// Longest wait between tries of the queue.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Requests from the engine to an account's chat task.
#[derive(Debug)]
pub(crate) enum ImCtl {
    /// Registered (true) or not: the queue goes out only while registered.
    Connected(bool),
    /// New messages were queued (or one is to be retried).
    Flush,
    /// The user is typing to `to`, or stopped.
    Typing { to: String, active: bool },
    /// The user has seen the chat with `peer`.
    MarkRead { peer: String },
    /// A group-chat command.
    Room { room: String, action: RoomAction },
}

/// A finished attempt of a user's message.
struct Done {
    id: i64,
    peer: String,
    device: Option<String>,
    answer: Answer,
}

/// Starts the task; it ends when every sender of `ctl` is gone.
pub(crate) fn spawn(
    account: String,
    endpoint: Arc<SipEndpoint>,
    identity: Identity,
    store: Option<Arc<Mutex<Store>>>,
    events: broadcast::Sender<Event>,
    incoming: mpsc::UnboundedReceiver<Transaction>,
) -> mpsc::UnboundedSender<ImCtl> {
    let (tx, rx) = mpsc::unbounded_channel();
    let task = ImTask {
        account,
        endpoint,
        identity: Arc::new(identity),
        store,
        events,
        connected: false,
        in_flight: HashSet::new(),
        busy_peers: HashSet::new(),
        retry_at: None,
        backoff: FIRST_BACKOFF,
        sends: JoinSet::new(),
        routing: DeviceRouting::default(),
        typing_out: HashMap::new(),
        typing_in: HashMap::new(),
        pending_display: HashMap::new(),
        cpim_peers: HashSet::new(),
        rooms: HashSet::new(),
        invited: HashSet::new(),
    };
    tokio::spawn(task.run(rx, incoming));
    tx
}

struct ImTask {
    account: String,
    endpoint: Arc<SipEndpoint>,
    identity: Arc<Identity>,
    store: Option<Arc<Mutex<Store>>>,
    events: broadcast::Sender<Event>,
    connected: bool,
    /// Message ids being sent now.
    in_flight: HashSet<i64>,
    /// Peers with a message in flight (the next one waits, to keep order).
    busy_peers: HashSet<String>,
    /// When the queue is tried again after a failure that may pass.
    retry_at: Option<Instant>,
    backoff: Duration,
    sends: JoinSet<Done>,
    routing: DeviceRouting,
    typing_out: HashMap<String, ComposingSender>,
    typing_in: HashMap<String, ComposingReceiver>,
    /// Read notifications asked for, sent when the user sees the chat.
    pending_display: HashMap<String, Vec<ImdnRequest>>,
    /// Peers that wrote to us in CPIM: they understand it, so our messages
    /// to them go in CPIM asking for delivery and read notifications.
    cpim_peers: HashSet<String>,
    /// Group-chat rooms we took part in (their MESSAGEs are room traffic).
    rooms: HashSet<String>,
    /// Rooms we are invited to (joining accepts the invitation).
    invited: HashSet<String>,
}

impl ImTask {
    async fn run(
        mut self,
        mut ctl: mpsc::UnboundedReceiver<ImCtl>,
        mut incoming: mpsc::UnboundedReceiver<Transaction>,
    ) {
        loop {
            let wake = self.next_wake();
            tokio::select! {
                msg = ctl.recv() => match msg {
                    Some(msg) => self.on_ctl(msg).await,
                    None => break,
                },
                Some(tx) = incoming.recv() => self.on_message(tx).await,
                Some(done) = self.sends.join_next(), if !self.sends.is_empty() => {
                    match done {
                        Ok(done) => self.on_done(done).await,
                        Err(e) => tracing::warn!("a message send task failed: {e}"),
                    }
                }
                _ = super::sleep_until(wake.map(Into::into)) => self.on_timer().await,
            }
        }
        // Messages in flight stay "sending" in the store and go out again
        // (same message id and Call-ID) at the next start.
        self.sends.abort_all();
    }

    async fn on_ctl(&mut self, msg: ImCtl) {
        match msg {
            ImCtl::Connected(up) => {
                self.connected = up;
                if up {
                    self.retry_at = None;
                    self.backoff = FIRST_BACKOFF;
                }
                self.flush().await;
            }
            ImCtl::Flush => self.flush().await,
            ImCtl::Typing { to, active } => {
                let now = Instant::now();
                let sender = self.typing_out.entry(to.clone()).or_default();
                let state = if active {
                    sender.on_typing(now)
                } else {
                    sender.on_cleared(now)
                };
                if let Some(state) = state {
                    self.send_composing(&to, state);
                }
            }
            ImCtl::MarkRead { peer } => {
                for request in self.pending_display.remove(&peer).unwrap_or_default() {
                    let out = Outgoing::notification(
                        &self.identity.aor.to_string(),
                        &peer,
                        &request,
                        Notification::Display(DisplayStatus::Displayed),
                    );
                    self.fire_and_forget(out, "read notification");
                }
            }
            ImCtl::Room { room, action } => {
                let invited = action == RoomAction::Join && self.invited.remove(&room);
                if action == RoomAction::Leave {
                    self.rooms.remove(&room);
                } else {
                    self.rooms.insert(room.clone());
                }
                self.room(&room, &action, invited);
            }
        }
    }

    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    /// Runs `f` on the store; None without a store or when it failed
    /// (logged).
    async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Option<T> {
        let store = self.store.as_ref()?;
        match super::with_store(store, move |s| f(s)).await {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(account = %self.account, "chat history: {e}");
                None
            }
        }
    }

    /// Emits the current state of message `id`.
    async fn emit_message(&self, id: i64) {
        if let Some(Some(m)) = self.with_store(move |s| s.message(id)).await {
            self.emit(view::message_event(&self.account, &m));
        }
    }

    /// Sends what waits in the queue, oldest first, one per peer at a time.
    async fn flush(&mut self) {
        let account = self.account.clone();
        let Some(queued) = self.with_store(move |s| s.queued(&account)).await else {
            return;
        };
        if !self.connected || self.retry_at.is_some() {
            self.mark_waiting(queued).await;
            return;
        }
        for m in queued {
            if self.in_flight.contains(&m.id) || self.busy_peers.contains(&m.peer) {
                self.busy_peers.insert(m.peer.clone());
                continue;
            }
            if self.sends.len() >= MAX_IN_FLIGHT {
                break;
            }
            self.start_send(m).await;
        }
    }

    /// Not registered: queued messages say why they wait.
    async fn mark_waiting(&self, queued: Vec<Message>) {
        if self.connected {
            return;
        }
        let reason = FailureKind::NotRegistered.token();
        for m in queued {
            if m.failure.is_none() && !self.in_flight.contains(&m.id) {
                let id = m.id;
                if self.with_store(move |s| s.requeue(id, Some(reason))).await == Some(true) {
                    self.emit_message(id).await;
                }
            }
        }
    }

    async fn start_send(&mut self, m: Message) {
        let id = m.id;
        if self.with_store(move |s| s.mark_sending(id)).await != Some(true) {
            return;
        }
        self.in_flight.insert(id);
        self.busy_peers.insert(m.peer.clone());
        self.emit_message(id).await;
        let device = self.routing.target(&m.peer, Instant::now());
        let message_id = m.message_id.clone().unwrap_or_else(|| format!("row-{id}"));
        let out = if self.cpim_peers.contains(&m.peer) {
            Outgoing::text_with_notifications(
                &self.identity.aor.to_string(),
                &m.peer,
                device.clone(),
                &m.body,
                &message_id,
            )
        } else {
            Outgoing::text(&m.peer, device.clone(), &m.body, &message_id)
        };
        let (endpoint, identity) = (self.endpoint.clone(), self.identity.clone());
        let peer = m.peer.clone();
        self.sends.spawn(async move {
            let answer = send::send(&endpoint, &identity, out).await;
            Done {
                id,
                peer,
                device,
                answer,
            }
        });
    }

    async fn on_done(&mut self, done: Done) {
        self.in_flight.remove(&done.id);
        self.busy_peers.remove(&done.peer);
        let id = done.id;
        tracing::info!(account = %self.account, id, code = done.answer.code, "message answered");
        match outbound::outcome(done.answer.code, &done.answer.detail) {
            outcome @ (Outcome::Sent | Outcome::Stored) => {
                let stored = outcome == Outcome::Stored;
                self.with_store(move |s| s.mark_sent(id, stored)).await;
                if let Some(sender) = self.typing_out.get_mut(&done.peer) {
                    sender.on_message_sent(Instant::now());
                }
                self.backoff = FIRST_BACKOFF;
            }
            Outcome::Failed(reason) => {
                if let Some(device) = &done.device {
                    // The device went away: every device of the peer again.
                    self.routing.on_device_failed(&done.peer, device);
                    self.with_store(move |s| s.requeue(id, None)).await;
                } else {
                    self.with_store(move |s| s.mark_failed(id, &reason)).await;
                }
            }
            Outcome::Requeue(reason) => {
                let reason = if self.connected {
                    reason
                } else {
                    FailureKind::NotRegistered.token().to_string()
                };
                self.with_store(move |s| s.requeue(id, Some(&reason))).await;
                self.retry_at = Some(Instant::now() + self.backoff);
                self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
            }
        }
        self.emit_message(id).await;
        self.flush().await;
    }

    fn next_wake(&self) -> Option<Instant> {
        let typing = self
            .typing_out
            .values()
            .filter_map(ComposingSender::poll_timeout)
            .chain(
                self.typing_in
                    .values()
                    .filter_map(ComposingReceiver::poll_timeout),
            );
        typing.chain(self.retry_at).min()
    }

    async fn on_timer(&mut self) {
        let now = Instant::now();
        let due: Vec<(String, State)> = self
            .typing_out
            .iter_mut()
            .filter_map(|(peer, s)| s.handle_timeout(now).map(|st| (peer.clone(), st)))
            .collect();
        for (peer, state) in due {
            self.send_composing(&peer, state);
        }
        let stopped: Vec<String> = self
            .typing_in
            .iter_mut()
            .filter_map(|(peer, r)| r.handle_timeout(now).then(|| peer.clone()))
            .collect();
        for peer in stopped {
            self.emit(Event::Typing {
                account: self.account.clone(),
                peer,
                typing: false,
            });
        }
        self.typing_out.retain(|_, s| s.is_active());
        self.typing_in.retain(|_, r| r.is_typing());
        if self.retry_at.is_some_and(|t| now >= t) {
            self.retry_at = None;
            self.flush().await;
        }
    }

    fn send_composing(&mut self, to: &str, state: State) {
        if !self.connected {
            return;
        }
        let doc = self
            .typing_out
            .get(to)
            .map(|s| s.document(state))
            .unwrap_or_else(|| crate::im::composing::IsComposing::new(state));
        let device = self.routing.target(to, Instant::now());
        self.fire_and_forget(Outgoing::composing(to, device, &doc), "typing indication");
    }

    /// Sends a request nobody waits for (typing, notifications, room
    /// commands); a failure is only logged.
    fn fire_and_forget(&self, out: Outgoing, what: &'static str) {
        let (endpoint, identity) = (self.endpoint.clone(), self.identity.clone());
        let account = self.account.clone();
        tokio::spawn(async move {
            let answer = send::send(&endpoint, &identity, out).await;
            if !(200..300).contains(&answer.code) {
                tracing::info!(%account, code = answer.code, detail = %answer.detail, "{what} not taken");
            }
        });
    }

    /// Sends a group-chat command nobody waits for.
    /// (`invited`: we hold an invitation, so joining accepts it.)
    fn room(&self, room: &str, action: &RoomAction, invited: bool) {
        let command = crate::im::imc::command(action, invited);
        self.fire_and_forget(Outgoing::room_command(room, &command), "room command");
    }
}
