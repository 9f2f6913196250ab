use chrono::{FixedOffset, NaiveDate, Weekday};

use super::*;
use crate::engine::{ChatMessage, ChatState};

const ALICE: &str = "sip:alice@hark.test";
const BOB: &str = "sip:bob@hark.test";
/// 2026-11-23 10:00:00 UTC.
const T0: i64 = 1_795_428_000_000;
const MIN: i64 = 60_000;

fn msg(id: i64, outgoing: bool, at: i64, body: &str) -> ChatMessage {
    ChatMessage {
        id,
        peer: BOB.into(),
        outgoing,
        sender: if outgoing { ALICE } else { BOB }.into(),
        body: body.into(),
        sent_at: at,
        received_at: None,
        state: if outgoing {
            ChatState::Sent
        } else {
            ChatState::Received
        },
        failure: None,
        message_id: None,
    }
}

fn bodies(chat: &Conversation) -> Vec<&str> {
    chat.messages().iter().map(|m| m.body.as_str()).collect()
}

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap()
}

#[test]
fn messages_stay_in_time_order_and_ids_break_ties() {
    let mut chat = Conversation::default();
    chat.upsert(msg(3, false, T0 + 2 * MIN, "c"));
    chat.upsert(msg(1, true, T0, "a"));
    chat.upsert(msg(4, true, T0 + 2 * MIN, "d"));
    chat.upsert(msg(2, false, T0 + MIN, "b"));
    assert_eq!(bodies(&chat), ["a", "b", "c", "d"]);
    assert_eq!(chat.oldest_id(), Some(1));
}

#[test]
fn a_state_change_replaces_the_message_and_repeats_are_ignored() {
    let mut chat = Conversation::default();
    let mut m = msg(7, true, T0, "hello");
    m.state = ChatState::Sending;
    assert_eq!(chat.upsert(m.clone()), Upsert::New);
    assert_eq!(chat.upsert(m.clone()), Upsert::Same);
    m.state = ChatState::Delivered;
    assert_eq!(chat.upsert(m.clone()), Upsert::Changed);
    assert_eq!(chat.messages().len(), 1);
    assert_eq!(chat.messages()[0].state, ChatState::Delivered);

    // A late "sent" does not undo "delivered"; "failed" always shows.
    m.state = ChatState::Sent;
    chat.upsert(m.clone());
    assert_eq!(chat.message(7).unwrap().state, ChatState::Delivered);
    m.state = ChatState::Failed;
    m.failure = Some("480 Temporarily Unavailable".into());
    chat.upsert(m.clone());
    assert_eq!(chat.message(7).unwrap().state, ChatState::Failed);
    // And a retry moves it back to sending.
    m.state = ChatState::Sending;
    m.failure = None;
    chat.upsert(m);
    assert_eq!(chat.message(7).unwrap().state, ChatState::Sending);
}

#[test]
fn the_same_protocol_message_under_another_id_is_one_message() {
    let mut chat = Conversation::default();
    let mut a = msg(1, false, T0, "hi");
    a.message_id = Some("abc".into());
    let mut b = msg(2, false, T0, "hi");
    b.message_id = Some("abc".into());
    chat.upsert(a);
    assert_eq!(chat.upsert(b), Upsert::Changed);
    assert_eq!(chat.messages().len(), 1);
    // Without a message id, two equal texts are two messages.
    chat.upsert(msg(3, false, T0 + 1, "hi"));
    chat.upsert(msg(4, false, T0 + 2, "hi"));
    assert_eq!(chat.messages().len(), 3);
}

