use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::*;
use crate::audio::device::Fallback;

/// A pretend sound system: named devices, each giving a constant sample
/// (or recording what is written), one of them the default.
#[derive(Default)]
struct World {
    devices: BTreeMap<String, i16>,
    default: Option<String>,
    /// Devices that are listed but fail to open.
    broken: Vec<String>,
    written: Vec<(String, i16)>,
}

type Shared = Arc<Mutex<World>>;

struct Fake {
    name: String,
    value: i16,
    lost: Arc<AtomicBool>,
    faults: VecDeque<DeviceFault>,
    world: Shared,
}

impl LiveDevice for Fake {
    fn name(&self) -> &str {
        &self.name
    }
    fn is_lost(&self) -> bool {
        self.lost.load(Ordering::Relaxed)
    }
}

impl AudioInput for Fake {
    fn read(&mut self, frame: &mut [i16]) {
        frame.fill(self.value);
    }
    fn take_fault(&mut self) -> Option<DeviceFault> {
        self.faults.pop_front()
    }
}

impl AudioOutput for Fake {
    fn write(&mut self, frame: &[i16]) {
        let mut w = self.world.lock().unwrap();
        w.written.push((self.name.clone(), frame[0]));
    }
    fn take_fault(&mut self) -> Option<DeviceFault> {
        self.faults.pop_front()
    }
}

/// Opens like `device::open_with`: the preferred device, else the default
/// with a fallback note, else an error. Every device opened shares `lost`.
fn opener(world: Shared, lost: Arc<AtomicBool>) -> Opener<Fake> {
    Arc::new(move |preferred: Option<&str>| {
        let w = world.lock().unwrap();
        let open = |name: &str| -> Result<Fake, DeviceError> {
            if w.broken.iter().any(|b| b == name) {
                return Err(DeviceError::Open {
                    direction: Direction::Input,
                    device: name.into(),
                    detail: "Device or resource busy".into(),
                });
            }
            Ok(Fake {
                name: name.into(),
                value: w.devices[name],
                lost: lost.clone(),
                faults: VecDeque::new(),
                world: world.clone(),
            })
        };
        let mut fallback = None;
        if let Some(p) = preferred {
            if w.devices.contains_key(p) {
                match open(p) {
                    Ok(device) => {
                        return Ok(Opened {
                            device,
                            fallback: None,
                        })
                    }
                    Err(e) => {
                        fallback = Some(Fallback {
                            wanted: p.into(),
                            reason: e.to_string(),
                        })
                    }
                }
            } else {
                fallback = Some(Fallback {
                    wanted: p.into(),
                    reason: "not found".into(),
                });
            }
        }
        let default = w
            .default
            .clone()
            .ok_or(DeviceError::NoDefault(Direction::Input))?;
        Ok(Opened {
            device: open(&default)?,
            fallback,
        })
    })
}

fn world(devices: &[(&str, i16)], default: Option<&str>) -> Shared {
    Arc::new(Mutex::new(World {
        devices: devices.iter().map(|&(n, v)| (n.to_string(), v)).collect(),
        default: default.map(str::to_string),
        ..World::default()
    }))
}

fn input(w: &Shared, preferred: Option<&str>) -> (Live<Fake>, Arc<AtomicBool>) {
    let lost = Arc::new(AtomicBool::new(false));
    let live = Live::with_opener(
        Direction::Input,
        preferred.map(str::to_string),
        opener(w.clone(), lost.clone()),
    );
    (live, lost)
}

