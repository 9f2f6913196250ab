//! Chat windows beyond one conversation: messages that arrive with no
//! window (unread badge, notification, or the window opens), several
//! windows at once, search in a chat and across all chats, group-chat
//! rooms (create, members, invite, leave) and invitations to them.

mod support;

use hark::engine::{ChatState, Command, Envelope, Event, RoomAction, SearchHit};
use hark::ui::screen::chat_search::QUERY_ID;
use hark::ui::screen::chat_tools::ROOM_NAME_ID;
use hark::ui::screen::chat_window::{INVITE_ID, SEARCH_ID};
use hark::ui::screen::unread_badge_id;
use hark::ui::{ChatSettings, Message, WindowKind};
use iced::keyboard::key::Named;
use iced_test::selector;
use support::window::chat::*;
use support::window::Window as Harness;

#[test]
fn a_message_with_no_window_shows_a_badge_and_a_notification() {
    let (mut h, recorded) = harness();
    let badge = unread_badge_id(BOB);
    let has_badge = |h: &mut Harness| {
        let id = h.app.main_window();
        let mut ui = iced_test::simulator(h.app.view(id));
        ui.find(selector::id(badge.clone())).is_ok()
    };
    assert!(!has_badge(&mut h));
    message(&mut h, incoming(1, T0, "<i>ping</i>"));
    assert!(has_badge(&mut h), "no unread badge on Bob");
    h.shows("1");
    message(&mut h, incoming(2, T0 + 1, "again"));
    h.shows("2");
    assert_eq!(h.app.chats().total_unread(), 2);
    assert_eq!(h.app.title(h.app.main_window()), "Hark (2)");
    assert_eq!(h.app.chat_window(ALICE, BOB), None, "no window by default");
    {
        let r = recorded.lock().unwrap();
        assert_eq!(r.notifications.len(), 2);
        assert_eq!(r.notifications[0].summary, "Bob Builder");
        assert_eq!(r.notifications[0].body, "<i>ping</i>");
        assert_eq!(r.notifications[0].peer, BOB);
    }
    // Our own messages and repeats count for nothing.
    message(&mut h, outgoing(3, T0 + 2, "pong", ChatState::Sent));
    message(&mut h, incoming(2, T0 + 1, "again"));
    assert_eq!(h.app.chats().total_unread(), 2);

    // Opening the chat reads them.
    h.interact(|ui| {
        ui.click("Bob Builder").unwrap();
        ui.click("Bob Builder").unwrap();
    });
    assert!(h.commands().contains(&Command::MarkRead {
        account: ALICE.into(),
        peer: BOB.into()
    }));
    assert!(!has_badge(&mut h), "the badge stays after reading");

    // While the window is in front, a new message is read at once.
    message(&mut h, incoming(4, T0 + 3, "seen"));
    assert_eq!(
        h.commands(),
        [Command::MarkRead {
            account: ALICE.into(),
            peer: BOB.into()
        }]
    );
    // Behind other windows it counts, until the window gets the focus.
    let id = h.app.chat_window(ALICE, BOB).unwrap();
    h.update(Message::Focus(id, false));
    message(&mut h, incoming(5, T0 + 4, "unseen"));
    assert_eq!(h.commands(), []);
    assert!(has_badge(&mut h));
    h.update(Message::Focus(id, true));
    assert_eq!(
        h.commands(),
        [Command::MarkRead {
            account: ALICE.into(),
            peer: BOB.into()
        }]
    );
    assert!(!has_badge(&mut h));
    assert_eq!(recorded.lock().unwrap().notifications.len(), 2);
}

#[test]
fn the_setting_opens_the_window_instead() {
    let (mut h, recorded) = harness();
    h.app.set_chat_settings(ChatSettings {
        open_on_message: true,
        notify: true,
    });
    message(&mut h, incoming(1, T0, "knock knock"));
    let id = h.app.chat_window(ALICE, BOB).expect("the window opened");
    h.shows_in(id, "knock knock");
    assert!(recorded.lock().unwrap().notifications.is_empty());
    assert_eq!(h.app.chats().total_unread(), 0);
}

#[test]
fn several_chats_have_several_windows() {
    let (mut h, _) = harness();
    let bob = open_bob(&mut h);
    h.event(Event::OpenChat {
        account: ALICE.into(),
        peer: CAROL.into(),
    });
    let carol = h.app.chat_window(ALICE, CAROL).expect("Carol's window");
    assert_ne!(bob, carol);
    let mut to_carol = incoming(9, T0, "for Carol's window");
    to_carol.peer = CAROL.into();
    to_carol.sender = CAROL.into();
    message(&mut h, to_carol);
    h.shows_in(carol, "for Carol's window");
    h.does_not_show_in(bob, "for Carol's window");
    h.shows_in(carol, "Carol Chen");
}

