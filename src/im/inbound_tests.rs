//! Tests of incoming MESSAGE classification: plain text, CPIM with IMDN
//! requests, typing, notifications, and what is refused.

use super::*;

const LINPHONE_CPIM: &str = "From: <sip:marie@sip.example.org>\r\n\
To: <sip:pauline@sip.example.org>\r\n\
DateTime: 2024-05-02T10:00:00Z\r\n\
NS: imdn <urn:ietf:params:imdn>\r\n\
imdn.Message-ID: Ab3dEfGhIjKl\r\n\
imdn.Disposition-Notification: positive-delivery, negative-delivery, display\r\n\
\r\n\
Content-Type: text/plain\r\n\
\r\n\
Hello \u{1F44B} world";

const COMPOSING: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">
  <state>active</state><refresh>60</refresh><contenttype>text/plain</contenttype>
</isComposing>"#;

const DELIVERED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<imdn xmlns="urn:ietf:params:xml:ns:imdn">
  <message-id>34jk324j</message-id>
  <datetime>2008-04-04T12:16:49-05:00</datetime>
  <delivery-notification><status><delivered/></status></delivery-notification>
</imdn>"#;

fn text_of(inbound: Inbound) -> Text {
    match inbound {
        Inbound::Text(t) => t,
        other => panic!("not text: {other:?}"),
    }
}

#[test]
fn plain_text_is_kept_exactly() {
    let body = "<b>hi</b> {$x} \u{05e9}\u{05dc}\u{05d5}\u{05dd} \u{1F44B}\r\nline 2";
    let t = text_of(classify(Some("text/plain;charset=UTF-8"), body.as_bytes()).unwrap());
    assert_eq!(t.body, body);
    assert!(!t.cpim);
    assert_eq!(t.imdn, None);
}

#[test]
fn missing_content_type_reads_as_text_and_case_is_ignored() {
    assert_eq!(text_of(classify(None, b"hi").unwrap()).body, "hi");
    assert_eq!(
        text_of(classify(Some(" Text/Plain ; charset=utf-8"), b"hi").unwrap()).body,
        "hi"
    );
}

#[test]
fn invalid_utf8_is_shown_with_replacement_characters() {
    let t = text_of(classify(Some("text/plain"), b"ok \xff\xfe end").unwrap());
    assert_eq!(t.body, "ok \u{fffd}\u{fffd} end");
}

#[test]
fn cpim_text_carries_the_imdn_request() {
    let t = text_of(classify(Some("message/cpim"), LINPHONE_CPIM.as_bytes()).unwrap());
    assert_eq!(t.body, "Hello \u{1F44B} world");
    assert!(t.cpim);
    assert_eq!(t.datetime.as_deref(), Some("2024-05-02T10:00:00Z"));
    assert_eq!(t.cpim_from.as_deref(), Some("sip:marie@sip.example.org"));
    let imdn = t.imdn.expect("imdn request");
    assert_eq!(imdn.message_id, "Ab3dEfGhIjKl");
    assert!(imdn.disposition.positive_delivery && imdn.disposition.display);
}

#[test]
fn composing_direct_and_in_cpim() {
    let Inbound::Composing(c) =
        classify(Some("application/im-iscomposing+xml"), COMPOSING.as_bytes()).unwrap()
    else {
        panic!("not composing")
    };
    assert_eq!(c.state, super::super::composing::State::Active);
    let wrapped = format!(
        "From: <sip:a@b>\r\n\r\nContent-Type: application/im-iscomposing+xml\r\n\r\n{COMPOSING}"
    );
    assert!(matches!(
        classify(Some("message/cpim"), wrapped.as_bytes()).unwrap(),
        Inbound::Composing(_)
    ));
}

#[test]
fn notification_direct_and_in_cpim() {
    let Inbound::Notification(n) =
        classify(Some("message/imdn+xml"), DELIVERED.as_bytes()).unwrap()
    else {
        panic!("not a notification")
    };
    assert_eq!(n.message_id, "34jk324j");
    let wrapped = format!(
        "From: <sip:a@b>\r\nNS: imdn <urn:ietf:params:imdn>\r\n\r\nContent-Type: message/imdn+xml\r\n\r\n{DELIVERED}"
    );
    assert!(matches!(
        classify(Some("message/cpim"), wrapped.as_bytes()).unwrap(),
        Inbound::Notification(_)
    ));
}

#[test]
fn refusals_name_the_status() {
    let r = classify(Some("text/html"), b"<p>x</p>").unwrap_err();
    assert_eq!(r.status(), 415);
    assert!(r.to_string().contains("text/html"));
    let r = classify(Some("text/plain"), &vec![b'a'; MAX_BODY_BYTES + 1]).unwrap_err();
    assert_eq!(r.status(), 413);
    let r = classify(Some("application/im-iscomposing+xml"), b"<nope").unwrap_err();
    assert_eq!(r.status(), 400);
    let r = classify(Some("message/cpim"), b"From: <sip:a@b>\r\n").unwrap_err();
    assert_eq!(r.status(), 400);
    let wrapped = "From: <sip:a@b>\r\n\r\nContent-Type: image/png\r\n\r\nPNG";
    assert_eq!(
        classify(Some("message/cpim"), wrapped.as_bytes())
            .unwrap_err()
            .status(),
        415
    );
}

#[test]
fn entity_expansion_in_documents_is_refused() {
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>
<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>&a;</state></isComposing>"#;
    assert_eq!(
        classify(Some("application/im-iscomposing+xml"), bomb.as_bytes())
            .unwrap_err()
            .status(),
        400
    );
}

#[test]
fn deflated_bodies_are_inflated_within_the_limit() {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(DELIVERED.as_bytes()).unwrap();
    let zipped = z.finish().unwrap();
    let body = decode(Some("deflate"), &zipped).unwrap();
    assert!(matches!(
        classify(Some("message/imdn+xml"), &body).unwrap(),
        Inbound::Notification(_)
    ));
    // liblinphone's own capture.
    let raw = include_bytes!("../../tests/fixtures/im/linphonec-imdn-delivered.raw");
    let at = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let inflated = decode(Some("Deflate"), &raw[at..]).unwrap();
    let Inbound::Notification(n) = classify(Some("message/imdn+xml"), &inflated).unwrap() else {
        panic!("not a notification")
    };
    assert_eq!(n.message_id, "1-28713@127.0.0.1");
    // A bomb stops at the limit; garbage and unknown encodings are refused.
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![b'a'; 10 * MAX_BODY_BYTES]).unwrap();
    let bomb = z.finish().unwrap();
    assert_eq!(decode(Some("deflate"), &bomb).unwrap_err().status(), 413);
    assert_eq!(
        decode(Some("deflate"), b"not zlib").unwrap_err().status(),
        400
    );
    assert_eq!(decode(Some("br"), b"x").unwrap_err().status(), 415);
    assert_eq!(decode(None, b"x").unwrap(), b"x");
}
