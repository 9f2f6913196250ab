//! The test Kamailio's databases: the SQLite file (schemas, users, WAL)
//! and the db_text directory of rls and imc, and reading back what msilo
//! stored.

use std::time::Duration;

use super::*;

impl Kamailio {
    /// Adds (or replaces) a subscriber; takes effect at once, running or not.
    pub fn add_user(&self, user: &str, password: &str) {
        let db = self.open_db();
        db.execute(
            "INSERT OR REPLACE INTO subscriber (username, domain, password) VALUES (?1, ?2, ?3)",
            rusqlite::params![user, self.domain, password],
        )
        .expect("insert subscriber");
    }

    /// Removes a subscriber.
    pub fn remove_user(&self, user: &str) {
        let db = self.open_db();
        db.execute(
            "DELETE FROM subscriber WHERE username = ?1",
            rusqlite::params![user],
        )
        .expect("delete subscriber");
    }

    /// The messages msilo holds for `user` (with `msilo`), oldest first.
    pub fn stored_messages(&self, user: &str) -> Vec<StoredMessage> {
        let db = self.open_db();
        let mut stmt = db
            .prepare(
                "SELECT src_addr, dst_addr, ctype, body, inc_time, extra_hdrs FROM silo \
                 WHERE username = ?1 ORDER BY id",
            )
            .expect("query silo (is msilo's table there?)");
        let rows = stmt
            .query_map(rusqlite::params![user], |r| {
                Ok(StoredMessage {
                    from: r.get(0)?,
                    to: r.get(1)?,
                    content_type: r.get(2)?,
                    body: bytes(r.get_ref(3)?),
                    stored_at: r.get(4)?,
                    extra_headers: String::from_utf8_lossy(&bytes(r.get_ref(5)?)).into_owned(),
                })
            })
            .expect("read silo");
        rows.map(|r| r.expect("silo row")).collect()
    }

    /// How many messages msilo holds, for everyone (with `msilo`).
    pub fn stored_message_count(&self) -> usize {
        let db = self.open_db();
        db.query_row("SELECT count(*) FROM silo", [], |r| r.get::<_, i64>(0))
            .expect("count silo") as usize
    }

    pub(super) fn create_database(&self) {
        let db = self.open_db();
        // WAL (kept in the file): Kamailio's workers read (auth, XCAP) while
        // another writes (presence); in rollback mode such a read fails with
        // "database is locked" and the request gets a bogus 401.
        db.pragma_update(None, "journal_mode", "WAL")
            .expect("WAL mode for the kamailio database");
        for schema in SCHEMAS {
            let path = format!("{SCHEMA_DIR}/{schema}-create.sql");
            let sql = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!("cannot read {path} ({e}): apt-get install kamailio-sqlite-modules")
            });
            db.execute_batch(&sql)
                .unwrap_or_else(|e| panic!("loading {path}: {e}"));
        }
    }

    /// The db_text directory for rls and imc: the `version` table with the
    /// rows of their tables and the empty tables, from Debian's db_text files.
    pub(super) fn create_dbtext_dir(&self) {
        let mut tables: Vec<&str> = Vec::new();
        if self.opts.rls {
            tables.extend(RLS_DBTEXT_TABLES);
        }
        if self.opts.imc {
            tables.extend(IMC_DBTEXT_TABLES);
        }
        let dir = self.dbtext_dir();
        std::fs::create_dir_all(&dir).expect("create dbtext dir");
        let read = |name: &str| {
            let path = format!("{DBTEXT_SCHEMA_DIR}/{name}");
            std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {path} ({e}): apt-get install kamailio"))
        };
        let version = read("version");
        let mut lines = version.lines();
        let mut out = format!("{}\n", lines.next().expect("version header"));
        for line in lines {
            if tables.iter().any(|t| line.split(':').nth(1) == Some(t)) {
                out.push_str(line);
                out.push('\n');
            }
        }
        std::fs::write(dir.join("version"), out).expect("write dbtext version");
        for table in &tables {
            std::fs::write(dir.join(table), read(table)).expect("write dbtext table");
        }
    }

    pub(super) fn open_db(&self) -> rusqlite::Connection {
        let db = rusqlite::Connection::open(self.db_path()).expect("open kamailio database");
        db.busy_timeout(Duration::from_secs(5))
            .expect("busy_timeout");
        db
    }
}

/// A text or blob column's bytes (msilo writes blobs); empty for NULL.
fn bytes(v: rusqlite::types::ValueRef<'_>) -> Vec<u8> {
    match v {
        rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => b.to_vec(),
        rusqlite::types::ValueRef::Null => Vec::new(),
        other => format!("{other:?}").into_bytes(),
    }
}

/// A row of msilo's `silo` table: a MESSAGE waiting for its recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMessage {
    /// The From URI of the original MESSAGE (no display name, no tag).
    pub from: String,
    /// Its To URI.
    pub to: String,
    /// Its media type, without parameters ("text/plain").
    pub content_type: String,
    pub body: Vec<u8>,
    /// When it arrived, Unix seconds: the delivered MESSAGE's `Date:`.
    pub stored_at: i64,
    /// Headers Kamailio does not know (e.g. `X-...`), replayed on delivery.
    pub extra_headers: String,
}
