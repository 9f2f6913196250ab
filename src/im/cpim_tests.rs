//! Tests of CPIM: the RFC 3862 and RFC 5438 examples, liblinphone's
//! messages, header injection and hostile input.

use super::*;

// RFC 3862 section 3 (the example, with its MIME prelude dropped).
const RFC3862: &str = "From: MR SANDERS <im:piglet@100akerwood.com>\r\n\
To: Depressed Donkey <im:eeyore@100akerwood.com>\r\n\
DateTime: 2000-12-13T13:40:00-08:00\r\n\
Subject: the weather will be fine today\r\n\
Subject:;lang=fr beau temps prevu pour aujourd'hui\r\n\
NS: MyFeatures <mid:MessageFeatures@id.foo.com>\r\n\
Require: MyFeatures.VitalMessageOption\r\n\
MyFeatures.VitalMessageOption: Confirmation-requested\r\n\
MyFeatures.WackyMessageOption: Use-silly-font\r\n\
\r\n\
Content-type: text/xml; charset=utf-8\r\n\
Content-ID: <1234567890@foo.com>\r\n\
\r\n\
<body>\r\n\
Here is the text of my message.\r\n\
</body>\r\n";

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

#[test]
fn rfc3862_example() {
    let m = CpimMessage::parse(RFC3862.as_bytes()).unwrap();
    assert_eq!(
        m.from(),
        Some(Address {
            display_name: Some("MR SANDERS".into()),
            uri: "im:piglet@100akerwood.com".into()
        })
    );
    assert_eq!(m.to().unwrap().uri, "im:eeyore@100akerwood.com");
    assert_eq!(m.header("datetime"), Some("2000-12-13T13:40:00-08:00"));
    assert_eq!(m.headers_named("Subject").count(), 2);
    assert_eq!(
        m.ns_header("mid:MessageFeatures@id.foo.com", "VitalMessageOption"),
        Some("Confirmation-requested")
    );
    assert_eq!(m.content_type().as_deref(), Some("text/xml"));
    assert_eq!(m.content_header("Content-ID"), Some("<1234567890@foo.com>"));
    assert!(m.body.starts_with(b"<body>\r\n"));
    let again = CpimMessage::parse(&m.build()).unwrap();
    assert_eq!(again, m);
}

#[test]
fn linphone_message() {
    let m = CpimMessage::parse(LINPHONE_MESSAGE.as_bytes()).unwrap();
    assert_eq!(m.from().unwrap().uri, "sip:marie@sip.example.org");
    assert_eq!(m.from().unwrap().display_name, None);
    assert_eq!(
        m.namespaces(),
        vec![("imdn".to_owned(), "urn:ietf:params:imdn".to_owned())]
    );
    assert_eq!(
        m.ns_header("urn:ietf:params:imdn", "Message-ID"),
        Some("Ab3dEfGhIjKl")
    );
    assert_eq!(m.content_type().as_deref(), Some("text/plain"));
    assert_eq!(
        std::str::from_utf8(&m.body).unwrap(),
        "Hello \u{1F44B} world"
    );
    assert_eq!(m.build(), LINPHONE_MESSAGE.as_bytes());
}

#[test]
fn linphone_mime_prelude_and_bare_lf() {
    let text =
        format!("Content-Type: Message/CPIM\r\n\r\n{LINPHONE_MESSAGE}").replace("\r\n", "\n");
    let m = CpimMessage::parse(text.as_bytes()).unwrap();
    assert_eq!(m.header("From"), Some("<sip:marie@sip.example.org>"));
    assert_eq!(m.content_type().as_deref(), Some("text/plain"));
}

#[test]
fn namespace_matched_by_uri_not_prefix() {
    let text = "From: <sip:a@b>\r\nNS: x <urn:ietf:params:imdn>\r\nx.Message-ID: 42\r\nimdn.Message-ID: wrong\r\n\r\nContent-Type: text/plain\r\n\r\nhi";
    let m = CpimMessage::parse(text.as_bytes()).unwrap();
    assert_eq!(
        m.ns_header("urn:ietf:params:imdn", "Message-ID"),
        Some("42")
    );
    assert_eq!(m.ns_header("urn:other", "Message-ID"), None);
}

