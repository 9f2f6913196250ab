//! The audio devices on the real path: cpal over ALSA into a private
//! PulseAudio server with a null sink (tests/support/pulse.rs), on a
//! machine without a sound card. A tone played through `DeviceOutput` is
//! recorded from the sink's monitor with `parec` and measured; the monitor
//! opened as a `DeviceInput` hears it back (and the echo canceller removes
//! it); a missing device falls back to the default with a note; the server
//! going away mid-call is reported, never a hang or a panic; with no sound
//! system at all opening is an error.
//!
//! ALSA reads its configuration once per process, so everything that opens
//! a device runs in a child process: the test re-runs itself
//! (`run_child`) with the server's environment and `HARK_AUDIO_CHILD` set,
//! and the same test function then takes its child branch. Missing tools
//! fail the test with the Debian package to install; nothing is skipped.
//!
//! The allocator counts allocations on threads that ask it to, for the
//! "the callbacks never allocate" checks.

#[allow(dead_code)]
#[path = "support/process_group.rs"]
mod process_group;
#[allow(dead_code)]
#[path = "support/pulse.rs"]
mod pulse;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hark::audio::device::{list_devices, open_input, open_output};
use hark::audio::dsp::{AudioProcessing, DspSettings};
use hark::audio::file::ToneInput;
use hark::audio::level::{dominant_tone, rms_dbfs, tone_amplitude};
use hark::audio::live::{LiveInput, LiveOutput};
use hark::audio::resample::Resampler;
use hark::audio::ring::{sample_ring, CaptureCallback, Counters, ErrorCallback, PlaybackCallback};
use hark::audio::{AudioInput, AudioOutput, FRAME};
use pulse::Pulse;

struct CountingAlloc;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = COUNTING.try_with(|c| {
            if c.get() {
                let _ = ALLOCATIONS.try_with(|a| a.set(a.get() + 1));
            }
        });
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = COUNTING.try_with(|c| {
            if c.get() {
                let _ = ALLOCATIONS.try_with(|a| a.set(a.get() + 1));
            }
        });
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc;

/// Allocations made by this thread while running `f`.
fn allocations_in<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let before = ALLOCATIONS.with(|a| a.get());
    COUNTING.with(|c| c.set(true));
    let r = f();
    COUNTING.with(|c| c.set(false));
    (r, ALLOCATIONS.with(|a| a.get()) - before)
}

fn is_child() -> bool {
    std::env::var_os("HARK_AUDIO_CHILD").is_some()
}

