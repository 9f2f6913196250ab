//! Tests for offer/answer: answering baresip, linphone and RFC 3264 offers,
//! hold and resume, refusals, and reading answers to Hark's own offers.

use super::super::sdp::{parse, tests as shapes, Direction, SessionDescription};
use super::*;

fn local() -> LocalMedia {
    LocalMedia::new("192.0.2.10".parse().unwrap(), 20000, 4242)
}

fn sdp(text: &str) -> SessionDescription {
    parse(text.as_bytes()).unwrap()
}

/// The answer must read back as SDP and as an answer to the offer.
fn roundtrip(offer: &SessionDescription, a: &Answer) -> Negotiated {
    let reread = parse(a.sdp.to_string().as_bytes()).unwrap();
    assert_eq!(reread, a.sdp);
    accept_answer(offer, &reread).unwrap()
}

#[test]
fn baresip_offer_gets_opus_with_its_payload_type() {
    let offer = sdp(shapes::BARESIP);
    let a = answer(&offer, &local()).unwrap();
    let n = &a.negotiated;
    assert_eq!((n.codec, n.send_pt, n.recv_pt), (Codec::Opus, 96, 96));
    assert_eq!(n.remote_fmtp.as_deref(), Some("stereo=1;sprop-stereo=1"));
    // baresip offers telephone-event only at 8000: none matches Opus.
    assert_eq!(n.telephone_event, None);
    assert_eq!(n.remote_rtp, "10.0.0.2:10770".parse().unwrap());
    assert_eq!(n.remote_rtcp, "10.0.0.2:10771".parse().unwrap());
    assert_eq!(n.direction, Direction::SendRecv);
    assert_eq!(n.remote_ptime, Some(20));
    let m = &a.sdp.media[0];
    assert_eq!(m.formats, vec!["96".to_string()]);
    assert_eq!(m.fmtp("96"), Some(OPUS_FMTP));
    assert_eq!(a.sdp.connection, Some("192.0.2.10".parse().unwrap()));
    assert_eq!(m.port, 20000);
    let back = roundtrip(&offer, &a);
    assert_eq!(back.codec, Codec::Opus);
}

#[test]
fn our_preference_wins_over_the_offer_order() {
    let offer = sdp(shapes::BARESIP);
    let mut l = local();
    l.codecs = vec![Codec::Pcma, Codec::Opus];
    let a = answer(&offer, &l).unwrap();
    assert_eq!((a.negotiated.codec, a.negotiated.send_pt), (Codec::Pcma, 8));
    assert_eq!(a.negotiated.telephone_event, Some((101, 101)));
    assert_eq!(
        a.sdp.media[0].formats,
        vec!["8".to_string(), "101".to_string()]
    );
    assert_eq!(roundtrip(&offer, &a).telephone_event, Some((101, 101)));
}

#[test]
fn linphone_offer_gets_opus_and_telephone_event_48000() {
    let offer = sdp(shapes::LINPHONE);
    let a = answer(&offer, &local()).unwrap();
    assert_eq!(a.negotiated.codec, Codec::Opus);
    assert_eq!(a.negotiated.telephone_event, Some((101, 101)));
    let mut l = local();
    l.codecs = vec![Codec::G722, Codec::Pcmu];
    let a = answer(&offer, &l).unwrap();
    // No G.722 in linphone's offer: PCMU (static 0, no rtpmap), event/8000 = 100.
    assert_eq!((a.negotiated.codec, a.negotiated.send_pt), (Codec::Pcmu, 0));
    assert_eq!(a.negotiated.telephone_event, Some((100, 100)));
    roundtrip(&offer, &a);
}

#[test]
fn rfc3264_offer_video_is_declined_with_port_zero() {
    let offer = sdp(shapes::RFC3264_OFFER);
    let a = answer(&offer, &local()).unwrap();
    assert_eq!(a.negotiated.codec, Codec::Pcmu);
    assert_eq!(
        a.negotiated.remote_rtp,
        "192.0.2.101:49170".parse().unwrap()
    );
    assert_eq!(a.sdp.media.len(), 2);
    assert_eq!(a.sdp.media[1].port, 0);
    assert_eq!(a.sdp.media[1].media, "video");
    assert_eq!(
        a.sdp.media[1].formats,
        vec!["31".to_string(), "32".to_string()]
    );
    roundtrip(&offer, &a);
}

