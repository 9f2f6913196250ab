//! The dialog event package (RFC 4235, `application/dialog-info+xml`):
//! a contact's phone line, for busy-lamp fields.
//!
//! - [`parse`] / [`to_xml`]: the `<dialog-info>` document as [`DialogInfo`].
//! - [`DialogTable`]: applies full and partial documents in version order,
//!   sans I/O, and keeps the live dialogs of one watched entity.
//! - [`LineState`]: the busy-lamp summary over a set of dialogs.
//! - [`publish_document`]: the document Hark PUBLISHes about its own calls,
//!   shaped like Kamailio's pua_dialoginfo (one dialog per call, `full`
//!   state, call-id and tags for call pickup, local and remote identity and
//!   target) so presence_dialoginfo, Asterisk and desk-phone BLF read it.

use super::xml::{self, Element, XmlError};

/// The dialog-info namespace.
pub const DIALOG_INFO_NS: &str = "urn:ietf:params:xml:ns:dialog-info";
/// The dialog-info media type.
pub const DIALOG_INFO_CONTENT_TYPE: &str = "application/dialog-info+xml";

/// Why a dialog-info document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialogInfoError {
    #[error(transparent)]
    Xml(#[from] XmlError),
    #[error("<dialog-info> has no {0} attribute")]
    MissingAttribute(&'static str),
    #[error("<dialog-info> has {attribute}=\"{value}\", which is not valid")]
    BadAttribute {
        attribute: &'static str,
        value: String,
    },
}

/// Whether a document lists every dialog or only those that changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentState {
    Full,
    Partial,
}

/// Which side sent the initial INVITE, seen from the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Initiator,
    Recipient,
}

/// The dialog's state (RFC 4235 §3.7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DialogState {
    Trying,
    Proceeding,
    Early,
    Confirmed,
    Terminated,
}

impl DialogState {
    fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "trying" => Some(Self::Trying),
            "proceeding" => Some(Self::Proceeding),
            "early" => Some(Self::Early),
            "confirmed" => Some(Self::Confirmed),
            "terminated" => Some(Self::Terminated),
            _ => None,
        }
    }

    /// The element text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trying => "trying",
            Self::Proceeding => "proceeding",
            Self::Early => "early",
            Self::Confirmed => "confirmed",
            Self::Terminated => "terminated",
        }
    }
}

/// A URI with an optional display name (`<identity>`, `<referred-by>`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameAddr {
    pub uri: String,
    pub display: Option<String>,
}

/// A participant's contact (`<target uri>`) and its feature parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    pub uri: String,
    pub params: Vec<(String, String)>,
}

/// `<local>` or `<remote>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Participant {
    pub identity: Option<NameAddr>,
    pub target: Option<Target>,
}

/// `<replaces>`: the dialog this one replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaces {
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: String,
}

/// One `<dialog>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    pub id: String,
    pub call_id: Option<String>,
    pub local_tag: Option<String>,
    pub remote_tag: Option<String>,
    pub direction: Option<Direction>,
    pub state: DialogState,
    /// Why the state was entered (`cancelled`, `rejected`, `replaced`,
    /// `local-bye`, `remote-bye`, `error`, `timeout`, or another token).
    pub event: Option<String>,
    /// The SIP response code that caused the state, when one did.
    pub code: Option<u16>,
    /// Seconds since the dialog was confirmed.
    pub duration: Option<u64>,
    pub replaces: Option<Replaces>,
    pub referred_by: Option<NameAddr>,
    /// `<route-set>` hops, in order.
    pub route_set: Vec<String>,
    pub local: Option<Participant>,
    pub remote: Option<Participant>,
}

impl Dialog {
    /// A dialog with only an id and a state.
    pub fn new(id: &str, state: DialogState) -> Self {
        Dialog {
            id: id.to_owned(),
            call_id: None,
            local_tag: None,
            remote_tag: None,
            direction: None,
            state,
            event: None,
            code: None,
            duration: None,
            replaces: None,
            referred_by: None,
            route_set: Vec::new(),
            local: None,
            remote: None,
        }
    }
}

/// The `<dialog-info>` document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogInfo {
    pub version: u32,
    pub state: DocumentState,
    pub entity: String,
    pub dialogs: Vec<Dialog>,
}

