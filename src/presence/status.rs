//! The status model (SPEC P5, P6, P7): one availability per contact, and
//! what Hark publishes for itself.
//!
//! Owns [`aggregate`] (a contact's [`PresenceDocument`] → [`ContactStatus`]
//! with availability, dot colour, note, activities, capabilities, display
//! name, idle), [`effective`] (manual + automatic own status → what others
//! see) and [`own_document`] (the PIDF Hark PUBLISHes).
//!
//! Decisions (each unit-tested):
//! - Precedence: Do not disturb > Forwarded > On the phone > Busy >
//!   In a meeting > Away > Available > Offline > Unknown; the strongest
//!   signal among all persons and open tuples wins.
//! - Dots: green Available; yellow On the phone and Forwarded (calls still
//!   reach someone, elsewhere); red Busy, In a meeting (a kind of busy) and
//!   Do not disturb; orange Away; grey Offline and Unknown.
//! - Basic status: any open tuple → at least Available; all known tuples
//!   closed → Offline even with activities (a closed tuple with "away" is
//!   Offline, as most clients show it); tuples without `<basic>` and no
//!   activities → Unknown; a document with no tuple, person or device →
//!   Offline (the server has nothing published).
//! - Do not disturb has no RPID activity. Recognised encodings, which win
//!   even over closed tuples (linphone publishes DND as closed):
//!   `<rpid:busy>Do not disturb</rpid:busy>` (liblinphone's
//!   `LinphoneStatusDoNotDisturb`), `<rpid:other>dnd</rpid:other>` or
//!   `<rpid:other>Do not disturb</rpid:other>`, an activity element named
//!   `dnd` or `do-not-disturb` in any namespace, and busy with a note
//!   reading "Do not disturb" (pjsip-based clients).
//! - Hark publishes DND exactly as liblinphone does, so linphone shows it
//!   as Do not disturb in both its APIs (`linphone_friend_get_status`
//!   matches busy + "Do not disturb"; consolidated presence reads closed +
//!   an activity as DND): tuple basic closed, person
//!   `<rpid:busy>Do not disturb</rpid:busy>`, and on the tuple a plain
//!   `<rpid:busy/>` so baresip (which greps for `<rpid:busy/>`) shows busy.
//! - Forwarded: `<rpid:other>forwarded</rpid:other>` (also read: an element
//!   named `forwarded`), basic open; linphone reads it as busy, baresip as
//!   open.
//! - Capabilities come from open tuples: RFC 5196 caps when present, else
//!   inferred from the contact URI (sip/sips or no contact: voice and IM;
//!   tel: voice; im/xmpp/pres: IM); e-mail from any `mailto:` contact.
//!   Do not disturb removes voice and video.

use super::pidf::{Basic, Contact, Note, PresenceDocument, ServiceCaps, Tuple};
use super::rpid::{Activities, Activity, ActivityKind, InputState, Rpid, UserInput};

/// One contact's availability, in increasing precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContactAvailability {
    /// No document, or nothing usable in it.
    Unknown,
    Offline,
    Available,
    Away,
    InAMeeting,
    Busy,
    OnThePhone,
    Forwarded,
    DoNotDisturb,
}

/// The colour of a contact's status dot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dot {
    Green,
    Yellow,
    Red,
    Orange,
    Grey,
}

impl ContactAvailability {
    /// The dot colour (see the module documentation).
    pub fn dot(self) -> Dot {
        match self {
            ContactAvailability::Available => Dot::Green,
            ContactAvailability::OnThePhone | ContactAvailability::Forwarded => Dot::Yellow,
            ContactAvailability::Busy
            | ContactAvailability::InAMeeting
            | ContactAvailability::DoNotDisturb => Dot::Red,
            ContactAvailability::Away => Dot::Orange,
            ContactAvailability::Offline | ContactAvailability::Unknown => Dot::Grey,
        }
    }

