//! Between the call machine's plain types ([`call`](super::call)) and SIP
//! messages: reading responses and requests into its inputs, and turning
//! its requests into [`RequestSpec`]s for the dialog. No I/O.

use rsipstack::sip::{Header, Method as SipMethod, Request, Response, Uri};

use super::call::{Dialog, IncomingInvite, Method, RequestIn, ResponseIn};
use super::request::{header, header_values, leading_number, tag_of, uri_of, RequestSpec};

/// The methods Hark takes in a call's dialog (Allow).
pub const ALLOW: &str = "INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, NOTIFY, REFER, INFO";

/// The call machine's name for a SIP method, if it deals with it.
pub fn method_of(m: &SipMethod) -> Option<Method> {
    match m {
        SipMethod::Invite => Some(Method::Invite),
        SipMethod::Ack => Some(Method::Ack),
        SipMethod::Bye => Some(Method::Bye),
        SipMethod::Cancel => Some(Method::Cancel),
        _ => None,
    }
}

fn sip_method(m: Method) -> SipMethod {
    match m {
        Method::Invite => SipMethod::Invite,
        Method::Ack => SipMethod::Ack,
        Method::Bye => SipMethod::Bye,
        Method::Cancel => SipMethod::Cancel,
    }
}

/// The SDP body of a message, if it carries one.
pub fn sdp_body(headers: &rsipstack::sip::Headers, body: &[u8]) -> Option<Vec<u8>> {
    let ct = header(headers, "Content-Type")?;
    let sdp = ct
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/sdp"));
    (sdp && !body.is_empty()).then(|| body.to_vec())
}

/// The CSeq number and method of a message.
pub fn cseq_of(headers: &rsipstack::sip::Headers) -> (u32, Option<String>) {
    let value = header(headers, "CSeq").unwrap_or_default();
    let mut parts = value.split_whitespace();
    let number = parts.next().and_then(leading_number).unwrap_or(0);
    (number, parts.next().map(str::to_ascii_uppercase))
}

/// A response as the call machine takes it.
pub fn response_in(r: &Response) -> ResponseIn {
    let (cseq, method) = cseq_of(&r.headers);
    let method = match method.as_deref() {
        Some("INVITE") => Some(Method::Invite),
        Some("BYE") => Some(Method::Bye),
        Some("CANCEL") => Some(Method::Cancel),
        Some("ACK") => Some(Method::Ack),
        _ => None,
    };
    ResponseIn {
        code: u16::from(r.status_code.clone()),
        reason: super::register::reason_phrase(r),
        method,
        cseq,
        to_tag: header(&r.headers, "To").and_then(|v| tag_of(&v)),
        contact: header(&r.headers, "Contact").map(|v| uri_of(&v)),
        record_route: header_values(&r.headers, "Record-Route"),
        sdp: sdp_body(&r.headers, &r.body),
        session_expires: header(&r.headers, "Session-Expires")
            .and_then(|v| super::session_timer::SessionExpires::parse(&v)),
    }
}

/// The dialog-forming parts and the offer of an incoming INVITE; None
/// when it lacks what a dialog needs (Call-ID, From tag).
pub fn incoming_invite(r: &Request) -> Option<(IncomingInvite, Option<Vec<u8>>)> {
    let call_id = header(&r.headers, "Call-ID")?;
    let from_tag = header(&r.headers, "From").and_then(|v| tag_of(&v))?;
    let (cseq, _) = cseq_of(&r.headers);
    Some((
        IncomingInvite {
            call_id,
            from_tag,
            cseq,
            contact: header(&r.headers, "Contact").map(|v| uri_of(&v)),
            record_route: header_values(&r.headers, "Record-Route"),
        },
        sdp_body(&r.headers, &r.body),
    ))
}

/// A request in the dialog as the call machine takes it (INVITE, ACK,
/// BYE, CANCEL; None for the others).
pub fn request_in(r: &Request) -> Option<RequestIn> {
    let method = method_of(&r.method)?;
    let (cseq, _) = cseq_of(&r.headers);
    Some(RequestIn {
        method,
        cseq,
        contact: header(&r.headers, "Contact").map(|v| uri_of(&v)),
        sdp: sdp_body(&r.headers, &r.body),
    })
}

