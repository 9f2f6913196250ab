//! How a chat window looks: the header (who, their status dot, search in
//! this chat, the call button (SPEC M8)), the message list (day separators, runs of
//! one sender, bubbles with time and delivery marks, failed and queued
//! messages with the reason and Retry), the typing line and the composer;
//! a room also shows its members, an invite field and Leave
//! ([`super::chat_members`]); an open search shows its hits instead of the
//! messages ([`super::chat_results`]).
//!
//! Message bodies are plain text: a body without links is one `text`
//! widget, one with links a `rich_text` whose link spans open on click.
//! Nothing in a body is ever read as markup or as a translation pattern.

use chrono::Local;
use iced::widget::{
    button, column, container, hover, mouse_area, rich_text, row, rule, scrollable, space, span,
    text, text_editor, text_input, tooltip,
};
use iced::{Alignment, Element, Fill, Padding, Shrink};

use crate::engine::{ChatMessage, ChatState};
use crate::i18n::I18n;
use crate::ui::chat::{self, ChatKind, Conversation, Item, Run, Span};
use crate::ui::chat_format::{failure_reason, format_day, format_time};
use crate::ui::theme::{self, Dot};

use super::chat_window::{composer_keys, ChatWindow, Message, COMPOSER_ID, MESSAGES_ID, SEARCH_ID};

/// Widest a message bubble gets.
const BUBBLE_WIDTH: f32 = 420.0;
/// Room for the Copy button beside a bubble.
const COPY_SLOT: f32 = 64.0;

/// Who the chat is with, as the header shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct Peer {
    pub name: String,
    /// The address without `sip:`.
    pub address: String,
    /// Their presence, when they are on the contact list.
    pub dot: Option<Dot>,
    /// Their note or availability in words.
    pub status: Option<String>,
}

/// A tooltip's card.
pub(super) fn tip<'a>(words: String) -> Element<'a, Message> {
    container(text(words).size(theme::SMALL_SIZE))
        .padding([4, 8])
        .style(theme::popup)
        .into()
}

