//! The engine's main task: it holds the accounts, the store and the own
//! status, turns each [`Command`] into work and answers every command with
//! `ok` or `error` (echoing its id), so callers always know where they stand.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;

use super::account::{self, AccountCtl, AccountHandle};
use super::api::{
    Availability, Command, Contact, ContactEdit, Envelope, ErrorKind, Event, RegistrationState,
};
use super::contact_sync::{self, SyncEvent};
use super::presence::PresenceCtl;
use super::presence_rules::{self, XcapAccount};
use super::presence_view;
use super::{EngineHandle, EVENT_BUFFER};
use crate::automatic::AutomaticState;
use crate::config::{AccountConfig, Config};
use crate::presence::status::Automatic;
use crate::secrets::{self, PasswordSource};
use crate::store::Store;

#[path = "core_chat.rs"]
mod chat;
#[path = "core_call_settings.rs"]
mod core_call_settings;
#[path = "core_calls.rs"]
mod core_calls;
#[path = "core_contacts.rs"]
mod core_contacts;
pub(crate) use core_calls::call_target;

/// What the engine starts from.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    pub config: Config,
    /// Where `set_account` with `save` writes the config (None: never saved).
    pub config_path: Option<PathBuf>,
    /// The SQLite database (None: in memory, nothing kept).
    pub database: Option<PathBuf>,
    /// Problems found while loading the config, told to listeners at start.
    pub warnings: Vec<String>,
    /// Look passwords up in / store them to the OS keyring.
    pub use_keyring: bool,
    /// A window will ask for a `snapshot` when it is listening: `open_chat`
    /// requests that come before are held until then (e.g. `hark chat`
    /// starting Hark), instead of being emitted to nobody.
    pub hold_until_snapshot: bool,
}

/// Starts the engine on the current tokio runtime.
pub fn start(options: EngineOptions) -> (EngineHandle, JoinHandle<()>) {
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (events, _) = broadcast::channel(EVENT_BUFFER);
    let handle = EngineHandle {
        commands: cmd_tx,
        events: events.clone(),
    };
    let join = tokio::spawn(async move {
        let mut engine = Engine::new(options, events).await;
        engine.run(cmd_rx).await;
    });
    (handle, join)
}

struct Engine {
    options: EngineOptions,
    events: broadcast::Sender<Event>,
    store: Option<Arc<Mutex<Store>>>,
    accounts: BTreeMap<String, AccountHandle>,
    configs: BTreeMap<String, AccountConfig>,
    status: (Availability, Option<String>),
    state_tx: mpsc::UnboundedSender<(String, RegistrationState)>,
    state_rx: mpsc::UnboundedReceiver<(String, RegistrationState)>,
    /// What the desktop says of the user (idle, in a meeting).
    automatic: Automatic,
    automatic_rx: mpsc::UnboundedReceiver<AutomaticState>,
    /// Each account's XCAP server, when it has one.
    xcap: BTreeMap<String, Arc<XcapAccount>>,
    /// Each account's contact list sync task (with an XCAP server).
    list_sync: BTreeMap<String, mpsc::UnboundedSender<()>>,
    server_lists_tx: mpsc::UnboundedSender<SyncEvent>,
    server_lists_rx: mpsc::UnboundedReceiver<SyncEvent>,
    /// Events held until a front end asks for a snapshot (`hold_until_snapshot`).
    held: Option<Vec<Event>>,
    /// Which account owns which call.
    calls: super::call::CallRegistry,
}

impl Engine {
    async fn new(options: EngineOptions, events: broadcast::Sender<Event>) -> Engine {
        let (state_tx, state_rx) = mpsc::unbounded_channel();
        let (server_lists_tx, server_lists_rx) = mpsc::unbounded_channel();
        let (automatic_tx, automatic_rx) = mpsc::unbounded_channel();
        let settings = options.config.automatic.clone();
        let held = options.hold_until_snapshot.then(Vec::new);
        if settings != crate::automatic::AutomaticSettings::default() {
            crate::automatic::spawn(settings, automatic_tx);
        }
        let mut engine = Engine {
            options,
            events,
            store: None,
            accounts: BTreeMap::new(),
            configs: BTreeMap::new(),
            status: (Availability::Available, None),
            state_tx,
            state_rx,
            xcap: BTreeMap::new(),
            list_sync: BTreeMap::new(),
            automatic: Automatic::default(),
            automatic_rx,
            server_lists_tx,
            server_lists_rx,
            held,
            calls: super::call::CallRegistry::default(),
        };
        engine.init_call_settings();
        engine.open_store().await;
        engine
    }

    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    fn warn(&self, message: String) {
        tracing::warn!("{message}");
        self.emit(Event::Warning { message });
    }

