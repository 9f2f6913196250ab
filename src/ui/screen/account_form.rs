//! The account form: shown on first run (no account configured) and by
//! "Edit account". Owns what the user typed, checks it with the same rules
//! as the config loader ([`AccountConfig::validate`]) plus "a password is
//! required", and shows what is wrong under each field in plain words. It
//! never talks to the engine: a valid submit yields [`Event::Submitted`] with
//! a ready [`AccountConfig`] and the app sends it. Nothing typed is cleared by
//! a validation error.

use iced::widget::{button, column, container, row, scrollable, space, text, text_input};
use iced::{Element, Fill, Task};

use crate::config::{AccountConfig, AccountField, AccountProblem, Transport};
use crate::i18n::I18n;
use crate::ui::theme;

/// Widget ids, so tests and focus operations can find the inputs.
pub const ADDRESS_ID: &str = "account-address";
pub const PASSWORD_ID: &str = "account-password";
pub const SERVER_ID: &str = "account-server";

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Address(String),
    Password(String),
    Server(String),
    Transport(Transport),
    Submit,
    Cancel,
}

/// What the form tells the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The user submitted valid settings; the address is normalized.
    Submitted(AccountConfig),
    /// The user does not want to change anything after all.
    Cancelled,
}

#[derive(Debug, Clone, Default)]
pub struct AccountForm {
    address: String,
    password: String,
    server: String,
    transport: Transport,
    /// The settings being edited, so fields the form does not show survive.
    editing: Option<AccountConfig>,
    /// Problems are shown once the user tried to submit, then kept up to date.
    show_problems: bool,
}

impl AccountForm {
    /// An empty form for a new account.
    pub fn new() -> Self {
        Self::default()
    }

    /// A form pre-filled with `account`'s settings.
    pub fn edit(account: &AccountConfig) -> Self {
        AccountForm {
            address: super::super::status::display_address(&account.address).to_string(),
            password: account.password.clone().unwrap_or_default(),
            server: account.server.clone().unwrap_or_default(),
            transport: account.transport,
            editing: Some(account.clone()),
            show_problems: false,
        }
    }

    /// True when editing an existing account (the form can be cancelled).
    pub fn is_editing(&self) -> bool {
        self.editing.is_some()
    }

