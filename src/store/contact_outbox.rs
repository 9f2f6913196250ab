//! Contact list changes waiting to be written to the server's copy of the
//! list (XCAP resource-lists): kept on disk, in order, until written, so an
//! edit made while the server is away is never lost.

use super::{Store, StoreError};
use crate::engine::ContactEdit;

impl Store {
    /// Queues an edit; returns its id.
    pub fn push_contact_edit(&self, account: &str, edit: &ContactEdit) -> Result<i64, StoreError> {
        let json = serde_json::to_string(edit).expect("edits serialize");
        self.conn.execute(
            "INSERT INTO contact_outbox (account, edit, created_at)
             VALUES (?1, ?2, strftime('%s','now'))",
            (account, json),
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The queued edits of an account, oldest first. Rows that no longer
    /// read as an edit are dropped (and reported in the error list).
    pub fn contact_edits(&self, account: &str) -> Result<Vec<(i64, ContactEdit)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, edit FROM contact_outbox WHERE account = ?1 ORDER BY id")?;
        let rows = stmt.query_map([account], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut edits = Vec::new();
        for row in rows {
            let (id, json) = row?;
            match serde_json::from_str(&json) {
                Ok(edit) => edits.push((id, edit)),
                Err(e) => {
                    tracing::warn!("dropping an unreadable queued contact edit {id}: {e}");
                    self.remove_contact_edit(id)?;
                }
            }
        }
        Ok(edits)
    }

    /// Forgets an edit once written (or refused for good).
    pub fn remove_contact_edit(&self, id: i64) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM contact_outbox WHERE id = ?1", [id])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Contact;

    #[test]
    fn edits_survive_in_order_until_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hark.db");
        let s = Store::open(&path).unwrap();
        let add = ContactEdit::Set {
            contact: Contact {
                uri: "sip:bob@x".into(),
                name: Some("Bob".into()),
                group: None,
            },
        };
        let remove = ContactEdit::Remove {
            uri: "sip:carol@x".into(),
        };
        let a = s.push_contact_edit("sip:alice@x", &add).unwrap();
        s.push_contact_edit("sip:alice@x", &remove).unwrap();
        s.push_contact_edit("sip:other@x", &remove).unwrap();
        drop(s);
        let s = Store::open(&path).unwrap();
        let edits = s.contact_edits("sip:alice@x").unwrap();
        assert_eq!(
            edits.iter().map(|(_, e)| e.clone()).collect::<Vec<_>>(),
            vec![add, remove.clone()]
        );
        s.remove_contact_edit(a).unwrap();
        assert_eq!(s.contact_edits("sip:alice@x").unwrap().len(), 1);
        s.conn
            .execute("UPDATE contact_outbox SET edit = 'garbage'", [])
            .unwrap();
        assert!(s.contact_edits("sip:alice@x").unwrap().is_empty());
    }
}
