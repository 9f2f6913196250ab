//! Audio codecs for the softphone (SPEC C3), sans-IO: 16-bit PCM in,
//! payload bytes out and back, plus packet-loss concealment. Nothing here
//! touches an audio device or a socket.
//!
//! [`AudioCodec`] is the interface the media engine drives per 20 ms frame;
//! [`open`] makes one from a negotiated SDP encoding name, clock rate and
//! fmtp. The implementations:
//!
//! - [`Opus`] (RFC 6716/7587, [`opus`]): 48 kHz, in-band FEC, DTX,
//!   settings from the peer's fmtp ([`OpusSettings`]), libopus concealment;
//! - [`G722`] ([`g722`]): 16 kHz wideband at 64 kbit/s, RTP clock 8000;
//! - [`G711`]: PCMU ([`G711::pcmu`]) and PCMA ([`G711::pcma`]) at 8 kHz.
//!
//! G.711 and G.722 share the Appendix I-style concealment of
//! [`g711::G711Plc`] (at 8 and 16 kHz). Telephone-events (RFC 4733) are in
//! [`dtmf`], not behind [`open`].

pub mod dtmf;
pub mod g711;
pub mod g722;
pub mod opus;

pub use self::g722::G722;
pub use self::opus::{Opus, OpusSettings};

use std::fmt;

/// Why a codec refused a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodecError {
    /// The PCM frame is not `samples_per_frame` samples long.
    FrameLength { expected: usize, got: usize },
    /// The payload could not be decoded.
    BadPayload(String),
    /// The codec library failed on valid input (not expected to happen).
    Library(String),
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::FrameLength { expected, got } => {
                write!(f, "PCM frame of {got} samples, expected {expected}")
            }
            CodecError::BadPayload(why) => write!(f, "undecodable payload: {why}"),
            CodecError::Library(why) => write!(f, "codec failure: {why}"),
        }
    }
}

impl std::error::Error for CodecError {}

/// An audio codec as the media engine drives it: one 20 ms frame at a time.
///
/// Output is appended to the caller's buffer so a reused `Vec` never
/// reallocates in steady state.
pub trait AudioCodec: Send {
    /// The SDP encoding name (`PCMU`, `PCMA`, ...).
    fn name(&self) -> &'static str;
    /// The RTP clock rate in Hz.
    fn clock_rate(&self) -> u32;
    /// The PCM sample rate in Hz (equal to the clock rate except for G.722).
    fn sample_rate(&self) -> u32 {
        self.clock_rate()
    }
    /// PCM samples (mono) in one 20 ms frame.
    fn samples_per_frame(&self) -> usize;
    /// Encode one frame of `samples_per_frame` samples, appending to `out`.
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) -> Result<(), CodecError>;
    /// Decode one payload, appending its PCM to `out`. After a loss the start
    /// is blended with the concealment.
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> Result<(), CodecError>;
    /// Append `frames_lost` frames of concealment for packets that never
    /// came, continuing any loss already concealed.
    fn conceal(&mut self, frames_lost: usize, out: &mut Vec<i16>);
    /// Rebuild the frame lost just before `next_payload` from the
    /// redundancy that payload carries (Opus in-band FEC), appending it to
    /// `out`. False when there is none: the caller conceals instead.
    fn recover(&mut self, _next_payload: &[u8], _out: &mut Vec<i16>) -> bool {
        false
    }
    /// Whether `payload`, just encoded, need not be sent (a DTX frame: the
    /// sender skips it and the receiver conceals or plays comfort noise).
    fn skip_sending(&self, _payload: &[u8]) -> bool {
        false
    }
}

impl CodecError {
    /// Ok when `pcm` is one frame of `expected` samples.
    pub fn check_frame(pcm: &[i16], expected: usize) -> Result<(), CodecError> {
        if pcm.len() == expected {
            Ok(())
        } else {
            Err(CodecError::FrameLength {
                expected,
                got: pcm.len(),
            })
        }
    }
}

