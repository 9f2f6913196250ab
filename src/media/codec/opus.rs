//! Opus (RFC 6716) for the softphone, as RTP carries it (RFC 7587): 48 kHz
//! mono PCM in 20 ms frames of 960 samples, RTP clock 48000, SDP
//! `opus/48000/2` (we send mono; a stereo stream from the peer is downmixed
//! by the decoder).
//!
//! This module owns the encoder settings (VoIP application, in-band FEC,
//! DTX, bitrate, complexity), their derivation from the peer's `a=fmtp`
//! ([`OpusSettings::from_fmtp`]), and the [`AudioCodec`] glue over libopus
//! (the `opus` crate): decoding of any packet duration up to 120 ms,
//! libopus concealment for lost frames, and recovery of a lost frame from
//! the in-band FEC (LBRR) data of the packet after it.
//!
//! DTX: with [`OpusSettings::dtx`] on, libopus encodes frames in long
//! silences as packets of one or two bytes that need not be sent
//! ([`Opus::is_dtx`]); the caller skips them with `RtpSender::skip_frames`
//! and the peer conceals the gap (RFC 7587 §3.1.3).

use super::{AudioCodec, CodecError};

/// PCM sample rate and RTP clock rate.
const RATE: u32 = 48_000;
/// PCM samples in 20 ms at 48 kHz.
const FRAME: usize = 960;
/// PCM samples in the longest Opus packet (120 ms).
const MAX_PACKET_SAMPLES: usize = 6 * FRAME;
/// Largest payload of one 20 ms frame (RFC 6716 §3.2.1: 1275 bytes per
/// frame, plus a TOC byte and padding headroom).
const MAX_FRAME_BYTES: usize = 1276;
/// Largest payload accepted for decoding: 120 ms of 2.5 ms frames at the
/// maximum frame size is far less than this; anything longer is garbage.
const MAX_PAYLOAD_BYTES: usize = 48 * 1275 + 100;
/// Encoded frames of at most this many bytes are DTX: not to be sent.
pub const DTX_MAX_BYTES: usize = 2;

/// How the encoder runs. [`Default`] is our preference for wideband voice;
/// [`OpusSettings::from_fmtp`] applies what the peer's SDP asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpusSettings {
    /// Target average bitrate in bit/s (clamped to 6000..=510000).
    pub bitrate: u32,
    /// In-band FEC: each packet carries a low-bitrate copy of the previous
    /// frame, which the peer decodes when that frame was lost.
    pub fec: bool,
    /// Expected packet loss in percent (0..=100); drives how much FEC
    /// libopus spends bits on. Zero disables the FEC copies in libopus.
    pub expected_loss_percent: u8,
    /// Discontinuous transmission: near-empty packets in silence.
    pub dtx: bool,
    /// Constant bitrate instead of (constrained) variable bitrate.
    pub cbr: bool,
    /// Encoder complexity, 0..=10 (higher: better quality, more CPU).
    pub complexity: u8,
    /// Highest audio sample rate worth encoding, in Hz: the peer's
    /// `maxplaybackrate`. Caps the audio bandwidth (16000: wideband).
    pub max_playback_rate: u32,
}

impl Default for OpusSettings {
    /// 32 kbit/s, FEC for 10 % loss, DTX on, complexity 5, full band.
    ///
    /// 32 kbit/s gives libopus room for full-band (hybrid) speech plus the
    /// FEC copy. Complexity 5 costs about 1.4 % of a core to encode and
    /// 0.3 % to decode (release build, one EPYC core); libopus's default
    /// of 10 costs about twice as much to encode for a hardly audible gain
    /// on speech.
    fn default() -> Self {
        Self {
            bitrate: 32_000,
            fec: true,
            expected_loss_percent: 10,
            dtx: true,
            cbr: false,
            complexity: 5,
            max_playback_rate: RATE,
        }
    }
}

