//! The contact list as plain data, without a window: every contact of every
//! account with its latest presence, kept in sort order as updates arrive,
//! and the rows the window shows (group headings and contacts, filtered by
//! what the user typed). Pure and synchronous so that tests and benchmarks can
//! drive it with thousands of contacts:
//!
//! ```
//! use hark::ui::contact_list::ContactList;
//! let mut list = ContactList::new();
//! list.set_contacts("sip:me@example.com", vec![]);
//! assert!(list.visible_rows("").is_empty());
//! ```
//!
//! Contacts live in a `HashMap` keyed by (account, address) and their sort
//! keys in a `BTreeSet`, so a batch of `k` presence updates costs
//! O(k log n) and nothing is ever re-sorted as a whole.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::engine::{Capabilities, Contact, ContactAvailability, LineState, PresenceUpdate};
use crate::sip::subscription::SubscriptionState;
use crate::ui::status::display_address;
use crate::ui::theme::Dot;

/// Identifies a contact: (account, contact address), as the engine names them.
pub type Key = (String, String);

/// How contacts are ordered inside a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// Reachable people first (available … offline), then by name.
    Availability,
    /// By name only.
    Name,
}

/// The order the window uses.
pub const SORT_ORDER: SortOrder = SortOrder::Availability;

/// The colour of a contact's status dot (SPEC P6).
pub fn dot(availability: ContactAvailability) -> Dot {
    use ContactAvailability::*;
    match availability {
        Available => Dot::Green,
        OnThePhone | Forwarded => Dot::Amber,
        Busy | InAMeeting | DoNotDisturb => Dot::Red,
        Away => Dot::Orange,
        Offline | Unknown => Dot::Grey,
    }
}

/// Where an availability sorts under [`SortOrder::Availability`]: available
/// first, offline and unknown last.
pub fn rank(availability: ContactAvailability) -> u8 {
    use ContactAvailability::*;
    match availability {
        Available => 0,
        OnThePhone | Forwarded => 1,
        Busy | InAMeeting => 2,
        DoNotDisturb => 3,
        Away => 4,
        Offline => 5,
        Unknown => 6,
    }
}

/// True when the contact is somewhere (not offline, not unknown).
pub fn is_online(availability: ContactAvailability) -> bool {
    !matches!(
        availability,
        ContactAvailability::Offline | ContactAvailability::Unknown
    )
}

/// Lower case without accents, for matching what the user types:
/// `fold("Jürgen Ærø") == "jurgen aero"`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'ď' | 'đ' => 'd',
            'è'..='ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
            'ì'..='ï' | 'ī' | 'į' | 'ı' => 'i',
            'ł' | 'ľ' => 'l',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò'..='ö' | 'ø' | 'ō' | 'ő' => 'o',
            'ř' => 'r',
            'ś' | 'š' | 'ş' => 's',
            'ť' | 'ţ' => 't',
            'ù'..='ü' | 'ū' | 'ů' | 'ű' | 'ų' => 'u',
            'ý' | 'ÿ' => 'y',
            'ź' | 'ż' | 'ž' => 'z',
            'ß' => {
                out.push_str("ss");
                continue;
            }
            'æ' => {
                out.push_str("ae");
                continue;
            }
            'œ' => {
                out.push_str("oe");
                continue;
            }
            c => c,
        };
        out.push(base);
    }
    out
}

/// What is known of a contact's presence, as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Presence {
    pub availability: ContactAvailability,
    pub note: Option<String>,
    pub capabilities: Capabilities,
    pub subscription: SubscriptionState,
    /// Their phone line, when watched (busy lamp).
    pub line: Option<LineState>,
}

impl Default for Presence {
    fn default() -> Self {
        Presence {
            availability: ContactAvailability::Unknown,
            note: None,
            capabilities: Capabilities::default(),
            subscription: SubscriptionState::Idle,
            line: None,
        }
    }
}

impl From<&PresenceUpdate> for Presence {
    fn from(u: &PresenceUpdate) -> Self {
        Presence {
            availability: u.availability,
            note: u
                .note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            capabilities: u.capabilities,
            subscription: u.subscription.clone(),
            line: u.line,
        }
    }
}

/// A special state shown next to a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Badge {
    /// They have not allowed us to see their presence yet.
    Pending,
    /// They (or their server) do not share their presence with us.
    Refused,
    /// Their phone line is in a call (busy lamp).
    InCall,
    /// A call is ringing on their line.
    Ringing,
}

