//! Tests of IMDN: the RFC 5438 examples, liblinphone's requests and
//! notifications inside CPIM, and hostile input.

use super::super::cpim::CpimMessage;
use super::*;

// RFC 5438 section 7.1.1: a message asking for notifications.
const RFC_REQUEST: &str = "From: Alice <im:alice@example.com>\r\n\
To: Bob <im:bob@example.com>\r\n\
NS: imdn <urn:ietf:params:imdn>\r\n\
imdn.Message-ID: 34jk324j\r\n\
DateTime: 2006-04-04T12:16:49-05:00\r\n\
imdn.Disposition-Notification: positive-delivery, display\r\n\
\r\n\
Content-type: text/plain\r\n\
Content-length: 12\r\n\
\r\n\
Hello World\r\n";

// liblinphone (CpimChatMessageModifier::encode) asking for notifications.
const LINPHONE_MESSAGE: &str = "From: <sip:marie@sip.example.org>\r\n\
To: <sip:pauline@sip.example.org>\r\n\
DateTime: 2024-05-02T10:00:00Z\r\n\
NS: imdn <urn:ietf:params:imdn>\r\n\
imdn.Message-ID: Ab3dEfGhIjKl\r\n\
imdn.Disposition-Notification: positive-delivery, negative-delivery, display\r\n\
\r\n\
Content-Type: text/plain\r\n\
Content-Length: 16\r\n\
\r\n\
Hello \u{1F44B} world";

// RFC 5438 section 7.2.1.1: a delivery notification.
const RFC_DELIVERED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<imdn xmlns="urn:ietf:params:xml:ns:imdn">
   <message-id>34jk324j</message-id>
   <datetime>2008-04-04T12:16:49-05:00</datetime>
   <recipient-uri>im:bob@example.com</recipient-uri>
   <original-recipient-uri
      >im:bob@example.com</original-recipient-uri>
   <delivery-notification>
      <status>
         <delivered/>
      </status>
   </delivery-notification>
</imdn>"#;

// liblinphone (Imdn::createXml), displayed and failed-with-reason.
const LINPHONE_DISPLAYED: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\" ?><imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>Ab3dEfGhIjKl</message-id><datetime>2024-05-02T10:00:00Z</datetime><display-notification><status><displayed/></status></display-notification></imdn>";
const LINPHONE_FAILED: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\" ?><imdn xmlns=\"urn:ietf:params:xml:ns:imdn\" xmlns:imdn=\"http://www.linphone.org/xsds/imdn.xsd\"><message-id>Ab3dEfGhIjKl</message-id><datetime>2024-05-02T10:00:00Z</datetime><delivery-notification><status><failed/><imdn:reason code=\"488\">Not acceptable here</imdn:reason></status></delivery-notification></imdn>";

fn round_trip(imdn: &Imdn) {
    let written = build(imdn);
    let back = parse(written.as_bytes()).unwrap_or_else(|e| panic!("reparse: {e}\n{written}"));
    assert_eq!(&back, imdn, "{written}");
}

#[test]
fn rfc_request_in_cpim() {
    let m = CpimMessage::parse(RFC_REQUEST.as_bytes()).unwrap();
    let request = ImdnRequest::from_cpim(&m).unwrap().unwrap();
    assert_eq!(request.message_id, "34jk324j");
    assert_eq!(
        request.datetime.as_deref(),
        Some("2006-04-04T12:16:49-05:00")
    );
    assert_eq!(
        request.disposition,
        Disposition {
            positive_delivery: true,
            display: true,
            ..Default::default()
        }
    );
    assert_eq!(m.body, b"Hello World\r");
}