/// A codec for the SDP encoding `name` (case-insensitive) at `clock_rate`
/// with the peer's `fmtp` parameters: PCMU/8000, PCMA/8000, G722/8000 and
/// opus/48000 (the fmtp sets its encoder, [`OpusSettings::from_fmtp`]; no
/// fmtp at all means RFC 7587's defaults, as an empty one). None for any
/// other name or rate, including telephone-event (see [`dtmf`]).
pub fn open(name: &str, clock_rate: u32, fmtp: Option<&str>) -> Option<Box<dyn AudioCodec>> {
    let codec: Box<dyn AudioCodec> = match (name.to_ascii_uppercase().as_str(), clock_rate) {
        ("PCMU", 8000) => Box::new(G711::pcmu()),
        ("PCMA", 8000) => Box::new(G711::pcma()),
        ("G722", 8000) => Box::new(G722::new()),
        ("OPUS", 48000) => Box::new(Opus::new(OpusSettings::from_fmtp(fmtp.unwrap_or("")))),
        _ => return None,
    };
    Some(codec)
}

/// Which companding law a [`G711`] codec uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    /// µ-law (PCMU, static payload type 0).
    Mu,
    /// A-law (PCMA, static payload type 8).
    A,
}

/// G.711 at 8 kHz, 20 ms frames, with Appendix I-style concealment.
#[derive(Debug, Clone)]
pub struct G711 {
    law: Law,
    plc: g711::G711Plc,
}

/// Samples in 20 ms at 8 kHz.
const G711_FRAME: usize = 160;

impl G711 {
    /// A codec for `law`.
    pub fn new(law: Law) -> Self {
        Self {
            law,
            plc: g711::G711Plc::new(),
        }
    }

    /// PCMU (µ-law).
    pub fn pcmu() -> Self {
        Self::new(Law::Mu)
    }

    /// PCMA (A-law).
    pub fn pcma() -> Self {
        Self::new(Law::A)
    }

    /// The companding law.
    pub fn law(&self) -> Law {
        self.law
    }

    /// The static RTP payload type (RFC 3551): 0 for PCMU, 8 for PCMA.
    pub fn payload_type(&self) -> u8 {
        match self.law {
            Law::Mu => 0,
            Law::A => 8,
        }
    }
}

impl AudioCodec for G711 {
    fn name(&self) -> &'static str {
        match self.law {
            Law::Mu => "PCMU",
            Law::A => "PCMA",
        }
    }

    fn clock_rate(&self) -> u32 {
        8000
    }

    fn samples_per_frame(&self) -> usize {
        G711_FRAME
    }

    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) -> Result<(), CodecError> {
        CodecError::check_frame(pcm, G711_FRAME)?;
        match self.law {
            Law::Mu => g711::encode_ulaw(pcm, out),
            Law::A => g711::encode_alaw(pcm, out),
        }
        Ok(())
    }

    /// Any length is accepted (G.711 is one byte per sample); an empty
    /// payload decodes to nothing.
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> Result<(), CodecError> {
        let start = out.len();
        match self.law {
            Law::Mu => g711::decode_ulaw(payload, out),
            Law::A => g711::decode_alaw(payload, out),
        }
        self.plc.good(&mut out[start..]);
        Ok(())
    }

    fn conceal(&mut self, frames_lost: usize, out: &mut Vec<i16>) {
        for _ in 0..frames_lost {
            let start = out.len();
            out.resize(start + G711_FRAME, 0);
            self.plc.conceal(&mut out[start..]);
        }
    }
}

