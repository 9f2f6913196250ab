//! Tests of the call history: recording (idempotent on Call-ID), answer and
//! end, what counts as missed, filters, paging, the missed counter,
//! deleting, and calls a crash left open.

use super::*;

const A: &str = "sip:alice@example.com";
const A2: &str = "sip:alice@work.example.net";
const BOB: &str = "sip:bob@example.com";
const CAROL: &str = "sip:carol@example.com";

fn store() -> Store {
    Store::in_memory().unwrap()
}

fn new_call(account: &str, call_id: &str, peer: &str, dir: CallDirection, at: i64) -> NewCall {
    NewCall {
        account: account.into(),
        call_id: call_id.into(),
        peer: peer.into(),
        peer_name: None,
        direction: dir,
        started: at,
    }
}

fn incoming(s: &Store, call_id: &str, peer: &str, at: i64) -> i64 {
    s.record_call(&new_call(A, call_id, peer, CallDirection::Incoming, at))
        .unwrap()
}

fn outgoing(s: &Store, call_id: &str, peer: &str, at: i64) -> i64 {
    s.record_call(&new_call(A, call_id, peer, CallDirection::Outgoing, at))
        .unwrap()
}

/// An incoming call that rang and ended unanswered for `reason`.
fn unanswered(s: &Store, call_id: &str, at: i64, reason: CallEnd) -> i64 {
    let id = incoming(s, call_id, BOB, at);
    assert!(s.mark_call_ended(id, at + 20_000, reason).unwrap());
    id
}

fn ids(list: &[CallRecord]) -> Vec<i64> {
    list.iter().map(|c| c.id).collect()
}

fn all(s: &Store) -> Vec<CallRecord> {
    s.calls(&CallFilter::default(), None, 1000).unwrap()
}

fn of_kind(s: &Store, kind: CallKind) -> Vec<i64> {
    let filter = CallFilter {
        kind: Some(kind),
        ..Default::default()
    };
    ids(&s.calls(&filter, None, 1000).unwrap())
}

#[test]
fn a_call_round_trip() {
    let s = store();
    let mut call = new_call(A, "c1@host", BOB, CallDirection::Outgoing, 1_000);
    call.peer_name = Some("Bob".into());
    let id = s.record_call(&call).unwrap();
    let expected = CallRecord {
        id,
        account: A.into(),
        call_id: "c1@host".into(),
        peer: BOB.into(),
        peer_name: Some("Bob".into()),
        direction: CallDirection::Outgoing,
        started: 1_000,
        answered: None,
        ended: None,
        end_reason: None,
        kind: CallKind::Placed,
        seen: false,
    };
    assert_eq!(s.call(id).unwrap(), Some(expected.clone()));
    assert!(s.mark_call_answered(id, 3_000).unwrap());
    assert!(s.mark_call_ended(id, 63_000, CallEnd::Hangup).unwrap());
    let done = s.call(id).unwrap().unwrap();
    assert_eq!(
        done,
        CallRecord {
            answered: Some(3_000),
            ended: Some(63_000),
            end_reason: Some(CallEnd::Hangup),
            ..expected
        }
    );
    assert_eq!(done.talk_ms(), Some(60_000));
    assert_eq!(
        s.call_by_call_id(A, CallDirection::Outgoing, "c1@host")
            .unwrap(),
        Some(done)
    );
    assert_eq!(
        s.call_by_call_id(A, CallDirection::Incoming, "c1@host")
            .unwrap(),
        None
    );
    assert_eq!(s.call(id + 1).unwrap(), None);
}

#[test]
fn recording_a_call_id_twice_keeps_one_row() {
    let s = store();
    let id = incoming(&s, "c1", BOB, 1_000);
    s.mark_call_answered(id, 2_000).unwrap();
    // A retransmitted (or forked) INVITE: same row, nothing changed.
    let mut again = new_call(A, "c1", CAROL, CallDirection::Incoming, 5_000);
    again.peer_name = Some("Carol".into());
    assert_eq!(s.record_call(&again).unwrap(), id);
    let c = s.call(id).unwrap().unwrap();
    assert_eq!(
        (c.peer.as_str(), c.peer_name, c.started, c.answered),
        (BOB, None, 1_000, Some(2_000))
    );
    assert_eq!(all(&s).len(), 1);
    // The other leg of a call between two of the user's own accounts, or a
    // call to oneself, shares the Call-ID but is another row.
    let out = s
        .record_call(&new_call(A2, "c1", A, CallDirection::Outgoing, 1_000))
        .unwrap();
    let back = outgoing(&s, "c1", A, 1_000);
    assert_ne!(out, id);
    assert_ne!(back, id);
    assert_ne!(back, out);
    assert_eq!(all(&s).len(), 3);
}

