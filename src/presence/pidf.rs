//! PIDF presence documents (RFC 3863) with the presence data model
//! (RFC 4479) and service capabilities (RFC 5196).
//!
//! Owns [`PresenceDocument`] and its parts: tuples (services) with basic
//! status, contact, notes, timestamp, `<dm:deviceID>` and `<caps:servcaps>`;
//! `<dm:person>` and `<dm:device>` components; RPID ([`super::rpid`]), CIPID
//! ([`super::cipid`]) and timed status ([`super::timed`]) on each of them.
//! [`parse`] reads a document over the safe element tree of [`super::xml`],
//! matching by namespace and never by prefix, tolerant of what real peers
//! send; [`build`] writes one back. Unknown elements are kept as
//! `extensions` so a parse → build → parse round trip is lossless.

use super::cipid::Cipid;
use super::rpid::{self, Rpid};
use super::timed::{self, TimedStatus};
use super::xml::{self, Element, XmlError, XML_NS};

/// The PIDF namespace (RFC 3863).
pub const PIDF_NS: &str = "urn:ietf:params:xml:ns:pidf";
/// The data-model namespace (RFC 4479).
pub const DM_NS: &str = "urn:ietf:params:xml:ns:pidf:data-model";
/// The service-capabilities namespace (RFC 5196).
pub const CAPS_NS: &str = "urn:ietf:params:xml:ns:pidf:caps";

/// Prefixes [`build`] uses for the namespaces it knows.
pub const PREFIXES: &[(&str, &str)] = &[
    (DM_NS, "dm"),
    (rpid::NS, "rpid"),
    (CAPS_NS, "caps"),
    (super::cipid::NS, "c"),
    (timed::NS, "ts"),
];

/// Why a PIDF document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PidfError {
    #[error("unreadable presence document: {0}")]
    Xml(#[from] XmlError),
    #[error("root element <{found}> is not <presence>")]
    NotPresence { found: String },
    #[error("<presence> is in namespace `{found}`, expected `{PIDF_NS}`")]
    WrongNamespace { found: String },
}

/// `<basic>`: whether the service can take communication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basic {
    Open,
    Closed,
}

impl Basic {
    /// `open` or `closed`, ignoring case and surrounding space; else `None`.
    pub fn parse(text: &str) -> Option<Basic> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("open") {
            Some(Basic::Open)
        } else if text.eq_ignore_ascii_case("closed") {
            Some(Basic::Closed)
        } else {
            None
        }
    }

    /// The wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            Basic::Open => "open",
            Basic::Closed => "closed",
        }
    }
}

/// A `<note>` with its optional `xml:lang`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub lang: Option<String>,
}

impl Note {
    /// A note without a language.
    pub fn new(text: impl Into<String>) -> Self {
        Note {
            text: text.into(),
            lang: None,
        }
    }

    /// Read any note element (PIDF, data-model or RPID namespace).
    pub fn parse(element: &Element) -> Self {
        Note {
            text: element.trimmed_text().to_owned(),
            lang: element.lang().map(str::to_owned),
        }
    }

    /// Write it as `<{ns}note>`.
    pub fn to_element(&self, ns: &str) -> Element {
        let mut element = Element::new(ns, "note").with_text(self.text.clone());
        if let Some(lang) = &self.lang {
            element.set_attr(XML_NS, "lang", lang.clone());
        }
        element
    }
}

/// `<contact priority=>uri</contact>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub uri: String,
    /// 0.0 to 1.0; `None` when absent or unreadable.
    pub priority: Option<f32>,
}

/// A supported / not-supported list of RFC 5196 (`<caps:duplex>`,
/// `<caps:methods>`, ...): each value is a child element's text, or its
/// local name when it has no text (`<caps:full/>` reads as `full`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CapsList {
    pub supported: Vec<String>,
    pub not_supported: Vec<String>,
}

impl CapsList {
    fn parse(element: &Element) -> Self {
        let values = |name: &str| -> Vec<String> {
            element
                .children_named(CAPS_NS, name)
                .flat_map(|list| list.children.iter())
                .map(|value| match value.trimmed_text() {
                    "" => value.name.clone(),
                    text => text.to_owned(),
                })
                .collect()
        };
        CapsList {
            supported: values("supported"),
            not_supported: values("notsupported"),
        }
    }

    /// `text_child`: write values as `<caps:{text_child}>value</...>`
    /// (types, languages); `None`: as empty elements named by the value.
    fn to_element(&self, name: &str, text_child: Option<&str>) -> Element {
        let mut element = Element::new(CAPS_NS, name);
        for (list_name, values) in [
            ("supported", &self.supported),
            ("notsupported", &self.not_supported),
        ] {
            if values.is_empty() {
                continue;
            }
            let mut list = Element::new(CAPS_NS, list_name);
            for value in values {
                list.push(match text_child {
                    Some(child) => Element::new(CAPS_NS, child).with_text(value.clone()),
                    None => Element::new(CAPS_NS, value),
                });
            }
            element.push(list);
        }
        element
    }
}

