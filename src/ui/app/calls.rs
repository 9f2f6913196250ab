//! The app's call side (SPEC C5, C6, M8): placing calls (from the contact
//! list, the dial field, a chat window), the windows that follow each call
//! from the engine's `call` events (the incoming-call pop-up while it
//! rings, then a call window; an ended call's window shows why for a
//! moment and closes), the calls' keys, the timer tick, the main window's
//! list of calls in progress and its missed-call badge (what the store
//! knows of missed calls is in [`super::history`]), and desktop
//! notifications for incoming and missed calls.
//!
//! Every window follows the engine's word: a call placed from a
//! `hark call` on the command line gets its window the same way as one
//! placed here.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use iced::widget::space;
use iced::{window, Element, Task};

use crate::engine::{CallAction, CallDirection, CallView, Command, Envelope, Event};
use crate::ui::call::{describe, ended_normally, Call, Change};
use crate::ui::chat::chat_key;
use crate::ui::contact_list;
use crate::ui::desktop::Topic;
use crate::ui::screen::call_window::{MIN_SIZE, SIZE};
use crate::ui::screen::dial_pad::{LiveCall, DIAL_REQUEST};
use crate::ui::screen::{call_window, incoming_call, CallWindow, TransferCandidate};
use crate::ui::status::display_address;

use super::keys::CallKey;
use super::{App, Message, WindowKind};

/// How long the window of a call that ended the ordinary way stays.
pub const ENDED_LINGER: Duration = Duration::from_secs(3);
/// How long it stays when the call failed (busy, not found...): long
/// enough to read why.
pub const FAILED_LINGER: Duration = Duration::from_secs(10);
/// The same call twice within this time is one click too many.
const REPEAT_GUARD: Duration = Duration::from_millis(1500);

/// The wall clock, as the engine stamps calls (ms since the epoch).
pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

impl App {
    /// The name to show for the other person of a call: their name on the
    /// list, else the name their call carried, else the address.
    pub fn call_name(&self, view: &CallView) -> String {
        self.caller_name(&view.account, &view.peer, view.peer_name.as_deref())
    }

    pub(super) fn caller_name(&self, account: &str, peer: &str, given: Option<&str>) -> String {
        let list = self.main.contacts().list();
        list.contact(&chat_key(account, peer))
            .map(contact_list::display_name)
            .or_else(|| {
                given
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(Into::into)
            })
            .unwrap_or_else(|| display_address(peer).to_string())
    }

    /// The window showing a call (its pop-up while it rings).
    pub fn call_window(&self, call: &str) -> Option<window::Id> {
        self.call_windows
            .iter()
            .find(|(_, w)| w.call() == call)
            .map(|(id, _)| *id)
    }

    pub fn call_window_state(&self, window: window::Id) -> Option<&CallWindow> {
        self.call_windows.get(&window)
    }

    /// The incoming-call pop-up of a call, while it is open.
    pub fn incoming_window(&self, call: &str) -> Option<window::Id> {
        self.incoming
            .iter()
            .find(|(_, c)| c.as_str() == call)
            .map(|(id, _)| *id)
    }

    /// Every call the UI knows, and the missed ones.
    pub fn calls(&self) -> &crate::ui::call::Calls {
        &self.calls
    }

    /// Calls `uri` (a number, user name or address) from `account`, or
    /// shows the call with them that is already under way. `request` is
    /// the command's id when its answer matters (the dial field's).
    pub(super) fn place_call(
        &mut self,
        account: Option<String>,
        uri: &str,
        request: Option<&str>,
    ) -> Task<Message> {
        if let Some(account) = &account {
            if let Some(id) = self
                .calls
                .live_with(account, uri)
                .map(|c| c.id().to_string())
            {
                return self.show_call(&id);
            }
        }
        let target = (account.clone(), uri.trim().to_string());
        if self
            .last_placed
            .as_ref()
            .is_some_and(|(t, at)| *t == target && at.elapsed() < REPEAT_GUARD)
        {
            return Task::none();
        }
        self.last_placed = Some((target, Instant::now()));
        let envelope = Envelope {
            id: request.map(Into::into),
            command: Command::Call {
                account,
                uri: uri.trim().to_string(),
            },
        };
        if !self.engine.send(envelope) {
            tracing::warn!("the engine is not running; call dropped");
            self.main.set_engine_stopped();
        }
        Task::none()
    }

