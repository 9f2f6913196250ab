//! The call history window and the voicemail indicator, driven headless
//! with iced_test against an engine handle wired to plain channels: the
//! engine's answers (`call_history`) and events (`call`, `voicemail`,
//! `call_settings`) are injected and we read the commands the windows
//! send. Rows (names, kinds, times, durations), the filter buttons and the
//! text filter, "Load older calls" with its cursor, Call back, the
//! missed-call badge (from the store at start, marked seen when shown),
//! the refresh when a call ends, and the voicemail indicator with and
//! without a pilot.

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use hark::config::CallSettings;
use hark::engine::{CallDirection, CallPhase, CallView, Command, Envelope, ErrorKind, Event};
use hark::i18n::{I18n, Language};
use hark::store::calls::{CallCursor, CallEnd, CallFilter, CallKind, CallRecord};
use hark::ui::app::SNAPSHOT_ID;
use hark::ui::screen::call_history::{call_back_id, filter_id, OLDER_ID, TEXT_ID};
use hark::ui::screen::call_history_row::when;
use hark::ui::screen::dial_pad::HISTORY_ID;
use hark::ui::screen::voicemail::INDICATOR_ID;
use hark::ui::WindowKind;
use iced::window;
use iced_test::selector;
use support::window::chat::*;
use support::window::Window as Harness;

const DAVE: &str = "sip:dave@elsewhere.test";
const PILOT: &str = "sip:voicemail@hark.test";
const MINUTE: i64 = 60_000;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A call of the history, `minutes_ago` minutes ago, answered for
/// `talk_s` seconds (not answered: None).
fn record(
    id: i64,
    peer: &str,
    kind: CallKind,
    started: i64,
    talk_s: Option<i64>,
    reason: CallEnd,
) -> CallRecord {
    let answered = talk_s.map(|_| started + 5_000);
    CallRecord {
        id,
        account: ALICE.into(),
        call_id: format!("call-{id}"),
        peer: peer.into(),
        peer_name: None,
        direction: if kind == CallKind::Placed {
            CallDirection::Outgoing
        } else {
            CallDirection::Incoming
        },
        started,
        answered,
        ended: Some(match (answered, talk_s) {
            (Some(at), Some(s)) => at + s * 1000,
            _ => started + 20_000,
        }),
        end_reason: Some(reason),
        kind,
        seen: false,
    }
}

/// Bob (placed, 3:12), Dave (missed), Carol (received, 0:45), newest first.
fn three_calls(now: i64) -> Vec<CallRecord> {
    vec![
        record(
            3,
            BOB,
            CallKind::Placed,
            now - 10 * MINUTE,
            Some(192),
            CallEnd::Hangup,
        ),
        CallRecord {
            peer_name: Some("Dave Dialer".into()),
            ..record(
                2,
                DAVE,
                CallKind::Missed,
                now - 20 * MINUTE,
                None,
                CallEnd::Cancelled,
            )
        },
        record(
            1,
            CAROL,
            CallKind::Received,
            now - 30 * MINUTE,
            Some(45),
            CallEnd::Hangup,
        ),
    ]
}

/// `peer` calling Alice, ringing.
fn ringing_view(id: &str, peer: &str, now: i64) -> CallView {
    CallView::new(id, ALICE, peer, CallDirection::Incoming, now)
}

/// The envelopes sent since the last look.
fn envelopes(h: &mut Harness) -> Vec<Envelope> {
    std::iter::from_fn(|| h.command()).collect()
}

/// The one `call_history` command among `sent`: its id and command.
fn history_request(sent: &[Envelope]) -> (String, Command) {
    let mut requests = sent
        .iter()
        .filter(|e| matches!(e.command, Command::CallHistory { .. }));
    let request = requests.next().expect("a call_history command");
    assert!(requests.next().is_none(), "one call_history: {sent:?}");
    (
        request
            .id
            .as_ref()
            .and_then(|id| id.as_str())
            .expect("a correlation id")
            .to_string(),
        request.command.clone(),
    )
}

fn page(filter: CallFilter, before: Option<CallCursor>, limit: usize) -> Command {
    Command::CallHistory {
        filter,
        before,
        limit: Some(limit),
    }
}

fn kind(kind: CallKind) -> CallFilter {
    CallFilter {
        kind: Some(kind),
        ..CallFilter::default()
    }
}

