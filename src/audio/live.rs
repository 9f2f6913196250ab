//! A call's microphone and speaker as they live through the call: the
//! chosen device, switched mid-call on request, replaced by the system
//! default when it is unplugged, and silence (with a message) while
//! nothing can be opened, retried every few seconds.
//!
//! [`Live`] never blocks the media task: opening a device happens on a
//! short-lived thread, and the old device is closed on one too (closing a
//! cpal stream joins its thread). Until the new device is ready the old
//! one goes on playing, or silence stands in. Everything the user should
//! know comes out of `take_fault` as a [`DeviceFault`]: cpal's errors from
//! the device, "not found; using X instead", "could not open ...; the call
//! goes on without a microphone".
//!
//! ```no_run
//! use hark::audio::live::LiveInput;
//! use hark::audio::{AudioInput, FRAME};
//!
//! let mut mic = LiveInput::new(Some("hw:CARD=Headset,DEV=0".into()));
//! let mut frame = [0i16; FRAME];
//! mic.read(&mut frame); // silence until the device is open
//! // The user picks another microphone in the call window:
//! mic.switch(Some("pulse".into()));
//! // Every 10 ms the media task reads on and shows what comes out of:
//! while let Some(fault) = mic.take_fault() {
//!     eprintln!("{}: {}", fault.device, fault.detail);
//! }
//! ```

use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::Arc;

use super::device::{
    clause, open_input, open_output, DeviceError, DeviceInput, DeviceOutput, Direction, Opened,
};
use super::{AudioInput, AudioOutput, DeviceFault};

/// Frames (10 ms each) between attempts to open a device while none is.
pub const RETRY_FRAMES: u32 = 300;

/// What [`Live`] needs of a device besides reading or writing.
pub trait LiveDevice: Send + 'static {
    /// The device's name as the system gives it.
    fn name(&self) -> &str;
    /// The device is gone; a new one must be opened.
    fn is_lost(&self) -> bool;
}

impl LiveDevice for DeviceInput {
    fn name(&self) -> &str {
        DeviceInput::name(self)
    }
    fn is_lost(&self) -> bool {
        DeviceInput::is_lost(self)
    }
}

impl LiveDevice for DeviceOutput {
    fn name(&self) -> &str {
        DeviceOutput::name(self)
    }
    fn is_lost(&self) -> bool {
        DeviceOutput::is_lost(self)
    }
}

/// Opens a device by preference (see [`open_input`]).
pub type Opener<D> = Arc<dyn Fn(Option<&str>) -> Result<Opened<D>, DeviceError> + Send + Sync>;

type Pending<D> = Receiver<Result<Opened<D>, DeviceError>>;

/// A device that survives unplugging and can be switched (see the module
/// documentation). [`LiveInput`] and [`LiveOutput`] are the real ones.
pub struct Live<D> {
    direction: Direction,
    preferred: Option<String>,
    opener: Opener<D>,
    current: Option<D>,
    pending: Option<Pending<D>>,
    notices: VecDeque<DeviceFault>,
    /// The last failure to open reported (not repeated on each retry).
    last_failure: Option<DeviceFault>,
    retry_in: u32,
}

/// The call's microphone.
pub type LiveInput = Live<DeviceInput>;
/// The call's speaker, or the ringer's device.
pub type LiveOutput = Live<DeviceOutput>;

impl LiveInput {
    /// Starts opening `preferred` (an id or name from
    /// [`list_devices`](super::device::list_devices); `None`: the default).
    pub fn new(preferred: Option<String>) -> Self {
        Live::with_opener(Direction::Input, preferred, Arc::new(open_input))
    }
}

impl LiveOutput {
    /// Starts opening `preferred` (`None`: the default).
    pub fn new(preferred: Option<String>) -> Self {
        Live::with_opener(Direction::Output, preferred, Arc::new(open_output))
    }
}

impl<D: LiveDevice> Live<D> {
    /// A live device opened by `opener` (tests give a fake one).
    pub fn with_opener(direction: Direction, preferred: Option<String>, opener: Opener<D>) -> Self {
        let mut live = Live {
            direction,
            preferred,
            opener,
            current: None,
            pending: None,
            notices: VecDeque::new(),
            last_failure: None,
            retry_in: 0,
        };
        live.start_open();
        live
    }

    /// Switches to `preferred` (`None`: the default). The current device
    /// goes on until the new one is open; if it cannot be, the current one
    /// stays and a fault says why.
    pub fn switch(&mut self, preferred: Option<String>) {
        self.preferred = preferred;
        self.start_open();
    }

    /// The device in use, if any.
    pub fn device(&self) -> Option<&D> {
        self.current.as_ref()
    }