const HEAD: &str = "v=0\r\no=- 7 7 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";

#[test]
fn no_common_codec_is_refused_with_488() {
    let offer = sdp(&format!(
        "{HEAD}m=audio 4000 RTP/AVP 18 97\r\na=rtpmap:97 iLBC/8000\r\n"
    ));
    let r = answer(&offer, &local()).unwrap_err();
    assert_eq!(
        r,
        Refusal {
            status: 488,
            reason: "no common codec".into()
        }
    );
    // Opus at the wrong clock rate is not Opus.
    let offer = sdp(&format!(
        "{HEAD}m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 opus/8000\r\n"
    ));
    assert_eq!(
        answer(&offer, &local()).unwrap_err().reason,
        "no common codec"
    );
}

#[test]
fn offers_without_a_usable_audio_stream_are_refused() {
    let cases = [
        (format!("{HEAD}m=audio 0 RTP/AVP 0\r\n"), "no audio stream"),
        (
            format!("{HEAD}m=video 4000 RTP/AVP 31\r\n"),
            "no audio stream",
        ),
        (
            format!("{HEAD}m=audio 4000 RTP/SAVP 0\r\n"),
            "unsupported transport",
        ),
        (
            "v=0\r\no=- 7 7 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n".to_string(),
            "no connection address",
        ),
    ];
    for (text, reason) in cases {
        let r = answer(&sdp(&text), &local()).unwrap_err();
        assert_eq!((r.status, r.reason.as_str()), (488, reason), "{text}");
    }
    let e: Refusal = parse(b"v=0\r\nnonsense").unwrap_err().into();
    assert_eq!(e.status, 488);
}

#[test]
fn port_zero_stream_is_answered_with_port_zero_and_a_later_one_taken() {
    let offer = sdp(&format!(
        "{HEAD}m=audio 0 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 8\r\n"
    ));
    let a = answer(&offer, &local()).unwrap();
    assert_eq!(a.sdp.media[0].port, 0);
    assert_eq!(a.sdp.media[1].port, 20000);
    assert_eq!(a.negotiated.codec, Codec::Pcma);
    assert_eq!(a.negotiated.remote_rtp.port(), 4002);
}

#[test]
fn directions_are_answered_per_rfc3264() {
    let cases = [
        ("sendrecv", Direction::SendRecv),
        ("sendonly", Direction::RecvOnly),
        ("recvonly", Direction::SendOnly),
        ("inactive", Direction::Inactive),
    ];
    for (offered, want) in cases {
        let offer = sdp(&format!("{HEAD}m=audio 4000 RTP/AVP 0\r\na={offered}\r\n"));
        let a = answer(&offer, &local()).unwrap();
        assert_eq!(a.negotiated.direction, want, "{offered}");
        assert_eq!(a.sdp.media[0].direction, Some(want));
        assert_eq!(roundtrip(&offer, &a).direction, want.reversed_for_test());
    }
}

trait Reverse {
    fn reversed_for_test(self) -> Direction;
}
impl Reverse for Direction {
    fn reversed_for_test(self) -> Direction {
        Direction::from_parts(self.receives(), self.sends())
    }
}

#[test]
fn old_style_hold_with_zero_address_means_do_not_send() {
    let offer = sdp(
        "v=0\r\no=- 7 8 IN IP4 x\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n",
    );
    let a = answer(&offer, &local()).unwrap();
    assert_eq!(a.negotiated.direction, Direction::RecvOnly);
}

#[test]
fn we_on_hold_answer_a_sendrecv_offer_with_sendonly() {
    let offer = sdp(&format!("{HEAD}m=audio 4000 RTP/AVP 0\r\n"));
    let a = answer(&offer, &local().held()).unwrap();
    assert_eq!(a.negotiated.direction, Direction::SendOnly);
}