impl OpusSettings {
    /// Settings for sending to a peer whose `a=fmtp` parameters for Opus
    /// are `fmtp` (e.g. `"useinbandfec=1; maxaveragebitrate=20000"`),
    /// starting from [`Default`]:
    ///
    /// - `useinbandfec`, `usedtx`, `cbr`: 1 turns the feature on, anything
    ///   else or absence turns it off (RFC 7587 §6.1: the default is 0);
    /// - `maxaveragebitrate` lowers (never raises) the bitrate;
    /// - `maxplaybackrate` caps the encoded bandwidth;
    /// - `stereo`, `sprop-stereo`, `sprop-maxcapturerate`, `ptime`,
    ///   `minptime`, `maxptime` and unknown parameters are ignored (we
    ///   always send mono 20 ms frames).
    ///
    /// Malformed values are ignored: fmtp parameters are hints and never
    /// make negotiation fail.
    pub fn from_fmtp(fmtp: &str) -> Self {
        let mut s = Self {
            fec: false,
            dtx: false,
            ..Self::default()
        };
        for param in fmtp.split(';') {
            let Some((key, value)) = param.split_once('=') else {
                continue;
            };
            let (key, value) = (key.trim(), value.trim());
            let flag = value == "1";
            let number = value.parse::<u32>().ok();
            match key.to_ascii_lowercase().as_str() {
                "useinbandfec" => s.fec = flag,
                "usedtx" => s.dtx = flag,
                "cbr" => s.cbr = flag,
                "maxaveragebitrate" => {
                    if let Some(max) = number {
                        s.bitrate = s.bitrate.min(max);
                    }
                }
                "maxplaybackrate" => {
                    if let Some(rate) = number {
                        s.max_playback_rate = rate;
                    }
                }
                _ => {}
            }
        }
        s
    }

    /// The widest Opus audio bandwidth worth sending under
    /// [`OpusSettings::max_playback_rate`].
    pub fn max_bandwidth(&self) -> opus::Bandwidth {
        match self.max_playback_rate {
            0..=8_000 => opus::Bandwidth::Narrowband,
            8_001..=12_000 => opus::Bandwidth::Mediumband,
            12_001..=16_000 => opus::Bandwidth::Wideband,
            16_001..=24_000 => opus::Bandwidth::Superwideband,
            _ => opus::Bandwidth::Fullband,
        }
    }
}

/// An Opus encoder and decoder pair: 48 kHz mono, 20 ms frames.
#[derive(Debug)]
pub struct Opus {
    settings: OpusSettings,
    encoder: opus::Encoder,
    decoder: opus::Decoder,
    /// Decoder output before it is appended (120 ms).
    scratch: Vec<i16>,
}

impl Default for Opus {
    fn default() -> Self {
        Self::new(OpusSettings::default())
    }
}

fn library(e: opus::Error) -> CodecError {
    CodecError::Library(format!("opus: {e}"))
}

fn bad(e: opus::Error) -> CodecError {
    CodecError::BadPayload(format!("opus: {e}"))
}

impl Opus {
    /// A codec with `settings` (out-of-range values are clamped).
    pub fn new(settings: OpusSettings) -> Self {
        // Creation fails only on invalid arguments (ours are constant and
        // valid) or allocation failure.
        let encoder = opus::Encoder::new(RATE, opus::Channels::Mono, opus::Application::Voip)
            .expect("libopus encoder: 48 kHz mono VoIP");
        let decoder =
            opus::Decoder::new(RATE, opus::Channels::Mono).expect("libopus decoder: 48 kHz mono");
        let mut codec = Self {
            settings,
            encoder,
            decoder,
            scratch: vec![0; MAX_PACKET_SAMPLES],
        };
        codec.apply(settings);
        codec
    }

    /// The settings in force (after clamping).
    pub fn settings(&self) -> OpusSettings {
        self.settings
    }

    /// Change the encoder settings mid-call (e.g. the expected loss from
    /// RTCP reports); the decoder is unaffected.
    pub fn apply(&mut self, settings: OpusSettings) {
        let s = OpusSettings {
            bitrate: settings.bitrate.clamp(6_000, 510_000),
            expected_loss_percent: settings.expected_loss_percent.min(100),
            complexity: settings.complexity.min(10),
            ..settings
        };
        self.settings = s;
        let e = &mut self.encoder;
        // Every value is in range, so libopus accepts each of these.
        let result = e
            .set_signal(opus::Signal::Voice)
            .and_then(|()| e.set_bitrate(opus::Bitrate::Bits(s.bitrate as i32)))
            .and_then(|()| e.set_vbr(!s.cbr))
            .and_then(|()| e.set_inband_fec(s.fec))
            .and_then(|()| e.set_packet_loss_perc(s.expected_loss_percent.into()))
            .and_then(|()| e.set_dtx(s.dtx))
            .and_then(|()| e.set_complexity(s.complexity.into()))
            .and_then(|()| e.set_max_bandwidth(s.max_bandwidth()));
        debug_assert!(result.is_ok(), "opus settings {s:?}: {result:?}");
    }

    /// Whether an encoded payload is a DTX frame that need not be sent
    /// (libopus: one or two bytes). Skip it with
    /// `RtpSender::skip_frames(1)` instead of sending.
    pub fn is_dtx(payload: &[u8]) -> bool {
        payload.len() <= DTX_MAX_BYTES
    }

