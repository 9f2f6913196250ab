//! The task that drives one account's presence: a subscription per watched
//! contact and the publication of the user's own status. It feeds the
//! sans-IO [`SubscriptionMachine`]s and the [`PublicationMachine`] with
//! responses, NOTIFYs and time, sends what they ask for (at most
//! [`MAX_IN_FLIGHT`] requests at once, so a long list does not flood the
//! server), and tells listeners what changed in batches.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use rsipstack::sip::Uri;
use rsipstack::transaction::transaction::Transaction;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::Instant;

mod notify;
mod requests;

use super::api::{Capabilities, ContactAvailability, Event, PresenceUpdate};
use crate::presence::dialog_info::DialogTable;
use crate::presence::rlmi::ListState;
use crate::presence::watcherinfo::WatcherTable;
use crate::sip::publication::{self, PublicationMachine, PublicationPolicy, Publish};
use crate::sip::request::{Identity, Reply, RequestSpec};
use crate::sip::subscribe_dialog::SubscribeDialog;
use crate::sip::subscription::{self, SubscriptionMachine, SubscriptionPolicy, SubscriptionState};
use crate::sip::SipEndpoint;

/// Most SUBSCRIBE/PUBLISH requests awaiting an answer at once.
pub(crate) const MAX_IN_FLIGHT: usize = 32;
/// How long presence changes are gathered before they are told.
const BATCH_WINDOW: Duration = Duration::from_millis(50);
/// How long an ended subscription's Call-ID is remembered.
const ENDED_MEMORY: Duration = Duration::from_secs(32);
/// How long the task still answers NOTIFYs after it has stopped.
const ENDED_LINGER: Duration = Duration::from_millis(300);
/// How long quitting waits for unsubscribes and the publication removal.
pub(crate) const STOP_GRACE: Duration = Duration::from_secs(3);

/// Requests from the account task.
#[derive(Debug)]
pub(crate) enum PresenceCtl {
    /// The full set of contact addresses to watch.
    Watch(Vec<String>),
    /// The own presence document to publish.
    Publish(Vec<u8>),
    /// Registered (true) or lost the server (false).
    Connected(bool),
    /// Tell every contact's presence again.
    Snapshot,
    /// The server serves our whole list at this URI (RFC 4662): one
    /// subscription for it instead of one per contact.
    UseList(String),
    /// Unsubscribe, unpublish, then end; the sender is told when done.
    Stop(oneshot::Sender<()>),
}

/// What a subscription is to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum SubKey {
    /// A contact's presence.
    Presence(String),
    /// Who watches us (presence.winfo on our own address).
    Winfo,
    /// The whole list through the server's resource list service.
    List,
    /// A contact's phone line (dialog event package, busy lamp).
    Line(String),
    /// Our voicemail box (message-summary on our own address, RFC 3842).
    Voicemail,
}

struct Sub {
    machine: SubscriptionMachine,
    dialog: SubscribeDialog,
    view: PresenceUpdate,
    /// Still wanted (false once removed from the list: ends when finished).
    wanted: bool,
}

impl Sub {
    fn new(dialog: SubscribeDialog, contact: &str) -> Sub {
        Sub {
            machine: SubscriptionMachine::new(SubscriptionPolicy::default()),
            dialog,
            view: unknown_view(contact),
            wanted: true,
        }
    }
}

enum Job {
    Subscribe {
        key: SubKey,
        expires: u32,
        fresh: bool,
    },
    Publish(Publish),
}

enum Done {
    Subscribe {
        key: SubKey,
        reply: Reply,
        spec: Box<RequestSpec>,
    },
    Publish(Reply),
}

struct Task {
    account: String,
    endpoint: Arc<SipEndpoint>,
    identity: Arc<Identity>,
    events: broadcast::Sender<Event>,
    subs: BTreeMap<SubKey, Sub>,
    by_call_id: HashMap<String, SubKey>,
    publication: PublicationMachine,
    own_document: Option<Vec<u8>>,
    queue: VecDeque<Job>,
    running: FuturesUnordered<BoxFuture<'static, Done>>,
    connected: bool,
    ever_connected: bool,
    changed: Vec<SubKey>,
    flush_at: Option<Instant>,
    stop: Option<(Vec<oneshot::Sender<()>>, Instant)>,
    watchers: WatcherTable,
    /// True while the list subscription stands in for per-contact ones.
    list_mode: bool,
    list_state: ListState,
    /// Watch contacts' phone lines too (one more subscription each).
    busy_lamp: bool,
    lines: HashMap<String, DialogTable>,
    /// Call-IDs of subscriptions we ended, and when.
    ended: HashMap<String, Instant>,
    /// Subscription timers, earliest first (with stale entries), and the
    /// one in force per subscription.
    timers: BinaryHeap<Reverse<(std::time::Instant, SubKey)>>,
    scheduled: HashMap<SubKey, std::time::Instant>,
    /// Requests that wait until the presence ones are out (busy lamp).
    later: VecDeque<Job>,
}