#[test]
fn searching_one_chat_and_all_chats() {
    let (mut h, _) = harness();
    let id = open_bob(&mut h);
    h.does_not_show_in(id, "Search this chat");
    h.interact_in(id, |ui| {
        ui.click("Search").expect("search button");
    });
    h.interact_in(id, |ui| {
        ui.click(selector::id(SEARCH_ID)).unwrap();
        let _ = ui.typewrite("lunch");
        let _ = ui.tap_key(Named::Enter);
    });
    let Some(Envelope {
        id: Some(request),
        command:
            Command::SearchMessages {
                account,
                peer,
                query,
                ..
            },
    }) = h.command()
    else {
        panic!("expected a search");
    };
    assert_eq!(
        (account.as_str(), peer.as_deref(), query.as_str()),
        (ALICE, Some(BOB), "lunch")
    );
    h.shows_in(id, "Searching…");
    let hit = SearchHit {
        message: incoming(3, T0, "Lunch at noon?"),
        snippet: "\u{2}Lunch\u{3} at noon?".into(),
    };
    h.event(Event::SearchResults {
        id: Some(request),
        account: ALICE.into(),
        query: "lunch".into(),
        hits: vec![hit.clone()],
    });
    h.shows_in(id, "1 message contains “lunch”");
    h.interact_in(id, |ui| {
        ui.click("Back to the chat").unwrap();
    });
    h.does_not_show_in(id, "1 message contains “lunch”");

    // Across all chats, from the main window's menu.
    h.interact(|ui| {
        ui.click("⋯").expect("menu button");
    });
    h.interact(|ui| {
        ui.click("Search messages…").expect("menu entry");
    });
    let search = h.app.search_window().expect("the search window opened");
    h.interact_in(search, |ui| {
        ui.click(selector::id(QUERY_ID)).unwrap();
        let _ = ui.typewrite("noon");
        let _ = ui.tap_key(Named::Enter);
    });
    let Some(Envelope {
        id: Some(request),
        command: Command::SearchMessages { peer: None, .. },
    }) = h.command()
    else {
        panic!("expected a search of every chat");
    };
    h.event(Event::SearchResults {
        id: Some(request),
        account: ALICE.into(),
        query: "noon".into(),
        hits: vec![hit],
    });
    h.shows_in(search, "1 message contains “noon”");
    h.update(Message::WindowClosed(id));
    assert_eq!(h.app.chat_window(ALICE, BOB), None);
    h.interact_in(search, |ui| {
        ui.click("Bob Builder").expect("the hit names the chat");
    });
    assert!(
        h.app.chat_window(ALICE, BOB).is_some(),
        "a hit opens its chat"
    );
}

#[test]
fn a_new_room_window_invites_and_leaves() {
    let (mut h, _) = harness();
    h.interact(|ui| {
        ui.click("⋯").expect("menu button");
    });
    h.interact(|ui| {
        ui.click("New group chat…").expect("menu entry");
    });
    h.interact(|ui| {
        ui.click(selector::id(ROOM_NAME_ID)).unwrap();
        let _ = ui.typewrite("team");
        let _ = ui.tap_key(Named::Enter);
    });
    let sent = h.commands();
    assert_eq!(
        sent[0],
        Command::Room {
            account: ALICE.into(),
            room: ROOM.into(),
            action: RoomAction::Create
        }
    );
    let id = h.app.chat_window(ALICE, ROOM).expect("the room's window");
    assert_eq!(
        h.app.window_kind(id),
        Some(&WindowKind::Room {
            account: ALICE.into(),
            room: ROOM.into()
        })
    );
    h.event(Event::RoomMembers {
        account: ALICE.into(),
        room: ROOM.into(),
        members: vec![ALICE.into(), BOB.into()],
    });
    h.shows_in(id, "Members (2)");
    h.shows_in(id, "Bob Builder");
    h.shows_in(id, "team@conference.hark.test · 2 members");
    h.shows_in(id, "You");

    h.interact_in(id, |ui| {
        ui.click(selector::id(INVITE_ID)).unwrap();
        let _ = ui.typewrite("carol@hark.test");
    });
    h.interact_in(id, |ui| {
        ui.click("Invite").expect("Invite button");
    });
    assert_eq!(
        h.commands(),
        [Command::Room {
            account: ALICE.into(),
            room: ROOM.into(),
            action: RoomAction::Invite { uri: CAROL.into() }
        }]
    );

    // A member's message shows under their name.
    let mut from_carol = incoming(1, T0, "hello team");
    from_carol.peer = ROOM.into();
    from_carol.sender = CAROL.into();
    message(&mut h, from_carol);
    h.shows_in(id, "hello team");
    h.shows_in(id, "Carol Chen");

    h.interact_in(id, |ui| {
        ui.click("Leave the room").unwrap();
    });
    assert_eq!(
        h.commands(),
        [Command::Room {
            account: ALICE.into(),
            room: ROOM.into(),
            action: RoomAction::Leave
        }]
    );
}

#[test]
fn an_invitation_asks_and_join_opens_the_room() {
    let (mut h, recorded) = harness();
    h.event(Event::RoomInvitation {
        account: ALICE.into(),
        room: ROOM.into(),
        by: Some(BOB.into()),
    });
    h.shows("Bob Builder invites you to the group chat team@conference.hark.test.");
    {
        let r = recorded.lock().unwrap();
        assert_eq!(r.notifications.len(), 1);
        assert_eq!(r.notifications[0].summary, "Invitation to a group chat");
        assert_eq!(
            r.notifications[0].body,
            "Bob Builder invites you to the group chat team@conference.hark.test."
        );
    }
    h.interact(|ui| {
        ui.click("Join").unwrap();
    });
    assert_eq!(
        h.commands()[0],
        Command::Room {
            account: ALICE.into(),
            room: ROOM.into(),
            action: RoomAction::Join
        }
    );
    assert!(h.app.chat_window(ALICE, ROOM).is_some());
    h.does_not_show("Bob Builder invites you to the group chat team@conference.hark.test.");
}