#[test]
fn history_merges_and_more_speaks_of_what_lies_before() {
    let mut chat = Conversation::default();
    // A message arrived before the history answer.
    chat.upsert(msg(10, false, T0 + 10 * MIN, "new"));
    chat.loading_history = true;
    let page = vec![
        msg(8, false, T0 + 8 * MIN, "eight"),
        msg(9, true, T0 + 9 * MIN, "nine"),
        msg(10, false, T0 + 10 * MIN, "new"),
    ];
    assert_eq!(chat.apply_history(page, true), 2);
    assert!(!chat.loading_history);
    assert!(chat.more_history);
    assert_eq!(bodies(&chat), ["eight", "nine", "new"]);

    // The older page: nothing before it.
    let older = vec![
        msg(6, true, T0 + 6 * MIN, "six"),
        msg(7, false, T0 + 7 * MIN, "seven"),
    ];
    assert_eq!(chat.apply_history(older, false), 2);
    assert!(!chat.more_history);
    assert_eq!(bodies(&chat), ["six", "seven", "eight", "nine", "new"]);

    // A late answer to the first request does not bring "more" back.
    chat.apply_history(vec![msg(9, true, T0 + 9 * MIN, "nine")], true);
    assert!(!chat.more_history);
    // An empty answer is final.
    chat.more_history = true;
    chat.apply_history(vec![], false);
    assert!(!chat.more_history);
}

#[test]
fn runs_group_one_sender_within_five_minutes_and_days_separate() {
    let mut chat = Conversation::default();
    chat.upsert(msg(1, false, T0, "a"));
    chat.upsert(msg(2, false, T0 + MIN, "b"));
    chat.upsert(msg(3, false, T0 + 6 * MIN, "c")); // 5 min after b: same run
    chat.upsert(msg(4, true, T0 + 7 * MIN, "d"));
    chat.upsert(msg(5, true, T0 + 7 * MIN + 1, "e"));
    chat.upsert(msg(6, false, T0 + 30 * MIN, "f")); // long pause: new run
    chat.upsert(msg(7, false, T0 + 24 * 60 * MIN, "g")); // next day
    let items = chat.items(&utc());
    let shape: Vec<String> = items
        .iter()
        .map(|i| match i {
            Item::Day(d) => d.to_string(),
            Item::Run(r) => r
                .messages
                .iter()
                .map(|m| m.body.as_str())
                .collect::<Vec<_>>()
                .join(""),
        })
        .collect();
    assert_eq!(
        shape,
        ["2026-11-23", "abc", "de", "f", "2026-11-24", "g"],
        "{items:#?}"
    );
    let Item::Run(run) = &items[2] else { panic!() };
    assert!(run.outgoing);
    assert_eq!(run.sender, ALICE);

    // Just over five minutes splits.
    let mut chat = Conversation::default();
    chat.upsert(msg(1, false, T0, "a"));
    chat.upsert(msg(2, false, T0 + RUN_GAP_MS + 1, "b"));
    assert_eq!(chat.items(&utc()).len(), 3);
}

#[test]
fn in_a_room_each_member_gets_their_own_runs() {
    let mut chat = Conversation::new(ChatKind::Room);
    let mut a = msg(1, false, T0, "from carol");
    a.sender = "sip:carol@hark.test".into();
    let b = msg(2, false, T0 + 1, "from bob");
    chat.upsert(a);
    chat.upsert(b);
    let runs = chat
        .items(&utc())
        .into_iter()
        .filter(|i| matches!(i, Item::Run(_)))
        .count();
    assert_eq!(runs, 2);
}

#[test]
fn days_follow_the_local_time_zone() {
    let mut chat = Conversation::default();
    // 23:30 and 00:30 UTC: one day in New York, two in UTC.
    let late = T0 + 13 * 60 * MIN + 30 * MIN;
    chat.upsert(msg(1, false, late, "a"));
    chat.upsert(msg(2, false, late + 60 * MIN, "b"));
    let days = |tz: FixedOffset| {
        chat.items(&tz)
            .iter()
            .filter(|i| matches!(i, Item::Day(_)))
            .count()
    };
    assert_eq!(days(utc()), 2);
    assert_eq!(days(FixedOffset::west_opt(5 * 3600).unwrap()), 1);
}

#[test]
fn day_labels() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    assert_eq!(DayLabel::new(today, today), DayLabel::Today);
    assert_eq!(DayLabel::new(day(22), today), DayLabel::Yesterday);
    assert_eq!(
        DayLabel::new(day(18), today),
        DayLabel::Weekday(Weekday::Wed)
    );
    assert_eq!(DayLabel::new(day(16), today), DayLabel::Date(day(16)));
}

