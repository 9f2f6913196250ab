//! The engine: tokio tasks that own every account and all protocol state.
//! Everyone else (the window, the headless JSON-lines mode, the control
//! socket, tests) talks to it only through [`Command`]s sent on an
//! [`EngineHandle`] and [`Event`]s received from it.

mod account;
mod api;
mod api_calls;
mod call;
mod contact_sync;
mod core;
mod im;
mod presence;
mod presence_rules;
mod presence_view;
mod registration;

pub use api::{
    AudioDevice, Availability, CallAction, CallDirection, CallPhase, CallQualityView, CallView,
    Capabilities, ChatMessage, ChatState, Command, Contact, ContactAvailability, ContactEdit,
    Envelope, ErrorKind, Event, FailureKind, FailureReason, LineState, PresenceUpdate,
    RegistrationState, RoomAction, SearchHit, WatcherDecision, WatcherView,
};
pub(crate) use core::call_target;
pub use core::{start, EngineOptions};
pub use registration::{RegistrationMachine, RegistrationPolicy};

use tokio::sync::{broadcast, mpsc};

/// Sleeps until `deadline`, or forever without one: the timer arm of the
/// engine tasks' `select!` loops.
pub(crate) async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// Runs `f` on the store on a blocking thread (SQLite must not hold up the
/// tasks), whether or not an earlier user of the lock panicked.
pub(crate) async fn with_store<T: Send + 'static>(
    store: &std::sync::Arc<std::sync::Mutex<crate::store::Store>>,
    f: impl FnOnce(&mut crate::store::Store) -> T + Send + 'static,
) -> T {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&mut store.lock().unwrap_or_else(|p| p.into_inner())))
        .await
        .expect("store task")
}

/// How many events a slow listener may fall behind before it misses some.
pub(crate) const EVENT_BUFFER: usize = 1024;

/// A cheap, cloneable handle to a running engine.
#[derive(Clone)]
pub struct EngineHandle {
    commands: mpsc::UnboundedSender<Envelope>,
    events: broadcast::Sender<Event>,
}

impl EngineHandle {
    /// Queues a command; never blocks. Returns false once the engine has stopped.
    pub fn send(&self, command: impl Into<Envelope>) -> bool {
        self.commands.send(command.into()).is_ok()
    }

    /// A new receiver of every event emitted from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// True while the engine task is alive.
    pub fn is_running(&self) -> bool {
        !self.commands.is_closed()
    }
}

impl std::fmt::Debug for EngineHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineHandle")
            .field("running", &self.is_running())
            .finish()
    }
}

impl EngineHandle {
    /// A handle wired to plain channels instead of a running engine: the
    /// caller reads the commands and injects events. Used to test the UI
    /// and the control protocol in isolation.
    pub fn channel() -> (
        EngineHandle,
        mpsc::UnboundedReceiver<Envelope>,
        broadcast::Sender<Event>,
    ) {
        let (tx, rx) = mpsc::unbounded_channel();
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        (
            EngineHandle {
                commands: tx,
                events: events.clone(),
            },
            rx,
            events,
        )
    }
}

impl EngineHandle {
    /// Publishes an event on the engine's bus on behalf of a front end
    /// (e.g. a protocol error found before a command reached the engine).
    pub fn report(&self, event: Event) {
        let _ = self.events.send(event);
    }
}
