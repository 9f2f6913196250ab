use super::*;

fn te(event: u8, end: bool, duration: u16) -> [u8; 4] {
    TelephoneEvent {
        event,
        end,
        volume: 10,
        duration,
    }
    .to_bytes()
}

#[test]
fn key_mapping_both_ways() {
    let keys = "0123456789*#ABCD";
    for (i, k) in keys.chars().enumerate() {
        assert_eq!(event_for_key(k), Some(i as u8));
        assert_eq!(key_for_event(i as u8), Some(k));
    }
    assert_eq!(event_for_key('b'), Some(13));
    assert_eq!(event_for_key('E'), None);
    assert_eq!(key_for_event(16), None);
}

#[test]
fn payload_parse_and_build() {
    // Event 5, E=1, R=1 (ignored), volume 10, duration 800.
    let p = TelephoneEvent::parse(&[5, 0xC0 | 10, 0x03, 0x20]).unwrap();
    assert_eq!(
        p,
        TelephoneEvent {
            event: 5,
            end: true,
            volume: 10,
            duration: 800
        }
    );
    assert_eq!(p.to_bytes(), [5, 0x80 | 10, 0x03, 0x20]);
    assert_eq!(
        TelephoneEvent::parse(&[1, 2, 3]),
        Err(DtmfError::BadLength(3))
    );
    assert_eq!(TelephoneEvent::parse(&[0; 5]), Err(DtmfError::BadLength(5)));
    let loud = TelephoneEvent {
        event: 1,
        end: false,
        volume: 0xFF,
        duration: 0,
    };
    assert_eq!(loud.to_bytes()[1], 0x3F);
}

#[test]
fn sender_sequence_for_a_100_ms_press() {
    let mut s = DtmfSender::new(8000);
    let pkts = s.key_press('7', 1000, 100).unwrap();
    assert_eq!(pkts.len(), 5 + 3);
    assert!(pkts
        .iter()
        .all(|p| p.timestamp == 1000 && p.payload.event == 7));
    assert!(pkts[0].marker);
    assert!(pkts[1..].iter().all(|p| !p.marker));
    let durations: Vec<u16> = pkts.iter().map(|p| p.payload.duration).collect();
    assert_eq!(durations, [160, 320, 480, 640, 800, 800, 800, 800]);
    assert!(pkts[..5].iter().all(|p| !p.payload.end));
    assert!(pkts[5..].iter().all(|p| p.payload.end));
    assert!(!s.is_sending());
    assert_eq!(s.key_press('x', 0, 100), Err(DtmfError::UnknownKey('x')));
}

#[test]
fn sender_stop_without_tick_and_restart() {
    let mut s = DtmfSender::new(16000);
    assert_eq!(s.step(), 320);
    assert!(s.tick().is_empty());
    assert!(s.stop().is_empty());
    assert!(s.start('#', 50).unwrap().is_empty());
    // Starting another key ends the first one.
    let ended = s.start('1', 5000).unwrap();
    assert_eq!(ended.len(), 3);
    assert!(
        ended[0].marker,
        "an event never ticked: its only first packet"
    );
    assert!(ended
        .iter()
        .all(|p| p.payload.end && p.payload.duration == 320));
    assert_eq!(s.tick()[0].timestamp, 5000);
}

#[test]
fn sender_splits_long_events_into_segments() {
    let mut s = DtmfSender::new(8000);
    // 10 s is more than 0xFFFF units (8.19 s) at 8 kHz.
    let pkts = s.key_press('0', 0, 10_000).unwrap();
    let full = pkts
        .iter()
        .position(|p| p.payload.duration == 0xFFFF)
        .unwrap();
    assert_eq!(pkts[full].timestamp, 0);
    assert_eq!(pkts[full + 1].timestamp, 0xFFFF);
    assert!(!pkts[full + 1].marker);
    let last = pkts.last().unwrap();
    assert_eq!(last.timestamp, 0xFFFF);
    assert_eq!(last.payload.duration as u32, 80_000 - 0xFFFF);
    // And the receiver puts it back together.
    let mut r = DtmfReceiver::new();
    let events: Vec<DtmfEvent> = pkts
        .iter()
        .flat_map(|p| r.receive_event(p.timestamp, p.marker, &p.payload))
        .collect();
    assert_eq!(
        events,
        [
            DtmfEvent::KeyDown {
                key: '0',
                timestamp: 0
            },
            DtmfEvent::KeyUp {
                key: '0',
                timestamp: 0,
                duration: 80_000
            }
        ]
    );
}

fn feed(r: &mut DtmfReceiver, pkts: &[(u32, bool, [u8; 4])]) -> Vec<DtmfEvent> {
    pkts.iter()
        .flat_map(|(ts, m, p)| r.receive(*ts, *m, p).unwrap())
        .collect()
}