    /// The dial field's number.
    pub(super) fn dial(&mut self, number: &str) -> Task<Message> {
        // Several accounts: the engine calls from the first.
        self.place_call(None, number, Some(DIAL_REQUEST))
    }

    /// Raises the window of a call, or opens it again (the pop-up while
    /// it rings).
    pub(super) fn show_call(&mut self, id: &str) -> Task<Message> {
        let Some(call) = self.calls.get(id) else {
            return Task::none();
        };
        if call.is_ringing() {
            return match self.incoming_window(id) {
                Some(window) => window::gain_focus(window),
                None => self.open_incoming(id),
            };
        }
        self.hidden_calls.remove(id);
        match self.call_window(id) {
            Some(window) => window::gain_focus(window),
            None => self.open_call_window(id),
        }
    }

    fn open_incoming(&mut self, id: &str) -> Task<Message> {
        let (window, open) = window::open(incoming_call::settings());
        self.windows.insert(
            window,
            WindowKind::IncomingCall {
                call: id.to_string(),
            },
        );
        self.incoming.insert(window, id.to_string());
        self.opening.insert(window);
        // Flag it, never take the focus from what the user is doing.
        open.map(Message::WindowOpened)
            .chain(window::request_user_attention(
                window,
                Some(window::UserAttention::Critical),
            ))
    }

    fn open_call_window(&mut self, id: &str) -> Task<Message> {
        let (window, open) = window::open(window::Settings {
            size: SIZE,
            min_size: Some(MIN_SIZE),
            exit_on_close_request: false,
            ..window::Settings::default()
        });
        self.windows.insert(
            window,
            WindowKind::Call {
                call: id.to_string(),
            },
        );
        self.call_windows.insert(window, CallWindow::new(id));
        self.opening.insert(window);
        open.map(Message::WindowOpened)
    }

    /// Forgets a window the app closes (the close event that follows finds
    /// nothing left to do). One still opening closes once it is open: a
    /// close before that would be lost and leave an empty window.
    fn close_window(&mut self, window: window::Id) -> Task<Message> {
        self.windows.remove(&window);
        self.incoming.remove(&window);
        if let Some(w) = self.call_windows.remove(&window) {
            self.calls.forget(w.call());
        }
        if self.opening.contains(&window) {
            self.close_when_open.insert(window);
            return Task::none();
        }
        window::close(window)
    }

    /// A window is open: true when it is to close at once.
    pub(super) fn closes_on_opening(&mut self, window: window::Id) -> bool {
        self.opening.remove(&window);
        self.close_when_open.remove(&window)
    }

    /// Takes in the engine's call events.
    pub(super) fn call_event(&mut self, event: &Event) -> Task<Message> {
        if !matches!(
            event,
            Event::Call { .. } | Event::CallQuality { .. } | Event::DtmfReceived { .. }
        ) {
            return Task::none();
        }
        self.calls.tick(now_ms());
        let task = match event {
            Event::Call { call } => self.call_changed((**call).clone()),
            Event::CallQuality { quality } => {
                self.calls.apply_quality(quality.clone());
                Task::none()
            }
            Event::DtmfReceived { call, key } => {
                self.calls.key_received(call, *key);
                Task::none()
            }
            _ => Task::none(),
        };
        self.sync_call_lines();
        task
    }

    fn call_changed(&mut self, view: CallView) -> Task<Message> {
        let id = view.id.clone();
        let change = self.calls.apply(view);
        let Some(call) = self.calls.get(&id).cloned() else {
            return Task::none();
        };
        let mut tasks = Vec::new();
        if change.ringing && change.first {
            self.notify_call(&call, Topic::IncomingCall);
            tasks.push(self.open_incoming(&id));
        }
        if change.was_ringing && !change.ringing {
            if let Some(window) = self.incoming_window(&id) {
                tasks.push(self.close_window(window));
            }
        }
        if change.missed {
            self.notify_call(&call, Topic::MissedCall);
        }
        tasks.push(self.follow_with_window(&call, change));
        if change.ended {
            tasks.push(self.history_call_ended());
        }
        if call.is_ended() && self.call_window(&id).is_none() {
            self.calls.forget(&id);
            self.hidden_calls.remove(&id);
        }
        Task::batch(tasks)
    }

