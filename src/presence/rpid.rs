//! RPID, Rich Presence Extensions to PIDF (RFC 4480).
//!
//! Owns the typed form of the RPID elements found in `<dm:person>`,
//! `<tuple>` and `<dm:device>`: activities, mood, place-is, place-type,
//! privacy, sphere, status-icon, user-input, class and time-offset, each with
//! a reader from an [`Element`] and a writer back to one. [`Rpid`] gathers
//! them for one presence component; [`crate`]-level users go through
//! [`super::pidf`]. Unknown values are kept so documents round-trip.

use super::pidf::Note;
use super::xml::Element;

/// The RPID namespace.
pub const NS: &str = "urn:ietf:params:xml:ns:pidf:rpid";

/// `id`, `from` and `until` attributes shared by most RPID elements.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Validity {
    pub id: Option<String>,
    pub from: Option<String>,
    pub until: Option<String>,
}

impl Validity {
    fn read(element: &Element) -> Self {
        Validity {
            id: element.attr("id").map(str::to_owned),
            from: element.attr("from").map(str::to_owned),
            until: element.attr("until").map(str::to_owned),
        }
    }

    fn write(&self, element: &mut Element) {
        for (name, value) in [
            ("id", &self.id),
            ("from", &self.from),
            ("until", &self.until),
        ] {
            if let Some(value) = value {
                element.set_attr("", name, value.clone());
            }
        }
    }
}

macro_rules! activity_kinds {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// One activity from the RFC 4480 enumeration, `<other>`, or an
        /// element the RFC does not define (kept with its namespace).
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum ActivityKind {
            $($variant,)*
            /// `<rpid:other>`: free text in [`Activity::text`].
            Other,
            /// Any other element: namespace URI and local name.
            Extension { ns: String, name: String },
        }

        impl ActivityKind {
            /// The RPID element name of an enumerated activity.
            pub fn rpid_name(&self) -> Option<&'static str> {
                match self {
                    $(ActivityKind::$variant => Some($name),)*
                    ActivityKind::Other => Some("other"),
                    ActivityKind::Extension { .. } => None,
                }
            }

            fn from_rpid_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(ActivityKind::$variant),)*
                    "other" => Some(ActivityKind::Other),
                    _ => None,
                }
            }
        }
    };
}

activity_kinds! {
    Appointment => "appointment",
    Away => "away",
    Breakfast => "breakfast",
    Busy => "busy",
    Dinner => "dinner",
    Holiday => "holiday",
    InTransit => "in-transit",
    LookingForWork => "looking-for-work",
    Lunch => "lunch",
    Meal => "meal",
    Meeting => "meeting",
    OnThePhone => "on-the-phone",
    Performance => "performance",
    PermanentAbsence => "permanent-absence",
    Playing => "playing",
    Presentation => "presentation",
    Shopping => "shopping",
    Sleeping => "sleeping",
    Spectator => "spectator",
    Steering => "steering",
    Travel => "travel",
    Tv => "tv",
    Unknown => "unknown",
    Vacation => "vacation",
    Working => "working",
    Worship => "worship",
}

/// One activity. `text` is the element's text: the description of
/// `<other>`, or what some clients put inside an enumerated element
/// (linphone writes `<rpid:busy>Do not disturb</rpid:busy>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub kind: ActivityKind,
    pub text: String,
}

impl Activity {
    /// An enumerated activity without text.
    pub fn new(kind: ActivityKind) -> Self {
        Activity {
            kind,
            text: String::new(),
        }
    }

    /// `<rpid:other>text</rpid:other>`.
    pub fn other(text: impl Into<String>) -> Self {
        Activity {
            kind: ActivityKind::Other,
            text: text.into(),
        }
    }

    fn read(element: &Element) -> Self {
        let kind = if element.ns == NS {
            ActivityKind::from_rpid_name(&element.name)
        } else {
            None
        };
        Activity {
            kind: kind.unwrap_or_else(|| ActivityKind::Extension {
                ns: element.ns.clone(),
                name: element.name.clone(),
            }),
            text: element.trimmed_text().to_owned(),
        }
    }