/// Re-runs test `name` in a child process with `env`; hands each line it
/// prints to `on_line`; fails with its output if it fails.
fn run_child(name: &str, env: &[(String, String)], mut on_line: impl FnMut(&str)) -> String {
    let exe = std::env::current_exe().expect("the test binary");
    let mut child = Command::new(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env("HARK_AUDIO_CHILD", "1")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the child test");
    let mut stderr = child.stderr.take().expect("stderr");
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut output = String::new();
    for line in BufReader::new(child.stdout.take().expect("stdout")).lines() {
        let Ok(line) = line else { break };
        on_line(&line);
        println!("  child: {line}");
        output.push_str(&line);
        output.push('\n');
    }
    let status = child.wait().expect("waiting for the child test");
    let errors = errors.join().unwrap_or_default();
    assert!(
        status.success(),
        "child test {name} failed ({status}):\n{output}\nstderr:\n{errors}"
    );
    output
}

/// Calls `f(i)` every 10 ms, `frames` times, on deadlines.
fn paced(frames: usize, mut f: impl FnMut(usize)) {
    let start = Instant::now();
    for i in 0..frames {
        f(i);
        let next = start + Duration::from_millis(10 * (i as u64 + 1));
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
}

/// 10 ms windows of `samples` louder than -40 dBFS: (first, last, quiet
/// windows between them).
fn sounding_span(samples: &[i16]) -> Option<(usize, usize, usize)> {
    let loud: Vec<bool> = samples.chunks(480).map(|w| rms_dbfs(w) > -40.0).collect();
    let first = loud.iter().position(|&l| l)?;
    let last = loud.iter().rposition(|&l| l)?;
    let gaps = loud[first..=last].iter().filter(|&&l| !l).count();
    Some((first, last, gaps))
}

/// The tone's frequency over `samples`, and its typical amplitude: the
/// median over 100 ms windows (a dropout lowers one window, not the
/// figure).
fn measure_tone(samples: &[i16]) -> (f64, f64) {
    let (freq, _) = dominant_tone(samples, 48_000, 100.0, 10_000.0);
    let mut amplitudes: Vec<f64> = samples
        .chunks_exact(4800)
        .map(|w| tone_amplitude(w, 48_000, freq))
        .collect();
    amplitudes.sort_by(f64::total_cmp);
    let median = amplitudes.get(amplitudes.len() / 2).copied().unwrap_or(0.0);
    (freq, median)
}

/// Something like speech: low-passed noise in 200 ms syllables.
fn speechlike(seconds: usize) -> Vec<i16> {
    let mut x: u64 = 0x5eed_0bad_cafe_0001;
    let mut low = 0.0f64;
    (0..seconds * 48_000)
        .map(|i| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let n =
                (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 52) as f64 - 1.0;
            low += 0.2 * (n - low);
            let on = (i / 9_600) % 5 != 3;
            let env = if on {
                0.5 - 0.5 * (std::f64::consts::TAU * (i % 9_600) as f64 / 9_600.0).cos()
            } else {
                0.0
            };
            (low * env * 0.5 * 32767.0) as i16
        })
        .collect()
}

#[test]
fn the_callbacks_and_the_resampler_do_not_allocate() {
    let counters = Arc::new(Counters::default());
    let (producer, mut consumer) = sample_ring(4800);
    let mut capture = CaptureCallback::new(producer, 2, counters.clone());
    let (producer, consumer2) = sample_ring(4800);
    let mut playback = PlaybackCallback::new(consumer2, 2, 480, counters.clone());
    let (mut errors, _faults) = ErrorCallback::new(counters.clone());
    let mut producer = producer;
    let period_i16 = vec![1000i16; 2 * 441];
    let period_f32 = vec![0.1f32; 2 * 441];
    let mut out_i16 = vec![0i16; 2 * 441];
    let mut out_u8 = vec![0u8; 2 * 441];
    let mut resampler = Resampler::new(44_100, 48_000).unwrap();
    let (r_in, mut r_out) = (vec![0i16; 441], vec![0i16; 480]);
    let xrun = cpal::Error::from(cpal::ErrorKind::Xrun);
    let ((), n) = allocations_in(|| {
        for _ in 0..100 {
            capture.on_data(&period_i16);
            capture.on_data(&period_f32);
            while consumer.pop().is_ok() {}
            let _ = producer.push_entire_slice(&[0.2; 882]);
            playback.on_data(&mut out_i16);
            playback.on_data(&mut out_u8);
            resampler.process_i16(&r_in, &mut r_out);
        }
        errors.on_error(xrun);
    });
    assert_eq!(
        n, 0,
        "allocations in the callbacks' and resampler's steady state"
    );
    assert!(Counters::get(&counters.frames) > 0);
    // The counter does count.
    let (v, n) = allocations_in(|| Vec::<u8>::with_capacity(64));
    assert!(n >= 1 && v.capacity() >= 64);
}

#[test]
fn a_tone_played_through_device_output_reaches_the_sink() {
    const NAME: &str = "a_tone_played_through_device_output_reaches_the_sink";
    if is_child() {
        let opened = open_output(None).expect("the default output opens");
        assert!(opened.fallback.is_none());
        let mut out = opened.device;
        println!("opened {:?}", out);
        let mut tone = ToneInput::new(1000.0, 8192);
        let mut frame = [0i16; FRAME];
        let (mut buffered, mut slowest, mut allocations) = (vec![], Duration::ZERO, 0);
        paced(400, |i| {
            tone.read(&mut frame);
            let t = Instant::now();
            let ((), n) = allocations_in(|| out.write(&frame));
            slowest = slowest.max(t.elapsed());
            if i >= 50 {
                allocations += n;
            }
            if Counters::get(&out.counters().frames) > 0 {
                buffered.push(out.buffered());
            }
        });
        let ms = |s: usize| s as f64 / 48.0;
        let max = buffered.iter().copied().max().unwrap_or(0);
        let mean = |b: &[usize]| b.iter().sum::<usize>() as f64 / b.len().max(1) as f64;
        let steady = mean(&buffered[buffered.len().saturating_sub(100)..]) / 48.0;
        let mean = mean(&buffered);
        let c = out.counters();
        println!(
            "LATENCY buffered max {:.1} ms, mean {:.1} ms, last second {steady:.1} ms; \
             period {:?}; slowest write {slowest:?}; callbacks {}, underruns {}, dropped {}, \
             xruns {}",
            ms(max),
            mean / 48.0,
            out.shape().period,
            Counters::get(&c.callbacks),
            Counters::get(&c.underruns),
            out.dropped(),
            Counters::get(&c.xruns),
        );
        assert!(!buffered.is_empty(), "the device never took any audio");
        assert!(ms(max) <= 60.0, "{:.1} ms buffered", ms(max));
        assert!(steady <= 30.0, "{steady:.1} ms standing delay");
        assert!(
            slowest < Duration::from_millis(5),
            "a write took {slowest:?}"
        );
        assert_eq!(allocations, 0, "write() allocated in steady state");
        let fault = out.take_fault();
        assert!(fault.is_none(), "a fault while playing: {fault:?}");
        return;
    }
    let pulse = Pulse::start();
    let recording = pulse.record();
    std::thread::sleep(Duration::from_millis(300));
    run_child(NAME, &pulse.env(), |_| {});
    std::thread::sleep(Duration::from_millis(300));
    let samples = recording.stop();
    let (first, last, gaps) = sounding_span(&samples).unwrap_or_else(|| {
        panic!(
            "nothing reached the null sink ({} samples recorded); PulseAudio's log:\n{}",
            samples.len(),
            pulse.log()
        )
    });
    let seconds = (last + 1 - first) as f64 / 100.0;
    let tone = &samples[(first + 20) * 480..(last.saturating_sub(10)) * 480];
    let (freq, amplitude) = measure_tone(tone);
    println!(
        "RECORDED {seconds:.2} s of tone from {:.2} s on, {gaps} quiet 10 ms windows; \
         {freq:.0} Hz at {:.1} dBFS peak ({amplitude:.3}), RMS {:.1} dBFS",
        first as f64 / 100.0,
        20.0 * amplitude.log10(),
        rms_dbfs(tone)
    );
    assert!(seconds >= 1.5, "only {seconds:.2} s of tone arrived");
    assert!(
        (freq - 1000.0).abs() <= 2.0,
        "recorded {freq} Hz, played 1000 Hz"
    );
    assert!(
        (amplitude - 0.25).abs() < 0.03,
        "recorded amplitude {amplitude}, played 0.25"
    );
    assert!(
        gaps * 20 <= last - first,
        "{gaps} gaps in {} windows",
        last - first
    );
}

#[test]
fn device_input_hears_the_sink_and_the_canceller_removes_that_echo() {
    const NAME: &str = "device_input_hears_the_sink_and_the_canceller_removes_that_echo";
    if is_child() {
        let mut out = open_output(None).expect("output").device;
        let mut mic = open_input(None).expect("input").device;
        println!("opened {:?} and {:?}", out, mic);
        let far = speechlike(14);
        let mut dsp = AudioProcessing::new(DspSettings {
            echo_cancellation: true,
            noise_suppression: false,
            gain_control: false,
        })
        .expect("audio processing");
        let mut tone = ToneInput::new(440.0, 8192);
        let (mut heard, mut raw, mut cleaned) = (vec![], vec![], vec![]);
        let (mut buffered, mut near) = (vec![], [0i16; FRAME]);
        let mut frame = [0i16; FRAME];
        // 4 s of a 440 Hz tone, then 14 s of far-end "speech" with the
        // canceller on.
        paced(400 + far.len() / FRAME, |i| {
            if i < 400 {
                tone.read(&mut frame);
            } else {
                frame.copy_from_slice(&far[(i - 400) * FRAME..][..FRAME]);
                dsp.process_render(&frame);
            }
            out.write(&frame);
            mic.read(&mut near);
            if Counters::get(&mic.counters().frames) > 0 {
                buffered.push(mic.buffered());
            }
            if i < 400 {
                heard.extend_from_slice(&near);
            } else {
                raw.extend_from_slice(&near);
                dsp.process_capture(&mut near);
                cleaned.extend_from_slice(&near);
            }
        });
        let max = buffered.iter().copied().max().unwrap_or(0) as f64 / 48.0;
        let mean = buffered.iter().sum::<usize>() as f64 / buffered.len().max(1) as f64 / 48.0;
        println!(
            "LATENCY input buffered max {max:.1} ms, mean {mean:.1} ms; shape {:?}",
            mic.shape()
        );
        let (first, last, gaps) = sounding_span(&heard).expect("the microphone heard nothing");
        let tone = &heard[(first + 10) * 480..last * 480];
        let (freq, amplitude) = measure_tone(tone);
        println!(
            "HEARD {freq:.0} Hz at amplitude {amplitude:.3}, {:.2} s, {gaps} quiet 10 ms windows; \
             mic skipped {} samples to keep the delay down",
            tone.len() as f64 / 48_000.0,
            mic.skipped()
        );
        assert!(
            gaps * 10 <= last - first,
            "{gaps} gaps in {} windows",
            last - first
        );
        assert!((freq - 440.0).abs() <= 2.0, "heard {freq} Hz");
        assert!(
            (amplitude - 0.25).abs() < 0.03,
            "heard amplitude {amplitude}"
        );
        assert!(tone_amplitude(tone, 48_000, 1000.0) < 0.01);
        let tail = 4 * 48_000;
        let before = rms_dbfs(&raw[raw.len() - tail..]);
        let after = rms_dbfs(&cleaned[cleaned.len() - tail..]);
        println!(
            "AEC real loopback: echo {before:.1} dBFS, after the canceller {after:.1} dBFS \
             ({:.1} dB less); {:?}",
            before - after,
            dsp.stats()
        );
        assert!(
            before > -40.0,
            "the echo did not come back: {before:.1} dBFS"
        );
        assert!(
            before - after >= 10.0,
            "only {:.1} dB less echo",
            before - after
        );
        assert!(max <= 60.0, "{max:.1} ms buffered");
        return;
    }
    let pulse = Pulse::start();
    assert!(pulse.pactl(&["set-default-source", "nullsink.monitor"]).0);
    run_child(NAME, &pulse.env(), |_| {});
}

#[test]
fn a_device_that_does_not_exist_falls_back_to_the_default_with_a_note() {
    const NAME: &str = "a_device_that_does_not_exist_falls_back_to_the_default_with_a_note";
    if is_child() {
        let list = list_devices().expect("devices listed");
        println!("inputs {:?}", list.inputs);
        println!("outputs {:?}", list.outputs);
        assert!(list.outputs.iter().any(|d| d.is_default));
        assert!(list.outputs.iter().any(|d| d.id == "pulse"));
        let opened = open_output(Some("No Such Device")).expect("falls back");
        let note = opened.fallback.clone().expect("a fallback note");
        assert_eq!(
            (note.wanted.as_str(), note.reason.as_str()),
            ("No Such Device", "not found")
        );
        println!("NOTE {:?}", opened.fallback_fault(opened.device.name()));
        let opened = open_input(Some("No Such Device")).expect("falls back");
        assert!(opened.fallback.is_some());
        // By id and by shown name, no fallback.
        let pulse = list.outputs.iter().find(|d| d.id == "pulse").unwrap();
        for wanted in [&pulse.id, &pulse.name] {
            let opened = open_output(Some(wanted)).expect("opens");
            assert!(opened.fallback.is_none(), "{wanted}");
            assert_eq!(opened.device.name(), pulse.name);
        }
        // The live speaker says so through take_fault.
        let mut speaker = LiveOutput::new(Some("No Such Device".into()));
        let deadline = Instant::now() + Duration::from_secs(10);
        while speaker.device().is_none() || speaker.is_opening() {
            speaker.write(&[0; FRAME]);
            assert!(Instant::now() < deadline, "the fallback never opened");
            std::thread::sleep(Duration::from_millis(10));
        }
        let fault = speaker.take_fault().expect("a note about the fallback");
        println!("LIVE NOTE {}: {}", fault.device, fault.detail);
        assert_eq!(fault.device, "No Such Device");
        assert!(
            fault.detail.starts_with("not found; using “"),
            "{}",
            fault.detail
        );
        return;
    }
    let pulse = Pulse::start();
    run_child(NAME, &pulse.env(), |_| {});
}

#[test]
fn with_no_sound_system_opening_is_an_error_and_the_call_stays_silent() {
    const NAME: &str = "with_no_sound_system_opening_is_an_error_and_the_call_stays_silent";
    if is_child() {
        let input = open_input(None).map(|o| o.device.name().to_string());
        let output = open_output(Some("Headset")).map(|o| o.device.name().to_string());
        println!("INPUT {input:?}");
        println!("OUTPUT {output:?}");
        let e = input.expect_err("no microphone can open");
        assert!(e.to_string().contains("microphone"), "{e}");
        assert!(output.is_err());
        let mut mic = LiveInput::new(None);
        let mut frame = [1i16; FRAME];
        let deadline = Instant::now() + Duration::from_secs(10);
        let fault = loop {
            mic.read(&mut frame);
            assert_eq!(frame, [0; FRAME], "silence while there is no device");
            if let Some(f) = mic.take_fault() {
                break f;
            }
            assert!(Instant::now() < deadline, "no fault reported");
            std::thread::sleep(Duration::from_millis(10));
        };
        println!("LIVE {}: {}", fault.device, fault.detail);
        assert!(fault
            .detail
            .ends_with("the call goes on without a microphone"));
        return;
    }
    pulse::require_tools();
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty-alsa.conf");
    std::fs::write(&empty, "").unwrap();
    let s = |p: std::path::PathBuf| p.display().to_string();
    let env = vec![
        ("ALSA_CONFIG_PATH".to_string(), s(empty)),
        ("HOME".to_string(), s(dir.path().to_path_buf())),
        ("XDG_RUNTIME_DIR".to_string(), s(dir.path().to_path_buf())),
        (
            "PULSE_SERVER".to_string(),
            format!("unix:{}", s(dir.path().join("none"))),
        ),
    ];
    run_child(NAME, &env, |_| {});
}

#[test]
fn a_call_switches_speakers_and_survives_the_sound_server_going_away() {
    const NAME: &str = "a_call_switches_speakers_and_survives_the_sound_server_going_away";
    if is_child() {
        let mut speaker = LiveOutput::new(None);
        let (mut low, mut high) = (ToneInput::new(1000.0, 8192), ToneInput::new(2000.0, 8192));
        let mut frame = [0i16; FRAME];
        let mut switched_at = None;
        paced(600, |i| {
            if i < 300 {
                low.read(&mut frame)
            } else {
                if i == 300 {
                    speaker.switch(Some("pulse".into()));
                }
                high.read(&mut frame)
            }
            speaker.write(&frame);
            if i >= 300 && switched_at.is_none() && !speaker.is_opening() {
                switched_at = Some(i);
            }
        });
        println!(
            "SWITCHED to {:?} at frame {switched_at:?}",
            speaker.device_name()
        );
        assert_eq!(speaker.device_name(), Some("PulseAudio Sound Server"));
        let early = speaker.take_fault();
        assert!(early.is_none(), "a fault before the server went: {early:?}");
        println!("KILL_NOW");
        let mut faults = vec![];
        let mut slowest = Duration::ZERO;
        paced(500, |_| {
            high.read(&mut frame);
            let t = Instant::now();
            speaker.write(&frame);
            slowest = slowest.max(t.elapsed());
            while let Some(f) = speaker.take_fault() {
                faults.push(format!("{}: {}", f.device, f.detail));
            }
        });
        println!("FAULTS {faults:#?}; slowest write {slowest:?}");
        assert!(
            slowest < Duration::from_millis(20),
            "a write took {slowest:?}"
        );
        let silent = faults
            .iter()
            .filter(|f| f.ends_with("the call goes on without a speaker"))
            .count();
        assert_eq!(silent, 1, "said once, not on every retry: {faults:?}");
        assert!(
            faults.len() <= 4,
            "one error repeated is said once: {faults:?}"
        );
        assert_eq!(speaker.device_name(), None);
        return;
    }
    let mut pulse = Pulse::start();
    let recording = pulse.record();
    let mut samples = None;
    let mut recording = Some(recording);
    let env = pulse.env();
    run_child(NAME, &env, |line| {
        if line == "KILL_NOW" {
            if let Some(r) = recording.take() {
                samples = Some(r.stop());
            }
            pulse.kill();
        }
    });
    let samples = samples.expect("the child never asked for the kill");
    let windows: Vec<(f64, f64)> = samples
        .chunks(4800)
        .filter(|w| rms_dbfs(w) > -40.0)
        .map(|w| dominant_tone(w, 48_000, 500.0, 3000.0))
        .collect();
    let tones: Vec<u32> = windows
        .iter()
        .map(|(f, _)| (f / 100.0).round() as u32 * 100)
        .collect();
    println!("RECORDED 100 ms windows' tones: {tones:?}");
    let first_high = tones
        .iter()
        .position(|&f| f == 2000)
        .expect("the 2 kHz tone after the switch");
    assert!(
        tones[..first_high].iter().filter(|&&f| f == 1000).count() >= 5,
        "{tones:?}"
    );
    assert!(
        tones[first_high..].iter().all(|&f| f == 2000 || f == 1000),
        "{tones:?}"
    );
    assert!(
        tones[first_high..].iter().filter(|&&f| f == 2000).count() >= 10,
        "{tones:?}"
    );
}
