//! The bridge between presence documents and the engine's vocabulary: a
//! NOTIFY body becomes a [`PresenceUpdate`] (through the status model in
//! [`crate::presence::status`]), the user's own status becomes the PIDF
//! document Hark publishes.

use super::api::{Availability, Capabilities, ContactAvailability, PresenceUpdate};
use crate::presence::pidf::{self, ServiceCaps};
use crate::presence::status::{self, Automatic, ManualStatus, OwnStatus};
use crate::sip::subscription::SubscriptionState;

/// The MIME type of a PIDF document.
pub(crate) const PIDF_MIME: &str = "application/pidf+xml";

/// Reads a presence NOTIFY body; the error says why it is unusable.
pub(crate) fn view_of(content_type: &str, body: &[u8]) -> Result<PresenceUpdate, String> {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime != PIDF_MIME {
        return Err(format!("unsupported content type {content_type:?}"));
    }
    let doc = pidf::parse(body).map_err(|e| e.to_string())?;
    let s = status::aggregate(&doc);
    Ok(PresenceUpdate {
        contact: doc.entity.clone(),
        availability: availability(s.availability),
        note: s.note.filter(|n| !n.trim().is_empty()),
        activities: s
            .activities
            .iter()
            .filter_map(|a| a.kind.rpid_name())
            .filter(|n| *n != "other" && *n != "unknown")
            .map(str::to_owned)
            .collect(),
        capabilities: Capabilities {
            voice: s.capabilities.voice,
            video: s.capabilities.video,
            im: s.capabilities.im,
            email: s.capabilities.email,
        },
        subscription: SubscriptionState::Active,
        line: None,
    })
}

fn availability(a: status::ContactAvailability) -> ContactAvailability {
    use status::ContactAvailability as S;
    match a {
        S::Unknown => ContactAvailability::Unknown,
        S::Offline => ContactAvailability::Offline,
        S::Available => ContactAvailability::Available,
        S::Away => ContactAvailability::Away,
        S::InAMeeting => ContactAvailability::InAMeeting,
        S::Busy => ContactAvailability::Busy,
        S::OnThePhone => ContactAvailability::OnThePhone,
        S::Forwarded => ContactAvailability::Forwarded,
        S::DoNotDisturb => ContactAvailability::DoNotDisturb,
    }
}

/// The user's manual choice in the status model's terms.
pub(crate) fn manual(a: Availability) -> ManualStatus {
    match a {
        Availability::Available => ManualStatus::Available,
        Availability::Away => ManualStatus::Away,
        Availability::Busy => ManualStatus::Busy,
        Availability::DoNotDisturb => ManualStatus::DoNotDisturb,
        Availability::Invisible => ManualStatus::Invisible,
    }
}

/// The PIDF document for the user's own status.
pub(crate) fn own_document(
    entity: &str,
    availability: Availability,
    note: Option<&str>,
    automatic: Automatic,
) -> Vec<u8> {
    let own = OwnStatus {
        manual: manual(availability),
        note: note.unwrap_or_default().to_string(),
        automatic,
    };
    let caps = ServiceCaps::voice_and_im();
    status::own_document_xml(entity, &own, "hark", Some(entity), Some(&caps)).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_hark_publishes_reads_back_as_the_same_status() {
        for a in Availability::ALL {
            let doc = own_document("sip:a@x", a, Some("hello"), Automatic::default());
            let view = view_of("application/pidf+xml; charset=utf-8", &doc).unwrap();
            let expected = match a {
                Availability::Available => ContactAvailability::Available,
                Availability::Away => ContactAvailability::Away,
                Availability::Busy => ContactAvailability::Busy,
                Availability::DoNotDisturb => ContactAvailability::DoNotDisturb,
                Availability::Invisible => ContactAvailability::Offline,
            };
            assert_eq!(view.availability, expected, "{a:?}");
        }
    }

    #[test]
    fn unusable_documents_say_why() {
        assert!(view_of("text/plain", b"x")
            .unwrap_err()
            .contains("content type"));
        assert!(view_of("application/pidf+xml", b"<p/>").is_err());
        let bomb = br#"<!DOCTYPE x [<!ENTITY a "aaaa">]><presence xmlns="urn:ietf:params:xml:ns:pidf">&a;</presence>"#;
        assert!(view_of("application/pidf+xml", bomb).is_err());
    }
}

#[cfg(test)]
mod automatic_tests {
    use super::*;

    #[test]
    fn idle_and_calendar_show_only_while_the_manual_status_is_available() {
        let idle = Automatic {
            idle: true,
            ..Default::default()
        };
        let meeting = Automatic {
            in_meeting_from_calendar: true,
            ..Default::default()
        };
        let seen = |a, auto| {
            view_of(
                "application/pidf+xml",
                &own_document("sip:a@x", a, None, auto),
            )
            .unwrap()
            .availability
        };
        assert_eq!(
            seen(Availability::Available, idle),
            ContactAvailability::Away
        );
        assert_eq!(
            seen(Availability::Available, meeting),
            ContactAvailability::InAMeeting
        );
        assert_eq!(seen(Availability::Busy, idle), ContactAvailability::Busy);
        assert_eq!(
            seen(Availability::DoNotDisturb, meeting),
            ContactAvailability::DoNotDisturb
        );
    }
}