    /// Opens the call window once the call is set up (or when a call of
    /// ours failed at once, to say why), and closes it a moment after the
    /// call ended.
    fn follow_with_window(&mut self, call: &Call, change: Change) -> Task<Message> {
        let id = call.id();
        if call.is_ringing() || self.hidden_calls.contains(id) {
            return Task::none();
        }
        let mut task = Task::none();
        if self.call_window(id).is_none() {
            // An incoming call that ended while ringing has no window.
            let wanted = !call.is_ended()
                || (change.first && call.view.direction == CallDirection::Outgoing);
            if wanted {
                task = self.open_call_window(id);
            }
        }
        if let (true, Some(window)) = (change.ended, self.call_window(id)) {
            let linger = if ended_normally(&call.view) {
                ENDED_LINGER
            } else {
                FAILED_LINGER
            };
            task = task.chain(Task::perform(
                async move { tokio::time::sleep(linger).await },
                move |()| Message::CloseEndedCall(window),
            ));
        }
        task
    }

    fn notify_call(&self, call: &Call, topic: Topic) {
        let name = self.call_name(&call.view);
        let address = display_address(&call.view.peer).to_string();
        let (title, body) = match topic {
            Topic::MissedCall => ("call-missed-title", "call-missed-body"),
            _ => ("call-notification-title", "call-notification-body"),
        };
        let body = self
            .i18n
            .tr_args(body, &[("name", name.into()), ("address", address.into())]);
        self.desktop.notify_about(
            topic,
            &call.view.account,
            &call.view.peer,
            &self.i18n.tr(title),
            &body,
        );
    }

    /// The main window's lines for the calls in progress and its badge.
    pub(super) fn sync_call_lines(&mut self) {
        let now = self.calls.now_ms();
        let live: Vec<LiveCall> = self
            .calls
            .live()
            .map(|call| {
                let name = self.call_name(&call.view);
                LiveCall {
                    id: call.id().to_string(),
                    status: describe(&self.i18n, call, &name, now),
                    name,
                }
            })
            .collect();
        let missed: Vec<String> = self
            .calls
            .missed()
            .iter()
            .rev()
            .map(|m| self.caller_name(&m.account, &m.peer, m.peer_name.as_deref()))
            .collect();
        let count = self.call_log.missed_unseen();
        let pad = self.main.dial_pad_mut();
        pad.set_live(live);
        pad.set_missed(missed, count);
    }

    /// The user looked at the missed calls.
    pub(super) fn clear_missed(&mut self) {
        self.calls.clear_missed();
        self.sync_call_lines();
    }

    /// Once a second while a call's timer runs.
    pub(super) fn call_tick(&mut self) {
        self.calls.tick(now_ms());
        self.sync_call_lines();
    }

    pub(super) fn call_message(
        &mut self,
        window: window::Id,
        message: call_window::Message,
    ) -> Task<Message> {
        let Some(w) = self.call_windows.get_mut(&window) else {
            return Task::none();
        };
        let Some(call) = self.calls.get(w.call()) else {
            return Task::none();
        };
        let id = call.id().to_string();
        match w.update(message, call) {
            Some(call_window::Event::Control(action)) => {
                self.control(&id, action);
                Task::none()
            }
            Some(call_window::Event::Close) => self.close_window(window),
            Some(call_window::Event::Focus(id)) => iced::widget::operation::focus(id),
            Some(call_window::Event::RefreshDevices) => {
                self.send(Command::AudioDevices);
                Task::none()
            }
            Some(call_window::Event::UseDevice(slot, device)) => {
                self.use_device(slot, &device);
                Task::none()
            }
            None => Task::none(),
        }
    }

    pub(super) fn incoming_message(
        &mut self,
        window: window::Id,
        message: incoming_call::Message,
    ) -> Task<Message> {
        if let Some(id) = self.incoming.get(&window).cloned() {
            if self.calls.get(&id).is_some_and(Call::is_ringing) {
                self.control(&id, message.action());
            }
        }
        Task::none()
    }

    /// Sends `action` for call `id`; keys sent are shown on its keypad.
    fn control(&mut self, id: &str, action: CallAction) {
        if let CallAction::Dtmf { keys } = &action {
            self.calls.keys_sent(id, keys);
        }
        self.send(Command::CallControl {
            call: id.to_string(),
            action,
        });
    }

    /// The window of an ended call closes after its moment.
    pub(super) fn close_ended_call(&mut self, window: window::Id) -> Task<Message> {
        let ended = self
            .call_windows
            .get(&window)
            .and_then(|w| self.calls.get(w.call()))
            .is_some_and(Call::is_ended);
        if ended {
            self.close_window(window)
        } else {
            Task::none()
        }
    }

