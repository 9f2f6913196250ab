//! The X11 idle counter against a real X server: starts its own Xvfb on a
//! free display number (Xvfb's `-displayfd`), watches the idle time grow,
//! moves the pointer with xdotool (XTEST input, as a person's mouse) and
//! sees the idle time drop.
//! Needs the Debian packages `xvfb xdotool` (see `support::xvfb`).

mod support;

use std::thread::sleep;
use std::time::{Duration, Instant};

use hark::automatic::idle::{IdleProbe, IdleTracker};
use support::xvfb::{require, Xvfb};

#[test]
fn moving_the_mouse_resets_the_x11_idle_counter() {
    require("xdotool");
    let x = Xvfb::start("640x480x24");
    let probe = IdleProbe::open_x11(&x.display)
        .unwrap_or_else(|e| panic!("idle probe on Xvfb {}: {e}", x.display));
    let mut tracker = IdleTracker::new(Duration::from_secs(1));

    // No input: the idle time grows past one second.
    let deadline = Instant::now() + Duration::from_secs(10);
    let grown = loop {
        let idle = probe.idle_time().expect("idle time");
        if idle > Duration::from_millis(1_200) || Instant::now() > deadline {
            break idle;
        }
        sleep(Duration::from_millis(200));
    };
    assert!(grown > Duration::from_millis(1_200), "idle time {grown:?}");
    assert_eq!(tracker.update(grown), Some(true));

    x.xdotool(&["mousemove", "100", "200"]);
    let after = probe.idle_time().expect("idle time");
    assert!(
        after < Duration::from_millis(1_000) && after < grown,
        "idle time {after:?} after moving the mouse (was {grown:?})"
    );
    assert_eq!(tracker.update(after), Some(false));
}
