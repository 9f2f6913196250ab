//! The call settings window (SPEC C4, C6): microphone, speaker and ringer
//! (pick lists of the engine's devices, with "Refresh"), the voicemail
//! number, and call forwarding (always, when busy, when not answered after
//! so many seconds), with a note that Do not disturb comes first. Owns what
//! the user changed; the settings themselves are the engine's.
//!
//! Save yields the engine's last `[calls]` settings with the fields the user
//! changed replaced ([`CallSettingsForm::settings`]): what the form does not
//! show (codecs, auto answer, audio processing) and what it shows but the
//! user left alone pass through untouched, even when the engine changed
//! them while the form was open. The engine's refusal shows under the form
//! ([`CallSettingsForm::refused`]); nothing typed is lost.

use iced::widget::{
    button, column, container, pick_list, row, rule, scrollable, text, text_input, tooltip,
};
use iced::{Alignment, Element, Fill, Length, Size};

use crate::config::{CallSettings, Forwarding};
use crate::i18n::I18n;
use crate::ui::devices::{choices, chosen, is_missing, AudioSetup, Choice, Device, Slot};
use crate::ui::theme;

/// The correlation id of the `SetCallSettings` the form sends, so that the
/// engine's answer comes back to it.
pub const SETTINGS_REQUEST: &str = "ui-call-settings";

/// Widget ids, for focus and tests.
pub const VOICEMAIL_ID: &str = "settings-voicemail";
pub const ALWAYS_ID: &str = "settings-forward-always";
pub const BUSY_ID: &str = "settings-forward-busy";
pub const NO_ANSWER_ID: &str = "settings-forward-no-answer";
pub const SECONDS_ID: &str = "settings-forward-seconds";

/// The id of the pick list for `slot` (its container's).
pub fn picker_id(slot: Slot) -> &'static str {
    match slot {
        Slot::Input => "settings-microphone",
        Slot::Output => "settings-speaker",
        Slot::Ringer => "settings-ringer",
    }
}

/// The window's size when it opens, and its smallest.
pub const SIZE: Size = Size::new(460.0, 800.0);
pub const MIN_SIZE: Size = Size::new(360.0, 400.0);

/// The longest ring time before forwarding the engine takes.
const MAX_SECONDS: u32 = 600;

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Pick(Slot, Choice),
    /// Ask the engine for the devices again.
    Refresh,
    Voicemail(String),
    Always(String),
    Busy(String),
    NoAnswer(String),
    Seconds(String),
    Save,
    Cancel,
}

/// What the form asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Send these settings (saved), with [`SETTINGS_REQUEST`] as the id.
    Save(Box<CallSettings>),
    /// Send `AudioDevices`.
    RefreshDevices,
    Close,
}

/// What the form shows, as the user can edit it.
#[derive(Debug, Clone, Default, PartialEq)]
struct Fields {
    input: Device,
    output: Device,
    ringer: Device,
    voicemail: String,
    always: String,
    busy: String,
    no_answer: String,
    seconds: String,
}

impl Fields {
    fn of(settings: &CallSettings) -> Fields {
        let f = &settings.forwarding;
        let shown = |s: &Option<String>| s.clone().unwrap_or_default();
        Fields {
            input: Device::from_setting(settings.input.as_deref()),
            output: Device::from_setting(settings.output.as_deref()),
            ringer: Device::from_setting(settings.ringer.as_deref()),
            voicemail: shown(&settings.voicemail),
            always: shown(&f.always),
            busy: shown(&f.busy),
            no_answer: shown(&f.no_answer),
            seconds: f
                .no_answer_seconds
                .unwrap_or(Forwarding::DEFAULT_NO_ANSWER_SECONDS)
                .to_string(),
        }
    }

    fn device_mut(&mut self, slot: Slot) -> &mut Device {
        match slot {
            Slot::Input => &mut self.input,
            Slot::Output => &mut self.output,
            Slot::Ringer => &mut self.ringer,
        }
    }

    fn device(&self, slot: Slot) -> &Device {
        match slot {
            Slot::Input => &self.input,
            Slot::Output => &self.output,
            Slot::Ringer => &self.ringer,
        }
    }
}

/// A typed target or number: None when blank.
fn target(typed: &str) -> Option<String> {
    Some(typed.trim().to_string()).filter(|t| !t.is_empty())
}

/// A field the user left alone follows the engine's new value.
fn follow<T: PartialEq + Clone>(draft: &mut T, shown: &T, fresh: &T) {
    if draft == shown {
        *draft = fresh.clone();
    }
}

