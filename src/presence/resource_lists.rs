//! Buddy lists stored over XCAP: resource-lists (RFC 4826 §3,
//! `application/resource-lists+xml`). The rls-services documents that
//! point to them (RFC 4826 §4) are in [`rls_services`](super::rls_services)
//! and re-exported here.
//!
//! The typed model keeps every element and attribute it does not
//! understand, so a document another client wrote goes back to the server
//! with its data intact after Hark edits it. Edits are [`ListEdit`] values
//! applied by the pure function [`apply_edit`], so the XCAP engine can
//! re-apply a pending edit to a fresher document after a 412.
//!
//! Groups are named `<list>` elements. Hark keeps its groups inside one
//! top-level list (the *root list*, which an rls-services `<service>`
//! points to, so one SUBSCRIBE covers every group); groups another client
//! created elsewhere in the document are found and edited by name too.

use super::xml::{self, Attribute, Element, XmlError, XML_NS};

/// `urn:ietf:params:xml:ns:resource-lists`.
pub const RESOURCE_LISTS_NS: &str = "urn:ietf:params:xml:ns:resource-lists";
/// `urn:ietf:params:xml:ns:rls-services`.
pub const RLS_SERVICES_NS: &str = "urn:ietf:params:xml:ns:rls-services";
pub const RESOURCE_LISTS_MIME: &str = "application/resource-lists+xml";
pub const RLS_SERVICES_MIME: &str = "application/rls-services+xml";

pub(super) const PREFIXES: &[(&str, &str)] = &[(RESOURCE_LISTS_NS, "rl"), (RLS_SERVICES_NS, "rls")];

/// A `<display-name>`, with its `xml:lang` if any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DisplayName {
    pub text: String,
    pub lang: Option<String>,
}

/// A `<list>`: a group of contacts, possibly nested.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct List {
    pub name: Option<String>,
    pub display_name: Option<DisplayName>,
    /// Members and unknown children, in document order.
    pub items: Vec<ListItem>,
    /// Attributes other than `name`.
    pub other_attrs: Vec<Attribute>,
}

/// One child of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListItem {
    List(List),
    Entry(Entry),
    EntryRef(Reference),
    External(Reference),
    /// An element Hark does not understand, kept as is.
    Other(Element),
}

/// An `<entry>`: one contact.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    pub uri: String,
    pub display_name: Option<DisplayName>,
    /// Attributes other than `uri`.
    pub other_attrs: Vec<Attribute>,
    /// Children other than `display-name`.
    pub others: Vec<Element>,
}

/// An `<entry-ref ref=...>` or `<external anchor=...>`: a pointer to an
/// entry or list elsewhere. Kept, never edited.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reference {
    /// The `ref` (entry-ref) or `anchor` (external) attribute.
    pub target: String,
    pub display_name: Option<DisplayName>,
    pub other_attrs: Vec<Attribute>,
    pub others: Vec<Element>,
}

/// A whole `<resource-lists>` document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourceLists {
    pub lists: Vec<List>,
    pub other_attrs: Vec<Attribute>,
    /// Children other than `<list>`.
    pub others: Vec<Element>,
}

/// Why a resource-lists or rls-services document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceListsError {
    #[error(transparent)]
    Xml(#[from] XmlError),
}

/// Parse a resource-lists document.
pub fn parse(bytes: &[u8]) -> Result<ResourceLists, ResourceListsError> {
    let root = xml::parse_root(bytes, RESOURCE_LISTS_NS, "resource-lists")?;
    let mut doc = ResourceLists {
        other_attrs: root.attrs.clone(),
        ..Default::default()
    };
    for child in root.children {
        if child.is(RESOURCE_LISTS_NS, "list") {
            doc.lists.push(list_from(&child));
        } else {
            doc.others.push(child);
        }
    }
    Ok(doc)
}

/// Write a resource-lists document.
pub fn build(doc: &ResourceLists) -> String {
    let mut root = Element::new(RESOURCE_LISTS_NS, "resource-lists");
    root.attrs = doc.other_attrs.clone();
    root.children
        .extend(doc.lists.iter().map(|l| list_element(l, RESOURCE_LISTS_NS)));
    root.children.extend(doc.others.iter().cloned());
    xml::to_xml(&root, PREFIXES)
}

fn display_name_from(element: &Element) -> Option<DisplayName> {
    element
        .child(RESOURCE_LISTS_NS, "display-name")
        .map(|d| DisplayName {
            text: d.text.clone(),
            lang: d.lang().map(str::to_owned),
        })
}

