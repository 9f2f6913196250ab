//! Shows the call windows against a pretend engine, to look at them and try
//! them without a SIP server: `cargo run --example call_preview -- [SCENARIO] [LANG]`.
//!
//! Scenarios: `incoming` (default: Bob calls in; the pop-up), `active` (a
//! call with Bob, up for a minute and a half, with its figures), `ended`
//! (a call to Maria that fails: busy), `main` (the main window with a call
//! in progress, one on hold and two missed calls), `history` (the main
//! window with voice messages waiting and missed calls from the call
//! history; the clock button beside the dial field opens the history),
//! `forwarded` (a call to Bob that he forwarded to Carol, ringing there),
//! `settings` (no call: the main window alone, to open the call settings
//! from). LANG is a language tag such as `de`; `ICED_THEME=Dark` shows the
//! dark theme.
//!
//! Call settings ("⋯" > "Call settings…", or "Sound devices" in a call
//! window): the pretend engine has a USB headset stored as the microphone
//! (not plugged in), two microphones and two speakers, forwarding when
//! busy, and refuses a forwarding target of `sip:` as the engine does.
//!
//! The pretend engine plays a softphone: `call` rings for a second and is
//! answered, `call_control` answers, declines, holds, mutes, transfers and
//! hangs up as asked, and every two seconds an active call gets its
//! figures. In `main`, Alt+T in Bob's window shows the transfer form with
//! Maria's call to connect him with. In `history`, `call_history` lists the
//! pretend calls of [`history`] and the envelope calls the voicemail pilot.

#[path = "call_preview/history.rs"]
mod history;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hark::config::{CallSettings, Forwarding};
use hark::engine::{
    AudioDevice, Availability, CallAction, CallDirection, CallPhase, CallQualityView, CallView,
    Capabilities, Command, Contact, ContactAvailability, EngineHandle, ErrorKind, Event,
    PresenceUpdate, RegistrationState,
};
use hark::i18n::I18n;
use hark::sip::subscription::SubscriptionState;
use tokio::sync::broadcast;

const ALICE: &str = "sip:alice@hark.test";
const BOB: &str = "sip:bob@hark.test";

type Calls = Arc<Mutex<HashMap<String, CallView>>>;

fn main() -> iced::Result {
    let mut args = std::env::args().skip(1);
    let scenario = args.next().unwrap_or_else(|| "incoming".into());
    let lang = args.next();
    let (engine, mut commands, events) = EngineHandle::channel();
    let calls: Calls = Arc::default();
    figures_every_two_seconds(events.clone(), calls.clone());

    thread::spawn(move || {
        let emit = |event: Event| {
            let _ = events.send(event);
        };
        let mut next = 0;
        let mut history = match scenario.as_str() {
            "history" => history::History::new(ALICE, now_ms()),
            _ => history::History::empty(),
        };
        let mut settings = match scenario.as_str() {
            "history" => CallSettings {
                voicemail: Some("sip:voicemail@hark.test".into()),
                ..CallSettings::default()
            },
            _ => call_settings(),
        };
        while let Some(envelope) = commands.blocking_recv() {
            match envelope.command {
                Command::Snapshot => {
                    emit(Event::AccountState {
                        account: ALICE.into(),
                        state: RegistrationState::Registered { expires: 600 },
                    });
                    emit(Event::OwnStatus {
                        availability: Availability::Available,
                        note: None,
                    });
                    emit(Event::Contacts {
                        account: ALICE.into(),
                        contacts: contacts(),
                    });
                    emit(Event::Presence {
                        account: ALICE.into(),
                        updates: presence(),
                    });
                    emit(Event::CallSettings {
                        settings: Box::new(settings.clone()),
                    });
                    if scenario == "history" {
                        emit(Event::Voicemail {
                            account: ALICE.into(),
                            waiting: true,
                            new: 2,
                            old: 1,
                        });
                    }
                    emit(Event::Ok { id: envelope.id });
                    thread::sleep(Duration::from_millis(300));
                    start(&scenario, &events, &calls);
                }
                Command::Call { uri, .. } => {
                    next += 1;
                    let id = format!("preview-{next}");
                    let mut view = call(&id, &address(&uri), CallDirection::Outgoing);
                    view.phase = CallPhase::Calling;
                    emit(Event::Ok { id: envelope.id });
                    update(&events, &calls, view.clone());
                    let (events, calls) = (events.clone(), calls.clone());
                    thread::spawn(move || {
                        thread::sleep(Duration::from_millis(700));
                        view.phase = CallPhase::Ringing;
                        update(&events, &calls, view.clone());
                        thread::sleep(Duration::from_millis(1500));
                        view.phase = CallPhase::Active;
                        view.answered_ms = Some(now_ms());
                        view.codec = Some("opus".into());
                        update(&events, &calls, view);
                    });
                }
                Command::CallControl { call, action } => {
                    emit(Event::Ok { id: envelope.id });
                    let Some(mut view) = calls.lock().unwrap().get(&call).cloned() else {
                        continue;
                    };
                    act(&mut view, action);
                    update(&events, &calls, view);
                }
                Command::CallHistory {
                    filter,
                    before,
                    limit,
                } => emit(history.answer(envelope.id, &filter, before, limit)),
                Command::MarkCallsSeen { .. } => {
                    history.mark_seen();
                    emit(Event::Ok { id: envelope.id });
                }
                Command::AudioDevices => emit(devices()),
                Command::SetCallSettings { settings: new, .. } => {
                    let f = &new.forwarding;
                    let bad = [
                        ("always", &f.always),
                        ("busy", &f.busy),
                        ("no_answer", &f.no_answer),
                    ]
                    .into_iter()
                    .find(|(_, t)| t.as_deref().map(str::trim) == Some("sip:"));
                    if let Some((key, _)) = bad {
                        emit(Event::Error {
                            id: envelope.id,
                            kind: ErrorKind::BadArgument,
                            message: format!(
                                "forwarding.{key}: \"sip:\" is not an address or number to call"
                            ),
                        });
                        continue;
                    }
                    settings = new;
                    emit(Event::CallSettings {
                        settings: Box::new(settings.clone()),
                    });
                    emit(Event::Ok { id: envelope.id });
                }
                Command::Quit => {
                    emit(Event::Stopped);
                    break;
                }
                _ => emit(Event::Ok { id: envelope.id }),
            }
        }
    });

    hark::ui::run(engine, I18n::new(lang.as_deref()))
}

