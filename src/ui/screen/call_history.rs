//! The call history window (SPEC C7): the calls placed, received and
//! missed, newest first, a page at a time from the engine's store
//! (`call_history`), with filter buttons (All, Missed, Placed, Received),
//! a text filter on the name or address, "Load older calls" at the end
//! and a Call back button on every row. Owns the filter, the rows shown
//! and whether an answer is awaited; the app sends the commands its
//! [`Event`]s ask for and hands back the engine's answers
//! ([`HistoryWindow::answered`]). How a row reads is in
//! [`super::call_history_row`].

use iced::widget::{button, column, container, row, scrollable, text, text_input, tooltip};
use iced::{Alignment, Element, Fill, Padding};

use crate::i18n::I18n;
use crate::store::calls::{CallCursor, CallFilter, CallKind, CallRecord};
use crate::ui::theme;

use super::call_history_row::row_view;

/// The id of the text filter.
pub const TEXT_ID: &str = "call-history-text";
/// The window's size, and the smallest it may get.
pub const SIZE: iced::Size = iced::Size::new(460.0, 620.0);
pub const MIN_SIZE: iced::Size = iced::Size::new(360.0, 360.0);
/// How many calls a page holds.
pub const PAGE: usize = 50;
/// The most calls one refresh asks for (the engine's own limit).
const MOST: usize = 500;

/// The widget id of a filter button (`None`: All).
pub fn filter_id(kind: Option<CallKind>) -> &'static str {
    match kind {
        None => "call-history-all",
        Some(CallKind::Missed) => "call-history-missed",
        Some(CallKind::Placed) => "call-history-placed",
        Some(CallKind::Received) => "call-history-received",
    }
}

/// The widget id of the Call back button of the row of call `id`.
pub fn call_back_id(id: i64) -> String {
    format!("call-history-back {id}")
}

/// The widget id of "Load older calls".
pub const OLDER_ID: &str = "call-history-older";

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A filter button: only calls of this kind (`None`: all).
    Kind(Option<CallKind>),
    /// The text filter changed.
    Text(String),
    LoadOlder,
    /// Call back the peer of the call with this history id.
    CallBack(i64),
    /// Ask again for the calls shown (a call ended).
    Refresh,
}

/// What the window asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The filter changed: ask for the first page anew.
    Reload,
    /// Ask again for the calls shown, in as many as there are.
    Refresh,
    /// Ask for the page after this call.
    LoadOlder(CallCursor),
    /// Call `uri` from `account`.
    CallBack { account: String, uri: String },
}

#[derive(Debug, Clone, Default)]
pub struct HistoryWindow {
    kind: Option<CallKind>,
    text: String,
    rows: Vec<CallRecord>,
    /// Older calls exist beyond the last row.
    more: bool,
    /// A new first page is awaited (the rows shown may be stale).
    loading: bool,
    /// The next page is awaited.
    loading_older: bool,
    /// The first answer came.
    loaded: bool,
    error: Option<String>,
}

impl HistoryWindow {
    /// A window showing calls of `kind` (`None`: all).
    pub fn new(kind: Option<CallKind>) -> Self {
        HistoryWindow {
            kind,
            ..Self::default()
        }
    }

    pub fn kind(&self) -> Option<CallKind> {
        self.kind
    }

