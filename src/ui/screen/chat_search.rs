//! The "Search messages" window: one field, and the messages of every chat
//! of every account that contain all the words typed (the engine's
//! full-text search over the history). Clicking a hit opens its chat.

use iced::widget::{button, column, container, row, scrollable, text, text_input};
use iced::{Alignment, Element, Fill};

use crate::engine::SearchHit;
use crate::i18n::I18n;
use crate::ui::theme;

use super::chat_results::hit_view;

/// The id of the search field.
pub const QUERY_ID: &str = "search-query";

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Input(String),
    Submit,
    /// A hit was clicked: (account, chat peer).
    Open(String, String),
}

/// What the window asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Search every chat of every account for this.
    Search(String),
    OpenChat {
        account: String,
        peer: String,
    },
}

#[derive(Debug, Clone, Default)]
pub struct SearchWindow {
    query: String,
    /// The query the hits below answer.
    searched: Option<String>,
    hits: Vec<(String, SearchHit)>,
    /// Accounts that have not answered yet.
    waiting: usize,
    errors: Vec<String>,
}

impl SearchWindow {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    /// The query whose answers are awaited or shown.
    pub fn searched(&self) -> Option<&str> {
        self.searched.as_deref()
    }

    pub fn hits(&self) -> &[(String, SearchHit)] {
        &self.hits
    }

    /// A search went out to `accounts` accounts.
    pub fn started(&mut self, accounts: usize) {
        self.hits.clear();
        self.errors.clear();
        self.waiting = accounts;
    }

    /// One account's answer.
    pub fn answered(&mut self, account: &str, hits: Vec<SearchHit>) {
        self.waiting = self.waiting.saturating_sub(1);
        self.hits
            .extend(hits.into_iter().map(|h| (account.to_string(), h)));
        // Best first, as the engine ranks them; accounts one after another.
    }

    pub fn failed(&mut self, message: String) {
        self.waiting = self.waiting.saturating_sub(1);
        self.errors.push(message);
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Input(query) => {
                self.query = query;
                None
            }
            Message::Submit => {
                let query = self.query.trim().to_string();
                if query.is_empty() {
                    return None;
                }
                self.searched = Some(query.clone());
                Some(Event::Search(query))
            }
            Message::Open(account, peer) => Some(Event::OpenChat { account, peer }),
        }
    }

    /// `names` gives the name to show for an address.
    pub fn view<'a>(&'a self, i18n: &I18n, names: &dyn Fn(&str) -> String) -> Element<'a, Message> {
        let field = text_input(&i18n.tr("search-placeholder"), &self.query)
            .id(QUERY_ID)
            .size(theme::LABEL_SIZE)
            .padding([7, 10])
            .style(theme::field)
            .on_input(Message::Input)
            .on_submit(Message::Submit);
        let bar = row![
            field,
            button(text(i18n.tr("search-submit")).size(theme::LABEL_SIZE))
                .padding([7, 14])
                .style(theme::primary_button)
                .on_press_maybe((!self.query.trim().is_empty()).then_some(Message::Submit)),
        ]
        .spacing(theme::SMALL_GAP)
        .align_y(Alignment::Center);

        let mut list = column![].spacing(theme::SMALL_GAP);
        if let Some(query) = &self.searched {
            let heading = if self.waiting > 0 && self.hits.is_empty() {
                i18n.tr("search-waiting")
            } else if self.hits.is_empty() {
                i18n.tr_args("search-none", &[("query", query.as_str().into())])
            } else {
                i18n.tr_args(
                    "search-count",
                    &[
                        ("count", (self.hits.len() as i64).into()),
                        ("query", query.as_str().into()),
                    ],
                )
            };
            list = list.push(text(heading).size(theme::SMALL_SIZE).style(theme::muted));
        } else {
            list = list.push(
                text(i18n.tr("search-intro"))
                    .size(theme::SMALL_SIZE)
                    .style(theme::muted),
            );
        }
        for error in &self.errors {
            list = list.push(
                text(error.clone())
                    .size(theme::SMALL_SIZE)
                    .style(theme::error),
            );
        }
        for (account, hit) in &self.hits {
            let chat = names(&hit.message.peer);
            let who = if hit.message.outgoing {
                i18n.tr_args("search-you-to", &[("name", chat.into())])
            } else if hit.message.sender == hit.message.peer {
                chat
            } else {
                i18n.tr_args(
                    "search-in-room",
                    &[
                        ("name", names(&hit.message.sender).into()),
                        ("room", chat.into()),
                    ],
                )
            };
            list = list.push(
                button(hit_view(i18n, who, hit))
                    .width(Fill)
                    .padding([6, 8])
                    .style(theme::flat_button)
                    .on_press(Message::Open(account.clone(), hit.message.peer.clone())),
            );
        }
        column![
            container(
                column![
                    text(i18n.tr("search-title"))
                        .size(theme::BODY_SIZE + 1.0)
                        .font(theme::BOLD),
                    bar
                ]
                .spacing(theme::SMALL_GAP * 1.5)
            )
            .padding([12.0, theme::PADDING * 0.75])
            .width(Fill)
            .style(theme::band),
            scrollable(container(list).padding([12.0, theme::PADDING * 0.75])).height(Fill),
        ]
        .into()
    }
}