#[derive(Debug, Clone, Default)]
pub struct CallSettingsForm {
    /// The engine's last settings; None until it said.
    base: Option<CallSettings>,
    /// `base` as the form shows it.
    shown: Fields,
    /// What the form holds now.
    draft: Fields,
    /// Sent, waiting for the engine's answer.
    saving: bool,
    /// The engine's refusal.
    error: Option<String>,
}

impl CallSettingsForm {
    /// A form filled from the engine's settings (None: not known yet; the
    /// form waits for them before it can save).
    pub fn new(settings: Option<&CallSettings>) -> CallSettingsForm {
        let mut form = CallSettingsForm::default();
        if let Some(settings) = settings {
            form.rebase(settings);
        }
        form
    }

    /// The engine's settings changed (here, from a call window, or from a
    /// script): what the user did not touch follows them.
    pub fn rebase(&mut self, settings: &CallSettings) {
        let fresh = Fields::of(settings);
        let (d, s) = (&mut self.draft, &self.shown);
        follow(&mut d.input, &s.input, &fresh.input);
        follow(&mut d.output, &s.output, &fresh.output);
        follow(&mut d.ringer, &s.ringer, &fresh.ringer);
        follow(&mut d.voicemail, &s.voicemail, &fresh.voicemail);
        follow(&mut d.always, &s.always, &fresh.always);
        follow(&mut d.busy, &s.busy, &fresh.busy);
        follow(&mut d.no_answer, &s.no_answer, &fresh.no_answer);
        follow(&mut d.seconds, &s.seconds, &fresh.seconds);
        self.shown = fresh;
        self.base = Some(settings.clone());
    }

    /// The engine refused the settings sent: why, under the form.
    pub fn refused(&mut self, message: String) {
        self.saving = false;
        self.error = Some(message);
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn is_saving(&self) -> bool {
        self.saving
    }

    /// The device chosen for `slot`.
    pub fn device(&self, slot: Slot) -> &Device {
        self.draft.device(slot)
    }

    /// The ring time typed, when it is one the engine takes.
    fn seconds(&self) -> Option<u32> {
        self.draft
            .seconds
            .trim()
            .parse()
            .ok()
            .filter(|s| (1..=MAX_SECONDS).contains(s))
    }

    /// The settings to send: the engine's last ones with what the user
    /// changed replaced. None until the engine said which are in force, or
    /// while the ring time is not a number of seconds.
    pub fn settings(&self) -> Option<CallSettings> {
        let mut out = self.base.clone()?;
        let (d, s) = (&self.draft, &self.shown);
        for slot in [Slot::Input, Slot::Output, Slot::Ringer] {
            if d.device(slot) != s.device(slot) {
                let device = d.device(slot).to_setting();
                match slot {
                    Slot::Input => out.input = device,
                    Slot::Output => out.output = device,
                    Slot::Ringer => out.ringer = device,
                }
            }
        }
        if d.voicemail != s.voicemail {
            out.voicemail = target(&d.voicemail);
        }
        let f = &mut out.forwarding;
        if d.always != s.always {
            f.always = target(&d.always);
        }
        if d.busy != s.busy {
            f.busy = target(&d.busy);
        }
        if d.no_answer != s.no_answer {
            f.no_answer = target(&d.no_answer);
        }
        let seconds = self.seconds()?;
        if d.seconds != s.seconds {
            f.no_answer_seconds = Some(seconds);
        }
        Some(out)
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        let d = &mut self.draft;
        match message {
            Message::Pick(slot, choice) => *d.device_mut(slot) = choice.device,
            Message::Refresh => return Some(Event::RefreshDevices),
            Message::Voicemail(s) => d.voicemail = s,
            Message::Always(s) => d.always = s,
            Message::Busy(s) => d.busy = s,
            Message::NoAnswer(s) => d.no_answer = s,
            // Digits only; the number is checked on the way out.
            Message::Seconds(s) => {
                d.seconds = s.chars().filter(char::is_ascii_digit).take(3).collect()
            }
            Message::Save => {
                if self.saving {
                    return None;
                }
                let settings = self.settings()?;
                self.saving = true;
                self.error = None;
                return Some(Event::Save(Box::new(settings)));
            }
            Message::Cancel => return Some(Event::Close),
        }
        None
    }

    pub fn view<'a>(&'a self, i18n: &I18n, setup: &AudioSetup) -> Element<'a, Message> {
        let heading = |id: &str| {
            text(i18n.tr(id))
                .size(theme::BODY_SIZE + 2.0)
                .font(theme::BOLD)
        };
        let hint = |words: String| text(words).size(theme::SMALL_SIZE).style(theme::muted);