fn display_name_element(name: &DisplayName) -> Element {
    let mut element = Element::new(RESOURCE_LISTS_NS, "display-name").with_text(name.text.clone());
    if let Some(lang) = &name.lang {
        element.set_attr(XML_NS, "lang", lang.clone());
    }
    element
}

pub(super) fn attrs_except(element: &Element, known: &str) -> Vec<Attribute> {
    element
        .attrs
        .iter()
        .filter(|a| !(a.ns.is_empty() && a.name == known))
        .cloned()
        .collect()
}

fn others_except_display_name(element: &Element) -> Vec<Element> {
    let mut seen_display_name = false;
    element
        .children
        .iter()
        .filter(|c| {
            let first = c.is(RESOURCE_LISTS_NS, "display-name") && !seen_display_name;
            seen_display_name |= first;
            !first
        })
        .cloned()
        .collect()
}

/// Read a `<list>` (in any namespace: rls-services puts its inline list in
/// its own) whose members are in the resource-lists namespace.
pub fn list_from(element: &Element) -> List {
    let mut list = List {
        name: element.attr("name").map(str::to_owned),
        display_name: display_name_from(element),
        other_attrs: attrs_except(element, "name"),
        items: Vec::new(),
    };
    let mut seen_display_name = false;
    for child in &element.children {
        let item = match (child.ns.as_str(), child.name.as_str()) {
            (RESOURCE_LISTS_NS, "display-name") if !seen_display_name => {
                seen_display_name = true;
                continue;
            }
            (RESOURCE_LISTS_NS, "list") => ListItem::List(list_from(child)),
            (RESOURCE_LISTS_NS, "entry") if child.attr("uri").is_some() => ListItem::Entry(Entry {
                uri: child.attr("uri").unwrap_or_default().trim().to_owned(),
                display_name: display_name_from(child),
                other_attrs: attrs_except(child, "uri"),
                others: others_except_display_name(child),
            }),
            (RESOURCE_LISTS_NS, "entry-ref") if child.attr("ref").is_some() => {
                ListItem::EntryRef(reference_from(child, "ref"))
            }
            (RESOURCE_LISTS_NS, "external") if child.attr("anchor").is_some() => {
                ListItem::External(reference_from(child, "anchor"))
            }
            _ => ListItem::Other(child.clone()),
        };
        list.items.push(item);
    }
    list
}

fn reference_from(element: &Element, attribute: &str) -> Reference {
    Reference {
        target: element
            .attr(attribute)
            .unwrap_or_default()
            .trim()
            .to_owned(),
        display_name: display_name_from(element),
        other_attrs: attrs_except(element, attribute),
        others: others_except_display_name(element),
    }
}

/// Write a `<list>` as element `{ns}list` with members in the
/// resource-lists namespace.
pub fn list_element(list: &List, ns: &str) -> Element {
    let mut element = Element::new(ns, "list");
    if let Some(name) = &list.name {
        element.set_attr("", "name", name.clone());
    }
    element.attrs.extend(list.other_attrs.iter().cloned());
    if let Some(name) = &list.display_name {
        element.push(display_name_element(name));
    }
    for item in &list.items {
        element.push(match item {
            ListItem::List(inner) => list_element(inner, RESOURCE_LISTS_NS),
            ListItem::Entry(entry) => member_element(
                "entry",
                "uri",
                &entry.uri,
                &entry.display_name,
                &entry.other_attrs,
                &entry.others,
            ),
            ListItem::EntryRef(r) => reference_element("entry-ref", "ref", r),
            ListItem::External(r) => reference_element("external", "anchor", r),
            ListItem::Other(other) => other.clone(),
        });
    }
    element
}

fn reference_element(name: &str, attribute: &str, r: &Reference) -> Element {
    member_element(
        name,
        attribute,
        &r.target,
        &r.display_name,
        &r.other_attrs,
        &r.others,
    )
}

fn member_element(
    name: &str,
    attribute: &str,
    value: &str,
    display_name: &Option<DisplayName>,
    other_attrs: &[Attribute],
    others: &[Element],
) -> Element {
    let mut element = Element::new(RESOURCE_LISTS_NS, name).with_attr(attribute, value);
    element.attrs.extend(other_attrs.iter().cloned());
    if let Some(display_name) = display_name {
        element.push(display_name_element(display_name));
    }
    element.children.extend(others.iter().cloned());
    element
}

impl List {
    /// A new named list whose display-name is its name.
    pub fn named(name: &str) -> Self {
        List {
            name: Some(name.to_owned()),
            display_name: Some(DisplayName {
                text: name.to_owned(),
                lang: None,
            }),
            ..Default::default()
        }
    }