impl ChatWindow {
    /// The whole window. `names` gives the name to show for an address.
    pub fn view<'a>(
        &'a self,
        i18n: &I18n,
        chat: &'a Conversation,
        peer: &Peer,
        names: &dyn Fn(&str) -> String,
    ) -> Element<'a, Message> {
        let body: Element<'a, Message> = match &self.results {
            Some(results) => self.results_view(i18n, results, names),
            None => self.messages_view(i18n, chat, names),
        };
        let mut main = column![
            self.header(i18n, chat, peer),
            rule::horizontal(1).style(rule::weak),
            body,
        ]
        .height(Fill);
        if chat.typing {
            let who = if self.kind == ChatKind::Room {
                i18n.tr("chat-someone-typing")
            } else {
                i18n.tr_args("chat-typing", &[("name", peer.name.clone().into())])
            };
            main = main.push(
                container(text(who).size(theme::SMALL_SIZE).style(theme::muted))
                    .padding([2.0, theme::PADDING * 0.75]),
            );
        }
        if let Some(error) = &self.error {
            main = main.push(
                container(
                    text(i18n.tr_args("chat-send-refused", &[("message", error.as_str().into())]))
                        .size(theme::SMALL_SIZE)
                        .style(theme::error),
                )
                .padding([2.0, theme::PADDING * 0.75]),
            );
        }
        main = main
            .push(rule::horizontal(1).style(rule::weak))
            .push(self.composer_view(i18n));
        if self.kind == ChatKind::Room && self.show_members {
            row![
                main.width(Fill),
                rule::vertical(1).style(rule::weak),
                self.members_view(i18n, chat, names),
            ]
            .into()
        } else {
            main.into()
        }
    }

    fn header<'a>(&'a self, i18n: &I18n, chat: &Conversation, peer: &Peer) -> Element<'a, Message> {
        let second = match (self.kind, &peer.status) {
            (ChatKind::Room, _) => format!(
                "{} · {}",
                peer.address,
                i18n.tr_args(
                    "chat-room-members",
                    &[("count", (chat.members.len() as i64).into())],
                )
            ),
            (ChatKind::Person, Some(status)) => format!("{} · {status}", peer.address),
            (ChatKind::Person, None) => peer.address.clone(),
        };
        let who = row![
            theme::avatar(&peer.name, 40.0, peer.dot),
            theme::name_and_line(peer.name.clone(), second, theme::BODY_SIZE + 1.0, true),
        ]
        .spacing(theme::SMALL_GAP * 2.0)
        .align_y(Alignment::Center)
        .width(Fill);

        let search_button = tooltip(
            button(text(i18n.tr("chat-search")).size(theme::LABEL_SIZE))
                .padding([5, 10])
                .style(theme::secondary_button)
                .on_press(if self.searching {
                    Message::SearchClose
                } else {
                    Message::SearchOpen
                }),
            tip(i18n.tr("chat-search-placeholder")),
            tooltip::Position::Bottom,
        );
        let mut bar = row![who, search_button]
            .spacing(theme::SMALL_GAP)
            .align_y(Alignment::Center);
        bar = match self.kind {
            ChatKind::Person => bar.push(tooltip(
                button(
                    row![
                        text("☎").size(theme::LABEL_SIZE),
                        text(i18n.tr("chat-call")).size(theme::LABEL_SIZE)
                    ]
                    .spacing(4)
                    .align_y(Alignment::Center),
                )
                .padding([5, 10])
                .style(theme::secondary_button)
                .on_press(Message::Call),
                tip(i18n.tr_args("chat-call-tip", &[("name", peer.name.clone().into())])),
                tooltip::Position::Bottom,
            )),
            ChatKind::Room => bar.push(
                button(text(i18n.tr("chat-members-toggle")).size(theme::LABEL_SIZE))
                    .padding([5, 10])
                    .style(theme::secondary_button)
                    .on_press(Message::ToggleMembers),
            ),
        };
        let mut band = column![bar].spacing(theme::SMALL_GAP * 1.5);
        if self.searching {
            band = band.push(
                row![
                    text_input(&i18n.tr("chat-search-placeholder"), &self.search)
                        .id(SEARCH_ID)
                        .size(theme::LABEL_SIZE)
                        .padding([6, 10])
                        .style(theme::field)
                        .on_input(Message::SearchInput)
                        .on_submit(Message::SearchSubmit),
                    button(text("✕").size(theme::LABEL_SIZE))
                        .padding([5, 9])
                        .style(theme::flat_button)
                        .on_press(Message::SearchClose),
                ]
                .spacing(theme::SMALL_GAP)
                .align_y(Alignment::Center),
            );
        }
        container(band)
            .padding([10.0, theme::PADDING * 0.75])
            .width(Fill)
            .style(theme::band)
            .into()
    }

    fn messages_view<'a>(
        &'a self,
        i18n: &I18n,
        chat: &'a Conversation,
        names: &dyn Fn(&str) -> String,
    ) -> Element<'a, Message> {
        let mut list = column![].spacing(theme::SMALL_GAP * 1.5).width(Fill);
        if chat.more_history || (chat.loading_history && !chat.messages().is_empty()) {
            let label = if chat.loading_history {
                i18n.tr("chat-loading")
            } else {
                i18n.tr("chat-load-older")
            };
            list = list.push(
                container(
                    button(text(label).size(theme::SMALL_SIZE))
                        .padding([4, 12])
                        .style(theme::secondary_button)
                        .on_press_maybe((!chat.loading_history).then_some(Message::LoadOlder)),
                )
                .center_x(Fill),
            );
        }
        if chat.messages().is_empty() {
            let words = if chat.loading_history {
                i18n.tr("chat-loading")
            } else {
                i18n.tr("chat-empty")
            };
            list = list.push(
                container(text(words).size(theme::BODY_SIZE).style(theme::muted))
                    .padding(theme::PADDING)
                    .center_x(Fill),
            );
        }
        let today = Local::now().date_naive();
        // "Read" in words only under the latest message read.
        let last_read = chat
            .messages()
            .iter()
            .rev()
            .find(|m| m.outgoing && m.state == ChatState::Displayed)
            .map(|m| m.id);
        for item in chat.items(&Local) {
            list = list.push(match item {
                Item::Day(day) => day_separator(format_day(i18n, day, today)),
                Item::Run(run) => self.run_view(i18n, run, names, last_read),
            });
        }
        let bar = scrollable::Scrollbar::new()
            .width(6)
            .scroller_width(6)
            .margin(2);
        scrollable(container(list).padding([12.0, theme::PADDING * 0.75]))
            .direction(scrollable::Direction::Vertical(bar))
            .anchor_bottom()
            .id(MESSAGES_ID)
            .height(Fill)
            .width(Fill)
            .into()
    }

    fn run_view<'a>(
        &'a self,
        i18n: &I18n,
        run: Run<'a>,
        names: &dyn Fn(&str) -> String,
        last_read: Option<i64>,
    ) -> Element<'a, Message> {
        // The user's own runs need no name: they are on the right.
        let mut messages = if run.outgoing {
            column![].align_x(Alignment::End)
        } else {
            column![container(
                text(names(run.sender))
                    .size(theme::SMALL_SIZE)
                    .font(theme::BOLD)
            )
            .padding(Padding::ZERO.left(4))]
            .align_x(Alignment::Start)
        }
        .spacing(3)
        .width(Fill);
        for message in run.messages {
            let read_words = last_read == Some(message.id);
            messages = messages.push(self.message_view(i18n, message, run.outgoing, read_words));
        }
        messages.into()
    }

    fn message_view<'a>(
        &'a self,
        i18n: &I18n,
        message: &'a ChatMessage,
        outgoing: bool,
        read_words: bool,
    ) -> Element<'a, Message> {
        let mut footer = row![text(format_time(i18n, message.sent_at))
            .size(theme::SMALL_SIZE - 2.0)
            .style(theme::muted)]
        .spacing(4)
        .align_y(Alignment::Center);
        if outgoing {
            footer = footer.push(state_mark(i18n, message.state, read_words));
        }
        let body = match &self.selecting {
            Some((id, content)) if *id == message.id => selectable(content),
            _ => body_view(&message.body),
        };
        let bubble = container(column![body, footer].spacing(2).align_x(Alignment::End))
            .padding([6, 10])
            .max_width(BUBBLE_WIDTH)
            .style(match message.state {
                ChatState::Failed => theme::bubble_failed,
                _ if outgoing => theme::bubble_out,
                _ => theme::bubble_in,
            });
        // Double-click makes the text selectable (iced has no selectable
        // text widget; a read-only editor stands in).
        let bubble = mouse_area(bubble).on_double_click(Message::Select(message.id));

        let copy_label = if self.copied == Some(message.id) {
            i18n.tr("chat-copied")
        } else {
            i18n.tr("chat-copy")
        };
        let copy = button(text(copy_label).size(theme::SMALL_SIZE - 1.0))
            .padding([2, 6])
            .style(theme::flat_button)
            .on_press(Message::Copy(message.id));
        let slot = space().width(COPY_SLOT).height(Shrink);
        let with_copy = if outgoing {
            hover(
                row![slot, bubble].align_y(Alignment::Center),
                container(copy).align_left(COPY_SLOT).center_y(Fill),
            )
        } else {
            hover(
                row![bubble, slot].align_y(Alignment::Center),
                container(copy).align_right(Fill).center_y(Fill),
            )
        };

        let problem = match message.state {
            ChatState::Failed => Some((
                match &message.failure {
                    Some(reason) => i18n.tr_args(
                        "chat-failed",
                        &[("reason", failure_reason(i18n, reason).into())],
                    ),
                    None => i18n.tr("chat-failed-unknown"),
                },
                i18n.tr("chat-retry"),
            )),
            ChatState::Queued => Some((
                match &message.failure {
                    Some(reason) => i18n.tr_args(
                        "chat-queued",
                        &[("reason", failure_reason(i18n, reason).into())],
                    ),
                    None => i18n.tr("chat-queued-offline"),
                },
                i18n.tr("chat-send-now"),
            )),
            _ => None,
        };
        let Some((reason, action)) = problem else {
            return with_copy;
        };
        let style = if message.state == ChatState::Failed {
            theme::error
        } else {
            theme::muted
        };
        let line = row![
            text(reason).size(theme::SMALL_SIZE).style(style),
            button(text(action).size(theme::SMALL_SIZE))
                .padding([2, 10])
                .style(theme::secondary_button)
                .on_press(Message::Retry(message.id)),
        ]
        .spacing(theme::SMALL_GAP)
        .align_y(Alignment::Center);
        column![
            with_copy,
            container(line).max_width(BUBBLE_WIDTH + COPY_SLOT)
        ]
        .spacing(3)
        .align_x(Alignment::End)
        .into()
    }

    fn composer_view<'a>(&'a self, i18n: &I18n) -> Element<'a, Message> {
        let editor = text_editor(&self.composer)
            .id(COMPOSER_ID)
            .placeholder(i18n.tr("chat-composer-placeholder"))
            .size(theme::BODY_SIZE)
            .padding([8, 10])
            .max_height(140)
            .on_action(Message::Composer)
            .key_binding(composer_keys);
        let can_send = !self.composer.text().trim().is_empty();
        let send = button(text(i18n.tr("chat-send")).size(theme::LABEL_SIZE))
            .padding([8, 16])
            .style(theme::primary_button)
            .on_press_maybe(can_send.then_some(Message::Send));
        let send = tooltip(send, tip(i18n.tr("chat-send-hint")), tooltip::Position::Top);
        container(
            row![editor, send]
                .spacing(theme::SMALL_GAP)
                .align_y(Alignment::End),
        )
        .padding([10.0, theme::PADDING * 0.75])
        .into()
    }
}

