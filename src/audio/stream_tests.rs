use super::*;

#[test]
fn standing_delay_is_dropped_once_per_window_down_to_the_floor() {
    let mut s = Standing::default();
    // A ring stuck at 40 ms (1920 samples) with a 10 ms floor and 5 ms
    // of slack: after a window, 30 ms are owed.
    let owed: Vec<usize> = (0..STANDING_WINDOW)
        .map(|_| s.observe(1920, 480, 240))
        .collect();
    assert!(owed[..owed.len() - 1].iter().all(|&o| o == 0));
    assert_eq!(owed.last(), Some(&1440));
    // A ring that comes down to the floor now and then owes nothing.
    let owed: usize = (0..STANDING_WINDOW)
        .map(|i| s.observe(if i == 7 { 600 } else { 1920 }, 480, 240))
        .sum();
    assert_eq!(owed, 0);
}

#[test]
fn the_bound_follows_a_long_device_period() {
    let shape = |period| StreamShape {
        rate: 48_000,
        channels: 2,
        format: SampleFormat::F32,
        period,
    };
    assert_eq!(shape(None).max_fill(), 1920);
    assert_eq!(shape(Some(480)).max_fill(), 1920);
    assert_eq!(shape(Some(2048)).max_fill(), 2 * 2048 + 480);
}

use crate::audio::file::ToneInput;
use crate::audio::level::{dominant_tone, rms_dbfs, tone_amplitude};
use crate::audio::ring::{sample_ring, CaptureCallback, Counters, PlaybackCallback};

fn shape(rate: u32, channels: u16, period: u32) -> StreamShape {
    StreamShape {
        rate,
        channels,
        format: SampleFormat::I16,
        period: Some(period),
    }
}

/// (frequency, median amplitude over 100 ms windows) of a tone.
fn measure(samples: &[i16], rate: u32) -> (f64, f64) {
    let one_second = &samples[..samples.len().min(rate as usize)];
    let (f, _) = dominant_tone(one_second, rate, 200.0, 5000.0);
    let window = rate as usize / 10;
    let mut a: Vec<f64> = samples
        .chunks_exact(window)
        .map(|w| tone_amplitude(w, rate, f))
        .collect();
    a.sort_by(f64::total_cmp);
    (f, a[a.len() / 2])
}

/// A device capturing a 1 kHz tone at `rate` (`channels` alike) in
/// `period`-frame callbacks, running `speed` times its nominal rate,
/// read every 10 ms for `seconds`: the frames read, and the end.
fn capture(
    rate: u32,
    channels: u16,
    period: usize,
    speed: f64,
    seconds: u64,
) -> (Vec<i16>, CaptureEnd) {
    let counters = Arc::new(Counters::default());
    let (producer, consumer) = sample_ring(rate as usize / 2);
    let mut callback = CaptureCallback::new(producer, channels, counters);
    let mut end = CaptureEnd::new(shape(rate, channels, period as u32), consumer).unwrap();
    let mut tone = ToneInput::new(1000.0 * RATE as f64 / rate as f64, 8192);
    let mut mono = vec![0i16; period];
    let mut interleaved = vec![0i16; period * channels as usize];
    let (mut delivered, mut read) = (0usize, vec![]);
    let mut frame = [0i16; FRAME];
    for ms in 1..=seconds * 1000 {
        let due = (ms as f64 * rate as f64 * speed / 1000.0) as usize;
        while due >= delivered + period {
            // ToneInput runs at 48 kHz; its frequency was scaled above so
            // the tone is 1 kHz at the device rate.
            tone.read(&mut mono);
            for (frame, &s) in interleaved.chunks_mut(channels as usize).zip(&mono) {
                frame.fill(s);
            }
            callback.on_data(&interleaved);
            delivered += period;
        }
        if ms % 10 == 0 {
            end.read(&mut frame);
            read.extend_from_slice(&frame);
            assert!(end.buffered() <= 48 * 60, "{} buffered", end.buffered());
        }
    }
    (read, end)
}

#[test]
fn a_44k1_stereo_microphone_comes_out_as_48k_mono_frames() {
    let (read, end) = capture(44_100, 2, 441, 1.0, 3);
    let settled = &read[RATE as usize / 2..];
    let (f, a) = measure(settled, RATE);
    assert!((f - 1000.0).abs() <= 1.0, "{f} Hz");
    assert!((a - 0.25).abs() < 0.01, "amplitude {a}");
    let silent = settled
        .chunks(FRAME)
        .filter(|w| rms_dbfs(w) < -40.0)
        .count();
    assert_eq!(silent, 0, "frames of silence once running");
    // Also with a period that is not 10 ms, and at 48 kHz (no resampling).
    for (rate, period) in [(44_100, 256), (48_000, 320), (48_000, 1024)] {
        let (read, _) = capture(rate, 1, period, 1.0, 2);
        let (f, a) = measure(&read[RATE as usize / 2..], RATE);
        assert!(
            (f - 1000.0).abs() <= 1.0 && (a - 0.25).abs() < 0.01,
            "{rate}/{period}: {f} Hz {a}"
        );
    }
    assert!(
        end.buffered() <= 48 * 25,
        "{} samples standing",
        end.buffered()
    );
}