    /// The name of the device in use (`None`: silent for now).
    pub fn device_name(&self) -> Option<&str> {
        self.current.as_ref().map(|d| d.name())
    }

    /// A device is being opened in the background.
    pub fn is_opening(&self) -> bool {
        self.pending.is_some()
    }

    fn start_open(&mut self) {
        let (tx, rx) = mpsc::channel();
        let opener = self.opener.clone();
        let preferred = self.preferred.clone();
        // Should no thread be had, the job is dropped with its sender and
        // the next tick reports the failure and retries later.
        let _ = std::thread::Builder::new()
            .name("hark-audio-open".into())
            .spawn(move || {
                let _ = tx.send(opener(preferred.as_deref()));
            });
        self.pending = Some(rx);
    }

    fn wanted(&self) -> String {
        self.preferred
            .clone()
            .unwrap_or_else(|| format!("default {}", self.direction))
    }

    /// Closes `old` on a thread of its own (closing joins cpal's thread);
    /// should no thread be had, it is closed here.
    fn retire(old: D) {
        let _ = std::thread::Builder::new()
            .name("hark-audio-close".into())
            .spawn(move || drop(old));
    }

    /// Once per frame: takes a device that finished opening, notices a
    /// lost one, retries while silent.
    fn tick(&mut self, mut drain_faults: impl FnMut(&mut D) -> Option<DeviceFault>) {
        if let Some(rx) = &self.pending {
            match rx.try_recv() {
                Err(TryRecvError::Empty) => {}
                Ok(Ok(opened)) => {
                    self.pending = None;
                    self.last_failure = None;
                    let name = opened.device.name().to_string();
                    if let Some(f) = opened.fallback_fault(&name) {
                        self.notices.push_back(f);
                    }
                    if let Some(old) = self.current.replace(opened.device) {
                        Self::retire(old);
                    }
                }
                Ok(Err(e)) => {
                    self.pending = None;
                    self.failed(e.to_string());
                }
                Err(TryRecvError::Disconnected) => {
                    self.pending = None;
                    self.failed("the device could not be opened".into());
                }
            }
        }
        if self.current.as_ref().is_some_and(|d| d.is_lost()) {
            if let Some(mut old) = self.current.take() {
                while let Some(f) = drain_faults(&mut old) {
                    self.notices.push_back(f);
                }
                Self::retire(old);
            }
            if self.pending.is_none() {
                self.start_open();
            }
        }
        if self.current.is_none() && self.pending.is_none() {
            if self.retry_in == 0 {
                self.start_open();
            } else {
                self.retry_in -= 1;
            }
        }
    }

    fn failed(&mut self, why: String) {
        let why = clause(&why);
        let detail = match &self.current {
            Some(d) => format!("{why}; staying on “{}”", d.name()),
            None => {
                self.retry_in = RETRY_FRAMES;
                let without = match self.direction {
                    Direction::Input => "a microphone",
                    Direction::Output => "a speaker",
                };
                format!("{why}; the call goes on without {without}")
            }
        };
        let fault = DeviceFault {
            device: self.wanted(),
            detail,
        };
        // Retries that fail the same way are not news.
        if self.last_failure.as_ref() != Some(&fault) {
            self.last_failure = Some(fault.clone());
            self.notices.push_back(fault);
        }
    }

    fn next_fault(
        &mut self,
        take: impl FnOnce(&mut D) -> Option<DeviceFault>,
    ) -> Option<DeviceFault> {
        if let Some(f) = self.current.as_mut().and_then(take) {
            return Some(f);
        }
        self.notices.pop_front()
    }
}

impl<D: LiveDevice + AudioInput> AudioInput for Live<D> {
    fn read(&mut self, frame: &mut [i16]) {
        self.tick(|d| d.take_fault());
        match self.current.as_mut() {
            Some(d) => d.read(frame),
            None => frame.fill(0),
        }
    }

    fn take_fault(&mut self) -> Option<DeviceFault> {
        self.next_fault(|d| d.take_fault())
    }

    fn switch_device(&mut self, preferred: Option<String>) -> bool {
        self.switch(preferred);
        true
    }
}

impl<D: LiveDevice + AudioOutput> AudioOutput for Live<D> {
    fn write(&mut self, frame: &[i16]) {
        self.tick(|d| d.take_fault());
        if let Some(d) = self.current.as_mut() {
            d.write(frame);
        }
    }

    fn take_fault(&mut self) -> Option<DeviceFault> {
        self.next_fault(|d| d.take_fault())
    }

    fn switch_device(&mut self, preferred: Option<String>) -> bool {
        self.switch(preferred);
        true
    }
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