/// A message body as plain text, links clickable.
fn body_view(body: &str) -> Element<'_, Message> {
    let spans = chat::spans(body);
    if !spans.iter().any(|s| matches!(s, Span::Link(_))) {
        return text(body)
            .size(theme::BODY_SIZE)
            .shaping(text::Shaping::Advanced)
            .into();
    }
    let pieces: Vec<text::Span<'_, String>> = spans
        .into_iter()
        .map(|s| match s {
            Span::Text(t) => span(t),
            Span::Link(l) => span(l)
                .link(l.to_string())
                .underline(true)
                .color(iced::Color::from_rgb8(0x2f, 0x6f, 0xd0)),
        })
        .collect();
    rich_text(pieces)
        .size(theme::BODY_SIZE)
        .on_link_click(Message::Link)
        .into()
}

/// A message's text in a read-only editor: select with the mouse or
/// Shift+arrows, copy with Ctrl+C.
fn selectable(content: &text_editor::Content) -> Element<'_, Message> {
    text_editor(content)
        .size(theme::BODY_SIZE)
        .padding(0)
        .on_action(Message::Selection)
        .style(|theme: &iced::Theme, status| {
            let base = text_editor::default(theme, status);
            text_editor::Style {
                background: iced::Color::TRANSPARENT.into(),
                border: iced::Border::default(),
                ..base
            }
        })
        .into()
}