fn answer(h: &mut Harness, id: &str, calls: Vec<CallRecord>, more: bool, missed_unseen: u64) {
    h.event(Event::CallHistory {
        id: Some(id.into()),
        calls,
        more,
        missed_unseen,
    });
}

fn click(h: &mut Harness, window: window::Id, id: impl Into<iced::widget::Id>) {
    let id = id.into();
    h.interact_in(window, |ui| {
        ui.click(selector::id(id.clone()))
            .unwrap_or_else(|e| panic!("nothing to click at {id:?}: {e}"));
    });
}

/// Opens the window with the history button; returns it and the id of
/// its first request, after checking what was sent.
fn open_history(h: &mut Harness) -> (window::Id, String) {
    let main = h.app.main_window();
    click(h, main, HISTORY_ID);
    let window = h.app.history_window().expect("the call history window");
    assert_eq!(h.app.window_kind(window), Some(&WindowKind::History));
    let sent = envelopes(h);
    let commands: Vec<&Command> = sent.iter().map(|e| &e.command).collect();
    // All calls show the missed ones too: seen, then the first page.
    assert_eq!(
        commands,
        [
            &Command::MarkCallsSeen { account: None },
            &page(CallFilter::default(), None, 50)
        ]
    );
    let (id, _) = history_request(&sent);
    (window, id)
}

#[test]
fn the_history_lists_calls_newest_first_with_names_kinds_times_and_durations() {
    let (mut h, _) = harness();
    let (w, id) = open_history(&mut h);
    assert_eq!(h.app.title(w), "Call history – Hark");
    h.shows_in(w, "Loading…");
    let now = now_ms();
    answer(&mut h, &id, three_calls(now), false, 0);

    // The list's names win; else the call's name; else the address.
    h.shows_in(w, "Bob Builder");
    h.shows_in(w, "Dave Dialer");
    h.shows_in(w, "Carol Chen");
    h.shows_in(w, "Placed · 3:12");
    h.shows_in(w, "Missed");
    h.shows_in(w, "Received · 0:45");
    let i18n = I18n::for_language(Language::EnUs);
    h.shows_in(w, &when(&i18n, now - 10 * MINUTE, now_ms()));
    h.does_not_show_in(w, "Load older calls");
    let rows: Vec<i64> = h
        .app
        .history_window_state()
        .unwrap()
        .rows()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(rows, [3, 2, 1], "newest first, as the engine lists them");

    // A peer without any name shows as their address; an older call its day.
    let stranger = record(
        9,
        "sip:x@far.test",
        CallKind::Placed,
        now,
        None,
        CallEnd::Busy,
    );
    let old = record(
        8,
        BOB,
        CallKind::Received,
        now - 40 * 24 * 60 * MINUTE,
        None,
        CallEnd::Declined,
    );
    // A call ended: the window asks again for what it shows.
    let mut ringing = ringing_view("c1", CAROL, now);
    h.event(Event::Call {
        call: Box::new(ringing.clone()),
    });
    assert_eq!(envelopes(&mut h), [], "nothing while it rings");
    ringing.phase = CallPhase::Ended;
    ringing.end_reason = Some("declined".into());
    h.event(Event::Call {
        call: Box::new(ringing),
    });
    let (id, command) = history_request(&envelopes(&mut h));
    assert_eq!(command, page(CallFilter::default(), None, 50));
    let calls = vec![stranger, three_calls(now).remove(0), old.clone()];
    answer(&mut h, &id, calls, false, 0);
    h.shows_in(w, "x@far.test");
    h.shows_in(w, "Placed · Busy");
    h.shows_in(w, "Received · Declined");
    h.shows_in(w, &when(&i18n, old.started, now_ms()));
    h.does_not_show_in(w, "Carol Chen");

    // Escape closes it.
    h.update(hark::ui::Message::EscapeIn(w));
    h.update(hark::ui::Message::WindowClosed(w));
    assert_eq!(h.app.history_window(), None);
}

