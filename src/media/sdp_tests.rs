//! Tests for the SDP parser and writer: shapes baresip 1.0 and linphone 5.1
//! send, RFC 3264 examples, and malformed input.

use super::*;

/// The shape baresip 1.0 offers (Opus, G.722, G.711, telephone-event).
pub(crate) const BARESIP: &str = "v=0\r\n\
o=- 1436571734 1956212366 IN IP4 10.0.0.2\r\n\
s=-\r\n\
c=IN IP4 10.0.0.2\r\n\
t=0 0\r\n\
a=tool:baresip 1.0.0\r\n\
m=audio 10770 RTP/AVP 96 9 0 8 101\r\n\
b=AS:125\r\n\
a=rtpmap:96 opus/48000/2\r\n\
a=fmtp:96 stereo=1;sprop-stereo=1\r\n\
a=rtpmap:9 G722/8000\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-15\r\n\
a=rtcp:10771\r\n\
a=sendrecv\r\n\
a=label:1\r\n\
a=ssrc:1585164011 cname:sip:bob@hark.test\r\n\
a=rtcp-rsize\r\n\
a=ptime:20\r\n";

/// The shape linphone 5.1 offers: statics without rtpmap, three
/// telephone-events, session-level rtcp-xr, bare LF line ends.
pub(crate) const LINPHONE: &str = "v=0\n\
o=carol 3109 2867 IN IP4 10.0.0.3\n\
s=Talk\n\
c=IN IP4 10.0.0.3\n\
t=0 0\n\
a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics\n\
a=record:off\n\
m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100\n\
a=rtpmap:96 opus/48000/2\n\
a=fmtp:96 useinbandfec=1\n\
a=rtpmap:97 speex/16000\n\
a=fmtp:97 vbr=on\n\
a=rtpmap:98 speex/8000\n\
a=fmtp:98 vbr=on\n\
a=fmtp:18 annexb=yes\n\
a=rtpmap:101 telephone-event/48000\n\
a=rtpmap:99 telephone-event/16000\n\
a=rtpmap:100 telephone-event/8000\n\
a=rtcp-fb:* trr-int 1000\n\
a=rtcp-fb:* ccm tmmbr\n";

/// RFC 3264 §10.1, Alice's offer (audio and video).
pub(crate) const RFC3264_OFFER: &str = "v=0\r\n\
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\n\
s=\r\n\
c=IN IP4 192.0.2.101\r\n\
t=0 0\r\n\
m=audio 49170 RTP/AVP 0 8 97\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:97 iLBC/8000\r\n\
m=video 51372 RTP/AVP 31 32\r\n\
a=rtpmap:31 H261/90000\r\n\
a=rtpmap:32 MPV/90000\r\n";

#[test]
fn baresip_offer_is_read() {
    let sdp = parse(BARESIP.as_bytes()).unwrap();
    assert_eq!(sdp.origin.session_id, 1436571734);
    assert_eq!(sdp.origin.session_version, 1956212366);
    assert_eq!(sdp.connection, Some("10.0.0.2".parse().unwrap()));
    assert_eq!(
        sdp.attributes,
        vec![("tool".into(), Some("baresip 1.0.0".into()))]
    );
    let m = &sdp.media[0];
    assert_eq!(
        (m.media.as_str(), m.port, m.proto.as_str()),
        ("audio", 10770, "RTP/AVP")
    );
    assert_eq!(m.ptime, Some(20));
    assert_eq!(m.rtcp_port, Some(10771));
    assert_eq!(sdp.direction_for(0), Direction::SendRecv);
    let formats = m.formats();
    let names: Vec<_> = formats
        .iter()
        .map(|f| (f.payload_type, f.encoding.as_str(), f.clock_rate))
        .collect();
    assert_eq!(
        names,
        vec![
            (96, "opus", 48000),
            (9, "G722", 8000),
            (0, "PCMU", 8000),
            (8, "PCMA", 8000),
            (101, "telephone-event", 8000)
        ]
    );
    assert_eq!(formats[0].channels, 2);
    assert_eq!(formats[0].fmtp.as_deref(), Some("stereo=1;sprop-stereo=1"));
}

