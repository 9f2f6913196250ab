use super::*;
use crate::audio::level::rms_dbfs;

/// Tiny xorshift64* so the signals are reproducible without `rand`.
struct Noise(u64);

impl Noise {
    /// Uniform in -1.0..1.0.
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
        x as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// Something like speech for the canceller: noise through a low-pass
/// filter, switched on and off in "syllables" of about 200 ms, at roughly
/// -20 dBFS while on.
fn far_end(seconds: usize) -> Vec<i16> {
    let mut noise = Noise(0x5eed_1234_abcd_0001);
    let mut low = 0.0;
    (0..seconds * 48_000)
        .map(|i| {
            low += 0.2 * (noise.next() - low);
            let syllable = (i / 9_600) % 5 != 3;
            let envelope = if syllable {
                0.5 - 0.5 * (std::f64::consts::TAU * (i % 9_600) as f64 / 9_600.0).cos()
            } else {
                0.0
            };
            (low * envelope * 0.5 * 32767.0) as i16
        })
        .collect()
}

/// The far end as the microphone hears it back from the speaker: 30 ms
/// later, 10 dB quieter, with a weaker reflection 8 ms after that.
fn echo_of(far: &[i16]) -> Vec<i16> {
    let (d1, d2) = (1_440, 1_440 + 384);
    (0..far.len())
        .map(|i| {
            let a = if i >= d1 {
                far[i - d1] as f64 * 0.316
            } else {
                0.0
            };
            let b = if i >= d2 {
                far[i - d2] as f64 * 0.1
            } else {
                0.0
            };
            (a + b) as i16
        })
        .collect()
}

/// Runs far end and capture through `dsp` frame by frame; returns the
/// processed capture.
fn run(dsp: &mut AudioProcessing, far: &[i16], capture: &[i16]) -> Vec<i16> {
    let mut out = Vec::with_capacity(capture.len());
    for (f, c) in far.chunks_exact(FRAME).zip(capture.chunks_exact(FRAME)) {
        dsp.process_render(f);
        let mut frame = c.to_vec();
        dsp.process_capture(&mut frame);
        out.extend_from_slice(&frame);
    }
    out
}

fn last_seconds(s: &[i16], seconds: usize) -> &[i16] {
    &s[s.len() - seconds * 48_000..]
}

#[test]
fn echo_cancellation_removes_a_synthetic_echo() {
    let far = far_end(10);
    let capture = echo_of(&far);
    let mut dsp = AudioProcessing::new(DspSettings {
        echo_cancellation: true,
        noise_suppression: false,
        gain_control: false,
    })
    .unwrap();
    let out = run(&mut dsp, &far, &capture);
    let before = rms_dbfs(last_seconds(&capture, 3));
    let after = rms_dbfs(last_seconds(&out, 3));
    let stats = dsp.stats();
    eprintln!(
        "echo: {before:.1} dBFS before, {after:.1} dBFS after ({:.1} dB less); {stats:?}",
        before - after
    );
    assert!(
        before > -40.0,
        "the echo is there to cancel: {before:.1} dBFS"
    );
    assert!(
        before - after >= 10.0,
        "echo only {:.1} dB weaker after the canceller ({before:.1} -> {after:.1} dBFS)",
        before - after
    );
    assert_eq!(dsp.failures(), 0);

    // The near end talking while the far end is quiet comes through: the
    // canceller removes echo, not the microphone.
    let near: Vec<i16> = far_end(3).iter().rev().map(|&s| s / 2).collect();
    let quiet = vec![0i16; near.len()];
    let out = run(&mut dsp, &quiet, &near);
    let (said, sent) = (rms_dbfs(&near[48_000..]), rms_dbfs(&out[48_000..]));
    eprintln!("near end alone: {said:.1} dBFS in, {sent:.1} dBFS out");
    assert!((said - sent).abs() < 3.0, "{said:.1} -> {sent:.1} dBFS");
}

#[test]
fn all_on_still_removes_the_echo() {
    let far = far_end(10);
    let capture = echo_of(&far);
    let mut dsp = AudioProcessing::new(DspSettings::default()).unwrap();
    let out = run(&mut dsp, &far, &capture);
    let before = rms_dbfs(last_seconds(&capture, 3));
    let after = rms_dbfs(last_seconds(&out, 3));
    eprintln!("echo, all on: {before:.1} -> {after:.1} dBFS");
    assert!(before - after >= 10.0, "{before:.1} -> {after:.1} dBFS");
}

#[test]
fn noise_suppression_lowers_steady_white_noise() {
    let mut noise = Noise(7);
    let hiss: Vec<i16> = (0..6 * 48_000)
        .map(|_| (noise.next() * 0.03 * 32767.0) as i16)
        .collect();
    let silence = vec![0i16; hiss.len()];
    let mut dsp = AudioProcessing::new(DspSettings {
        echo_cancellation: false,
        noise_suppression: true,
        gain_control: false,
    })
    .unwrap();
    let out = run(&mut dsp, &silence, &hiss);
    let before = rms_dbfs(last_seconds(&hiss, 3));
    let after = rms_dbfs(last_seconds(&out, 3));
    eprintln!("noise: {before:.1} -> {after:.1} dBFS");
    assert!(before - after >= 6.0, "{before:.1} -> {after:.1} dBFS");
}

#[test]
fn gain_control_lifts_a_quiet_microphone() {
    // The far-end-like signal 30 dB down, as a quiet talker.
    let quiet: Vec<i16> = far_end(8).iter().map(|&s| s / 32).collect();
    let silence = vec![0i16; quiet.len()];
    let mut dsp = AudioProcessing::new(DspSettings {
        echo_cancellation: false,
        noise_suppression: false,
        gain_control: true,
    })
    .unwrap();
    let out = run(&mut dsp, &silence, &quiet);
    let before = rms_dbfs(last_seconds(&quiet, 3));
    let after = rms_dbfs(last_seconds(&out, 3));
    eprintln!("gain: {before:.1} -> {after:.1} dBFS");
    assert!(after - before >= 3.0, "{before:.1} -> {after:.1} dBFS");
}

#[test]
fn everything_off_passes_frames_untouched() {
    let far = far_end(1);
    let capture = echo_of(&far);
    let mut dsp = AudioProcessing::new(DspSettings::OFF).unwrap();
    assert_eq!(run(&mut dsp, &far, &capture), capture);
    // Switched off mid-call after running: untouched again.
    let mut dsp = AudioProcessing::new(DspSettings::default()).unwrap();
    run(&mut dsp, &far, &capture);
    dsp.set_settings(DspSettings::OFF);
    assert_eq!(run(&mut dsp, &far, &capture), capture);
}

#[test]
fn a_frame_of_the_wrong_length_passes_and_is_counted() {
    let mut dsp = AudioProcessing::new(DspSettings::default()).unwrap();
    let mut short = [1000i16; 100];
    dsp.process_capture(&mut short);
    dsp.process_render(&short);
    assert_eq!(short, [1000i16; 100]);
    assert_eq!(dsp.failures(), 2);
}

#[test]
fn settings_default_on_and_read_from_toml() {
    assert_eq!(
        DspSettings::default(),
        DspSettings {
            echo_cancellation: true,
            noise_suppression: true,
            gain_control: true
        }
    );
    let s: DspSettings = toml::from_str("noise_suppression = false").unwrap();
    assert!(s.echo_cancellation && !s.noise_suppression && s.gain_control);
    let back: DspSettings = toml::from_str(&toml::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}
