use super::*;

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A PCMU packet as on the wire: V=2, no P/X/CC, M=1, PT=0, seq 0x1234,
/// ts 0xdeadbeef, SSRC 0x01020304, payload "abc".
const PLAIN: [u8; 15] = [
    0x80, 0x80, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, b'a', b'b', b'c',
];

#[test]
fn parses_the_fixed_header() {
    let p = RtpPacket::parse(&PLAIN).unwrap();
    assert!(p.marker);
    assert_eq!(p.payload_type, 0);
    assert_eq!(p.sequence, 0x1234);
    assert_eq!(p.timestamp, 0xdead_beef);
    assert_eq!(p.ssrc, 0x0102_0304);
    assert!(p.csrcs.is_empty());
    assert_eq!(p.payload, b"abc");
    assert_eq!(p.to_bytes().unwrap(), PLAIN);
}

#[test]
fn csrcs_extension_and_padding_are_handled() {
    // V=2 P=1 X=1 CC=2, PT 111, two CSRCs, a 1-word extension (profile
    // 0xBEDE), payload "hi", 3 bytes of padding (last byte = 3).
    let mut d = vec![0xb2, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 9];
    d.extend_from_slice(&[0, 0, 0, 7, 0, 0, 0, 8]);
    d.extend_from_slice(&[0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0]);
    d.extend_from_slice(b"hi");
    d.extend_from_slice(&[0, 0, 3]);
    let p = RtpPacket::parse(&d).unwrap();
    assert!(!p.marker);
    assert_eq!(p.payload_type, 111);
    assert_eq!(p.csrcs, vec![7, 8]);
    assert_eq!(p.payload, b"hi");
    // Written back without extension and padding, it parses to the same.
    assert_eq!(RtpPacket::parse(&p.to_bytes().unwrap()).unwrap(), p);
}

#[test]
fn malformed_inputs_are_typed_errors() {
    assert!(matches!(
        RtpPacket::parse(&PLAIN[..11]),
        Err(RtpError::Truncated { expected: 12, .. })
    ));
    assert_eq!(
        RtpPacket::parse(&[]).unwrap_err(),
        RtpError::Truncated {
            expected: 12,
            actual: 0
        }
    );
    let mut v1 = PLAIN;
    v1[0] = 0x40;
    assert_eq!(RtpPacket::parse(&v1), Err(RtpError::Version(1)));
    // CC=3 but only two CSRC words.
    let mut cc = PLAIN.to_vec();
    cc[0] = 0x83;
    assert!(matches!(
        RtpPacket::parse(&cc),
        Err(RtpError::Truncated { .. })
    ));
    // Extension header that claims more words than there are.
    let mut x = PLAIN[..12].to_vec();
    x[0] = 0x90;
    x.extend_from_slice(&[0xbe, 0xde, 0, 9, 1, 2, 3, 4]);
    assert!(matches!(
        RtpPacket::parse(&x),
        Err(RtpError::Truncated { .. })
    ));
    // Extension bit but not even the extension header.
    assert!(matches!(
        RtpPacket::parse(&x[..14]),
        Err(RtpError::Truncated { .. })
    ));
    // Padding count zero, and padding longer than the payload.
    let mut p0 = PLAIN;
    p0[0] = 0xa0;
    p0[14] = 0;
    assert_eq!(RtpPacket::parse(&p0), Err(RtpError::Padding(0)));
    p0[14] = 200;
    assert!(matches!(
        RtpPacket::parse(&p0),
        Err(RtpError::Truncated { .. })
    ));
    // Padding that eats exactly the payload is fine (empty payload).
    p0[14] = 3;
    assert_eq!(RtpPacket::parse(&p0).unwrap().payload, b"");
    // An RTCP receiver report on a muxed port.
    let rr = [0x80, 201, 0, 1, 0, 0, 0, 1];
    assert_eq!(RtpPacket::parse(&rr), Err(RtpError::LooksLikeRtcp(201)));
}

