use super::*;
use cpal::SupportedStreamConfigRange as Range;

fn range(channels: u16, min: u32, max: u32, format: SampleFormat) -> Range {
    Range::new(
        channels,
        min,
        max,
        SupportedBufferSize::Range { min: 64, max: 8192 },
        format,
    )
}

#[test]
fn prefers_48k_mono_with_a_10_ms_period() {
    let (config, format) = choose_config(
        [
            range(2, 44_100, 44_100, SampleFormat::I16),
            range(2, 8_000, 192_000, SampleFormat::F32),
            range(1, 8_000, 192_000, SampleFormat::I16),
            range(1, 8_000, 192_000, SampleFormat::I24),
        ]
        .into_iter(),
    )
    .unwrap();
    assert_eq!(
        config,
        StreamConfig {
            channels: 1,
            sample_rate: 48_000,
            buffer_size: BufferSize::Fixed(480),
        }
    );
    assert_eq!(format, SampleFormat::I16);
}

#[test]
fn takes_44k1_or_the_nearest_rate_when_48k_is_not_offered() {
    let (config, _) = choose_config(
        [
            range(2, 44_100, 44_100, SampleFormat::I16),
            range(1, 8_000, 16_000, SampleFormat::I16),
        ]
        .into_iter(),
    )
    .unwrap();
    assert_eq!((config.sample_rate, config.channels), (44_100, 2));
    assert_eq!(config.buffer_size, BufferSize::Fixed(441));

    let (config, _) =
        choose_config([range(2, 8_000, 32_000, SampleFormat::U8)].into_iter()).unwrap();
    assert_eq!(config.sample_rate, 32_000);

    let (config, _) =
        choose_config([range(1, 96_000, 96_000, SampleFormat::F32)].into_iter()).unwrap();
    assert_eq!(config.sample_rate, 96_000);
}

#[test]
fn a_period_the_device_cannot_do_is_left_to_it() {
    let r = Range::new(
        1,
        48_000,
        48_000,
        SupportedBufferSize::Range {
            min: 1024,
            max: 4096,
        },
        SampleFormat::F32,
    );
    let (config, _) = choose_config([r].into_iter()).unwrap();
    assert_eq!(config.buffer_size, BufferSize::Default);
    let r = Range::new(
        1,
        48_000,
        48_000,
        SupportedBufferSize::Unknown,
        SampleFormat::F32,
    );
    let (config, _) = choose_config([r].into_iter()).unwrap();
    assert_eq!(config.buffer_size, BufferSize::Default);
}

#[test]
fn nothing_usable_is_none() {
    assert!(choose_config(std::iter::empty()).is_none());
    assert!(choose_config([range(2, 48_000, 48_000, SampleFormat::I24)].into_iter()).is_none());
    assert!(choose_config([range(0, 48_000, 48_000, SampleFormat::I16)].into_iter()).is_none());
}

#[test]
fn a_fallback_reads_as_a_fault_naming_both_devices() {
    let opened = Opened {
        device: (),
        fallback: Some(Fallback {
            wanted: "USB Headset".into(),
            reason: "not found".into(),
        }),
    };
    assert_eq!(
        opened.fallback_fault("Default Audio Device"),
        Some(DeviceFault {
            device: "USB Headset".into(),
            detail: "not found; using “Default Audio Device” instead".into(),
        })
    );
    let plain = Opened {
        device: (),
        fallback: None,
    };
    assert_eq!(plain.fallback_fault("x"), None);
}

#[test]
fn errors_name_the_device_and_the_cause() {
    let e = DeviceError::Open {
        direction: Direction::Input,
        device: "USB Headset".into(),
        detail: "Device or resource busy".into(),
    };
    assert_eq!(
        e.to_string(),
        "the microphone “USB Headset” could not be opened: Device or resource busy"
    );
    assert_eq!(
        DeviceError::NoDefault(Direction::Output).to_string(),
        "there is no default speaker"
    );
}