#[test]
fn answered_once_and_never_after_the_end() {
    let s = store();
    let id = outgoing(&s, "c1", BOB, 10_000);
    // A clock that went back never makes an answer before the start.
    assert!(s.mark_call_answered(id, 9_000).unwrap());
    assert_eq!(s.call(id).unwrap().unwrap().answered, Some(10_000));
    assert!(!s.mark_call_answered(id, 12_000).unwrap());
    assert_eq!(s.call(id).unwrap().unwrap().answered, Some(10_000));

    let rang = outgoing(&s, "c2", BOB, 20_000);
    assert!(s.mark_call_ended(rang, 30_000, CallEnd::NoAnswer).unwrap());
    assert!(!s.mark_call_answered(rang, 31_000).unwrap());
    let c = s.call(rang).unwrap().unwrap();
    assert_eq!((c.answered, c.talk_ms()), (None, None));
    assert!(!s.mark_call_answered(999, 1).unwrap());
}

#[test]
fn the_first_end_wins_and_is_never_before_the_answer() {
    let s = store();
    let id = outgoing(&s, "c1", BOB, 10_000);
    s.mark_call_answered(id, 15_000).unwrap();
    assert!(s.mark_call_ended(id, 14_000, CallEnd::Hangup).unwrap());
    assert!(!s.mark_call_ended(id, 90_000, CallEnd::Failed).unwrap());
    let c = s.call(id).unwrap().unwrap();
    assert_eq!(
        (c.ended, c.end_reason, c.talk_ms()),
        (Some(15_000), Some(CallEnd::Hangup), Some(0))
    );
    assert!(!s.mark_call_ended(999, 1, CallEnd::Hangup).unwrap());
}

#[test]
fn every_end_reason_is_stored_under_its_token() {
    let s = store();
    for (i, reason) in CallEnd::ALL.into_iter().enumerate() {
        assert_eq!(CallEnd::parse(reason.as_str()), Some(reason));
        let json = serde_json::to_string(&reason).unwrap();
        assert_eq!(json, format!("\"{}\"", reason.as_str()));
        let id = outgoing(&s, &format!("c{i}"), BOB, i as i64);
        assert!(s.mark_call_ended(id, 100, reason).unwrap(), "{reason:?}");
        assert_eq!(s.call(id).unwrap().unwrap().end_reason, Some(reason));
    }
    assert_eq!(CallEnd::parse("hung-up"), None);
}

#[test]
fn the_engines_end_reasons_map_to_history_reasons() {
    use CallEnd::*;
    for (token, reason) in [
        ("hangup", Hangup),
        ("remote-hangup", Hangup),
        ("busy", Busy),
        ("declined", Declined),
        ("not-found", NotFound),
        ("no-answer", NoAnswer),
        ("cancelled", Cancelled),
        ("forwarded", Forwarded),
        ("refused", Failed),
        ("failed", Failed),
        ("no-ack", Failed),
        ("session-expired", Failed),
        ("media-failed", Failed),
        ("dnd", Dnd),
        ("answered-elsewhere", AnsweredElsewhere),
        ("something-new", Failed),
    ] {
        assert_eq!(CallEnd::from_view_reason(token), reason, "{token}");
    }
}

