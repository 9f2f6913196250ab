//! One call's media thread: the RTP and RTCP sockets, the audio devices
//! and the 10 ms clock around a sans-IO [`MediaSession`]. A plain OS
//! thread, not a tokio task: its timing must not wait behind other work.
//! The call task talks to it through [`MediaHandle`] and hears back
//! through [`MediaEvent`]s.

use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::mpsc;

use super::audio_setup::{self, AudioSetup};
use crate::audio::{AudioInput, FRAME};
use crate::media::codec::AudioCodec;
use crate::media::offer_answer::Negotiated;
use crate::media::rtcp::{ntp_from_system_time, CallQuality};
use crate::media::session::{MediaSession, SessionEvent, SessionStats};

/// The frame clock.
const TICK: Duration = Duration::from_millis(10);
/// How often the call task hears the media figures.
const QUALITY_EVERY: Duration = Duration::from_secs(2);
/// Falling this far behind (a suspended machine) restarts the clock
/// instead of racing to catch up.
const RESYNC_AFTER: Duration = Duration::from_millis(200);

/// A pair of sockets for one stream: RTP on an even port, RTCP above it.
pub(crate) struct MediaPorts {
    rtp: UdpSocket,
    rtcp: UdpSocket,
}

impl MediaPorts {
    /// Binds an even/odd pair on `ip`.
    pub(crate) fn bind(ip: IpAddr) -> std::io::Result<MediaPorts> {
        let mut last = None;
        for _ in 0..50 {
            let rtp = UdpSocket::bind(SocketAddr::new(ip, 0))?;
            let port = rtp.local_addr()?.port();
            if port % 2 == 1 || port == u16::MAX {
                continue;
            }
            match UdpSocket::bind(SocketAddr::new(ip, port + 1)) {
                Ok(rtcp) => return Ok(MediaPorts { rtp, rtcp }),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no free even/odd port pair")))
    }

    /// The same sockets, for a new media thread (a codec change).
    pub(crate) fn try_clone(&self) -> std::io::Result<MediaPorts> {
        Ok(MediaPorts {
            rtp: self.rtp.try_clone()?,
            rtcp: self.rtcp.try_clone()?,
        })
    }

    pub(crate) fn rtp_port(&self) -> u16 {
        self.rtp.local_addr().map(|a| a.port()).unwrap_or(0)
    }
}

/// What the call task tells the media thread.
#[derive(Debug)]
enum MediaCmd {
    Update(Negotiated),
    Mute(bool),
    Dtmf(String),
    /// Other devices chosen mid-call.
    Devices(AudioSetup),
    Stop,
}

/// What the media thread tells the call task.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum MediaEvent {
    Dtmf(char),
    Quality {
        quality: CallQuality,
        /// Boxed: the counters (the jitter buffer's among them) dwarf the
        /// other variants.
        stats: Box<SessionStats>,
        codec: &'static str,
    },
    /// A device failed or could not be opened; the call goes on.
    DeviceProblem(String),
}

/// The call task's side of a running media thread. Dropping it stops the
/// thread (and sends the RTCP BYE).
pub(crate) struct MediaHandle {
    cmds: std_mpsc::Sender<MediaCmd>,
    join: Option<JoinHandle<()>>,
}

impl MediaHandle {
    pub(crate) fn update(&self, negotiated: Negotiated) {
        let _ = self.cmds.send(MediaCmd::Update(negotiated));
    }

    pub(crate) fn mute(&self, muted: bool) {
        let _ = self.cmds.send(MediaCmd::Mute(muted));
    }

    pub(crate) fn dtmf(&self, keys: String) {
        let _ = self.cmds.send(MediaCmd::Dtmf(keys));
    }

