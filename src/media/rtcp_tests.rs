use super::*;

fn block(ssrc: u32, lost: i32) -> ReportBlock {
    ReportBlock {
        ssrc,
        fraction_lost: 12,
        cumulative_lost: lost,
        extended_highest_seq: 0x0001_0005,
        jitter: 40,
        lsr: 0xb705_2000,
        dlsr: 0x0005_4000,
    }
}

#[test]
fn rfc3550_round_trip_example() {
    // RFC 3550 §6.4.1, Figure 2: A = 0xb710:8000 (46864.500 s), LSR =
    // 0xb705:2000 (46853.125 s), DLSR = 0x0005:4000 (5.250 s) -> 6.125 s.
    let b = block(1, 0);
    let arrival = 0xb710_8000u64 << 16;
    assert_eq!(
        round_trip_time(&b, arrival),
        Some(Duration::from_millis(6125))
    );
    // No SR seen yet, or DLSR larger than the time since the SR.
    assert_eq!(round_trip_time(&ReportBlock { lsr: 0, ..b }, arrival), None);
    assert_eq!(
        round_trip_time(
            &ReportBlock {
                dlsr: 0x000c_0000,
                ..b
            },
            arrival
        ),
        None
    );
}

#[test]
fn ntp_timestamps() {
    assert_eq!(ntp_from_system_time(UNIX_EPOCH), NTP_UNIX_OFFSET << 32);
    let t = UNIX_EPOCH + Duration::from_millis(1500);
    let ntp = ntp_from_system_time(t);
    assert_eq!(ntp >> 32, NTP_UNIX_OFFSET + 1);
    assert_eq!(ntp as u32, 0x8000_0000);
    assert_eq!(
        ntp_middle32(ntp),
        (((NTP_UNIX_OFFSET + 1) as u32) << 16) | 0x8000
    );
}

#[test]
fn sr_sdes_bye_round_trip() {
    let info = SenderInfo {
        ntp_timestamp: 0x1122_3344_5566_7788,
        rtp_timestamp: 0xdead_beef,
        packet_count: 50,
        octet_count: 8000,
    };
    let packets = vec![
        RtcpPacket::SenderReport {
            ssrc: 0xaaaa,
            info,
            reports: vec![block(0xbbbb, -3), block(0xcccc, 0x7f_ffff)],
        },
        RtcpPacket::SourceDescription {
            ssrc: 0xaaaa,
            cname: "hark@example.test".into(),
        },
        RtcpPacket::Bye {
            ssrcs: vec![0xaaaa],
        },
    ];
    let bytes = build_compound(&packets).unwrap();
    assert_eq!(bytes.len() % 4, 0);
    assert_eq!(bytes[1], 200);
    let parsed = parse_compound(&bytes).unwrap();
    assert_eq!(parsed[0], packets[0]);
    assert_eq!(parsed[1], RtcpPacket::Other { packet_type: 202 });
    assert_eq!(parsed[2], packets[2]);
    assert_eq!(parsed.len(), 3);
}

#[test]
fn report_is_rr_or_sr_plus_cname() {
    let rr = report(7, None, vec![block(9, 1)], "a@b").unwrap();
    let p = parse_compound(&rr).unwrap();
    assert_eq!(
        p[0],
        RtcpPacket::ReceiverReport {
            ssrc: 7,
            reports: vec![block(9, 1)]
        }
    );
    assert_eq!(p[1], RtcpPacket::Other { packet_type: 202 });
    let sr = report(7, Some(SenderInfo::default()), vec![], "a@b").unwrap();
    assert!(matches!(
        parse_compound(&sr).unwrap()[0],
        RtcpPacket::SenderReport { ssrc: 7, .. }
    ));
    // 32 blocks do not fit the 5-bit count.
    assert!(matches!(
        report(7, None, vec![block(9, 1); 32], "a@b"),
        Err(RtcpError::Write(_))
    ));
    assert!(build_compound(&[RtcpPacket::Other { packet_type: 204 }]).is_err());
}