/// `<caps:servcaps>` of a tuple (RFC 5196).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceCaps {
    pub audio: Option<bool>,
    pub video: Option<bool>,
    /// Real-time text media (`text`), not instant messaging.
    pub text: Option<bool>,
    /// Instant messaging (page or session mode).
    pub message: Option<bool>,
    pub application: Option<bool>,
    pub control: Option<bool>,
    pub data: Option<bool>,
    pub automata: Option<bool>,
    pub is_focus: Option<bool>,
    /// MIME types (`<caps:type>`).
    pub types: Option<CapsList>,
    /// `full`, `half`, `receive-only`, `send-only`.
    pub duplex: Option<CapsList>,
    pub event_packages: Option<CapsList>,
    pub methods: Option<CapsList>,
    pub extensions: Option<CapsList>,
    /// Language tags (`<caps:l>`).
    pub languages: Option<CapsList>,
    /// Everything else (class, priority, description, actor, ...), kept.
    pub other: Vec<Element>,
}

const CAPS_BOOLEANS: [&str; 9] = [
    "audio",
    "video",
    "text",
    "message",
    "application",
    "control",
    "data",
    "automata",
    "is-focus",
];

impl ServiceCaps {
    /// What Hark can take: voice and instant messages, no video.
    pub fn voice_and_im() -> Self {
        ServiceCaps {
            audio: Some(true),
            message: Some(true),
            video: Some(false),
            ..Default::default()
        }
    }

    fn boolean_mut(&mut self, name: &str) -> Option<&mut Option<bool>> {
        Some(match name {
            "audio" => &mut self.audio,
            "video" => &mut self.video,
            "text" => &mut self.text,
            "message" => &mut self.message,
            "application" => &mut self.application,
            "control" => &mut self.control,
            "data" => &mut self.data,
            "automata" => &mut self.automata,
            "is-focus" => &mut self.is_focus,
            _ => return None,
        })
    }

    fn boolean(&self, name: &str) -> Option<bool> {
        match name {
            "audio" => self.audio,
            "video" => self.video,
            "text" => self.text,
            "message" => self.message,
            "application" => self.application,
            "control" => self.control,
            "data" => self.data,
            "automata" => self.automata,
            "is-focus" => self.is_focus,
            _ => None,
        }
    }

    /// Read a `<caps:servcaps>` element.
    pub fn parse(element: &Element) -> Self {
        let mut caps = ServiceCaps::default();
        for child in &element.children {
            if child.ns != CAPS_NS {
                caps.other.push(child.clone());
                continue;
            }
            let text = child.trimmed_text();
            let flag = match text {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            };
            if let Some(slot) = caps.boolean_mut(&child.name) {
                *slot = flag;
                continue;
            }
            let list = Some(CapsList::parse(child));
            match child.name.as_str() {
                "type" => caps.types = list,
                "duplex" => caps.duplex = list,
                "event-packages" => caps.event_packages = list,
                "methods" => caps.methods = list,
                "extensions" => caps.extensions = list,
                "languages" => caps.languages = list,
                _ => caps.other.push(child.clone()),
            }
        }
        caps
    }

    /// Write a `<caps:servcaps>` element.
    pub fn to_element(&self) -> Element {
        let mut element = Element::new(CAPS_NS, "servcaps");
        for name in CAPS_BOOLEANS {
            if let Some(value) = self.boolean(name) {
                element.push_text_child(CAPS_NS, name, if value { "true" } else { "false" });
            }
        }
        let lists = [
            ("type", &self.types, Some("type")),
            ("duplex", &self.duplex, None),
            ("event-packages", &self.event_packages, None),
            ("methods", &self.methods, None),
            ("extensions", &self.extensions, None),
            ("languages", &self.languages, Some("l")),
        ];
        for (name, list, text_child) in lists {
            if let Some(list) = list {
                element.push(list.to_element(name, text_child));
            }
        }
        element.children.extend(self.other.iter().cloned());
        element
    }
}

/// A `<tuple>`: one service (RFC 4479).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tuple {
    pub id: String,
    /// `None` when `<status><basic>` is missing or unreadable: unknown.
    pub basic: Option<Basic>,
    /// Other children of `<status>` (e.g. linphone's `<pidfonline:online/>`).
    pub status_extensions: Vec<Element>,
    pub contact: Option<Contact>,
    pub notes: Vec<Note>,
    pub timestamp: Option<String>,
    /// `<dm:deviceID>`: the device this service runs on.
    pub device_id: Option<String>,
    pub caps: Option<ServiceCaps>,
    pub rpid: Rpid,
    pub cipid: Cipid,
    pub timed: Vec<TimedStatus>,
    pub extensions: Vec<Element>,
}