/// Starts the task; returns its control channel.
pub(crate) fn spawn(
    account: String,
    endpoint: Arc<SipEndpoint>,
    identity: Identity,
    events: broadcast::Sender<Event>,
    notifies: mpsc::UnboundedReceiver<Transaction>,
    busy_lamp: bool,
) -> mpsc::UnboundedSender<PresenceCtl> {
    let (tx, rx) = mpsc::unbounded_channel();
    let task = Task {
        account,
        endpoint,
        identity: Arc::new(identity),
        events,
        subs: BTreeMap::new(),
        by_call_id: HashMap::new(),
        publication: PublicationMachine::new(PublicationPolicy::default()),
        own_document: None,
        queue: VecDeque::new(),
        running: FuturesUnordered::new(),
        connected: false,
        ever_connected: false,
        changed: Vec::new(),
        flush_at: None,
        stop: None,
        watchers: WatcherTable::new(),
        list_mode: false,
        list_state: ListState::new(),
        busy_lamp,
        lines: HashMap::new(),
        ended: HashMap::new(),
        timers: BinaryHeap::new(),
        scheduled: HashMap::new(),
        later: VecDeque::new(),
    };
    tokio::spawn(task.run(rx, notifies));
    tx
}

impl Task {
    async fn run(
        mut self,
        mut ctl: mpsc::UnboundedReceiver<PresenceCtl>,
        mut notifies: mpsc::UnboundedReceiver<Transaction>,
    ) {
        let mut ctl_open = true;
        loop {
            self.pump();
            if self.is_done() {
                break;
            }
            let deadline = self.next_deadline();
            tokio::select! {
                msg = ctl.recv(), if ctl_open => match msg {
                    Some(msg) => self.on_ctl(msg),
                    None => {
                        ctl_open = false;
                        self.on_ctl(PresenceCtl::Stop(oneshot::channel().0));
                    }
                },
                Some(tx) = notifies.recv() => self.on_notify(tx),
                Some(done) = self.running.next(), if !self.running.is_empty() => self.on_done(done),
                _ = super::sleep_until(deadline) => self.on_timer(),
            }
        }
        self.flush();
        if let Some((waiters, _)) = self.stop.take() {
            for w in waiters {
                let _ = w.send(());
            }
        }
        // The server's last NOTIFY of each ended subscription may still
        // come: answer it 200 (RFC 6665 §4.1.2.3) rather than 481.
        let linger = tokio::time::sleep(ENDED_LINGER);
        tokio::pin!(linger);
        loop {
            tokio::select! {
                Some(tx) = notifies.recv() => self.on_notify(tx),
                _ = &mut linger => break,
            }
        }
    }

    /// Keeps the Call-ID of an ended subscription for a while, so its
    /// terminating NOTIFY is answered 200.
    fn remember_ended(&mut self, call_id: &str) {
        let now = Instant::now();
        self.ended
            .retain(|_, at| now.duration_since(*at) < ENDED_MEMORY);
        self.ended.insert(call_id.to_string(), now);
    }

    fn is_done(&self) -> bool {
        let Some((_, deadline)) = &self.stop else {
            return false;
        };
        let idle = self.running.is_empty()
            && self.queue.is_empty()
            && self.subs.values().all(|s| s.machine.is_finished())
            && (self.publication.is_finished() || self.own_document.is_none());
        idle || Instant::now() >= *deadline
    }

    fn next_deadline(&self) -> Option<Instant> {
        // The earliest subscription timer is at the top of the heap (a stale
        // entry there only costs a spurious wake-up): no scan of thousands.
        let subs = self.timers.peek().map(|Reverse((t, _))| *t);
        subs.into_iter()
            .chain(self.publication.poll_timeout())
            .map(Instant::from_std)
            .chain(self.flush_at)
            .chain(self.stop.as_ref().map(|(_, d)| *d))
            .min()
    }