        // Sound devices: a label and a pick list a line.
        let devices = setup.devices.as_ref();
        let picker = |slot: Slot, label: &str| {
            let current = self.draft.device(slot);
            let list = choices(i18n, devices, slot, current);
            let selected = chosen(&list, current);
            row![
                text(i18n.tr(label))
                    .size(theme::LABEL_SIZE)
                    .width(Length::Fixed(110.0)),
                container(
                    pick_list(list, selected, move |c| Message::Pick(slot, c))
                        .width(Fill)
                        .padding([6, 10])
                        .text_size(theme::LABEL_SIZE)
                        .style(theme::picker)
                        .menu_style(theme::picker_menu)
                )
                .id(picker_id(slot))
                .width(Fill),
            ]
            .spacing(theme::SMALL_GAP)
            .align_y(Alignment::Center)
        };
        let refresh = tooltip(
            button(text(i18n.tr("settings-refresh")).size(theme::SMALL_SIZE))
                .padding([3, 8])
                .style(theme::flat_button)
                .on_press(Message::Refresh),
            theme::tooltip_card(i18n.tr("settings-refresh-tip")),
            tooltip::Position::Left,
        );
        let mut sound = column![
            row![container(heading("settings-devices")).width(Fill), refresh]
                .align_y(Alignment::Center),
            picker(Slot::Input, "settings-microphone"),
            picker(Slot::Output, "settings-speaker"),
            picker(Slot::Ringer, "settings-ringer"),
        ]
        .spacing(theme::SMALL_GAP * 1.5);
        for slot in [Slot::Input, Slot::Output, Slot::Ringer] {
            if let (true, Device::Id(id)) = (
                is_missing(devices, slot, self.draft.device(slot)),
                self.draft.device(slot),
            ) {
                sound = sound.push(hint(i18n.tr_args(
                    "settings-device-missing-note",
                    &[("device", id.as_str().into())],
                )));
            }
        }
        match devices {
            None => sound = sound.push(hint(i18n.tr("settings-devices-loading"))),
            Some(list) => {
                if let Some(error) = &list.error {
                    sound = sound.push(
                        text(i18n.tr_args(
                            "settings-devices-error",
                            &[("message", error.as_str().into())],
                        ))
                        .size(theme::SMALL_SIZE)
                        .style(theme::error),
                    );
                }
            }
        }

