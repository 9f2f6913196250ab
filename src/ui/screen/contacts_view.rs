//! How the contact list panel looks: search bar with "Add contact", the
//! add form, pending-watcher prompts, and the virtualised list (only the
//! rows in view are built, with empty space standing in for the others),
//! plus the right-click menu and the rename / move forms floating over it.

use iced::widget::{
    button, column, container, mouse_area, opaque, pick_list, pin, row, rule, scrollable, space,
    stack, text, text_input,
};
use iced::{Alignment, Element, Fill, Padding};

use crate::engine::ContactAvailability;
use crate::i18n::I18n;
use crate::ui::contact_list::{Badge, ContactRow, GroupRow, Key, Row};
use crate::ui::status::display_address;
use crate::ui::theme;

use super::contacts::{
    Action, Contacts, Field, Message, Popup, WatcherDecision, ADD_ADDRESS_ID, GROUP_HEIGHT,
    LIST_ID, POPUP_FIELD_ID, ROW_HEIGHT, SEARCH_ID,
};

/// Width of the right-click menu and the small forms.
const POPUP_WIDTH: f32 = 230.0;
/// Height of the menu: eight entries and two separators.
const MENU_HEIGHT: f32 = 8.0 * 32.0 + 2.0 * 9.0 + 8.0;
/// Height of the rename / move form.
const FORM_HEIGHT: f32 = 124.0;
/// Notes longer than this are cut with "…" (the row is one line).
const NOTE_CHARS: usize = 70;

/// The message id of a contact availability in words.
pub fn availability_id(availability: ContactAvailability) -> &'static str {
    use ContactAvailability::*;
    match availability {
        Available => "presence-available",
        Away => "presence-away",
        Busy => "presence-busy",
        InAMeeting => "presence-in-a-meeting",
        OnThePhone => "presence-on-the-phone",
        DoNotDisturb => "presence-dnd",
        Forwarded => "presence-forwarded",
        Offline => "presence-offline",
        Unknown => "presence-unknown",
    }
}

fn action_id(action: Action) -> &'static str {
    match action {
        Action::Message => "contact-action-message",
        Action::Call => "contact-action-call",
        Action::VideoCall => "contact-action-video",
        Action::Email => "contact-action-email",
        Action::Rename => "contact-action-rename",
        Action::MoveToGroup => "contact-action-move",
        Action::Remove => "contact-action-remove",
        Action::CopyAddress => "contact-action-copy",
    }
}

/// An account in the form's pick list, shown without `sip:`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AccountChoice(String);

impl std::fmt::Display for AccountChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(display_address(&self.0))
    }
}

/// The widget id of the unread badge on a contact's row.
pub fn unread_badge_id(uri: &str) -> String {
    format!("contact-unread {uri}")
}

fn cut(s: &str, chars: usize) -> String {
    match s.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", s[..at].trim_end()),
        None => s.to_string(),
    }
}

