//! Keeps an account's contact list in step with the server's copy, an XCAP
//! resource-lists document (SPEC P9), so every device of the user shows the
//! same list. Local changes are queued on disk first (the window shows them
//! at once), written to the server in order with conditional PUTs (a change
//! another device made meanwhile is kept), and only then is the server's list
//! read back and made the local one. A server that cannot be reached is
//! tried again later; nothing queued is dropped except a change the server
//! refuses for good, which the user is told about.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{broadcast, mpsc};

use super::api::{Contact, ContactEdit, Event};
use super::presence_rules::XcapAccount;
use crate::presence::resource_lists::{
    self, apply_edit, List, ListEdit, ListItem, ResourceLists, RlsServices, Service,
    RESOURCE_LISTS_MIME, RLS_SERVICES_MIME,
};
use crate::presence::xcap::{
    resource_list_reference, Auid, ConditionalWrite, WriteFailure, WriteStep, XcapFailure,
};
use crate::store::Store;

/// The list Hark keeps its contacts in; groups are lists inside it.
pub(crate) const ROOT_LIST: &str = "buddies";
/// PUTs per edit when the document keeps changing under us (412).
const CONFLICT_ATTEMPTS: u32 = 4;
const MIN_RETRY: Duration = Duration::from_secs(2);
const MAX_RETRY: Duration = Duration::from_secs(60);

/// What the sync tells the engine.
#[derive(Debug)]
pub(crate) enum SyncEvent {
    /// The server's list, for the engine to make the local one.
    List(String, Vec<Contact>),
    /// The server serves the account's list at this URI (RFC 4662).
    ListService { account: String, uri: String },
}

/// Starts the sync task of one account; send `()` on the returned channel
/// whenever an edit was queued. It syncs once at start.
pub(crate) fn spawn(
    account: String,
    xcap: Arc<XcapAccount>,
    store: Arc<Mutex<Store>>,
    lists: mpsc::UnboundedSender<SyncEvent>,
    events: broadcast::Sender<Event>,
) -> mpsc::UnboundedSender<()> {
    let (tx, rx) = mpsc::unbounded_channel();
    let _ = tx.send(());
    let sync = ListSync {
        account,
        xcap,
        store,
        lists,
        events,
    };
    tokio::spawn(sync.run(rx));
    tx
}

struct ListSync {
    account: String,
    xcap: Arc<XcapAccount>,
    store: Arc<Mutex<Store>>,
    lists: mpsc::UnboundedSender<SyncEvent>,
    events: broadcast::Sender<Event>,
}

impl ListSync {
    async fn run(self, mut nudges: mpsc::UnboundedReceiver<()>) {
        let mut retry: Option<Duration> = None;
        let mut service_written = false;
        loop {
            match retry {
                None => {
                    if nudges.recv().await.is_none() {
                        return;
                    }
                }
                Some(delay) => {
                    tokio::select! {
                        n = nudges.recv() => if n.is_none() { return },
                        _ = tokio::time::sleep(delay) => {}
                    }
                }
            }
            while nudges.try_recv().is_ok() {}
            match self.sync_once().await {
                Ok(()) => {
                    retry = None;
                    if !service_written {
                        match self.offer_list_service().await {
                            Ok(()) => service_written = true,
                            Err(why) => {
                                tracing::info!(account = %self.account, "list service not offered yet: {why}");
                                retry = Some(MIN_RETRY);
                            }
                        }
                    }
                }
                Err(why) => {
                    let delay = retry.map_or(MIN_RETRY, |d| (d * 2).min(MAX_RETRY));
                    if retry.is_none() {
                        self.warn(format!(
                            "the contact list of {} could not be synchronised with the server ({why}); \
                             changes are kept here and sent when it answers",
                            self.account
                        ));
                    }
                    tracing::info!(account = %self.account, "contact list sync failed: {why}; again in {delay:?}");
                    retry = Some(delay);
                }
            }
        }
    }

    fn warn(&self, message: String) {
        tracing::warn!("{message}");
        let _ = self.events.send(Event::Warning { message });
    }

    fn url(&self) -> String {
        self.xcap
            .root
            .user_document_url(Auid::ResourceLists, &self.xcap.xui)
    }

