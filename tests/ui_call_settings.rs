//! The call settings window and the call window's devices, driven headless
//! with iced_test against an engine handle wired to plain channels: the
//! engine's `call_settings` and `audio_devices` events are injected and we
//! read the commands the windows send. Devices are picked with the mouse on
//! the pick lists as a user would (open the list, click an entry).

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use hark::config::{CallSettings, Forwarding};
use hark::engine::{
    AudioDevice, CallDirection, CallPhase, CallView, Command, Envelope, ErrorKind, Event,
};
use hark::ui::app::DEVICE_REQUEST;
use hark::ui::devices::{Device, Slot};
use hark::ui::screen::call_settings::{
    picker_id, ALWAYS_ID, BUSY_ID, NO_ANSWER_ID, SECONDS_ID, SETTINGS_REQUEST, VOICEMAIL_ID,
};
use hark::ui::screen::call_window::device_picker_id;
use hark::ui::WindowKind;
use iced::{window, Point};
use iced_test::selector;
use support::window::chat::*;
use support::window::Window as Harness;

/// What the engine has in `[calls]`: a headset microphone, forwarding on
/// busy, and settings the window does not show.
fn engine_settings() -> CallSettings {
    CallSettings {
        codecs: vec!["G722".into(), "PCMU".into()],
        input: Some("usb-headset-mic".into()),
        output: None,
        ringer: Some("none".into()),
        voicemail: Some("sip:voicemail@hark.test".into()),
        auto_answer: Some(false),
        audio_processing: None,
        forwarding: Forwarding {
            busy: Some("sip:desk@hark.test".into()),
            no_answer_seconds: Some(25),
            ..Forwarding::default()
        },
    }
}

fn device(id: &str, name: &str, is_default: bool) -> AudioDevice {
    AudioDevice {
        id: id.into(),
        name: name.into(),
        is_default,
    }
}

/// The microphones and speakers of the machine; the headset is unplugged.
fn devices() -> Event {
    Event::AudioDevices {
        inputs: vec![
            device("alsa:pci-0-mic", "Built-in Microphone", true),
            device("alsa:usb-cam-mic", "Webcam Microphone", false),
        ],
        outputs: vec![
            device("alsa:pci-0-spk", "Built-in Speakers", true),
            device("alsa:hdmi-0", "HDMI Monitor", false),
        ],
        error: None,
    }
}

/// Alice's window with the engine's settings, the settings window opened
/// from the "⋯" menu, and the command it sent (AudioDevices) taken.
fn open_settings(h: &mut Harness) -> window::Id {
    h.event(Event::CallSettings {
        settings: Box::new(engine_settings()),
    });
    h.commands();
    h.interact(|ui| {
        ui.click("⋯").expect("the menu button");
    });
    h.interact(|ui| {
        ui.click("Call settings…").expect("the menu entry");
    });
    let w = h.app.call_settings_window().expect("the settings window");
    assert_eq!(h.app.window_kind(w), Some(&WindowKind::CallSettings));
    assert_eq!(h.app.title(w), "Call settings – Hark");
    assert_eq!(h.commands(), [Command::AudioDevices]);
    w
}

/// Opens the pick list in the container `id` of window `w` and clicks its
/// entry `index` (0 is "System default"); `text_size` and `padding_y` (top
/// and bottom) are the list's, which its entries share.
fn pick(
    h: &mut Harness,
    w: window::Id,
    id: &'static str,
    index: usize,
    (text_size, padding_y): (f32, f32),
) {
    // A tall window, so that the list always opens downwards.
    let messages: Vec<hark::ui::Message> = {
        let mut ui = iced_test::Simulator::with_size(
            iced::Settings::default(),
            (1024.0, 3000.0),
            h.app.view(w),
        );
        let bounds = ui.find(selector::id(id)).expect("the pick list").bounds();
        ui.click(selector::id(id)).expect("opens");
        // The entries hang under the list: one line of text and the
        // list's padding each.
        let height = text_size * 1.3 + padding_y;
        let y = bounds.y + bounds.height + 1.0 + height * (index as f32 + 0.5);
        let position = Point::new(bounds.x + 20.0, y);
        ui.point_at(position);
        // The list follows the pointer to know which entry is under it.
        let _ = ui.simulate([iced::Event::Mouse(iced::mouse::Event::CursorMoved {
            position,
        })]);
        let _ = ui.simulate(iced_test::simulator::click());
        ui.into_messages().collect()
    };
    for message in messages {
        h.update(message);
    }
}

