//! The task that drives one account: it owns the account's SIP endpoint and
//! registrar, feeds their results to the sans-IO [`RegistrationMachine`]
//! and carries out what the machine asks (send REGISTER, keep-alive), while
//! staying responsive to the engine's start/stop requests.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::Instant;

use super::api::{Event, FailureKind, RegistrationState};
use super::call::{self, CallCtl, CallRegistry};
use super::im::{self, ImCtl};
use super::presence::{self, PresenceCtl};
use super::registration::{Input, Outcome, Output, RegistrationMachine, RegistrationPolicy};
use crate::config::AccountConfig;
use crate::sip::{self, EndpointSettings, Registrar, SipEndpoint, Unreachable};
use crate::store::Store;

/// How long quitting waits for the un-REGISTER before giving up.
pub(crate) const UNREGISTER_GRACE: Duration = Duration::from_secs(4);

/// Requests from the engine to an account task.
#[derive(Debug)]
pub(crate) enum AccountCtl {
    Start,
    /// Unregister; the sender is told when done (then the task ends).
    Stop(oneshot::Sender<()>),
    /// For the account's presence task (kept until it exists).
    Presence(PresenceCtl),
    /// For the account's chat task (kept until it exists).
    Im(ImCtl),
    /// For the account's call task (kept until it exists).
    Call(CallCtl),
}

/// The engine's side of a running account task.
pub(crate) struct AccountHandle {
    pub ctl: mpsc::UnboundedSender<AccountCtl>,
    pub last_state: RegistrationState,
}

type Pending = Pin<Box<dyn Future<Output = (Option<Registrar>, Input)> + Send>>;

/// Spawns the task; it starts registering at once.
pub(crate) fn spawn(
    account: AccountConfig,
    password: Option<String>,
    store: Option<Arc<std::sync::Mutex<Store>>>,
    events: broadcast::Sender<Event>,
    states: mpsc::UnboundedSender<(String, RegistrationState)>,
    calls: CallRegistry,
) -> AccountHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let _ = tx.send(AccountCtl::Start);
    tokio::spawn(run(account, password, store, events, states, calls, rx));
    AccountHandle {
        ctl: tx,
        last_state: RegistrationState::Unregistered,
    }
}

fn policy_for(account: &AccountConfig) -> RegistrationPolicy {
    let keepalive = match account.keepalive_secs {
        Some(0) => None,
        Some(s) => Some(Duration::from_secs(u64::from(s))),
        None => Some(Duration::from_secs(30)),
    };
    RegistrationPolicy {
        requested_expires: account.expires.max(1),
        keepalive,
        jitter_seed: account
            .address
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            }),
        ..RegistrationPolicy::default()
    }
}

struct Driver {
    account: AccountConfig,
    password: Option<String>,
    endpoint: Option<Arc<SipEndpoint>>,
    registrar: Option<Registrar>,
    flows: Option<mpsc::UnboundedReceiver<sip::endpoint::FlowEvent>>,
    keepalive_wait: Duration,
    events: broadcast::Sender<Event>,
    /// The presence task, once the endpoint exists.
    presence: Option<mpsc::UnboundedSender<PresenceCtl>>,
    /// Presence requests that came before it: the latest watch list and document.
    presence_backlog: Vec<PresenceCtl>,
    /// The chat task, once the endpoint exists, and what came before it.
    im: Option<mpsc::UnboundedSender<ImCtl>>,
    im_backlog: Vec<ImCtl>,
    /// The call task, once the endpoint exists, and what came before it.
    calls: Option<mpsc::UnboundedSender<CallCtl>>,
    call_backlog: Vec<CallCtl>,
    call_setup: CallRegistry,
    store: Option<Arc<std::sync::Mutex<Store>>>,
}

