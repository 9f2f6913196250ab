//! The store's schema, as an append-only list of migrations. Never edit a
//! released migration: add a new one.

use rusqlite_migration::{Migrations, M};

/// Schema version after all migrations.
#[cfg(test)]
pub const LATEST: u32 = 4;

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
        // Chat history and the outgoing queue (M3, M5): one row per message
        // either way. `message_id` is ours for outgoing (IMDN, and what makes
        // a retry idempotent) and the peer's for incoming; the unique index
        // also serves IMDN look-ups by message_id. An incoming MESSAGE seen
        // twice (retransmission, forking) is also known by `sip_call_id`.
        // Search: an external-content FTS5 index over the body plus a `chat`
        // column holding one token, hex(account peer), so a search within one
        // chat is a doclist intersection rather than a look-up of every
        // match; triggers keep it in step.
        M::up(
            "CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL,
            peer TEXT NOT NULL,
            direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
            sender TEXT NOT NULL,
            body TEXT NOT NULL,
            content_type TEXT NOT NULL,
            sent_at INTEGER NOT NULL,
            received_at INTEGER,
            state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent',
                'stored', 'delivered', 'displayed', 'failed', 'received')),
            failure TEXT,
            message_id TEXT,
            sip_call_id TEXT,
            UNIQUE (message_id, account, direction, peer)
        );
        CREATE INDEX messages_chat ON messages (account, peer, sent_at);
        CREATE INDEX messages_pending ON messages (account, id)
            WHERE state IN ('queued', 'sending');
        CREATE UNIQUE INDEX messages_incoming_call ON messages (account, sip_call_id)
            WHERE direction = 'in' AND sip_call_id IS NOT NULL;
        CREATE VIEW messages_fts_content AS
            SELECT id, body, hex(account || ' ' || peer) AS chat
            FROM messages;
        CREATE VIRTUAL TABLE messages_fts USING fts5 (
            body, chat, content = 'messages_fts_content', content_rowid = 'id',
            tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
            INSERT INTO messages_fts (rowid, body, chat) VALUES (new.id, new.body,
                hex(new.account || ' ' || new.peer));
        END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, body, chat)
                VALUES ('delete', old.id, old.body,
                    hex(old.account || ' ' || old.peer));
        END;
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, account, peer ON messages
        BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, body, chat)
                VALUES ('delete', old.id, old.body,
                    hex(old.account || ' ' || old.peer));
            INSERT INTO messages_fts (rowid, body, chat) VALUES (new.id, new.body,
                hex(new.account || ' ' || new.peer));
        END;",
        ),
        // Call history (C7): one row per call, placed or received. Times in
        // ms since the epoch; `answered` and `ended` stay NULL until then.
        // `call_id` (the SIP Call-ID) makes recording idempotent; it is
        // unique per account and direction, because a call between two of
        // the user's own accounts (or to oneself) has one Call-ID on both
        // legs. Ids are never reused (AUTOINCREMENT), so an id the UI still
        // holds never names a later call after a delete. `seen` only means
        // something for missed calls (see `store::calls`); it is set on
        // every ended incoming call once the user has looked, so the
        // `calls_unseen` index stays small. The indexes serve the
        // newest-first list and its paging, the missed counter, and closing
        // the calls a crash left open.
        M::up(
            "CREATE TABLE calls (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            account TEXT NOT NULL,
            peer TEXT NOT NULL,
            peer_name TEXT,
            direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
            started INTEGER NOT NULL,
            answered INTEGER,
            ended INTEGER,
            end_reason TEXT CHECK (end_reason IN ('hangup', 'busy', 'declined',
                'no-answer', 'cancelled', 'failed', 'not-found', 'forwarded',
                'dnd', 'answered-elsewhere', 'interrupted')),
            seen INTEGER NOT NULL DEFAULT 0 CHECK (seen IN (0, 1)),
            call_id TEXT NOT NULL,
            UNIQUE (call_id, account, direction),
            CHECK ((ended IS NULL) = (end_reason IS NULL))
        );
        CREATE INDEX calls_newest ON calls (started, id);
        CREATE INDEX calls_unseen ON calls (account)
            WHERE direction = 'in' AND seen = 0;
        CREATE INDEX calls_open ON calls (id) WHERE ended IS NULL;",
        ),
    ])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
        assert_eq!(super::LATEST as usize, 4);
    }
}
