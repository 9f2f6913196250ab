//! The engine's contact-list commands: `add_contact` and `remove_contact`
//! (kept in the store, mirrored to the server's XCAP list when there is
//! one), what the server's list says (`server_list`), and watching the
//! listed contacts' presence.

use super::*;

impl Engine {
    /// The account's contact list from the store (empty without one).
    pub(super) async fn contacts_of(&self, account: &str) -> Vec<Contact> {
        let Some(store) = self.store.clone() else {
            return vec![];
        };
        let account = account.to_string();
        let listed = crate::engine::with_store(&store, move |s| s.contacts(&account)).await;
        listed.unwrap_or_else(|e| {
            self.warn(format!("the contact list could not be read: {e}"));
            vec![]
        })
    }

    pub(super) fn watch(&self, account: &str, contacts: &[Contact]) {
        if let Some(a) = self.accounts.get(account) {
            let uris = contacts.iter().map(|c| c.uri.clone()).collect();
            let _ = a.ctl.send(AccountCtl::Presence(PresenceCtl::Watch(uris)));
        }
    }

    pub(super) async fn add_contact(
        &mut self,
        account: String,
        mut contact: Contact,
    ) -> Result<(), (ErrorKind, String)> {
        if !self.configs.contains_key(&account) {
            return Err(no_such_account(&account));
        }
        contact.uri =
            crate::config::AccountConfig::normalize_address(&contact.uri).map_err(|e| {
                (
                    ErrorKind::BadArgument,
                    format!("{:?} is not a SIP address: {}", contact.uri, e.describe()),
                )
            })?;
        contact.name = contact
            .name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        contact.group = contact
            .group
            .map(|g| g.trim().to_string())
            .filter(|g| !g.is_empty());
        let store = self.store.clone().ok_or_else(no_store)?;
        let (acc, c) = (account.clone(), contact.clone());
        let queue = self.list_sync.contains_key(&account);
        crate::engine::with_store(&store, move |store| {
            store.upsert_contact(&acc, &c)?;
            if queue {
                store.push_contact_edit(&acc, &ContactEdit::Set { contact: c })?;
            }
            Ok::<(), crate::store::StoreError>(())
        })
        .await
        .map_err(|e| {
            (
                ErrorKind::Failed,
                format!("the contact could not be saved: {e}"),
            )
        })?;
        self.nudge_sync(&account);
        self.contacts_changed(&account).await;
        Ok(())
    }

    pub(super) async fn remove_contact(
        &mut self,
        account: String,
        uri: String,
    ) -> Result<(), (ErrorKind, String)> {
        if !self.configs.contains_key(&account) {
            return Err(no_such_account(&account));
        }
        let store = self.store.clone().ok_or_else(no_store)?;
        let (acc, u) = (account.clone(), uri.clone());
        let queue = self.list_sync.contains_key(&account);
        let removed = crate::engine::with_store(&store, move |store| {
            let removed = store.remove_contact(&acc, &u)?;
            if removed && queue {
                store.push_contact_edit(&acc, &ContactEdit::Remove { uri: u })?;
            }
            Ok::<bool, crate::store::StoreError>(removed)
        })
        .await
        .map_err(|e| {
            (
                ErrorKind::Failed,
                format!("the contact could not be removed: {e}"),
            )
        })?;
        if !removed {
            return Err((
                ErrorKind::BadArgument,
                format!("{uri} is not on the list of {account}"),
            ));
        }
        self.nudge_sync(&account);
        self.contacts_changed(&account).await;
        Ok(())
    }

    /// The server's copy of a list arrived: it becomes the local one,
    /// unless edits made here meanwhile still wait to be written.
    pub(super) async fn server_list(&mut self, account: String, contacts: Vec<Contact>) {
        let Some(store) = self.store.clone() else {
            return;
        };
        let acc = account.clone();
        let replaced = crate::engine::with_store(&store, move |store| {
            if !store.contact_edits(&acc)?.is_empty() {
                return Ok(false);
            }
            store.replace_contacts(&acc, &contacts)?;
            Ok::<bool, crate::store::StoreError>(true)
        })
        .await;
        match replaced {
            Ok(true) => self.contacts_changed(&account).await,
            Ok(false) => {
                if let Some(sync) = self.list_sync.get(&account) {
                    let _ = sync.send(());
                }
            }
            Err(e) => self.warn(format!("the contact list could not be saved: {e}")),
        }
    }

    /// Tells the account's sync task that an edit was queued.
    pub(super) fn nudge_sync(&self, account: &str) {
        if let Some(sync) = self.list_sync.get(account) {
            let _ = sync.send(());
        }
    }

    pub(super) async fn contacts_changed(&mut self, account: &str) {
        let contacts = self.contacts_of(account).await;
        self.watch(account, &contacts);
        self.emit(Event::Contacts {
            account: account.to_string(),
            contacts,
        });
    }
}
