//! Shows the window against a pretend engine, to look at the UI without a SIP
//! server: `cargo run --example ui_preview -- [SCENARIO] [LANG]`.
//!
//! Scenarios: `registered` (default), `form` (first run: no account),
//! `failed` (wrong password), `retrying` (server not answering), `all`
//! (several accounts in different states and a warning), `contacts` (two
//! groups of colleagues in every presence state), `many` (5,000 contacts
//! whose presence changes every second). LANG is a language tag such as
//! `de` (default: `HARK_LANG`, then the system's).
//!
//! The pretend engine answers like the real one: a snapshot lists the
//! scenario's accounts, `set_account` and `register` connect within a second,
//! `quit` unregisters and stops.

use std::thread;
use std::time::Duration;

use hark::engine::{
    Availability, Capabilities, Command, Contact, ContactAvailability, EngineHandle, Event,
    FailureKind, FailureReason, PresenceUpdate, RegistrationState,
};
use hark::i18n::I18n;
use hark::sip::subscription::SubscriptionState;

fn main() -> iced::Result {
    let mut args = std::env::args().skip(1);
    let scenario = args.next().unwrap_or_else(|| "registered".into());
    let lang = args.next();

    let (engine, mut commands, events) = EngineHandle::channel();
    let accounts = accounts(&scenario);
    let mut contacts = contacts(&scenario);
    let presence = presence(&scenario);
    let alice = "sip:alice@hark.test".to_string();
    if scenario == "many" {
        let events = events.clone();
        let alice = alice.clone();
        thread::spawn(move || {
            for round in 1u64.. {
                thread::sleep(Duration::from_secs(1));
                let updates = many_presence(round);
                let _ = events.send(Event::Presence {
                    account: alice.clone(),
                    updates,
                });
            }
        });
    }

    thread::spawn(move || {
        let emit = |event: Event| {
            let _ = events.send(event);
        };
        let state = |account: &str, state: RegistrationState| {
            let _ = events.send(Event::AccountState {
                account: account.into(),
                state,
            });
        };
        while let Some(envelope) = commands.blocking_recv() {
            match envelope.command {
                Command::Snapshot => {
                    for (account, s) in &accounts {
                        state(account, s.clone());
                    }
                    if !contacts.is_empty() {
                        emit(Event::OwnStatus {
                            availability: Availability::Available,
                            note: Some("Working from the Berlin office".into()),
                        });
                        emit(Event::Contacts {
                            account: alice.clone(),
                            contacts: contacts.clone(),
                        });
                        emit(Event::Presence {
                            account: alice.clone(),
                            updates: presence.clone(),
                        });
                    }
                    if scenario == "all" {
                        emit(Event::Warning {
                            message: "The password of sip:carol@example.org is kept in the \
                                      config file because no keyring is available."
                                .into(),
                        });
                    }
                    emit(Event::Ok { id: envelope.id });
                }
                Command::SetAccount { account, .. } => {
                    state(&account.address, RegistrationState::Registering);
                    thread::sleep(Duration::from_millis(800));
                    state(
                        &account.address,
                        RegistrationState::Registered { expires: 600 },
                    );
                }
                Command::Register { account } => {
                    state(&account, RegistrationState::Registering);
                    thread::sleep(Duration::from_millis(800));
                    state(&account, RegistrationState::Registered { expires: 600 });
                }
                Command::Quit => {
                    for (account, _) in &accounts {
                        state(account, RegistrationState::Unregistered);
                    }
                    emit(Event::Stopped);
                    break;
                }
                Command::SetStatus { availability, note } => {
                    emit(Event::OwnStatus { availability, note });
                    emit(Event::Ok { id: envelope.id });
                }
                Command::AddContact { account, contact } => {
                    if !contact.uri.contains('@') {
                        emit(Event::Error {
                            id: envelope.id,
                            kind: hark::engine::ErrorKind::BadArgument,
                            message: format!("{:?} is not a SIP address", contact.uri),
                        });
                        continue;
                    }
                    let mut contact = contact;
                    if !contact.uri.starts_with("sip:") {
                        contact.uri = format!("sip:{}", contact.uri);
                    }
                    contacts.retain(|c| c.uri != contact.uri);
                    contacts.push(contact);
                    emit(Event::Contacts {
                        account,
                        contacts: contacts.clone(),
                    });
                    emit(Event::Ok { id: envelope.id });
                }
                Command::RemoveContact { account, uri } => {
                    contacts.retain(|c| c.uri != uri);
                    emit(Event::Contacts {
                        account,
                        contacts: contacts.clone(),
                    });
                    emit(Event::Ok { id: envelope.id });
                }
                _ => emit(Event::Ok { id: envelope.id }),
            }
        }
    });

    hark::ui::run(engine, I18n::new(lang.as_deref()))
}