    /// Notes when a subscription's machine next wants its timer.
    fn schedule(&mut self, key: &SubKey) {
        let Some(at) = self.subs.get(key).and_then(|s| s.machine.poll_timeout()) else {
            self.scheduled.remove(key);
            return;
        };
        if self.scheduled.get(key) != Some(&at) {
            self.scheduled.insert(key.clone(), at);
            self.timers.push(Reverse((at, key.clone())));
        }
    }

    fn on_ctl(&mut self, msg: PresenceCtl) {
        let now = std::time::Instant::now();
        match msg {
            PresenceCtl::Watch(contacts) => self.watch(contacts, now),
            PresenceCtl::Publish(doc) => {
                self.own_document = Some(doc.clone());
                if self.ever_connected && self.stop.is_none() {
                    let out = self
                        .publication
                        .handle_input(publication::Input::Publish(doc), now);
                    self.publication_outputs(out);
                }
            }
            PresenceCtl::Connected(up) => self.connected_changed(up, now),
            PresenceCtl::UseList(uri) => self.use_list(&uri, now),
            PresenceCtl::Snapshot => {
                self.changed = self.subs.keys().cloned().collect();
                self.flush();
            }
            PresenceCtl::Stop(done) => {
                if let Some((waiters, _)) = &mut self.stop {
                    waiters.push(done);
                    return;
                }
                self.stop = Some((vec![done], Instant::now() + STOP_GRACE));
                self.queue.clear();
                self.later.clear();
                let keys: Vec<SubKey> = self.subs.keys().cloned().collect();
                for key in keys {
                    self.feed(&key, subscription::Input::Stop, now);
                }
                let out = self.publication.handle_input(publication::Input::Stop, now);
                self.publication_outputs(out);
            }
        }
    }

    fn watch(&mut self, contacts: Vec<String>, now: std::time::Instant) {
        if self.busy_lamp {
            let start = self.ever_connected && self.stop.is_none();
            self.watch_kind(
                &contacts,
                SubKey::Line,
                "dialog",
                "application/dialog-info+xml",
                start,
                now,
            );
        }
        let start_each = self.ever_connected && self.stop.is_none() && !self.list_mode;
        let list_changed = self.watch_kind(
            &contacts,
            SubKey::Presence,
            "presence",
            "application/pidf+xml",
            start_each,
            now,
        );
        if list_changed && self.list_mode && self.ever_connected {
            // The server's list changed too (the sync writes it): ask for
            // the whole list again.
            self.feed(&SubKey::List, subscription::Input::Reset, now);
        }
        self.schedule_flush();
    }

    /// Brings the subscriptions of one kind (a contact's presence, or their
    /// line) in line with the contact list: ends those no longer wanted,
    /// adds the new ones and starts them when `start`. True when the set
    /// changed.
    fn watch_kind(
        &mut self,
        contacts: &[String],
        kind: fn(String) -> SubKey,
        event: &str,
        accept: &str,
        start: bool,
        now: std::time::Instant,
    ) -> bool {
        let of_kind =
            |k: &SubKey| std::mem::discriminant(k) == std::mem::discriminant(&kind(String::new()));
        let wanted: HashSet<SubKey> = contacts.iter().cloned().map(kind).collect();
        let removed: Vec<SubKey> = self
            .subs
            .iter()
            .filter(|(k, s)| of_kind(k) && s.wanted && !wanted.contains(*k))
            .map(|(k, _)| k.clone())
            .collect();
        let mut changed = !removed.is_empty();
        for key in removed {
            if let Some(sub) = self.subs.get_mut(&key) {
                sub.wanted = false;
            }
            self.feed(&key, subscription::Input::Stop, now);
        }
        for (uri, key) in contacts.iter().zip(contacts.iter().cloned().map(kind)) {
            if let Some(sub) = self.subs.get_mut(&key) {
                sub.wanted = true;
                if sub.machine.is_finished() && start {
                    sub.machine = SubscriptionMachine::new(SubscriptionPolicy::default());
                    self.feed(&key, subscription::Input::Start, now);
                }
                continue;
            }
            let Ok(resource) = Uri::try_from(uri.as_str()) else {
                if matches!(key, SubKey::Presence(_)) {
                    tracing::warn!(account = %self.account, contact = %uri, "not a SIP address; not watched");
                }
                continue;
            };
            let dialog = SubscribeDialog::new(resource, event, accept);
            self.subs.insert(key.clone(), Sub::new(dialog, uri));
            if matches!(key, SubKey::Presence(_)) {
                self.changed.push(key.clone());
            }
            changed = true;
            if start {
                self.feed(&key, subscription::Input::Start, now);
            }
        }
        changed
    }