#[test]
fn filters_ask_for_their_calls_and_stale_answers_are_dropped() {
    let (mut h, _) = harness();
    let (w, first) = open_history(&mut h);

    // Placed: no missed calls shown, nothing marked seen.
    click(&mut h, w, filter_id(Some(CallKind::Placed)));
    let sent = envelopes(&mut h);
    let (placed, command) = history_request(&sent);
    assert_eq!(sent.len(), 1);
    assert_eq!(command, page(kind(CallKind::Placed), None, 50));

    // The answer to the first request comes late: dropped.
    let now = now_ms();
    answer(&mut h, &first, three_calls(now), false, 0);
    h.does_not_show_in(w, "Carol Chen");
    answer(&mut h, &placed, vec![three_calls(now).remove(0)], false, 0);
    h.shows_in(w, "Bob Builder");
    h.does_not_show_in(w, "Dave Dialer");

    click(&mut h, w, filter_id(Some(CallKind::Received)));
    let (received, command) = history_request(&envelopes(&mut h));
    assert_eq!(command, page(kind(CallKind::Received), None, 50));
    answer(&mut h, &received, vec![], false, 0);
    h.shows_in(w, "No calls received yet.");

    // Missed shows missed calls: they count as seen.
    click(&mut h, w, filter_id(Some(CallKind::Missed)));
    let sent = envelopes(&mut h);
    assert_eq!(sent[0].command, Command::MarkCallsSeen { account: None });
    assert_eq!(
        history_request(&sent).1,
        page(kind(CallKind::Missed), None, 50)
    );

    // The text filter narrows the kind shown.
    h.interact_in(w, |ui| {
        ui.click(selector::id(TEXT_ID)).expect("the text filter");
        let _ = ui.typewrite("dave");
    });
    let sent = envelopes(&mut h);
    let (id, command) = history_request(&sent[sent.len() - 1..]);
    assert_eq!(
        command,
        page(
            CallFilter {
                kind: Some(CallKind::Missed),
                account: None,
                text: Some("dave".into()),
            },
            None,
            50
        )
    );
    answer(&mut h, &id, vec![], false, 0);
    h.shows_in(w, "No calls with “dave”.");

    // A refusal shows in the window, not as a notice in the main one.
    click(&mut h, w, filter_id(None));
    let (id, _) = history_request(&envelopes(&mut h));
    h.event(Event::Error {
        id: Some(id.into()),
        kind: ErrorKind::Failed,
        message: "the database could not be opened".into(),
    });
    h.shows_in(
        w,
        "The call history could not be read: the database could not be opened",
    );
    h.does_not_show("Hark could not do that: the database could not be opened");
}

#[test]
fn load_older_asks_for_the_calls_after_the_last_one_shown() {
    let (mut h, _) = harness();
    let (w, id) = open_history(&mut h);
    let now = now_ms();
    let calls = three_calls(now);
    let last = calls[2].clone();
    answer(&mut h, &id, calls, true, 0);
    h.shows_in(w, "Load older calls");
    click(&mut h, w, OLDER_ID);
    let (older, command) = history_request(&envelopes(&mut h));
    assert_eq!(
        command,
        page(
            CallFilter::default(),
            Some(CallCursor {
                started: last.started,
                id: last.id,
            }),
            50
        )
    );
    // Asked once, however often clicked.
    click(&mut h, w, OLDER_ID);
    assert_eq!(envelopes(&mut h), []);
    h.shows_in(w, "Loading…");

    let older_call = CallRecord {
        peer_name: Some("Erin Early".into()),
        ..record(
            0,
            "sip:erin@hark.test",
            CallKind::Placed,
            now - 90 * MINUTE,
            Some(7),
            CallEnd::Hangup,
        )
    };
    answer(&mut h, &older, vec![older_call], false, 0);
    let rows: Vec<i64> = h
        .app
        .history_window_state()
        .unwrap()
        .rows()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(rows, [3, 2, 1, 0]);
    h.shows_in(w, "Erin Early");
    h.shows_in(w, "Carol Chen");
    h.does_not_show_in(w, "Load older calls");

    // A refresh keeps as many calls as are shown.
    h.update(hark::ui::Message::History(
        hark::ui::screen::call_history::Message::Refresh,
    ));
    assert_eq!(
        history_request(&envelopes(&mut h)).1,
        page(CallFilter::default(), None, 50)
    );
}

#[test]
fn call_back_calls_the_peer_from_the_calls_account() {
    let (mut h, _) = harness();
    let (w, id) = open_history(&mut h);
    let now = now_ms();
    answer(&mut h, &id, three_calls(now), false, 0);
    click(&mut h, w, call_back_id(2));
    assert_eq!(
        h.commands(),
        [Command::Call {
            account: Some(ALICE.into()),
            uri: DAVE.into(),
        }]
    );
    click(&mut h, w, call_back_id(3));
    assert_eq!(
        h.commands(),
        [Command::Call {
            account: Some(ALICE.into()),
            uri: BOB.into(),
        }]
    );
}

