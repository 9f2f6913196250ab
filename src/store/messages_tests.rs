//! Tests of the message store: round trips, idempotent queueing and
//! receiving, state transitions, paging, search and crash safety.

use super::*;

const A: &str = "sip:alice@example.com";
const BOB: &str = "sip:bob@example.com";
const CAROL: &str = "sip:carol@example.com";
const TEXT: &str = "text/plain;charset=UTF-8";

fn store() -> Store {
    Store::in_memory().unwrap()
}

fn incoming(s: &Store, peer: &str, body: &str, mid: Option<&str>, at: i64) -> Option<i64> {
    s.store_incoming(A, peer, peer, body, TEXT, mid, None, at, at + 5)
        .unwrap()
}

#[test]
fn fts5_is_compiled_in() {
    let s = store();
    let used: i64 = s
        .conn
        .query_row("SELECT sqlite_compileoption_used('ENABLE_FTS5')", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(used, 1);
}

#[test]
fn outgoing_round_trip() {
    let s = store();
    let id = s
        .queue_outgoing(A, BOB, "hello Bob", TEXT, "m1", 1_000)
        .unwrap();
    let m = s.message(id).unwrap().unwrap();
    assert_eq!(
        m,
        Message {
            id,
            account: A.into(),
            peer: BOB.into(),
            direction: Direction::Out,
            sender: A.into(),
            body: "hello Bob".into(),
            content_type: TEXT.into(),
            sent_at: 1_000,
            received_at: None,
            state: MessageState::Queued,
            failure: None,
            message_id: Some("m1".into()),
            sip_call_id: None,
        }
    );
    assert_eq!(s.message(id + 1).unwrap(), None);
}

#[test]
fn queueing_the_same_message_id_twice_keeps_one_row() {
    let s = store();
    let a = s.queue_outgoing(A, BOB, "hi", TEXT, "m1", 1).unwrap();
    s.mark_sending(a).unwrap();
    let b = s.queue_outgoing(A, BOB, "hi", TEXT, "m1", 2).unwrap();
    assert_eq!(a, b);
    assert_eq!(s.history(A, BOB, None, 10).unwrap().len(), 1);
    // The retry changed nothing about the first row.
    let m = s.message(a).unwrap().unwrap();
    assert_eq!((m.sent_at, m.state), (1, MessageState::Sending));
    // Another id is another message.
    assert_ne!(s.queue_outgoing(A, BOB, "hi", TEXT, "m2", 3).unwrap(), a);
}

#[test]
fn incoming_round_trip_and_duplicates_are_stored_once() {
    let s = store();
    let id = s
        .store_incoming(A, BOB, BOB, "yo", TEXT, Some("p1"), Some("c1"), 10, 20)
        .unwrap()
        .unwrap();
    let m = s.message(id).unwrap().unwrap();
    assert_eq!(m.direction, Direction::In);
    assert_eq!(m.state, MessageState::Received);
    assert_eq!((m.sent_at, m.received_at), (10, Some(20)));
    assert_eq!(m.message_id.as_deref(), Some("p1"));
    assert_eq!(m.sip_call_id.as_deref(), Some("c1"));
    // Retransmission: same Call-ID.
    let dup = s.store_incoming(A, BOB, BOB, "yo", TEXT, None, Some("c1"), 10, 30);
    assert_eq!(dup.unwrap(), None);
    // Forked copy: same message id, another Call-ID.
    let dup = s.store_incoming(A, BOB, BOB, "yo", TEXT, Some("p1"), Some("c2"), 10, 30);
    assert_eq!(dup.unwrap(), None);
    // Another peer may use the same message id.
    assert!(incoming(&s, CAROL, "yo", Some("p1"), 11).is_some());
    // Without any id, every message is kept.
    assert!(incoming(&s, BOB, "yo", None, 12).is_some());
    assert!(incoming(&s, BOB, "yo", None, 12).is_some());
    assert_eq!(s.history(A, BOB, None, 10).unwrap().len(), 3);
    // Incoming ids never collide with outgoing ones.
    assert!(s.queue_outgoing(A, BOB, "x", TEXT, "p1", 13).is_ok());
    assert_eq!(s.history(A, BOB, None, 10).unwrap().len(), 4);
}

#[test]
fn state_transitions() {
    let s = store();
    let id = s.queue_outgoing(A, BOB, "hi", TEXT, "m1", 1).unwrap();
    let state = |s: &Store| s.message(id).unwrap().unwrap().state;
    assert!(s.mark_sending(id).unwrap());
    assert!(s.mark_failed(id, "480 Temporarily Unavailable").unwrap());
    let m = s.message(id).unwrap().unwrap();
    assert_eq!(m.state, MessageState::Failed);
    assert_eq!(m.failure.as_deref(), Some("480 Temporarily Unavailable"));
    // A retry.
    assert!(s.mark_sending(id).unwrap());
    assert!(s.mark_sent(id, true).unwrap());
    assert_eq!(state(&s), MessageState::Stored);
    assert_eq!(s.message(id).unwrap().unwrap().failure, None);
    // Too late to fail or go back in the queue.
    assert!(!s.mark_failed(id, "408").unwrap());
    assert!(!s.requeue(id, None).unwrap());
    assert!(!s.mark_sending(id).unwrap());
    assert!(s.mark_delivered("m1").unwrap());
    assert!(!s.mark_delivered("m1").unwrap());
    // A late 200 does not take back the delivery.
    assert!(!s.mark_sent(id, false).unwrap());
    assert!(s.mark_displayed("m1").unwrap());
    assert!(!s.mark_delivered("m1").unwrap());
    assert_eq!(state(&s), MessageState::Displayed);
    assert!(!s.mark_displayed("nope").unwrap());
    // Incoming messages are not touched by notifications or send states.
    let inc = incoming(&s, BOB, "x", Some("m9"), 2).unwrap();
    assert!(!s.mark_delivered("m9").unwrap());
    assert!(!s.mark_sending(inc).unwrap());
    assert!(!s.mark_sent(inc, false).unwrap());
    assert!(!s.mark_failed(inc, "x").unwrap());
}

#[test]
fn a_delivery_report_after_a_timeout_counts_as_sent() {
    let s = store();
    let id = s.queue_outgoing(A, BOB, "hi", TEXT, "m1", 1).unwrap();
    s.mark_sending(id).unwrap();
    s.mark_failed(id, "timeout").unwrap();
    assert!(s.mark_delivered("m1").unwrap());
    let m = s.message(id).unwrap().unwrap();
    assert_eq!((m.state, m.failure), (MessageState::Delivered, None));
}

#[test]
fn queued_lists_queued_and_sending_oldest_first_per_account() {
    let s = store();
    let a = s.queue_outgoing(A, BOB, "1", TEXT, "m1", 1).unwrap();
    let b = s.queue_outgoing(A, CAROL, "2", TEXT, "m2", 2).unwrap();
    let c = s.queue_outgoing(A, BOB, "3", TEXT, "m3", 3).unwrap();
    let d = s.queue_outgoing(A, BOB, "4", TEXT, "m4", 4).unwrap();
    s.queue_outgoing("sip:other@x", BOB, "5", TEXT, "m5", 5)
        .unwrap();
    incoming(&s, BOB, "in", None, 6);
    s.mark_sending(a).unwrap();
    s.mark_sending(c).unwrap();
    s.mark_sent(c, false).unwrap();
    s.mark_sending(d).unwrap();
    s.mark_failed(d, "404").unwrap();
    let ids: Vec<i64> = s.queued(A).unwrap().iter().map(|m| m.id).collect();
    assert_eq!(ids, vec![a, b]);
    // Network down: back in the queue, with the reason shown.
    s.requeue(d, Some("network down")).unwrap();
    let q = s.queued(A).unwrap();
    assert_eq!(q.iter().map(|m| m.id).collect::<Vec<_>>(), vec![a, b, d]);
    assert_eq!(q[2].failure.as_deref(), Some("network down"));
}

#[test]
fn a_message_being_sent_when_the_process_dies_is_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hark.db");
    let s = Store::open(&path).unwrap();
    let id = s
        .queue_outgoing(A, BOB, "typed before the crash", TEXT, "m1", 1)
        .unwrap();
    s.mark_sending(id).unwrap();
    let received = incoming(&s, BOB, "received before the crash", Some("p1"), 2).unwrap();
    // kill -9: no clean shutdown, nothing marked sent, no destructor: the
    // connection is never closed nor the WAL checkpointed. Every statement
    // was committed when it returned, so the WAL holds it all.
    std::mem::forget(s);
    let s = Store::open(&path).unwrap();
    let q = s.queued(A).unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].id, id);
    assert_eq!(q[0].state, MessageState::Sending);
    assert_eq!(q[0].message_id.as_deref(), Some("m1"));
    assert_eq!(q[0].body, "typed before the crash");
    // Resending queues the same id again: still one row.
    assert_eq!(
        s.queue_outgoing(A, BOB, "typed before the crash", TEXT, "m1", 9)
            .unwrap(),
        id
    );
    assert_eq!(
        s.message(received).unwrap().unwrap().body,
        "received before the crash"
    );
    assert_eq!(
        incoming(&s, BOB, "received before the crash", Some("p1"), 2),
        None
    );
}