    /// Switches to one subscription for the whole list (RFC 4662).
    fn use_list(&mut self, uri: &str, now: std::time::Instant) {
        if self.stop.is_some() || self.subs.contains_key(&SubKey::List) {
            return;
        }
        let Ok(resource) = Uri::try_from(uri) else {
            tracing::warn!(account = %self.account, %uri, "not a SIP address; no list subscription");
            return;
        };
        tracing::info!(account = %self.account, %uri, "subscribing to the whole list");
        let mut dialog = SubscribeDialog::new(
            resource,
            "presence",
            "application/pidf+xml, application/rlmi+xml, multipart/related",
        );
        dialog.eventlist = true;
        self.subs.insert(SubKey::List, Sub::new(dialog, ""));
        self.list_mode = true;
        let contacts: Vec<SubKey> = self
            .subs
            .keys()
            .filter(|k| matches!(k, SubKey::Presence(_)))
            .cloned()
            .collect();
        for key in contacts {
            self.feed(&key, subscription::Input::Stop, now);
        }
        if self.ever_connected {
            self.feed(&SubKey::List, subscription::Input::Start, now);
        }
    }

    /// The list subscription was refused: watch each contact instead.
    pub(super) fn leave_list_mode(&mut self, now: std::time::Instant) {
        tracing::info!(account = %self.account, "no list subscription; one per contact");
        self.list_mode = false;
        if let Some(list) = self.subs.get_mut(&SubKey::List) {
            list.wanted = false;
        }
        let contacts: Vec<SubKey> = self
            .subs
            .iter()
            .filter(|(k, s)| matches!(k, SubKey::Presence(_)) && s.wanted)
            .map(|(k, _)| k.clone())
            .collect();
        for key in contacts {
            if let Some(sub) = self.subs.get_mut(&key) {
                sub.machine = SubscriptionMachine::new(SubscriptionPolicy::default());
            }
            if self.ever_connected {
                self.feed(&key, subscription::Input::Start, now);
            }
        }
    }

    fn connected_changed(&mut self, up: bool, now: std::time::Instant) {
        if self.stop.is_some() || up == self.connected {
            return;
        }
        self.connected = up;
        if !up {
            return;
        }
        let own_subscriptions = [
            (
                SubKey::Winfo,
                "presence.winfo",
                "application/watcherinfo+xml",
            ),
            (
                SubKey::Voicemail,
                "message-summary",
                crate::sip::message_summary::CONTENT_TYPE,
            ),
        ];
        for (key, event, accept) in own_subscriptions {
            if !self.subs.contains_key(&key) {
                let dialog = SubscribeDialog::new(self.identity.aor.clone(), event, accept);
                self.subs.insert(key.clone(), Sub::new(dialog, ""));
                if self.ever_connected {
                    self.feed(&key, subscription::Input::Start, now);
                }
            }
        }
        let list_mode = self.list_mode;
        let keys: Vec<SubKey> = self
            .subs
            .iter()
            .filter(|(k, s)| s.wanted && !(list_mode && matches!(k, SubKey::Presence(_))))
            .map(|(k, _)| k.clone())
            .collect();
        let input = if self.ever_connected {
            // Back after losing the server: whatever it held may be gone.
            subscription::Input::Reset
        } else {
            subscription::Input::Start
        };
        for key in keys {
            self.feed(&key, input.clone(), now);
        }
        let out = match (&self.own_document, self.ever_connected) {
            (Some(doc), false) => self
                .publication
                .handle_input(publication::Input::Publish(doc.clone()), now),
            (Some(_), true) => self
                .publication
                .handle_input(publication::Input::Reset, now),
            (None, _) => vec![],
        };
        self.ever_connected = true;
        self.publication_outputs(out);
    }

    /// Feeds one subscription's machine and carries out its outputs.
    fn feed(&mut self, key: &SubKey, input: subscription::Input, now: std::time::Instant) {
        let Some(sub) = self.subs.get_mut(key) else {
            return;
        };
        let out = sub.machine.handle_input(input, now);
        self.subscription_outputs(key, out);
        self.schedule(key);
    }