#[test]
fn the_badge_counts_missed_calls_from_the_store_and_clicking_it_shows_them_as_seen() {
    let (mut h, _) = harness();
    // The snapshot is complete: the badge asks the store.
    h.event(Event::Ok {
        id: Some(SNAPSHOT_ID.into()),
    });
    let (id, command) = history_request(&envelopes(&mut h));
    assert_eq!(command, page(kind(CallKind::Missed), None, 20));
    let now = now_ms();
    let dave = CallRecord {
        peer_name: Some("Dave Dialer".into()),
        ..record(
            2,
            DAVE,
            CallKind::Missed,
            now - 20 * MINUTE,
            None,
            CallEnd::NoAnswer,
        )
    };
    let seen = CallRecord {
        seen: true,
        ..record(
            1,
            CAROL,
            CallKind::Missed,
            now - 90 * MINUTE,
            None,
            CallEnd::NoAnswer,
        )
    };
    let bob = record(
        0,
        BOB,
        CallKind::Missed,
        now - 120 * MINUTE,
        None,
        CallEnd::NoAnswer,
    );
    // Three not seen, two of them among the ones listed.
    answer(&mut h, &id, vec![dave, seen, bob], false, 3);
    h.shows("3 missed calls");
    h.shows("Dave Dialer, Bob Builder");
    assert_eq!(h.app.main().dial_pad().missed_count(), 3);

    // A click shows the missed calls in the history: marked seen, and the
    // badge goes.
    h.interact(|ui| {
        ui.click("3 missed calls").expect("the badge");
    });
    let w = h.app.history_window().expect("the history window");
    let sent = envelopes(&mut h);
    assert_eq!(sent[0].command, Command::MarkCallsSeen { account: None });
    let (page_id, command) = history_request(&sent);
    assert_eq!(command, page(kind(CallKind::Missed), None, 50));
    h.does_not_show("3 missed calls");
    assert_eq!(h.app.main().dial_pad().missed_count(), 0);
    // The engine's Ok to mark_calls_seen stays with the history.
    h.event(Event::Ok {
        id: sent[0].id.clone(),
    });
    answer(&mut h, &page_id, vec![], false, 0);
    h.shows_in(w, "No missed calls.");
    h.does_not_show("1 missed call");

    // A call missed later brings the badge back; clicking it with the
    // window open (showing all) turns the window to the missed calls.
    click(&mut h, w, filter_id(None));
    envelopes(&mut h);
    let mut ringing = ringing_view("c9", BOB, now);
    h.event(Event::Call {
        call: Box::new(ringing.clone()),
    });
    ringing.phase = CallPhase::Ended;
    ringing.end_reason = Some("cancelled".into());
    h.event(Event::Call {
        call: Box::new(ringing),
    });
    h.shows("1 missed call");
    let (refresh, _) = history_request(&envelopes(&mut h));
    // An answer to a request sent before the last marking counts for the
    // rows, not for the badge; this one came after.
    answer(&mut h, &refresh, vec![], false, 1);
    h.shows("1 missed call");
    h.interact(|ui| {
        ui.click("1 missed call").expect("the badge");
    });
    assert_eq!(h.app.history_window(), Some(w), "the same window");
    let sent = envelopes(&mut h);
    assert_eq!(sent[0].command, Command::MarkCallsSeen { account: None });
    assert_eq!(
        history_request(&sent).1,
        page(kind(CallKind::Missed), None, 50)
    );
    h.does_not_show("1 missed call");

    // The history button raises the open window; with a badge to clear,
    // the calls shown are seen and asked for again.
    let main = h.app.main_window();
    click(&mut h, main, HISTORY_ID);
    assert_eq!(envelopes(&mut h), [], "nothing new to see");
    h.event(Event::Call {
        call: Box::new(CallView {
            id: "c10".into(),
            phase: CallPhase::Ended,
            end_reason: Some("no-answer".into()),
            ..ringing_view("c10", BOB, now)
        }),
    });
    envelopes(&mut h);
    h.shows("1 missed call");
    click(&mut h, main, HISTORY_ID);
    assert_eq!(h.app.history_window(), Some(w));
    let sent = envelopes(&mut h);
    assert_eq!(sent[0].command, Command::MarkCallsSeen { account: None });
    assert_eq!(
        history_request(&sent).1,
        page(kind(CallKind::Missed), None, 50)
    );
    h.does_not_show("1 missed call");
}

