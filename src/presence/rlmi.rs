//! Resource-list meta-information (RLMI, RFC 4662 §5,
//! `application/rlmi+xml`) and the NOTIFYs of a resource-list subscription.
//!
//! - [`parse`] / [`to_xml`]: the RLMI document as a [`List`] of
//!   [`Resource`]s and their subscription [`Instance`]s.
//! - [`parse_rls_notify`]: a whole NOTIFY body (multipart/related with the
//!   RLMI document as root, or RLMI alone), each resource paired with its
//!   document by Content-ID. Documents stay raw bytes with their type: the
//!   PIDF module reads them. A part that is itself a list (multipart/related,
//!   possibly inside multipart/signed) becomes a nested [`RlsNotify`].
//! - [`ListState`]: applies full and partial notifications in version order
//!   and tells which resources changed, or that the subscription needs a
//!   refresh because a version was missed.

use std::collections::HashMap;

use super::multipart::{self, ContentType, Multipart, MultipartError, Part};
use super::xml::{self, Element, XmlError, XML_NS};

/// The RLMI namespace.
pub const RLMI_NS: &str = "urn:ietf:params:xml:ns:rlmi";
/// The RLMI media type.
pub const RLMI_CONTENT_TYPE: &str = "application/rlmi+xml";

/// Why an RLMI document or an RLS NOTIFY body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RlsError {
    #[error(transparent)]
    Multipart(#[from] MultipartError),
    #[error(transparent)]
    Xml(#[from] XmlError),
    #[error("NOTIFY body is {0}, neither multipart/related nor application/rlmi+xml")]
    UnexpectedContentType(String),
    #[error("multipart body has no root part (start names no part, or no parts)")]
    NoRootPart,
    #[error("root part is {0}, not application/rlmi+xml")]
    RootNotRlmi(String),
    #[error("<{element}> has no {attribute} attribute")]
    MissingAttribute {
        element: &'static str,
        attribute: &'static str,
    },
    #[error("<{element}> has {attribute}=\"{value}\", which is not valid")]
    BadAttribute {
        element: &'static str,
        attribute: &'static str,
        value: String,
    },
    #[error("part <{0}> is referenced by more than one instance")]
    DuplicateCid(String),
}

/// A `<name>` with its optional `xml:lang`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub lang: Option<String>,
    pub text: String,
}

/// State of the RLS's back-end subscription to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstanceState {
    Active,
    Pending,
    Terminated,
}

impl InstanceState {
    fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "active" => Some(Self::Active),
            "pending" => Some(Self::Pending),
            "terminated" => Some(Self::Terminated),
            _ => None,
        }
    }

    /// The RLMI attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
            Self::Terminated => "terminated",
        }
    }
}

/// One `<instance>`: a back-end subscription to the resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: String,
    pub state: InstanceState,
    /// Why a terminated instance ended (`rejected`, `timeout`, ...).
    pub reason: Option<String>,
    /// Content-ID of the part holding this instance's document.
    pub cid: Option<String>,
}

/// One `<resource>` of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub uri: String,
    pub names: Vec<Name>,
    pub instances: Vec<Instance>,
}

/// The `<list>` document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    pub uri: String,
    pub version: u32,
    pub full_state: bool,
    pub cid: Option<String>,
    pub names: Vec<Name>,
    pub resources: Vec<Resource>,
}

/// The name to show: the first without `xml:lang`, else the first.
pub fn display_name(names: &[Name]) -> Option<&str> {
    names
        .iter()
        .find(|n| n.lang.is_none())
        .or_else(|| names.first())
        .map(|n| n.text.as_str())
}

/// The name in `lang` (case-insensitive, `en` matches `en-GB`), else [`display_name`].
pub fn name_in<'a>(names: &'a [Name], lang: &str) -> Option<&'a str> {
    names
        .iter()
        .find(|n| {
            n.lang.as_deref().is_some_and(|l| {
                l.eq_ignore_ascii_case(lang)
                    || l.split('-')
                        .next()
                        .is_some_and(|primary| primary.eq_ignore_ascii_case(lang))
            })
        })
        .map(|n| n.text.as_str())
        .or_else(|| display_name(names))
}

/// Parse an RLMI document.
pub fn parse(bytes: &[u8]) -> Result<List, RlsError> {
    let root = xml::parse_root(bytes, RLMI_NS, "list")?;
    let uri = required(&root, "list", "uri")?.to_owned();
    let version_text = required(&root, "list", "version")?;
    let version = version_text
        .trim()
        .parse::<u32>()
        .map_err(|_| bad("list", "version", version_text))?;
    let full_state_text = required(&root, "list", "fullState")?;
    let full_state =
        parse_bool(full_state_text).ok_or_else(|| bad("list", "fullState", full_state_text))?;
    let resources = root
        .children_named(RLMI_NS, "resource")
        .filter_map(read_resource)
        .collect();
    Ok(List {
        uri,
        version,
        full_state,
        cid: root.attr("cid").map(str::to_owned),
        names: read_names(&root),
        resources,
    })
}