/// The settings window's lists: 14 px text, padded 6 above and below.
const SETTINGS_LIST: (f32, f32) = (14.0, 12.0);
/// The call window's: 13 px text, padded 5.
const CALL_LIST: (f32, f32) = (13.0, 10.0);

fn type_into(h: &mut Harness, w: window::Id, id: &'static str, text: &str) {
    h.interact_in(w, |ui| {
        ui.click(selector::id(id))
            .unwrap_or_else(|e| panic!("no field {id}: {e}"));
        // Select what is there and type over it.
        let _ = ui.tap_key(iced::keyboard::Key::Named(iced::keyboard::key::Named::End));
        for _ in 0..40 {
            let _ = ui.tap_key(iced::keyboard::Key::Named(
                iced::keyboard::key::Named::Backspace,
            ));
        }
        let _ = ui.typewrite(text);
    });
}

fn click(h: &mut Harness, w: window::Id, label: &str) {
    h.interact_in(w, |ui| {
        ui.click(label)
            .unwrap_or_else(|e| panic!("no {label:?} to click: {e}"));
    });
}

/// The settings sent with `Save`, with their correlation id.
fn saved(h: &mut Harness) -> CallSettings {
    let Some(Envelope {
        id,
        command: Command::SetCallSettings { settings, save },
    }) = h.command()
    else {
        panic!("no SetCallSettings sent");
    };
    assert_eq!(id.as_ref().and_then(|v| v.as_str()), Some(SETTINGS_REQUEST));
    assert!(save, "saved to the config file");
    assert_eq!(h.command(), None);
    settings
}

#[test]
fn the_form_opens_filled_from_the_engine_and_lists_the_devices() {
    let (mut h, _) = harness();
    let w = open_settings(&mut h);
    h.shows_in(w, "Call settings");
    h.shows_in(w, "Looking for sound devices…");
    // Filled from the engine's settings.
    h.shows_in(w, "sip:voicemail@hark.test");
    h.shows_in(w, "sip:desk@hark.test");
    h.shows_in(w, "25");
    h.shows_in(w, "Do not disturb (your own status) comes first: while it is on, calls are not forwarded; they go to your voicemail, or the caller hears busy.");

    h.event(devices());
    h.does_not_show_in(w, "Looking for sound devices…");
    let form = h.app.call_settings_form().expect("the form");
    let setup = h.app.audio_setup();
    let i18n = hark::i18n::I18n::default();
    let labels = |slot: Slot| -> Vec<String> {
        hark::ui::devices::choices(&i18n, setup.devices.as_ref(), slot, form.device(slot))
            .into_iter()
            .map(|c| c.label)
            .collect()
    };
    // The headset is not plugged in: it stays, marked, and chosen.
    assert_eq!(
        labels(Slot::Input),
        [
            "System default",
            "Built-in Microphone",
            "Webcam Microphone",
            "usb-headset-mic (not connected)"
        ]
    );
    assert_eq!(
        form.device(Slot::Input),
        &Device::Id("usb-headset-mic".into())
    );
    assert_eq!(
        labels(Slot::Output),
        ["System default", "Built-in Speakers", "HDMI Monitor"]
    );
    assert_eq!(
        labels(Slot::Ringer),
        ["System default", "Off", "Built-in Speakers", "HDMI Monitor"]
    );
    assert_eq!(form.device(Slot::Ringer), &Device::Off);

    // Refresh asks again.
    click(&mut h, w, "Refresh");
    assert_eq!(h.commands(), [Command::AudioDevices]);

    // No sound system: said under the lists.
    h.event(Event::AudioDevices {
        inputs: vec![],
        outputs: vec![],
        error: Some("no PulseAudio server".into()),
    });
    h.shows_in(w, "No sound devices: no PulseAudio server");
}

