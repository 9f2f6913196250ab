//! The app's call history side (SPEC C7): the call history window (opened
//! from the main window's history button, or from the missed-call badge
//! showing the missed calls), the `call_history` pages it asks for and
//! the engine's answers, the refresh when a call ends, Call back, and the
//! missed calls the user has not seen: named on the badge from the store
//! at start, marked seen (`mark_calls_seen`) when the window shows them.
//!
//! The history's commands carry correlation ids starting with
//! [`REQUEST_PREFIX`]; their answers (and refusals) stay here. An answer
//! to a request that a newer one replaced (another filter) is dropped.

use std::collections::HashMap;
use std::time::Duration;

use iced::widget::space;
use iced::{window, Element, Task};

use crate::engine::{Command, Envelope, Event};
use crate::store::calls::{CallFilter, CallKind, CallRecord};
use crate::ui::call::MissedCall;
use crate::ui::screen::call_history::{self, HistoryWindow, MIN_SIZE, PAGE, SIZE};

use super::calls::now_ms;
use super::{App, Message, WindowKind, SNAPSHOT_ID};

/// The start of the correlation ids of the history's commands.
pub const REQUEST_PREFIX: &str = "ui-history-";
/// How many of the missed calls not seen the badge names after a start.
const MISSED_NAMED: usize = 20;
/// A second look after a call ended: the store writes a call's end beside
/// the event that tells of it, and may not have done so yet.
const SETTLE: Duration = Duration::from_secs(1);

/// What the answer to a history command is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    /// A first page for the window.
    Page,
    /// The next page for the window.
    Older,
    /// The missed calls not seen, for the badge at start.
    Missed,
    /// `mark_calls_seen`.
    Seen,
}

/// The history window and the history's commands in flight.
#[derive(Debug, Default)]
pub(super) struct CallLog {
    window: Option<(window::Id, HistoryWindow)>,
    /// The number of the next command.
    next: u64,
    /// Commands sent, by id: their number and what they are for.
    requests: HashMap<String, (u64, Request)>,
    /// Commands numbered below this went out before the missed calls
    /// were marked seen: the counts in their answers are stale.
    seen_from: u64,
    /// The engine's count of missed calls not seen, from its latest answer.
    missed_unseen: u64,
}

impl CallLog {
    /// How many missed calls the store holds that the user has not seen.
    pub(super) fn missed_unseen(&self) -> usize {
        usize::try_from(self.missed_unseen).unwrap_or(usize::MAX)
    }
}

impl App {
    /// The call history window, when it is open.
    pub fn history_window(&self) -> Option<window::Id> {
        self.call_log.window.as_ref().map(|(id, _)| *id)
    }

    pub fn history_window_state(&self) -> Option<&HistoryWindow> {
        self.call_log.window.as_ref().map(|(_, w)| w)
    }

    /// Sends a history command with its correlation id.
    fn history_command(&mut self, request: Request, command: Command) {
        let log = &mut self.call_log;
        let number = log.next;
        log.next += 1;
        let id = format!("{REQUEST_PREFIX}{number}");
        log.requests.insert(id.clone(), (number, request));
        let envelope = Envelope {
            id: Some(id.into()),
            command,
        };
        if !self.engine.send(envelope) {
            tracing::warn!("the engine is not running; call history command dropped");
            self.main.set_engine_stopped();
        }
    }

    /// Opens the call history window (or raises it); `missed` shows the
    /// missed calls.
    pub(super) fn open_history(&mut self, missed: bool) -> Task<Message> {
        let kind = missed.then_some(CallKind::Missed);
        if let Some((id, w)) = &mut self.call_log.window {
            let id = *id;
            let turned = missed && w.set_kind(kind);
            let limit = if turned { PAGE } else { w.refresh_limit() };
            // Raised for missed calls it may not list yet: seen, and asked again.
            if turned || self.main.dial_pad().missed_count() > 0 {
                self.history_seen();
                self.request_page(limit);
            }
            return window::gain_focus(id);
        }
        let (id, open) = window::open(window::Settings {
            size: SIZE,
            min_size: Some(MIN_SIZE),
            exit_on_close_request: false,
            ..window::Settings::default()
        });
        self.windows.insert(id, WindowKind::History);
        self.call_log.window = Some((id, HistoryWindow::new(kind)));
        self.history_seen();
        self.request_page(PAGE);
        open.map(Message::WindowOpened)
    }

    /// The window shows the missed calls: they count as seen from now on
    /// (asked before the page, so that its answer counts none) and the
    /// badge goes.
    fn history_seen(&mut self) {
        if !self
            .call_log
            .window
            .as_ref()
            .is_some_and(|(_, w)| w.shows_missed())
        {
            return;
        }
        self.history_command(Request::Seen, Command::MarkCallsSeen { account: None });
        self.call_log.seen_from = self.call_log.next;
        self.call_log.missed_unseen = 0;
        self.clear_missed();
    }

    /// Asks for the first `limit` calls of the window's filter; answers
    /// to earlier page requests no longer count.
    fn request_page(&mut self, limit: usize) {
        let Some((_, w)) = &mut self.call_log.window else {
            return;
        };
        w.reloading();
        let filter = w.filter();
        self.call_log
            .requests
            .retain(|_, (_, r)| !matches!(r, Request::Page | Request::Older));
        self.history_command(
            Request::Page,
            Command::CallHistory {
                filter,
                before: None,
                limit: Some(limit),
            },
        );
    }

