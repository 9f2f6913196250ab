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

fn io_error() -> cpal::Error {
    cpal::Error::with_message(cpal::ErrorKind::BackendError, "snd_pcm_writei: I/O error")
}

fn data(c: &Counters, callbacks: u64) {
    c.callbacks.fetch_add(callbacks, Ordering::Relaxed);
}

#[test]
fn xruns_are_counted_and_an_error_is_held_until_it_is_clear_what_it_was() {
    let c = counters();
    let (mut cb, mut faults) = ErrorCallback::new(c.clone());
    cb.on_error(cpal::ErrorKind::Xrun.into());
    cb.on_error(cpal::ErrorKind::RealtimeDenied.into());
    assert_eq!(Counters::get(&c.xruns), 1);
    assert!(faults.take().is_none());
    // An I/O error, then data flows on: the backend got over it.
    cb.on_error(io_error());
    assert!(faults.take().is_none(), "held: nothing flowed since");
    data(&c, RECOVERED_AFTER);
    assert!(faults.take().is_none());
    assert_eq!(Counters::get(&c.glitches), 1);
    assert!(!c.is_lost());
}

#[test]
fn the_errors_before_a_loss_are_told_once_each() {
    let c = counters();
    let (mut cb, mut faults) = ErrorCallback::new(c.clone());
    data(&c, 10);
    cb.on_error(io_error());
    cb.on_error(io_error());
    assert!(!c.is_lost());
    cb.on_error(cpal::ErrorKind::DeviceNotAvailable.into());
    assert!(c.is_lost());
    assert_eq!(
        faults.take().unwrap().to_string(),
        "snd_pcm_writei: I/O error"
    );
    // The repeat is not told again.
    assert_eq!(
        faults.take().unwrap().kind(),
        cpal::ErrorKind::DeviceNotAvailable
    );
    assert!(faults.take().is_none());
    // A flood of errors fills the ring, the rest are dropped, and one
    // error repeated is told once.
    for _ in 0..100 {
        cb.on_error(io_error());
    }
    assert_eq!(
        faults.take().unwrap().to_string(),
        "snd_pcm_writei: I/O error"
    );
    assert!(faults.take().is_none());
}

#[test]
fn a_burst_of_errors_is_not_a_death_but_errors_without_data_for_half_a_second_are() {
    let c = counters();
    let (mut cb, _faults) = ErrorCallback::new(c.clone());
    let mut dog = Watchdog::new(c.clone());
    let poll_failed = || cpal::Error::with_message(cpal::ErrorKind::BackendError, "poll failed");
    data(&c, 5);
    dog.tick();
    // A hundred errors in a burst, then data again within a few frames.
    for _ in 0..100 {
        cb.on_error(poll_failed());
    }
    for _ in 0..ERRING_FRAMES - 1 {
        dog.tick();
    }
    data(&c, 1);
    dog.tick();
    assert!(!c.is_lost());
    // Errors and no data for ERRING_FRAMES frames: lost.
    cb.on_error(poll_failed());
    for _ in 0..ERRING_FRAMES - 1 {
        assert!(!dog.tick());
    }
    assert!(!c.is_lost());
    assert!(!dog.tick(), "erring is told by its errors, not as a stall");
    assert!(c.is_lost());
}

#[test]
fn a_stream_that_stops_after_starting_is_lost_one_that_has_not_started_is_not() {
    let c = counters();
    let mut dog = Watchdog::new(c.clone());
    // PulseAudio can take 2 s to start: no data for longer is no stall.
    for _ in 0..2 * STALL_FRAMES {
        assert!(!dog.tick());
    }
    assert!(!c.is_lost());
    data(&c, 1);
    let told: Vec<bool> = (0..STALL_FRAMES + 10).map(|_| dog.tick()).collect();
    assert_eq!(told.iter().filter(|&&t| t).count(), 1, "told once");
    assert!(
        told[STALL_FRAMES as usize],
        "after STALL_FRAMES still frames"
    );
    assert!(c.is_lost());
}