/// One line of the list.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Group(GroupRow),
    Contact(ContactRow),
}

/// A group heading. `name` is `None` for contacts without a group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub name: Option<String>,
    /// Contacts shown under it (all of the group's without a filter).
    pub total: usize,
    /// How many of those are online.
    pub online: usize,
    pub collapsed: bool,
}

/// A contact as one row shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactRow {
    pub account: String,
    pub uri: String,
    /// The contact's name, or the address without `sip:`.
    pub name: String,
    pub group: Option<String>,
    /// Their own words; the window shows the availability when there is none.
    pub note: Option<String>,
    pub availability: ContactAvailability,
    pub capabilities: Capabilities,
    pub badge: Option<Badge>,
}

impl ContactRow {
    pub fn key(&self) -> Key {
        (self.account.clone(), self.uri.clone())
    }

    pub fn dot(&self) -> Dot {
        dot(self.availability)
    }
}

/// How a contact sorts: group, then (by [`SORT_ORDER`]) availability, then name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    /// (folded, as written); `None` (no group) sorts first.
    group: Option<(String, String)>,
    rank: u8,
    name: String,
    account: String,
    uri: String,
}

#[derive(Debug, Clone)]
struct Entry {
    contact: Contact,
    sort: SortKey,
    /// Folded name, address and note, for the filter.
    search: String,
}

/// Every contact of every account and their presence.
#[derive(Debug, Clone)]
pub struct ContactList {
    order: SortOrder,
    entries: HashMap<Key, Entry>,
    sorted: BTreeSet<SortKey>,
    /// Also for contacts not on the list (yet): presence may come first.
    presence: HashMap<Key, Presence>,
    collapsed: HashSet<Option<String>>,
}

impl Default for ContactList {
    fn default() -> Self {
        ContactList::with_order(SORT_ORDER)
    }
}

impl ContactList {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_order(order: SortOrder) -> Self {
        ContactList {
            order,
            entries: HashMap::new(),
            sorted: BTreeSet::new(),
            presence: HashMap::new(),
            collapsed: HashSet::new(),
        }
    }

    /// How many contacts there are over all accounts.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The contact as the engine last listed it.
    pub fn contact(&self, key: &Key) -> Option<&Contact> {
        self.entries.get(key).map(|e| &e.contact)
    }

    /// What is known of a contact's presence (unknown when nothing is).
    pub fn presence(&self, key: &Key) -> Presence {
        self.presence.get(key).cloned().unwrap_or_default()
    }

    /// The names of the groups in use, sorted.
    pub fn groups(&self) -> Vec<String> {
        let mut groups: Vec<String> = Vec::new();
        for key in &self.sorted {
            if let Some((_, name)) = &key.group {
                if groups.last() != Some(name) {
                    groups.push(name.clone());
                }
            }
        }
        groups
    }

    /// Replaces the list of one account with what the engine sent.
    pub fn set_contacts(&mut self, account: &str, contacts: Vec<Contact>) {
        let keep: HashSet<&str> = contacts.iter().map(|c| c.uri.as_str()).collect();
        let gone: Vec<Key> = self
            .entries
            .keys()
            .filter(|(a, uri)| a == account && !keep.contains(uri.as_str()))
            .cloned()
            .collect();
        for key in gone {
            if let Some(entry) = self.entries.remove(&key) {
                self.sorted.remove(&entry.sort);
            }
        }
        for contact in contacts {
            let key = (account.to_string(), contact.uri.clone());
            if self.entries.get(&key).map(|e| &e.contact) == Some(&contact) {
                continue;
            }
            if let Some(old) = self.entries.remove(&key) {
                self.sorted.remove(&old.sort);
            }
            let entry = self.entry(&key, contact);
            self.sorted.insert(entry.sort.clone());
            self.entries.insert(key, entry);
        }
    }

    /// Takes in a batch of presence updates: O(updates · log n).
    pub fn apply(&mut self, account: &str, updates: &[PresenceUpdate]) {
        for update in updates {
            let key = (account.to_string(), update.contact.clone());
            let presence = Presence::from(update);
            if self.presence.get(&key) == Some(&presence) {
                continue;
            }
            self.presence.insert(key.clone(), presence);
            if let Some(old) = self.entries.remove(&key) {
                self.sorted.remove(&old.sort);
                let entry = self.entry(&key, old.contact);
                self.sorted.insert(entry.sort.clone());
                self.entries.insert(key, entry);
            }
        }
    }