#[test]
fn picking_devices_and_saving_sends_them_with_everything_else_kept() {
    let (mut h, _) = harness();
    let w = open_settings(&mut h);
    h.event(devices());
    // Microphone: the webcam's (entry 2); speaker: HDMI (entry 2);
    // ringer: back to the system default (entry 0).
    pick(&mut h, w, picker_id(Slot::Input), 2, SETTINGS_LIST);
    assert_eq!(
        h.app.call_settings_form().unwrap().device(Slot::Input),
        &Device::Id("alsa:usb-cam-mic".into()),
        "the click picked the webcam"
    );
    pick(&mut h, w, picker_id(Slot::Output), 2, SETTINGS_LIST);
    pick(&mut h, w, picker_id(Slot::Ringer), 0, SETTINGS_LIST);
    assert_eq!(h.commands(), [], "nothing is sent before Save");

    click(&mut h, w, "Save");
    let sent = saved(&mut h);
    let expected = CallSettings {
        input: Some("alsa:usb-cam-mic".into()),
        output: Some("alsa:hdmi-0".into()),
        ringer: None,
        ..engine_settings()
    };
    assert_eq!(sent, expected);
    h.shows_in(w, "Saving…");

    // The engine took them: the window closes, the main window shows nothing.
    h.event(Event::CallSettings {
        settings: Box::new(expected.clone()),
    });
    h.event(Event::Ok {
        id: Some(SETTINGS_REQUEST.into()),
    });
    assert_eq!(h.app.call_settings_window(), None);
    assert_eq!(h.app.window_kind(w), None);
    assert_eq!(h.app.audio_setup().settings.as_ref(), Some(&expected));
}

#[test]
fn forwarding_and_voicemail_round_trip() {
    let (mut h, _) = harness();
    let w = open_settings(&mut h);
    // Unchanged, Save gives back exactly what the engine has.
    click(&mut h, w, "Save");
    assert_eq!(saved(&mut h), engine_settings());
    h.event(Event::Ok {
        id: Some(SETTINGS_REQUEST.into()),
    });
    assert_eq!(h.app.call_settings_window(), None);

    let w = open_settings(&mut h);
    type_into(&mut h, w, ALWAYS_ID, "carol@hark.test");
    type_into(&mut h, w, BUSY_ID, "");
    type_into(&mut h, w, NO_ANSWER_ID, "100");
    type_into(&mut h, w, SECONDS_ID, "15");
    type_into(&mut h, w, VOICEMAIL_ID, "*98");
    h.shows_in(w, "carol@hark.test");
    click(&mut h, w, "Save");
    let sent = saved(&mut h);
    assert_eq!(
        sent.forwarding,
        Forwarding {
            always: Some("carol@hark.test".into()),
            busy: None,
            no_answer: Some("100".into()),
            no_answer_seconds: Some(15),
        }
    );
    assert_eq!(sent.voicemail.as_deref(), Some("*98"));
    assert_eq!(sent.codecs, engine_settings().codecs);
    assert_eq!(sent.input, engine_settings().input);

    // The engine's word comes back; a form opened again shows it.
    h.event(Event::CallSettings {
        settings: Box::new(sent.clone()),
    });
    h.event(Event::Ok {
        id: Some(SETTINGS_REQUEST.into()),
    });
    h.commands();
    h.interact(|ui| {
        ui.click("⋯").expect("the menu button");
    });
    h.interact(|ui| {
        ui.click("Call settings…").expect("the menu entry");
    });
    let w = h.app.call_settings_window().expect("open again");
    h.shows_in(w, "carol@hark.test");
    h.shows_in(w, "100");
    h.shows_in(w, "15");
    h.shows_in(w, "*98");

    // A ring time that is no number of seconds cannot be saved.
    type_into(&mut h, w, SECONDS_ID, "0");
    h.shows_in(w, "Enter a number of seconds from 1 to 600.");
    h.commands();
    click(&mut h, w, "Save");
    assert_eq!(h.commands(), []);
}

#[test]
fn the_engines_refusal_shows_under_the_form_and_nothing_typed_is_lost() {
    let (mut h, _) = harness();
    let w = open_settings(&mut h);
    type_into(&mut h, w, BUSY_ID, "sip:");
    click(&mut h, w, "Save");
    assert_eq!(saved(&mut h).forwarding.busy.as_deref(), Some("sip:"));
    h.event(Event::Error {
        id: Some(SETTINGS_REQUEST.into()),
        kind: ErrorKind::BadArgument,
        message: "forwarding.busy: \"sip:\" is not an address or number to call".into(),
    });
    assert_eq!(h.app.call_settings_window(), Some(w), "still open");
    h.shows_in(
        w,
        "The settings were not saved: forwarding.busy: \"sip:\" is not an address or number to call",
    );
    h.shows_in(w, "sip:");
    // Not in the main window as well.
    h.does_not_show(
        "Hark could not do that: forwarding.busy: \"sip:\" is not an address or number to call",
    );
    // Fixed and saved again: sent again.
    type_into(&mut h, w, BUSY_ID, "desk");
    click(&mut h, w, "Save");
    assert_eq!(saved(&mut h).forwarding.busy.as_deref(), Some("desk"));

    // Cancel closes without sending.
    click(&mut h, w, "Cancel");
    assert_eq!(h.app.call_settings_window(), None);
    assert_eq!(h.commands(), []);
}