#[test]
fn history_pages_back_in_time_order() {
    let s = store();
    let mut ids = Vec::new();
    for i in 0..25 {
        ids.push(if i % 2 == 0 {
            s.queue_outgoing(A, BOB, &format!("m{i}"), TEXT, &format!("id{i}"), i * 10)
                .unwrap()
        } else {
            incoming(&s, BOB, &format!("m{i}"), None, i * 10).unwrap()
        });
        incoming(&s, CAROL, "noise", None, i * 10);
    }
    // An offline message arrives late, with its original time.
    let late = s
        .store_incoming(A, BOB, BOB, "late", TEXT, None, None, 55, 1_000)
        .unwrap()
        .unwrap();
    let page = s.history(A, BOB, None, 10).unwrap();
    let bodies: Vec<&str> = page.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        (15..25).map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
    let page2 = s.history(A, BOB, Some(page[0].id), 10).unwrap();
    let bodies: Vec<&str> = page2.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        vec!["late", "m6", "m7", "m8", "m9", "m10", "m11", "m12", "m13", "m14"]
    );
    let page3 = s.history(A, BOB, Some(page2[0].id), 10).unwrap();
    let bodies: Vec<&str> = page3.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, vec!["m0", "m1", "m2", "m3", "m4", "m5"]);
    assert!(s.history(A, BOB, Some(page3[0].id), 10).unwrap().is_empty());
    assert!(ids.contains(&page3[0].id) && late > 0);
    assert!(s.history("sip:nobody@x", BOB, None, 10).unwrap().is_empty());
}