    /// A short English label.
    pub fn label(self) -> &'static str {
        match self {
            ContactAvailability::Unknown => "Unknown",
            ContactAvailability::Offline => "Offline",
            ContactAvailability::Available => "Available",
            ContactAvailability::Away => "Away",
            ContactAvailability::InAMeeting => "In a meeting",
            ContactAvailability::Busy => "Busy",
            ContactAvailability::OnThePhone => "On the phone",
            ContactAvailability::Forwarded => "Forwarded",
            ContactAvailability::DoNotDisturb => "Do not disturb",
        }
    }
}

/// What a contact can take now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities {
    pub voice: bool,
    pub video: bool,
    pub im: bool,
    pub email: bool,
}

/// One contact's status, aggregated over all tuples, persons and devices.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactStatus {
    pub availability: ContactAvailability,
    pub note: Option<String>,
    pub activities: Vec<Activity>,
    pub capabilities: Capabilities,
    pub display_name: Option<String>,
    pub idle: bool,
}

impl ContactStatus {
    /// Status of a contact without a usable document.
    pub fn unknown() -> Self {
        ContactStatus {
            availability: ContactAvailability::Unknown,
            note: None,
            activities: Vec::new(),
            capabilities: Capabilities::default(),
            display_name: None,
            idle: false,
        }
    }

    /// The dot colour.
    pub fn dot(&self) -> Dot {
        self.availability.dot()
    }
}

/// Letters and digits only, lower case: "Do-Not Disturb" → "donotdisturb".
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn says_dnd(text: &str) -> bool {
    matches!(squash(text).as_str(), "dnd" | "donotdisturb")
}

fn says_forwarded(text: &str) -> bool {
    matches!(
        squash(text).as_str(),
        "forwarded" | "callforwarded" | "callsforwarded"
    )
}

/// The availability one activity signals, if any.
pub fn activity_availability(activity: &Activity) -> Option<ContactAvailability> {
    use ActivityKind as K;
    use ContactAvailability as A;
    match &activity.kind {
        K::Busy if says_dnd(&activity.text) => Some(A::DoNotDisturb),
        K::Other | K::Extension { .. } if says_dnd(&activity.text) => Some(A::DoNotDisturb),
        K::Other | K::Extension { .. } if says_forwarded(&activity.text) => Some(A::Forwarded),
        K::Extension { name, .. } if says_dnd(name) => Some(A::DoNotDisturb),
        K::Extension { name, .. } if says_forwarded(name) => Some(A::Forwarded),
        K::Busy | K::Performance | K::Spectator | K::Worship => Some(A::Busy),
        K::OnThePhone => Some(A::OnThePhone),
        K::Meeting | K::Appointment | K::Presentation => Some(A::InAMeeting),
        K::Away
        | K::Vacation
        | K::Holiday
        | K::Sleeping
        | K::PermanentAbsence
        | K::Travel
        | K::InTransit
        | K::Steering
        | K::Breakfast
        | K::Lunch
        | K::Dinner
        | K::Meal
        | K::Shopping
        | K::Playing
        | K::Tv => Some(A::Away),
        _ => None,
    }
}

fn is_open(tuple: &Tuple) -> bool {
    tuple.basic == Some(Basic::Open)
}

fn priority(tuple: &Tuple) -> f32 {
    tuple
        .contact
        .as_ref()
        .and_then(|c| c.priority)
        .unwrap_or(0.0)
}