    fn to_element(&self) -> Element {
        let element = match (&self.kind, self.kind.rpid_name()) {
            (_, Some(name)) => Element::new(NS, name),
            (ActivityKind::Extension { ns, name }, None) => Element::new(ns, name),
            (_, None) => Element::new(NS, "unknown"),
        };
        element.with_text(self.text.clone())
    }
}

/// `<rpid:activities>`: what the person is doing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Activities {
    pub validity: Validity,
    pub notes: Vec<Note>,
    pub activities: Vec<Activity>,
}

impl Activities {
    /// Read an `<rpid:activities>` element.
    pub fn parse(element: &Element) -> Self {
        let mut out = Activities {
            validity: Validity::read(element),
            ..Default::default()
        };
        for child in &element.children {
            if child.is(NS, "note") {
                out.notes.push(Note::parse(child));
            } else {
                out.activities.push(Activity::read(child));
            }
        }
        out
    }

    /// Write an `<rpid:activities>` element.
    pub fn to_element(&self) -> Element {
        let mut element = Element::new(NS, "activities");
        self.validity.write(&mut element);
        for note in &self.notes {
            element.push(note.to_element(NS));
        }
        for activity in &self.activities {
            element.push(activity.to_element());
        }
        element
    }
}

/// One value of an enumerated RPID element (mood, place-type, privacy,
/// place-is): the child's namespace, local name and text (the text of
/// `<other>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub ns: String,
    pub name: String,
    pub text: String,
}

impl Value {
    /// An RPID value without text, e.g. `Value::rpid("happy")`.
    pub fn rpid(name: &str) -> Self {
        Value {
            ns: NS.to_owned(),
            name: name.to_owned(),
            text: String::new(),
        }
    }

    fn read(element: &Element) -> Self {
        Value {
            ns: element.ns.clone(),
            name: element.name.clone(),
            text: element.trimmed_text().to_owned(),
        }
    }

    fn to_element(&self) -> Element {
        Element::new(&self.ns, &self.name).with_text(self.text.clone())
    }
}

/// An RPID element holding notes and a list of enumerated values:
/// `<rpid:mood>` (values such as `happy`, `other`), `<rpid:place-type>`
/// (RFC 4589 location types), `<rpid:privacy>` (`audio`, `text`, `video`,
/// `unknown`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Enumerated {
    pub validity: Validity,
    pub notes: Vec<Note>,
    pub values: Vec<Value>,
}

impl Enumerated {
    /// Read any element of this shape.
    pub fn parse(element: &Element) -> Self {
        let mut out = Enumerated {
            validity: Validity::read(element),
            ..Default::default()
        };
        for child in &element.children {
            if child.is(NS, "note") {
                out.notes.push(Note::parse(child));
            } else {
                out.values.push(Value::read(child));
            }
        }
        out
    }

    /// Write it as `<rpid:{name}>`.
    pub fn to_element(&self, name: &str) -> Element {
        let mut element = Element::new(NS, name);
        self.validity.write(&mut element);
        for note in &self.notes {
            element.push(note.to_element(NS));
        }
        for value in &self.values {
            element.push(value.to_element());
        }
        element
    }

    /// Whether a value with this RPID name is present.
    pub fn has(&self, name: &str) -> bool {
        self.values.iter().any(|v| v.ns == NS && v.name == name)
    }
}

/// `<rpid:place-is>`: audio (`noisy`, `ok`, `quiet`, `unknown`), video
/// (`toobright`, `ok`, `dark`, `unknown`) and text (`uncomfortable`,
/// `inappropriate`, `ok`, `unknown`) conditions of the place.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlaceIs {
    pub validity: Validity,
    pub notes: Vec<Note>,
    pub audio: Option<Value>,
    pub video: Option<Value>,
    pub text: Option<Value>,
}