#[test]
fn search_per_chat_and_across_chats() {
    let s = store();
    s.queue_outgoing(A, BOB, "Lunch at the Italian place?", TEXT, "1", 1)
        .unwrap();
    incoming(&s, BOB, "Sure, lunch at noon", None, 2);
    incoming(&s, CAROL, "Lunch tomorrow instead", None, 3);
    incoming(&s, CAROL, "Nothing to see here", None, 4);
    s.store_incoming(
        "sip:other@x",
        BOB,
        BOB,
        "lunch elsewhere",
        TEXT,
        None,
        None,
        5,
        5,
    )
    .unwrap();
    let all = s.search(A, None, "lunch", 10).unwrap();
    assert_eq!(all.len(), 3);
    let bob = s.search(A, Some(BOB), "LUNCH", 10).unwrap();
    assert_eq!(bob.len(), 2);
    assert!(bob.iter().all(|h| h.message.peer == BOB));
    let hit = &s.search(A, Some(CAROL), "tomorrow", 10).unwrap()[0];
    assert_eq!(hit.message.body, "Lunch tomorrow instead");
    assert_eq!(
        hit.snippet,
        format!("Lunch {MATCH_START}tomorrow{MATCH_END} instead")
    );
    // Every word must be there.
    assert_eq!(s.search(A, None, "lunch noon", 10).unwrap().len(), 1);
    assert!(s.search(A, None, "dinner", 10).unwrap().is_empty());
    assert_eq!(s.search(A, None, "lunch", 2).unwrap().len(), 2);
    // Diacritics do not matter.
    incoming(&s, BOB, "Café crème", None, 6);
    assert_eq!(s.search(A, None, "cafe creme", 10).unwrap().len(), 1);
}

#[test]
fn search_ranks_by_relevance_then_recency() {
    let s = store();
    incoming(&s, BOB, "deploy", None, 1);
    incoming(
        &s,
        BOB,
        "the deploy went fine after a long long wait today",
        None,
        2,
    );
    incoming(&s, BOB, "deploy", None, 3);
    let hits = s.search(A, None, "deploy", 10).unwrap();
    let times: Vec<i64> = hits.iter().map(|h| h.message.sent_at).collect();
    assert_eq!(times, vec![3, 1, 2]);
}

