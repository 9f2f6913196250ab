//! Tests of the message-summary parser and writer: RFC 3842's examples,
//! what real servers send, what is refused, and the round trip.

use super::*;

fn voice(new: u32, old: u32, urgent: Option<(u32, u32)>) -> MessageCounts {
    MessageCounts {
        new,
        old,
        urgent: urgent.map(|(new, old)| UrgentCounts { new, old }),
    }
}

/// What Kamailio's presence_mwi (`mwi_publ_handl`) checks before it takes
/// a PUBLISH body: it starts with `Messages-Waiting`, optional blanks, a
/// colon, one blank, more optional blanks, `yes` or `no` and CRLF, and
/// every later line is printable ASCII (or tab) ending in CRLF.
fn kamailio_accepts(body: &str) -> bool {
    let Some(rest) = body.strip_prefix("Messages-Waiting") else {
        return false;
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    let Some(rest) = rest.strip_prefix(':') else {
        return false;
    };
    let Some(rest) = rest.strip_prefix([' ', '\t']) else {
        return false;
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    let Some(rest) = rest
        .strip_prefix("yes\r\n")
        .or_else(|| rest.strip_prefix("no\r\n"))
    else {
        return false;
    };
    (rest.is_empty() || rest.ends_with("\r\n"))
        && rest
            .split_terminator("\r\n")
            .all(|l| l.bytes().all(|b| b == b'\t' || (32..=126).contains(&b)))
}

#[test]
fn rfc_3842_sample_notification() {
    // §4.1, the body of the first NOTIFY.
    let body = "Messages-Waiting: yes\r\n\
                Message-Account: sip:alice@vmail.example.com\r\n\
                Voice-Message: 2/8 (0/2)\r\n";
    let s = parse(body.as_bytes()).unwrap();
    assert!(s.messages_waiting);
    assert_eq!(
        s.message_account.as_deref(),
        Some("sip:alice@vmail.example.com")
    );
    assert_eq!(s.voice(), Some(voice(2, 8, Some((0, 2)))));
    assert_eq!(s.counts.len(), 1);
    assert_eq!(s.total_new(), 2);
    // Our writer gives the same bytes back.
    assert_eq!(s.to_body(), body);
}

#[test]
fn message_headers_after_the_summary_are_ignored() {
    // The shape of RFC 3842 §3.5's example with optional message headers.
    let body = "Messages-Waiting: yes\r\n\
                Message-Account: sip:alice@vmail.example.com\r\n\
                Voice-Message: 4/8 (1/2)\r\n\
                \r\n\
                To: <alice@atlanta.example.com>\r\n\
                From: <bob@biloxi.example.com>\r\n\
                Subject: carpool tomorrow?\r\n\
                Voice-Message: 99/99\r\n\
                Messages-Waiting: no\r\n\
                \r\n\
                To: <alice@atlanta.example.com>\r\n\
                Subject: [Urgent] Lunch today?\r\n\
                Priority: urgent\r\n";
    let s = parse(body.as_bytes()).unwrap();
    assert!(s.messages_waiting);
    assert_eq!(s.voice(), Some(voice(4, 8, Some((1, 2)))));
    assert_eq!(s.counts.len(), 1);
}

#[test]
fn boolean_only_summary() {
    let s = parse(b"Messages-Waiting: no\r\n").unwrap();
    assert_eq!(
        s,
        MessageSummary {
            messages_waiting: false,
            message_account: None,
            counts: BTreeMap::new(),
        }
    );
    assert_eq!(s.voice(), None);
    assert_eq!(s.to_body(), "Messages-Waiting: no\r\n");
}

#[test]
fn every_class_with_and_without_urgent_counts() {
    let body = "Messages-Waiting: yes\n\
                Voice-Message: 1/2\n\
                Fax-Message: 3/4 (1/0)\n\
                Pager-Message: 0/0\n\
                Multimedia-Message: 5/6 (5/6)\n\
                Text-Message: 7/8\n\
                None: 9/10\n";
    let s = parse(body.as_bytes()).unwrap();
    assert_eq!(s.get(MessageClass::Voice), Some(voice(1, 2, None)));
    assert_eq!(s.get(MessageClass::Fax), Some(voice(3, 4, Some((1, 0)))));
    assert_eq!(s.get(MessageClass::Pager), Some(voice(0, 0, None)));
    assert_eq!(
        s.get(MessageClass::Multimedia),
        Some(voice(5, 6, Some((5, 6))))
    );
    assert_eq!(s.get(MessageClass::Text), Some(voice(7, 8, None)));
    assert_eq!(s.get(MessageClass::None), Some(voice(9, 10, None)));
    assert_eq!(s.total_new(), 1 + 3 + 5 + 7 + 9);
    assert_eq!(parse(s.to_body().as_bytes()).unwrap(), s);
}

#[test]
fn tolerant_of_case_whitespace_line_ends_and_order() {
    // Bare LF, names in odd case, blanks everywhere, the account before
    // the status, brackets round the account, leading empty lines, unknown
    // headers, lines without a colon and no line end at the end.
    let body = "\n\r\n\
                message-account :  <sip:*97@pbx.example.com> \n\
                X-Mailbox: 1001\n\
                garbage without colon\n\
                MESSAGES-WAITING:\tYes \r\n\
                voice-message :  3 /4(  0/ 1 )\r\n\
                fax-MESSAGE: 12/0";
    let s = parse(body.as_bytes()).unwrap();
    assert!(s.messages_waiting);
    assert_eq!(
        s.message_account.as_deref(),
        Some("sip:*97@pbx.example.com")
    );
    assert_eq!(s.voice(), Some(voice(3, 4, Some((0, 1)))));
    assert_eq!(s.get(MessageClass::Fax), Some(voice(12, 0, None)));
    assert_eq!(s.counts.len(), 2);
}

#[test]
fn a_folded_count_line_is_joined() {
    let s = parse(b"Messages-Waiting: yes\r\nVoice-Message: 1/2\r\n (0/1)\r\n").unwrap();
    assert_eq!(s.voice(), Some(voice(1, 2, Some((0, 1)))));
    // Joined with a blank: "1" folded onto "2/0" is two numbers, not 12.
    assert!(matches!(
        parse(b"Messages-Waiting: yes\r\nFax-Message: 1\r\n\t2/0\r\n"),
        Err(MessageSummaryError::BadCounts { .. })
    ));
}

#[test]
fn the_first_of_repeated_lines_is_kept() {
    let s = parse(
        b"Messages-Waiting: no\r\nMessages-Waiting: yes\r\n\
          Voice-Message: 1/1\r\nVoice-Message: 2/2\r\n\
          Message-Account: sip:a@x\r\nMessage-Account: sip:b@x\r\n",
    )
    .unwrap();
    assert!(!s.messages_waiting);
    assert_eq!(s.voice(), Some(voice(1, 1, None)));
    assert_eq!(s.message_account.as_deref(), Some("sip:a@x"));
}

#[test]
fn an_account_that_is_not_a_uri_is_left_out() {
    for account in [
        "",
        "<>",
        "sip:a b@x",
        "sip:é@x",
        "<<sip:a@x>>",
        "sip:a\u{1}@x",
    ] {
        let body = format!("Messages-Waiting: yes\r\nMessage-Account: {account}\r\n");
        let s = parse(body.as_bytes()).unwrap();
        assert_eq!(s.message_account, None, "{account:?}");
    }
}

#[test]
fn without_messages_waiting_it_is_not_a_summary() {
    for body in [
        &b""[..],
        b"\r\n\r\n",
        b"Voice-Message: 1/2\r\n",
        b"<?xml version=\"1.0\"?><presence/>",
        // Only in the message headers, after the empty line.
        b"Voice-Message: 1/2\r\n\r\nMessages-Waiting: yes\r\n",
        b"Messages-Waiting yes\r\n",
    ] {
        let err = parse(body).unwrap_err();
        assert_eq!(err, MessageSummaryError::NotASummary, "{body:?}");
        assert_eq!(err.status(), 400);
    }
}

#[test]
fn a_status_other_than_yes_or_no_is_refused() {
    for value in ["maybe", "", "yes yes", "1", "true"] {
        let body = format!("Messages-Waiting: {value}\r\n");
        assert_eq!(
            parse(body.as_bytes()),
            Err(MessageSummaryError::BadStatus(value.to_string())),
            "{value:?}"
        );
    }
    // A bad repeat is refused too, not hidden by a good first line.
    assert!(matches!(
        parse(b"Messages-Waiting: yes\r\nMessages-Waiting: perhaps\r\n"),
        Err(MessageSummaryError::BadStatus(_))
    ));
}

#[test]
fn malformed_counts_are_refused() {
    for value in [
        "",
        "1",
        "1/",
        "/2",
        "1/2/3",
        "1/2 (0)",
        "1/2 (0/1",
        "1/2 0/1)",
        "1/2 (0/1) x",
        "-1/2",
        "+1/2",
        "1 2/3",
        "a/b",
        "1/2 ()",
        "1/2 (0/1)(0/1)",
        "１/2",
    ] {
        let body = format!("Messages-Waiting: yes\r\nVoice-Message: {value}\r\n");
        let err = parse(body.as_bytes()).unwrap_err();
        assert_eq!(
            err,
            MessageSummaryError::BadCounts {
                class: MessageClass::Voice,
                value: value.to_string()
            },
            "{value:?}"
        );
        assert_eq!(err.status(), 400);
    }
}

#[test]
fn counts_that_overflow_are_refused() {
    // u32::MAX is taken, one more is not, in any of the four places.
    let s = parse(b"Messages-Waiting: yes\r\nFax-Message: 4294967295/0 (0/000004294967295)\r\n")
        .unwrap();
    assert_eq!(
        s.get(MessageClass::Fax),
        Some(voice(u32::MAX, 0, Some((0, u32::MAX))))
    );
    for value in [
        "4294967296/0",
        "0/4294967296",
        "0/0 (99999999999999999999999/0)",
        "0/0 (0/4294967296)",
    ] {
        let body = format!("Messages-Waiting: yes\r\nText-Message: {value}\r\n");
        assert_eq!(
            parse(body.as_bytes()),
            Err(MessageSummaryError::Overflow {
                class: MessageClass::Text,
                value: value.to_string()
            })
        );
    }
    // The badge total saturates rather than wrapping.
    let s = parse(b"Messages-Waiting: yes\r\nVoice-Message: 4294967295/0\r\nFax-Message: 5/0\r\n")
        .unwrap();
    assert_eq!(s.total_new(), u32::MAX);
}

#[test]
fn a_body_over_the_limit_is_refused_before_it_is_read() {
    let mut body = b"Messages-Waiting: yes\r\n".to_vec();
    body.resize(MAX_BODY_BYTES, b' ');
    assert!(parse(&body).is_ok());
    body.push(b' ');
    let err = parse(&body).unwrap_err();
    assert_eq!(err, MessageSummaryError::TooLarge(MAX_BODY_BYTES + 1));
    assert_eq!(err.status(), 413);
}

#[test]
fn not_utf8_and_control_bytes_do_not_panic() {
    let s = parse(b"Messages-Waiting: yes\r\n\xff\xfe: \x00\r\nVoice-Message: 1/0\r\n").unwrap();
    assert_eq!(s.voice(), Some(voice(1, 0, None)));
    assert!(matches!(
        parse(b"Messages-Waiting: y\xc3\r\n"),
        Err(MessageSummaryError::BadStatus(_))
    ));
    assert!(matches!(
        parse(b"Messages-Waiting: yes\r\nVoice-Message: 1/\xe2\x80\r\n"),
        Err(MessageSummaryError::BadCounts { .. })
    ));
}

#[test]
fn to_body_is_what_kamailio_takes_and_reads_back() {
    let mut s = MessageSummary {
        messages_waiting: true,
        message_account: Some("sip:alice@vmail.example.com".into()),
        counts: BTreeMap::new(),
    };
    s.counts.insert(MessageClass::None, voice(0, 1, None));
    s.counts
        .insert(MessageClass::Voice, voice(2, 8, Some((0, 2))));
    let body = s.to_body();
    assert_eq!(
        body,
        "Messages-Waiting: yes\r\n\
         Message-Account: sip:alice@vmail.example.com\r\n\
         Voice-Message: 2/8 (0/2)\r\n\
         None: 0/1\r\n"
    );
    assert!(kamailio_accepts(&body), "{body:?}");
    assert_eq!(parse(body.as_bytes()).unwrap(), s);

    // An account that is not a URI is left out rather than written.
    s.message_account = Some("not a uri\r\nVoice-Message: 9/9".into());
    let body = s.to_body();
    assert!(!body.contains("Message-Account"), "{body:?}");
    assert!(kamailio_accepts(&body), "{body:?}");
    let back = parse(body.as_bytes()).unwrap();
    assert_eq!(back.voice(), Some(voice(2, 8, Some((0, 2)))));
}

#[test]
fn the_kamailio_check_itself_refuses_what_it_should() {
    assert!(kamailio_accepts("Messages-Waiting: no\r\n"));
    assert!(!kamailio_accepts("Messages-Waiting: no\n"));
    assert!(!kamailio_accepts("messages-waiting: no\r\n"));
    assert!(!kamailio_accepts("Messages-Waiting:no\r\n"));
    assert!(!kamailio_accepts(
        "Messages-Waiting: yes\r\nVoice-Message: 1/0"
    ));
    assert!(!kamailio_accepts("Messages-Waiting: yes\r\nAccount: é\r\n"));
}

#[test]
fn serde_names_are_the_wire_class_names() {
    let mut s = MessageSummary {
        messages_waiting: true,
        ..Default::default()
    };
    s.counts.insert(MessageClass::Multimedia, voice(1, 0, None));
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains("\"multimedia\""), "{json}");
    assert_eq!(serde_json::from_str::<MessageSummary>(&json).unwrap(), s);
}