fn required<'a>(
    element: &'a Element,
    name: &'static str,
    attribute: &'static str,
) -> Result<&'a str, RlsError> {
    element.attr(attribute).ok_or(RlsError::MissingAttribute {
        element: name,
        attribute,
    })
}

fn bad(element: &'static str, attribute: &'static str, value: &str) -> RlsError {
    RlsError::BadAttribute {
        element,
        attribute,
        value: value.chars().take(100).collect(),
    }
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn read_names(element: &Element) -> Vec<Name> {
    element
        .children_named(RLMI_NS, "name")
        .map(|n| Name {
            lang: n.lang().map(str::to_owned),
            text: n.trimmed_text().to_owned(),
        })
        .collect()
}

/// A resource without a `uri` is skipped, and so is an instance without an
/// `id` or with an unknown `state`: one bad entry must not hide the list.
fn read_resource(element: &Element) -> Option<Resource> {
    let uri = element.attr("uri")?.trim();
    if uri.is_empty() {
        return None;
    }
    let instances = element
        .children_named(RLMI_NS, "instance")
        .filter_map(|i| {
            Some(Instance {
                id: i.attr("id")?.to_owned(),
                state: InstanceState::parse(i.attr("state")?)?,
                reason: i.attr("reason").map(str::to_owned),
                cid: i
                    .attr("cid")
                    .map(|c| multipart::strip_angle_brackets(c).to_owned()),
            })
        })
        .collect();
    Some(Resource {
        uri: uri.to_owned(),
        names: read_names(element),
        instances,
    })
}

/// Write an RLMI document.
pub fn to_xml(list: &List) -> String {
    let mut root = Element::new(RLMI_NS, "list")
        .with_attr("uri", list.uri.clone())
        .with_attr("version", list.version.to_string())
        .with_attr("fullState", list.full_state.to_string());
    if let Some(cid) = &list.cid {
        root.set_attr("", "cid", cid.clone());
    }
    push_names(&mut root, &list.names);
    for resource in &list.resources {
        let mut element = Element::new(RLMI_NS, "resource").with_attr("uri", resource.uri.clone());
        push_names(&mut element, &resource.names);
        for instance in &resource.instances {
            let mut i = Element::new(RLMI_NS, "instance")
                .with_attr("id", instance.id.clone())
                .with_attr("state", instance.state.as_str());
            if let Some(reason) = &instance.reason {
                i.set_attr("", "reason", reason.clone());
            }
            if let Some(cid) = &instance.cid {
                i.set_attr("", "cid", cid.clone());
            }
            element.push(i);
        }
        root.push(element);
    }
    xml::to_xml(&root, &[])
}

fn push_names(element: &mut Element, names: &[Name]) {
    for name in names {
        let mut n = Element::new(RLMI_NS, "name").with_text(name.text.clone());
        if let Some(lang) = &name.lang {
            n.set_attr(XML_NS, "lang", lang.clone());
        }
        element.push(n);
    }
}

/// What a NOTIFY carried for one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceBody {
    /// The instance names no part (pending, terminated, or unchanged).
    None,
    /// The instance names a part that is not in the body.
    Missing { cid: String },
    /// The resource's document, raw (usually `application/pidf+xml`).
    Document {
        content_type: ContentType,
        bytes: Vec<u8>,
    },
    /// The resource is itself a list, with its own notification.
    List(Box<RlsNotify>),
    /// The part is there but cannot be read (encoding, nested list error...).
    Unreadable { cid: String, error: RlsError },
}

/// One instance and what the NOTIFY carried for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceUpdate {
    pub instance: Instance,
    pub body: ResourceBody,
}

/// One resource of a NOTIFY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceUpdate {
    pub uri: String,
    pub names: Vec<Name>,
    pub instances: Vec<InstanceUpdate>,
}

impl ResourceUpdate {
    /// The name to show, if the list gives one.
    pub fn display_name(&self) -> Option<&str> {
        display_name(&self.names)
    }

    /// The instance that speaks for the resource: the first active one,
    /// else the first pending one, else the first.
    pub fn primary(&self) -> Option<&InstanceUpdate> {
        let by_state = |state| self.instances.iter().find(|i| i.instance.state == state);
        by_state(InstanceState::Active)
            .or_else(|| by_state(InstanceState::Pending))
            .or_else(|| self.instances.first())
    }

    /// State of the primary instance; `None` when the RLS lists no instance.
    pub fn state(&self) -> Option<InstanceState> {
        self.primary().map(|i| i.instance.state)
    }