    /// Use these devices from now on (the ones in use go on until the new
    /// ones are open; unchanged ones are kept).
    pub(crate) fn switch_devices(&self, audio: AudioSetup) {
        let _ = self.cmds.send(MediaCmd::Devices(audio));
    }
}

impl Drop for MediaHandle {
    fn drop(&mut self) {
        let _ = self.cmds.send(MediaCmd::Stop);
        if let Some(j) = self.join.take() {
            // The thread ends within one tick; never wait on a stuck one.
            std::thread::spawn(move || {
                let _ = j.join();
            });
        }
    }
}

/// Starts the media thread for `negotiated` on `ports`.
pub(crate) fn start(
    ports: MediaPorts,
    negotiated: Negotiated,
    codec: Box<dyn AudioCodec>,
    audio: AudioSetup,
    cname: String,
    events: mpsc::UnboundedSender<MediaEvent>,
) -> std::io::Result<MediaHandle> {
    let (tx, rx) = std_mpsc::channel();
    let session = MediaSession::new(negotiated, codec, &cname);
    let join = std::thread::Builder::new()
        .name("hark-media".into())
        .spawn(move || run(ports, session, audio, rx, events))?;
    Ok(MediaHandle {
        cmds: tx,
        join: Some(join),
    })
}

fn run(
    ports: MediaPorts,
    mut session: MediaSession,
    mut audio: AudioSetup,
    cmds: std_mpsc::Receiver<MediaCmd>,
    events: mpsc::UnboundedSender<MediaEvent>,
) {
    let (mut mic, mut speaker) = open_devices(&audio, &events);
    let mut processing = processing_for(&audio, &events);
    let _ = ports.rtcp.set_nonblocking(true);
    let mut mic_frame = vec![0i16; FRAME];
    let mut speaker_frame = vec![0i16; FRAME];
    let mut buf = vec![0u8; 2048];
    let mut next_tick = Instant::now();
    let mut next_quality = next_tick + QUALITY_EVERY;
    loop {
        // Until the tick: take datagrams as they come.
        loop {
            let now = Instant::now();
            if now >= next_tick {
                break;
            }
            let _ = ports.rtp.set_read_timeout(Some(next_tick - now));
            match ports.rtp.recv_from(&mut buf) {
                Ok((n, from)) => session.receive_rtp(from, &buf[..n], Instant::now()),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                // ICMP port unreachable from the peer's closed port, etc.
                Err(_) => std::thread::sleep(Duration::from_millis(1)),
            }
        }
        let now = Instant::now();
        if now - next_tick > RESYNC_AFTER {
            next_tick = now;
        }
        next_tick += TICK;
        loop {
            match cmds.try_recv() {
                Ok(MediaCmd::Update(n)) => session.update(n),
                Ok(MediaCmd::Mute(m)) => session.set_muted(m),
                Ok(MediaCmd::Dtmf(keys)) => {
                    session.send_dtmf(&keys);
                }
                Ok(MediaCmd::Devices(new)) => {
                    switch_devices(&mut audio, new, &mut mic, &mut speaker, &events);
                    if processing.is_some() != audio.uses_device() {
                        processing = processing_for(&audio, &events);
                    }
                }
                Ok(MediaCmd::Stop) | Err(std_mpsc::TryRecvError::Disconnected) => {
                    tracing::info!(stats = ?session.stats(), "call media ends");
                    if let Some(bye) = session.bye(now, wall_ntp()) {
                        let _ = ports.rtcp.send_to(&bye, session.negotiated().remote_rtcp);
                    }
                    speaker.finish();
                    return;
                }
                Err(std_mpsc::TryRecvError::Empty) => break,
            }
        }
        while let Ok((n, _)) = ports.rtcp.recv_from(&mut buf) {
            session.receive_rtcp(&buf[..n], now, wall_ntp());
        }
        mic.read(&mut mic_frame);
        if let Some(p) = processing.as_mut() {
            p.process_capture(&mut mic_frame);
        }
        let remote = session.negotiated().remote_rtp;
        for datagram in session.capture(&mic_frame, now) {
            let _ = ports.rtp.send_to(&datagram, remote);
        }
        session.playout(&mut speaker_frame, now);
        if let Some(p) = processing.as_mut() {
            p.process_render(&speaker_frame);
        }
        speaker.write(&speaker_frame);
        if let Some(report) = session.poll_rtcp(now, wall_ntp()) {
            let _ = ports
                .rtcp
                .send_to(&report, session.negotiated().remote_rtcp);
        }
        for e in session.take_events() {
            if let SessionEvent::Dtmf(key) = e {
                let _ = events.send(MediaEvent::Dtmf(key));
            }
        }
        for fault in [mic.take_fault(), speaker.take_fault()]
            .into_iter()
            .flatten()
        {
            let _ = events.send(MediaEvent::DeviceProblem(format!(
                "{}: {}",
                fault.device, fault.detail
            )));
        }
        if now >= next_quality {
            next_quality = now + QUALITY_EVERY;
            let _ = events.send(MediaEvent::Quality {
                quality: session.quality(),
                stats: Box::new(session.stats()),
                codec: session.codec_name(),
            });
        }
    }
}

/// The speaker, with a way to close a file cleanly at the end.
struct Speaker(audio_setup::Output);

impl Speaker {
    fn write(&mut self, frame: &[i16]) {
        self.0.write(frame);
    }
    fn take_fault(&mut self) -> Option<crate::audio::DeviceFault> {
        self.0.take_fault()
    }
    fn finish(&mut self) {
        self.0.finish();
    }
}

/// WebRTC's echo canceller (and noise suppression, gain control) sits
/// between the sound devices and the codec: it hears what the speaker
/// plays and takes it out of what the microphone picks up. Files and tones
/// need none.
fn processing_for(
    audio: &AudioSetup,
    events: &mpsc::UnboundedSender<MediaEvent>,
) -> Option<crate::audio::dsp::AudioProcessing> {
    if !audio.uses_device() {
        return None;
    }
    match crate::audio::dsp::AudioProcessing::new(audio.processing) {
        Ok(p) => Some(p),
        Err(e) => {
            let _ = events.send(MediaEvent::DeviceProblem(format!(
                "echo cancellation is off: {e}"
            )));
            None
        }
    }
}

/// Opens what changed between `audio` and `new` (a microphone and a
/// speaker that stay the same go on untouched; a sound device moves to
/// another without a gap).
fn switch_devices(
    audio: &mut AudioSetup,
    new: AudioSetup,
    mic: &mut Box<dyn AudioInput>,
    speaker: &mut Speaker,
    events: &mpsc::UnboundedSender<MediaEvent>,
) {
    let device = audio_setup::device_name;
    let problem = |p: Option<String>| {
        if let Some(p) = p {
            let _ = events.send(MediaEvent::DeviceProblem(p));
        }
    };
    if new.input != audio.input {
        let moved = match (device(&audio.input), device(&new.input)) {
            (Some(_), Some(to)) => mic.switch_device(to),
            _ => false,
        };
        if !moved {
            let (m, p) = audio_setup::open_input(&new.input);
            problem(p);
            *mic = m;
        }
    }
    if new.output != audio.output {
        let moved = match (device(&audio.output), device(&new.output)) {
            (Some(_), Some(to)) => speaker.0.switch_device(to),
            _ => false,
        };
        if !moved {
            speaker.finish();
            let (s, p) = audio_setup::open_output(&new.output);
            problem(p);
            *speaker = Speaker(s);
        }
    }
    *audio = new;
}

fn open_devices(
    audio: &AudioSetup,
    events: &mpsc::UnboundedSender<MediaEvent>,
) -> (Box<dyn AudioInput>, Speaker) {
    let (mic, problem) = audio_setup::open_input(&audio.input);
    if let Some(p) = problem {
        let _ = events.send(MediaEvent::DeviceProblem(p));
    }
    let (speaker, problem) = audio_setup::open_output(&audio.output);
    if let Some(p) = problem {
        let _ = events.send(MediaEvent::DeviceProblem(p));
    }
    (mic, Speaker(speaker))
}

fn wall_ntp() -> u64 {
    ntp_from_system_time(SystemTime::now())
}