#[test]
fn what_counts_as_missed() {
    let s = store();
    let mut t = 0;
    let mut case = |reason: CallEnd| {
        t += 100_000;
        let id = unanswered(&s, &format!("c{t}"), t, reason);
        s.call(id).unwrap().unwrap().kind
    };
    use CallEnd::*;
    for reason in [
        NoAnswer,
        Cancelled,
        Dnd,
        Busy,
        Failed,
        Interrupted,
        Hangup,
        NotFound,
    ] {
        assert_eq!(case(reason), CallKind::Missed, "{reason:?}");
    }
    for reason in [Declined, Forwarded, AnsweredElsewhere] {
        assert_eq!(case(reason), CallKind::Received, "{reason:?}");
    }
    // Ringing is not missed (yet); answered is never missed; placed is
    // placed whatever happened.
    let ringing = incoming(&s, "ringing", BOB, 1);
    assert_eq!(s.call(ringing).unwrap().unwrap().kind, CallKind::Received);
    let talked = incoming(&s, "talked", BOB, 2);
    s.mark_call_answered(talked, 3).unwrap();
    s.mark_call_ended(talked, 4, CallEnd::Failed).unwrap();
    assert_eq!(s.call(talked).unwrap().unwrap().kind, CallKind::Received);
    let placed = outgoing(&s, "placed", BOB, 5);
    s.mark_call_ended(placed, 6, CallEnd::NoAnswer).unwrap();
    assert_eq!(s.call(placed).unwrap().unwrap().kind, CallKind::Placed);
}

#[test]
fn the_kind_filters_split_the_history() {
    let s = store();
    let placed = outgoing(&s, "p", BOB, 10);
    let answered = incoming(&s, "a", BOB, 20);
    s.mark_call_answered(answered, 21).unwrap();
    s.mark_call_ended(answered, 30, CallEnd::Hangup).unwrap();
    let declined = unanswered(&s, "d", 40, CallEnd::Declined);
    let missed = unanswered(&s, "m", 50, CallEnd::Cancelled);
    let dnd = unanswered(&s, "dnd", 60, CallEnd::Dnd);
    let ringing = incoming(&s, "r", BOB, 70);

    assert_eq!(of_kind(&s, CallKind::Placed), vec![placed]);
    assert_eq!(of_kind(&s, CallKind::Missed), vec![dnd, missed]);
    assert_eq!(
        of_kind(&s, CallKind::Received),
        vec![ringing, declined, answered]
    );
    assert_eq!(
        ids(&all(&s)),
        vec![ringing, dnd, missed, declined, answered, placed]
    );
    // Each record's kind agrees with the filter that lists it.
    for c in all(&s) {
        assert!(of_kind(&s, c.kind).contains(&c.id), "{c:?}");
    }
}

#[test]
fn filter_by_account_and_text() {
    let s = store();
    let mut bob = new_call(A, "1", BOB, CallDirection::Incoming, 10);
    bob.peer_name = Some("Bob Builder".into());
    let bob = s.record_call(&bob).unwrap();
    let carol = outgoing(&s, "2", CAROL, 20);
    let odd = outgoing(&s, "3", "sip:100%_x@example.com", 30);
    let work = s
        .record_call(&new_call(A2, "4", BOB, CallDirection::Outgoing, 40))
        .unwrap();
    let find = |account: Option<&str>, text: Option<&str>| {
        let filter = CallFilter {
            kind: None,
            account: account.map(str::to_string),
            text: text.map(str::to_string),
        };
        ids(&s.calls(&filter, None, 100).unwrap())
    };
    assert_eq!(find(Some(A), None), vec![odd, carol, bob]);
    assert_eq!(find(Some(A2), None), vec![work]);
    assert_eq!(find(Some("sip:nobody@x"), None), Vec::<i64>::new());
    // By address or by display name, ignoring ASCII case.
    assert_eq!(find(None, Some("bob@")), vec![work, bob]);
    assert_eq!(find(None, Some("BUILDER")), vec![bob]);
    assert_eq!(find(Some(A), Some("example.com")), vec![odd, carol, bob]);
    // LIKE's wildcards are taken literally.
    assert_eq!(find(None, Some("%")), vec![odd]);
    assert_eq!(find(None, Some("0%_")), vec![odd]);
    assert_eq!(find(None, Some("_")), vec![odd]);
    assert_eq!(find(None, Some("\\")), Vec::<i64>::new());
    // Blank text is no filter.
    assert_eq!(find(None, Some("  ")).len(), 4);
    // Kind, account and text together.
    let filter = CallFilter {
        kind: Some(CallKind::Placed),
        account: Some(A.into()),
        text: Some("carol".into()),
    };
    assert_eq!(ids(&s.calls(&filter, None, 100).unwrap()), vec![carol]);
}