    async fn open_store(&mut self) {
        let path = self.options.database.clone();
        let opened = tokio::task::spawn_blocking(move || match &path {
            Some(p) => Store::open(p),
            None => Store::in_memory(),
        })
        .await
        .expect("store open task");
        match opened {
            Ok(store) => {
                if let Ok(Some(status)) = store.own_status() {
                    self.status = status;
                }
                self.store = Some(Arc::new(Mutex::new(store)));
            }
            Err(e) => {
                self.warn(format!(
                    "{e}; history and settings will not be kept this time"
                ));
            }
        }
    }

    async fn run(&mut self, mut commands: mpsc::UnboundedReceiver<Envelope>) {
        for w in std::mem::take(&mut self.options.warnings) {
            self.warn(w);
        }
        let configured: Vec<AccountConfig> = self.options.config.account.clone();
        for account in configured {
            self.start_account(account).await;
        }
        self.emit(Event::Started {
            accounts: self.configs.keys().cloned().collect(),
        });
        let mut calls_up = self.calls.watch_up();
        loop {
            tokio::select! {
                envelope = commands.recv() => {
                    let Some(Envelope { id, command }) = envelope else {
                        self.quit().await;
                        return;
                    };
                    if command == Command::Quit {
                        self.emit(Event::Ok { id });
                        self.quit().await;
                        return;
                    }
                    self.handle(id, command).await;
                }
                Some((account, state)) = self.state_rx.recv() => {
                    if let Some(a) = self.accounts.get_mut(&account) {
                        a.last_state = state;
                    }
                }
                Ok(()) = calls_up.changed() => {
                    let on_the_phone = !calls_up.borrow_and_update().is_empty();
                    if on_the_phone != self.automatic.on_the_phone {
                        tracing::info!(on_the_phone, "calls");
                        self.automatic.on_the_phone = on_the_phone;
                        self.publish_own_status();
                    }
                }
                Some(state) = self.automatic_rx.recv() => {
                    let automatic = Automatic {
                        idle: state.idle,
                        in_meeting_from_calendar: state.in_meeting.is_some(),
                        ..self.automatic
                    };
                    if automatic != self.automatic {
                        tracing::info!(idle = state.idle, meeting = state.in_meeting.is_some(), "automatic presence");
                        self.automatic = automatic;
                        self.publish_own_status();
                    }
                }
                Some(sync) = self.server_lists_rx.recv() => match sync {
                    SyncEvent::List(account, contacts) => self.server_list(account, contacts).await,
                    SyncEvent::ListService { account, uri } => {
                        if let Some(a) = self.accounts.get(&account) {
                            let _ = a.ctl.send(AccountCtl::Presence(PresenceCtl::UseList(uri)));
                        }
                    }
                },
            }
        }
    }