        let field =
            |id: &'static str, placeholder: &str, value: &'a str, on: fn(String) -> Message| {
                text_input(&i18n.tr(placeholder), value)
                    .id(id)
                    .size(theme::LABEL_SIZE)
                    .padding([6, 10])
                    .style(theme::field)
                    .on_input(on)
                    .on_submit(Message::Save)
            };
        let labelled = |label: &str, input: Element<'a, Message>| {
            column![text(i18n.tr(label)).size(theme::LABEL_SIZE), input].spacing(4)
        };
        let d = &self.draft;

        let voicemail = column![
            heading("settings-voicemail"),
            labelled(
                "settings-voicemail-label",
                field(
                    VOICEMAIL_ID,
                    "settings-voicemail-placeholder",
                    &d.voicemail,
                    Message::Voicemail
                )
                .into(),
            ),
            hint(i18n.tr("settings-voicemail-hint")),
        ]
        .spacing(theme::SMALL_GAP * 1.5);

        let seconds = text_input("", &d.seconds)
            .id(SECONDS_ID)
            .size(theme::LABEL_SIZE)
            .padding([6, 8])
            .width(Length::Fixed(56.0))
            .align_x(Alignment::Center)
            .style(theme::field)
            .on_input(Message::Seconds)
            .on_submit(Message::Save);
        let no_answer = row![
            field(
                NO_ANSWER_ID,
                "settings-forward-placeholder",
                &d.no_answer,
                Message::NoAnswer
            )
            .width(Fill),
            text(i18n.tr("settings-forward-after")).size(theme::LABEL_SIZE),
            seconds,
            text(i18n.tr("settings-forward-seconds")).size(theme::LABEL_SIZE),
        ]
        .spacing(theme::SMALL_GAP)
        .align_y(Alignment::Center);
        let mut forwarding = column![
            heading("settings-forwarding"),
            labelled(
                "settings-forward-always",
                field(
                    ALWAYS_ID,
                    "settings-forward-placeholder",
                    &d.always,
                    Message::Always
                )
                .into(),
            ),
            labelled(
                "settings-forward-busy",
                field(
                    BUSY_ID,
                    "settings-forward-placeholder",
                    &d.busy,
                    Message::Busy
                )
                .into(),
            ),
            labelled("settings-forward-no-answer", no_answer.into()),
        ]
        .spacing(theme::SMALL_GAP * 1.5);
        if self.seconds().is_none() {
            forwarding = forwarding.push(
                text(i18n.tr_args(
                    "settings-forward-seconds-invalid",
                    &[("max", i64::from(MAX_SECONDS).into())],
                ))
                .size(theme::SMALL_SIZE)
                .style(theme::error),
            );
        }
        forwarding = forwarding.push(
            container(text(i18n.tr("settings-dnd-note")).size(theme::SMALL_SIZE))
                .padding([8, 10])
                .width(Fill)
                .style(theme::card),
        );

        let mut form = column![
            text(i18n.tr("settings-title"))
                .size(theme::TITLE_SIZE)
                .font(theme::BOLD),
            sound,
            voicemail,
            forwarding,
        ]
        .spacing(theme::GAP)
        .max_width(520);
        if self.base.is_none() {
            form = form.push(hint(i18n.tr("settings-loading")));
        }
        // Save and Cancel stay in sight under the scrolling form, with the
        // engine's refusal over them.
        let mut footer = column![].spacing(theme::SMALL_GAP).max_width(520);
        if let Some(error) = &self.error {
            footer = footer.push(
                text(i18n.tr_args("settings-error", &[("message", error.as_str().into())]))
                    .size(theme::BODY_SIZE)
                    .style(theme::error),
            );
        }
        let save = if self.saving {
            "settings-saving"
        } else {
            "settings-save"
        };
        footer = footer.push(theme::form_buttons(
            i18n.tr("settings-cancel"),
            Message::Cancel,
            i18n.tr(save),
            (!self.saving && self.settings().is_some()).then_some(Message::Save),
        ));

        column![
            scrollable(container(form).padding(theme::PADDING).center_x(Fill)).height(Fill),
            rule::horizontal(1).style(rule::weak),
            container(footer)
                .padding([12.0, theme::PADDING])
                .center_x(Fill),
        ]
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine_settings() -> CallSettings {
        CallSettings {
            codecs: vec!["G722".into()],
            input: Some("mic-1".into()),
            auto_answer: Some(true),
            voicemail: Some("sip:vm@hark.test".into()),
            forwarding: Forwarding {
                busy: Some("sip:desk@hark.test".into()),
                ..Forwarding::default()
            },
            ..CallSettings::default()
        }
    }

    #[test]
    fn untouched_settings_pass_through_and_blanks_clear() {
        let mut form = CallSettingsForm::new(Some(&engine_settings()));
        assert_eq!(form.settings(), Some(engine_settings()));
        form.update(Message::Busy("  ".into()));
        form.update(Message::Always(" 100 ".into()));
        let Some(Event::Save(out)) = form.update(Message::Save) else {
            panic!("not saved");
        };
        assert_eq!(out.forwarding.busy, None);
        assert_eq!(out.forwarding.always.as_deref(), Some("100"));
        // The ring time stays unset unless it was changed.
        assert_eq!(out.forwarding.no_answer_seconds, None);
        assert_eq!(out.codecs, ["G722"]);
        assert_eq!(out.auto_answer, Some(true));
        assert!(form.is_saving());
        assert_eq!(form.update(Message::Save), None, "once");
        form.refused("no".into());
        assert_eq!(form.error(), Some("no"));
    }

    #[test]
    fn what_the_user_did_not_touch_follows_the_engine() {
        let mut form = CallSettingsForm::new(Some(&engine_settings()));
        form.update(Message::Voicemail("*98".into()));
        let mut changed = engine_settings();
        changed.input = Some("mic-2".into());
        changed.voicemail = Some("sip:other@hark.test".into());
        form.rebase(&changed);
        assert_eq!(form.device(Slot::Input), &Device::Id("mic-2".into()));
        let out = form.settings().unwrap();
        assert_eq!(out.input.as_deref(), Some("mic-2"));
        assert_eq!(out.voicemail.as_deref(), Some("*98"));
    }

    #[test]
    fn the_ring_time_must_be_seconds_and_nothing_saves_before_the_engine_said() {
        let mut form = CallSettingsForm::new(None);
        assert_eq!(form.update(Message::Save), None);
        form.rebase(&CallSettings::default());
        form.update(Message::Seconds("0".into()));
        assert_eq!(form.settings(), None);
        form.update(Message::Seconds("3x5".into()));
        assert_eq!(form.draft.seconds, "35");
        assert_eq!(
            form.settings().unwrap().forwarding.no_answer_seconds,
            Some(35)
        );
    }
}