/// What a softphone does with the action.
fn act(view: &mut CallView, action: CallAction) {
    match action {
        CallAction::Answer => {
            view.phase = CallPhase::Active;
            view.answered_ms = Some(now_ms());
            view.codec = Some("opus".into());
        }
        CallAction::Decline => end(view, "declined"),
        CallAction::Voicemail => end(view, "forwarded"),
        CallAction::Hangup => end(view, "hangup"),
        CallAction::Hold => view.on_hold = true,
        CallAction::Resume => view.on_hold = false,
        CallAction::Mute => view.muted = true,
        CallAction::Unmute => view.muted = false,
        CallAction::Dtmf { .. } => {}
        CallAction::Transfer { .. } | CallAction::AttendedTransfer { .. } => {
            end(view, "transferred")
        }
    }
}

fn end(view: &mut CallView, reason: &str) {
    view.phase = CallPhase::Ended;
    view.end_reason = Some(reason.into());
}

/// The scenario's calls, once the window is up.
fn start(scenario: &str, events: &broadcast::Sender<Event>, calls: &Calls) {
    match scenario {
        "active" => {
            let mut bob = call("preview-bob", BOB, CallDirection::Outgoing);
            bob.phase = CallPhase::Active;
            bob.codec = Some("opus".into());
            bob.answered_ms = Some(now_ms() - 83_000);
            update(events, calls, bob);
        }
        // Only the main window: open the call settings from its menu.
        "settings" => {}
        "forwarded" => {
            let mut bob = call("preview-bob", BOB, CallDirection::Outgoing);
            bob.phase = CallPhase::Ringing;
            bob.forwarded_to = Some("sip:carol@hark.test".into());
            update(events, calls, bob);
        }
        "ended" => {
            let mut maria = call(
                "preview-maria",
                "sip:maria@hark.test",
                CallDirection::Outgoing,
            );
            maria.phase = CallPhase::Ended;
            maria.end_reason = Some("busy".into());
            maria.detail = Some("486 Busy Here".into());
            update(events, calls, maria);
        }
        "main" => {
            for (id, user) in [("preview-m1", "tom"), ("preview-m2", "sofia")] {
                let mut missed = call(
                    id,
                    &format!("sip:{user}@hark.test"),
                    CallDirection::Incoming,
                );
                update(events, calls, missed.clone());
                missed.phase = CallPhase::Ended;
                missed.end_reason = Some("cancelled".into());
                update(events, calls, missed);
            }
            let mut maria = call(
                "preview-maria",
                "sip:maria@hark.test",
                CallDirection::Outgoing,
            );
            maria.phase = CallPhase::Active;
            maria.on_hold = true;
            maria.answered_ms = Some(now_ms() - 412_000);
            update(events, calls, maria);
            let mut bob = call("preview-bob", BOB, CallDirection::Outgoing);
            bob.phase = CallPhase::Active;
            bob.answered_ms = Some(now_ms() - 83_000);
            update(events, calls, bob);
        }
        // The window as it is: the history is asked for.
        "history" => {}
        _ => {
            let mut bob = call("preview-bob", BOB, CallDirection::Incoming);
            bob.peer_name = Some("Bob".into());
            update(events, calls, bob);
        }
    }
}

