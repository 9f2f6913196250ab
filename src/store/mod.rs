//! Hark's local SQLite store: opened at start in WAL mode, schema brought up
//! to date by numbered migrations. It keeps the user's own status across
//! restarts (P4), the contact outbox, chat history and the message queue
//! (`messages`) and the call history (`calls`).

pub mod calls;
mod contact_outbox;
mod contacts;
pub mod messages;
mod migrations;

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use crate::engine::Availability;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("cannot update the database schema: {0}")]
    Migrate(#[from] rusqlite_migration::Error),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cannot create the folder for the database: {0}")]
    Io(#[from] std::io::Error),
}

/// An open store. Not `Sync`: the engine keeps it on one blocking thread.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Self::setup(conn)
    }

    /// A throw-away store in memory, for tests.
    pub fn in_memory() -> Result<Store, StoreError> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store, StoreError> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations::migrations().to_latest(&mut conn)?;
        let store = Store { conn };
        store.close_interrupted_calls()?;
        Ok(store)
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// The journal mode in force (`wal` once opened from a file).
    pub fn journal_mode(&self) -> Result<String, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))?)
    }

    /// The user's own manual status, if one was ever set.
    pub fn own_status(&self) -> Result<Option<(Availability, Option<String>)>, StoreError> {
        let row: Option<(String, Option<String>)> = self
            .conn
            .query_row(
                "SELECT availability, note FROM own_status WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(a, note)| Availability::parse(&a).map(|a| (a, note))))
    }

    /// Keeps the user's own manual status.
    pub fn set_own_status(
        &self,
        availability: Availability,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO own_status (id, availability, note, changed_at)
             VALUES (1, ?1, ?2, strftime('%s','now'))
             ON CONFLICT(id) DO UPDATE SET availability = excluded.availability,
                 note = excluded.note, changed_at = excluded.changed_at",
            (availability.as_str(), note),
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_in_wal_and_migrates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/hark.db");
        let s = Store::open(&path).unwrap();
        assert_eq!(s.journal_mode().unwrap(), "wal");
        assert_eq!(s.schema_version().unwrap(), migrations::LATEST);
        drop(s);
        // Opening again is a no-op migration.
        let s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), migrations::LATEST);
    }

    #[test]
    fn own_status_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hark.db");
        let s = Store::open(&path).unwrap();
        assert_eq!(s.own_status().unwrap(), None);
        s.set_own_status(Availability::Busy, Some("in a meeting"))
            .unwrap();
        drop(s);
        let s = Store::open(&path).unwrap();
        assert_eq!(
            s.own_status().unwrap(),
            Some((Availability::Busy, Some("in a meeting".to_string())))
        );
    }

    #[test]
    fn a_file_that_is_not_a_database_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hark.db");
        std::fs::write(&path, b"this is not sqlite, just some text padded out to be long enough to look like a header........").unwrap();
        let err = Store::open(&path).err().expect("must fail");
        let msg = err.to_string();
        assert!(msg.contains("database"), "{msg}");
        // The file is left as it was: nothing is lost.
        assert!(std::fs::read(&path)
            .unwrap()
            .starts_with(b"this is not sqlite"));
    }
}
