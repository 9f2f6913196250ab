//! The store's schema, as an append-only list of migrations. Never edit a
//! released migration: add a new one.

use rusqlite_migration::{Migrations, M};

/// Schema version after all migrations.
#[cfg(test)]
pub const LATEST: u32 = 2;

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(
            "CREATE TABLE own_status (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            availability TEXT NOT NULL,
            note TEXT,
            changed_at INTEGER NOT NULL
        );
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL,
            uri TEXT NOT NULL,
            display_name TEXT,
            grp TEXT,
            UNIQUE (account, uri)
        );",
        ),
        // Contact list changes not yet written to the XCAP server (P9).
        M::up(
            "CREATE TABLE contact_outbox (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL,
            edit TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );",
        ),
    ])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
        assert_eq!(super::LATEST as usize, 2);
    }
}