#[test]
fn content_length_trims_body() {
    let text = "From: <sip:a@b>\r\n\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi\r\n";
    assert_eq!(CpimMessage::parse(text.as_bytes()).unwrap().body, b"hi");
    // A length longer than the body is not believed.
    let text = "From: <sip:a@b>\r\n\r\nContent-Length: 99\r\n\r\nhi";
    assert_eq!(CpimMessage::parse(text.as_bytes()).unwrap().body, b"hi");
}

#[test]
fn build_new_and_no_injection() {
    let mut m = CpimMessage::new("text/plain", "body");
    m.push_header(
        "From",
        Address {
            display_name: Some("Eve\"".into()),
            uri: "sip:eve@x".into(),
        }
        .to_value(),
    );
    m.push_header("Subject", "hi\r\nimdn.Message-ID: forged");
    let prefix = m.declare_ns("imdn", "urn:ietf:params:imdn");
    assert_eq!(prefix, "imdn");
    assert_eq!(m.declare_ns("other", "urn:ietf:params:imdn"), "imdn");
    let built = String::from_utf8(m.build()).unwrap();
    assert!(built.starts_with("From: \"Eve\" <sip:eve@x>\r\nSubject: hi  imdn.Message-ID: forged\r\nNS: imdn <urn:ietf:params:imdn>\r\n\r\nContent-Type: text/plain\r\n\r\nbody"), "{built}");
    let back = CpimMessage::parse(built.as_bytes()).unwrap();
    assert_eq!(back.ns_header("urn:ietf:params:imdn", "Message-ID"), None);
}

#[test]
fn refused_inputs() {
    assert_eq!(CpimMessage::parse(b""), Err(CpimError::Truncated));
    assert_eq!(
        CpimMessage::parse(b"From: <sip:a@b>"),
        Err(CpimError::Truncated)
    );
    assert!(matches!(
        CpimMessage::parse(b"no colon\r\n\r\n\r\n"),
        Err(CpimError::BadHeader(_))
    ));
    assert!(matches!(
        CpimMessage::parse(b": empty\r\n\r\n\r\n"),
        Err(CpimError::BadHeader(_))
    ));
    assert!(matches!(
        CpimMessage::parse(b" folded: x\r\n\r\n\r\n"),
        Err(CpimError::BadHeader(_))
    ));
    assert_eq!(
        CpimMessage::parse(b"From: \xff\r\n\r\n\r\n"),
        Err(CpimError::NotUtf8)
    );
    let many = "X: y\r\n".repeat(MAX_HEADERS + 1) + "\r\n\r\n";
    assert_eq!(
        CpimMessage::parse(many.as_bytes()),
        Err(CpimError::TooManyHeaders)
    );
    let big = format!(
        "From: <sip:a@b>\r\n\r\n\r\n{}",
        "x".repeat(MAX_MESSAGE_BYTES)
    );
    assert!(matches!(
        CpimMessage::parse(big.as_bytes()),
        Err(CpimError::TooLarge(_))
    ));
    assert_eq!(Address::parse("no brackets"), None);
    assert_eq!(Address::parse("<>"), None);
    assert_eq!(Address::parse("<a<b>"), None);
}

#[test]
fn truncated_and_garbled_inputs_never_panic() {
    for text in [RFC3862, LINPHONE_MESSAGE] {
        let bytes = text.as_bytes();
        for end in 0..bytes.len() {
            if let Ok(m) = CpimMessage::parse(&bytes[..end]) {
                let _ = (m.from(), m.to(), m.namespaces(), m.content_type());
            }
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..3000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut garbled = bytes.to_vec();
            let at = (seed as usize) % garbled.len();
            garbled[at] = (seed >> 40) as u8;
            if let Ok(m) = CpimMessage::parse(&garbled) {
                let _ = (m.from(), m.to(), m.namespaces(), m.build());
            }
        }
    }
}