    /// A call window or pop-up closed (by the user, or by the app).
    pub(super) fn call_window_closed(&mut self, window: window::Id) {
        self.opening.remove(&window);
        self.close_when_open.remove(&window);
        self.incoming.remove(&window);
        if let Some(w) = self.call_windows.remove(&window) {
            self.calls.forget(w.call());
            // A live call goes on; its window comes back from the main
            // window's list.
            if self.calls.get(w.call()).is_some() {
                self.hidden_calls.insert(w.call().to_string());
            }
        }
    }

    /// A call key pressed in `window` (see [`super::keys`]).
    pub(super) fn call_key(&mut self, window: window::Id, key: CallKey) -> Task<Message> {
        use crate::ui::screen::call_window::Message as W;
        use crate::ui::screen::incoming_call::Message as I;
        match self.windows.get(&window) {
            Some(WindowKind::IncomingCall { .. }) => match key {
                CallKey::Accept | CallKey::Enter => self.incoming_message(window, I::Accept),
                CallKey::Decline => self.incoming_message(window, I::Decline),
                CallKey::Voicemail => self.incoming_message(window, I::Voicemail),
                _ => Task::none(),
            },
            Some(WindowKind::Call { .. }) => {
                let message = match key {
                    CallKey::Tone(c) => W::Key(c),
                    CallKey::Mute => W::ToggleMute,
                    CallKey::Hold => W::ToggleHold,
                    CallKey::Keypad => W::ToggleKeypad,
                    CallKey::Info => W::ToggleInfo,
                    CallKey::Transfer => W::ToggleTransfer,
                    CallKey::Hangup => W::Hangup,
                    CallKey::Enter => W::Close,
                    _ => return Task::none(),
                };
                self.call_message(window, message)
            }
            Some(WindowKind::Chat { account, peer }) if key == CallKey::CallPeer => {
                let (account, peer) = (account.clone(), peer.clone());
                self.place_call(Some(account), &peer, None)
            }
            Some(WindowKind::Main) if key == CallKey::Dial => {
                iced::widget::operation::focus(crate::ui::screen::dial_pad::DIAL_ID)
            }
            _ => Task::none(),
        }
    }

    pub(super) fn call_view(&self, window: window::Id) -> Element<'_, Message> {
        if let Some(id) = self.incoming.get(&window) {
            let Some(call) = self.calls.get(id) else {
                return space().into();
            };
            let name = self.call_name(&call.view);
            let account = (self.main.accounts().len() > 1).then_some(call.view.account.as_str());
            return incoming_call::view(&self.i18n, call, &name, account)
                .map(move |m| Message::Incoming(window, m));
        }
        let Some(w) = self.call_windows.get(&window) else {
            return space().into();
        };
        let Some(call) = self.calls.get(w.call()) else {
            return space().into();
        };
        let name = self.call_name(&call.view);
        let others = self.transfer_candidates(call);
        let setup = self.audio_setup();
        w.view(&self.i18n, call, &name, self.calls.now_ms(), &others, setup)
            .map(move |m| Message::Call(window, m))
    }

    /// The other calls of `call`'s account that are up: an attended
    /// transfer can connect `call`'s peer with theirs.
    fn transfer_candidates(&self, call: &Call) -> Vec<TransferCandidate> {
        let now = self.calls.now_ms();
        self.calls
            .live()
            .filter(|c| c.id() != call.id() && c.is_active() && c.view.account == call.view.account)
            .map(|c| {
                let name = self.call_name(&c.view);
                TransferCandidate {
                    id: c.id().to_string(),
                    status: describe(&self.i18n, c, &name, now),
                    name,
                }
            })
            .collect()
    }

    /// The title of a call window or pop-up.
    pub(super) fn call_title(&self, window: window::Id) -> Option<String> {
        let (id, key) = match self.windows.get(&window)? {
            WindowKind::Call { call } => (call, "call-window-title"),
            WindowKind::IncomingCall { call } => (call, "incoming-window-title"),
            _ => return None,
        };
        let name = match self.calls.get(id) {
            Some(call) => self.call_name(&call.view),
            None => return Some(self.i18n.tr("app-title")),
        };
        Some(self.i18n.tr_args(key, &[("name", name.into())]))
    }
}