/// Parse a dialog-info document. A `<dialog>` without an id or with an
/// unknown state is skipped; unknown elements are ignored.
pub fn parse(bytes: &[u8]) -> Result<DialogInfo, DialogInfoError> {
    let root = xml::parse_root(bytes, DIALOG_INFO_NS, "dialog-info")?;
    let attr = |name: &'static str| {
        root.attr(name)
            .ok_or(DialogInfoError::MissingAttribute(name))
    };
    let bad = |attribute: &'static str, value: &str| DialogInfoError::BadAttribute {
        attribute,
        value: value.chars().take(100).collect(),
    };
    let version_text = attr("version")?;
    let version = version_text
        .trim()
        .parse::<u32>()
        .map_err(|_| bad("version", version_text))?;
    let state_text = attr("state")?;
    let state = match state_text.trim() {
        "full" => DocumentState::Full,
        "partial" => DocumentState::Partial,
        _ => return Err(bad("state", state_text)),
    };
    let entity = attr("entity")?.trim().to_owned();
    let dialogs = root
        .children_named(DIALOG_INFO_NS, "dialog")
        .filter_map(read_dialog)
        .collect();
    Ok(DialogInfo {
        version,
        state,
        entity,
        dialogs,
    })
}

fn owned_attr(element: &Element, name: &str) -> Option<String> {
    element.attr(name).map(|v| v.trim().to_owned())
}

fn read_dialog(element: &Element) -> Option<Dialog> {
    let id = owned_attr(element, "id").filter(|id| !id.is_empty())?;
    let state_element = element.child(DIALOG_INFO_NS, "state")?;
    let state = DialogState::parse(&state_element.text)?;
    let direction = match element.attr("direction").map(str::trim) {
        Some("initiator") => Some(Direction::Initiator),
        Some("recipient") => Some(Direction::Recipient),
        _ => None,
    };
    let replaces = element.child(DIALOG_INFO_NS, "replaces").and_then(|r| {
        Some(Replaces {
            call_id: owned_attr(r, "call-id")?,
            local_tag: owned_attr(r, "local-tag")?,
            remote_tag: owned_attr(r, "remote-tag")?,
        })
    });
    let route_set = element
        .child(DIALOG_INFO_NS, "route-set")
        .map(|rs| {
            rs.children_named(DIALOG_INFO_NS, "hop")
                .map(|h| h.trimmed_text().to_owned())
                .collect()
        })
        .unwrap_or_default();
    Some(Dialog {
        id,
        call_id: owned_attr(element, "call-id"),
        local_tag: owned_attr(element, "local-tag"),
        remote_tag: owned_attr(element, "remote-tag"),
        direction,
        state,
        event: owned_attr(state_element, "event"),
        code: state_element
            .attr("code")
            .and_then(|c| c.trim().parse().ok()),
        duration: element
            .child_text(DIALOG_INFO_NS, "duration")
            .and_then(|d| d.parse().ok()),
        replaces,
        referred_by: element
            .child(DIALOG_INFO_NS, "referred-by")
            .map(read_name_addr),
        route_set,
        local: element.child(DIALOG_INFO_NS, "local").map(read_participant),
        remote: element
            .child(DIALOG_INFO_NS, "remote")
            .map(read_participant),
    })
}

fn read_name_addr(element: &Element) -> NameAddr {
    NameAddr {
        uri: element.trimmed_text().to_owned(),
        display: element.attr("display").map(str::to_owned),
    }
}

fn read_participant(element: &Element) -> Participant {
    Participant {
        identity: element
            .child(DIALOG_INFO_NS, "identity")
            .map(read_name_addr),
        target: element.child(DIALOG_INFO_NS, "target").map(|t| Target {
            uri: t.attr("uri").unwrap_or_default().trim().to_owned(),
            params: t
                .children_named(DIALOG_INFO_NS, "param")
                .filter_map(|p| Some((p.attr("pname")?.to_owned(), p.attr("pval")?.to_owned())))
                .collect(),
        }),
    }
}

/// Write a dialog-info document (default namespace, as peers expect).
pub fn to_xml(info: &DialogInfo) -> String {
    let mut root = Element::new(DIALOG_INFO_NS, "dialog-info")
        .with_attr("version", info.version.to_string())
        .with_attr(
            "state",
            match info.state {
                DocumentState::Full => "full",
                DocumentState::Partial => "partial",
            },
        )
        .with_attr("entity", info.entity.clone());
    for dialog in &info.dialogs {
        root.push(dialog_element(dialog));
    }
    xml::to_xml(&root, &[])
}

