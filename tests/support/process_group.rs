//! Process groups of the servers the tests start (Kamailio runs under
//! `setsid`): signalling a whole group and waiting until no live process of
//! it is left, since children can outlive a killed parent and keep a port.

use std::io::ErrorKind;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `kill -SIG -- -PGID`, with bash's builtin if there is no kill binary.
pub fn signal_group(pgid: u32, sig: &str) {
    let target = format!("-{pgid}");
    let status = Command::new("kill")
        .args([format!("-{sig}").as_str(), "--", target.as_str()])
        .stderr(Stdio::null())
        .status();
    if let Err(e) = status {
        if e.kind() == ErrorKind::NotFound {
            let _ = Command::new("bash")
                .arg("-c")
                .arg(format!("kill -{sig} -- {target}"))
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// True while a live (not zombie) process of the group exists.  Read from
/// /proc rather than `kill -0`, which also counts zombies: a container whose
/// init does not reap orphans would keep them forever.
pub fn group_alive(pgid: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|e| {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            return false;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return false;
        };
        // "pid (comm) state ppid pgrp ...": comm may contain spaces and ')'.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            return false;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next().unwrap_or("Z");
        let pgrp = fields.nth(1).and_then(|f| f.parse::<u32>().ok());
        pgrp == Some(pgid) && state != "Z" && state != "X"
    })
}

pub fn wait_group_gone(pgid: u32, limit: Duration) {
    let deadline = Instant::now() + limit;
    while group_alive(pgid) {
        if Instant::now() > deadline {
            panic!("process group {pgid} still alive {limit:?} after SIGKILL");
        }
        signal_group(pgid, "KILL");
        std::thread::sleep(Duration::from_millis(20));
    }
}