    /// Entries directly in this list.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.items.iter().filter_map(|item| match item {
            ListItem::Entry(e) => Some(e),
            _ => None,
        })
    }

    /// Lists directly in this list.
    pub fn sublists(&self) -> impl Iterator<Item = &List> {
        self.items.iter().filter_map(|item| match item {
            ListItem::List(l) => Some(l),
            _ => None,
        })
    }

    /// Every entry URI in this list and its sublists, depth first.
    pub fn all_uris(&self) -> Vec<&str> {
        let mut uris = Vec::new();
        self.collect_uris(&mut uris);
        uris
    }

    fn collect_uris<'a>(&'a self, uris: &mut Vec<&'a str>) {
        for item in &self.items {
            match item {
                ListItem::Entry(e) => uris.push(&e.uri),
                ListItem::List(l) => l.collect_uris(uris),
                _ => {}
            }
        }
    }

    fn find_mut(&mut self, name: &str) -> Option<&mut List> {
        if self.name.as_deref() == Some(name) {
            return Some(self);
        }
        self.items.iter_mut().find_map(|item| match item {
            ListItem::List(l) => l.find_mut(name),
            _ => None,
        })
    }
}

impl ResourceLists {
    /// The first list named `name`, at any depth.
    pub fn find_list(&self, name: &str) -> Option<&List> {
        fn find<'a>(list: &'a List, name: &str) -> Option<&'a List> {
            if list.name.as_deref() == Some(name) {
                return Some(list);
            }
            list.sublists().find_map(|l| find(l, name))
        }
        self.lists.iter().find_map(|l| find(l, name))
    }

    fn find_list_mut(&mut self, name: &str) -> Option<&mut List> {
        self.lists.iter_mut().find_map(|l| l.find_mut(name))
    }

    /// Names of the lists containing an entry for `uri`.
    pub fn groups_of(&self, uri: &str) -> Vec<&str> {
        fn walk<'a>(list: &'a List, uri: &str, out: &mut Vec<&'a str>) {
            if list.entries().any(|e| e.uri == uri) {
                if let Some(name) = &list.name {
                    out.push(name);
                }
            }
            for sub in list.sublists() {
                walk(sub, uri, out);
            }
        }
        let mut out = Vec::new();
        for list in &self.lists {
            walk(list, uri, &mut out);
        }
        out
    }
}

/// One change to the buddy list, as data (so it can be re-applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListEdit {
    /// Add `uri` to `group`, creating the group inside the root list (and
    /// the root list) when missing. Already there: only the name changes.
    AddContact {
        group: String,
        uri: String,
        display_name: Option<String>,
    },
    /// Set the display-name of every entry for `uri` (None removes it).
    RenameContact {
        uri: String,
        display_name: Option<String>,
    },
    /// Move the entry (with everything in it) from one group to another.
    MoveContact {
        uri: String,
        from: String,
        to: String,
    },
    /// Remove `uri` from `group`, or from every list when `group` is None.
    RemoveContact { uri: String, group: Option<String> },
    /// Set the display-name of a group (its `name` key stays, so XCAP
    /// references to it stay valid).
    RenameGroup { group: String, display_name: String },
    /// Remove a group with everything in it.
    RemoveGroup { group: String },
}

/// Why an edit cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("no group named {0}")]
    NoSuchGroup(String),
    #[error("{0} is not in the buddy list")]
    NoSuchContact(String),
    #[error("the root list cannot be renamed or removed as a group")]
    RootList,
}