    /// Shows calls of `kind` from now on; true when that changed.
    pub fn set_kind(&mut self, kind: Option<CallKind>) -> bool {
        let changed = self.kind != kind;
        self.kind = kind;
        changed
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn rows(&self) -> &[CallRecord] {
        &self.rows
    }

    pub fn has_more(&self) -> bool {
        self.more
    }

    /// True when the rows shown include missed calls.
    pub fn shows_missed(&self) -> bool {
        matches!(self.kind, None | Some(CallKind::Missed))
    }

    /// What the engine is to list.
    pub fn filter(&self) -> CallFilter {
        let text = self.text.trim();
        CallFilter {
            kind: self.kind,
            account: None,
            text: (!text.is_empty()).then(|| text.to_string()),
        }
    }

    /// How many calls a refresh asks for: the rows shown, at least a page.
    pub fn refresh_limit(&self) -> usize {
        self.rows.len().clamp(PAGE, MOST)
    }

    /// A first page was asked for.
    pub fn reloading(&mut self) {
        self.loading = true;
        self.loading_older = false;
        self.error = None;
    }

    /// The next page was asked for.
    pub fn loading_older(&mut self) {
        self.loading_older = true;
        self.error = None;
    }

    /// The engine's answer: a first page (`append` false) replaces the
    /// rows, the next one goes after them.
    pub fn answered(&mut self, calls: Vec<CallRecord>, more: bool, append: bool) {
        if append {
            // A call listed on both pages (it moved meanwhile) shows once.
            let known: std::collections::HashSet<i64> = self.rows.iter().map(|c| c.id).collect();
            self.rows
                .extend(calls.into_iter().filter(|c| !known.contains(&c.id)));
            self.loading_older = false;
        } else {
            self.rows = calls;
            self.loading = false;
            self.loaded = true;
        }
        self.more = more;
        self.error = None;
    }

    /// The engine could not list the calls.
    pub fn failed(&mut self, message: String) {
        self.loading = false;
        self.loading_older = false;
        self.loaded = true;
        self.error = Some(message);
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Kind(kind) => self.set_kind(kind).then_some(Event::Reload),
            Message::Text(text) => {
                let before = self.filter();
                self.text = text;
                (self.filter() != before).then_some(Event::Reload)
            }
            Message::LoadOlder => {
                if self.loading || self.loading_older || !self.more {
                    return None;
                }
                self.rows
                    .last()
                    .map(|last| Event::LoadOlder(CallCursor::from(last)))
            }
            Message::Refresh => Some(Event::Refresh),
            Message::CallBack(id) => {
                self.rows
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| Event::CallBack {
                        account: c.account.clone(),
                        uri: c.peer.clone(),
                    })
            }
        }
    }

    /// `names` gives the name to show for a call's peer; `now_ms` is the
    /// wall clock (today's calls show their time, older ones their day).
    pub fn view<'a>(
        &'a self,
        i18n: &I18n,
        names: &dyn Fn(&CallRecord) -> String,
        now_ms: i64,
    ) -> Element<'a, Message> {
        let filters = [
            (None, "history-filter-all"),
            (Some(CallKind::Missed), "history-filter-missed"),
            (Some(CallKind::Placed), "history-filter-placed"),
            (Some(CallKind::Received), "history-filter-received"),
        ];
        let mut buttons = row![].spacing(4);
        for (kind, label) in filters {
            let style: theme::ButtonStyle = if self.kind == kind {
                theme::toggled_button
            } else {
                theme::secondary_button
            };
            buttons = buttons.push(
                container(
                    button(text(i18n.tr(label)).size(theme::SMALL_SIZE))
                        .padding([4, 10])
                        .style(style)
                        .on_press(Message::Kind(kind)),
                )
                .id(filter_id(kind)),
            );
        }
        let field = text_input(&i18n.tr("history-text-placeholder"), &self.text)
            .id(TEXT_ID)
            .size(theme::LABEL_SIZE)
            .padding([6, 10])
            .style(theme::field)
            .on_input(Message::Text);
        let band = container(
            column![
                text(i18n.tr("history-title"))
                    .size(theme::BODY_SIZE + 1.0)
                    .font(theme::BOLD),
                buttons,
                field,
            ]
            .spacing(theme::SMALL_GAP * 1.5),
        )
        .padding([12.0, theme::PADDING * 0.75])
        .width(Fill)
        .style(theme::band);

        column![
            band,
            iced::widget::rule::horizontal(1).style(iced::widget::rule::weak),
            // Thin, like the contact list's, and beside the rows.
            scrollable(
                container(self.list(i18n, names, now_ms))
                    .padding(Padding::from([8.0, theme::PADDING * 0.5]).right(14.0))
                    .width(Fill)
            )
            .direction(scrollable::Direction::Vertical(
                scrollable::Scrollbar::new()
                    .width(6)
                    .scroller_width(6)
                    .margin(2)
            ))
            .height(Fill),
        ]
        .into()
    }

    fn list<'a>(
        &'a self,
        i18n: &I18n,
        names: &dyn Fn(&CallRecord) -> String,
        now_ms: i64,
    ) -> Element<'a, Message> {
        let mut list = column![].spacing(2);
        if let Some(error) = &self.error {
            list = list.push(
                container(
                    text(i18n.tr_args("history-error", &[("message", error.as_str().into())]))
                        .size(theme::SMALL_SIZE)
                        .style(theme::error),
                )
                .padding([6, 8]),
            );
        }
        if self.rows.is_empty() && self.error.is_none() {
            let words = if !self.loaded || self.loading {
                i18n.tr("history-loading")
            } else if !self.text.trim().is_empty() {
                i18n.tr_args(
                    "history-no-match",
                    &[("text", self.text.trim().to_string().into())],
                )
            } else {
                i18n.tr(match self.kind {
                    None => "history-empty",
                    Some(CallKind::Missed) => "history-empty-missed",
                    Some(CallKind::Placed) => "history-empty-placed",
                    Some(CallKind::Received) => "history-empty-received",
                })
            };
            list = list.push(
                container(text(words).size(theme::SMALL_SIZE).style(theme::muted)).padding([6, 8]),
            );
        }
        for call in &self.rows {
            list = list.push(row_view(i18n, call, names(call), now_ms));
        }
        if self.more || self.loading_older {
            let label = if self.loading_older {
                i18n.tr("history-loading")
            } else {
                i18n.tr("history-load-older")
            };
            list = list.push(
                container(
                    container(tooltip(
                        button(text(label).size(theme::SMALL_SIZE))
                            .padding([5, 12])
                            .style(theme::secondary_button)
                            .on_press_maybe(
                                (!self.loading_older && !self.loading)
                                    .then_some(Message::LoadOlder),
                            ),
                        theme::tooltip_card(i18n.tr("history-load-older-tip")),
                        tooltip::Position::Top,
                    ))
                    .id(OLDER_ID),
                )
                .padding([8, 0])
                .center_x(Fill),
            );
        }
        list.width(Fill).align_x(Alignment::Start).into()
    }
}