impl PlaceIs {
    /// Read a `<rpid:place-is>` element.
    pub fn parse(element: &Element) -> Self {
        let condition = |name: &str| {
            element
                .child(NS, name)
                .and_then(|c| c.children.first())
                .map(Value::read)
        };
        PlaceIs {
            validity: Validity::read(element),
            notes: element
                .children_named(NS, "note")
                .map(Note::parse)
                .collect(),
            audio: condition("audio"),
            video: condition("video"),
            text: condition("text"),
        }
    }

    /// Write a `<rpid:place-is>` element.
    pub fn to_element(&self) -> Element {
        let mut element = Element::new(NS, "place-is");
        self.validity.write(&mut element);
        for note in &self.notes {
            element.push(note.to_element(NS));
        }
        for (name, value) in [
            ("audio", &self.audio),
            ("video", &self.video),
            ("text", &self.text),
        ] {
            if let Some(value) = value {
                element.push(Element::new(NS, name).with_child(value.to_element()));
            }
        }
        element
    }
}

/// An RPID element whose content is a single text value plus validity
/// attributes: `<rpid:sphere>` (`work`, `home`, `unknown` as a child
/// element, or free text), `<rpid:status-icon>` (a URI), `<rpid:class>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Single {
    pub validity: Validity,
    pub value: String,
}

impl Single {
    /// Read it: the text, or the name of the first child element
    /// (`<rpid:sphere><rpid:work/></rpid:sphere>` reads as `work`).
    pub fn parse(element: &Element) -> Self {
        let value = match element.children.first() {
            Some(child) if element.trimmed_text().is_empty() => child.name.clone(),
            _ => element.trimmed_text().to_owned(),
        };
        Single {
            validity: Validity::read(element),
            value,
        }
    }

    /// Write it as `<rpid:{name}>value</rpid:{name}>`; a sphere's `work`,
    /// `home` and `unknown` are written as child elements.
    pub fn to_element(&self, name: &str) -> Element {
        let mut element = Element::new(NS, name);
        self.validity.write(&mut element);
        if name == "sphere" && matches!(self.value.as_str(), "work" | "home" | "unknown") {
            element.push(Element::new(NS, &self.value));
        } else {
            element.text = self.value.clone();
        }
        element
    }
}

/// Whether the user is using the device: `<rpid:user-input>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputState {
    Active,
    Idle,
}

/// `<rpid:user-input idle-threshold= last-input=>active|idle</rpid:user-input>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInput {
    pub validity: Validity,
    pub state: InputState,
    /// Seconds without input after which the device reports idle.
    pub idle_threshold: Option<u64>,
    /// When the user last used the device (RFC 3339 time, as written).
    pub last_input: Option<String>,
}

impl UserInput {
    /// A user-input with just a state.
    pub fn new(state: InputState) -> Self {
        UserInput {
            validity: Validity::default(),
            state,
            idle_threshold: None,
            last_input: None,
        }
    }

    /// Read it; anything but `idle` reads as active.
    pub fn parse(element: &Element) -> Self {
        let state = if element.trimmed_text().eq_ignore_ascii_case("idle") {
            InputState::Idle
        } else {
            InputState::Active
        };
        UserInput {
            validity: Validity::read(element),
            state,
            idle_threshold: element
                .attr("idle-threshold")
                .and_then(|v| v.trim().parse().ok()),
            last_input: element.attr("last-input").map(str::to_owned),
        }
    }

    /// Write it.
    pub fn to_element(&self) -> Element {
        let mut element = Element::new(NS, "user-input");
        self.validity.write(&mut element);
        if let Some(threshold) = self.idle_threshold {
            element.set_attr("", "idle-threshold", threshold.to_string());
        }
        if let Some(last) = &self.last_input {
            element.set_attr("", "last-input", last.clone());
        }
        element.with_text(match self.state {
            InputState::Active => "active",
            InputState::Idle => "idle",
        })
    }
}