    async fn handle(&mut self, id: Option<serde_json::Value>, command: Command) {
        let result: Result<(), (ErrorKind, String)> = match command {
            Command::Ping => {
                self.emit(Event::Pong { id });
                return;
            }
            Command::Snapshot => {
                for (address, a) in &self.accounts {
                    if let Some(config) = self.configs.get(address) {
                        self.emit(settings_event(config));
                    }
                    self.emit(Event::AccountState {
                        account: address.clone(),
                        state: a.last_state.clone(),
                    });
                    let _ = a.ctl.send(AccountCtl::Presence(PresenceCtl::Snapshot));
                }
                let addresses: Vec<String> = self.accounts.keys().cloned().collect();
                for address in addresses {
                    let contacts = self.contacts_of(&address).await;
                    self.emit(Event::Contacts {
                        account: address,
                        contacts,
                    });
                }
                self.emit(Event::OwnStatus {
                    availability: self.status.0,
                    note: self.status.1.clone(),
                });
                self.emit(self.call_settings_event());
                for call in self.calls.views() {
                    self.emit(Event::Call {
                        call: Box::new(call),
                    });
                }
                for event in self.held.take().unwrap_or_default() {
                    self.emit(event);
                }
                Ok(())
            }
            Command::SetAccount { account, save } => self.set_account(account, save).await,
            Command::Register { account } => match self.configs.get(&account).cloned() {
                None => Err(no_such_account(&account)),
                Some(cfg) => {
                    match self.accounts.get(&account) {
                        Some(a) if !a.ctl.is_closed() => {
                            let _ = a.ctl.send(AccountCtl::Start);
                        }
                        _ => self.start_account(cfg).await,
                    }
                    Ok(())
                }
            },
            Command::Unregister { account } => match self.accounts.remove(&account) {
                None if self.configs.contains_key(&account) => Ok(()),
                None => Err(no_such_account(&account)),
                Some(a) => {
                    stop_account(a).await;
                    Ok(())
                }
            },
            Command::SetStatus { availability, note } => {
                let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
                self.status = (availability, note.clone());
                if let Some(store) = self.store.clone() {
                    let n = note.clone();
                    let saved = super::with_store(&store, move |s| {
                        s.set_own_status(availability, n.as_deref())
                    })
                    .await;
                    if let Err(e) = saved {
                        self.warn(format!("your status could not be saved: {e}"));
                    }
                }
                self.emit(Event::OwnStatus { availability, note });
                self.publish_own_status();
                Ok(())
            }
            Command::AddContact { account, contact } => self.add_contact(account, contact).await,
            Command::DecideWatcher {
                account,
                watcher,
                decision,
            } => match self.xcap.get(&account) {
                Some(xcap) => {
                    // Answered (ok or error) by the task once written.
                    tokio::spawn(presence_rules::decide(
                        xcap.clone(),
                        watcher,
                        decision,
                        self.events.clone(),
                        id,
                    ));
                    return;
                }
                None if self.configs.contains_key(&account) => Err((
                    ErrorKind::BadArgument,
                    format!(
                        "{account} has no XCAP server (xcap_root), so who may see you cannot be decided"
                    ),
                )),
                None => Err(no_such_account(&account)),
            },
            Command::RemoveContact { account, uri } => self.remove_contact(account, uri).await,
            Command::SendMessage { .. }
            | Command::RetryMessage { .. }
            | Command::Typing { .. }
            | Command::MarkRead { .. }
            | Command::History { .. }
            | Command::SearchMessages { .. }
            | Command::OpenChat { .. }
            | Command::Room { .. } => {
                self.handle_im(id, command).await;
                return;
            }
            Command::Call { .. } | Command::CallControl { .. } => {
                self.handle_call(id, command);
                return;
            }
            Command::CallHistory { .. } | Command::MarkCallsSeen { .. } => {
                self.handle_call_history(id, command).await;
                return;
            }
            Command::SetCallSettings { settings, save } => {
                self.set_call_settings(settings, save).await
            }
            Command::AudioDevices => {
                self.list_audio_devices();
                Ok(())
            }
            Command::Quit => unreachable!("handled by run"),
        };
        match result {
            Ok(()) => self.emit(Event::Ok { id }),
            Err((kind, message)) => self.emit(Event::Error { id, kind, message }),
        }
    }

    async fn set_account(
        &mut self,
        mut account: AccountConfig,
        save: bool,
    ) -> Result<(), (ErrorKind, String)> {
        let problems = account.validate();
        if let Some((field, problem)) = problems.first() {
            return Err((
                ErrorKind::BadArgument,
                format!("account {field:?} {}", problem.describe()).to_lowercase(),
            ));
        }
        account.address =
            AccountConfig::normalize_address(&account.address).expect("validated above");
        account.server = account
            .server
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        if let Some(old) = self.accounts.remove(&account.address) {
            stop_account(old).await;
        }
        if save {
            self.save_account(&account).await?;
        }
        self.emit(settings_event(&account));
        self.start_account(account).await;
        Ok(())
    }

    /// Writes the account to the config file; the password goes to the
    /// keyring when one is there, else stays in the (0600) file.
    async fn save_account(&mut self, account: &AccountConfig) -> Result<(), (ErrorKind, String)> {
        let Some(path) = self.options.config_path.clone() else {
            return Ok(());
        };
        let mut to_save = account.clone();
        if self.options.use_keyring {
            if let Some(password) = account.password.clone() {
                let address = account.address.clone();
                let stored =
                    tokio::task::spawn_blocking(move || secrets::store(&address, &password))
                        .await
                        .expect("keyring task");
                match stored {
                    Ok(()) => to_save.password = None,
                    Err(e) => self.warn(format!(
                        "no keyring available ({e}); the password is kept in {} (readable only by you)",
                        path.display()
                    )),
                }
            }
        }
        let config = &mut self.options.config;
        config.account.retain(|a| a.address != to_save.address);
        config.account.insert(0, to_save);
        let config = config.clone();
        tokio::task::spawn_blocking(move || crate::config::save(&path, &config))
            .await
            .expect("config save task")
            .map_err(|e| (ErrorKind::Failed, format!("cannot save the config: {e}")))
    }