impl Driver {
    /// Sets the endpoint up on first use; a failure becomes an outcome.
    async fn ensure_endpoint(&mut self) -> Result<(), Outcome> {
        if self.endpoint.is_some() {
            return Ok(());
        }
        let target = self
            .account
            .server
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| self.account.domain().to_string());
        let server = sip::resolve::resolve(&target).await.map_err(|e| {
            let kind = match e {
                sip::ResolveError::NameNotFound(_) => FailureKind::NameNotFound,
                sip::ResolveError::Invalid(_) => FailureKind::BadSettings,
                sip::ResolveError::NoRoute(..) => FailureKind::Network,
            };
            Outcome::Unreachable {
                kind,
                detail: e.to_string(),
            }
        })?;
        let (endpoint, incoming, flows) = SipEndpoint::start(EndpointSettings {
            server,
            transport: self.account.transport,
            user_agent: format!("Hark/{}", env!("CARGO_PKG_VERSION")),
        })
        .await
        .map_err(|e| Outcome::Unreachable {
            kind: FailureKind::Network,
            detail: e.to_string(),
        })?;
        let (notify_tx, notify_rx) = mpsc::unbounded_channel();
        let (message_tx, message_rx) = mpsc::unbounded_channel();
        let (call_tx, call_rx) = mpsc::unbounded_channel();
        let (_routes_tx, routes) = tokio::sync::watch::channel(sip::incoming::Routes {
            notify: Some(notify_tx),
            message: Some(message_tx),
            call: Some(call_tx),
        });
        tokio::spawn(sip::incoming::serve(incoming, routes));
        self.registrar = Some(Registrar::new(
            &endpoint,
            &self.account,
            self.password.clone(),
        ));
        let identity = sip::request::Identity::new(&endpoint, &self.account, self.password.clone());
        let endpoint = Arc::new(endpoint);
        let chat = im::spawn(
            self.account.address.clone(),
            endpoint.clone(),
            identity.clone(),
            self.store.clone(),
            self.events.clone(),
            message_rx,
        );
        for msg in self.im_backlog.drain(..) {
            let _ = chat.send(msg);
        }
        self.im = Some(chat);
        let calls = call::spawn(call::CallTaskSetup {
            account: self.account.clone(),
            endpoint: endpoint.clone(),
            identity: identity.clone(),
            events: self.events.clone(),
            registry: self.call_setup.clone(),
            requests: call_rx,
            store: self.store.clone(),
        });
        for msg in self.call_backlog.drain(..) {
            let _ = calls.send(msg);
        }
        self.calls = Some(calls);
        let presence = presence::spawn(
            self.account.address.clone(),
            endpoint.clone(),
            identity,
            self.events.clone(),
            notify_rx,
            self.account.busy_lamp.unwrap_or(true),
        );
        for msg in self.presence_backlog.drain(..) {
            let _ = presence.send(msg);
        }
        self.presence = Some(presence);
        self.endpoint = Some(endpoint);
        self.flows = Some(flows);
        Ok(())
    }

    fn tell_presence(&mut self, msg: PresenceCtl) {
        match &self.presence {
            Some(p) => {
                let _ = p.send(msg);
            }
            None => {
                let same_kind =
                    |m: &PresenceCtl| std::mem::discriminant(m) == std::mem::discriminant(&msg);
                self.presence_backlog.retain(|m| !same_kind(m));
                self.presence_backlog.push(msg);
            }
        }
    }

    fn tell_im(&mut self, msg: ImCtl) {
        match &self.im {
            Some(chat) => {
                let _ = chat.send(msg);
            }
            None => {
                if !matches!(msg, ImCtl::Typing { .. }) {
                    self.im_backlog.push(msg);
                }
            }
        }
    }

    fn tell_calls(&mut self, msg: CallCtl) {
        match &self.calls {
            Some(calls) => {
                let _ = calls.send(msg);
            }
            None => self.call_backlog.push(msg),
        }
    }

    /// Ends the presence task (unsubscribe, unpublish), bounded in time.
    async fn stop_presence(&mut self) {
        let Some(p) = self.presence.take() else {
            return;
        };
        let (tx, rx) = oneshot::channel();
        if p.send(PresenceCtl::Stop(tx)).is_ok() {
            let _ =
                tokio::time::timeout(presence::STOP_GRACE + Duration::from_millis(200), rx).await;
        }
    }

    async fn send_register(&mut self, expires: u32) -> Pending {
        if let Err(outcome) = self.ensure_endpoint().await {
            return Box::pin(async move { (None, Input::Registered(outcome)) });
        }
        let mut registrar = self
            .registrar
            .take()
            .expect("registrar exists with endpoint");
        Box::pin(async move {
            let outcome = registrar.register(expires).await;
            (
                Some(registrar),
                Input::Registered(to_machine_outcome(outcome)),
            )
        })
    }

    fn send_keepalive(&mut self) -> Pending {
        let Some(endpoint) = self.endpoint.clone() else {
            return Box::pin(async { (None, Input::KeepaliveAnswered(false)) });
        };
        let account = self.account.clone();
        let wait = self.keepalive_wait;
        Box::pin(async move {
            let ok = sip::register::keepalive(&endpoint, &account, wait).await;
            (None, Input::KeepaliveAnswered(ok))
        })
    }
}