#[test]
fn offer_lists_our_codecs_in_order_with_telephone_events() {
    let l = local();
    let offer = make_offer(&l);
    let text = offer.to_string();
    assert!(
        text.contains("m=audio 20000 RTP/AVP 96 9 0 8 102 101\r\n"),
        "{text}"
    );
    assert!(text.contains("a=rtpmap:96 opus/48000/2\r\n"));
    assert!(text.contains("a=fmtp:96 useinbandfec=1\r\n"));
    assert!(text.contains("a=rtpmap:102 telephone-event/48000\r\n"));
    assert!(text.contains("a=rtpmap:101 telephone-event/8000\r\n"));
    assert!(text.contains("a=ptime:20\r\na=sendrecv\r\n"));
    assert!(text.starts_with(
        "v=0\r\no=- 4242 4242 IN IP4 192.0.2.10\r\ns=Hark\r\nc=IN IP4 192.0.2.10\r\n"
    ));
    assert_eq!(parse(text.as_bytes()).unwrap(), offer);
    // Only G.711: no event at 48000.
    let mut g711 = l.clone();
    g711.codecs = vec![Codec::Pcmu];
    assert_eq!(
        make_offer(&g711).media[0].formats,
        vec!["0".to_string(), "101".to_string()]
    );
}

#[test]
fn hark_answering_itself_agrees_on_the_first_codec() {
    let offer = make_offer(&local());
    let other = LocalMedia::new("192.0.2.20".parse().unwrap(), 30000, 9);
    let a = answer(&offer, &other).unwrap();
    assert_eq!(a.negotiated.codec, Codec::Opus);
    assert_eq!(a.negotiated.telephone_event, Some((102, 102)));
    let n = roundtrip(&offer, &a);
    assert_eq!((n.codec, n.send_pt, n.recv_pt), (Codec::Opus, 96, 96));
    assert_eq!(n.remote_rtp, "192.0.2.20:30000".parse().unwrap());
    assert_eq!(n.telephone_event, Some((102, 102)));
}

#[test]
fn hold_and_resume_reoffers_bump_the_version() {
    let l = local();
    let hold = l.held();
    let offer = make_offer(&hold);
    assert_eq!(offer.origin.session_version, 4243);
    assert_eq!(offer.origin.session_id, 4242);
    assert_eq!(offer.media[0].direction, Some(Direction::SendOnly));
    // The peer answers recvonly (RFC 3264 §8.4): we send only.
    let peer = sdp(&format!(
        "{HEAD}m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\na=recvonly\r\n"
    ));
    assert_eq!(
        accept_answer(&offer, &peer).unwrap().direction,
        Direction::SendOnly
    );
    let resumed = hold.resumed();
    assert_eq!(resumed.direction, Direction::SendRecv);
    assert_eq!(resumed.session_version, 4244);
    // Holding while the peer holds us (we were recvonly) gives inactive.
    let mut held_by_peer = l.clone();
    held_by_peer.direction = Direction::RecvOnly;
    assert_eq!(held_by_peer.held().direction, Direction::Inactive);
    assert_eq!(held_by_peer.held().resumed().direction, Direction::RecvOnly);
}

#[test]
fn bad_answers_are_refused() {
    let offer = make_offer(&local());
    let cases = [
        (
            format!("{HEAD}m=audio 0 RTP/AVP 0\r\n"),
            "audio stream declined",
        ),
        (
            format!("{HEAD}m=audio 4000 RTP/AVP 18\r\n"),
            "no common codec",
        ),
        (
            format!("{HEAD}m=audio 4000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n"),
            "answer does not match the offer",
        ),
    ];
    for (text, reason) in cases {
        assert_eq!(
            accept_answer(&offer, &sdp(&text)).unwrap_err().reason,
            reason,
            "{text}"
        );
    }
}

#[test]
fn answer_with_other_dynamic_number_is_accepted() {
    let offer = make_offer(&local());
    let peer = sdp(&format!(
        "{HEAD}m=audio 4000 RTP/AVP 111 110\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:110 telephone-event/48000\r\n"
    ));
    let n = accept_answer(&offer, &peer).unwrap();
    assert_eq!((n.codec, n.send_pt, n.recv_pt), (Codec::Opus, 111, 96));
    assert_eq!(n.telephone_event, Some((110, 102)));
}

#[test]
fn srtp_audio_is_declined_and_a_plain_one_after_it_taken() {
    let offer = sdp(&format!(
        "{HEAD}m=audio 4000 RTP/SAVP 0\r\nm=audio 4002 RTP/AVP 0\r\n"
    ));
    let a = answer(&offer, &local()).unwrap();
    assert_eq!((a.sdp.media[0].port, a.sdp.media[1].port), (0, 20000));
    // Read as the offerer would: the remote side is now our answer.
    assert_eq!(roundtrip(&offer, &a).remote_rtp.port(), 20000);
    assert_eq!(a.negotiated.remote_rtp.port(), 4002);
}