#[test]
fn the_form_shows_a_missing_device_as_not_connected_and_keeps_it() {
    let (mut h, _) = harness();
    let w = open_settings(&mut h);
    h.event(devices());
    // The pick list draws its choice; the simulator reads no text from
    // it, so look at the picture's words through the form's list.
    let i18n = hark::i18n::I18n::default();
    let form = h.app.call_settings_form().unwrap();
    let current = form.device(Slot::Input).clone();
    let list = hark::ui::devices::choices(
        &i18n,
        h.app.audio_setup().devices.as_ref(),
        Slot::Input,
        &current,
    );
    let chosen = hark::ui::devices::chosen(&list, &current).expect("chosen");
    assert_eq!(chosen.label, "usb-headset-mic (not connected)");
    h.shows_in(
        w,
        "usb-headset-mic is not connected: calls use the system default until it is back.",
    );
    // Saving other things keeps it.
    type_into(&mut h, w, VOICEMAIL_ID, "*99");
    click(&mut h, w, "Save");
    assert_eq!(saved(&mut h).input.as_deref(), Some("usb-headset-mic"));
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn call_to_bob(phase: CallPhase) -> CallView {
    CallView {
        phase,
        ..CallView::new("c1", ALICE, BOB, CallDirection::Outgoing, now_ms())
    }
}

#[test]
fn the_call_window_shows_where_the_call_was_forwarded() {
    let (mut h, _) = harness();
    let mut bob = call_to_bob(CallPhase::Calling);
    h.event(Event::Call {
        call: Box::new(bob.clone()),
    });
    let w = h.app.call_window("c1").expect("the call window");
    h.does_not_show_in(w, "Forwarded to carol@hark.test");
    bob.phase = CallPhase::Ringing;
    bob.forwarded_to = Some(CAROL.into());
    h.event(Event::Call {
        call: Box::new(bob),
    });
    h.shows_in(w, "Bob Builder");
    h.shows_in(w, "Forwarded to carol@hark.test");
    h.shows_in(w, "Ringing…");
}

#[test]
fn the_microphone_is_switched_mid_call_and_remembered() {
    let (mut h, _) = harness();
    h.event(Event::CallSettings {
        settings: Box::new(engine_settings()),
    });
    let mut bob = call_to_bob(CallPhase::Active);
    bob.answered_ms = Some(now_ms());
    h.event(Event::Call {
        call: Box::new(bob),
    });
    let w = h.app.call_window("c1").expect("the call window");
    h.commands();
    click(&mut h, w, "Sound devices");
    assert_eq!(h.commands(), [Command::AudioDevices]);
    h.event(devices());
    // Microphone: the built-in one (entry 1).
    pick(&mut h, w, device_picker_id(Slot::Input), 1, CALL_LIST);
    let Some(Envelope {
        id,
        command: Command::SetCallSettings { settings, save },
    }) = h.command()
    else {
        panic!("no SetCallSettings sent");
    };
    assert_eq!(id.as_ref().and_then(|v| v.as_str()), Some(DEVICE_REQUEST));
    assert!(save, "remembered");
    assert_eq!(
        settings,
        CallSettings {
            input: Some("alsa:pci-0-mic".into()),
            ..engine_settings()
        }
    );
    // A refusal shows in the panel, not in the main window.
    h.event(Event::Error {
        id: Some(DEVICE_REQUEST.into()),
        kind: ErrorKind::Failed,
        message: "the microphone could not be opened".into(),
    });
    h.shows_in(w, "the microphone could not be opened");
    h.does_not_show("Hark could not do that: the microphone could not be opened");
    // Escape closes the panel.
    h.update(hark::ui::Message::EscapeIn(w));
    h.does_not_show_in(w, "the microphone could not be opened");
}
