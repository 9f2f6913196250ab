//! What the main window asks of the app (its [`main_window::Event`]s):
//! registering again, the account form, quitting, commands for the
//! engine, chats, rooms and the search window, calls (a contact, the dial
//! field, a call's window), the call history, the call settings window and
//! the watchers' answers.

use iced::Task;

use crate::config::AccountConfig;
use crate::engine::{Command, Envelope};
use crate::ui::screen::{contacts, main_window, AccountForm};

use super::{App, Message};

impl App {
    pub(super) fn main_message(&mut self, message: main_window::Message) -> Task<Message> {
        match self.main.update(message) {
            Some(main_window::Event::Retry(account)) => {
                self.send(Command::Register { account });
                Task::none()
            }
            Some(main_window::Event::Edit(address)) => {
                let form = match self.main.account(&address).and_then(|a| a.config.as_ref()) {
                    Some(config) => AccountForm::edit(config),
                    None => AccountForm::edit(&AccountConfig::new(address)),
                };
                self.show_form(form)
            }
            Some(main_window::Event::AddAccount) => self.show_form(AccountForm::new()),
            Some(main_window::Event::Quit) => self.quit(),
            Some(main_window::Event::Send(command)) => {
                self.send(command);
                Task::none()
            }
            Some(main_window::Event::AddContact { account, contact }) => {
                let request = Envelope {
                    id: Some(contacts::ADD_CONTACT_REQUEST.into()),
                    command: Command::AddContact { account, contact },
                };
                if !self.engine.send(request) {
                    self.main.set_engine_stopped();
                }
                Task::none()
            }
            Some(main_window::Event::CopyAddress(address)) => iced::clipboard::write(address),
            Some(main_window::Event::OpenChat { account, uri }) => self.open_chat(&account, &uri),
            Some(main_window::Event::CreateRoom { account, room }) => {
                self.room_command(&account, &room, crate::engine::RoomAction::Create)
            }
            Some(main_window::Event::JoinRoom { account, room }) => {
                self.room_command(&account, &room, crate::engine::RoomAction::Join)
            }
            Some(main_window::Event::OpenSearch) => self.open_search(),
            Some(main_window::Event::OpenCallSettings) => self.open_call_settings(),
            Some(main_window::Event::Focus(id)) => iced::widget::operation::focus(id),
            Some(main_window::Event::Call { account, uri }) => {
                self.place_call(Some(account), &uri, None)
            }
            Some(main_window::Event::Dial(number)) => self.dial(&number),
            Some(main_window::Event::ShowCall(call)) => self.show_call(&call),
            Some(main_window::Event::OpenHistory { missed }) => self.open_history(missed),
            Some(
                main_window::Event::VideoCall { uri, .. }
                | main_window::Event::SendEmail { uri, .. },
            ) => {
                // Video calls and e-mail land with later features.
                tracing::info!(%uri, "not yet available");
                Task::none()
            }
            Some(main_window::Event::DecideWatcher {
                account,
                watcher,
                decision,
            }) => {
                use crate::engine::WatcherDecision as Engine;
                use crate::ui::screen::contacts::WatcherDecision as Ui;
                // "Ignore" is a polite block: they see us offline, untold.
                let decision = match decision {
                    Ui::Allow => Engine::Allow,
                    Ui::Block => Engine::Block,
                    Ui::Ignore => Engine::PoliteBlock,
                };
                self.send(Command::DecideWatcher {
                    account,
                    watcher,
                    decision,
                });
                Task::none()
            }
            None => Task::none(),
        }
    }
}