#[test]
fn linphone_request_round_trip() {
    let request = ImdnRequest::from_headers(
        "Ab3dEfGhIjKl",
        Some("2024-05-02T10:00:00Z"),
        Some("positive-delivery, negative-delivery, display"),
    )
    .unwrap();
    let mut m = CpimMessage::default();
    m.push_header("From", "<sip:marie@sip.example.org>");
    m.push_header("To", "<sip:pauline@sip.example.org>");
    request.write_cpim(&mut m);
    m.push_content_header("Content-Type", "text/plain");
    m.push_content_header("Content-Length", "16");
    m.body = "Hello \u{1F44B} world".as_bytes().to_vec();
    // Byte for byte the shape liblinphone sends.
    assert_eq!(String::from_utf8(m.build()).unwrap(), LINPHONE_MESSAGE);
    let back = CpimMessage::parse(&m.build()).unwrap();
    assert_eq!(
        ImdnRequest::from_cpim(&back).unwrap(),
        Some(request.clone())
    );
    assert_eq!(
        request.to_headers(),
        vec![
            ("Message-ID", "Ab3dEfGhIjKl".to_owned()),
            ("DateTime", "2024-05-02T10:00:00Z".to_owned()),
            (
                "Disposition-Notification",
                "positive-delivery, negative-delivery, display".to_owned()
            ),
        ]
    );
}

#[test]
fn no_request_without_message_id() {
    let m = CpimMessage::new("text/plain", "hi");
    assert_eq!(ImdnRequest::from_cpim(&m), Ok(None));
    assert_eq!(
        ImdnRequest::from_headers("  ", None, None),
        Err(ImdnError::BadMessageId)
    );
    assert_eq!(
        ImdnRequest::from_headers(&"x".repeat(MAX_MESSAGE_ID + 1), None, None),
        Err(ImdnError::BadMessageId)
    );
    let r = ImdnRequest::from_headers("id", None, Some("bogus, DISPLAY")).unwrap();
    assert!(r.disposition.display && !r.disposition.positive_delivery);
    assert!(ImdnRequest::from_headers("id", None, None)
        .unwrap()
        .disposition
        .is_empty());
}

#[test]
fn rfc_delivered_example() {
    let imdn = parse(RFC_DELIVERED.as_bytes()).unwrap();
    assert_eq!(imdn.message_id, "34jk324j");
    assert_eq!(imdn.datetime, "2008-04-04T12:16:49-05:00");
    assert_eq!(imdn.recipient_uri.as_deref(), Some("im:bob@example.com"));
    assert_eq!(
        imdn.original_recipient_uri.as_deref(),
        Some("im:bob@example.com")
    );
    assert_eq!(
        imdn.notification,
        Notification::Delivery(DeliveryStatus::Delivered)
    );
    assert_eq!(imdn.reason, None);
    round_trip(&imdn);
}

#[test]
fn linphone_notifications() {
    let displayed = parse(LINPHONE_DISPLAYED.as_bytes()).unwrap();
    assert_eq!(
        displayed.notification,
        Notification::Display(DisplayStatus::Displayed)
    );
    round_trip(&displayed);
    let failed = parse(LINPHONE_FAILED.as_bytes()).unwrap();
    assert_eq!(
        failed.notification,
        Notification::Delivery(DeliveryStatus::Failed)
    );
    assert_eq!(
        failed.reason,
        Some(Reason {
            code: 488,
            text: "Not acceptable here".into()
        })
    );
    round_trip(&failed);
}

#[test]
fn build_has_linphone_shape() {
    let request =
        ImdnRequest::from_headers("Ab3dEfGhIjKl", Some("2024-05-02T10:00:00Z"), None).unwrap();
    let displayed = Imdn::answering(
        &request,
        Notification::Display(DisplayStatus::Displayed),
        "unused",
    );
    let written = build(&displayed);
    assert!(
        written.ends_with("<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>Ab3dEfGhIjKl</message-id><datetime>2024-05-02T10:00:00Z</datetime><display-notification><status><displayed/></status></display-notification></imdn>\n"),
        "{written}"
    );
    let mut failed = Imdn::answering(
        &request,
        Notification::Delivery(DeliveryStatus::Failed),
        "x",
    );
    failed.reason = Some(Reason {
        code: 488,
        text: "Not acceptable here".into(),
    });
    let written = build(&failed);
    assert!(
        written.contains("xmlns:imdn=\"http://www.linphone.org/xsds/imdn.xsd\""),
        "{written}"
    );
    assert!(
        written.contains("<failed/><imdn:reason code=\"488\">Not acceptable here</imdn:reason>"),
        "{written}"
    );
}