#[cfg(test)]
mod test_signal;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_rates_and_payload_types() {
        let (u, a) = (G711::pcmu(), G711::pcma());
        assert_eq!((u.name(), u.payload_type(), u.law()), ("PCMU", 0, Law::Mu));
        assert_eq!((a.name(), a.payload_type(), a.law()), ("PCMA", 8, Law::A));
        for c in [&u, &a] {
            assert_eq!(c.clock_rate(), 8000);
            assert_eq!(c.sample_rate(), 8000);
            assert_eq!(c.samples_per_frame(), 160);
        }
    }

    #[test]
    fn frame_round_trip_through_the_trait() {
        for law in [Law::Mu, Law::A] {
            let mut codec: Box<dyn AudioCodec> = Box::new(G711::new(law));
            let pcm: Vec<i16> = (0..160).map(|i| ((i * 200) as i16) - 16000).collect();
            let mut bytes = Vec::new();
            codec.encode(&pcm, &mut bytes).unwrap();
            assert_eq!(bytes.len(), 160);
            let mut back = Vec::new();
            codec.decode(&bytes, &mut back).unwrap();
            assert_eq!(back.len(), 160);
            for (a, b) in pcm.iter().zip(&back) {
                assert!((*a as i32 - *b as i32).abs() <= 1024, "{law:?} {a} {b}");
            }
        }
    }

    #[test]
    fn encode_refuses_a_wrong_frame_length() {
        let mut c = G711::pcmu();
        let mut out = Vec::new();
        assert_eq!(
            c.encode(&[0; 100], &mut out),
            Err(CodecError::FrameLength {
                expected: 160,
                got: 100
            })
        );
        assert!(out.is_empty());
    }

    #[test]
    fn conceal_appends_frames_and_fades_to_silence() {
        let mut c = G711::pcma();
        let tone: Vec<i16> = (0..160)
            .map(|i| (8000.0 * (i as f32 * std::f32::consts::TAU / 40.0).sin()) as i16)
            .collect();
        let mut bytes = Vec::new();
        c.encode(&tone, &mut bytes).unwrap();
        for _ in 0..3 {
            c.decode(&bytes, &mut Vec::new()).unwrap();
        }
        let mut out = Vec::new();
        c.conceal(4, &mut out);
        assert_eq!(out.len(), 640);
        assert!(
            out[..80].iter().any(|&s| s.abs() > 4000),
            "first 10 ms keeps the tone"
        );
        assert!(out[480..].iter().all(|&s| s == 0), "silent after 60 ms");
        // And a good frame afterwards decodes normally.
        let mut back = Vec::new();
        c.decode(&bytes, &mut back).unwrap();
        assert_eq!(back.len(), 160);
    }

    #[test]
    fn open_knows_our_codecs_by_name_and_rate() {
        for (name, rate, sdp_name, sample_rate, frame) in [
            ("PCMU", 8000, "PCMU", 8000, 160),
            ("pcma", 8000, "PCMA", 8000, 160),
            ("G722", 8000, "G722", 16000, 320),
            ("g722", 8000, "G722", 16000, 320),
            ("opus", 48000, "opus", 48000, 960),
            ("OPUS", 48000, "opus", 48000, 960),
        ] {
            let c = open(name, rate, None).unwrap_or_else(|| panic!("{name}/{rate}"));
            assert_eq!(c.name(), sdp_name);
            assert_eq!(c.clock_rate(), rate);
            assert_eq!(
                (c.sample_rate(), c.samples_per_frame()),
                (sample_rate, frame)
            );
        }
        for (name, rate) in [
            ("telephone-event", 8000),
            ("telephone-event", 48000),
            ("PCMU", 16000),
            ("G722", 16000),
            ("opus", 8000),
            ("G729", 8000),
            ("", 8000),
        ] {
            assert!(open(name, rate, Some("0-15")).is_none(), "{name}/{rate}");
        }
    }

    #[test]
    fn open_passes_the_fmtp_to_opus() {
        // usedtx=1 turns DTX on; no fmtp means RFC 7587 defaults (off).
        for (fmtp, dtx) in [(Some("useinbandfec=1; usedtx=1"), true), (None, false)] {
            let mut c = open("opus", 48000, fmtp).unwrap();
            let mut tiny = 0;
            for _ in 0..50 {
                let mut p = Vec::new();
                c.encode(&[0; 960], &mut p).unwrap();
                tiny += usize::from(Opus::is_dtx(&p));
            }
            assert_eq!(tiny > 30, dtx, "{fmtp:?}: {tiny} DTX frames");
        }
    }
}
