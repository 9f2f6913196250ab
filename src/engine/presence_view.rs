//! The bridge between presence documents and the engine's vocabulary: a
//! NOTIFY body becomes a [`PresenceUpdate`], the user's own status becomes
//! the PIDF document Hark publishes.

use super::api::{Availability, Capabilities, ContactAvailability, PresenceUpdate};
use crate::presence::xml;
use crate::sip::subscription::SubscriptionState;

const PIDF: &str = "urn:ietf:params:xml:ns:pidf";

/// Reads a presence NOTIFY body.
pub(crate) fn view_of(content_type: &str, body: &[u8]) -> Result<PresenceUpdate, String> {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime != "application/pidf+xml" {
        return Err(format!("unsupported content type {content_type:?}"));
    }
    let root = xml::parse_root(body, PIDF, "presence").map_err(|e| e.to_string())?;
    let mut open = false;
    let mut note = None;
    for tuple in root.children_named(PIDF, "tuple") {
        let basic = tuple
            .child(PIDF, "status")
            .and_then(|s| s.child_text(PIDF, "basic"));
        open |= basic == Some("open");
        if note.is_none() {
            note = tuple.child_text(PIDF, "note").map(str::to_owned);
        }
    }
    Ok(PresenceUpdate {
        contact: String::new(),
        availability: if open {
            ContactAvailability::Available
        } else {
            ContactAvailability::Offline
        },
        note: note.filter(|n| !n.is_empty()),
        activities: vec![],
        capabilities: Capabilities {
            voice: open,
            video: false,
            im: open,
            email: false,
        },
        subscription: SubscriptionState::Active,
    })
}

/// The PIDF document for the user's own status.
pub(crate) fn own_document(
    entity: &str,
    availability: Availability,
    note: Option<&str>,
) -> Vec<u8> {
    let basic = if availability == Availability::Invisible {
        "closed"
    } else {
        "open"
    };
    let mut tuple = xml::Element::new(PIDF, "tuple").with_attr("id", "hark");
    let mut status = xml::Element::new(PIDF, "status");
    status.push_text_child(PIDF, "basic", basic);
    tuple.push(status);
    let mut root = xml::Element::new(PIDF, "presence").with_attr("entity", entity);
    if let Some(note) = note {
        tuple.push_text_child(PIDF, "note", note);
    }
    root.push(tuple);
    xml::to_xml(&root, &[]).into_bytes()
}