fn accounts(scenario: &str) -> Vec<(String, RegistrationState)> {
    let reason = |kind, detail: &str| FailureReason {
        kind,
        detail: detail.into(),
    };
    let alice = "sip:alice@hark.test".to_string();
    match scenario {
        "form" => vec![],
        "failed" => vec![(
            alice,
            RegistrationState::Failed {
                reason: reason(FailureKind::WrongPassword, "401 Unauthorized"),
            },
        )],
        "retrying" => vec![(
            alice,
            RegistrationState::Retrying {
                reason: reason(FailureKind::Timeout, ""),
                retry_in_ms: 8000,
            },
        )],
        "all" => vec![
            (alice, RegistrationState::Registered { expires: 600 }),
            (
                "sip:bob.with.a.rather.long.name@branch-office.example.com".into(),
                RegistrationState::Retrying {
                    reason: reason(
                        FailureKind::ConnectionRefused,
                        "connection refused (os error 111)",
                    ),
                    retry_in_ms: 30_000,
                },
            ),
            (
                "sip:carol@example.org".into(),
                RegistrationState::Failed {
                    reason: reason(FailureKind::ServerError, "503 Service Unavailable"),
                },
            ),
            (
                "sip:dave@example.net".into(),
                RegistrationState::Registering,
            ),
        ],
        _ => vec![(alice, RegistrationState::Registered { expires: 600 })],
    }
}

fn contacts(scenario: &str) -> Vec<Contact> {
    let c = |user: &str, name: Option<&str>, group: Option<&str>| Contact {
        uri: format!("sip:{user}@hark.test"),
        name: name.map(Into::into),
        group: group.map(Into::into),
    };
    match scenario {
        "contacts" => vec![
            c("maria", Some("Maria Schneider"), Some("Product team")),
            c("tom", Some("Tom Becker"), Some("Product team")),
            c("sofia", Some("Sofía Álvarez"), Some("Product team")),
            c("jonas", Some("Jonas Weber"), Some("Product team")),
            c("lena", Some("Lena Fischer"), Some("Product team")),
            c("ahmed", Some("Ahmed Karimi"), Some("Support")),
            c("priya", Some("Priya Natarajan"), Some("Support")),
            c("oliver", Some("Oliver Braun"), Some("Support")),
            c("chen", Some("Chen Wei"), Some("Support")),
            c("reception", None, Some("Support")),
            c("nina", Some("Nina Hoffmann"), Some("Support")),
        ],
        "many" => (0..5000)
            .map(|i| Contact {
                uri: format!("sip:user{i}@hark.test"),
                name: Some(format!("Colleague {i:04}")),
                group: Some(format!("Department {}", i % 12)),
            })
            .collect(),
        _ => vec![],
    }
}

fn presence(scenario: &str) -> Vec<PresenceUpdate> {
    use ContactAvailability::*;
    let all = Capabilities {
        voice: true,
        video: true,
        im: true,
        email: true,
    };
    let p = |user: &str, availability, note: Option<&str>, subscription| PresenceUpdate {
        contact: format!("sip:{user}@hark.test"),
        availability,
        note: note.map(Into::into),
        activities: vec![],
        capabilities: if matches!(availability, Offline | Unknown) {
            Capabilities {
                email: true,
                ..Capabilities::default()
            }
        } else {
            all
        },
        subscription,
        line: None,
    };
    let active = || SubscriptionState::Active;
    match scenario {
        "contacts" => vec![
            p("maria", Available, None, active()),
            p("tom", Busy, Some("Release review until 16:00"), active()),
            p("sofia", OnThePhone, None, active()),
            p("jonas", Away, Some("Lunch, back at 13:30"), active()),
            p("lena", Offline, None, active()),
            p("ahmed", InAMeeting, Some("Customer workshop"), active()),
            p("priya", DoNotDisturb, Some("Focus time"), active()),
            p("oliver", Unknown, None, SubscriptionState::Pending),
            p(
                "chen",
                Unknown,
                None,
                SubscriptionState::Refused {
                    reason: "rejected".into(),
                },
            ),
            p(
                "reception",
                Forwarded,
                Some("Calls go to the front desk"),
                active(),
            ),
            p(
                "nina",
                Available,
                Some("Happy to help with onboarding"),
                active(),
            ),
        ],
        "many" => many_presence(0),
        _ => vec![],
    }
}

/// Every contact of the `many` scenario, a different mix each round.
fn many_presence(round: u64) -> Vec<PresenceUpdate> {
    use ContactAvailability::*;
    let states = [Available, Away, Busy, OnThePhone, InAMeeting, Offline];
    (0..5000u64)
        .map(|i| PresenceUpdate {
            contact: format!("sip:user{i}@hark.test"),
            availability: states[((i * 7 + round * 3) % states.len() as u64) as usize],
            note: (i % 5 == 0).then(|| format!("Note {round}")),
            activities: vec![],
            capabilities: Capabilities {
                voice: true,
                video: i % 2 == 0,
                im: true,
                email: true,
            },
            subscription: SubscriptionState::Active,
            line: None,
        })
        .collect()
}
