//! Watcher information (RFC 3858, `application/watcherinfo+xml`): who is
//! subscribed to our presence and in which state.
//!
//! [`parse`] and [`build`] convert between the document and [`WatcherInfo`];
//! [`WatcherTable`] applies full and partial documents in version order
//! (RFC 3858 §4) without I/O and answers "which watchers are pending".

use super::xml::{self, Element, XmlError};

/// `urn:ietf:params:xml:ns:watcherinfo`.
pub const WATCHERINFO_NS: &str = "urn:ietf:params:xml:ns:watcherinfo";
/// MIME type of a watcherinfo document.
pub const WATCHERINFO_MIME: &str = "application/watcherinfo+xml";

/// Whether a document carries the whole state or only changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentState {
    Full,
    Partial,
}

/// Subscription state of one watcher (RFC 3858 §3, `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatcherStatus {
    Pending,
    Active,
    Waiting,
    Terminated,
}

/// The event that moved the watcher into its status (RFC 3858 §3, `event`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatcherEvent {
    Subscribe,
    Approved,
    Deactivated,
    Probation,
    Rejected,
    Timeout,
    Giveup,
    Noresource,
}

/// One watcher: a subscription to the resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watcher {
    /// Unique per subscription within the watcher list.
    pub id: String,
    /// The watcher's URI (element content).
    pub uri: String,
    pub display_name: Option<String>,
    pub status: WatcherStatus,
    pub event: WatcherEvent,
    /// Seconds until the subscription expires.
    pub expiration: Option<u64>,
    /// Seconds the watcher has been subscribed.
    pub duration_subscribed: Option<u64>,
}

/// The watchers of one resource for one event package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatcherList {
    pub resource: String,
    pub package: String,
    pub watchers: Vec<Watcher>,
}

/// A whole watcherinfo document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatcherInfo {
    pub version: u64,
    pub state: DocumentState,
    pub lists: Vec<WatcherList>,
}

/// Why a watcherinfo document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WatcherInfoError {
    #[error(transparent)]
    Xml(#[from] XmlError),
    #[error("watcherinfo has no valid version attribute")]
    Version,
    #[error("watcherinfo state must be full or partial")]
    State,
}

impl WatcherStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WatcherStatus::Pending => "pending",
            WatcherStatus::Active => "active",
            WatcherStatus::Waiting => "waiting",
            WatcherStatus::Terminated => "terminated",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.trim() {
            "pending" => WatcherStatus::Pending,
            "active" => WatcherStatus::Active,
            "waiting" => WatcherStatus::Waiting,
            "terminated" => WatcherStatus::Terminated,
            _ => return None,
        })
    }
}

impl WatcherEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            WatcherEvent::Subscribe => "subscribe",
            WatcherEvent::Approved => "approved",
            WatcherEvent::Deactivated => "deactivated",
            WatcherEvent::Probation => "probation",
            WatcherEvent::Rejected => "rejected",
            WatcherEvent::Timeout => "timeout",
            WatcherEvent::Giveup => "giveup",
            WatcherEvent::Noresource => "noresource",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.trim() {
            "subscribe" => WatcherEvent::Subscribe,
            "approved" => WatcherEvent::Approved,
            "deactivated" => WatcherEvent::Deactivated,
            "probation" => WatcherEvent::Probation,
            "rejected" => WatcherEvent::Rejected,
            "timeout" => WatcherEvent::Timeout,
            "giveup" => WatcherEvent::Giveup,
            "noresource" => WatcherEvent::Noresource,
            _ => return None,
        })
    }
}

/// Parse a watcherinfo document. Watchers without an id, or with a status
/// or event outside RFC 3858, are skipped (nothing can be decided about them).
pub fn parse(bytes: &[u8]) -> Result<WatcherInfo, WatcherInfoError> {
    let root = xml::parse_root(bytes, WATCHERINFO_NS, "watcherinfo")?;
    let version = root
        .attr("version")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or(WatcherInfoError::Version)?;
    let state = match root.attr("state").map(str::trim) {
        Some("full") => DocumentState::Full,
        Some("partial") => DocumentState::Partial,
        _ => return Err(WatcherInfoError::State),
    };
    let lists = root
        .children_named(WATCHERINFO_NS, "watcher-list")
        .map(|list| WatcherList {
            resource: list.attr("resource").unwrap_or_default().trim().to_owned(),
            package: list.attr("package").unwrap_or_default().trim().to_owned(),
            watchers: list
                .children_named(WATCHERINFO_NS, "watcher")
                .filter_map(parse_watcher)
                .collect(),
        })
        .collect();
    Ok(WatcherInfo {
        version,
        state,
        lists,
    })
}

fn parse_watcher(element: &Element) -> Option<Watcher> {
    let id = element.attr("id")?.trim();
    if id.is_empty() {
        return None;
    }
    let number = |name| element.attr(name).and_then(|v| v.trim().parse().ok());
    Some(Watcher {
        id: id.to_owned(),
        uri: element.trimmed_text().to_owned(),
        display_name: element.attr("display-name").map(str::to_owned),
        status: WatcherStatus::parse(element.attr("status")?)?,
        event: WatcherEvent::parse(element.attr("event")?)?,
        expiration: number("expiration"),
        duration_subscribed: number("duration-subscribed"),
    })
}