/// Apply `edit` to `doc`, returning the new document. `root_list` names the
/// top-level list new groups are created in.
pub fn apply_edit(
    doc: &ResourceLists,
    root_list: &str,
    edit: &ListEdit,
) -> Result<ResourceLists, EditError> {
    let mut doc = doc.clone();
    match edit {
        ListEdit::AddContact {
            group,
            uri,
            display_name,
        } => {
            let list = group_or_create(&mut doc, root_list, group)?;
            let name = display_name.as_ref().map(|text| DisplayName {
                text: text.clone(),
                lang: None,
            });
            match list.items.iter_mut().find_map(|item| match item {
                ListItem::Entry(e) if e.uri == *uri => Some(e),
                _ => None,
            }) {
                Some(entry) => {
                    if name.is_some() {
                        set_display_name(&mut entry.display_name, name);
                    }
                }
                None => list.items.push(ListItem::Entry(Entry {
                    uri: uri.clone(),
                    display_name: name,
                    ..Default::default()
                })),
            }
        }
        ListEdit::RenameContact { uri, display_name } => {
            let mut found = false;
            for list in &mut doc.lists {
                for_each_entry(list, &mut |entry| {
                    if entry.uri == *uri {
                        found = true;
                        let name = display_name.as_ref().map(|text| DisplayName {
                            text: text.clone(),
                            lang: None,
                        });
                        set_display_name(&mut entry.display_name, name);
                    }
                });
            }
            if !found {
                return Err(EditError::NoSuchContact(uri.clone()));
            }
        }
        ListEdit::MoveContact { uri, from, to } => {
            let source = doc
                .find_list_mut(from)
                .ok_or_else(|| EditError::NoSuchGroup(from.clone()))?;
            let position = source
                .items
                .iter()
                .position(|item| matches!(item, ListItem::Entry(e) if e.uri == *uri))
                .ok_or_else(|| EditError::NoSuchContact(uri.clone()))?;
            let entry = source.items.remove(position);
            let target = group_or_create(&mut doc, root_list, to)?;
            if !target.entries().any(|e| e.uri == *uri) {
                target.items.push(entry);
            }
        }
        ListEdit::RemoveContact { uri, group } => {
            let removed = match group {
                Some(group) => {
                    let list = doc
                        .find_list_mut(group)
                        .ok_or_else(|| EditError::NoSuchGroup(group.clone()))?;
                    remove_entries(list, uri, false)
                }
                None => doc
                    .lists
                    .iter_mut()
                    .fold(0, |n, list| n + remove_entries(list, uri, true)),
            };
            if removed == 0 {
                return Err(EditError::NoSuchContact(uri.clone()));
            }
        }
        ListEdit::RenameGroup {
            group,
            display_name,
        } => {
            if group == root_list {
                return Err(EditError::RootList);
            }
            let list = doc
                .find_list_mut(group)
                .ok_or_else(|| EditError::NoSuchGroup(group.clone()))?;
            let lang = list.display_name.as_ref().and_then(|d| d.lang.clone());
            list.display_name = Some(DisplayName {
                text: display_name.clone(),
                lang,
            });
        }
        ListEdit::RemoveGroup { group } => {
            if group == root_list {
                return Err(EditError::RootList);
            }
            let before = doc.lists.len();
            doc.lists
                .retain(|l| l.name.as_deref() != Some(group.as_str()));
            let removed =
                before != doc.lists.len() || doc.lists.iter_mut().any(|l| remove_sublist(l, group));
            if !removed {
                return Err(EditError::NoSuchGroup(group.clone()));
            }
        }
    }
    Ok(doc)
}

fn set_display_name(slot: &mut Option<DisplayName>, name: Option<DisplayName>) {
    match (slot.as_mut(), name) {
        (Some(existing), Some(new)) => existing.text = new.text,
        (_, new) => *slot = new,
    }
}

fn group_or_create<'a>(
    doc: &'a mut ResourceLists,
    root_list: &str,
    group: &str,
) -> Result<&'a mut List, EditError> {
    if doc.find_list(group).is_none() {
        if doc.find_list(root_list).is_none() {
            doc.lists.push(List::named(root_list));
        }
        if let Some(root) = doc.find_list_mut(root_list) {
            if group != root_list {
                root.items.push(ListItem::List(List::named(group)));
            }
        }
    }
    doc.find_list_mut(group)
        .ok_or_else(|| EditError::NoSuchGroup(group.to_owned()))
}

fn for_each_entry(list: &mut List, f: &mut impl FnMut(&mut Entry)) {
    for item in &mut list.items {
        match item {
            ListItem::Entry(e) => f(e),
            ListItem::List(l) => for_each_entry(l, f),
            _ => {}
        }
    }
}

fn remove_entries(list: &mut List, uri: &str, recursive: bool) -> usize {
    let before = list.items.len();
    list.items
        .retain(|item| !matches!(item, ListItem::Entry(e) if e.uri == uri));
    let mut removed = before - list.items.len();
    if recursive {
        for item in &mut list.items {
            if let ListItem::List(l) = item {
                removed += remove_entries(l, uri, true);
            }
        }
    }
    removed
}

fn remove_sublist(list: &mut List, name: &str) -> bool {
    let before = list.items.len();
    list.items
        .retain(|item| !matches!(item, ListItem::List(l) if l.name.as_deref() == Some(name)));
    before != list.items.len()
        || list.items.iter_mut().any(|item| match item {
            ListItem::List(l) => remove_sublist(l, name),
            _ => false,
        })
}

pub use super::rls_services::{
    build_rls_services, parse_rls_services, RlsServices, Service, ServiceSource,
};

#[cfg(test)]
#[path = "resource_lists_tests.rs"]
mod tests;