    fn subscription_outputs(&mut self, key: &SubKey, outputs: Vec<subscription::Output>) {
        for output in outputs {
            match output {
                subscription::Output::Subscribe { expires, fresh } => {
                    let job = Job::Subscribe {
                        key: key.clone(),
                        expires,
                        fresh,
                    };
                    // Lines (busy lamp) go after presence, except to end them.
                    if matches!(key, SubKey::Line(_)) && expires > 0 {
                        self.later.push_back(job);
                    } else {
                        self.queue.push_back(job);
                    }
                }
                subscription::Output::State(_)
                    if matches!(key, SubKey::Line(_) | SubKey::Voicemail) => {}
                subscription::Output::State(state) if *key == SubKey::List => {
                    tracing::info!(account = %self.account, ?state, "list subscription");
                    if matches!(state, SubscriptionState::Refused { .. }) && self.list_mode {
                        self.leave_list_mode(std::time::Instant::now());
                    }
                }
                subscription::Output::State(state) => {
                    if let Some(sub) = self.subs.get_mut(key) {
                        if matches!(state, SubscriptionState::Refused { .. }) {
                            let contact = sub.view.contact.clone();
                            sub.view = unknown_view(&contact);
                        }
                        sub.view.subscription = state;
                        self.changed.push(key.clone());
                    }
                }
                subscription::Output::Finished => {
                    let remove = self.subs.get(key).is_some_and(|s| !s.wanted);
                    if remove {
                        if let Some(sub) = self.subs.remove(key) {
                            self.by_call_id.remove(sub.dialog.call_id());
                            self.remember_ended(sub.dialog.call_id());
                        }
                    }
                }
            }
        }
        self.schedule_flush();
    }

    fn publication_outputs(&mut self, outputs: Vec<publication::Output>) {
        for output in outputs {
            match output {
                publication::Output::Send(p) => self.queue.push_back(Job::Publish(p)),
                publication::Output::State(state) => {
                    tracing::info!(account = %self.account, ?state, "publication");
                    let _ = self.events.send(Event::Publication {
                        account: self.account.clone(),
                        state,
                    });
                }
                publication::Output::Finished => {}
            }
        }
    }

    fn on_timer(&mut self) {
        let now = std::time::Instant::now();
        while let Some(Reverse((at, _))) = self.timers.peek() {
            if *at > now {
                break;
            }
            let Some(Reverse((at, key))) = self.timers.pop() else {
                break;
            };
            if self.scheduled.get(&key) != Some(&at) {
                continue; // superseded
            }
            self.scheduled.remove(&key);
            if let Some(sub) = self.subs.get_mut(&key) {
                let out = sub.machine.handle_timeout(now);
                self.subscription_outputs(&key, out);
            }
            self.schedule(&key);
        }
        if self.publication.poll_timeout().is_some_and(|t| t <= now) {
            let out = self.publication.handle_timeout(now);
            self.publication_outputs(out);
        }
        if self.flush_at.is_some_and(|t| t <= Instant::now()) {
            self.flush();
        }
    }

    fn schedule_flush(&mut self) {
        if !self.changed.is_empty() && self.flush_at.is_none() {
            self.flush_at = Some(Instant::now() + BATCH_WINDOW);
        }
    }

    fn flush(&mut self) {
        self.flush_at = None;
        if self.changed.is_empty() {
            return;
        }
        let mut keys = std::mem::take(&mut self.changed);
        keys.sort();
        keys.dedup();
        let updates: Vec<PresenceUpdate> = keys
            .iter()
            .filter(|k| matches!(k, SubKey::Presence(_)))
            .filter_map(|k| self.subs.get(k))
            .filter(|s| s.wanted)
            .map(|s| s.view.clone())
            .collect();
        if !updates.is_empty() {
            let _ = self.events.send(Event::Presence {
                account: self.account.clone(),
                updates,
            });
        }
    }
}

fn unknown_view(contact: &str) -> PresenceUpdate {
    PresenceUpdate {
        contact: contact.to_string(),
        availability: ContactAvailability::Unknown,
        note: None,
        activities: vec![],
        capabilities: Capabilities::default(),
        subscription: SubscriptionState::Idle,
        line: None,
    }
}