/// The display name and address in a From or To value
/// (`"Bob" <sip:bob@x>;tag=1` → (`Bob`, `sip:bob@x`)).
pub fn name_and_address(value: &str) -> (Option<String>, String) {
    let name = value
        .find('<')
        .map(|i| value[..i].trim().trim_matches('"').trim().to_string())
        .filter(|n| !n.is_empty());
    (name, uri_of(value))
}

/// A request in `dialog` with CSeq `cseq`, as a spec for
/// [`request::build`](super::request::build): to the remote target (or
/// `peer` before there is one) through the route set.
pub fn in_dialog_spec(dialog: &Dialog, method: SipMethod, cseq: u32, peer: &Uri) -> RequestSpec {
    let target = dialog
        .remote_target
        .as_deref()
        .and_then(|t| Uri::try_from(t).ok())
        .unwrap_or_else(|| peer.clone());
    RequestSpec {
        method,
        uri: target,
        to: peer.clone(),
        to_tag: dialog.remote_tag.clone(),
        from_tag: dialog.local_tag.clone(),
        call_id: dialog.call_id.clone(),
        cseq,
        routes: dialog.route_set.clone(),
        headers: vec![],
        content_type: None,
        body: vec![],
    }
}

/// The request the machine wants sent in `dialog` (INVITE with our
/// Contact, BYE...), with its SDP and extra headers.
pub fn dialog_request(
    dialog: &Dialog,
    request: &super::call::Request,
    peer: &Uri,
    contact: &Uri,
) -> RequestSpec {
    let mut spec = in_dialog_spec(dialog, sip_method(request.method), request.cseq, peer);
    if request.method == Method::Invite {
        spec.headers
            .push(Header::Contact(format!("<{contact}>").into()));
        spec.headers.push(Header::Allow(ALLOW.into()));
    }
    for (name, value) in &request.headers {
        spec.headers
            .push(Header::Other(name.clone(), value.clone()));
    }
    if let Some(sdp) = &request.sdp {
        spec.content_type = Some("application/sdp".to_string());
        spec.body = sdp.clone();
    }
    spec
}

/// A CANCEL's Reason says another device of the user answered (RFC 3326
/// `Reason: SIP ;cause=200 ;text="Call completed elsewhere"`).
pub fn completed_elsewhere(headers: &rsipstack::sip::Headers) -> bool {
    super::request::header_values(headers, "Reason")
        .iter()
        .any(|reason| {
            let mut parts = reason.split(';').map(str::trim);
            let protocol = parts.next().unwrap_or_default();
            protocol.eq_ignore_ascii_case("SIP")
                && parts.any(|p| {
                    p.split_once('=').is_some_and(|(k, v)| {
                        k.trim().eq_ignore_ascii_case("cause") && v.trim() == "200"
                    })
                })
        })
}

/// The status code a `message/sipfrag` body reports (RFC 3515 NOTIFY):
/// `SIP/2.0 200 OK` gives 200.
pub fn sipfrag_status(body: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(body).ok()?;
    let line = text.lines().next()?.trim();
    let rest = line.strip_prefix("SIP/2.0")?.trim_start();
    let code: u16 = rest.split_whitespace().next()?.parse().ok()?;
    (100..700).contains(&code).then_some(code)
}

