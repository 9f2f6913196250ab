//! Building and sending the MESSAGE requests of a chat: a user's text
//! (keeping one Call-ID per message across retries), a typing indication,
//! a delivery or read notification (IMDN in CPIM, as liblinphone sends
//! them), and group-chat commands.

use rsipstack::sip::{Header, Method, Uri};

use crate::im::composing::{self, IsComposing};
use crate::im::cpim::{self, Address, CpimMessage};
use crate::im::imdn::{self, Imdn, ImdnRequest, Notification};
use crate::im::outbound;
use crate::sip::request::{self, Identity, Reply, RequestSpec};
use crate::sip::SipEndpoint;

/// How an attempt ended: the status code (0: no answer) and its words.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub code: u16,
    pub detail: String,
}

impl From<&Reply> for Answer {
    fn from(reply: &Reply) -> Self {
        match reply {
            Reply::Response(r) => Answer {
                code: r.status_code.code(),
                detail: r.status_code.text().to_string(),
            },
            Reply::Unreachable { detail, .. } => Answer {
                code: 0,
                detail: detail.clone(),
            },
        }
    }
}

/// One MESSAGE to `to` (the address of record), through `device` when the
/// conversation is on one of its devices.
pub(crate) struct Outgoing {
    pub to: String,
    pub device: Option<String>,
    pub content_type: String,
    pub body: Vec<u8>,
    /// Keeps the Call-ID across attempts (a user's message).
    pub call_id: Option<String>,
}

impl Outgoing {
    /// A user's text message.
    pub fn text(to: &str, device: Option<String>, body: &str, message_id: &str) -> Outgoing {
        Outgoing {
            to: to.to_string(),
            device,
            content_type: "text/plain;charset=UTF-8".to_string(),
            body: body.as_bytes().to_vec(),
            call_id: Some(outbound::call_id(message_id)),
        }
    }

    /// A user's text in CPIM, asking for delivery and read notifications
    /// (RFC 5438), for peers known to understand CPIM; the IMDN Message-ID
    /// is the message id, so the notifications find the message.
    pub fn text_with_notifications(
        from: &str,
        to: &str,
        device: Option<String>,
        body: &str,
        message_id: &str,
    ) -> Outgoing {
        let mut message = CpimMessage::new("text/plain;charset=UTF-8", body.as_bytes().to_vec());
        push_address(&mut message, "From", from);
        push_address(&mut message, "To", to);
        // No CPIM DateTime (optional in RFC 3862): liblinphone 5.1 refuses
        // every January date with 488 (tests/fixtures/im/README.md).
        message.push_ns_header("imdn", imdn::CPIM_NS, "Message-ID", message_id);
        message.push_ns_header(
            "imdn",
            imdn::CPIM_NS,
            "Disposition-Notification",
            "positive-delivery, display",
        );
        Outgoing {
            to: to.to_string(),
            device,
            content_type: cpim::CONTENT_TYPE.to_string(),
            body: message.build(),
            call_id: Some(outbound::call_id(message_id)),
        }
    }

    /// A typing indication.
    pub fn composing(to: &str, device: Option<String>, doc: &IsComposing) -> Outgoing {
        Outgoing {
            to: to.to_string(),
            device,
            content_type: composing::CONTENT_TYPE.to_string(),
            body: composing::build(doc).into_bytes(),
            call_id: None,
        }
    }

    /// A delivery or read notification answering `request`, in CPIM.
    pub fn notification(
        from: &str,
        to: &str,
        request: &ImdnRequest,
        notification: Notification,
    ) -> Outgoing {
        let now = super::view::now_rfc3339();
        let imdn = Imdn::answering(request, notification, &now);
        let mut message = CpimMessage::new(imdn::CONTENT_TYPE, imdn::build(&imdn).into_bytes());
        message.push_content_header("Content-Disposition", "notification");
        push_address(&mut message, "From", from);
        push_address(&mut message, "To", to);
        message.push_ns_header(
            "imdn",
            imdn::CPIM_NS,
            "Message-ID",
            &outbound::new_message_id(),
        );
        Outgoing {
            to: to.to_string(),
            device: None,
            content_type: cpim::CONTENT_TYPE.to_string(),
            body: message.build(),
            call_id: None,
        }
    }

    /// A plain-text command to a group-chat room (`#join`, ...).
    pub fn room_command(room: &str, command: &str) -> Outgoing {
        Outgoing {
            to: room.to_string(),
            device: None,
            content_type: "text/plain".to_string(),
            body: command.as_bytes().to_vec(),
            call_id: None,
        }
    }
}

fn push_address(message: &mut CpimMessage, name: &str, uri: &str) {
    let value = Address {
        display_name: None,
        uri: uri.to_string(),
    }
    .to_value();
    message.push_header(name, value);
}

/// Sends one MESSAGE and waits for its final answer.
pub(crate) async fn send(endpoint: &SipEndpoint, identity: &Identity, out: Outgoing) -> Answer {
    let Ok(to) = Uri::try_from(out.to.as_str()) else {
        return Answer {
            code: 404,
            detail: format!("{} is not a SIP address", out.to),
        };
    };
    let target = match out.device.as_deref().map(Uri::try_from) {
        Some(Ok(device)) => device,
        _ => to.clone(),
    };
    let mut spec = RequestSpec::new(Method::Message, target);
    spec.to = to;
    if let Some(call_id) = out.call_id {
        spec.call_id = call_id;
    }
    spec.headers
        .push(Header::Contact(format!("<{}>", identity.contact).into()));
    spec.content_type = Some(out.content_type);
    spec.body = out.body;
    let reply = request::send(endpoint, identity, &mut spec).await;
    Answer::from(&reply)
}