#[test]
fn receiver_reports_down_and_up_once() {
    let mut s = DtmfSender::new(8000);
    let mut r = DtmfReceiver::new();
    let mut events = Vec::new();
    for p in s.key_press('5', 42, 60).unwrap() {
        events.extend(
            r.receive(p.timestamp, p.marker, &p.payload.to_bytes())
                .unwrap(),
        );
        if events.len() == 1 {
            assert_eq!(r.key_down(), Some('5'));
        }
    }
    assert_eq!(
        events,
        [
            DtmfEvent::KeyDown {
                key: '5',
                timestamp: 42
            },
            DtmfEvent::KeyUp {
                key: '5',
                timestamp: 42,
                duration: 480
            }
        ]
    );
    assert_eq!(r.key_down(), None);
}

#[test]
fn lost_start_packet_still_gives_key_down() {
    let mut r = DtmfReceiver::new();
    let ev = feed(
        &mut r,
        &[
            (800, false, te(9, false, 320)),
            (800, false, te(9, true, 480)),
            (800, false, te(9, true, 480)),
        ],
    );
    assert_eq!(
        ev,
        [
            DtmfEvent::KeyDown {
                key: '9',
                timestamp: 800
            },
            DtmfEvent::KeyUp {
                key: '9',
                timestamp: 800,
                duration: 480
            }
        ]
    );
}

#[test]
fn reordered_end_and_update_packets() {
    let mut r = DtmfReceiver::new();
    let ev = feed(
        &mut r,
        &[
            (100, true, te(1, false, 160)),
            (100, false, te(1, true, 640)),
            (100, false, te(1, false, 480)), // late update
            (100, false, te(1, true, 640)),
            (100, false, te(1, false, 320)), // later still
            (100, false, te(1, true, 640)),
        ],
    );
    assert_eq!(ev.len(), 2);
    assert_eq!(
        ev[1],
        DtmfEvent::KeyUp {
            key: '1',
            timestamp: 100,
            duration: 640
        }
    );
    // An update arriving before its predecessor does not shrink the duration.
    let ev = feed(
        &mut r,
        &[
            (2000, true, te(2, false, 480)),
            (2000, false, te(2, false, 320)),
            (2000, false, te(2, true, 480)),
        ],
    );
    assert_eq!(
        ev[1],
        DtmfEvent::KeyUp {
            key: '2',
            timestamp: 2000,
            duration: 480
        }
    );
}

#[test]
fn all_end_packets_lost_new_event_by_timestamp() {
    let mut r = DtmfReceiver::new();
    let ev = feed(
        &mut r,
        &[
            (0, true, te(3, false, 160)),
            (0, false, te(3, false, 320)),
            // Same key pressed again: a new timestamp means a new event.
            (4000, true, te(3, false, 160)),
            (0, false, te(3, true, 320)), // stale end of the first
        ],
    );
    assert_eq!(
        ev,
        [
            DtmfEvent::KeyDown {
                key: '3',
                timestamp: 0
            },
            DtmfEvent::KeyUp {
                key: '3',
                timestamp: 0,
                duration: 320
            },
            DtmfEvent::KeyDown {
                key: '3',
                timestamp: 4000
            },
        ]
    );
    assert_eq!(
        r.finish(),
        Some(DtmfEvent::KeyUp {
            key: '3',
            timestamp: 4000,
            duration: 160
        })
    );
    assert_eq!(r.finish(), None);
}

#[test]
fn duration_wrap_within_one_timestamp() {
    let mut r = DtmfReceiver::new();
    let ev = feed(
        &mut r,
        &[
            (7, true, te(4, false, 0xFF00)),
            (7, false, te(4, false, 0xFFF0)),
            (7, false, te(4, false, 0x0050)), // wrapped
            (7, false, te(4, true, 0x0100)),
        ],
    );
    assert_eq!(
        ev[1],
        DtmfEvent::KeyUp {
            key: '4',
            timestamp: 7,
            duration: 0x1_0100
        }
    );
}

#[test]
fn timestamp_wrap_and_non_dtmf_events() {
    let mut r = DtmfReceiver::new();
    let ev = feed(
        &mut r,
        &[
            (u32::MAX - 10, true, te(6, true, 160)),
            (5, true, te(6, true, 160)), // later, across the wrap
            (u32::MAX - 10, false, te(6, true, 160)),
            (100, true, te(32, false, 160)), // flash-hook etc.: ignored
        ],
    );
    assert_eq!(ev.len(), 4);
    assert!(matches!(ev[2], DtmfEvent::KeyDown { timestamp: 5, .. }));
    assert_eq!(r.receive(9, false, &[1, 2]), Err(DtmfError::BadLength(2)));
}