#[test]
fn paging_is_newest_first_and_stable() {
    let s = store();
    // Several calls in the same millisecond: ordered by id among them.
    let mut made = Vec::new();
    for (i, at) in [5, 1, 3, 3, 3, 9, 7, 3, 1].into_iter().enumerate() {
        made.push((at, outgoing(&s, &format!("c{i}"), BOB, at)));
    }
    made.sort_by(|a, b| b.cmp(a));
    let expected: Vec<i64> = made.iter().map(|(_, id)| *id).collect();
    assert_eq!(ids(&all(&s)), expected);

    let f = CallFilter::default();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = s.calls(&f, cursor, 2).unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 2);
        seen.extend(ids(&page));
        cursor = page.last().map(CallCursor::from);
    }
    assert_eq!(seen, expected);
    assert_eq!(s.calls(&f, None, 0).unwrap(), Vec::new());
}

#[test]
fn paging_survives_calls_added_and_the_cursor_deleted() {
    let s = store();
    let mut ids_by_time = Vec::new();
    for i in 0..6 {
        ids_by_time.push(outgoing(&s, &format!("c{i}"), BOB, 100 * i));
    }
    let f = CallFilter::default();
    let first = s.calls(&f, None, 2).unwrap();
    assert_eq!(ids(&first), vec![ids_by_time[5], ids_by_time[4]]);
    let cursor = CallCursor::from(first.last().unwrap());
    // A new call comes in and the last call shown is deleted meanwhile.
    outgoing(&s, "new", BOB, 10_000);
    assert!(s.delete_call(ids_by_time[4]).unwrap());
    let second = s.calls(&f, Some(cursor), 2).unwrap();
    assert_eq!(ids(&second), vec![ids_by_time[3], ids_by_time[2]]);
    let third = s
        .calls(&f, Some(CallCursor::from(second.last().unwrap())), 10)
        .unwrap();
    assert_eq!(ids(&third), vec![ids_by_time[1], ids_by_time[0]]);
}

#[test]
fn paging_within_a_filter() {
    let s = store();
    let mut missed = Vec::new();
    for i in 0..5 {
        outgoing(&s, &format!("o{i}"), BOB, 10 * i);
        missed.push(unanswered(
            &s,
            &format!("m{i}"),
            10 * i + 5,
            CallEnd::NoAnswer,
        ));
    }
    missed.reverse();
    let f = CallFilter {
        kind: Some(CallKind::Missed),
        ..Default::default()
    };
    let p1 = s.calls(&f, None, 3).unwrap();
    let p2 = s
        .calls(&f, Some(CallCursor::from(p1.last().unwrap())), 3)
        .unwrap();
    assert_eq!([ids(&p1), ids(&p2)].concat(), missed);
}

#[test]
fn the_missed_counter_counts_unseen_missed_calls() {
    let s = store();
    assert_eq!(s.unseen_missed_calls(None).unwrap(), 0);
    unanswered(&s, "m1", 10, CallEnd::NoAnswer);
    unanswered(&s, "m2", 20, CallEnd::Dnd);
    unanswered(&s, "d", 30, CallEnd::Declined);
    let talked = incoming(&s, "t", BOB, 40);
    s.mark_call_answered(talked, 41).unwrap();
    s.mark_call_ended(talked, 50, CallEnd::Hangup).unwrap();
    let ringing = incoming(&s, "r", BOB, 60);
    let work = s
        .record_call(&new_call(A2, "w", BOB, CallDirection::Incoming, 70))
        .unwrap();
    s.mark_call_ended(work, 80, CallEnd::Cancelled).unwrap();

    assert_eq!(s.unseen_missed_calls(None).unwrap(), 3);
    assert_eq!(s.unseen_missed_calls(Some(A)).unwrap(), 2);
    assert_eq!(s.unseen_missed_calls(Some(A2)).unwrap(), 1);

    // Looking at one account's history leaves the other's count.
    assert_eq!(s.mark_missed_calls_seen(Some(A)).unwrap(), 2);
    assert_eq!(s.unseen_missed_calls(Some(A)).unwrap(), 0);
    assert_eq!(s.unseen_missed_calls(None).unwrap(), 1);
    assert_eq!(s.mark_missed_calls_seen(Some(A)).unwrap(), 0);
    let missed = of_kind(&s, CallKind::Missed);
    assert_eq!(missed.len(), 3, "seen calls are still listed as missed");

    // The call that was ringing then is missed now, and counts.
    s.mark_call_ended(ringing, 90, CallEnd::NoAnswer).unwrap();
    assert_eq!(s.unseen_missed_calls(Some(A)).unwrap(), 1);
    assert!(!s.call(ringing).unwrap().unwrap().seen);
    assert_eq!(s.mark_missed_calls_seen(None).unwrap(), 2);
    assert_eq!(s.unseen_missed_calls(None).unwrap(), 0);
    assert!(s.call(ringing).unwrap().unwrap().seen);
    assert!(s.call(work).unwrap().unwrap().seen);
}