#[test]
fn arrivals_depend_on_the_window() {
    let mut chats = Chats::new();
    let key = chat_key(ALICE, BOB);
    // No window: a notification and a badge.
    assert_eq!(
        chats.receive(ALICE, msg(1, false, T0, "hi")),
        Some(Arrival::Notify)
    );
    assert_eq!(chats.unread(&key), 1);
    assert_eq!(chats.receive(ALICE, msg(1, false, T0, "hi")), None);
    assert_eq!(chats.unread(&key), 1, "a repeat is not counted again");
    // Our own messages are never unread.
    assert_eq!(chats.receive(ALICE, msg(2, true, T0 + 1, "yo")), None);
    assert_eq!(chats.total_unread(), 1);

    // The window opens behind others: still unread, counted.
    assert!(!chats.set_visibility(&key, Visibility::Open));
    assert_eq!(
        chats.receive(ALICE, msg(3, false, T0 + 2, "there?")),
        Some(Arrival::Unread)
    );
    assert_eq!(chats.unread(&key), 2);
    // The user looks at it: read.
    assert!(chats.set_visibility(&key, Visibility::Focused));
    assert_eq!(chats.unread(&key), 0);
    assert!(!chats.set_visibility(&key, Visibility::Focused));
    assert_eq!(
        chats.receive(ALICE, msg(4, false, T0 + 3, "ok")),
        Some(Arrival::Seen)
    );
    assert_eq!(chats.unread(&key), 0);
    assert_eq!(chats.unread_counts().count(), 0);

    // Closed again.
    chats.set_visibility(&key, Visibility::Closed);
    chats.receive(ALICE, msg(5, false, T0 + 4, "bye"));
    assert_eq!(
        chats.unread_counts().collect::<Vec<_>>(),
        vec![(&key, 1usize)]
    );
    chats.mark_read(&key);
    assert_eq!(chats.unread(&key), 0);
}

#[test]
fn a_message_ends_the_peers_typing() {
    let mut chats = Chats::new();
    let key = chat_key(ALICE, BOB);
    chats.set_typing(&key, true);
    assert!(chats.get(&key).unwrap().typing);
    chats.receive(ALICE, msg(1, false, T0, "done"));
    assert!(!chats.get(&key).unwrap().typing);
    // "Stopped typing" for an unknown chat creates nothing.
    let other = chat_key(ALICE, "sip:zed@hark.test");
    chats.set_typing(&other, false);
    assert!(chats.get(&other).is_none());
}

#[test]
fn peers_are_spelled_one_way() {
    assert_eq!(normalize_peer("sip:bob@hark.test"), "sip:bob@hark.test");
    assert_eq!(normalize_peer(" <SIP:Bob@Hark.TEST> "), "sip:Bob@hark.test");
    assert_eq!(normalize_peer("bob@hark.test"), "sip:bob@hark.test");
    assert_eq!(normalize_peer("sips:bob@hark.test"), "sips:bob@hark.test");
    assert_eq!(normalize_peer("tel:+4930123"), "tel:+4930123");
    assert_eq!(
        normalize_peer("sip:bob@Hark.Test;transport=udp"),
        "sip:bob@hark.test"
    );
    assert_eq!(
        normalize_peer("bob@hark.test:5070"),
        "sip:bob@hark.test:5070"
    );
    assert_eq!(
        chat_key(ALICE, "Bob@HARK.test"),
        (ALICE.into(), "sip:Bob@hark.test".into())
    );
}

#[test]
fn room_addresses() {
    assert_eq!(
        room_address("team", ALICE).as_deref(),
        Some("sip:team@conference.hark.test")
    );
    assert_eq!(
        room_address(" team@conf.example.com ", ALICE).as_deref(),
        Some("sip:team@conf.example.com")
    );
    assert_eq!(
        room_address("sip:team@conf.example.com", ALICE).as_deref(),
        Some("sip:team@conf.example.com")
    );
    assert_eq!(room_address("", ALICE), None);
    assert_eq!(room_address("my team", ALICE), None);
    assert_eq!(room_address("@conf", ALICE), None);
    assert_eq!(room_address("team@", ALICE), None);
}