#[test]
fn linphone_offer_with_bare_lf_and_static_types_is_read() {
    let sdp = parse(LINPHONE.as_bytes()).unwrap();
    assert_eq!(sdp.session_name, "Talk");
    let formats = sdp.media[0].formats();
    assert_eq!(formats.len(), 9);
    let g729 = formats.iter().find(|f| f.payload_type == 18).unwrap();
    assert_eq!((g729.encoding.as_str(), g729.clock_rate), ("G729", 8000));
    assert_eq!(g729.fmtp.as_deref(), Some("annexb=yes"));
    let pcmu = formats.iter().find(|f| f.payload_type == 0).unwrap();
    assert_eq!(pcmu.encoding, "PCMU");
    assert_eq!(sdp.media[0].attributes.len(), 2);
}

#[test]
fn rfc3264_offer_is_read_with_both_streams() {
    let sdp = parse(RFC3264_OFFER.as_bytes()).unwrap();
    assert_eq!(sdp.session_name, "");
    assert_eq!(sdp.origin.address, "host.atlanta.example.com");
    assert_eq!(sdp.media.len(), 2);
    assert_eq!(sdp.media[1].media, "video");
    assert_eq!(sdp.connection_for(1), Some("192.0.2.101".parse().unwrap()));
}

#[test]
fn media_level_connection_and_direction_win() {
    let text = "v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=recvonly\r\n\
m=audio 4000 RTP/AVP 0\r\nc=IN IP6 2001:db8::5\r\na=inactive\r\n\
m=audio 4002 RTP/AVP 8\r\n";
    let sdp = parse(text.as_bytes()).unwrap();
    assert_eq!(sdp.connection_for(0), Some("2001:db8::5".parse().unwrap()));
    assert_eq!(sdp.connection_for(1), Some("192.0.2.1".parse().unwrap()));
    assert_eq!(sdp.direction_for(0), Direction::Inactive);
    assert_eq!(sdp.direction_for(1), Direction::RecvOnly);
}

#[test]
fn multicast_ttl_is_dropped_from_the_address() {
    let text = "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nc=IN IP4 224.2.1.1/127\r\nt=0 0\r\nm=audio 4000/2 RTP/AVP 0\r\n";
    let sdp = parse(text.as_bytes()).unwrap();
    assert_eq!(sdp.connection, Some("224.2.1.1".parse().unwrap()));
    assert_eq!(sdp.media[0].port_count, Some(2));
}

#[test]
fn written_sdp_reads_back_equal() {
    for text in [BARESIP, LINPHONE, RFC3264_OFFER] {
        let sdp = parse(text.as_bytes()).unwrap();
        let written = sdp.to_string();
        assert!(written.ends_with("\r\n"));
        assert_eq!(parse(written.as_bytes()).unwrap(), sdp, "{written}");
    }
}

#[test]
fn non_rtp_media_keeps_its_format_tokens() {
    let text = "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=application 9 TCP/BFCP *\r\n";
    let sdp = parse(text.as_bytes()).unwrap();
    assert_eq!(sdp.media[0].formats, vec!["*".to_string()]);
    assert!(sdp.media[0].formats().is_empty());
}

fn err(text: &str) -> SdpError {
    parse(text.as_bytes()).unwrap_err()
}

const HEAD: &str = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";

