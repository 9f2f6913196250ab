//! Delivery and read notifications: RFC 5438 IMDN.
//!
//! [`ImdnRequest`] is what a sender asks for (`Message-ID`, `DateTime`,
//! `Disposition-Notification`), carried as CPIM headers in the `imdn`
//! namespace (`urn:ietf:params:imdn`) the way liblinphone does.
//! [`Imdn`] is the `message/imdn+xml` notification that answers it, with
//! liblinphone's `<reason>` extension on failures. [`parse`] and [`build`]
//! read and write that document over the safe element tree.

use super::cpim::CpimMessage;
use crate::presence::xml::{self, Element, XmlError};

/// The IMDN XML namespace (the notification document).
pub const NS: &str = "urn:ietf:params:xml:ns:imdn";
/// The IMDN CPIM header namespace (the request headers).
pub const CPIM_NS: &str = "urn:ietf:params:imdn";
/// liblinphone's extension namespace (`<reason code="...">`).
pub const LINPHONE_NS: &str = "http://www.linphone.org/xsds/imdn.xsd";
/// MIME type of a notification.
pub const CONTENT_TYPE: &str = "message/imdn+xml";
/// Largest notification body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest Message-ID accepted, in bytes.
pub const MAX_MESSAGE_ID: usize = 256;

/// Why an IMDN request or notification was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImdnError {
    #[error("IMDN body is {0} bytes, more than the {MAX_BODY_BYTES} allowed")]
    TooLarge(usize),
    #[error("IMDN: {0}")]
    Xml(#[from] XmlError),
    #[error("IMDN has no <{0}>")]
    Missing(&'static str),
    #[error("IMDN Message-ID is empty, too long or not a token")]
    BadMessageId,
    #[error("IMDN has no notification, or one with an unknown status")]
    BadNotification,
}

/// Which notifications a sender asked for (`Disposition-Notification`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Disposition {
    pub positive_delivery: bool,
    pub negative_delivery: bool,
    pub processing: bool,
    pub display: bool,
}

impl Disposition {
    /// Read a `Disposition-Notification` value; unknown tokens are ignored.
    pub fn parse(value: &str) -> Disposition {
        let mut d = Disposition::default();
        for token in value.split(',').map(str::trim) {
            match token.to_ascii_lowercase().as_str() {
                "positive-delivery" => d.positive_delivery = true,
                "negative-delivery" => d.negative_delivery = true,
                "processing" => d.processing = true,
                "display" => d.display = true,
                _ => {}
            }
        }
        d
    }

    /// Write the header value (`positive-delivery, negative-delivery, display`).
    pub fn to_value(self) -> String {
        let mut tokens = Vec::new();
        if self.positive_delivery {
            tokens.push("positive-delivery");
        }
        if self.negative_delivery {
            tokens.push("negative-delivery");
        }
        if self.processing {
            tokens.push("processing");
        }
        if self.display {
            tokens.push("display");
        }
        tokens.join(", ")
    }

    /// Whether nothing is asked for.
    pub fn is_empty(self) -> bool {
        self == Disposition::default()
    }
}

/// A sender's request for notifications about one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImdnRequest {
    /// The `Message-ID` the notifications will name.
    pub message_id: String,
    /// The message's `DateTime`, kept as written (RFC 3339).
    pub datetime: Option<String>,
    /// What is asked for.
    pub disposition: Disposition,
}

impl ImdnRequest {
    /// Read the request from its header values. No `Disposition-Notification`
    /// means nothing is asked for (RFC 5438 §6.2).
    pub fn from_headers(
        message_id: &str,
        datetime: Option<&str>,
        disposition: Option<&str>,
    ) -> Result<ImdnRequest, ImdnError> {
        Ok(ImdnRequest {
            message_id: check_message_id(message_id)?,
            datetime: datetime
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            disposition: disposition.map(Disposition::parse).unwrap_or_default(),
        })
    }

