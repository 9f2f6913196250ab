//! The app's call settings (SPEC C4, C6): keeps the engine's last
//! `CallSettings` and `AudioDevices` ([`AudioSetup`]), opens the call
//! settings window (asking for the devices each time it opens), sends what
//! it saves and routes the engine's answer back to it (closed on `ok`, the
//! message under the form on `error`), and switches the microphone or
//! speaker from a call window (remembered: sent with `save`).

use iced::{window, Element, Task};

use crate::engine::{Command, Envelope, Event};
use crate::ui::devices::{AudioSetup, Device, Slot};
use crate::ui::screen::call_settings::{self, CallSettingsForm, MIN_SIZE, SETTINGS_REQUEST, SIZE};

use super::{App, Message, WindowKind};

/// The correlation id of the `SetCallSettings` a call window sends.
pub const DEVICE_REQUEST: &str = "ui-call-device";

/// The settings the UI knows and the settings window, when open.
#[derive(Debug, Default)]
pub(super) struct Settings {
    pub(super) setup: AudioSetup,
    window: Option<(window::Id, CallSettingsForm)>,
}

impl App {
    /// What the engine last said about the devices and `[calls]`.
    pub fn audio_setup(&self) -> &AudioSetup {
        &self.settings.setup
    }

    /// The call settings window, when it is open.
    pub fn call_settings_window(&self) -> Option<window::Id> {
        self.settings.window.as_ref().map(|(id, _)| *id)
    }

    pub fn call_settings_form(&self) -> Option<&CallSettingsForm> {
        self.settings.window.as_ref().map(|(_, form)| form)
    }

    /// Opens the call settings window (or raises it), filled from the
    /// engine's settings, and asks for the devices.
    pub(super) fn open_call_settings(&mut self) -> Task<Message> {
        if let Some((id, _)) = &self.settings.window {
            return window::gain_focus(*id);
        }
        let (id, open) = window::open(window::Settings {
            size: SIZE,
            min_size: Some(MIN_SIZE),
            exit_on_close_request: false,
            ..window::Settings::default()
        });
        self.windows.insert(id, WindowKind::CallSettings);
        let form = CallSettingsForm::new(self.settings.setup.settings.as_ref());
        self.settings.window = Some((id, form));
        self.send(Command::AudioDevices);
        open.map(Message::WindowOpened)
    }

    /// Takes in the engine's settings, devices and the answers to the
    /// settings' own commands; true when the event was such an answer (no
    /// one else is to see it).
    pub(super) fn settings_event(&mut self, event: &Event) -> (bool, Task<Message>) {
        let setup = &mut self.settings.setup;
        if setup.apply(event) {
            if let (Event::CallSettings { settings }, Some((_, form))) =
                (event, &mut self.settings.window)
            {
                form.rebase(settings);
            }
            return (false, Task::none());
        }
        let (id, error) = match event {
            Event::Ok { id: Some(id) } => (id, None),
            Event::Error {
                id: Some(id),
                message,
                ..
            } => (id, Some(message.clone())),
            _ => return (false, Task::none()),
        };
        match id.as_str() {
            Some(SETTINGS_REQUEST) => match (error, &mut self.settings.window) {
                (None, Some((window, _))) => {
                    let window = *window;
                    (true, self.close_call_settings(window))
                }
                (Some(message), Some((_, form))) => {
                    form.refused(message);
                    (true, Task::none())
                }
                _ => (true, Task::none()),
            },
            Some(DEVICE_REQUEST) => {
                self.settings.setup.switch_error = error;
                (true, Task::none())
            }
            _ => (false, Task::none()),
        }
    }

    pub(super) fn settings_message(&mut self, message: call_settings::Message) -> Task<Message> {
        let Some((window, form)) = &mut self.settings.window else {
            return Task::none();
        };
        let window = *window;
        match form.update(message) {
            Some(call_settings::Event::Save(settings)) => {
                let envelope = Envelope {
                    id: Some(SETTINGS_REQUEST.into()),
                    command: Command::SetCallSettings {
                        settings: *settings,
                        save: true,
                    },
                };
                if !self.engine.send(envelope) {
                    self.main.set_engine_stopped();
                    if let Some((_, form)) = &mut self.settings.window {
                        form.refused(self.i18n.tr("main-engine-stopped"));
                    }
                }
                Task::none()
            }
            Some(call_settings::Event::RefreshDevices) => {
                self.send(Command::AudioDevices);
                Task::none()
            }
            Some(call_settings::Event::Close) => self.close_call_settings(window),
            None => Task::none(),
        }
    }

    /// A call window switches the microphone or speaker: the settings in
    /// force with that device, saved so that the choice is remembered.
    pub(super) fn use_device(&mut self, slot: Slot, device: &Device) {
        let Some(settings) = self.settings.setup.with(slot, device) else {
            return;
        };
        self.settings.setup.switch_error = None;
        let envelope = Envelope {
            id: Some(DEVICE_REQUEST.into()),
            command: Command::SetCallSettings {
                settings,
                save: true,
            },
        };
        if !self.engine.send(envelope) {
            self.main.set_engine_stopped();
        }
    }

    fn close_call_settings(&mut self, window: window::Id) -> Task<Message> {
        self.settings_window_closed(window);
        self.windows.remove(&window);
        window::close(window)
    }

    /// A window closed: forgets the settings form when it was its window.
    pub(super) fn settings_window_closed(&mut self, window: window::Id) {
        if self.call_settings_window() == Some(window) {
            self.settings.window = None;
        }
    }

    pub(super) fn settings_view(&self) -> Element<'_, Message> {
        match &self.settings.window {
            Some((_, form)) => form
                .view(&self.i18n, &self.settings.setup)
                .map(Message::Settings),
            None => iced::widget::space().into(),
        }
    }
}
