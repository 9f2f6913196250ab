//! How fast chat history search is over 1,000,000 stored messages (issue 4,
//! item 4: "a search over 1 M stored messages in under 20 ms").
//!
//! ```sh
//! CARGO_TARGET_DIR=/work/target-release cargo run --release --example history_search_bench [-- --messages 1000000 --runs 20]
//! ```
//!
//! Fills a database in a temporary folder (schema from `Store::open`, rows
//! written in batches of 50,000 through the same table and FTS triggers the
//! store uses) with messages of 3 to 24 words drawn from a Zipf-like mix of a
//! common English vocabulary and 20,000 rarer made-up words, spread over 200
//! chats, both directions, one a minute. Then times `Store::search` (20 hits)
//! across all chats and within one chat for words from very common to
//! absent, and `Store::history` (one page of 50), each the median (and max)
//! of `--runs` runs after one warm-up. `--keep DIR` leaves the database in
//! DIR (an empty one) for a look with `sqlite3`.

use std::time::{Duration, Instant};

use hark::store::Store;

const ACCOUNT: &str = "sip:me@example.com";
const PEERS: usize = 200;

const COMMON: &[&str] = &[
    "the", "to", "and", "a", "i", "you", "it", "is", "of", "that", "in", "we", "for", "on", "me",
    "be", "this", "have", "so", "not", "but", "just", "with", "can", "are", "at", "do", "was",
    "will", "ok", "yes", "no", "what", "if", "my", "get", "all", "there", "now", "out", "up",
    "think", "know", "about", "your", "good", "time", "see", "go", "like", "one", "call", "later",
    "tomorrow", "today", "meeting", "thanks", "lunch", "sure", "when", "how", "back", "need",
    "work", "home", "right", "let", "send", "file", "please", "sorry", "great", "morning",
    "tonight", "week", "done", "check", "look", "new", "still", "here", "soon", "maybe", "email",
    "project", "review", "build", "release", "server", "deploy", "coffee", "office", "train",
    "late", "minutes", "hour", "wait", "problem", "fixed", "test", "branch", "merge", "bug",
];

/// splitmix64: a small, fast, seeded generator (no extra dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Roughly Zipf: index `i` with probability ~ 1/(i+1), over `n`.
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        (((n as f64 + 1.0).powf(u)) - 1.0) as usize
    }
}

fn vocabulary(rng: &mut Rng) -> Vec<String> {
    const SYL: &[&str] = &[
        "ka", "lo", "mi", "ren", "to", "sa", "vel", "dor", "pri", "zu", "ban", "qui", "ter", "ol",
        "nex", "ar", "fi", "mon", "sul", "ex", "gra", "ph", "ine", "ux",
    ];
    let mut words: Vec<String> = COMMON.iter().map(|w| w.to_string()).collect();
    while words.len() < COMMON.len() + 20_000 {
        let n = 2 + rng.below(3);
        let w: String = (0..n).map(|_| SYL[rng.below(SYL.len())]).collect();
        words.push(w);
    }
    words
}

fn fill(path: &std::path::Path, n: usize) -> Duration {
    drop(Store::open(path).expect("create the store"));
    let mut rng = Rng(42);
    let words = vocabulary(&mut rng);
    let peers: Vec<String> = (0..PEERS)
        .map(|i| format!("sip:peer{i}@example.com"))
        .collect();
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    let start = Instant::now();
    let t0: i64 = 1_600_000_000_000;
    let mut done = 0;
    while done < n {
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO messages (account, peer, direction, sender, body, content_type,
                         sent_at, received_at, state, message_id, sip_call_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'text/plain;charset=UTF-8', ?6, ?7, ?8, ?9, ?10)",
                )
                .unwrap();
            let end = (done + 50_000).min(n);
            let mut body = String::new();
            for i in done..end {
                let peer = &peers[rng.zipf(PEERS).min(PEERS - 1)];
                body.clear();
                for k in 0..3 + rng.below(22) {
                    if k > 0 {
                        body.push(' ');
                    }
                    body.push_str(&words[rng.zipf(words.len()).min(words.len() - 1)]);
                }
                let at = t0 + i as i64 * 60_000;
                let mid = format!("msg-{i}");
                if rng.below(2) == 0 {
                    insert
                        .execute((
                            ACCOUNT,
                            peer,
                            "out",
                            ACCOUNT,
                            &body,
                            at,
                            None::<i64>,
                            "sent",
                            &mid,
                            None::<&str>,
                        ))
                        .unwrap();
                } else {
                    let call = format!("call-{i}");
                    insert
                        .execute((
                            ACCOUNT,
                            peer,
                            "in",
                            peer,
                            &body,
                            at,
                            Some(at + 40),
                            "received",
                            &mid,
                            Some(&call),
                        ))
                        .unwrap();
                }
            }
            done = end;
        }
        tx.commit().unwrap();
    }
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;")
        .unwrap();
    start.elapsed()
}

fn median_max(mut f: impl FnMut() -> usize, runs: usize) -> (f64, f64, usize) {
    let hits = f(); // warm-up
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[times.len() - 1], hits)
}

fn main() {
    let mut n = 1_000_000;
    let mut runs = 20;
    let mut keep: Option<std::path::PathBuf> = None;
    let args: Vec<String> = std::env::args().collect();
    for w in args.windows(2) {
        match w[0].as_str() {
            "--messages" => n = w[1].parse().expect("--messages N"),
            "--runs" => runs = w[1].parse().expect("--runs N"),
            "--keep" => keep = Some(w[1].clone().into()),
            _ => {}
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = match &keep {
        Some(p) => {
            std::fs::create_dir_all(p).unwrap();
            p.join("hark.db")
        }
        None => dir.path().join("hark.db"),
    };
    let fill_time = fill(&path, n);
    let size: u64 = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    println!(
        "filled {n} messages over {PEERS} chats in {:.1} s; database {:.0} MiB",
        fill_time.as_secs_f64(),
        size as f64 / (1 << 20) as f64
    );
    let store = Store::open(&path).unwrap();
    // peer0 is the busiest chat (Zipf), peer150 a quiet one.
    let busy = "sip:peer0@example.com";
    let quiet = "sip:peer150@example.com";
    let chat_size = |peer: &str| {
        store
            .history(ACCOUNT, peer, None, usize::MAX)
            .unwrap()
            .len()
    };
    println!(
        "chat sizes: {busy} {}, {quiet} {}",
        chat_size(busy),
        chat_size(quiet)
    );
    let queries = [
        "the",
        "meeting",
        "deploy",
        "coffee tomorrow",
        "lunch today office",
        "kalo",
        "\"NEAR\" -x* :",
        "absentword",
    ];
    println!("\n| query | scope | hits | median ms | max ms |");
    println!("|---|---|---|---|---|");
    for q in queries {
        for (scope, peer) in [
            ("all chats", None),
            ("busy chat", Some(busy)),
            ("quiet chat", Some(quiet)),
        ] {
            let (med, max, hits) =
                median_max(|| store.search(ACCOUNT, peer, q, 20).unwrap().len(), runs);
            println!("| `{q}` | {scope} | {hits} | {med:.2} | {max:.2} |");
        }
    }
    for (scope, peer) in [("busy chat", busy), ("quiet chat", quiet)] {
        let (med, max, hits) = median_max(
            || store.history(ACCOUNT, peer, None, 50).unwrap().len(),
            runs,
        );
        println!("| history page of 50 | {scope} | {hits} | {med:.2} | {max:.2} |");
    }
}