    async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> T + Send + 'static,
    ) -> T {
        super::with_store(&self.store, f).await
    }

    /// Writes the queued edits, then reads the server's list. Err: worth
    /// trying again later.
    async fn sync_once(&self) -> Result<(), String> {
        let account = self.account.clone();
        let queued = self
            .with_store(move |s| s.contact_edits(&account))
            .await
            .map_err(|e| e.to_string())?;
        for (id, edit) in queued {
            let to_apply = edit.clone();
            let mut write = ConditionalWrite::new(
                self.url(),
                RESOURCE_LISTS_MIME,
                move |current: Option<&[u8]>| apply(current, &to_apply),
                CONFLICT_ATTEMPTS,
            );
            match self.xcap.client.write(&mut write, None).await {
                Ok(WriteStep::Done { .. }) => {}
                Ok(WriteStep::Failed(WriteFailure::Xcap(XcapFailure::Server(code)))) => {
                    return Err(format!("the XCAP server failed (error {code})"));
                }
                Ok(WriteStep::Failed(WriteFailure::TooManyConflicts { .. })) => {
                    return Err("the list kept changing on the server".into());
                }
                // Refused credentials may be a server fault (its database
                // busy) as much as a wrong password: keep the edit, retry.
                Ok(WriteStep::Failed(WriteFailure::Xcap(
                    f @ (XcapFailure::Unauthorized | XcapFailure::Forbidden),
                ))) => return Err(f.user_message()),
                Ok(WriteStep::Failed(failure)) => {
                    // Refused (409 with its reason, an unreadable document
                    // on the server): the edit stays queued, so the contact
                    // stays on this computer, and is tried again later.
                    let why = match failure {
                        WriteFailure::Xcap(f) => f.user_message(),
                        WriteFailure::Edit(why) => why,
                        other => format!("{other:?}"),
                    };
                    return Err(format!(
                        "{} was refused by the server: {why}",
                        describe(&edit)
                    ));
                }
                Ok(_) => return Err("unexpected XCAP state".into()),
                Err(e) => return Err(e.to_string()),
            }
            self.with_store(move |s| s.remove_contact_edit(id))
                .await
                .map_err(|e| e.to_string())?;
        }
        self.read_server_list().await
    }

    /// Describes the list as a resource list service (rls-services, RFC
    /// 4826 §4) so one SUBSCRIBE covers it; tells the engine its URI. A
    /// server without the service just gets per-contact subscriptions.
    /// Err: a passing failure, worth another try.
    async fn offer_list_service(&self) -> Result<(), String> {
        let Some(uri) = list_service_uri(&self.xcap.xui) else {
            return Ok(());
        };
        let full = resource_list_reference(&self.xcap.root, &self.xcap.xui, ROOT_LIST);
        // A path, not a URL: Kamailio resolves only its own host's lists.
        let reference = reqwest::Url::parse(&full)
            .map(|u| match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_string(),
            })
            .unwrap_or(full);
        let service_uri = uri.clone();
        let edit = move |current: Option<&[u8]>| -> Result<String, String> {
            let mut doc = match current {
                Some(bytes) => resource_lists::parse_rls_services(bytes)
                    .map_err(|e| format!("the server's rls-services cannot be read: {e}"))?,
                None => RlsServices::default(),
            };
            doc.upsert(Service::presence_list(&service_uri, &reference));
            Ok(resource_lists::build_rls_services(&doc))
        };
        let url = self
            .xcap
            .root
            .user_document_url(Auid::RlsServices, &self.xcap.xui);
        let mut write = ConditionalWrite::new(url, RLS_SERVICES_MIME, edit, CONFLICT_ATTEMPTS);
        match self.xcap.client.write(&mut write, None).await {
            Ok(WriteStep::Done { .. }) => {
                let _ = self.lists.send(SyncEvent::ListService {
                    account: self.account.clone(),
                    uri,
                });
                Ok(())
            }
            Ok(WriteStep::Failed(WriteFailure::Xcap(XcapFailure::Server(code)))) => {
                Err(format!("the XCAP server failed (error {code})"))
            }
            Ok(WriteStep::Failed(WriteFailure::TooManyConflicts { .. })) => {
                Err("rls-services kept changing".into())
            }
            Err(e) => Err(e.to_string()),
            other => {
                tracing::info!(account = %self.account, "no resource list service: {other:?}");
                Ok(())
            }
        }
    }

    async fn read_server_list(&self) -> Result<(), String> {
        let reply = self
            .xcap
            .client
            .get(&self.url())
            .await
            .map_err(|e| e.to_string())?;
        match reply.status {
            200 => {
                let doc = resource_lists::parse(&reply.body)
                    .map_err(|e| format!("the server's contact list cannot be read: {e}"))?;
                let _ = self
                    .lists
                    .send(SyncEvent::List(self.account.clone(), contacts_of(&doc)));
                Ok(())
            }
            404 => {
                // Nothing on the server yet: this device's list becomes it.
                let account = self.account.clone();
                let local = self
                    .with_store(move |s| s.contacts(&account))
                    .await
                    .map_err(|e| e.to_string())?;
                let body = resource_lists::build(&document_of(&local));
                let put = self
                    .xcap
                    .client
                    .put(&self.url(), RESOURCE_LISTS_MIME, body, None, true)
                    .await
                    .map_err(|e| e.to_string())?;
                match put.status {
                    200..=299 => Ok(()),
                    // Another device created it meanwhile: read that one.
                    412 => Err("the list was created meanwhile by another device".into()),
                    code => Err(format!("the XCAP server answered {code}")),
                }
            }
            code if code >= 500 => Err(format!("the XCAP server failed (error {code})")),
            code => {
                let message = crate::presence::xcap::failure_for(code, &reply.body)
                    .map(|f| f.user_message())
                    .unwrap_or_else(|| format!("answer {code}"));
                self.warn(format!(
                    "the contact list of {} cannot be read from the server: {message}",
                    self.account
                ));
                Ok(())
            }
        }
    }
}