fn dialog_element(dialog: &Dialog) -> Element {
    let mut element = Element::new(DIALOG_INFO_NS, "dialog").with_attr("id", dialog.id.clone());
    let optional = [
        ("call-id", &dialog.call_id),
        ("local-tag", &dialog.local_tag),
        ("remote-tag", &dialog.remote_tag),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            element.set_attr("", name, value.clone());
        }
    }
    if let Some(direction) = dialog.direction {
        let value = match direction {
            Direction::Initiator => "initiator",
            Direction::Recipient => "recipient",
        };
        element.set_attr("", "direction", value);
    }
    let mut state = Element::new(DIALOG_INFO_NS, "state").with_text(dialog.state.as_str());
    if let Some(event) = &dialog.event {
        state.set_attr("", "event", event.clone());
    }
    if let Some(code) = dialog.code {
        state.set_attr("", "code", code.to_string());
    }
    element.push(state);
    if let Some(duration) = dialog.duration {
        element.push_text_child(DIALOG_INFO_NS, "duration", duration.to_string());
    }
    if let Some(r) = &dialog.replaces {
        element.push(
            Element::new(DIALOG_INFO_NS, "replaces")
                .with_attr("call-id", r.call_id.clone())
                .with_attr("local-tag", r.local_tag.clone())
                .with_attr("remote-tag", r.remote_tag.clone()),
        );
    }
    if let Some(referred_by) = &dialog.referred_by {
        element.push(name_addr_element("referred-by", referred_by));
    }
    if !dialog.route_set.is_empty() {
        let mut route_set = Element::new(DIALOG_INFO_NS, "route-set");
        for hop in &dialog.route_set {
            route_set.push_text_child(DIALOG_INFO_NS, "hop", hop.clone());
        }
        element.push(route_set);
    }
    for (name, participant) in [("local", &dialog.local), ("remote", &dialog.remote)] {
        if let Some(p) = participant {
            element.push(participant_element(name, p));
        }
    }
    element
}

fn name_addr_element(name: &str, value: &NameAddr) -> Element {
    let mut element = Element::new(DIALOG_INFO_NS, name).with_text(value.uri.clone());
    if let Some(display) = &value.display {
        element.set_attr("", "display", display.clone());
    }
    element
}

fn participant_element(name: &str, participant: &Participant) -> Element {
    let mut element = Element::new(DIALOG_INFO_NS, name);
    if let Some(identity) = &participant.identity {
        element.push(name_addr_element("identity", identity));
    }
    if let Some(target) = &participant.target {
        let mut t = Element::new(DIALOG_INFO_NS, "target").with_attr("uri", target.uri.clone());
        for (pname, pval) in &target.params {
            t.push(
                Element::new(DIALOG_INFO_NS, "param")
                    .with_attr("pname", pname.clone())
                    .with_attr("pval", pval.clone()),
            );
        }
        element.push(t);
    }
    element
}

/// Busy-lamp summary of a phone line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LineState {
    /// No live dialog.
    Idle,
    /// Placing a call: trying, proceeding or early as initiator.
    Dialing,
    /// A call is ringing in: trying, proceeding or early as recipient (or
    /// early with no direction given).
    Ringing,
    /// In a call: some dialog is confirmed.
    InCall,
}

impl LineState {
    /// The summary of a set of dialogs: confirmed beats ringing beats
    /// dialing beats idle; terminated dialogs count for nothing.
    pub fn of<'a>(dialogs: impl IntoIterator<Item = &'a Dialog>) -> LineState {
        dialogs
            .into_iter()
            .map(|d| match (d.state, d.direction) {
                (DialogState::Confirmed, _) => LineState::InCall,
                (DialogState::Terminated, _) => LineState::Idle,
                (_, Some(Direction::Recipient)) => LineState::Ringing,
                (_, Some(Direction::Initiator)) => LineState::Dialing,
                (DialogState::Trying, None) => LineState::Dialing,
                (DialogState::Proceeding | DialogState::Early, None) => LineState::Ringing,
            })
            .max()
            .unwrap_or(LineState::Idle)
    }
}

/// What applying a document did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogUpdate {
    /// Applied; `changed` is whether any dialog differs from before.
    Applied { line: LineState, changed: bool },
    /// Older than (or, if partial, the same as) what is held: ignored.
    Stale { received: u32, current: u32 },
    /// A version was missed (or a partial came first): refresh the
    /// subscription. Nothing was applied.
    NeedsRefresh {
        expected: Option<u32>,
        received: u32,
    },
}