/// Aggregate a contact's document into one status (see the module
/// documentation for the rules).
pub fn aggregate(doc: &PresenceDocument) -> ContactStatus {
    let open_tuples: Vec<&Tuple> = doc.tuples.iter().filter(|t| is_open(t)).collect();
    let any_open = !open_tuples.is_empty();
    let any_closed = doc.tuples.iter().any(|t| t.basic == Some(Basic::Closed));

    // Activities that count: persons' always, open tuples' and devices'.
    let mut activities: Vec<Activity> = Vec::new();
    let rpids = doc
        .persons
        .iter()
        .map(|p| &p.rpid)
        .chain(open_tuples.iter().map(|t| &t.rpid))
        .chain(doc.devices.iter().map(|d| &d.rpid));
    for rpid in rpids {
        for activity in rpid.activity_list() {
            if !activities.contains(activity) {
                activities.push(activity.clone());
            }
        }
    }
    // Closed tuples still carry DND (linphone) and forwarding markers.
    let closed_markers = doc
        .tuples
        .iter()
        .filter(|t| !is_open(t))
        .flat_map(|t| t.rpid.activity_list())
        .filter_map(activity_availability)
        .filter(|a| *a >= ContactAvailability::Forwarded);

    let notes = best_notes(doc, &open_tuples);
    let busy_with_dnd_note = activities.iter().any(|a| a.kind == ActivityKind::Busy)
        && notes.iter().any(|n| says_dnd(&n.text));

    let from_activities = activities
        .iter()
        .filter_map(activity_availability)
        .chain(closed_markers)
        .chain(busy_with_dnd_note.then_some(ContactAvailability::DoNotDisturb))
        .max();
    let idle = is_idle(doc, &open_tuples);

    use ContactAvailability as A;
    let availability = match from_activities {
        Some(marker) if marker >= A::Forwarded => marker,
        _ if any_open => {
            let idle_away = idle.then_some(A::Away);
            [Some(A::Available), from_activities, idle_away]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(A::Available)
        }
        _ if any_closed => A::Offline,
        Some(signal) => signal,
        None if doc.tuples.is_empty() && doc.persons.is_empty() && doc.devices.is_empty() => {
            A::Offline
        }
        None => A::Unknown,
    };

    let mut capabilities = capabilities_of(doc, &open_tuples);
    if availability == A::DoNotDisturb {
        capabilities.voice = false;
        capabilities.video = false;
    }
    let display_name = doc
        .persons
        .iter()
        .map(|p| &p.cipid)
        .chain(doc.tuples.iter().map(|t| &t.cipid))
        .find_map(|c| c.display_name.clone())
        .filter(|n| !n.is_empty());

    ContactStatus {
        availability,
        note: notes.first().map(|n| n.text.clone()),
        activities,
        capabilities,
        display_name,
        idle,
    }
}

/// Parse and aggregate; an unusable document is [`ContactAvailability::Unknown`].
pub fn aggregate_bytes(bytes: &[u8]) -> ContactStatus {
    match super::pidf::parse(bytes) {
        Ok(doc) => aggregate(&doc),
        Err(_) => ContactStatus::unknown(),
    }
}