/// Reads frames until the background open is done; returns the last one.
fn settle(live: &mut Live<Fake>) -> i16 {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut frame = [7i16; 4];
    loop {
        live.read(&mut frame);
        if !live.is_opening() {
            live.read(&mut frame);
            return frame[0];
        }
        assert!(Instant::now() < deadline, "the open never finished");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn faults(live: &mut Live<Fake>) -> Vec<String> {
    let mut out = vec![];
    while let Some(f) = AudioInput::take_fault(live) {
        out.push(format!("{}: {}", f.device, f.detail));
    }
    out
}

#[test]
fn opens_the_preferred_device_in_the_background() {
    let w = world(&[("Headset", 11), ("Built-in", 22)], Some("Built-in"));
    let (mut mic, _) = input(&w, Some("Headset"));
    assert_eq!(settle(&mut mic), 11);
    assert_eq!(mic.device_name(), Some("Headset"));
    assert!(faults(&mut mic).is_empty());
}

#[test]
fn a_missing_device_falls_back_to_the_default_and_says_so() {
    let w = world(&[("Built-in", 22)], Some("Built-in"));
    let (mut mic, _) = input(&w, Some("Headset"));
    assert_eq!(settle(&mut mic), 22);
    assert_eq!(
        faults(&mut mic),
        ["Headset: not found; using “Built-in” instead"]
    );
    // A device that is there but fails to open: the same, with its error.
    w.lock().unwrap().broken.push("Busy".into());
    w.lock().unwrap().devices.insert("Busy".into(), 33);
    let (mut mic, _) = input(&w, Some("Busy"));
    assert_eq!(settle(&mut mic), 22);
    assert_eq!(
        faults(&mut mic),
        ["Busy: the microphone “Busy” could not be opened: Device or resource busy; using “Built-in” instead"]
    );
}

#[test]
fn an_unplugged_device_is_replaced_by_the_default() {
    let w = world(&[("Headset", 11), ("Built-in", 22)], Some("Built-in"));
    let (mut mic, lost) = input(&w, Some("Headset"));
    assert_eq!(settle(&mut mic), 11);
    // Unplugged: the stream reports its error and is marked lost.
    w.lock().unwrap().devices.remove("Headset");
    if let Some(Fake { faults, .. }) = mic.current.as_mut() {
        faults.push_back(DeviceFault {
            device: "Headset".into(),
            detail: "The requested audio device is not available.".into(),
        });
    }
    lost.store(true, Ordering::Relaxed);
    let mut frame = [9i16; 4];
    mic.read(&mut frame);
    assert_eq!(frame, [0; 4], "silence while the default opens");
    lost.store(false, Ordering::Relaxed);
    assert_eq!(settle(&mut mic), 22);
    assert_eq!(
        faults(&mut mic),
        [
            "Headset: The requested audio device is not available.",
            "Headset: not found; using “Built-in” instead"
        ]
    );
}

#[test]
fn with_no_device_at_all_the_call_is_silent_and_retries() {
    let w = world(&[], None);
    let (mut mic, _) = input(&w, None);
    assert_eq!(settle(&mut mic), 0);
    assert_eq!(mic.device_name(), None);
    assert_eq!(
        faults(&mut mic),
        ["default microphone: there is no default microphone; the call goes on without a microphone"]
    );
    // Retries that fail the same way are not reported again.
    let mut frame = [0i16; 4];
    for _ in 0..RETRY_FRAMES + 5 {
        mic.read(&mut frame);
    }
    settle(&mut mic);
    assert!(faults(&mut mic).is_empty());
    // A device appears; within RETRY_FRAMES frames it is picked up.
    {
        let mut w = w.lock().unwrap();
        w.devices.insert("USB".into(), 44);
        w.default = Some("USB".into());
    }
    for _ in 0..RETRY_FRAMES {
        mic.read(&mut frame);
    }
    assert_eq!(settle(&mut mic), 44);
    assert!(faults(&mut mic).is_empty());
}

#[test]
fn switching_mid_call_keeps_the_old_device_until_the_new_one_is_open() {
    let w = world(&[("Headset", 11), ("Built-in", 22)], Some("Built-in"));
    let (mut mic, _) = input(&w, None);
    assert_eq!(settle(&mut mic), 22);
    // Hold the world so the open cannot finish yet.
    let guard = w.lock().unwrap();
    mic.switch(Some("Headset".into()));
    let mut frame = [0i16; 4];
    for _ in 0..5 {
        mic.read(&mut frame);
        assert_eq!(frame, [22; 4]);
    }
    drop(guard);
    assert_eq!(settle(&mut mic), 11);
    // A switch to a device that fails stays where it is and says so.
    w.lock().unwrap().default = None;
    mic.switch(Some("Gone".into()));
    assert_eq!(settle(&mut mic), 11);
    assert_eq!(
        faults(&mut mic),
        ["Gone: there is no default microphone; staying on “Headset”"]
    );
}

#[test]
fn output_writes_go_to_the_device_in_use() {
    let w = world(&[("Speakers", 0), ("Headset", 0)], Some("Speakers"));
    let lost = Arc::new(AtomicBool::new(false));
    let mut out = Live::with_opener(Direction::Output, None, opener(w.clone(), lost));
    let deadline = Instant::now() + Duration::from_secs(5);
    while out.device().is_none() {
        out.write(&[1; 4]);
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(1));
    }
    out.write(&[2; 4]);
    out.switch(Some("Headset".into()));
    while out.is_opening() || out.device_name() != Some("Headset") {
        out.write(&[3; 4]);
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(1));
    }
    out.write(&[4; 4]);
    let written = w.lock().unwrap().written.clone();
    assert!(written.contains(&("Speakers".into(), 2)));
    assert_eq!(written.last(), Some(&("Headset".into(), 4)));
    assert!(!written.iter().any(|(n, v)| n == "Speakers" && *v == 4));
}