    /// Whether `payload` carries in-band FEC (LBRR) data for the frame
    /// before it, as libopus's `opus_packet_has_lbrr` reads it: the LBRR
    /// flag that follows the voice-activity flags at the start of the first
    /// SILK frame. CELT-only packets never do.
    pub fn has_fec(payload: &[u8]) -> bool {
        let Some(&toc) = payload.first() else {
            return false;
        };
        // Configurations 16..=31 are CELT-only.
        if toc >> 3 >= 16 || payload.len() > MAX_PAYLOAD_BYTES {
            return false;
        }
        let Ok(packet) = opus::packet::parse(payload) else {
            return false;
        };
        let Some(&first) = packet.frames.first().and_then(|f| f.first()) else {
            return false;
        };
        let per_frame = opus::packet::get_samples_per_frame(payload, RATE).unwrap_or(FRAME);
        // SILK frames of 20 ms per Opus frame (10 ms frames count as one).
        let silk_frames = (per_frame / FRAME).clamp(1, 3) as u32;
        let stereo = toc & 0x04 != 0;
        let mid = (first >> (7 - silk_frames)) & 1 == 1;
        let side = stereo && (first >> (6 - 2 * silk_frames)) & 1 == 1;
        mid || side
    }
}

impl AudioCodec for Opus {
    fn name(&self) -> &'static str {
        "opus"
    }

    fn clock_rate(&self) -> u32 {
        RATE
    }

    fn skip_sending(&self, payload: &[u8]) -> bool {
        Opus::is_dtx(payload)
    }

    fn samples_per_frame(&self) -> usize {
        FRAME
    }

    /// Appends one Opus packet. With DTX on, an appended payload of at most
    /// [`DTX_MAX_BYTES`] bytes ([`Opus::is_dtx`]) need not be sent.
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) -> Result<(), CodecError> {
        CodecError::check_frame(pcm, FRAME)?;
        let start = out.len();
        out.resize(start + MAX_FRAME_BYTES, 0);
        match self.encoder.encode(pcm, &mut out[start..]) {
            Ok(n) => {
                out.truncate(start + n);
                Ok(())
            }
            Err(e) => {
                out.truncate(start);
                Err(library(e))
            }
        }
    }

    /// Decodes one Opus packet of any duration up to 120 ms, appending all
    /// its samples (a 60 ms packet appends 2880). Empty, oversized or
    /// malformed payloads are [`CodecError::BadPayload`]. libopus keeps its
    /// state across a loss, so the first frame after concealment is
    /// continuous with it.
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> Result<(), CodecError> {
        if payload.is_empty() {
            // The opus crate would take an empty slice as a lost packet.
            return Err(CodecError::BadPayload("empty Opus packet".into()));
        }
        if payload.len() > MAX_PAYLOAD_BYTES {
            return Err(CodecError::BadPayload(format!(
                "Opus packet of {} bytes",
                payload.len()
            )));
        }
        let n = self
            .decoder
            .decode(payload, &mut self.scratch, false)
            .map_err(bad)?;
        out.extend_from_slice(&self.scratch[..n]);
        Ok(())
    }

    /// libopus packet-loss concealment, 960 samples per lost frame; it
    /// fades towards comfort noise on long losses.
    fn conceal(&mut self, frames_lost: usize, out: &mut Vec<i16>) {
        for _ in 0..frames_lost {
            let frame = &mut self.scratch[..FRAME];
            let n = self.decoder.decode(&[], frame, false).unwrap_or(0);
            // libopus always fills the frame; pad with silence if not.
            frame[n.min(FRAME)..].fill(0);
            out.extend_from_slice(frame);
        }
    }

    /// Decodes the FEC (LBRR) copy in `next_payload` of the frame lost just
    /// before it, appending max(20 ms, `next_payload`'s duration) of audio.
    /// False, appending nothing, when the packet carries no FEC (FEC off at
    /// the sender, CELT-only mode, or garbage). Decode `next_payload` itself
    /// with [`AudioCodec::decode`] afterwards.
    fn recover(&mut self, next_payload: &[u8], out: &mut Vec<i16>) -> bool {
        if !Self::has_fec(next_payload) {
            return false;
        }
        let duration = opus::packet::get_nb_samples(next_payload, RATE).unwrap_or(FRAME);
        let frame = &mut self.scratch[..duration.clamp(FRAME, MAX_PACKET_SAMPLES)];
        match self.decoder.decode(next_payload, frame, true) {
            Ok(n) if n > 0 => {
                out.extend_from_slice(&frame[..n.min(frame.len())]);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
#[path = "opus_tests.rs"]
mod tests;