fn to_machine_outcome(o: sip::Outcome) -> Outcome {
    match o {
        sip::Outcome::Registered { expires } => Outcome::Registered { expires },
        sip::Outcome::Rejected {
            code,
            reason,
            auth_sent,
            hint_secs,
        } => Outcome::Rejected {
            code,
            reason,
            auth_sent,
            hint_secs,
        },
        sip::Outcome::Unreachable { why, detail } => Outcome::Unreachable {
            kind: match why {
                Unreachable::Timeout => FailureKind::Timeout,
                Unreachable::Refused => FailureKind::ConnectionRefused,
                Unreachable::NameNotFound => FailureKind::NameNotFound,
                Unreachable::Network => FailureKind::Network,
            },
            detail,
        },
    }
}

async fn run(
    account: AccountConfig,
    password: Option<String>,
    store: Option<Arc<std::sync::Mutex<Store>>>,
    events: broadcast::Sender<Event>,
    states: mpsc::UnboundedSender<(String, RegistrationState)>,
    call_setup: CallRegistry,
    mut ctl: mpsc::UnboundedReceiver<AccountCtl>,
) {
    let address = account.address.clone();
    let mut machine = RegistrationMachine::new(policy_for(&account));
    let keepalive_wait = policy_for(&account)
        .keepalive
        .map(|k| k.min(Duration::from_secs(10)))
        .unwrap_or(Duration::from_secs(10));
    let mut driver = Driver {
        account,
        password,
        endpoint: None,
        registrar: None,
        flows: None,
        keepalive_wait,
        events: events.clone(),
        presence: None,
        presence_backlog: Vec::new(),
        im: None,
        im_backlog: Vec::new(),
        calls: None,
        call_backlog: Vec::new(),
        call_setup,
        store,
    };
    let mut pending: Option<Pending> = None;
    let mut stop_waiters: Vec<oneshot::Sender<()>> = Vec::new();
    let mut stop_deadline: Option<Instant> = None;

    loop {
        let wake = machine.poll_timeout().map(Instant::from_std);
        let deadline = match (wake, stop_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let outputs = tokio::select! {
            msg = ctl.recv() => match msg {
                Some(AccountCtl::Start) => machine.handle_input(Input::Start, std::time::Instant::now()),
                Some(AccountCtl::Presence(msg)) => {
                    driver.tell_presence(msg);
                    vec![]
                }
                Some(AccountCtl::Im(msg)) => {
                    driver.tell_im(msg);
                    vec![]
                }
                Some(AccountCtl::Call(msg)) => {
                    driver.tell_calls(msg);
                    vec![]
                }
                Some(AccountCtl::Stop(done)) => {
                    driver.stop_presence().await;
                    stop_waiters.push(done);
                    stop_deadline.get_or_insert(Instant::now() + UNREGISTER_GRACE);
                    machine.handle_input(Input::Stop, std::time::Instant::now())
                }
                None => {
                    driver.stop_presence().await;
                    stop_deadline.get_or_insert(Instant::now() + UNREGISTER_GRACE);
                    machine.handle_input(Input::Stop, std::time::Instant::now())
                }
            },
            (registrar, input) = async { pending.as_mut().expect("guarded").await }, if pending.is_some() => {
                pending = None;
                if let Some(r) = registrar {
                    driver.registrar = Some(r);
                }
                machine.handle_input(input, std::time::Instant::now())
            }
            Some(_) = async { driver.flows.as_mut().expect("guarded").recv().await }, if driver.flows.is_some() => {
                tracing::info!(account = %address, "connection to the server closed");
                machine.handle_input(Input::FlowLost, std::time::Instant::now())
            }
            _ = super::sleep_until(deadline) => {
                if stop_deadline.is_some_and(|d| Instant::now() >= d) {
                    tracing::warn!(account = %address, "server did not answer the un-REGISTER in time");
                    vec![Output::State(RegistrationState::Unregistered), Output::Finished]
                } else {
                    machine.handle_timeout(std::time::Instant::now())
                }
            }
        };
        let mut finished = false;
        for output in outputs {
            match output {
                Output::SendRegister { expires } => {
                    pending = Some(driver.send_register(expires).await);
                }
                Output::SendKeepalive => pending = Some(driver.send_keepalive()),
                Output::State(state) => {
                    tracing::info!(account = %address, ?state, "registration state");
                    let up = matches!(state, RegistrationState::Registered { .. });
                    driver.tell_presence(PresenceCtl::Connected(up));
                    driver.tell_im(ImCtl::Connected(up));
                    let _ = states.send((address.clone(), state.clone()));
                    let _ = events.send(Event::AccountState {
                        account: address.clone(),
                        state,
                    });
                }
                Output::Finished => finished = true,
            }
        }
        if finished {
            break;
        }
    }
    for w in stop_waiters {
        let _ = w.send(());
    }
}