fn update(events: &broadcast::Sender<Event>, calls: &Calls, view: CallView) {
    calls.lock().unwrap().insert(view.id.clone(), view.clone());
    let _ = events.send(Event::Call {
        call: Box::new(view),
    });
}

/// Figures for every active call, a little worse now and then.
fn figures_every_two_seconds(events: broadcast::Sender<Event>, calls: Calls) {
    thread::spawn(move || {
        for round in 0u64.. {
            let active: Vec<String> = calls
                .lock()
                .unwrap()
                .values()
                .filter(|c| c.phase == CallPhase::Active && !c.on_hold)
                .map(|c| c.id.clone())
                .collect();
            for call in active {
                let _ = events.send(Event::CallQuality {
                    quality: CallQualityView {
                        call,
                        codec: "opus".into(),
                        loss: if round % 5 == 4 { 0.018 } else { 0.002 },
                        jitter_ms: 6.5,
                        remote_loss: Some(0.004),
                        round_trip_ms: Some(48.0),
                        packets_sent: 4_150 + round * 100,
                        packets_received: 4_139 + round * 100,
                        concealed: 7,
                    },
                });
            }
            thread::sleep(Duration::from_secs(2));
        }
    });
}

fn call(id: &str, peer: &str, direction: CallDirection) -> CallView {
    CallView {
        phase: CallPhase::Incoming,
        ..CallView::new(id, ALICE, peer, direction, now_ms())
    }
}

/// What the user typed as an address at hark.test.
fn address(uri: &str) -> String {
    let uri = uri.trim();
    if uri.starts_with("sip:") {
        uri.to_string()
    } else if uri.contains('@') {
        format!("sip:{uri}")
    } else {
        format!("sip:{}@hark.test", uri.replace(' ', ""))
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// The `[calls]` settings the pretend engine starts with.
fn call_settings() -> CallSettings {
    CallSettings {
        codecs: vec!["opus".into(), "G722".into()],
        input: Some("alsa_input.usb-Jabra_Evolve2_40".into()),
        ringer: Some("alsa_output.pci-0000_00_1f.3.analog-stereo".into()),
        voicemail: Some("*98".into()),
        forwarding: Forwarding {
            busy: Some("maria@hark.test".into()),
            no_answer: Some("*98".into()),
            ..Forwarding::default()
        },
        ..CallSettings::default()
    }
}

fn devices() -> Event {
    let d = |id: &str, name: &str, is_default| AudioDevice {
        id: id.into(),
        name: name.into(),
        is_default,
    };
    Event::AudioDevices {
        inputs: vec![
            d(
                "alsa_input.pci-0000_00_1f.3.analog-stereo",
                "Built-in Microphone",
                true,
            ),
            d("alsa_input.usb-Logitech_C920", "HD Pro Webcam C920", false),
        ],
        outputs: vec![
            d(
                "alsa_output.pci-0000_00_1f.3.analog-stereo",
                "Built-in Speakers",
                true,
            ),
            d("alsa_output.hdmi-stereo", "DELL U2720Q (HDMI)", false),
        ],
        error: None,
    }
}

fn contacts() -> Vec<Contact> {
    let c = |user: &str, name: &str, group: &str| Contact {
        uri: format!("sip:{user}@hark.test"),
        name: Some(name.into()),
        group: Some(group.into()),
    };
    vec![
        c("bob", "Bob Builder", "Product team"),
        c("maria", "Maria Schneider", "Product team"),
        c("tom", "Tom Becker", "Product team"),
        c("sofia", "Sofía Álvarez", "Support"),
        c("priya", "Priya Natarajan", "Support"),
    ]
}

fn presence() -> Vec<PresenceUpdate> {
    use ContactAvailability::*;
    let p = |user: &str, availability, note: Option<&str>| PresenceUpdate {
        contact: format!("sip:{user}@hark.test"),
        availability,
        note: note.map(Into::into),
        activities: vec![],
        capabilities: Capabilities {
            voice: true,
            video: false,
            im: true,
            email: true,
        },
        subscription: SubscriptionState::Active,
        line: None,
    };
    vec![
        p("bob", OnThePhone, None),
        p("maria", OnThePhone, None),
        p("tom", Busy, Some("Packaging 2.4")),
        p("sofia", Available, None),
        p("priya", Away, None),
    ]
}