#[test]
fn every_truncation_of_a_full_packet_is_an_error_not_a_panic() {
    let mut d = vec![0xb1, 0x60, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
    d.extend_from_slice(&[0x10, 0x00, 0, 1, 1, 2, 3, 4, 9, 9, 0, 2]);
    assert!(RtpPacket::parse(&d).is_ok());
    for n in 0..d.len() {
        assert!(RtpPacket::parse(&d[..n]).is_err(), "prefix {n}");
    }
}

#[test]
fn writing_refuses_what_does_not_fit() {
    let mut p = RtpPacket::parse(&PLAIN).unwrap();
    p.payload_type = 128;
    assert_eq!(p.to_bytes(), Err(RtpError::PayloadType(128)));
    p.payload_type = 0;
    p.csrcs = vec![1; 16];
    assert_eq!(p.to_bytes(), Err(RtpError::TooManyCsrcs(16)));
    p.csrcs = vec![1; 15];
    assert_eq!(RtpPacket::parse(&p.to_bytes().unwrap()).unwrap(), p);
}

#[test]
fn sender_steps_sequence_and_timestamp_with_wrap() {
    let mut s = RtpSender::with_initial(0, 160, 0xabc, 0xfffe, u32::MAX - 200);
    let a = s.packetize(&[1; 160]);
    let b = s.packetize(&[2; 160]);
    let c = s.packetize(&[3; 160]);
    assert_eq!((a.sequence, b.sequence, c.sequence), (0xfffe, 0xffff, 0));
    assert_eq!(a.timestamp, u32::MAX - 200);
    assert_eq!(b.timestamp, (u32::MAX - 200).wrapping_add(160));
    assert_eq!(c.timestamp, 119);
    assert!(a.marker && !b.marker && !c.marker);
    assert_eq!(a.ssrc, 0xabc);
    assert_eq!((s.packets_sent(), s.octets_sent()), (3, 480));
    assert_eq!(s.last_timestamp(), Some(119));
    // DTX: two frames not sent; the timestamp jumps, the sequence does not,
    // and the talkspurt start is marked.
    s.skip_frames(2);
    let d = s.packetize(&[4; 10]);
    assert_eq!(d.sequence, 1);
    assert_eq!(d.timestamp, 119 + 3 * 160);
    assert!(d.marker);
    let bytes = d.to_bytes().unwrap();
    assert_eq!(RtpPacket::parse(&bytes).unwrap(), d);
}

#[test]
fn senders_start_at_random_values() {
    let a = RtpSender::new(111, 960);
    let b = RtpSender::new(111, 960);
    assert_ne!(
        (a.ssrc(), a.next_sequence(), a.next_timestamp()),
        (b.ssrc(), b.next_sequence(), b.next_timestamp())
    );
    assert_eq!(a.payload_type(), 111);
}

fn packet(ssrc: u32, seq: u16, pt: u8) -> Vec<u8> {
    RtpSender::with_initial(pt, 160, ssrc, seq, 0)
        .packetize(b"x")
        .to_bytes()
        .unwrap()
}

#[test]
fn filter_latches_on_the_expected_address_and_ssrc() {
    let remote = addr("192.0.2.10:4000");
    let mut f = SourceFilter::new(remote).with_payload_types(&[0, 101]);
    // Something else first: dropped, nothing latched.
    assert_eq!(
        f.accept(addr("198.51.100.1:4000"), &packet(1, 1, 0)),
        Err(Dropped::WrongAddress(addr("198.51.100.1:4000")))
    );
    assert!(f.latched().is_none());
    assert!(f.accept(remote, &packet(7, 1, 0)).is_ok());
    assert_eq!(f.latched(), Some((remote, 7)));
    assert!(f.accept(remote, &packet(7, 2, 101)).is_ok());
    assert!(matches!(
        f.accept(remote, &packet(7, 3, 8)),
        Err(Dropped::WrongPayloadType(8))
    ));
    assert!(matches!(
        f.accept(remote, &packet(9, 3, 0)),
        Err(Dropped::WrongSsrc(9))
    ));
    assert!(matches!(
        f.accept(remote, &PLAIN[..5]),
        Err(Dropped::BadHeader(_))
    ));
    assert!(matches!(
        f.accept(addr("192.0.2.10:4001"), &packet(7, 4, 0)),
        Err(Dropped::WrongAddress(_))
    ));
    let s = f.stats();
    assert_eq!(
        (
            s.accepted,
            s.wrong_address,
            s.wrong_ssrc,
            s.bad_header,
            s.wrong_payload_type
        ),
        (2, 2, 1, 1, 1)
    );
}

#[test]
fn filter_follows_a_persistent_new_ssrc_from_the_latched_address() {
    let remote = addr("192.0.2.10:4000");
    let mut f = SourceFilter::new(remote);
    assert!(f.accept(remote, &packet(1, 1, 0)).is_ok());
    for i in 1..SSRC_CHANGE_PROBATION {
        assert!(f.accept(remote, &packet(2, i as u16, 0)).is_err());
    }
    // Interleaved old SSRC resets the probation.
    assert!(f.accept(remote, &packet(1, 2, 0)).is_ok());
    for i in 1..SSRC_CHANGE_PROBATION {
        assert!(f.accept(remote, &packet(2, i as u16, 0)).is_err());
    }
    assert!(f.accept(remote, &packet(2, 99, 0)).is_ok());
    assert_eq!(f.latched(), Some((remote, 2)));
    assert!(f.accept(remote, &packet(1, 3, 0)).is_err());
    assert_eq!(f.stats().ssrc_changes, 1);
}

#[test]
fn latching_filter_takes_the_first_source_behind_nat() {
    let sdp = addr("10.0.0.5:4000");
    let nat = addr("203.0.113.7:31000");
    let mut f = SourceFilter::latching(Some(sdp));
    assert!(f.accept(nat, &packet(5, 1, 0)).is_ok());
    assert_eq!(f.latched(), Some((nat, 5)));
    assert!(f.accept(addr("203.0.113.8:1"), &packet(5, 2, 0)).is_err());
    // The SDP address itself, once it sends, wins.
    assert!(f.accept(sdp, &packet(6, 1, 0)).is_ok());
    assert_eq!(f.latched(), Some((sdp, 6)));
    assert!(f.accept(nat, &packet(5, 3, 0)).is_err());
    f.reset(None);
    assert!(f.latched().is_none());
    assert!(f.accept(nat, &packet(5, 4, 0)).is_ok());
}