fn describe(edit: &ContactEdit) -> String {
    match edit {
        ContactEdit::Set { contact } => format!("the change to {}", contact.uri),
        ContactEdit::Remove { uri } => format!("the removal of {uri}"),
    }
}

/// The URI of the user's list service: `sip:alice-buddies@example.com`.
pub(crate) fn list_service_uri(aor: &str) -> Option<String> {
    let rest = aor.strip_prefix("sip:")?;
    let (user, domain) = rest.split_once('@')?;
    Some(format!("sip:{user}-{ROOT_LIST}@{domain}"))
}

/// The group list an entry goes in: the root list for no group.
fn group_list(group: &Option<String>) -> String {
    group.clone().unwrap_or_else(|| ROOT_LIST.to_string())
}

/// Applies one queued edit to the server's document (None: none yet).
pub(crate) fn apply(current: Option<&[u8]>, edit: &ContactEdit) -> Result<String, String> {
    let mut doc = match current {
        Some(bytes) => resource_lists::parse(bytes).map_err(|e| {
            format!("the server's contact list cannot be read ({e}); it was left as it is")
        })?,
        None => ResourceLists::default(),
    };
    match edit {
        ContactEdit::Set { contact } => {
            let target = group_list(&contact.group);
            let now_in: Vec<String> = doc
                .groups_of(&contact.uri)
                .into_iter()
                .map(str::to_owned)
                .collect();
            let mut edits = Vec::new();
            match now_in.first() {
                None => edits.push(ListEdit::AddContact {
                    group: target,
                    uri: contact.uri.clone(),
                    display_name: contact.name.clone(),
                }),
                Some(from) => {
                    if *from != target {
                        edits.push(ListEdit::MoveContact {
                            uri: contact.uri.clone(),
                            from: from.clone(),
                            to: target,
                        });
                    }
                    edits.push(ListEdit::RenameContact {
                        uri: contact.uri.clone(),
                        display_name: contact.name.clone(),
                    });
                }
            }
            for e in edits {
                doc = apply_edit(&doc, ROOT_LIST, &e).map_err(|e| e.to_string())?;
            }
        }
        ContactEdit::Remove { uri } => {
            if !doc.groups_of(uri).is_empty() {
                doc = apply_edit(
                    &doc,
                    ROOT_LIST,
                    &ListEdit::RemoveContact {
                        uri: uri.clone(),
                        group: None,
                    },
                )
                .map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(resource_lists::build(&doc))
}

/// The contacts in a resource-lists document: entries of Hark's root list
/// have no group; those of a list inside it (or of another top-level list)
/// take that list's display name, else its name. An address listed twice
/// counts once.
pub(crate) fn contacts_of(doc: &ResourceLists) -> Vec<Contact> {
    fn label(list: &List) -> Option<String> {
        list.display_name
            .as_ref()
            .map(|d| d.text.clone())
            .filter(|t| !t.trim().is_empty())
            .or_else(|| list.name.clone())
    }
    fn walk(list: &List, group: Option<String>, out: &mut Vec<Contact>) {
        for item in &list.items {
            match item {
                ListItem::Entry(e) if !out.iter().any(|c| c.uri == e.uri) => out.push(Contact {
                    uri: e.uri.clone(),
                    name: e.display_name.as_ref().map(|d| d.text.clone()),
                    group: group.clone(),
                }),
                ListItem::List(sub) => walk(sub, group.clone().or_else(|| label(sub)), out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for list in &doc.lists {
        let group = if list.name.as_deref() == Some(ROOT_LIST) {
            None
        } else {
            label(list)
        };
        walk(list, group, &mut out);
    }
    out
}

/// A resource-lists document holding `contacts` the way Hark lays it out.
pub(crate) fn document_of(contacts: &[Contact]) -> ResourceLists {
    let mut doc = ResourceLists::default();
    for c in contacts {
        let edit = ListEdit::AddContact {
            group: group_list(&c.group),
            uri: c.uri.clone(),
            display_name: c.name.clone(),
        };
        if let Ok(next) = apply_edit(&doc, ROOT_LIST, &edit) {
            doc = next;
        }
    }
    doc
}

#[cfg(test)]
#[path = "contact_sync_tests.rs"]
mod tests;