#[test]
fn malformed_input_is_a_typed_error_with_488() {
    let cases: Vec<(String, SdpError)> = vec![
        (String::new(), SdpError::BadVersion),
        ("v=1\r\n".into(), SdpError::BadVersion),
        ("o=- 1 1 IN IP4 x\r\nv=0\r\n".into(), SdpError::BadVersion),
        ("v=0\r\ns=-\r\n".into(), SdpError::BadOrigin),
        ("v=0\r\no=- x 1 IN IP4 a\r\n".into(), SdpError::BadOrigin),
        ("v=0\r\no=- 1 1 IN IP4\r\n".into(), SdpError::BadOrigin),
        (
            "v=0\r\no=- 99999999999999999999999 1 IN IP4 a\r\n".into(),
            SdpError::BadOrigin,
        ),
        ("v=0\r\nhello\r\n".into(), SdpError::BadLine(2)),
        ("v=0\r\nA=b\r\n".into(), SdpError::BadLine(2)),
        ("v=0\r\ny=unknown\r\n".into(), SdpError::BadLine(2)),
        ("v=0\r\ns=a\0b\r\n".into(), SdpError::BadLine(2)),
        (
            format!("{HEAD}c=IN IP4 host.example\r\n"),
            SdpError::BadConnection(6),
        ),
        (
            format!("{HEAD}c=IN IP6 192.0.2.1\r\n"),
            SdpError::BadConnection(6),
        ),
        (
            format!("{HEAD}m=audio 70000 RTP/AVP 0\r\n"),
            SdpError::BadMedia(6),
        ),
        (
            format!("{HEAD}m=audio 4000 RTP/AVP\r\n"),
            SdpError::BadMedia(6),
        ),
        (
            format!("{HEAD}m=audio 4000 RTP/AVP 128\r\n"),
            SdpError::BadMedia(6),
        ),
        (
            format!("{HEAD}m=audio 4000 RTP/AVP opus\r\n"),
            SdpError::BadMedia(6),
        ),
        (
            format!("{HEAD}m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 opus\r\n"),
            SdpError::BadAttribute(7),
        ),
        (
            format!("{HEAD}m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 opus/0\r\n"),
            SdpError::BadAttribute(7),
        ),
        (
            format!("{HEAD}m=audio 4000 RTP/AVP 96\r\na=rtpmap:200 x/8000\r\n"),
            SdpError::BadAttribute(7),
        ),
        (
            format!("{HEAD}m=audio 4000 RTP/AVP 96\r\na=ptime:fast\r\n"),
            SdpError::BadAttribute(7),
        ),
        (
            format!("{HEAD}m=audio 4000 RTP/AVP 96\r\na=\r\n"),
            SdpError::BadAttribute(7),
        ),
        (
            format!("{HEAD}m=audio 4000 RTP/AVP 0\r\ns=late\r\n"),
            SdpError::Misplaced(7),
        ),
    ];
    for (text, want) in cases {
        let got = err(&text);
        assert_eq!(got, want, "{text:?}");
        assert_eq!(got.status(), 488);
        assert!(!got.reason().is_empty());
    }
    assert_eq!(parse(&[0xff, 0xfe]).unwrap_err(), SdpError::NotUtf8);
    assert_eq!(
        parse(&vec![b'a'; MAX_SDP_LEN + 1]).unwrap_err(),
        SdpError::TooLarge
    );
    let many = format!(
        "{HEAD}{}",
        "m=audio 4000 RTP/AVP 0\r\n".repeat(MAX_MEDIA + 1)
    );
    assert_eq!(err(&many), SdpError::TooLarge);
}

#[test]
fn unknown_attributes_and_ignored_lines_are_fine() {
    let text = format!(
        "{HEAD}i=info\r\nb=AS:64\r\na=group:BUNDLE 0\r\nm=audio 4000 RTP/AVP 0\r\ni=x\r\nb=TIAS:64000\r\n\
         k=prompt\r\na=mid:0\r\na=sendrecv:odd\r\n"
    );
    let sdp = parse(text.as_bytes()).unwrap();
    assert_eq!(
        sdp.attributes,
        vec![("group".into(), Some("BUNDLE 0".into()))]
    );
    assert_eq!(sdp.media[0].direction, None);
    assert_eq!(sdp.media[0].attributes.len(), 2);
}
