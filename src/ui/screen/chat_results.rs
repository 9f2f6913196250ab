//! Search results as the chat windows show them: the list that replaces a
//! chat's messages while its search is open, and one hit (who, when, the
//! snippet with the matched words in bold), also used by the window that
//! searches every chat.

use chrono::Local;
use iced::widget::{button, column, container, rich_text, row, scrollable, span, text};
use iced::{Alignment, Element, Fill, Length};

use crate::engine::SearchHit;
use crate::i18n::I18n;
use crate::ui::chat::{self, snippet_parts};
use crate::ui::chat_format::{format_day, format_time};
use crate::ui::theme;

use super::chat_window::{ChatWindow, Message, SearchResults};

impl ChatWindow {
    pub(super) fn results_view<'a>(
        &'a self,
        i18n: &I18n,
        results: &'a SearchResults,
        names: &dyn Fn(&str) -> String,
    ) -> Element<'a, Message> {
        let heading = if results.waiting {
            i18n.tr("search-waiting")
        } else if results.hits.is_empty() {
            i18n.tr_args("search-none", &[("query", results.query.as_str().into())])
        } else {
            i18n.tr_args(
                "search-count",
                &[
                    ("count", (results.hits.len() as i64).into()),
                    ("query", results.query.as_str().into()),
                ],
            )
        };
        let mut list = column![row![
            text(heading).size(theme::LABEL_SIZE).width(Fill),
            button(text(i18n.tr("search-close")).size(theme::SMALL_SIZE))
                .padding([4, 10])
                .style(theme::secondary_button)
                .on_press(Message::SearchClose),
        ]
        .align_y(Alignment::Center)]
        .spacing(theme::SMALL_GAP * 2.0);
        if let Some(error) = &results.error {
            list = list.push(
                text(error.clone())
                    .size(theme::SMALL_SIZE)
                    .style(theme::error),
            );
        }
        for hit in &results.hits {
            let who = if hit.message.outgoing {
                i18n.tr("chat-you")
            } else {
                names(&hit.message.sender)
            };
            list = list.push(hit_view(i18n, who, hit));
        }
        scrollable(container(list).padding([12.0, theme::PADDING * 0.75]))
            .height(Fill)
            .width(Fill)
            .into()
    }
}

/// One search hit: who and when, and the snippet with the matched words
/// in bold.
pub(super) fn hit_view<'a, M: Clone + 'a>(
    i18n: &I18n,
    who: String,
    hit: &'a SearchHit,
) -> Element<'a, M> {
    let when = format!(
        "{} {}",
        format_day(
            i18n,
            chat::local_date(hit.message.sent_at, &Local),
            Local::now().date_naive()
        ),
        format_time(i18n, hit.message.sent_at)
    );
    let snippet: Vec<text::Span<'a, ()>> = snippet_parts(&hit.snippet)
        .into_iter()
        .map(|(matched, t)| {
            if matched {
                span(t).font(theme::BOLD)
            } else {
                span(t)
            }
        })
        .collect();
    column![
        row![
            text(who).size(theme::SMALL_SIZE).font(theme::BOLD),
            text(when).size(theme::SMALL_SIZE).style(theme::muted),
        ]
        .spacing(theme::SMALL_GAP),
        rich_text(snippet)
            .size(theme::LABEL_SIZE)
            .width(Length::Fill),
    ]
    .spacing(2)
    .into()
}