#[test]
fn a_stale_count_does_not_bring_the_badge_back() {
    let (mut h, _) = harness();
    h.event(Event::Ok {
        id: Some(SNAPSHOT_ID.into()),
    });
    let (seed, _) = history_request(&envelopes(&mut h));
    // The window opens (all calls: seen) before the store answered.
    let (_, page_id) = open_history(&mut h);
    // The store's answer from before the marking: its count is old.
    answer(&mut h, &seed, vec![], false, 4);
    h.does_not_show("4 missed calls");
    answer(&mut h, &page_id, vec![], false, 0);
    h.does_not_show("4 missed calls");
}

fn voicemail(h: &mut Harness, waiting: bool, new: u32, old: u32) {
    h.event(Event::Voicemail {
        account: ALICE.into(),
        waiting,
        new,
        old,
    });
}

fn pilot(h: &mut Harness, pilot: Option<&str>) {
    h.event(Event::CallSettings {
        settings: Box::new(CallSettings {
            voicemail: pilot.map(Into::into),
            ..CallSettings::default()
        }),
    });
}

#[test]
fn the_voicemail_indicator_shows_new_messages_and_calls_the_pilot() {
    let (mut h, _) = harness();
    pilot(&mut h, Some(PILOT));
    h.does_not_show("✉");
    voicemail(&mut h, true, 2, 1);
    h.shows("✉");
    h.shows("2");
    let i18n = I18n::for_language(Language::EnUs);
    assert_eq!(
        h.app.main().voicemail().tip(&i18n),
        "2 new, 1 old voice messages. Click to listen (calls voicemail@hark.test)."
    );
    let main = h.app.main_window();
    click(&mut h, main, INDICATOR_ID);
    assert_eq!(
        h.commands(),
        [Command::Call {
            account: Some(ALICE.into()),
            uri: PILOT.into(),
        }]
    );

    // Listened to: the box empties, the indicator goes.
    voicemail(&mut h, false, 0, 3);
    h.does_not_show("✉");
    assert!(!h.app.main().voicemail().shown());
}

#[test]
fn without_a_pilot_the_indicator_shows_the_count_and_says_so() {
    let (mut h, _) = harness();
    pilot(&mut h, None);
    voicemail(&mut h, true, 5, 0);
    h.shows("✉");
    h.shows("5");
    let i18n = I18n::for_language(Language::EnUs);
    assert_eq!(
        h.app.main().voicemail().tip(&i18n),
        "5 new, 0 old voice messages. No voicemail number is set, so Hark cannot call your voicemail."
    );
    let main = h.app.main_window();
    click(&mut h, main, INDICATOR_ID);
    assert_eq!(h.commands(), [], "nothing to call");

    // A pilot set later (the settings screen): the click calls it.
    pilot(&mut h, Some("  "));
    click(&mut h, main, INDICATOR_ID);
    assert_eq!(h.commands(), [], "blank is no pilot");
    pilot(&mut h, Some(PILOT));
    click(&mut h, main, INDICATOR_ID);
    assert_eq!(
        h.commands(),
        [Command::Call {
            account: Some(ALICE.into()),
            uri: PILOT.into(),
        }]
    );

    let de = I18n::for_language(Language::from_tag("de").unwrap());
    assert_eq!(
        h.app.main().voicemail().tip(&de),
        "5 neue, 0 alte Sprachnachrichten. Klicken zum Abhören (ruft voicemail@hark.test an)."
    );
}

#[test]
fn the_history_reads_in_german() {
    let (mut h, _) = harness_in(Language::from_tag("de").unwrap());
    let main = h.app.main_window();
    click(&mut h, main, HISTORY_ID);
    let w = h.app.history_window().unwrap();
    let (id, _) = history_request(&envelopes(&mut h));
    assert_eq!(h.app.title(w), "Anrufliste – Hark");
    answer(&mut h, &id, three_calls(now_ms()), true, 0);
    h.shows_in(w, "Ausgehend · 3:12");
    h.shows_in(w, "Verpasst");
    h.shows_in(w, "Eingehend · 0:45");
    h.shows_in(w, "Ältere Anrufe laden");
    h.shows_in(w, "Alle");
}
