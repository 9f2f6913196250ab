use super::*;

fn counters() -> Arc<Counters> {
    Arc::new(Counters::default())
}

fn drain(consumer: &mut Consumer<f32>) -> Vec<f32> {
    let mut out = vec![];
    while let Ok(s) = consumer.pop() {
        out.push(s);
    }
    out
}

#[test]
fn capture_mixes_stereo_down_and_converts_the_format() {
    let (producer, mut consumer) = sample_ring(16);
    let c = counters();
    let mut cb = CaptureCallback::new(producer, 2, c.clone());
    cb.on_data::<i16>(&[16384, 0, -16384, -16384, 32767, 32767]);
    assert_eq!(drain(&mut consumer), vec![0.25, -0.5, 32767.0 / 32768.0]);
    // Unsigned 8-bit: 128 is silence.
    cb.on_data::<u8>(&[128, 128, 255, 255]);
    let got = drain(&mut consumer);
    assert_eq!(got[0], 0.0);
    assert!((got[1] - 127.0 / 128.0).abs() < 1e-6);
    assert_eq!(Counters::get(&c.callbacks), 2);
    assert_eq!(Counters::get(&c.frames), 5);
}

#[test]
fn capture_drops_what_the_ring_cannot_hold() {
    let (producer, mut consumer) = sample_ring(4);
    let c = counters();
    let mut cb = CaptureCallback::new(producer, 1, c.clone());
    cb.on_data::<f32>(&[0.1, 0.2, 0.3]);
    cb.on_data::<f32>(&[0.4, 0.5, 0.6]);
    assert_eq!(drain(&mut consumer), vec![0.1, 0.2, 0.3, 0.4]);
    assert_eq!(Counters::get(&c.overruns), 2);
    // A full ring takes nothing and the callback still returns at once.
    cb.on_data::<f32>(&[0.7; 4]);
    cb.on_data::<f32>(&[0.8; 4]);
    assert_eq!(Counters::get(&c.overruns), 2 + 4);
}

#[test]
fn playback_waits_for_a_period_plus_margin_then_plays_to_every_channel() {
    let (mut producer, consumer) = sample_ring(64);
    let c = counters();
    let mut cb = PlaybackCallback::new(consumer, 2, 2, c.clone());
    let mut out = [1i16; 8]; // 4 frames of stereo
    producer.push_entire_slice(&[0.5; 5]).unwrap();
    cb.on_data(&mut out);
    // 5 < 4 + 2: still waiting, silence, not an underrun.
    assert_eq!(out, [0; 8]);
    assert_eq!(Counters::get(&c.underruns), 0);
    producer.push_entire_slice(&[0.25]).unwrap();
    cb.on_data(&mut out);
    assert_eq!(out, [16384; 8]);
    // Two left of 0.5 then 0.25: the rest of the period is silence and
    // counted; playback waits for the margin again.
    cb.on_data(&mut out);
    assert_eq!(out, [16384, 16384, 8192, 8192, 0, 0, 0, 0]);
    assert_eq!(Counters::get(&c.underruns), 2);
    producer.push_entire_slice(&[0.5; 4]).unwrap();
    cb.on_data(&mut out);
    assert_eq!(out, [0; 8], "waiting for the margin again");
    assert_eq!(Counters::get(&c.frames), 6);
}

#[test]
fn playback_silence_is_each_format_s_equilibrium() {
    let (_producer, consumer) = sample_ring(8);
    let mut cb = PlaybackCallback::new(consumer, 1, 0, counters());
    let mut u = [0u8; 4];
    cb.on_data(&mut u);
    assert_eq!(u, [128; 4]);
    let mut f = [1.0f32; 4];
    cb.on_data(&mut f);
    assert_eq!(f, [0.0; 4]);
}

#[test]
fn errors_are_counted_passed_on_or_mark_the_stream_lost() {
    let c = counters();
    let (mut cb, mut faults) = ErrorCallback::new(c.clone());
    cb.on_error(cpal::ErrorKind::Xrun.into());
    cb.on_error(cpal::ErrorKind::RealtimeDenied.into());
    assert_eq!(Counters::get(&c.xruns), 1);
    assert!(faults.pop().is_err());
    cb.on_error(cpal::Error::with_message(
        cpal::ErrorKind::BackendError,
        "snd_pcm_writei: I/O error",
    ));
    assert!(!c.is_lost());
    cb.on_error(cpal::ErrorKind::DeviceNotAvailable.into());
    assert!(c.is_lost());
    assert_eq!(
        faults.pop().unwrap().to_string(),
        "snd_pcm_writei: I/O error"
    );
    assert_eq!(
        faults.pop().unwrap().kind(),
        cpal::ErrorKind::DeviceNotAvailable
    );
    // A flood of errors fills the ring and the rest are dropped.
    for _ in 0..100 {
        cb.on_error(cpal::ErrorKind::BackendError.into());
    }
    assert_eq!(faults.slots(), FAULT_RING);
}

#[test]
fn a_stream_erring_in_a_loop_without_data_is_lost() {
    let c = counters();
    let (mut cb, _faults) = ErrorCallback::new(c.clone());
    let poll_failed = || cpal::Error::with_message(cpal::ErrorKind::BackendError, "poll failed");
    // Errors with data flowing between them: a sick stream, not a dead one.
    for _ in 0..3 * LOST_AFTER_ERRORS {
        c.callbacks.fetch_add(1, Ordering::Relaxed);
        cb.on_error(poll_failed());
    }
    assert!(!c.is_lost());
    // The last of those started a streak: 19 in a row so far...
    for _ in 0..LOST_AFTER_ERRORS - 2 {
        cb.on_error(poll_failed());
    }
    assert!(!c.is_lost());
    // ...and the 20th makes it lost.
    cb.on_error(poll_failed());
    assert!(c.is_lost());
}