    pub(super) fn history_message(&mut self, message: call_history::Message) -> Task<Message> {
        let Some((_, w)) = &mut self.call_log.window else {
            return Task::none();
        };
        let kind_changed = matches!(message, call_history::Message::Kind(_));
        match w.update(message) {
            Some(call_history::Event::Reload) => {
                if kind_changed {
                    self.history_seen();
                }
                self.request_page(PAGE);
            }
            Some(call_history::Event::Refresh) => {
                let limit = w.refresh_limit();
                self.request_page(limit);
            }
            Some(call_history::Event::LoadOlder(cursor)) => {
                w.loading_older();
                let filter = w.filter();
                self.history_command(
                    Request::Older,
                    Command::CallHistory {
                        filter,
                        before: Some(cursor),
                        limit: Some(PAGE),
                    },
                );
            }
            Some(call_history::Event::CallBack { account, uri }) => {
                return self.place_call(Some(account), &uri, None);
            }
            None => {}
        }
        Task::none()
    }

    /// The engine's snapshot is complete: the badge learns of the missed
    /// calls not seen before this start (none on a first run, without an
    /// account).
    pub(super) fn history_snapshot(&mut self, event: &Event) {
        let done = matches!(event, Event::Ok { id: Some(id) } if id == SNAPSHOT_ID);
        if done && !self.main.accounts().is_empty() {
            self.history_command(
                Request::Missed,
                Command::CallHistory {
                    filter: CallFilter {
                        kind: Some(CallKind::Missed),
                        ..CallFilter::default()
                    },
                    before: None,
                    limit: Some(MISSED_NAMED),
                },
            );
        }
    }

    /// A call ended: the open window lists it (now, and once more in a
    /// moment, when its end is surely written).
    pub(super) fn history_call_ended(&mut self) -> Task<Message> {
        let Some((_, w)) = &self.call_log.window else {
            return Task::none();
        };
        let limit = w.refresh_limit();
        self.request_page(limit);
        Task::perform(async { tokio::time::sleep(SETTLE).await }, |()| {
            Message::History(call_history::Message::Refresh)
        })
    }

    /// True for the engine's answers to the history's own commands.
    pub(super) fn owns_history_answer(&self, event: &Event) -> bool {
        match event {
            Event::CallHistory { id: Some(id), .. }
            | Event::Ok { id: Some(id) }
            | Event::Error { id: Some(id), .. } => {
                id.as_str().is_some_and(|id| id.starts_with(REQUEST_PREFIX))
            }
            _ => false,
        }
    }

    /// An answer to one of the history's commands (see
    /// [`App::owns_history_answer`]).
    pub(super) fn history_answer(&mut self, event: Event) -> Task<Message> {
        let id = match &event {
            Event::CallHistory { id: Some(id), .. }
            | Event::Ok { id: Some(id) }
            | Event::Error { id: Some(id), .. } => id.as_str().unwrap_or_default().to_string(),
            _ => return Task::none(),
        };
        // Not there: replaced by a newer request.
        let Some((number, request)) = self.call_log.requests.remove(&id) else {
            return Task::none();
        };
        match event {
            Event::CallHistory {
                calls,
                more,
                missed_unseen,
                ..
            } => {
                if number >= self.call_log.seen_from {
                    self.call_log.missed_unseen = missed_unseen;
                }
                match request {
                    Request::Page | Request::Older => {
                        if let Some((_, w)) = &mut self.call_log.window {
                            w.answered(calls, more, request == Request::Older);
                        }
                    }
                    Request::Missed => self.missed_from_store(&calls),
                    Request::Seen => {}
                }
                self.sync_call_lines();
            }
            Event::Error { message, .. } => match request {
                Request::Page | Request::Older => {
                    if let Some((_, w)) = &mut self.call_log.window {
                        w.failed(message);
                    }
                }
                // No store: no history, and no badge from before.
                Request::Missed | Request::Seen => {
                    tracing::info!("call history: {message}");
                }
            },
            _ => {}
        }
        Task::none()
    }

    /// The missed calls the store holds that the user has not seen join
    /// the badge (those missed since the start are there already).
    fn missed_from_store(&mut self, calls: &[CallRecord]) {
        if self
            .call_log
            .window
            .as_ref()
            .is_some_and(|(_, w)| w.shows_missed())
        {
            // The window shows them: seen.
            return;
        }
        for call in calls.iter().filter(|c| !c.seen) {
            self.calls.add_missed(MissedCall {
                account: call.account.clone(),
                peer: call.peer.clone(),
                peer_name: call.peer_name.clone(),
                at_ms: call.started,
            });
        }
    }

    /// The history window closed.
    pub(super) fn history_window_closed(&mut self, window: window::Id) {
        if self.history_window() == Some(window) {
            self.call_log.window = None;
            self.call_log
                .requests
                .retain(|_, (_, r)| !matches!(r, Request::Page | Request::Older));
        }
    }

    pub(super) fn history_view(&self) -> Element<'_, Message> {
        let Some((_, w)) = &self.call_log.window else {
            return space().into();
        };
        let names = |c: &CallRecord| self.caller_name(&c.account, &c.peer, c.peer_name.as_deref());
        w.view(&self.i18n, &names, now_ms()).map(Message::History)
    }
}