/// A `<dm:person>`: the human behind the services.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Person {
    pub id: String,
    pub rpid: Rpid,
    pub cipid: Cipid,
    pub notes: Vec<Note>,
    pub timestamp: Option<String>,
    pub timed: Vec<TimedStatus>,
    pub extensions: Vec<Element>,
}

/// A `<dm:device>`: hardware a service runs on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Device {
    pub id: String,
    pub device_id: Option<String>,
    pub rpid: Rpid,
    pub notes: Vec<Note>,
    pub timestamp: Option<String>,
    pub timed: Vec<TimedStatus>,
    /// Unknown children, e.g. `<caps:devcaps>`, kept.
    pub extensions: Vec<Element>,
}

/// A whole PIDF document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PresenceDocument {
    /// The presentity URI (`entity` attribute).
    pub entity: String,
    pub tuples: Vec<Tuple>,
    pub persons: Vec<Person>,
    pub devices: Vec<Device>,
    /// Document-level `<note>`s.
    pub notes: Vec<Note>,
    /// Unknown top-level elements, kept.
    pub extensions: Vec<Element>,
}

/// Parse a PIDF document.
pub fn parse(bytes: &[u8]) -> Result<PresenceDocument, PidfError> {
    let root = xml::parse(bytes)?;
    from_element(&root)
}

/// Read a PIDF document from its root element (e.g. one part of an RLMI
/// multipart body already parsed).
pub fn from_element(root: &Element) -> Result<PresenceDocument, PidfError> {
    if root.name != "presence" {
        return Err(PidfError::NotPresence {
            found: root.name.clone(),
        });
    }
    if root.ns != PIDF_NS {
        return Err(PidfError::WrongNamespace {
            found: root.ns.clone(),
        });
    }
    let mut doc = PresenceDocument {
        entity: root.attr("entity").unwrap_or_default().trim().to_owned(),
        ..Default::default()
    };
    for child in &root.children {
        if child.is(PIDF_NS, "tuple") {
            doc.tuples.push(parse_tuple(child));
        } else if child.is(PIDF_NS, "note") {
            doc.notes.push(Note::parse(child));
        } else if child.is(DM_NS, "person") {
            doc.persons.push(parse_person(child));
        } else if child.is(DM_NS, "device") {
            doc.devices.push(parse_device(child));
        } else {
            doc.extensions.push(child.clone());
        }
    }
    Ok(doc)
}

fn id_of(element: &Element) -> String {
    element.attr("id").unwrap_or_default().to_owned()
}

fn parse_tuple(element: &Element) -> Tuple {
    let mut tuple = Tuple {
        id: id_of(element),
        ..Default::default()
    };
    for child in &element.children {
        if child.is(PIDF_NS, "status") {
            for part in &child.children {
                if part.is(PIDF_NS, "basic") {
                    tuple.basic = Basic::parse(part.trimmed_text());
                } else {
                    tuple.status_extensions.push(part.clone());
                }
            }
        } else if child.is(PIDF_NS, "contact") {
            tuple.contact = Some(Contact {
                uri: child.trimmed_text().to_owned(),
                priority: child
                    .attr("priority")
                    .and_then(|p| p.trim().parse::<f32>().ok())
                    .filter(|p| p.is_finite()),
            });
        } else if child.is(PIDF_NS, "note") {
            tuple.notes.push(Note::parse(child));
        } else if child.is(PIDF_NS, "timestamp") {
            tuple.timestamp = Some(child.trimmed_text().to_owned());
        } else if child.is(DM_NS, "deviceID") {
            tuple.device_id = Some(child.trimmed_text().to_owned());
        } else if child.is(CAPS_NS, "servcaps") {
            tuple.caps = Some(ServiceCaps::parse(child));
        } else if TimedStatus::is(child) {
            tuple.timed.push(TimedStatus::parse(child));
        } else if !tuple.rpid.take(child) && !tuple.cipid.take(child) {
            tuple.extensions.push(child.clone());
        }
    }
    tuple
}

/// A note in the data-model namespace, or in PIDF's (some clients).
fn is_dm_note(element: &Element) -> bool {
    element.name == "note" && (element.ns == DM_NS || element.ns == PIDF_NS)
}

fn is_dm_timestamp(element: &Element) -> bool {
    element.name == "timestamp" && (element.ns == DM_NS || element.ns == PIDF_NS)
}