/// Notes in order of preference: persons' `<dm:note>`, their activities'
/// notes, open tuples by descending priority, the document's, then closed
/// tuples'. Empty notes are skipped.
fn best_notes<'a>(doc: &'a PresenceDocument, open_tuples: &[&'a Tuple]) -> Vec<&'a Note> {
    let mut by_priority: Vec<&Tuple> = open_tuples.to_vec();
    by_priority.sort_by(|a, b| priority(b).total_cmp(&priority(a)));
    let person_notes = doc.persons.iter().flat_map(|p| p.notes.iter());
    let activity_notes = doc
        .persons
        .iter()
        .filter_map(|p| p.rpid.activities.as_ref())
        .flat_map(|a| a.notes.iter());
    let tuple_notes = by_priority.into_iter().flat_map(|t| t.notes.iter());
    let closed_notes = doc
        .tuples
        .iter()
        .filter(|t| !is_open(t))
        .flat_map(|t| t.notes.iter());
    person_notes
        .chain(activity_notes)
        .chain(tuple_notes)
        .chain(doc.notes.iter())
        .chain(closed_notes)
        .filter(|n| !n.text.is_empty())
        .collect()
}

/// Idle when a person says so, or when every open tuple and device that
/// reports user input reports idle (one active device keeps the contact
/// active).
fn is_idle(doc: &PresenceDocument, open_tuples: &[&Tuple]) -> bool {
    let state = |rpid: &Rpid| rpid.user_input.as_ref().map(|u| u.state);
    if doc
        .persons
        .iter()
        .any(|p| state(&p.rpid) == Some(InputState::Idle))
    {
        return true;
    }
    let reports: Vec<InputState> = open_tuples
        .iter()
        .map(|t| &t.rpid)
        .chain(doc.devices.iter().map(|d| &d.rpid))
        .filter_map(state)
        .collect();
    !reports.is_empty() && reports.iter().all(|s| *s == InputState::Idle)
}

fn capabilities_of(doc: &PresenceDocument, open_tuples: &[&Tuple]) -> Capabilities {
    let mut caps = Capabilities::default();
    for tuple in open_tuples {
        let scheme = tuple
            .contact
            .as_ref()
            .map(|c| scheme_of(&c.uri))
            .unwrap_or_default();
        match &tuple.caps {
            Some(servcaps) => {
                caps.voice |= servcaps.audio == Some(true);
                caps.video |= servcaps.video == Some(true);
                caps.im |= servcaps.message == Some(true);
            }
            None => match scheme.as_str() {
                "" | "sip" | "sips" => {
                    caps.voice = true;
                    caps.im = true;
                }
                "tel" => caps.voice = true,
                "im" | "xmpp" | "pres" => caps.im = true,
                _ => {}
            },
        }
    }
    caps.email = doc
        .tuples
        .iter()
        .filter_map(|t| t.contact.as_ref())
        .any(|c| scheme_of(&c.uri) == "mailto");
    caps
}

fn scheme_of(uri: &str) -> String {
    uri.trim()
        .trim_start_matches('<')
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The status the user picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ManualStatus {
    #[default]
    Available,
    Away,
    Busy,
    InAMeeting,
    DoNotDisturb,
    /// Publishes offline.
    Invisible,
}

/// Status Hark detects by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Automatic {
    /// A call is up.
    pub on_the_phone: bool,
    /// No input for the configured minutes.
    pub idle: bool,
    /// The calendar has a meeting now.
    pub in_meeting_from_calendar: bool,
    /// Unconditional call forwarding is active.
    pub forwarded: bool,
}

/// The user's own status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OwnStatus {
    pub manual: ManualStatus,
    /// Free-text note; empty for none.
    pub note: String,
    pub automatic: Automatic,
}

/// What others see of the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectiveStatus {
    Available,
    Away,
    /// Away because the user is idle (published with `<rpid:user-input>idle`).
    Idle,
    Busy,
    InAMeeting,
    OnThePhone,
    Forwarded,
    DoNotDisturb,
    Invisible,
}

impl EffectiveStatus {
    /// How a watcher aggregates it.
    pub fn availability(self) -> ContactAvailability {
        use ContactAvailability as A;
        match self {
            EffectiveStatus::Available => A::Available,
            EffectiveStatus::Away | EffectiveStatus::Idle => A::Away,
            EffectiveStatus::Busy => A::Busy,
            EffectiveStatus::InAMeeting => A::InAMeeting,
            EffectiveStatus::OnThePhone => A::OnThePhone,
            EffectiveStatus::Forwarded => A::Forwarded,
            EffectiveStatus::DoNotDisturb => A::DoNotDisturb,
            EffectiveStatus::Invisible => A::Offline,
        }
    }
}

/// Combine manual and automatic status. Do not disturb and Invisible are
/// never overridden; forwarding overrides the rest (P6 precedence);
/// on the phone overrides Available, Away and Busy but not a manual In a
/// meeting; a calendar meeting, then idleness, apply only while the manual
/// status is Available.
pub fn effective(status: &OwnStatus) -> EffectiveStatus {
    let auto = status.automatic;
    match status.manual {
        ManualStatus::DoNotDisturb => EffectiveStatus::DoNotDisturb,
        ManualStatus::Invisible => EffectiveStatus::Invisible,
        _ if auto.forwarded => EffectiveStatus::Forwarded,
        ManualStatus::InAMeeting => EffectiveStatus::InAMeeting,
        _ if auto.on_the_phone => EffectiveStatus::OnThePhone,
        ManualStatus::Busy => EffectiveStatus::Busy,
        ManualStatus::Away => EffectiveStatus::Away,
        ManualStatus::Available if auto.in_meeting_from_calendar => EffectiveStatus::InAMeeting,
        ManualStatus::Available if auto.idle => EffectiveStatus::Idle,
        ManualStatus::Available => EffectiveStatus::Available,
    }
}