#[test]
fn every_notification_round_trips() {
    use DeliveryStatus as De;
    use DisplayStatus as Di;
    use ProcessingStatus as P;
    let all = [
        Notification::Delivery(De::Delivered),
        Notification::Delivery(De::Failed),
        Notification::Delivery(De::Forbidden),
        Notification::Delivery(De::Error),
        Notification::Display(Di::Displayed),
        Notification::Display(Di::Forbidden),
        Notification::Display(Di::Error),
        Notification::Processing(P::Processed),
        Notification::Processing(P::Stored),
        Notification::Processing(P::Forbidden),
        Notification::Processing(P::Error),
    ];
    let request = ImdnRequest::from_headers("m1", None, None).unwrap();
    for notification in all {
        let mut imdn = Imdn::answering(&request, notification, "2024-01-01T00:00:00Z");
        imdn.subject = Some("a <subject> & more".into());
        imdn.recipient_uri = Some("sip:bob@example.com".into());
        round_trip(&imdn);
    }
}

#[test]
fn prefixed_imdn_in_cpim_notification() {
    let xml = r#"<i:imdn xmlns:i="urn:ietf:params:xml:ns:imdn"><i:message-id>m1</i:message-id><i:datetime>2024-01-01T00:00:00Z</i:datetime><i:delivery-notification><i:status><i:delivered/></i:status></i:delivery-notification></i:imdn>"#;
    let mut m = CpimMessage::new(CONTENT_TYPE, xml);
    m.push_header("From", "<sip:pauline@sip.example.org>");
    m.push_content_header("Content-Disposition", "notification");
    let back = CpimMessage::parse(&m.build()).unwrap();
    assert_eq!(back.content_type().as_deref(), Some(CONTENT_TYPE));
    let imdn = parse(&back.body).unwrap();
    assert_eq!(
        imdn.notification,
        Notification::Delivery(DeliveryStatus::Delivered)
    );
}

#[test]
fn refused_documents() {
    let doc = |inner: &str| format!("<imdn xmlns=\"{NS}\">{inner}</imdn>");
    let status = "<delivery-notification><status><delivered/></status></delivery-notification>";
    assert_eq!(
        parse(doc(&format!("<datetime>x</datetime>{status}")).as_bytes()),
        Err(ImdnError::Missing("message-id"))
    );
    assert_eq!(
        parse(doc(&format!("<message-id>m</message-id>{status}")).as_bytes()),
        Err(ImdnError::Missing("datetime"))
    );
    let head = "<message-id>m</message-id><datetime>x</datetime>";
    assert_eq!(parse(doc(head).as_bytes()), Err(ImdnError::BadNotification));
    for bad in [
        "<delivery-notification><status><displayed/></status></delivery-notification>",
        "<display-notification><status/></display-notification>",
        "<delivery-notification/>",
        "<processing-notification><status><delivered/></status></processing-notification>",
    ] {
        assert_eq!(
            parse(doc(&format!("{head}{bad}")).as_bytes()),
            Err(ImdnError::BadNotification),
            "{bad}"
        );
    }
    let big = doc(&format!(
        "{head}{status}<!--{}-->",
        "x".repeat(MAX_BODY_BYTES)
    ));
    assert!(matches!(parse(big.as_bytes()), Err(ImdnError::TooLarge(_))));
    assert!(matches!(
        parse(b"<!DOCTYPE imdn [<!ENTITY e \"x\">]><imdn/>"),
        Err(ImdnError::Xml(_))
    ));
}

#[test]
fn truncated_and_garbled_inputs_never_panic() {
    for text in [RFC_DELIVERED, LINPHONE_DISPLAYED, LINPHONE_FAILED] {
        let bytes = text.as_bytes();
        for end in 0..bytes.len() {
            let _ = parse(&bytes[..end]);
        }
        let mut seed = 0x1234_5678_9abc_def1u64;
        for _ in 0..3000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut garbled = bytes.to_vec();
            let at = (seed as usize) % garbled.len();
            garbled[at] = (seed >> 40) as u8;
            if let Ok(imdn) = parse(&garbled) {
                let _ = build(&imdn);
            }
        }
    }
    let bytes = RFC_REQUEST.as_bytes();
    for end in 0..bytes.len() {
        if let Ok(m) = CpimMessage::parse(&bytes[..end]) {
            let _ = ImdnRequest::from_cpim(&m);
        }
    }
}