/// Write a watcherinfo document (default namespace).
pub fn build(info: &WatcherInfo) -> String {
    let state = match info.state {
        DocumentState::Full => "full",
        DocumentState::Partial => "partial",
    };
    let mut root = Element::new(WATCHERINFO_NS, "watcherinfo")
        .with_attr("version", info.version.to_string())
        .with_attr("state", state);
    for list in &info.lists {
        let mut list_element = Element::new(WATCHERINFO_NS, "watcher-list")
            .with_attr("resource", list.resource.clone())
            .with_attr("package", list.package.clone());
        for watcher in &list.watchers {
            list_element.push(watcher_element(watcher));
        }
        root.push(list_element);
    }
    xml::to_xml(&root, &[])
}

fn watcher_element(watcher: &Watcher) -> Element {
    let mut element = Element::new(WATCHERINFO_NS, "watcher")
        .with_attr("id", watcher.id.clone())
        .with_attr("status", watcher.status.as_str())
        .with_attr("event", watcher.event.as_str())
        .with_text(watcher.uri.clone());
    if let Some(name) = &watcher.display_name {
        element.set_attr("", "display-name", name.clone());
    }
    if let Some(seconds) = watcher.expiration {
        element.set_attr("", "expiration", seconds.to_string());
    }
    if let Some(seconds) = watcher.duration_subscribed {
        element.set_attr("", "duration-subscribed", seconds.to_string());
    }
    element
}

/// What [`WatcherTable::apply`] did with a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// The document was applied; the table is current.
    Applied,
    /// The version was not newer than the table's: a duplicate or a
    /// reordered NOTIFY. Nothing changed.
    Stale { local: u64, received: u64 },
    /// A partial document arrived with a version gap (or before any full
    /// state). It was not applied: refresh the winfo subscription to get
    /// full state (RFC 3858 §4).
    ResyncNeeded {
        expected: Option<u64>,
        received: u64,
    },
}

/// The current watchers of our resources, built from watcherinfo NOTIFYs
/// of one subscription. Call [`WatcherTable::reset`] when a new winfo
/// subscription (dialog) starts: its versions start again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatcherTable {
    version: Option<u64>,
    lists: Vec<WatcherList>,
}

impl WatcherTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Forget everything (new subscription dialog).
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Version of the last applied document.
    pub fn version(&self) -> Option<u64> {
        self.version
    }

    /// Apply a received document in version order.
    pub fn apply(&mut self, info: &WatcherInfo) -> ApplyOutcome {
        if let Some(local) = self.version {
            if info.version <= local {
                return ApplyOutcome::Stale {
                    local,
                    received: info.version,
                };
            }
        }
        match info.state {
            DocumentState::Full => {
                self.lists = info
                    .lists
                    .iter()
                    .map(|list| WatcherList {
                        watchers: list
                            .watchers
                            .iter()
                            .filter(|w| w.status != WatcherStatus::Terminated)
                            .cloned()
                            .collect(),
                        ..list.clone()
                    })
                    .collect();
            }
            DocumentState::Partial => {
                let expected = self.version.map(|v| v.saturating_add(1));
                if expected != Some(info.version) {
                    return ApplyOutcome::ResyncNeeded {
                        expected,
                        received: info.version,
                    };
                }
                for list in &info.lists {
                    self.merge_partial(list);
                }
            }
        }
        self.version = Some(info.version);
        ApplyOutcome::Applied
    }

    fn merge_partial(&mut self, update: &WatcherList) {
        let index = match self
            .lists
            .iter()
            .position(|l| l.resource == update.resource && l.package == update.package)
        {
            Some(index) => index,
            None => {
                self.lists.push(WatcherList {
                    watchers: Vec::new(),
                    ..update.clone()
                });
                self.lists.len() - 1
            }
        };
        let watchers = &mut self.lists[index].watchers;
        for watcher in &update.watchers {
            let existing = watchers.iter().position(|w| w.id == watcher.id);
            match (existing, watcher.status) {
                (Some(i), WatcherStatus::Terminated) => {
                    watchers.remove(i);
                }
                (None, WatcherStatus::Terminated) => {}
                (Some(i), _) => watchers[i] = watcher.clone(),
                (None, _) => watchers.push(watcher.clone()),
            }
        }
    }

    /// Every watcher list currently known.
    pub fn lists(&self) -> &[WatcherList] {
        &self.lists
    }

    /// Every current (not terminated) watcher of every list.
    pub fn watchers(&self) -> impl Iterator<Item = &Watcher> {
        self.lists.iter().flat_map(|l| l.watchers.iter())
    }

    /// Watchers waiting for our authorisation decision, one per URI (a
    /// watcher subscribed from two devices appears once).
    pub fn pending(&self) -> Vec<&Watcher> {
        let mut seen: Vec<&str> = Vec::new();
        let mut pending = Vec::new();
        for watcher in self.watchers() {
            if matches!(
                watcher.status,
                WatcherStatus::Pending | WatcherStatus::Waiting
            ) && !seen.contains(&watcher.uri.as_str())
            {
                seen.push(&watcher.uri);
                pending.push(watcher);
            }
        }
        pending
    }
}

#[cfg(test)]
#[path = "watcherinfo_tests.rs"]
mod tests;
