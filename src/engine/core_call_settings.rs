//! The engine's call-settings commands: `set_call_settings` checks the new
//! `[calls]` settings, hands them to the calls (through the registry: new
//! calls take them, calls in progress switch devices), updates what the
//! own presence says (unconditional forwarding shows "Forwarded") and
//! saves them when asked; `audio_devices` lists the sound devices off the
//! engine's task (the sound system may take a while to answer).

use super::core_calls::call_target;
use super::Engine;
use crate::config::CallSettings;
use crate::engine::api::{AudioDevice, ErrorKind, Event};

type CommandResult = Result<(), (ErrorKind, String)>;

impl Engine {
    /// Takes the settings from the config at start.
    pub(super) fn init_call_settings(&mut self) {
        let settings = self.options.config.calls.clone();
        self.automatic.forwarded = settings.forwarding.always().is_some();
        self.calls.set_settings(settings);
    }

    pub(super) async fn set_call_settings(
        &mut self,
        settings: CallSettings,
        save: bool,
    ) -> CommandResult {
        check(&settings)?;
        if save {
            if let Some(path) = self.options.config_path.clone() {
                let mut config = self.options.config.clone();
                config.calls = settings.clone();
                tokio::task::spawn_blocking(move || crate::config::save(&path, &config))
                    .await
                    .expect("config save task")
                    .map_err(|e| (ErrorKind::Failed, format!("cannot save the config: {e}")))?;
            }
        }
        self.options.config.calls = settings.clone();
        self.calls.set_settings(settings.clone());
        let forwarded = settings.forwarding.always().is_some();
        if forwarded != self.automatic.forwarded {
            self.automatic.forwarded = forwarded;
            self.publish_own_status();
        }
        self.emit(Event::CallSettings {
            settings: Box::new(settings),
        });
        Ok(())
    }

    /// The settings in force, for `snapshot`.
    pub(super) fn call_settings_event(&self) -> Event {
        Event::CallSettings {
            settings: Box::new(self.calls.settings()),
        }
    }

    /// Lists the devices on a blocking thread and answers `audio_devices`.
    pub(super) fn list_audio_devices(&self) {
        let events = self.events.clone();
        tokio::task::spawn_blocking(move || {
            let event = match crate::audio::device::list_devices() {
                Ok(list) => Event::AudioDevices {
                    inputs: list.inputs.into_iter().map(AudioDevice::from).collect(),
                    outputs: list.outputs.into_iter().map(AudioDevice::from).collect(),
                    error: None,
                },
                Err(e) => Event::AudioDevices {
                    inputs: vec![],
                    outputs: vec![],
                    error: Some(e.to_string()),
                },
            };
            let _ = events.send(event);
        });
    }
}

/// Refuses settings a call could not use: forwarding targets and the
/// voicemail pilot must be addresses or numbers.
fn check(settings: &CallSettings) -> CommandResult {
    let f = &settings.forwarding;
    let targets = [
        ("voicemail", settings.voicemail.as_deref()),
        ("forwarding.always", f.always.as_deref()),
        ("forwarding.busy", f.busy.as_deref()),
        ("forwarding.no_answer", f.no_answer.as_deref()),
    ];
    for (key, value) in targets {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            continue;
        };
        if call_target(value, "example.invalid").is_none() {
            return Err((
                ErrorKind::BadArgument,
                format!("{key}: {value:?} is not an address or number to call"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_targets_are_refused_with_the_key() {
        let mut s = CallSettings::default();
        assert!(check(&s).is_ok());
        s.forwarding.busy = Some("  ".into());
        s.voicemail = Some("tel:+49 30 1234".into());
        let (kind, message) = check(&s).unwrap_err();
        assert_eq!(kind, ErrorKind::BadArgument);
        assert!(message.starts_with("voicemail:"), "{message}");
        s.voicemail = Some("*97".into());
        s.forwarding.no_answer = Some("sip:".into());
        let (_, message) = check(&s).unwrap_err();
        assert!(message.starts_with("forwarding.no_answer:"), "{message}");
        s.forwarding.no_answer = Some("sip:desk@example.com".into());
        assert!(check(&s).is_ok());
    }
}
