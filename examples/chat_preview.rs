//! Shows the chat windows against a pretend engine, to look at them without
//! a SIP server: `cargo run --example chat_preview -- [SCENARIO] [LANG]`.
//!
//! Scenarios: `chat` (default: a conversation with Bob, grouped messages,
//! a link, delivered and read marks, a failed message with Retry, Bob
//! typing), `room` (a group-chat room with members), `unread` (messages
//! arrive with no window: badges on the contact list). LANG is a language
//! tag such as `de`.
//!
//! The pretend engine answers a snapshot with Alice registered and a few
//! contacts, history requests with the scenario's messages, sends and
//! retries by "delivering" the message a moment later, and `quit`.

use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hark::engine::{
    Availability, Capabilities, ChatMessage, ChatState, Command, Contact, ContactAvailability,
    EngineHandle, Event, PresenceUpdate, RegistrationState,
};
use hark::i18n::I18n;
use hark::sip::subscription::SubscriptionState;

const ALICE: &str = "sip:alice@hark.test";
const BOB: &str = "sip:bob@hark.test";
const ROOM: &str = "sip:release@conference.hark.test";
const MIN: i64 = 60_000;

fn main() -> iced::Result {
    let mut args = std::env::args().skip(1);
    let scenario = args.next().unwrap_or_else(|| "chat".into());
    let lang = args.next();
    let (engine, mut commands, events) = EngineHandle::channel();

    thread::spawn(move || {
        let emit = |event: Event| {
            let _ = events.send(event);
        };
        let now = now_ms();
        let mut next_id = 100;
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
                    emit(Event::Ok { id: envelope.id });
                    match scenario.as_str() {
                        "room" => {
                            emit(Event::RoomMembers {
                                account: ALICE.into(),
                                room: ROOM.into(),
                                members: ["alice", "bob", "maria", "tom", "priya"]
                                    .iter()
                                    .map(|u| format!("sip:{u}@hark.test"))
                                    .collect(),
                            });
                            emit(Event::OpenChat {
                                account: ALICE.into(),
                                peer: ROOM.into(),
                            });
                        }
                        "unread" => {
                            thread::sleep(Duration::from_millis(500));
                            for (n, (user, body)) in [
                                ("bob", "Are you joining the stand-up?"),
                                ("maria", "Slides are in the shared folder"),
                                ("bob", "Starting now"),
                            ]
                            .into_iter()
                            .enumerate()
                            {
                                let peer = format!("sip:{user}@hark.test");
                                let mut m = incoming(n as i64 + 1, now, body);
                                m.peer = peer.clone();
                                m.sender = peer;
                                emit(message(m));
                            }
                        }
                        _ => emit(Event::OpenChat {
                            account: ALICE.into(),
                            peer: BOB.into(),
                        }),
                    }
                }
                Command::History {
                    account,
                    peer,
                    before,
                    ..
                } => {
                    let messages = match before {
                        Some(_) => vec![],
                        None if peer == BOB => conversation(now),
                        None if peer == ROOM => room(now),
                        None => vec![],
                    };
                    emit(Event::History {
                        id: envelope.id,
                        account,
                        peer: peer.clone(),
                        messages,
                        more: before.is_none() && peer == BOB,
                    });
                    if peer == BOB && scenario == "chat" {
                        emit(Event::Typing {
                            account: ALICE.into(),
                            peer: BOB.into(),
                            typing: true,
                        });
                    }
                }
                Command::SendMessage {
                    account, to, body, ..
                } => {
                    next_id += 1;
                    let mut m = outgoing(next_id, now_ms(), &body, ChatState::Sending);
                    m.peer = to;
                    emit(Event::Message {
                        account: account.clone(),
                        message: Box::new(m.clone()),
                    });
                    thread::sleep(Duration::from_millis(400));
                    m.state = ChatState::Delivered;
                    emit(Event::Message {
                        account,
                        message: Box::new(m),
                    });
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

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

fn message(m: ChatMessage) -> Event {
    Event::Message {
        account: ALICE.into(),
        message: Box::new(m),
    }
}

fn incoming(id: i64, at: i64, body: &str) -> ChatMessage {
    ChatMessage {
        id,
        peer: BOB.into(),
        outgoing: false,
        sender: BOB.into(),
        body: body.into(),
        sent_at: at,
        received_at: Some(at),
        state: ChatState::Received,
        failure: None,
        message_id: None,
    }
}

fn outgoing(id: i64, at: i64, body: &str, state: ChatState) -> ChatMessage {
    ChatMessage {
        id,
        peer: BOB.into(),
        outgoing: true,
        sender: ALICE.into(),
        body: body.into(),
        sent_at: at,
        received_at: None,
        state,
        failure: None,
        message_id: None,
    }
}

/// Yesterday's short exchange, then this morning's.
fn conversation(now: i64) -> Vec<ChatMessage> {
    let day = 24 * 60 * MIN;
    let mut failed = outgoing(
        9,
        now - 2 * MIN,
        "I'll bring the printed agenda 📄",
        ChatState::Failed,
    );
    failed.failure = Some("480 Temporarily Unavailable".into());
    vec![
        outgoing(
            1,
            now - day - 20 * MIN,
            "Thanks for the review today!",
            ChatState::Displayed,
        ),
        incoming(2, now - day - 18 * MIN, "Any time 🙂"),
        incoming(
            3,
            now - 42 * MIN,
            "Morning! Are we still on for the release demo?",
        ),
        incoming(
            4,
            now - 41 * MIN,
            "The notes are at https://wiki.hark.test/release/2.4 if you want a look first.",
        ),
        outgoing(
            5,
            now - 35 * MIN,
            "Yes, 11:00 in the big room.",
            ChatState::Displayed,
        ),
        outgoing(
            6,
            now - 34 * MIN,
            "I read the notes, looks good.\nOne question about the rollout, later.",
            ChatState::Displayed,
        ),
        incoming(
            7,
            now - 12 * MIN,
            "Great. Carol joins too: sip:carol@hark.test",
        ),
        outgoing(
            8,
            now - 10 * MIN,
            "Perfect, see you there",
            ChatState::Delivered,
        ),
        failed,
    ]
}

fn room(now: i64) -> Vec<ChatMessage> {
    let from = |id, user: &str, at, body: &str| ChatMessage {
        peer: ROOM.into(),
        sender: format!("sip:{user}@hark.test"),
        ..incoming(id, at, body)
    };
    let mut mine = outgoing(
        4,
        now - 5 * MIN,
        "On my way with the slides",
        ChatState::Sent,
    );
    mine.peer = ROOM.into();
    vec![
        from(1, "maria", now - 20 * MIN, "Release 2.4 is tagged 🎉"),
        from(2, "tom", now - 18 * MIN, "Packages build, uploading now"),
        from(
            3,
            "tom",
            now - 17 * MIN,
            "Changelog: https://hark.test/changes/2.4",
        ),
        mine,
        from(5, "priya", now - 2 * MIN, "Support is briefed."),
    ]
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
        c("priya", "Priya Natarajan", "Support"),
        c("carol", "Carol Chen", "Support"),
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
            video: true,
            im: true,
            email: true,
        },
        subscription: SubscriptionState::Active,
        line: None,
    };
    vec![
        p("bob", Available, Some("Preparing the release demo")),
        p("maria", Available, None),
        p("tom", Busy, Some("Packaging 2.4")),
        p("priya", Away, None),
        p("carol", InAMeeting, None),
    ]
}