    /// Puts the keyboard focus in the first field.
    pub fn focus<T: Send + 'static>() -> Task<T> {
        iced::widget::operation::focus(ADDRESS_ID)
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Address(s) => self.address = s,
            Message::Password(s) => self.password = s,
            Message::Server(s) => self.server = s,
            Message::Transport(t) => self.transport = t,
            Message::Cancel => return self.is_editing().then_some(Event::Cancelled),
            Message::Submit => {
                self.show_problems = true;
                return self.account().ok().map(Event::Submitted);
            }
        }
        None
    }

    /// Everything that is wrong, field by field (empty when the form is valid).
    pub fn problems(&self) -> Vec<(AccountField, AccountProblem)> {
        let mut problems = self.unchecked_account().validate();
        if self.password.is_empty() {
            problems.push((AccountField::Password, AccountProblem::Empty));
        }
        problems
    }

    /// The settings to send, or what is wrong with them.
    pub fn account(&self) -> Result<AccountConfig, Vec<(AccountField, AccountProblem)>> {
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut account = self.unchecked_account();
        account.address = AccountConfig::normalize_address(&self.address)
            .map_err(|p| vec![(AccountField::Address, p)])?;
        Ok(account)
    }

    fn unchecked_account(&self) -> AccountConfig {
        let mut account = self
            .editing
            .clone()
            .unwrap_or_else(|| AccountConfig::new(""));
        account.address = self.address.trim().to_string();
        account.password = Some(self.password.clone());
        let server = self.server.trim();
        account.server = (!server.is_empty()).then(|| server.to_string());
        account.transport = self.transport;
        account
    }

    /// The translated sentence for what is wrong with `field`, if shown.
    pub fn problem_text(&self, i18n: &I18n, field: AccountField) -> Option<String> {
        if !self.show_problems {
            return None;
        }
        let (_, problem) = self.problems().into_iter().find(|(f, _)| *f == field)?;
        let id = match (field, problem) {
            (AccountField::Address, AccountProblem::Empty) if self.address.trim().is_empty() => {
                "form-error-address-empty"
            }
            (AccountField::Address, AccountProblem::NoUser) => "form-error-address-no-user",
            (AccountField::Address, AccountProblem::BadHost) => "form-error-address-host",
            (AccountField::Address, AccountProblem::BadPort) => "form-error-port",
            (AccountField::Address, _) => "form-error-address-format",
            (AccountField::Password, _) => "form-error-password-empty",
            (AccountField::Server, AccountProblem::BadPort) => "form-error-port",
            (AccountField::Server, _) => "form-error-server-host",
        };
        Some(i18n.tr(id))
    }

    pub fn view<'a>(&'a self, i18n: &I18n) -> Element<'a, Message> {
        let (title, intro, submit) = if self.is_editing() {
            ("form-title-edit", "form-intro-edit", "form-save")
        } else {
            ("form-title-new", "form-intro-new", "form-connect")
        };

        let field = |label: &str,
                     input: iced::widget::TextInput<'a, Message>,
                     problem: Option<String>,
                     hint: Option<String>| {
            let mut col = column![
                text(i18n.tr(label))
                    .size(theme::LABEL_SIZE)
                    .font(theme::BOLD),
                input.padding(8).size(theme::BODY_SIZE),
            ]
            .spacing(theme::SMALL_GAP);
            if let Some(problem) = problem {
                col = col.push(text(problem).size(theme::SMALL_SIZE).style(theme::error));
            } else if let Some(hint) = hint {
                col = col.push(text(hint).size(theme::SMALL_SIZE).style(theme::muted));
            }
            col
        };

        let address = text_input(&i18n.tr("form-address-placeholder"), &self.address)
            .id(ADDRESS_ID)
            .on_input(Message::Address)
            .on_submit(Message::Submit);
        let password = text_input(&i18n.tr("form-password-placeholder"), &self.password)
            .id(PASSWORD_ID)
            .secure(true)
            .on_input(Message::Password)
            .on_submit(Message::Submit);
        let server = text_input(&i18n.tr("form-server-placeholder"), &self.server)
            .id(SERVER_ID)
            .on_input(Message::Server)
            .on_submit(Message::Submit);

        // A two-way switch; each choice is a button so it can be clicked by label.
        let transports = Transport::ALL.iter().fold(row![].spacing(4), |row, &t| {
            let label = match t {
                Transport::Udp => i18n.tr("transport-udp"),
                Transport::Tcp => i18n.tr("transport-tcp"),
            };
            let selected = t == self.transport;
            row.push(
                button(text(label).size(theme::BODY_SIZE).center())
                    .width(72)
                    .padding([6, 12])
                    .style(if selected {
                        theme::primary_button
                    } else {
                        theme::secondary_button
                    })
                    .on_press(Message::Transport(t)),
            )
        });

        let mut buttons = row![space::horizontal()].spacing(theme::SMALL_GAP * 2.0);
        if self.is_editing() {
            buttons = buttons.push(
                button(text(i18n.tr("form-cancel")).size(theme::BODY_SIZE))
                    .padding([8, 16])
                    .style(theme::secondary_button)
                    .on_press(Message::Cancel),
            );
        }
        buttons = buttons.push(
            button(text(i18n.tr(submit)).size(theme::BODY_SIZE))
                .padding([8, 16])
                .style(theme::primary_button)
                .on_press(Message::Submit),
        );

        let form = column![
            column![
                text(i18n.tr(title))
                    .size(theme::TITLE_SIZE)
                    .font(theme::BOLD),
                text(i18n.tr(intro))
                    .size(theme::BODY_SIZE)
                    .style(theme::muted),
            ]
            .spacing(theme::SMALL_GAP * 1.5),
            field(
                "form-address-label",
                address,
                self.problem_text(i18n, AccountField::Address),
                None,
            ),
            field(
                "form-password-label",
                password,
                self.problem_text(i18n, AccountField::Password),
                None,
            ),
            field(
                "form-server-label",
                server,
                self.problem_text(i18n, AccountField::Server),
                Some(i18n.tr("form-server-hint")),
            ),
            column![
                text(i18n.tr("form-transport-label"))
                    .size(theme::LABEL_SIZE)
                    .font(theme::BOLD),
                transports,
            ]
            .spacing(theme::SMALL_GAP * 1.5),
            buttons,
        ]
        .spacing(theme::GAP)
        .max_width(440);

        // Scrolls when the window is too low for the form and its messages.
        scrollable(container(form).padding(theme::PADDING).center_x(Fill))
            .height(Fill)
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(address: &str, password: &str, server: &str) -> AccountForm {
        let mut form = AccountForm::new();
        form.update(Message::Address(address.into()));
        form.update(Message::Password(password.into()));
        form.update(Message::Server(server.into()));
        form
    }

    #[test]
    fn submit_normalizes_the_address() {
        let mut form = typed(" alice@hark.test ", "secret", "");
        form.update(Message::Transport(Transport::Tcp));
        let Some(Event::Submitted(account)) = form.update(Message::Submit) else {
            panic!("not submitted");
        };
        assert_eq!(account.address, "sip:alice@hark.test");
        assert_eq!(account.password.as_deref(), Some("secret"));
        assert_eq!(account.server, None);
        assert_eq!(account.transport, Transport::Tcp);
    }

    #[test]
    fn problems_are_named_and_nothing_is_lost() {
        let i18n = I18n::default();
        let mut form = typed("alice", "", "proxy.hark.test:99999");
        assert_eq!(form.problem_text(&i18n, AccountField::Address), None);
        assert_eq!(form.update(Message::Submit), None);
        assert_eq!(
            form.problem_text(&i18n, AccountField::Address).as_deref(),
            Some("Enter an address like alice@example.com")
        );
        assert_eq!(
            form.problem_text(&i18n, AccountField::Password).as_deref(),
            Some("Enter your password.")
        );
        assert_eq!(
            form.problem_text(&i18n, AccountField::Server).as_deref(),
            Some("The port must be a number from 1 to 65535.")
        );
        assert_eq!(form.address, "alice");
        assert_eq!(form.server, "proxy.hark.test:99999");
        // Fixing a field updates its message as the user types.
        form.update(Message::Address("alice@hark.test".into()));
        assert_eq!(form.problem_text(&i18n, AccountField::Address), None);
    }

    #[test]
    fn edit_keeps_fields_the_form_does_not_show() {
        let mut account = AccountConfig::new("sip:bob@hark.test");
        account.display_name = Some("Bob".into());
        account.password = Some("pw".into());
        let mut form = AccountForm::edit(&account);
        assert_eq!(form.address, "bob@hark.test");
        let Some(Event::Submitted(out)) = form.update(Message::Submit) else {
            panic!("not submitted");
        };
        assert_eq!(out, account);
        assert_eq!(form.update(Message::Cancel), Some(Event::Cancelled));
        assert_eq!(AccountForm::new().update(Message::Cancel), None);
    }
}