#[test]
fn links_are_found_in_text() {
    use Span::*;
    assert_eq!(spans("no links here"), vec![Text("no links here")]);
    assert_eq!(spans(""), vec![]);
    assert_eq!(spans("https://hark.test"), vec![Link("https://hark.test")]);
    assert_eq!(
        spans("see https://hark.test/a?b=c&d=e#f, then call sip:bob@hark.test."),
        vec![
            Text("see "),
            Link("https://hark.test/a?b=c&d=e#f"),
            Text(", then call "),
            Link("sip:bob@hark.test"),
            Text("."),
        ]
    );
    // Brackets: kept when the link opened them.
    assert_eq!(
        spans("(https://en.wikipedia.org/wiki/Rust_(language))"),
        vec![
            Text("("),
            Link("https://en.wikipedia.org/wiki/Rust_(language)"),
            Text(")"),
        ]
    );
    assert_eq!(
        spans("<sip:carol@hark.test>"),
        vec![Text("<"), Link("sip:carol@hark.test"), Text(">")]
    );
    // Not at the start of a word, or nothing after the scheme.
    assert_eq!(spans("gossip:rumour"), vec![Text("gossip:rumour")]);
    assert_eq!(
        spans("http:// and sip: alone"),
        vec![Text("http:// and sip: alone")]
    );
    // Case and other scripts around it.
    assert_eq!(
        spans("HTTPS://Hark.Test/é 😀"),
        vec![Link("HTTPS://Hark.Test/é"), Text(" 😀")]
    );
    assert_eq!(
        spans("مرحبا https://hark.test مرحبا"),
        vec![Text("مرحبا "), Link("https://hark.test"), Text(" مرحبا")]
    );
    // javascript: and the like are plain text.
    assert_eq!(
        spans("javascript:alert(1)"),
        vec![Text("javascript:alert(1)")]
    );
}

#[test]
fn spans_always_give_back_the_whole_body() {
    for body in [
        "a https://x.y b",
        "sip:",
        "x sip:a@b.c, https://d.e/(f) g.",
        "<b>hi</b> {$x} &amp;",
        "emoji 👩‍👩‍👧 and שלום https://hark.test/שלום",
        "trailing http://a.b/c...",
    ] {
        let joined: String = spans(body)
            .into_iter()
            .map(|s| match s {
                Span::Text(t) | Span::Link(t) => t,
            })
            .collect();
        assert_eq!(joined, body);
    }
}

#[test]
fn link_targets() {
    assert_eq!(
        LinkTarget::of("https://hark.test/x"),
        Some(LinkTarget::Web("https://hark.test/x".into()))
    );
    assert_eq!(
        LinkTarget::of("SIP:Bob@Hark.test"),
        Some(LinkTarget::Sip("sip:Bob@hark.test".into()))
    );
    assert_eq!(LinkTarget::of("file:///etc/passwd"), None);
    assert_eq!(LinkTarget::of("https://a b"), None);
    assert_eq!(LinkTarget::of("-x"), None);
}

#[test]
fn snippets_mark_the_matched_words() {
    assert_eq!(
        snippet_parts("the \u{2}quick\u{3} brown \u{2}fox\u{3}"),
        vec![
            (false, "the "),
            (true, "quick"),
            (false, " brown "),
            (true, "fox")
        ]
    );
    assert_eq!(snippet_parts("plain"), vec![(false, "plain")]);
    assert_eq!(snippet_parts(""), vec![]);
}

#[test]
fn notification_text_is_never_markup() {
    assert_eq!(
        notification_text("<b>hi</b> & {$x}"),
        "&lt;b&gt;hi&lt;/b&gt; &amp; {$x}"
    );
}

#[test]
fn previews_are_one_short_line() {
    assert_eq!(preview("a\n\nb   c", 10), "a b c");
    assert_eq!(preview("abcdefghijkl", 5), "abcde…");
    assert_eq!(preview("😀😀😀", 2), "😀😀…");
}
