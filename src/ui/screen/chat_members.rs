//! The member panel of a room window: who is in the room (the user as
//! "You"), a field to invite someone, and Leave.

use iced::widget::{button, column, container, row, rule, scrollable, text, text_input};
use iced::{Alignment, Element, Fill};

use crate::i18n::I18n;
use crate::ui::chat::{self, Conversation};
use crate::ui::theme;

use super::chat_window::{ChatWindow, Message, INVITE_ID};

/// Width of a room's member panel.
const MEMBERS_WIDTH: f32 = 190.0;

impl ChatWindow {
    pub(super) fn members_view<'a>(
        &'a self,
        i18n: &I18n,
        chat: &'a Conversation,
        names: &dyn Fn(&str) -> String,
    ) -> Element<'a, Message> {
        let mut members = column![text(i18n.tr_args(
            "chat-members-heading",
            &[("count", (chat.members.len() as i64).into())],
        ))
        .size(theme::SMALL_SIZE)
        .font(theme::BOLD)]
        .spacing(theme::SMALL_GAP);
        let me = chat::normalize_peer(self.account());
        for member in &chat.members {
            let name = names(member);
            let label = if chat::normalize_peer(member) == me {
                i18n.tr("chat-you")
            } else {
                name.clone()
            };
            members = members.push(
                row![
                    theme::avatar(&name, 22.0, None),
                    text(label)
                        .size(theme::SMALL_SIZE)
                        .wrapping(text::Wrapping::None),
                ]
                .spacing(theme::SMALL_GAP)
                .align_y(Alignment::Center)
                .clip(true),
            );
        }
        let invite = column![
            text_input(&i18n.tr("chat-invite-placeholder"), &self.invite)
                .id(INVITE_ID)
                .size(theme::SMALL_SIZE)
                .padding([5, 8])
                .style(theme::field)
                .on_input(Message::InviteInput)
                .on_submit(Message::Invite),
            button(text(i18n.tr("chat-invite")).size(theme::SMALL_SIZE))
                .padding([4, 10])
                .width(Fill)
                .style(theme::secondary_button)
                .on_press_maybe(self.invite.contains('@').then_some(Message::Invite)),
        ]
        .spacing(theme::SMALL_GAP);
        let leave = button(text(i18n.tr("chat-leave")).size(theme::SMALL_SIZE))
            .padding([4, 10])
            .width(Fill)
            .style(theme::secondary_button)
            .on_press(Message::Leave);
        container(
            column![
                scrollable(members).height(Fill),
                invite,
                rule::horizontal(1).style(rule::weak),
                leave
            ]
            .spacing(theme::SMALL_GAP * 2.0),
        )
        .padding(12)
        .width(MEMBERS_WIDTH)
        .height(Fill)
        .into()
    }
}
