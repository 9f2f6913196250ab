//! How a call window's transfer form looks (SPEC C6): a field for the
//! number or address to pass the call on to (Enter or "Transfer": a blind
//! transfer), and below it the user's other calls on the same account that
//! are up, each with "Connect" (an attended transfer: the two other parties
//! are put through to each other).

use iced::widget::{button, column, container, row, text, text_input};
use iced::{Alignment, Element, Fill};

use crate::i18n::I18n;
use crate::ui::theme;

use super::call_window::{CallWindow, Message, TransferForm, TRANSFER_ID};

/// Another call the window's call can be connected with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferCandidate {
    /// The engine's id of that call.
    pub id: String,
    pub name: String,
    /// Where it stands, in words ("On hold · 2:10").
    pub status: String,
}

impl CallWindow {
    /// The form; `name` is the window's call's other party.
    pub(super) fn transfer_view<'a>(
        &self,
        i18n: &I18n,
        form: &'a TransferForm,
        name: &str,
        others: &[TransferCandidate],
    ) -> Element<'a, Message> {
        let field = text_input(&i18n.tr("call-transfer-placeholder"), &form.target)
            .id(TRANSFER_ID)
            .size(theme::LABEL_SIZE)
            .padding([7, 10])
            .style(theme::field)
            .on_input(Message::TransferInput)
            .on_submit(Message::TransferSubmit);
        let submit = button(text(i18n.tr("call-transfer-submit")).size(theme::LABEL_SIZE))
            .padding([7, 12])
            .style(theme::primary_button)
            .on_press_maybe((!form.target.trim().is_empty()).then_some(Message::TransferSubmit));
        let mut panel = column![
            text(i18n.tr_args("call-transfer-title", &[("name", name.to_string().into())]))
                .size(theme::LABEL_SIZE)
                .font(theme::BOLD),
            row![field, submit]
                .spacing(theme::SMALL_GAP)
                .align_y(Alignment::Center),
        ]
        .spacing(theme::SMALL_GAP * 1.5);
        if form.invalid {
            panel = panel.push(
                text(i18n.tr("call-transfer-invalid"))
                    .size(theme::SMALL_SIZE)
                    .style(theme::error),
            );
        }
        if !others.is_empty() {
            panel = panel.push(
                text(i18n.tr_args("call-transfer-with", &[("name", name.to_string().into())]))
                    .size(theme::SMALL_SIZE)
                    .style(theme::muted),
            );
            for other in others {
                panel = panel.push(candidate(i18n, other));
            }
        }
        container(panel)
            .padding(12)
            .width(Fill)
            .style(theme::card)
            .into()
    }
}

fn candidate<'a>(i18n: &I18n, other: &TransferCandidate) -> Element<'a, Message> {
    row![
        theme::avatar(&other.name, 32.0, None),
        theme::name_and_line(
            other.name.clone(),
            other.status.clone(),
            theme::LABEL_SIZE,
            true
        ),
        button(text(i18n.tr("call-transfer-connect")).size(theme::SMALL_SIZE))
            .padding([5, 10])
            .style(theme::secondary_button)
            .on_press(Message::TransferWith(other.id.clone())),
    ]
    .spacing(theme::SMALL_GAP * 1.5)
    .align_y(Alignment::Center)
    .into()
}