#[test]
fn a_microphone_faster_than_the_reader_does_not_build_up_delay() {
    let (_, end) = capture(48_000, 1, 480, 1.02, 5);
    assert!(end.skipped() >= 48 * 50, "skipped only {}", end.skipped());
    assert!(
        end.buffered() <= 48 * 25,
        "{} samples standing",
        end.buffered()
    );
}

/// The media task writing a 1 kHz tone every 10 ms for `seconds` to a
/// device at `rate` pulling `period` frames at `speed` times its rate:
/// channel 0 of what the device played, the end and its counters.
fn playback(
    rate: u32,
    channels: u16,
    period: usize,
    speed: f64,
    seconds: u64,
) -> (Vec<i16>, PlaybackEnd, Arc<Counters>, Vec<usize>) {
    let counters = Arc::new(Counters::default());
    let (producer, consumer) = sample_ring(rate as usize / 2);
    let mut callback =
        PlaybackCallback::new(consumer, channels, playback_margin(rate), counters.clone());
    let mut end = PlaybackEnd::new(shape(rate, channels, period as u32), producer).unwrap();
    let mut tone = ToneInput::new(1000.0, 8192);
    let mut frame = [0i16; FRAME];
    let mut out = vec![0i16; period * channels as usize];
    let (mut pulled, mut played, mut buffered) = (0usize, vec![], vec![]);
    for ms in 1..=seconds * 1000 {
        if ms % 10 == 0 {
            tone.read(&mut frame);
            end.write(&frame);
            buffered.push(end.buffered());
        }
        let due = (ms as f64 * rate as f64 * speed / 1000.0) as usize;
        while due >= pulled + period {
            callback.on_data(&mut out);
            played.extend(out.chunks(channels as usize).map(|f| f[0]));
            pulled += period;
        }
    }
    (played, end, counters, buffered)
}

#[test]
fn a_48k_frame_plays_on_a_44k1_stereo_speaker() {
    let (played, end, counters, buffered) = playback(44_100, 2, 441, 1.0, 3);
    let settled = &played[44_100 / 2..];
    let (f, a) = measure(settled, 44_100);
    assert!((f - 1000.0).abs() <= 1.0, "{f} Hz");
    assert!((a - 0.25).abs() < 0.01, "amplitude {a}");
    assert_eq!(Counters::get(&counters.underruns), 0);
    let silent = settled.chunks(441).filter(|w| rms_dbfs(w) < -40.0).count();
    assert_eq!(silent, 0);
    assert_eq!(end.dropped(), 0);
    let late = &buffered[buffered.len() - 100..];
    assert!(late.iter().all(|&b| b <= 48 * 30), "{late:?}");
    for (rate, period) in [(44_100, 1024), (48_000, 480), (32_000, 256)] {
        let (played, _, counters, _) = playback(rate, 1, period, 1.0, 2);
        let (f, a) = measure(&played[rate as usize / 2..], rate);
        assert!(
            (f - 1000.0).abs() <= 1.0 && (a - 0.25).abs() < 0.01,
            "{rate}/{period}: {f} Hz {a}"
        );
        assert_eq!(Counters::get(&counters.underruns), 0, "{rate}/{period}");
    }
}

#[test]
fn a_speaker_slower_than_the_writer_stays_within_the_bound() {
    let (played, end, counters, buffered) = playback(48_000, 1, 480, 0.98, 5);
    let late = &buffered[buffered.len() - 100..];
    let silent = played[RATE as usize / 2..]
        .chunks(FRAME)
        .filter(|w| rms_dbfs(w) < -40.0)
        .count();
    eprintln!(
        "dropped {} underruns {} silent frames {silent} late mean {}",
        end.dropped(),
        Counters::get(&counters.underruns),
        late.iter().sum::<usize>() / late.len()
    );
    assert!(end.dropped() >= 48 * 50, "dropped only {}", end.dropped());
    assert!(buffered.iter().all(|&b| b <= 48 * 40), "over the bound");
    // Measured right after a write: the frame just written plus about
    // 20 ms standing.
    assert!(
        late.iter().sum::<usize>() / late.len() <= 48 * 32,
        "{late:?}"
    );
    assert_eq!(Counters::get(&counters.underruns), 0);
    assert_eq!(silent, 0);
}
