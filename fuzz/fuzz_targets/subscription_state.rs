//! `hark::sip::subscription::NotifyState::parse` (a Subscription-State
//! header value) and arbitrary input sequences for the sans-I/O
//! `SubscriptionMachine` and `PublicationMachine`: responses with any code,
//! Expires, Retry-After / Min-Expires hints and ETags, NOTIFYs whose
//! Subscription-State is a string from the input, Start/Stop/Reset, and
//! timeouts, at times that move forward by amounts from the input (up to
//! ~49 days a step, or straight to the machine's own timer). Only "never
//! panics" is asserted.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::Bytes;
use hark::sip::publication::{self, PublicationMachine, PublicationPolicy};
use hark::sip::subscription::{self, NotifyState, SubscriptionMachine, SubscriptionPolicy};
use libfuzzer_sys::fuzz_target;

/// Codes the machines treat specially, then any code.
fn code(bytes: &mut Bytes) -> u16 {
    const CODES: [u16; 24] = [
        0, 200, 202, 299, 401, 403, 404, 405, 407, 408, 412, 415, 423, 481, 484, 489, 500, 501,
        503, 603, 604, 100, 180, 302,
    ];
    let b = bytes.u8();
    if b < 200 {
        CODES[usize::from(b) % CODES.len()]
    } else {
        bytes.u16()
    }
}

fn step(bytes: &mut Bytes, now: &mut Instant) {
    let delta = match bytes.u8() % 4 {
        0 => 0,
        1 => u64::from(bytes.u8()),
        2 => u64::from(bytes.u16()),
        _ => u64::from(bytes.u32()),
    };
    *now += Duration::from_millis(delta);
}

fn policy_expires(bytes: &mut Bytes) -> u32 {
    match bytes.u8() % 4 {
        0 => 3600,
        1 => 0,
        2 => u32::MAX,
        _ => bytes.u32(),
    }
}

fuzz_target!(|data: &[u8]| {
    // Subscription-State header: the whole input, lossily.
    let _ = NotifyState::parse(&String::from_utf8_lossy(data));

    let mut bytes = Bytes::new(data);
    let start = Instant::now();
    let mut now = start;
    let mut sub = SubscriptionMachine::new(SubscriptionPolicy {
        requested_expires: policy_expires(&mut bytes),
        ..Default::default()
    });
    let mut publ = PublicationMachine::new(PublicationPolicy {
        requested_expires: policy_expires(&mut bytes),
        ..Default::default()
    });

    for _ in 0..64 {
        if bytes.is_empty() {
            break;
        }
        let op = bytes.u8();
        step(&mut bytes, &mut now);
        if op & 0x80 == 0 {
            let input = match op % 8 {
                0 => subscription::Input::Start,
                1 => subscription::Input::Stop,
                2 => subscription::Input::Reset,
                3 | 4 => subscription::Input::Response {
                    code: code(&mut bytes),
                    expires: bytes.opt_u32(),
                    hint_secs: bytes.opt_u32(),
                },
                5 | 6 => subscription::Input::Notify(NotifyState::parse(&bytes.string(48))),
                _ => {
                    // Fire the timer, when there is one, at or after its time.
                    if let Some(at) = sub.poll_timeout() {
                        now = now.max(at);
                    }
                    let _ = sub.handle_timeout(now);
                    continue;
                }
            };
            let _ = sub.handle_input(input, now);
            let _ = sub.state();
            let _ = sub.is_finished();
            let _ = sub.poll_timeout();
        } else {
            let input = match op % 8 {
                0 | 1 => publication::Input::Publish(bytes.string(16).into_bytes()),
                2 => publication::Input::Stop,
                3 => publication::Input::Reset,
                4 | 5 => publication::Input::Response {
                    code: code(&mut bytes),
                    etag: bytes.bool().then(|| bytes.string(8)),
                    expires: bytes.opt_u32(),
                    hint_secs: bytes.opt_u32(),
                },
                _ => {
                    if let Some(at) = publ.poll_timeout() {
                        now = now.max(at);
                    }
                    let _ = publ.handle_timeout(now);
                    continue;
                }
            };
            let _ = publ.handle_input(input, now);
            let _ = publ.state();
            let _ = publ.etag();
            let _ = publ.is_finished();
            let _ = publ.poll_timeout();
        }
    }
});