/// The live dialogs of one watched entity, sans I/O. Terminated dialogs are
/// dropped once applied.
#[derive(Debug, Clone, Default)]
pub struct DialogTable {
    version: Option<u32>,
    entity: Option<String>,
    dialogs: Vec<Dialog>,
}

impl DialogTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forget everything (a new subscription dialog restarts the versions).
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Version of the last applied document.
    pub fn version(&self) -> Option<u32> {
        self.version
    }

    /// The entity the documents are about.
    pub fn entity(&self) -> Option<&str> {
        self.entity.as_deref()
    }

    /// Live (not terminated) dialogs.
    pub fn dialogs(&self) -> &[Dialog] {
        &self.dialogs
    }

    /// The busy-lamp state now.
    pub fn line_state(&self) -> LineState {
        LineState::of(&self.dialogs)
    }

    /// Apply a document. Full state replaces every dialog (the current
    /// version again is re-applied: some servers never bump it); partial
    /// state must be exactly the next version and updates dialogs by id.
    pub fn apply(&mut self, info: DialogInfo) -> DialogUpdate {
        let received = info.version;
        let full = info.state == DocumentState::Full;
        match (self.version, full) {
            (Some(current), true) if received < current => {
                return DialogUpdate::Stale { received, current }
            }
            (Some(current), false) if received <= current => {
                return DialogUpdate::Stale { received, current }
            }
            (Some(current), false) if Some(received) != current.checked_add(1) => {
                return DialogUpdate::NeedsRefresh {
                    expected: current.checked_add(1),
                    received,
                }
            }
            (None, false) => {
                return DialogUpdate::NeedsRefresh {
                    expected: None,
                    received,
                }
            }
            _ => {}
        }
        let before = std::mem::take(&mut self.dialogs);
        let mut dialogs = if full { Vec::new() } else { before.clone() };
        for dialog in info.dialogs {
            match dialogs.iter_mut().find(|d| d.id == dialog.id) {
                Some(held) => *held = dialog,
                None => dialogs.push(dialog),
            }
        }
        dialogs.retain(|d| d.state != DialogState::Terminated);
        let changed = dialogs != before;
        self.dialogs = dialogs;
        self.version = Some(received);
        self.entity = Some(info.entity);
        DialogUpdate::Applied {
            line: self.line_state(),
            changed,
        }
    }
}

/// One of Hark's own calls, as it goes into the published dialog-info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnCall {
    /// Stable per call; the Call-ID does (pua_dialoginfo uses it).
    pub id: String,
    pub call_id: String,
    pub local_tag: Option<String>,
    pub remote_tag: Option<String>,
    pub direction: Direction,
    pub state: DialogState,
    /// This device's Contact URI, if known (else the AoR is used).
    pub local_target: Option<String>,
    /// The other party's AoR (From or To), and display name.
    pub remote_identity: String,
    pub remote_display: Option<String>,
    /// The other party's Contact URI, if known (else its AoR is used).
    pub remote_target: Option<String>,
}

/// The full-state document to PUBLISH about our own calls: entity = our
/// AoR, one `<dialog>` per call with call-id, tags, direction and state,
/// `<local>` and `<remote>` each with identity and target, as Kamailio's
/// pua_dialoginfo writes it (presence_dialoginfo sets the version itself).
pub fn publish_document(own_aor: &str, version: u32, calls: &[OwnCall]) -> DialogInfo {
    let dialogs = calls
        .iter()
        .map(|call| Dialog {
            call_id: Some(call.call_id.clone()),
            local_tag: call.local_tag.clone(),
            remote_tag: call.remote_tag.clone(),
            direction: Some(call.direction),
            local: Some(Participant {
                identity: Some(NameAddr {
                    uri: own_aor.to_owned(),
                    display: None,
                }),
                target: Some(Target {
                    uri: call
                        .local_target
                        .clone()
                        .unwrap_or_else(|| own_aor.to_owned()),
                    params: Vec::new(),
                }),
            }),
            remote: Some(Participant {
                identity: Some(NameAddr {
                    uri: call.remote_identity.clone(),
                    display: call.remote_display.clone(),
                }),
                target: Some(Target {
                    uri: call
                        .remote_target
                        .clone()
                        .unwrap_or_else(|| call.remote_identity.clone()),
                    params: Vec::new(),
                }),
            }),
            ..Dialog::new(&call.id, call.state)
        })
        .collect();
    DialogInfo {
        version,
        state: DocumentState::Full,
        entity: own_aor.to_owned(),
        dialogs,
    }
}

#[cfg(test)]
#[path = "dialog_info_tests.rs"]
mod tests;