    /// Reason of the primary instance (for a terminated one).
    pub fn reason(&self) -> Option<&str> {
        self.primary().and_then(|i| i.instance.reason.as_deref())
    }

    /// The primary instance's document: (content type, bytes).
    pub fn document(&self) -> Option<(&ContentType, &[u8])> {
        match &self.primary()?.body {
            ResourceBody::Document {
                content_type,
                bytes,
            } => Some((content_type, bytes)),
            _ => None,
        }
    }
}

/// A resource-list NOTIFY, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RlsNotify {
    pub uri: String,
    pub version: u32,
    pub full_state: bool,
    pub names: Vec<Name>,
    pub resources: Vec<ResourceUpdate>,
}

/// Read a resource-list NOTIFY body given its Content-Type header value:
/// `multipart/related` with an RLMI root, or `application/rlmi+xml` alone.
pub fn parse_rls_notify(content_type: &str, body: &[u8]) -> Result<RlsNotify, RlsError> {
    let ct = ContentType::parse(content_type)?;
    if ct.is(RLMI_CONTENT_TYPE) {
        return Ok(pair_with_parts(parse(body)?, None));
    }
    if !ct.is_multipart() {
        return Err(RlsError::UnexpectedContentType(ct.mime_type));
    }
    read_list_multipart(&multipart::parse(content_type, body)?)
}

fn read_list_multipart(mp: &Multipart) -> Result<RlsNotify, RlsError> {
    let root = mp.root().ok_or(RlsError::NoRootPart)?;
    if !root.content_type.is(RLMI_CONTENT_TYPE) {
        return Err(RlsError::RootNotRlmi(root.content_type.mime_type.clone()));
    }
    let list = parse(root.content()?)?;
    Ok(pair_with_parts(list, Some(mp)))
}

fn pair_with_parts(list: List, mp: Option<&Multipart>) -> RlsNotify {
    let mut by_cid: HashMap<&str, Option<&Part>> = HashMap::new();
    if let Some(mp) = mp {
        for part in &mp.parts {
            if let Some(cid) = &part.content_id {
                by_cid.entry(cid.as_str()).or_insert(Some(part));
            }
        }
    }
    let resources = list
        .resources
        .into_iter()
        .map(|resource| ResourceUpdate {
            uri: resource.uri,
            names: resource.names,
            instances: resource
                .instances
                .into_iter()
                .map(|instance| {
                    let body = match &instance.cid {
                        None => ResourceBody::None,
                        Some(cid) => match (mp, by_cid.get_mut(cid.as_str())) {
                            (Some(mp), Some(slot)) => match slot.take() {
                                Some(part) => read_part(mp, part, cid),
                                // Each part is handed out once, so a hostile
                                // list cannot multiply a large part.
                                None => ResourceBody::Unreadable {
                                    cid: cid.clone(),
                                    error: RlsError::DuplicateCid(cid.clone()),
                                },
                            },
                            _ => ResourceBody::Missing { cid: cid.clone() },
                        },
                    };
                    InstanceUpdate { instance, body }
                })
                .collect(),
        })
        .collect();
    RlsNotify {
        uri: list.uri,
        version: list.version,
        full_state: list.full_state,
        names: list.names,
        resources,
    }
}

/// An instance's part: a document, a nested list (multipart/related, or
/// multipart/signed around one — the signature is not checked), or unreadable.
fn read_part(mp: &Multipart, part: &Part, cid: &str) -> ResourceBody {
    let unreadable = |error: RlsError| ResourceBody::Unreadable {
        cid: cid.to_owned(),
        error,
    };
    if part.content_type.is("multipart/signed") {
        return match mp.nested(part) {
            Ok(signed) => match signed.parts.first() {
                Some(content) => read_part(&signed, content, cid),
                None => unreadable(RlsError::NoRootPart),
            },
            Err(e) => unreadable(e.into()),
        };
    }
    if part.content_type.is_multipart() {
        return match mp
            .nested(part)
            .map_err(RlsError::from)
            .and_then(|m| read_list_multipart(&m))
        {
            Ok(nested) => ResourceBody::List(Box::new(nested)),
            Err(e) => unreadable(e),
        };
    }
    match part.content() {
        Ok(bytes) => ResourceBody::Document {
            content_type: part.content_type.clone(),
            bytes: bytes.to_vec(),
        },
        Err(e) => unreadable(e.into()),
    }
}

/// What applying a notification did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListUpdate {
    /// Applied; these resources (by URI) changed or appeared, these left.
    Applied {
        changed: Vec<String>,
        removed: Vec<String>,
    },
    /// Older than (or, if partial, the same as) what is held: ignored.
    Stale { received: u32, current: u32 },
    /// A version was missed (or a partial came first): refresh the
    /// subscription to get full state again. Nothing was applied.
    NeedsRefresh {
        expected: Option<u32>,
        received: u32,
    },
}