impl Contacts {
    /// The whole panel; `accounts` are the user's accounts (for the form).
    pub fn view<'a>(&'a self, i18n: &I18n, accounts: Vec<String>) -> Element<'a, Message> {
        let can_add = !accounts.is_empty();
        let search = text_input(&i18n.tr("contacts-search-placeholder"), &self.filter)
            .id(SEARCH_ID)
            .size(theme::LABEL_SIZE)
            .padding([7, 10])
            .style(theme::field)
            .icon(text_input::Icon {
                font: iced::Font::DEFAULT,
                code_point: '⌕',
                size: Some(16.into()),
                spacing: 6.0,
                side: text_input::Side::Left,
            })
            .on_input(Message::Filter);
        let mut bar = row![search]
            .spacing(theme::SMALL_GAP)
            .align_y(Alignment::Center);
        if !self.filter.is_empty() {
            bar = bar.push(
                button(text("✕").size(theme::LABEL_SIZE))
                    .padding([6, 9])
                    .style(theme::flat_button)
                    .on_press(Message::ClearFilter),
            );
        }
        bar = bar.push(
            button(text(i18n.tr("contacts-add")).size(theme::LABEL_SIZE))
                .padding([7, 12])
                .style(theme::primary_button)
                .on_press_maybe(can_add.then_some(Message::AddOpen)),
        );

        let mut panel = column![container(bar).padding([10.0, theme::PADDING * 0.75])];
        if let Some(form) = &self.add {
            panel = panel.push(self.add_form_view(i18n, form, accounts));
        }
        if !self.watchers.is_empty() {
            panel = panel.push(self.watcher_prompts(i18n));
        }
        panel = panel.push(rule::horizontal(1).style(rule::weak));
        panel.push(self.list_view(i18n)).height(Fill).into()
    }

    fn add_form_view<'a>(
        &'a self,
        i18n: &I18n,
        form: &'a super::contacts::AddForm,
        accounts: Vec<String>,
    ) -> Element<'a, Message> {
        let input = |placeholder: String, value: &'a str, field: Field| {
            text_input(&placeholder, value)
                .size(theme::LABEL_SIZE)
                .padding([6, 10])
                .style(theme::field)
                .on_input(move |v| Message::AddInput(field, v))
                .on_submit(Message::AddSubmit)
        };
        let mut fields = column![
            text(i18n.tr("contacts-add-title"))
                .size(theme::BODY_SIZE)
                .font(theme::BOLD),
            input(
                i18n.tr("contacts-add-address"),
                &form.address,
                Field::Address
            )
            .id(ADD_ADDRESS_ID),
            row![
                input(i18n.tr("contacts-add-name"), &form.name, Field::Name),
                input(i18n.tr("contacts-add-group"), &form.group, Field::Group),
            ]
            .spacing(theme::SMALL_GAP),
        ]
        .spacing(theme::SMALL_GAP * 1.5);
        if accounts.len() > 1 {
            let chosen = form
                .account
                .clone()
                .or_else(|| accounts.first().cloned())
                .map(AccountChoice);
            let accounts: Vec<AccountChoice> = accounts.into_iter().map(AccountChoice).collect();
            fields = fields.push(
                row![
                    text(i18n.tr("contacts-add-account"))
                        .size(theme::SMALL_SIZE)
                        .style(theme::muted),
                    pick_list(accounts, chosen, |a| Message::AddAccount(a.0))
                        .text_size(theme::SMALL_SIZE),
                ]
                .spacing(theme::SMALL_GAP)
                .align_y(Alignment::Center),
            );
        }
        if let Some(error) = &form.error {
            fields = fields.push(
                text(i18n.tr_args("contacts-add-error", &[("message", error.as_str().into())]))
                    .size(theme::SMALL_SIZE)
                    .style(theme::error),
            );
        }
        let can_add = !form.address.trim().is_empty() && !form.waiting;
        fields = fields.push(theme::form_buttons(
            i18n.tr("contacts-cancel"),
            Message::AddCancel,
            i18n.tr("contacts-add-submit"),
            can_add.then_some(Message::AddSubmit),
        ));
        container(container(fields).padding(12).width(Fill).style(theme::card))
            .padding(Padding::from([0.0, theme::PADDING * 0.75]).bottom(10))
            .into()
    }

    fn watcher_prompts(&self, i18n: &I18n) -> Element<'_, Message> {
        let mut prompts = column![].spacing(theme::SMALL_GAP);
        for (index, watcher) in self.watchers.iter().enumerate() {
            let who = watcher
                .name
                .clone()
                .unwrap_or_else(|| display_address(&watcher.uri).to_string());
            let decide = |id: &str, decision| {
                button(text(i18n.tr(id)).size(theme::SMALL_SIZE))
                    .padding([4, 10])
                    .style(if decision == WatcherDecision::Allow {
                        theme::primary_button
                    } else {
                        theme::secondary_button
                    })
                    .on_press(Message::Watcher(index, decision))
            };
            prompts = prompts.push(
                container(
                    column![
                        text(i18n.tr_args("watcher-asks", &[("name", who.into())]))
                            .size(theme::LABEL_SIZE),
                        row![
                            decide("watcher-allow", WatcherDecision::Allow),
                            decide("watcher-block", WatcherDecision::Block),
                            decide("watcher-ignore", WatcherDecision::Ignore),
                        ]
                        .spacing(theme::SMALL_GAP),
                    ]
                    .spacing(theme::SMALL_GAP),
                )
                .padding(10)
                .width(Fill)
                .style(theme::notice),
            );
        }
        container(prompts)
            .padding(Padding::from([0.0, theme::PADDING * 0.75]).bottom(10))
            .into()
    }

    fn list_view(&self, i18n: &I18n) -> Element<'_, Message> {
        if self.rows.is_empty() {
            let words = if self.filter.trim().is_empty() {
                i18n.tr("contacts-empty")
            } else {
                i18n.tr_args(
                    "contacts-no-match",
                    &[("filter", self.filter.trim().into())],
                )
            };
            return container(text(words).size(theme::BODY_SIZE).style(theme::muted))
                .padding(theme::PADDING)
                .width(Fill)
                .height(Fill)
                .align_x(Alignment::Center)
                .into();
        }
        let range = self.visible_range();
        let above = self.top(range.start);
        let below = self.height() - self.top(range.end);
        let mut rows = column![space().height(above)];
        for row in &self.rows[range.clone()] {
            rows = rows.push(match row {
                Row::Group(group) => self.group_row(i18n, group),
                Row::Contact(contact) => self.contact_row(i18n, contact),
            });
        }
        rows = rows.push(space().height(below));
        let bar = scrollable::Scrollbar::new()
            .width(6)
            .scroller_width(6)
            .margin(2);
        let list = scrollable(container(rows).padding(Padding::from([0, 14]).left(8)))
            .direction(scrollable::Direction::Vertical(bar))
            .id(LIST_ID)
            .on_scroll(|v| Message::Scrolled {
                offset: v.absolute_offset().y,
                height: v.bounds().height,
            })
            .height(Fill);
        match &self.popup {
            Some(popup) => {
                let i18n = i18n.clone();
                let layer = iced::widget::responsive(move |size| {
                    self.popup_layer(&i18n, popup, size.height)
                });
                stack![list, layer].into()
            }
            None => list.into(),
        }
    }

    fn group_row<'a>(&'a self, i18n: &I18n, group: &'a GroupRow) -> Element<'a, Message> {
        let name = match &group.name {
            Some(name) => name.clone(),
            None => i18n.tr("contacts-ungrouped"),
        };
        let heading = row![
            text(if group.collapsed { "▸" } else { "▾" })
                .size(theme::SMALL_SIZE)
                .style(theme::muted),
            text(name).size(theme::SMALL_SIZE).font(theme::BOLD),
            text(i18n.tr_args(
                "contacts-group-count",
                &[
                    ("online", group.online.into()),
                    ("total", group.total.into())
                ],
            ))
            .size(theme::SMALL_SIZE)
            .style(theme::muted),
        ]
        .spacing(theme::SMALL_GAP * 1.5)
        .align_y(Alignment::Center);
        button(heading)
            .width(Fill)
            .height(GROUP_HEIGHT)
            .padding([8, 8])
            .style(theme::flat_button)
            .on_press(Message::ToggleGroup(group.name.clone()))
            .into()
    }

    fn contact_row<'a>(&'a self, i18n: &I18n, contact: &'a ContactRow) -> Element<'a, Message> {
        let key = contact.key();
        let second = match &contact.note {
            Some(note) => cut(note, NOTE_CHARS),
            None => i18n.tr(availability_id(contact.availability)),
        };
        let mut line = row![
            theme::avatar(&contact.name, 36.0, Some(contact.dot())),
            theme::name_and_line(contact.name.clone(), second, theme::BODY_SIZE, false),
        ]
        .spacing(theme::SMALL_GAP * 2.0)
        .align_y(Alignment::Center);
        if let Some(badge) = contact.badge {
            let (icon, id) = match badge {
                Badge::Pending => ("◷", "contact-badge-pending"),
                Badge::Refused => ("⊘", "contact-badge-refused"),
                Badge::InCall => ("☎", "contact-badge-in-call"),
                Badge::Ringing => ("☎", "contact-badge-ringing"),
            };
            line = line.push(
                container(
                    row![
                        text(icon).size(theme::SMALL_SIZE - 1.0),
                        text(i18n.tr(id)).size(theme::SMALL_SIZE - 1.0)
                    ]
                    .spacing(4)
                    .align_y(Alignment::Center),
                )
                .padding([2, 8])
                .style(theme::badge),
            );
        }
        let unread = self.unread(&contact.account, &contact.uri);
        if unread > 0 {
            line = line.push(
                container(
                    text(i18n.tr_args("contact-unread", &[("count", (unread as i64).into())]))
                        .size(theme::SMALL_SIZE - 1.0)
                        .font(theme::BOLD),
                )
                .id(unread_badge_id(&contact.uri))
                .padding([1, 7])
                .style(theme::unread_badge),
            );
        }
        let selected = self.selected.as_ref() == Some(&key);
        let body = container(line)
            .padding([0, 8])
            .width(Fill)
            .height(ROW_HEIGHT)
            .align_y(Alignment::Center)
            .clip(true);
        let body = if selected {
            body.style(theme::selected_row)
        } else {
            body
        };
        mouse_area(body)
            .on_press(Message::Select(key.clone()))
            .on_double_click(Message::Activate(key.clone()))
            .on_right_press(Message::OpenMenu(key))
            .into()
    }

    /// The menu or form over the list, next to its row; a click beside it
    /// closes it.
    fn popup_layer<'a>(
        &'a self,
        i18n: &I18n,
        popup: &'a Popup,
        viewport: f32,
    ) -> Element<'a, Message> {
        let key = popup.key();
        let (card, height) = match popup {
            Popup::Menu(key) => (self.menu(i18n, key), MENU_HEIGHT),
            Popup::Rename(_, value) => (
                popup_form(i18n, "contact-rename-title", "contacts-add-name", value),
                FORM_HEIGHT,
            ),
            Popup::MoveToGroup(_, value) => (
                popup_form(i18n, "contact-move-title", "contacts-add-group", value),
                FORM_HEIGHT,
            ),
        };
        let top = self.scroll_top();
        let index = self.row_index(key).unwrap_or(0);
        let below = self.bottoms.get(index).copied().unwrap_or(0.0) - top;
        let above = self.top(index) - top - height;
        let y = if below + height <= viewport || above < 0.0 {
            below.min((viewport - height).max(0.0))
        } else {
            above
        };
        stack![
            mouse_area(space().width(Fill).height(Fill))
                .on_press(Message::ClosePopup)
                .on_right_press(Message::ClosePopup),
            pin(opaque(card)).x(56.0).y(y.max(0.0)),
        ]
        .into()
    }

    fn menu<'a>(&'a self, i18n: &I18n, key: &Key) -> Element<'a, Message> {
        let title = self
            .row(key)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| display_address(&key.1).to_string());
        let mut items = column![container(
            text(title)
                .size(theme::SMALL_SIZE)
                .style(theme::muted)
                .wrapping(text::Wrapping::None)
        )
        .padding([4, 10])
        .clip(true)]
        .spacing(0);
        for action in Action::ALL {
            if matches!(action, Action::Rename | Action::CopyAddress) {
                items =
                    items.push(container(rule::horizontal(1).style(rule::weak)).padding([4, 4]));
            }
            let enabled = self.action_enabled(key, action);
            items = items.push(
                button(text(i18n.tr(action_id(action))).size(theme::LABEL_SIZE))
                    .width(Fill)
                    .height(32)
                    .padding([6, 10])
                    .style(theme::menu_item)
                    .on_press_maybe(enabled.then(|| Message::Action(key.clone(), action))),
            );
        }
        container(items)
            .padding(4)
            .width(POPUP_WIDTH)
            .style(theme::popup)
            .into()
    }
}

fn popup_form<'a>(
    i18n: &I18n,
    title: &str,
    placeholder: &str,
    value: &'a str,
) -> Element<'a, Message> {
    container(
        column![
            text(i18n.tr(title))
                .size(theme::LABEL_SIZE)
                .font(theme::BOLD),
            text_input(&i18n.tr(placeholder), value)
                .id(POPUP_FIELD_ID)
                .size(theme::LABEL_SIZE)
                .padding([6, 10])
                .style(theme::field)
                .on_input(Message::PopupInput)
                .on_submit(Message::PopupSubmit),
            row![
                space::horizontal(),
                button(text(i18n.tr("contacts-cancel")).size(theme::SMALL_SIZE))
                    .padding([4, 10])
                    .style(theme::secondary_button)
                    .on_press(Message::ClosePopup),
                button(text(i18n.tr("contacts-save")).size(theme::SMALL_SIZE))
                    .padding([4, 10])
                    .style(theme::primary_button)
                    .on_press(Message::PopupSubmit),
            ]
            .spacing(theme::SMALL_GAP),
        ]
        .spacing(theme::SMALL_GAP * 1.5),
    )
    .padding(12)
    .width(POPUP_WIDTH + 40.0)
    .style(theme::popup)
    .into()
}