/// The CANCEL for an INVITE we sent (RFC 3261 §9.1): its Request-URI,
/// Call-ID, From, To, Route and top Via, CSeq number with CANCEL.
pub fn cancel_for(invite: &Request) -> Request {
    let mut cancel = invite.clone();
    cancel.method = SipMethod::Cancel;
    cancel.body.clear();
    let (seq, _) = cseq_of(&invite.headers);
    let mut seen_via = false;
    cancel.headers.retain(|h| match h {
        Header::Via(_) => !std::mem::replace(&mut seen_via, true),
        Header::CallId(_)
        | Header::From(_)
        | Header::To(_)
        | Header::Route(_)
        | Header::MaxForwards(_)
        | Header::UserAgent(_) => true,
        // Credentials the INVITE carried go along (Kamailio accepts the
        // CANCEL without, but a proxy may ask).
        Header::Authorization(_) | Header::ProxyAuthorization(_) => true,
        _ => false,
    });
    cancel.headers.push(Header::CSeq(
        rsipstack::sip::typed::CSeq {
            seq,
            method: SipMethod::Cancel,
        }
        .into(),
    ));
    cancel.headers.push(Header::ContentLength(0.into()));
    cancel
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_response(text: &str) -> Response {
        Response::try_from(text.replace('\n', "\r\n").as_bytes()).unwrap()
    }

    #[test]
    fn a_cancel_says_whether_the_call_was_answered_elsewhere() {
        let with = |reason: &str| {
            let text = format!(
                "SIP/2.0 200 OK\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nCall-ID: c\nCSeq: 1 CANCEL\n{reason}Content-Length: 0\n\n"
            );
            completed_elsewhere(&parse_response(&text).headers)
        };
        assert!(with(
            "Reason: SIP ;cause=200 ;text=\"Call completed elsewhere\"\n"
        ));
        assert!(with("Reason: Q.850;cause=16, SIP;cause=200\n"));
        assert!(!with("Reason: Q.850;cause=200\n"));
        assert!(!with("Reason: SIP;cause=487\n"));
        assert!(!with("Reason: SIP;text=\"cause=200\"\n"));
        assert!(!with(""));
    }

    #[test]
    fn a_ringing_response_gives_its_dialog_parts() {
        let r = parse_response(
            "SIP/2.0 183 Session Progress\n\
             Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\n\
             From: <sip:alice@example.com>;tag=a1\n\
             To: \"Bob\" <sip:bob@example.com>;tag=b2\n\
             Call-ID: c1\n\
             CSeq: 2 INVITE\n\
             Contact: <sip:bob@127.0.0.1:5090;transport=udp>\n\
             Record-Route: <sip:127.0.0.1:5060;lr>, <sip:10.0.0.1;lr>\n\
             Content-Type: application/sdp\n\
             Content-Length: 4\n\n\
             v=0\n",
        );
        let r = response_in(&r);
        assert_eq!(r.code, 183);
        assert_eq!(r.method, Some(Method::Invite));
        assert_eq!(r.cseq, 2);
        assert_eq!(r.to_tag.as_deref(), Some("b2"));
        assert_eq!(
            r.contact.as_deref(),
            Some("sip:bob@127.0.0.1:5090;transport=udp")
        );
        assert_eq!(r.record_route.len(), 2);
        assert!(r.sdp.is_some());
    }

    #[test]
    fn sipfrag_statuses() {
        assert_eq!(sipfrag_status(b"SIP/2.0 200 OK\r\n"), Some(200));
        assert_eq!(sipfrag_status(b"SIP/2.0 100 Trying"), Some(100));
        assert_eq!(
            sipfrag_status(b"SIP/2.0 486 Busy Here\r\nVia: x\r\n"),
            Some(486)
        );
        assert_eq!(sipfrag_status(b"garbage"), None);
        assert_eq!(sipfrag_status(b"SIP/2.0 99999 x"), None);
        assert_eq!(sipfrag_status(&[0xff, 0xfe]), None);
    }

    #[test]
    fn names_and_addresses() {
        assert_eq!(
            name_and_address("\"Bob B\" <sip:bob@x>;tag=1"),
            (Some("Bob B".into()), "sip:bob@x".into())
        );
        assert_eq!(name_and_address("<sip:bob@x>"), (None, "sip:bob@x".into()));
        assert_eq!(
            name_and_address("sip:bob@x;tag=2"),
            (None, "sip:bob@x".into())
        );
    }

    #[test]
    fn cancel_keeps_the_invites_identity() {
        let invite = Request::try_from(
            "INVITE sip:bob@example.com SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKabc\r\n\
             From: <sip:alice@example.com>;tag=a1\r\n\
             To: <sip:bob@example.com>\r\n\
             Call-ID: c1\r\n\
             CSeq: 7 INVITE\r\n\
             Contact: <sip:alice@127.0.0.1:5070>\r\n\
             Content-Type: application/sdp\r\n\
             Content-Length: 4\r\n\r\nv=0\n"
                .as_bytes(),
        )
        .unwrap();
        let cancel = cancel_for(&invite);
        assert_eq!(cancel.method, SipMethod::Cancel);
        assert_eq!(cseq_of(&cancel.headers), (7, Some("CANCEL".into())));
        assert!(header(&cancel.headers, "Via")
            .unwrap()
            .contains("z9hG4bKabc"));
        assert!(header(&cancel.headers, "Contact").is_none());
        assert!(cancel.body.is_empty());
        assert_eq!(cancel.uri.to_string(), "sip:bob@example.com");
    }
}