/// The latest known state of a subscribed list, sans I/O.
#[derive(Debug, Clone, Default)]
pub struct ListState {
    uri: Option<String>,
    version: Option<u32>,
    names: Vec<Name>,
    resources: Vec<ResourceUpdate>,
    index: HashMap<String, usize>,
}

impl ListState {
    /// An empty state, before the first (full) notification.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forget everything (a new subscription dialog restarts the versions).
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Version of the last applied notification.
    pub fn version(&self) -> Option<u32> {
        self.version
    }

    /// URI of the list, once known.
    pub fn uri(&self) -> Option<&str> {
        self.uri.as_deref()
    }

    /// Names of the list.
    pub fn names(&self) -> &[Name] {
        &self.names
    }

    /// Every resource, in the server's order.
    pub fn resources(&self) -> &[ResourceUpdate] {
        &self.resources
    }

    /// One resource by URI.
    pub fn resource(&self, uri: &str) -> Option<&ResourceUpdate> {
        self.index.get(uri).and_then(|&i| self.resources.get(i))
    }

    /// Apply a notification. Full state replaces everything (a repeat of
    /// the current version is re-applied: harmless, and some servers never
    /// bump it); partial state must be exactly the next version.
    pub fn apply(&mut self, notify: RlsNotify) -> ListUpdate {
        let received = notify.version;
        match (self.version, notify.full_state) {
            (Some(current), true) if received < current => {
                return ListUpdate::Stale { received, current }
            }
            (Some(current), false) if received <= current => {
                return ListUpdate::Stale { received, current }
            }
            (Some(current), false) if Some(received) != current.checked_add(1) => {
                return ListUpdate::NeedsRefresh {
                    expected: current.checked_add(1),
                    received,
                }
            }
            (None, false) => {
                return ListUpdate::NeedsRefresh {
                    expected: None,
                    received,
                }
            }
            _ => {}
        }
        self.version = Some(received);
        self.uri = Some(notify.uri);
        if !notify.names.is_empty() || notify.full_state {
            self.names = notify.names;
        }
        if notify.full_state {
            self.replace_all(notify.resources)
        } else {
            self.merge(notify.resources)
        }
    }

    fn replace_all(&mut self, resources: Vec<ResourceUpdate>) -> ListUpdate {
        let mut old: HashMap<String, ResourceUpdate> = std::mem::take(&mut self.resources)
            .into_iter()
            .map(|r| (r.uri.clone(), r))
            .collect();
        self.index.clear();
        let mut changed = Vec::new();
        for resource in resources {
            if self.index.contains_key(&resource.uri) {
                continue; // a URI listed twice: the first wins
            }
            if old.remove(&resource.uri).as_ref() != Some(&resource) {
                changed.push(resource.uri.clone());
            }
            self.index
                .insert(resource.uri.clone(), self.resources.len());
            self.resources.push(resource);
        }
        let mut removed: Vec<String> = old.into_keys().collect();
        removed.sort();
        ListUpdate::Applied { changed, removed }
    }

    fn merge(&mut self, resources: Vec<ResourceUpdate>) -> ListUpdate {
        let mut changed = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for update in resources {
            let Some(&i) = self.index.get(&update.uri) else {
                changed.push(update.uri.clone());
                self.index.insert(update.uri.clone(), self.resources.len());
                self.resources.push(update);
                continue;
            };
            let Some(held) = self.resources.get_mut(i) else {
                continue;
            };
            let before = held.clone();
            if !update.names.is_empty() {
                held.names = update.names;
            }
            for new in update.instances {
                merge_instance(&mut held.instances, new);
            }
            if *held != before && seen.insert(held.uri.clone()) {
                changed.push(held.uri.clone());
            }
        }
        ListUpdate::Applied {
            changed,
            removed: Vec::new(),
        }
    }
}

/// Replace an instance by id; an active instance with no new document keeps
/// the document it had.
fn merge_instance(held: &mut Vec<InstanceUpdate>, new: InstanceUpdate) {
    match held.iter_mut().find(|i| i.instance.id == new.instance.id) {
        Some(old) => {
            let keep_body =
                new.body == ResourceBody::None && new.instance.state == InstanceState::Active;
            let body = if keep_body {
                std::mem::replace(&mut old.body, ResourceBody::None)
            } else {
                new.body
            };
            *old = InstanceUpdate {
                instance: new.instance,
                body,
            };
        }
        None => held.push(new),
    }
}

#[cfg(test)]
#[path = "rlmi_tests.rs"]
mod tests;