    /// The header values: (`Message-ID`, `DateTime`, `Disposition-Notification`).
    pub fn to_headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![("Message-ID", self.message_id.clone())];
        if let Some(datetime) = &self.datetime {
            headers.push(("DateTime", datetime.clone()));
        }
        if !self.disposition.is_empty() {
            headers.push(("Disposition-Notification", self.disposition.to_value()));
        }
        headers
    }

    /// The request carried by a CPIM message, `None` when it has no IMDN
    /// `Message-ID`. `DateTime` is CPIM's own header.
    pub fn from_cpim(message: &CpimMessage) -> Result<Option<ImdnRequest>, ImdnError> {
        let Some(id) = message.ns_header(CPIM_NS, "Message-ID") else {
            return Ok(None);
        };
        ImdnRequest::from_headers(
            id,
            message.header("DateTime"),
            message.ns_header(CPIM_NS, "Disposition-Notification"),
        )
        .map(Some)
    }

    /// Add the request to a CPIM message as liblinphone writes it:
    /// `NS: imdn <urn:ietf:params:imdn>`, `imdn.Message-ID`,
    /// `imdn.Disposition-Notification`, and `DateTime` unless present.
    pub fn write_cpim(&self, message: &mut CpimMessage) {
        if let Some(datetime) = &self.datetime {
            if message.header("DateTime").is_none() {
                message.push_header("DateTime", datetime.as_str());
            }
        }
        message.push_ns_header("imdn", CPIM_NS, "Message-ID", &self.message_id);
        if !self.disposition.is_empty() {
            message.push_ns_header(
                "imdn",
                CPIM_NS,
                "Disposition-Notification",
                &self.disposition.to_value(),
            );
        }
    }
}

fn check_message_id(id: &str) -> Result<String, ImdnError> {
    let id = id.trim();
    let ok =
        !id.is_empty() && id.len() <= MAX_MESSAGE_ID && id.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| id.to_owned()).ok_or(ImdnError::BadMessageId)
}

/// Outcome of a delivery notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Delivered,
    Failed,
    Forbidden,
    Error,
}

/// Outcome of a display notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisplayStatus {
    Displayed,
    Forbidden,
    Error,
}

/// Outcome of a processing notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessingStatus {
    Processed,
    Stored,
    Forbidden,
    Error,
}

/// What the notification says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notification {
    Delivery(DeliveryStatus),
    Display(DisplayStatus),
    Processing(ProcessingStatus),
}

impl Notification {
    fn element_and_status(self) -> (&'static str, &'static str) {
        match self {
            Notification::Delivery(s) => (
                "delivery-notification",
                match s {
                    DeliveryStatus::Delivered => "delivered",
                    DeliveryStatus::Failed => "failed",
                    DeliveryStatus::Forbidden => "forbidden",
                    DeliveryStatus::Error => "error",
                },
            ),
            Notification::Display(s) => (
                "display-notification",
                match s {
                    DisplayStatus::Displayed => "displayed",
                    DisplayStatus::Forbidden => "forbidden",
                    DisplayStatus::Error => "error",
                },
            ),
            Notification::Processing(s) => (
                "processing-notification",
                match s {
                    ProcessingStatus::Processed => "processed",
                    ProcessingStatus::Stored => "stored",
                    ProcessingStatus::Forbidden => "forbidden",
                    ProcessingStatus::Error => "error",
                },
            ),
        }
    }

    fn from_element(kind: &Element) -> Option<Notification> {
        let status = kind.child(NS, "status")?;
        let token = status.children_in(NS).next()?.name.as_str();
        Some(match (kind.name.as_str(), token) {
            ("delivery-notification", "delivered") => {
                Notification::Delivery(DeliveryStatus::Delivered)
            }
            ("delivery-notification", "failed") => Notification::Delivery(DeliveryStatus::Failed),
            ("delivery-notification", "forbidden") => {
                Notification::Delivery(DeliveryStatus::Forbidden)
            }
            ("delivery-notification", "error") => Notification::Delivery(DeliveryStatus::Error),
            ("display-notification", "displayed") => {
                Notification::Display(DisplayStatus::Displayed)
            }
            ("display-notification", "forbidden") => {
                Notification::Display(DisplayStatus::Forbidden)
            }
            ("display-notification", "error") => Notification::Display(DisplayStatus::Error),
            ("processing-notification", "processed") => {
                Notification::Processing(ProcessingStatus::Processed)
            }
            ("processing-notification", "stored") => {
                Notification::Processing(ProcessingStatus::Stored)
            }
            ("processing-notification", "forbidden") => {
                Notification::Processing(ProcessingStatus::Forbidden)
            }
            ("processing-notification", "error") => {
                Notification::Processing(ProcessingStatus::Error)
            }
            _ => return None,
        })
    }
}

