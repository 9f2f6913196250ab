//! Helpers shared by the integration tests: `mod support;` in a test file.
//!
//! Each helper lives in its own module; keep this file to the module list and
//! the few functions every module needs.
#![allow(dead_code)]

pub mod baresip_call;
pub mod hark;
pub mod hark_call;
pub mod hark_chat;
pub mod hark_presence;
pub mod kamailio;
pub mod linphonec;
pub mod peers;
pub mod process_group;
pub mod pulse;
pub mod sipp;
pub mod sox;
pub mod window;
pub mod xvfb;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::{TcpListener, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};

/// A port on 127.0.0.1 that is free for both UDP and TCP right now.
///
/// Chosen at random below the kernel's ephemeral range, so that the ports
/// the system hands out to clients (`bind(0)`) in parallel tests do not
/// take it before the server binds it.  There is still a window between
/// this check and the real bind: servers started on it should retry with a
/// new port if the bind fails (the Kamailio harness does).
pub fn free_port() -> u16 {
    let (low, high) = below_ephemeral_range();
    for _ in 0..1000 {
        let port = low + (random_u64() % u64::from(high - low)) as u16;
        if port_is_free(port) {
            return port;
        }
    }
    // Fall back on the kernel's choice.
    for _ in 0..100 {
        let port = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("bind 127.0.0.1:0");
        if port_is_free(port) {
            return port;
        }
    }
    panic!("no free port on 127.0.0.1");
}

/// True when 127.0.0.1:`port` can be bound for both UDP and TCP.
pub fn port_is_free(port: u16) -> bool {
    let tcp = TcpListener::bind(("127.0.0.1", port));
    let udp = UdpSocket::bind(("127.0.0.1", port));
    tcp.is_ok() && udp.is_ok()
}

/// A random number (no `rand` dependency: std's randomly keyed hasher).
pub fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    h.finish()
}

/// Ports to choose test servers from: [low, high) below the ephemeral range.
fn below_ephemeral_range() -> (u16, u16) {
    let low_ephemeral = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    if low_ephemeral > 12000 {
        (10000, low_ephemeral)
    } else {
        (40000, 60000)
    }
}
