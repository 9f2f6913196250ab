//! The local copy of each account's contact list (P9): shown at once at
//! start, before the server's list arrives, and kept when the server is away.

use super::{Store, StoreError};
use crate::engine::Contact;

impl Store {
    /// The contacts of an account, by group then name then address.
    pub fn contacts(&self, account: &str) -> Result<Vec<Contact>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT uri, display_name, grp FROM contacts WHERE account = ?1
             ORDER BY grp IS NULL, grp, display_name IS NULL, display_name, uri",
        )?;
        let rows = stmt.query_map([account], |r| {
            Ok(Contact {
                uri: r.get(0)?,
                name: r.get(1)?,
                group: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds a contact, or updates its name and group.
    pub fn upsert_contact(&self, account: &str, contact: &Contact) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO contacts (account, uri, display_name, grp) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(account, uri) DO UPDATE SET display_name = excluded.display_name,
                 grp = excluded.grp",
            (account, &contact.uri, &contact.name, &contact.group),
        )?;
        Ok(())
    }

    /// Removes a contact; true when it was there.
    pub fn remove_contact(&self, account: &str, uri: &str) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "DELETE FROM contacts WHERE account = ?1 AND uri = ?2",
            (account, uri),
        )?;
        Ok(n > 0)
    }

    /// Replaces an account's whole list (after loading the server's copy).
    pub fn replace_contacts(
        &mut self,
        account: &str,
        contacts: &[Contact],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM contacts WHERE account = ?1", [account])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO contacts (account, uri, display_name, grp)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for c in contacts {
                insert.execute((account, &c.uri, &c.name, &c.group))?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(uri: &str, name: Option<&str>, group: Option<&str>) -> Contact {
        Contact {
            uri: uri.into(),
            name: name.map(Into::into),
            group: group.map(Into::into),
        }
    }

    #[test]
    fn contacts_are_added_updated_listed_and_removed_per_account() {
        let mut s = Store::in_memory().unwrap();
        let a = "sip:alice@x";
        s.upsert_contact(a, &contact("sip:bob@x", Some("Bob"), Some("Work")))
            .unwrap();
        s.upsert_contact(a, &contact("sip:carol@x", None, None))
            .unwrap();
        s.upsert_contact("sip:other@x", &contact("sip:zed@x", None, None))
            .unwrap();
        s.upsert_contact(a, &contact("sip:bob@x", Some("Robert"), Some("Work")))
            .unwrap();
        let list = s.contacts(a).unwrap();
        assert_eq!(
            list,
            vec![
                contact("sip:bob@x", Some("Robert"), Some("Work")),
                contact("sip:carol@x", None, None)
            ]
        );
        assert!(s.remove_contact(a, "sip:carol@x").unwrap());
        assert!(!s.remove_contact(a, "sip:carol@x").unwrap());
        s.replace_contacts(a, &[contact("sip:dave@x", None, Some("Friends"))])
            .unwrap();
        assert_eq!(s.contacts(a).unwrap().len(), 1);
        assert_eq!(s.contacts("sip:other@x").unwrap().len(), 1);
    }
}