    async fn start_account(&mut self, account: AccountConfig) {
        let address = account.address.clone();
        let from_config = account.password.clone();
        let use_keyring = self.options.use_keyring;
        let lookup_address = address.clone();
        let (password, source) = tokio::task::spawn_blocking(move || {
            if use_keyring {
                secrets::lookup(&lookup_address, from_config.as_deref())
            } else {
                let src = if from_config.is_some() {
                    PasswordSource::ConfigFile
                } else {
                    PasswordSource::None
                };
                (from_config, src)
            }
        })
        .await
        .expect("keyring task");
        if source == PasswordSource::ConfigFile {
            if let Some(path) = &self.options.config_path {
                self.warn(format!(
                    "the password of {address} is kept in {}; keep that file private (chmod 600), \
                     or remove it from there and enter it in Hark to keep it in the keyring",
                    path.display()
                ));
            }
        }
        self.xcap.remove(&address);
        self.list_sync.remove(&address);
        if let Some(root) = account.xcap_root.as_deref() {
            match xcap_account(&account, root, password.clone()) {
                Ok(x) => {
                    let x = Arc::new(x);
                    if let Some(store) = self.store.clone() {
                        let sync = contact_sync::spawn(
                            address.clone(),
                            x.clone(),
                            store,
                            self.server_lists_tx.clone(),
                            self.events.clone(),
                        );
                        self.list_sync.insert(address.clone(), sync);
                    }
                    self.xcap.insert(address.clone(), x);
                }
                Err(e) => self.warn(format!("{address}: {e}")),
            }
        }
        let handle = account::spawn(
            account.clone(),
            password,
            self.store.clone(),
            self.events.clone(),
            self.state_tx.clone(),
            self.calls.clone(),
        );
        self.configs.insert(address.clone(), account);
        self.accounts.insert(address.clone(), handle);
        let contacts = self.contacts_of(&address).await;
        self.watch(&address, &contacts);
        self.emit(Event::Contacts {
            account: address.clone(),
            contacts,
        });
        self.publish_own_status_on(&address);
    }

    fn publish_own_status(&self) {
        for address in self.accounts.keys() {
            self.publish_own_status_on(address);
        }
    }

    fn publish_own_status_on(&self, address: &str) {
        self.calls
            .set_dnd(self.status.0 == Availability::DoNotDisturb);
        if let Some(a) = self.accounts.get(address) {
            let doc = presence_view::own_document(
                address,
                self.status.0,
                self.status.1.as_deref(),
                self.automatic,
            );
            let _ = a.ctl.send(AccountCtl::Presence(PresenceCtl::Publish(doc)));
        }
    }

    async fn quit(&mut self) {
        let stops = std::mem::take(&mut self.accounts)
            .into_values()
            .map(stop_account);
        futures::future::join_all(stops).await;
        self.emit(Event::Stopped);
    }
}

/// The settings of an account as they may be shown: without the password.
fn settings_event(account: &AccountConfig) -> Event {
    let mut account = account.clone();
    account.password = None;
    Event::AccountSettings {
        account: Box::new(account),
    }
}

fn xcap_account(
    account: &AccountConfig,
    root: &str,
    password: Option<String>,
) -> Result<XcapAccount, String> {
    let root = crate::presence::xcap::XcapRoot::new(root)
        .map_err(|_| format!("the XCAP root {root:?} is not an http:// or https:// URL"))?;
    let user = account.auth_user_name();
    let client = crate::xcap::XcapClient::new(user, password).map_err(|e| e.to_string())?;
    Ok(XcapAccount {
        client,
        root,
        xui: account.address.clone(),
    })
}

fn no_store() -> (ErrorKind, String) {
    (
        ErrorKind::Failed,
        "the database could not be opened, so contacts cannot be kept".to_string(),
    )
}

fn no_such_account(address: &str) -> (ErrorKind, String) {
    (
        ErrorKind::BadArgument,
        format!("there is no account {address}"),
    )
}

/// Asks an account task to unregister and waits until it has (bounded).
async fn stop_account(handle: AccountHandle) {
    let (tx, rx) = oneshot::channel();
    if handle.ctl.send(AccountCtl::Stop(tx)).is_ok() {
        let grace = account::UNREGISTER_GRACE
            + super::presence::STOP_GRACE
            + std::time::Duration::from_secs(1);
        let _ = tokio::time::timeout(grace, rx).await;
    }
}