    /// Forgets everything about one account (it was removed).
    pub fn remove_account(&mut self, account: &str) {
        self.set_contacts(account, Vec::new());
        self.presence.retain(|(a, _), _| a != account);
    }

    pub fn is_collapsed(&self, group: &Option<String>) -> bool {
        self.collapsed.contains(group)
    }

    /// Opens a closed group or closes an open one.
    pub fn toggle_group(&mut self, group: Option<String>) {
        if !self.collapsed.remove(&group) {
            self.collapsed.insert(group);
        }
    }

    fn entry(&self, key: &Key, contact: Contact) -> Entry {
        let presence = self.presence.get(key);
        let availability = presence
            .map(|p| p.availability)
            .unwrap_or(ContactAvailability::Unknown);
        let name = display_name(&contact);
        let sort = SortKey {
            group: contact.group.as_ref().map(|g| (fold(g), g.clone())),
            rank: match self.order {
                SortOrder::Availability => rank(availability),
                SortOrder::Name => 0,
            },
            name: fold(&name),
            account: key.0.clone(),
            uri: key.1.clone(),
        };
        let note = presence.and_then(|p| p.note.as_deref()).unwrap_or("");
        let search = format!(
            "{}\n{}\n{}",
            sort.name,
            fold(display_address(&contact.uri)),
            fold(note)
        );
        Entry {
            contact,
            sort,
            search,
        }
    }

    /// The rows to show for `filter` (what the user typed; empty for all):
    /// group headings, then their contacts unless the group is collapsed.
    /// With a filter, only matching contacts show, every group is open, and
    /// groups without a match are left out. Each word of the filter must
    /// appear in the name, the address or the note; case and accents do not
    /// matter.
    pub fn visible_rows(&self, filter: &str) -> Vec<Row> {
        let folded = fold(filter);
        let words: Vec<&str> = folded.split_whitespace().collect();
        let filtering = !words.is_empty();
        let mut rows = Vec::new();
        // Index of the current group's heading in `rows`.
        let mut heading: Option<usize> = None;
        let mut current: Option<&Option<(String, String)>> = None;
        for key in &self.sorted {
            let entry_key = (key.account.clone(), key.uri.clone());
            let Some(entry) = self.entries.get(&entry_key) else {
                continue;
            };
            if filtering && !words.iter().all(|w| entry.search.contains(w)) {
                continue;
            }
            if current != Some(&key.group) {
                current = Some(&key.group);
                let name = key.group.as_ref().map(|(_, g)| g.clone());
                let collapsed = !filtering && self.collapsed.contains(&name);
                heading = Some(rows.len());
                rows.push(Row::Group(GroupRow {
                    name,
                    total: 0,
                    online: 0,
                    collapsed,
                }));
            }
            let presence = self.presence.get(&entry_key);
            let availability = presence
                .map(|p| p.availability)
                .unwrap_or(ContactAvailability::Unknown);
            let mut collapsed = false;
            if let Some(Row::Group(group)) = heading.and_then(|i| rows.get_mut(i)) {
                group.total += 1;
                group.online += usize::from(is_online(availability));
                collapsed = group.collapsed;
            }
            if collapsed {
                continue;
            }
            let badge = match presence.map(|p| (&p.subscription, p.line)) {
                Some((SubscriptionState::Pending, _)) => Some(Badge::Pending),
                Some((SubscriptionState::Refused { .. }, _)) => Some(Badge::Refused),
                Some((_, Some(LineState::InCall | LineState::Dialing))) => Some(Badge::InCall),
                Some((_, Some(LineState::Ringing))) => Some(Badge::Ringing),
                _ => None,
            };
            rows.push(Row::Contact(ContactRow {
                account: key.account.clone(),
                uri: key.uri.clone(),
                name: display_name(&entry.contact),
                group: entry.contact.group.clone(),
                note: presence.and_then(|p| p.note.clone()),
                availability,
                capabilities: presence.map(|p| p.capabilities).unwrap_or_default(),
                badge,
            }));
        }
        rows
    }
}

/// The name to show: the contact's name, else the address without `sip:`.
pub fn display_name(contact: &Contact) -> String {
    contact
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| display_address(&contact.uri))
        .to_string()
}

#[cfg(test)]
#[path = "contact_list_tests.rs"]
mod tests;