#[test]
fn malformed_compounds_are_typed_errors() {
    let rr = report(7, None, vec![block(9, 1)], "a@b").unwrap();
    assert!(matches!(
        parse_compound(&[]),
        Err(RtcpError::Truncated { .. })
    ));
    let first_len = (u16::from_be_bytes([rr[2], rr[3]]) as usize + 1) * 4;
    for n in 1..rr.len() {
        // The RR alone (the first packet) is a valid datagram.
        assert_eq!(
            parse_compound(&rr[..n]).is_ok(),
            n == first_len,
            "prefix {n}"
        );
    }
    let mut v = rr.clone();
    v[0] = (v[0] & 0x3f) | 0x40;
    assert_eq!(parse_compound(&v), Err(RtcpError::Version(1)));
    // Second packet with version 3 (the crate's own walk only checks the first).
    let mut v = rr.clone();
    v[first_len] |= 0xc0;
    assert_eq!(parse_compound(&v), Err(RtcpError::Version(3)));
    // Padding bit on the first of two packets.
    let mut v = rr.clone();
    v[0] |= 0x20;
    assert_eq!(parse_compound(&v), Err(RtcpError::Padding));
    // An RR whose count claims two blocks but whose length holds one.
    let mut v = rr[..first_len].to_vec();
    v[0] = (v[0] & 0xe0) | 2;
    assert!(parse_compound(&v).is_err());
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn in_order_stream_with_loss_and_sequence_wrap() {
    let t0 = Instant::now();
    let mut s = ReceptionStats::new(5, 8000);
    // 100 packets from seq 65500 (wrapping), every 20th lost.
    for i in 0..100u32 {
        if i % 20 == 7 {
            continue;
        }
        let seq = (65_500 + i) as u16;
        assert!(s.on_rtp(seq, i * 160, t0 + ms(20 * i as u64)));
    }
    assert_eq!(s.extended_highest_seq(), 65_536 + ((65_500 + 99) % 65_536));
    assert_eq!(s.expected(), 100);
    assert_eq!(s.received(), 95);
    assert_eq!(s.cumulative_lost(), 5);
    assert_eq!(s.jitter(), 0);
    let b = s.report_block(t0 + ms(2000));
    assert_eq!(b.fraction_lost, (5 * 256 / 100) as u8);
    assert_eq!(b.cumulative_lost, 5);
    assert_eq!(b.extended_highest_seq, 65_536 + 63);
    assert_eq!((b.lsr, b.dlsr), (0, 0));
    // Next interval: nothing lost.
    for i in 100..150u32 {
        s.on_rtp((65_500 + i) as u16, i * 160, t0 + ms(20 * i as u64));
    }
    assert_eq!(s.report_block(t0 + ms(3000)).fraction_lost, 0);
}

#[test]
fn reordering_and_duplicates_across_the_wrap() {
    let t = Instant::now();
    let mut s = ReceptionStats::new(1, 8000);
    for seq in [65_534u16, 0, 65_535, 1, 1, 2] {
        s.on_rtp(seq, 0, t);
    }
    // The late 65535 must not count a second cycle.
    assert_eq!(s.extended_highest_seq(), 65_536 + 2);
    assert_eq!(s.expected(), 5);
    assert_eq!(s.received(), 6);
    assert_eq!(s.cumulative_lost(), -1);
    assert_eq!(s.report_block(t).cumulative_lost, -1);
}

#[test]
fn a_restarted_source_is_believed_on_the_second_packet() {
    let t = Instant::now();
    let mut s = ReceptionStats::new(1, 8000);
    for seq in 10..20u16 {
        s.on_rtp(seq, 0, t);
    }
    assert!(!s.on_rtp(40_000, 0, t));
    assert_eq!(s.extended_highest_seq(), 19);
    assert!(s.on_rtp(40_001, 0, t));
    assert_eq!(s.extended_highest_seq(), 40_001);
    assert_eq!((s.expected(), s.received()), (1, 1));
}

#[test]
fn jitter_follows_rfc3550_a8() {
    let t0 = Instant::now();
    let mut s = ReceptionStats::new(1, 8000);
    // Every other packet 10 ms late: |D| = 80 units each time, so J -> 80.
    for i in 0..400u32 {
        let late = if i % 2 == 1 { 10 } else { 0 };
        s.on_rtp(i as u16, i * 160, t0 + ms(20 * i as u64 + late));
    }
    assert!((78..=80).contains(&s.jitter()), "{}", s.jitter());
    assert_eq!(s.jitter_duration().as_millis(), 9);
    // Jitter must also survive a timestamp wrap.
    let mut w = ReceptionStats::new(1, 8000);
    for i in 0..50u32 {
        w.on_rtp(
            i as u16,
            (u32::MAX - 800).wrapping_add(i * 160),
            t0 + ms(20 * i as u64),
        );
    }
    assert_eq!(w.jitter(), 0);
}

#[test]
fn lsr_dlsr_and_the_round_trip_seen_by_the_sender() {
    let t0 = Instant::now();
    let wall0 = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    // We send an SR at wall0; it takes 30 ms to the peer, which holds it for
    // 1.5 s and sends its RR, which takes 50 ms back: RTT 80 ms.
    let sr_ntp = ntp_from_system_time(wall0);
    let mut peer = ReceptionStats::new(0xabc, 48_000);
    peer.on_rtp(1, 0, t0);
    peer.on_sender_report(sr_ntp, t0 + ms(30));
    let b = peer.report_block(t0 + ms(1530));
    assert_eq!(b.lsr, ntp_middle32(sr_ntp));
    assert_eq!(b.dlsr, 98_304);
    let bytes = report(0xdef, None, vec![b], "peer").unwrap();
    let RtcpPacket::ReceiverReport { reports, .. } = &parse_compound(&bytes).unwrap()[0] else {
        panic!("not an RR")
    };
    let back = ntp_from_system_time(wall0 + ms(1580));
    let rtt = round_trip_time(&reports[0], back).unwrap();
    assert!(rtt.abs_diff(ms(80)) < Duration::from_micros(100), "{rtt:?}");

    let q = CallQuality::new(&peer, Some((&reports[0], back)), 48_000);
    assert_eq!(q.round_trip, Some(rtt));
    assert_eq!(q.lost, 0);
    assert_eq!(q.remote_fraction_lost, Some(0.0));
}