/// `<rpid:time-offset description=>minutes</rpid:time-offset>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeOffset {
    pub validity: Validity,
    /// Minutes from UTC; `None` when the text is not a number.
    pub minutes: Option<i32>,
    pub description: Option<String>,
}

impl TimeOffset {
    /// Read it.
    pub fn parse(element: &Element) -> Self {
        TimeOffset {
            validity: Validity::read(element),
            minutes: element.trimmed_text().parse().ok(),
            description: element.attr("description").map(str::to_owned),
        }
    }

    /// Write it.
    pub fn to_element(&self) -> Element {
        let mut element = Element::new(NS, "time-offset");
        self.validity.write(&mut element);
        if let Some(description) = &self.description {
            element.set_attr("", "description", description.clone());
        }
        element.with_text(self.minutes.map(|m| m.to_string()).unwrap_or_default())
    }
}

/// Every RPID element one presence component (person, tuple or device)
/// carries. RFC 4480 says which belong where; readers accept each anywhere.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rpid {
    pub activities: Option<Activities>,
    pub mood: Option<Enumerated>,
    pub place_is: Option<PlaceIs>,
    pub place_type: Option<Enumerated>,
    pub privacy: Option<Enumerated>,
    pub sphere: Option<Single>,
    pub status_icon: Option<Single>,
    pub user_input: Option<UserInput>,
    pub class: Option<Single>,
    pub time_offset: Option<TimeOffset>,
}

impl Rpid {
    /// Take `child` into this set if it is an RPID element this module
    /// knows; returns false (leaving it to the caller) otherwise. A repeated
    /// element replaces the earlier one, except activities, which merge.
    pub fn take(&mut self, child: &Element) -> bool {
        if child.ns != NS {
            return false;
        }
        match child.name.as_str() {
            "activities" => {
                let parsed = Activities::parse(child);
                match &mut self.activities {
                    Some(existing) => {
                        existing.notes.extend(parsed.notes);
                        existing.activities.extend(parsed.activities);
                    }
                    None => self.activities = Some(parsed),
                }
            }
            "mood" => self.mood = Some(Enumerated::parse(child)),
            "place-is" => self.place_is = Some(PlaceIs::parse(child)),
            "place-type" => self.place_type = Some(Enumerated::parse(child)),
            "privacy" => self.privacy = Some(Enumerated::parse(child)),
            "sphere" => self.sphere = Some(Single::parse(child)),
            "status-icon" => self.status_icon = Some(Single::parse(child)),
            "user-input" => self.user_input = Some(UserInput::parse(child)),
            "class" => self.class = Some(Single::parse(child)),
            "time-offset" => self.time_offset = Some(TimeOffset::parse(child)),
            _ => return false,
        }
        true
    }

    /// Append every element present to `parent`, in RFC 4480 order.
    pub fn write_into(&self, parent: &mut Element) {
        if let Some(a) = &self.activities {
            parent.push(a.to_element());
        }
        if let Some(c) = &self.class {
            parent.push(c.to_element("class"));
        }
        if let Some(m) = &self.mood {
            parent.push(m.to_element("mood"));
        }
        if let Some(p) = &self.place_is {
            parent.push(p.to_element());
        }
        if let Some(p) = &self.place_type {
            parent.push(p.to_element("place-type"));
        }
        if let Some(p) = &self.privacy {
            parent.push(p.to_element("privacy"));
        }
        if let Some(s) = &self.sphere {
            parent.push(s.to_element("sphere"));
        }
        if let Some(s) = &self.status_icon {
            parent.push(s.to_element("status-icon"));
        }
        if let Some(t) = &self.time_offset {
            parent.push(t.to_element());
        }
        if let Some(u) = &self.user_input {
            parent.push(u.to_element());
        }
    }

    /// The activities listed, or none.
    pub fn activity_list(&self) -> &[Activity] {
        self.activities
            .as_ref()
            .map(|a| a.activities.as_slice())
            .unwrap_or(&[])
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Rpid::default()
    }
}

#[cfg(test)]
#[path = "rpid_tests.rs"]
mod tests;