/// The delivery mark of a message we sent, with its meaning as a tooltip;
/// `read_words` adds "Read" to the read mark.
fn state_mark<'a>(i18n: &I18n, state: ChatState, read_words: bool) -> Element<'a, Message> {
    let (mark, words, accent) = match state {
        ChatState::Queued => ("◷", "chat-state-queued", false),
        ChatState::Sending => ("◷", "chat-state-sending", false),
        ChatState::Sent => ("✓", "chat-state-sent", false),
        ChatState::Stored => ("✓", "chat-state-stored", false),
        ChatState::Delivered => ("✓✓", "chat-state-delivered", false),
        ChatState::Displayed => ("✓✓", "chat-state-read", true),
        ChatState::Failed => ("!", "chat-state-failed", false),
        ChatState::Received => return space().into(),
    };
    let mark = text(mark).size(theme::SMALL_SIZE - 1.0);
    let mark = if accent {
        mark.style(theme::accent)
    } else {
        mark.style(theme::muted)
    };
    let mut content = row![mark].spacing(3).align_y(Alignment::Center);
    // Stored deserves words (the peer was offline), and so does the
    // latest message read.
    if state == ChatState::Stored || (state == ChatState::Displayed && read_words) {
        content = content.push(
            text(i18n.tr(words))
                .size(theme::SMALL_SIZE - 2.0)
                .style(if accent { theme::accent } else { theme::muted }),
        );
    }
    tooltip(
        content,
        container(text(i18n.tr(words)).size(theme::SMALL_SIZE))
            .padding([4, 8])
            .style(theme::popup),
        tooltip::Position::Top,
    )
    .into()
}

fn day_separator<'a>(label: String) -> Element<'a, Message> {
    row![
        rule::horizontal(1).style(rule::weak),
        text(label)
            .size(theme::SMALL_SIZE)
            .style(theme::muted)
            .wrapping(text::Wrapping::None),
        rule::horizontal(1).style(rule::weak),
    ]
    .spacing(theme::SMALL_GAP * 2.0)
    .align_y(Alignment::Center)
    .padding(Padding::from([6, 0]))
    .into()
}