fn parse_person(element: &Element) -> Person {
    let mut person = Person {
        id: id_of(element),
        ..Default::default()
    };
    for child in &element.children {
        if is_dm_note(child) {
            person.notes.push(Note::parse(child));
        } else if is_dm_timestamp(child) {
            person.timestamp = Some(child.trimmed_text().to_owned());
        } else if TimedStatus::is(child) {
            person.timed.push(TimedStatus::parse(child));
        } else if !person.rpid.take(child) && !person.cipid.take(child) {
            person.extensions.push(child.clone());
        }
    }
    person
}

fn parse_device(element: &Element) -> Device {
    let mut device = Device {
        id: id_of(element),
        ..Default::default()
    };
    for child in &element.children {
        if is_dm_note(child) {
            device.notes.push(Note::parse(child));
        } else if is_dm_timestamp(child) {
            device.timestamp = Some(child.trimmed_text().to_owned());
        } else if child.is(DM_NS, "deviceID") {
            device.device_id = Some(child.trimmed_text().to_owned());
        } else if TimedStatus::is(child) {
            device.timed.push(TimedStatus::parse(child));
        } else if !device.rpid.take(child) {
            device.extensions.push(child.clone());
        }
    }
    device
}

/// Write a PIDF document: PIDF as the default namespace, `dm`, `rpid`,
/// `caps`, `c` and `ts` prefixes for the extensions.
pub fn build(doc: &PresenceDocument) -> String {
    xml::to_xml(&to_element(doc), PREFIXES)
}

/// The document as an element tree (for embedding or custom writing).
pub fn to_element(doc: &PresenceDocument) -> Element {
    let mut root = Element::new(PIDF_NS, "presence").with_attr("entity", doc.entity.clone());
    for tuple in &doc.tuples {
        root.push(tuple_element(tuple));
    }
    for note in &doc.notes {
        root.push(note.to_element(PIDF_NS));
    }
    for person in &doc.persons {
        root.push(person_element(person));
    }
    for device in &doc.devices {
        root.push(device_element(device));
    }
    root.children.extend(doc.extensions.iter().cloned());
    root
}

fn tuple_element(tuple: &Tuple) -> Element {
    let mut element = Element::new(PIDF_NS, "tuple").with_attr("id", tuple.id.clone());
    let mut status = Element::new(PIDF_NS, "status");
    if let Some(basic) = tuple.basic {
        status.push_text_child(PIDF_NS, "basic", basic.as_str());
    }
    status
        .children
        .extend(tuple.status_extensions.iter().cloned());
    element.push(status);
    if let Some(device_id) = &tuple.device_id {
        element.push_text_child(DM_NS, "deviceID", device_id.clone());
    }
    if let Some(caps) = &tuple.caps {
        element.push(caps.to_element());
    }
    tuple.rpid.write_into(&mut element);
    tuple.cipid.write_into(&mut element);
    for timed in &tuple.timed {
        element.push(timed.to_element());
    }
    element.children.extend(tuple.extensions.iter().cloned());
    if let Some(contact) = &tuple.contact {
        let mut c = Element::new(PIDF_NS, "contact").with_text(contact.uri.clone());
        if let Some(priority) = contact.priority {
            c.set_attr("", "priority", priority.to_string());
        }
        element.push(c);
    }
    for note in &tuple.notes {
        element.push(note.to_element(PIDF_NS));
    }
    if let Some(timestamp) = &tuple.timestamp {
        element.push_text_child(PIDF_NS, "timestamp", timestamp.clone());
    }
    element
}

fn person_element(person: &Person) -> Element {
    let mut element = Element::new(DM_NS, "person").with_attr("id", person.id.clone());
    person.rpid.write_into(&mut element);
    person.cipid.write_into(&mut element);
    for timed in &person.timed {
        element.push(timed.to_element());
    }
    element.children.extend(person.extensions.iter().cloned());
    for note in &person.notes {
        element.push(note.to_element(DM_NS));
    }
    if let Some(timestamp) = &person.timestamp {
        element.push_text_child(DM_NS, "timestamp", timestamp.clone());
    }
    element
}

fn device_element(device: &Device) -> Element {
    let mut element = Element::new(DM_NS, "device").with_attr("id", device.id.clone());
    device.rpid.write_into(&mut element);
    for timed in &device.timed {
        element.push(timed.to_element());
    }
    element.children.extend(device.extensions.iter().cloned());
    if let Some(device_id) = &device.device_id {
        element.push_text_child(DM_NS, "deviceID", device_id.clone());
    }
    for note in &device.notes {
        element.push(note.to_element(DM_NS));
    }
    if let Some(timestamp) = &device.timestamp {
        element.push_text_child(DM_NS, "timestamp", timestamp.clone());
    }
    element
}

#[cfg(test)]
#[path = "pidf_tests.rs"]
mod tests;