#[test]
fn delete_one_and_clear_all() {
    let s = store();
    let a = outgoing(&s, "a", BOB, 1);
    let b = unanswered(&s, "b", 2, CallEnd::NoAnswer);
    let c = outgoing(&s, "c", CAROL, 3);
    assert!(s.delete_call(b).unwrap());
    assert!(!s.delete_call(b).unwrap());
    assert_eq!(ids(&all(&s)), vec![c, a]);
    assert_eq!(s.unseen_missed_calls(None).unwrap(), 0);
    assert_eq!(s.clear_calls().unwrap(), 2);
    assert!(all(&s).is_empty());
    assert_eq!(s.call(a).unwrap(), None);
    // The Call-ID can be recorded again, as a new call: ids are never
    // reused, so an id the UI still holds cannot name it.
    let again = outgoing(&s, "a", BOB, 4);
    assert!(again > c, "{again} reuses an id");
    assert!(s.delete_call(again).unwrap());
    assert!(outgoing(&s, "d", BOB, 5) > again);
}

#[test]
fn calls_a_crash_left_open_are_closed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hark.db");
    let s = Store::open(&path).unwrap();
    let talking = outgoing(&s, "talking", BOB, 1_000);
    s.mark_call_answered(talking, 4_000).unwrap();
    let ringing = incoming(&s, "ringing", CAROL, 5_000);
    let done = outgoing(&s, "done", BOB, 100);
    s.mark_call_ended(done, 200, CallEnd::Busy).unwrap();
    drop(s); // as a kill -9 would leave it

    let s = Store::open(&path).unwrap();
    let t = s.call(talking).unwrap().unwrap();
    assert_eq!(
        (t.answered, t.ended, t.end_reason, t.talk_ms()),
        (
            Some(4_000),
            Some(4_000),
            Some(CallEnd::Interrupted),
            Some(0)
        )
    );
    let r = s.call(ringing).unwrap().unwrap();
    assert_eq!(
        (r.ended, r.end_reason, r.kind),
        (Some(5_000), Some(CallEnd::Interrupted), CallKind::Missed)
    );
    assert_eq!(s.unseen_missed_calls(None).unwrap(), 1);
    let d = s.call(done).unwrap().unwrap();
    assert_eq!((d.ended, d.end_reason), (Some(200), Some(CallEnd::Busy)));
    assert!(all(&s).iter().all(|c| c.ended.is_some()));
    // A late event for the interrupted call changes nothing.
    assert!(!s.mark_call_ended(talking, 9_000, CallEnd::Hangup).unwrap());
}

#[test]
fn records_are_serde_friendly() {
    let s = store();
    let id = unanswered(&s, "m", 7, CallEnd::NoAnswer);
    let c = s.call(id).unwrap().unwrap();
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["direction"], "incoming");
    assert_eq!(json["end_reason"], "no-answer");
    assert_eq!(json["kind"], "missed");
    let back: CallRecord = serde_json::from_value(json).unwrap();
    assert_eq!(back, c);
    let f: CallFilter =
        serde_json::from_str(r#"{"kind":"placed","account":null,"text":"bo"}"#).unwrap();
    assert_eq!(f.kind, Some(CallKind::Placed));
}