#[test]
fn edits_and_deletes_keep_the_index_in_step() {
    let s = store();
    let id = incoming(&s, BOB, "apple", None, 1).unwrap();
    s.conn
        .execute("UPDATE messages SET body = 'banana' WHERE id = ?1", [id])
        .unwrap();
    assert!(s.search(A, None, "apple", 10).unwrap().is_empty());
    assert_eq!(s.search(A, None, "banana", 10).unwrap().len(), 1);
    s.conn
        .execute("DELETE FROM messages WHERE id = ?1", [id])
        .unwrap();
    assert!(s.search(A, None, "banana", 10).unwrap().is_empty());
    s.conn
        .execute(
            "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();
}

#[test]
fn utf8_survives_storage_and_search() {
    let s = store();
    let texts = [
        "Hi 👋🏽 see you 🇫🇷 soon — ok?",
        "שלום עולם, מה שלומך?",
        "مرحبا بالعالم",
        "mixed עברית and English \u{200f}marks\u{200e}",
        "日本語のテキスト",
        "zero\u{200d}width and combining e\u{301}",
    ];
    for (i, t) in texts.iter().enumerate() {
        let id = if i % 2 == 0 {
            s.queue_outgoing(A, BOB, t, TEXT, &format!("u{i}"), i as i64)
                .unwrap()
        } else {
            incoming(&s, BOB, t, None, i as i64).unwrap()
        };
        assert_eq!(s.message(id).unwrap().unwrap().body, *t);
    }
    let bodies: Vec<String> = s
        .history(A, BOB, None, 10)
        .unwrap()
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert_eq!(bodies, texts);
    assert_eq!(s.search(A, None, "שלום", 10).unwrap().len(), 1);
    assert_eq!(s.search(A, None, "بالعالم", 10).unwrap().len(), 1);
    assert_eq!(s.search(A, None, "עברית", 10).unwrap().len(), 1);
    let hit = &s.search(A, None, "soon", 10).unwrap()[0];
    assert_eq!(hit.message.body, texts[0]);
    assert!(hit.snippet.contains("👋🏽"), "{}", hit.snippet);
}

#[test]
fn hostile_search_strings_are_never_a_syntax_error() {
    let s = store();
    incoming(&s, BOB, "say \"NEAR\" to me: a-b test* OR AND NOT", None, 1);
    incoming(&s, BOB, "column:value and (parens) ^caret", None, 2);
    let nasty = [
        "\"",
        "\"\"",
        "\"unterminated",
        "*",
        "test*",
        "NEAR",
        "NEAR(a b, 2)",
        "-",
        "-test",
        "a-b",
        ":",
        "body:say",
        "column:value",
        "OR",
        "AND NOT",
        "(",
        ")",
        "^caret",
        "{body}: x",
        "' OR 1=1 --",
        "\0",
        "",
        "   ",
        "+",
        "a\"b\"c",
        "\u{200f}",
    ];
    for q in nasty {
        let r = s.search(A, None, q, 10);
        assert!(r.is_ok(), "{q:?}: {r:?}");
        let r = s.search(A, Some(BOB), q, 10);
        assert!(r.is_ok(), "{q:?}: {r:?}");
    }
    // Operators are searched as words.
    assert_eq!(s.search(A, None, "NEAR", 10).unwrap().len(), 1);
    assert_eq!(s.search(A, None, "column:value", 10).unwrap().len(), 1);
    assert_eq!(s.search(A, None, "test*", 10).unwrap().len(), 1);
    assert_eq!(s.search(A, None, "(parens)", 10).unwrap().len(), 1);
}

#[test]
fn fts_words_quotes_each_word() {
    assert_eq!(
        fts_words("a b"),
        Some("body : \"a\" AND body : \"b\"".into())
    );
    assert_eq!(fts_words("a\"b"), Some("body : \"a\"\"b\"".into()));
    assert_eq!(fts_words(" - * : "), None);
}

#[test]
fn chat_tokens_are_what_sqlite_writes() {
    let s = store();
    let hex: String = s
        .conn
        .query_row("SELECT hex(?1 || ' ' || ?2)", (A, "sip:zoë@x"), |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(chat_token(A, "sip:zoë@x"), hex);
    // And a chat with such a peer is found.
    incoming(&s, "sip:zoë@x", "grüß dich", None, 1);
    assert_eq!(
        s.search(A, Some("sip:zoë@x"), "grüss", 10).unwrap().len(),
        0
    );
    assert_eq!(s.search(A, Some("sip:zoë@x"), "GRUß", 10).unwrap().len(), 1);
    assert_eq!(s.search(A, Some("sip:zoë@"), "grüß", 10).unwrap().len(), 0);
    // An account's token never matches another account's chat.
    assert!(s
        .search("sip:alice@example", None, "grüß", 10)
        .unwrap()
        .is_empty());
}

#[test]
fn more_occurrences_in_a_shorter_message_rank_higher() {
    let s = store();
    incoming(
        &s,
        BOB,
        "Coffee tomorrow and then a long walk to the office",
        None,
        1,
    );
    incoming(&s, BOB, "COFFEE tomorrow? coffee!", None, 2);
    incoming(&s, CAROL, "coffee tomorrow, maybe", None, 3);
    let bodies: Vec<String> = s
        .search(A, None, "coffee Tomorrow", 10)
        .unwrap()
        .into_iter()
        .map(|h| h.message.body)
        .collect();
    assert_eq!(
        bodies,
        [
            "COFFEE tomorrow? coffee!",
            "coffee tomorrow, maybe",
            "Coffee tomorrow and then a long walk to the office"
        ]
    );
}
