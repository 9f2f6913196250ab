//! Shows the window against a pretend engine, to look at the UI without a SIP
//! server: `cargo run --example ui_preview -- [SCENARIO] [LANG]`.
//!
//! Scenarios: `registered` (default), `form` (first run: no account),
//! `failed` (wrong password), `retrying` (server not answering), `all`
//! (several accounts in different states and a warning). LANG is a language
//! tag such as `de` (default: `HARK_LANG`, then the system's).
//!
//! The pretend engine answers like the real one: a snapshot lists the
//! scenario's accounts, `set_account` and `register` connect within a second,
//! `quit` unregisters and stops.

use std::thread;
use std::time::Duration;

use hark::engine::{Command, EngineHandle, Event, FailureKind, FailureReason, RegistrationState};
use hark::i18n::I18n;

fn main() -> iced::Result {
    let mut args = std::env::args().skip(1);
    let scenario = args.next().unwrap_or_else(|| "registered".into());
    let lang = args.next();

    let (engine, mut commands, events) = EngineHandle::channel();
    let accounts = accounts(&scenario);

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