/// The person activity Hark publishes for a status, if any.
fn published_activity(status: EffectiveStatus) -> Option<Activity> {
    Some(match status {
        EffectiveStatus::Available | EffectiveStatus::Invisible => return None,
        EffectiveStatus::Away | EffectiveStatus::Idle => Activity::new(ActivityKind::Away),
        EffectiveStatus::Busy => Activity::new(ActivityKind::Busy),
        EffectiveStatus::InAMeeting => Activity::new(ActivityKind::Meeting),
        EffectiveStatus::OnThePhone => Activity::new(ActivityKind::OnThePhone),
        EffectiveStatus::Forwarded => Activity::other("forwarded"),
        EffectiveStatus::DoNotDisturb => Activity {
            kind: ActivityKind::Busy,
            text: "Do not disturb".to_owned(),
        },
    })
}

fn activities_of(activity: Activity) -> Option<Activities> {
    Some(Activities {
        activities: vec![activity],
        ..Default::default()
    })
}

/// The document Hark PUBLISHes: one tuple (`tuple_id`, contact, note,
/// caps, activity) and one person (`p-{tuple_id}`, activity, note). Basic
/// is open except for Invisible (published as plain offline: no note, no
/// activity) and Do not disturb (see the module documentation).
pub fn own_document(
    entity: &str,
    status: &OwnStatus,
    tuple_id: &str,
    contact: Option<&str>,
    caps: Option<&ServiceCaps>,
) -> PresenceDocument {
    let shown = effective(status);
    let invisible = shown == EffectiveStatus::Invisible;
    let basic = match shown {
        EffectiveStatus::Invisible | EffectiveStatus::DoNotDisturb => Basic::Closed,
        _ => Basic::Open,
    };
    let note = status.note.trim();
    let notes = if invisible || note.is_empty() {
        Vec::new()
    } else {
        vec![Note::new(note)]
    };
    let person_activity = published_activity(shown);
    // The tuple repeats the activity as a plain element (no text) for
    // watchers that grep for `<rpid:busy/>` (baresip).
    let tuple_activity = person_activity.clone().map(|a| match a.kind {
        ActivityKind::Other => a,
        kind => Activity::new(kind),
    });

    let mut tuple = Tuple {
        id: tuple_id.to_owned(),
        basic: Some(basic),
        contact: contact.map(|uri| Contact {
            uri: uri.to_owned(),
            priority: Some(0.8),
        }),
        notes: notes.clone(),
        caps: if invisible { None } else { caps.cloned() },
        ..Default::default()
    };
    tuple.rpid.activities = tuple_activity.and_then(activities_of);
    if shown == EffectiveStatus::Idle {
        tuple.rpid.user_input = Some(UserInput::new(InputState::Idle));
    }

    let mut person = super::pidf::Person {
        id: format!("p-{tuple_id}"),
        notes,
        ..Default::default()
    };
    person.rpid.activities = person_activity.and_then(activities_of);

    PresenceDocument {
        entity: entity.to_owned(),
        tuples: vec![tuple],
        persons: vec![person],
        ..Default::default()
    }
}

/// [`own_document`] written as XML, ready for a PUBLISH body.
pub fn own_document_xml(
    entity: &str,
    status: &OwnStatus,
    tuple_id: &str,
    contact: Option<&str>,
    caps: Option<&ServiceCaps>,
) -> String {
    super::pidf::build(&own_document(entity, status, tuple_id, contact, caps))
}

#[cfg(test)]
#[path = "status_tests.rs"]
mod tests;