/// liblinphone's reason for a failed delivery (`<imdn:reason code="404">`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// SIP-like code (liblinphone's default is 200).
    pub code: i32,
    /// Reason text.
    pub text: String,
}

/// One `message/imdn+xml` notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imdn {
    /// The Message-ID of the message this is about.
    pub message_id: String,
    /// The DateTime of that message, kept as written.
    pub datetime: String,
    pub recipient_uri: Option<String>,
    pub original_recipient_uri: Option<String>,
    pub subject: Option<String>,
    pub notification: Notification,
    /// liblinphone's reason extension, inside `<status>`.
    pub reason: Option<Reason>,
}

impl Imdn {
    /// The notification answering `request` (its DateTime, or `now` when it
    /// had none, RFC 3339).
    pub fn answering(request: &ImdnRequest, notification: Notification, now: &str) -> Imdn {
        Imdn {
            message_id: request.message_id.clone(),
            datetime: request.datetime.clone().unwrap_or_else(|| now.to_owned()),
            recipient_uri: None,
            original_recipient_uri: None,
            subject: None,
            notification,
            reason: None,
        }
    }
}

/// Parse a `message/imdn+xml` body.
pub fn parse(body: &[u8]) -> Result<Imdn, ImdnError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ImdnError::TooLarge(body.len()));
    }
    let root = xml::parse_root(body, NS, "imdn")?;
    let message_id = root
        .child_text(NS, "message-id")
        .ok_or(ImdnError::Missing("message-id"))?;
    let message_id = check_message_id(message_id)?;
    let datetime = root
        .child_text(NS, "datetime")
        .ok_or(ImdnError::Missing("datetime"))?
        .to_owned();
    let optional = |name: &str| root.child_text(NS, name).map(str::to_owned);
    let kind = root
        .children_in(NS)
        .find(|c| c.name.ends_with("-notification"))
        .ok_or(ImdnError::BadNotification)?;
    let notification = Notification::from_element(kind).ok_or(ImdnError::BadNotification)?;
    let reason = kind
        .child(NS, "status")
        .and_then(|s| s.child(LINPHONE_NS, "reason"))
        .map(|r| Reason {
            code: r
                .attr("code")
                .and_then(|c| c.trim().parse().ok())
                .unwrap_or(200),
            text: r.trimmed_text().to_owned(),
        });
    Ok(Imdn {
        message_id,
        datetime,
        recipient_uri: optional("recipient-uri"),
        original_recipient_uri: optional("original-recipient-uri"),
        subject: optional("subject"),
        notification,
        reason,
    })
}

/// Write a notification (IMDN as the default namespace, liblinphone's
/// extension as `imdn:`, as liblinphone writes them).
pub fn build(imdn: &Imdn) -> String {
    let mut root = Element::new(NS, "imdn");
    root.push_text_child(NS, "message-id", imdn.message_id.as_str());
    root.push_text_child(NS, "datetime", imdn.datetime.as_str());
    for (name, value) in [
        ("recipient-uri", &imdn.recipient_uri),
        ("original-recipient-uri", &imdn.original_recipient_uri),
        ("subject", &imdn.subject),
    ] {
        if let Some(value) = value {
            root.push_text_child(NS, name, value.as_str());
        }
    }
    let (kind, token) = imdn.notification.element_and_status();
    let mut status = Element::new(NS, "status").with_child(Element::new(NS, token));
    if let Some(reason) = &imdn.reason {
        status.push(
            Element::new(LINPHONE_NS, "reason")
                .with_attr("code", reason.code.to_string())
                .with_text(reason.text.as_str()),
        );
    }
    root.push(Element::new(NS, kind).with_child(status));
    xml::to_xml(&root, &[(LINPHONE_NS, "imdn")])
}

#[cfg(test)]
#[path = "imdn_tests.rs"]
mod tests;
