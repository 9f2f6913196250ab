//! The SDP offer/answer model (RFC 3264) for one audio stream: Hark's codec
//! list, offers (first, hold and resume re-offers), answers to a peer's
//! offer and reading the peer's answer to ours. Sans-IO: SDP values in,
//! SDP values and a [`Negotiated`] media setup out; the INVITE dialog layer
//! sends them and the media engine consumes [`Negotiated`].
//!
//! Codec choice: the answer takes the first codec in **Hark's** order (the
//! user's configured preference) that the offer also has, and names only
//! that codec (plus telephone-event at its clock rate), so both sides send
//! the same codec. RFC 3264 §6.1 lets the answerer choose; the offerer's
//! order only breaks ties we do not have. Dynamic payload type numbers are
//! the offer's.

use std::net::{IpAddr, SocketAddr};

use super::sdp::{
    Direction, Format, MediaDescription, Origin, RtpMap, SdpError, SessionDescription,
};

/// The audio codecs Hark speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// Opus, `opus/48000/2` (RFC 7587).
    Opus,
    /// G.722, `G722/8000` (its RTP clock is 8000 though it samples at 16 kHz).
    G722,
    /// G.711 µ-law, static payload type 0.
    Pcmu,
    /// G.711 A-law, static payload type 8.
    Pcma,
}

/// What Hark puts in `a=fmtp` for Opus: in-band FEC on. Hark does not ask
/// for DTX (comfort noise in place of steady sound, such as music on hold
/// or a test tone, costs more than the bandwidth it saves), but uses it
/// toward a peer that asks (`usedtx=1`) and plays the DTX streams it gets.
pub const OPUS_FMTP: &str = "useinbandfec=1";
/// Payload types Hark offers for its dynamic formats.
pub const OPUS_PT: u8 = 96;
pub const TELEPHONE_EVENT_8000_PT: u8 = 101;
pub const TELEPHONE_EVENT_48000_PT: u8 = 102;

impl Codec {
    /// The `rtpmap` encoding name.
    pub fn encoding(self) -> &'static str {
        match self {
            Codec::Opus => "opus",
            Codec::G722 => "G722",
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
        }
    }
    /// The RTP clock rate (what `rtpmap` says, 8000 for G.722).
    pub fn clock_rate(self) -> u32 {
        match self {
            Codec::Opus => 48000,
            _ => 8000,
        }
    }
    pub fn channels(self) -> u16 {
        match self {
            Codec::Opus => 2,
            _ => 1,
        }
    }
    /// The payload type Hark offers it with.
    pub fn offer_pt(self) -> u8 {
        match self {
            Codec::Opus => OPUS_PT,
            Codec::G722 => 9,
            Codec::Pcmu => 0,
            Codec::Pcma => 8,
        }
    }
    fn fmtp(self) -> Option<&'static str> {
        (self == Codec::Opus).then_some(OPUS_FMTP)
    }
    /// Whether a peer's format is this codec (name case-insensitive, RTP
    /// clock rate, and for Opus one or two channels, or none said).
    pub fn matches(self, f: &Format) -> bool {
        f.encoding.eq_ignore_ascii_case(self.encoding())
            && f.clock_rate == self.clock_rate()
            && (self != Codec::Opus || f.channels == 2 || f.channels == 1)
    }
}

/// Hark's side of a session: where it receives, what it speaks, and the
/// `o=` line to keep across re-offers (RFC 3264 §8: same id, version + 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalMedia {
    pub addr: IpAddr,
    pub port: u16,
    /// Codecs in order of preference (configurable); never empty in use.
    pub codecs: Vec<Codec>,
    /// Offer/accept telephone-event (RFC 4733).
    pub telephone_event: bool,
    /// What Hark wants: sendrecv, or sendonly while it holds the call.
    pub direction: Direction,
    pub ptime: Option<u32>,
    pub session_id: u64,
    pub session_version: u64,
}

impl LocalMedia {
    /// The default codec order: Opus, G.722, PCMU, PCMA, with
    /// telephone-event, sendrecv, 20 ms.
    pub fn new(addr: IpAddr, port: u16, session_id: u64) -> LocalMedia {
        LocalMedia {
            addr,
            port,
            codecs: vec![Codec::Opus, Codec::G722, Codec::Pcmu, Codec::Pcma],
            telephone_event: true,
            direction: Direction::SendRecv,
            ptime: Some(20),
            session_id,
            session_version: session_id,
        }
    }

    /// The same media for the next offer or answer of the dialog: version
    /// + 1 (call it for every new SDP that differs, RFC 3264 §8).
    pub fn next_version(&self) -> LocalMedia {
        let mut next = self.clone();
        next.session_version = next.session_version.wrapping_add(1);
        next
    }

    /// Hold (RFC 3264 §8.4): `sendonly` from sendrecv, `inactive` from
    /// recvonly; the version goes up.
    pub fn held(&self) -> LocalMedia {
        let mut next = self.next_version();
        next.direction = Direction::from_parts(self.direction.sends(), false);
        next
    }

    /// Resume after [`LocalMedia::held`]: receiving again; version + 1.
    pub fn resumed(&self) -> LocalMedia {
        let mut next = self.next_version();
        next.direction = Direction::from_parts(self.direction.sends(), true);
        next
    }

    fn session(&self, media: Vec<MediaDescription>) -> SessionDescription {
        SessionDescription {
            origin: Origin {
                username: "-".into(),
                session_id: self.session_id,
                session_version: self.session_version,
                net_type: "IN".into(),
                addr_type: if self.addr.is_ipv4() { "IP4" } else { "IP6" }.into(),
                address: self.addr.to_string(),
            },
            session_name: "Hark".into(),
            connection: Some(self.addr),
            direction: None,
            attributes: Vec::new(),
            media,
        }
    }
}

fn audio_section(local: &LocalMedia, port: u16, direction: Direction) -> MediaDescription {
    MediaDescription {
        ptime: local.ptime,
        direction: Some(direction),
        ..MediaDescription::new("audio", port, "RTP/AVP", Vec::new())
    }
}

fn add_format(
    m: &mut MediaDescription,
    pt: u8,
    name: &str,
    rate: u32,
    channels: u16,
    fmtp: Option<&str>,
) {
    m.formats.push(pt.to_string());
    m.rtpmaps.push(RtpMap {
        payload_type: pt,
        encoding: name.into(),
        clock_rate: rate,
        channels: (channels > 1).then_some(channels),
    });
    if let Some(params) = fmtp {
        m.fmtps.push((pt.to_string(), params.into()));
    }
}

/// An offer with one audio stream: Hark's codecs in its order, then
/// telephone-event/48000 (if Opus is offered) and /8000.
pub fn make_offer(local: &LocalMedia) -> SessionDescription {
    let mut m = audio_section(local, local.port, local.direction);
    for &codec in &local.codecs {
        add_format(
            &mut m,
            codec.offer_pt(),
            codec.encoding(),
            codec.clock_rate(),
            codec.channels(),
            codec.fmtp(),
        );
    }
    if local.telephone_event {
        if local.codecs.contains(&Codec::Opus) {
            add_format(
                &mut m,
                TELEPHONE_EVENT_48000_PT,
                "telephone-event",
                48000,
                1,
                Some("0-15"),
            );
        }
        if local.codecs.iter().any(|c| c.clock_rate() == 8000) {
            add_format(
                &mut m,
                TELEPHONE_EVENT_8000_PT,
                "telephone-event",
                8000,
                1,
                Some("0-15"),
            );
        }
    }
    local.session(vec![m])
}

/// A refused offer or answer: the SIP status (488) and reason phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub reason: String,
}

impl Refusal {
    pub fn new(reason: &str) -> Refusal {
        Refusal {
            status: 488,
            reason: reason.into(),
        }
    }
}

impl From<SdpError> for Refusal {
    fn from(e: SdpError) -> Refusal {
        Refusal {
            status: e.status(),
            reason: e.reason().into(),
        }
    }
}

/// The agreed audio setup the media engine needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    pub codec: Codec,
    /// Payload type Hark sends with (the peer's number).
    pub send_pt: u8,
    /// Payload type the peer sends with (Hark's number).
    pub recv_pt: u8,
    /// The peer's `fmtp` for the codec (e.g. whether it wants Opus FEC).
    pub remote_fmtp: Option<String>,
    /// telephone-event at the codec's clock rate: `(send_pt, recv_pt)`.
    pub telephone_event: Option<(u8, u8)>,
    /// Where to send RTP.
    pub remote_rtp: SocketAddr,
    /// Where to send RTCP (`a=rtcp` or RTP port + 1).
    pub remote_rtcp: SocketAddr,
    /// Hark's direction on this stream after the exchange.
    pub direction: Direction,
    pub remote_ptime: Option<u32>,
}

/// Hark's answer to an offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub sdp: SessionDescription,
    pub negotiated: Negotiated,
}

/// The peer's offered direction, with the old RFC 2543 hold (`c=0.0.0.0`)
/// read as "do not send to me".
fn effective_direction(sdp: &SessionDescription, index: usize) -> Direction {
    let d = sdp.direction_for(index);
    match sdp.connection_for(index) {
        Some(addr) if addr.is_unspecified() => Direction::from_parts(d.sends(), false),
        _ => d,
    }
}

/// The telephone-event format at `rate` in `formats`.
fn telephone_event(formats: &[Format], rate: u32) -> Option<&Format> {
    formats
        .iter()
        .find(|f| f.encoding.eq_ignore_ascii_case("telephone-event") && f.clock_rate == rate)
}

fn remote_addrs(
    sdp: &SessionDescription,
    index: usize,
) -> Result<(SocketAddr, SocketAddr), Refusal> {
    let m = &sdp.media[index];
    let addr = sdp
        .connection_for(index)
        .ok_or_else(|| Refusal::new("no connection address"))?;
    let rtcp = m.rtcp_port.unwrap_or(m.port.wrapping_add(1));
    Ok((SocketAddr::new(addr, m.port), SocketAddr::new(addr, rtcp)))
}

/// Whether Hark can take this `m=` section as its audio stream.
fn usable_audio(m: &MediaDescription) -> bool {
    m.port != 0 && m.media.eq_ignore_ascii_case("audio") && m.proto.eq_ignore_ascii_case("RTP/AVP")
}

/// Answers a peer's offer: the first usable audio stream gets Hark's
/// preferred common codec; every other stream (video, a second audio,
/// SRTP/AVPF profiles, port 0) is declined with port 0 (RFC 3264 §6).
/// Refused (488) when no audio stream can be taken.
pub fn answer(offer: &SessionDescription, local: &LocalMedia) -> Result<Answer, Refusal> {
    let mut sections = Vec::with_capacity(offer.media.len());
    let mut negotiated = None;
    let mut refusal = Refusal::new("no audio stream");
    for (index, m) in offer.media.iter().enumerate() {
        if negotiated.is_none() && usable_audio(m) {
            match answer_audio(offer, index, local) {
                Ok((section, n)) => {
                    sections.push(section);
                    negotiated = Some(n);
                    continue;
                }
                Err(r) => refusal = r,
            }
        } else if negotiated.is_none() && m.port != 0 && m.media.eq_ignore_ascii_case("audio") {
            refusal = Refusal::new("unsupported transport");
        }
        sections.push(declined(m));
    }
    let negotiated = negotiated.ok_or(refusal)?;
    Ok(Answer {
        sdp: local.session(sections),
        negotiated,
    })
}

fn declined(m: &MediaDescription) -> MediaDescription {
    MediaDescription::new(&m.media, 0, &m.proto, m.formats.clone())
}

fn answer_audio(
    offer: &SessionDescription,
    index: usize,
    local: &LocalMedia,
) -> Result<(MediaDescription, Negotiated), Refusal> {
    let (remote_rtp, remote_rtcp) = remote_addrs(offer, index)?;
    let formats = offer.media[index].formats();
    let (codec, format) = local
        .codecs
        .iter()
        .find_map(|&c| formats.iter().find(|f| c.matches(f)).map(|f| (c, f)))
        .ok_or_else(|| Refusal::new("no common codec"))?;
    let offered = effective_direction(offer, index);
    let direction = Direction::from_parts(
        offered.receives() && local.direction.sends(),
        offered.sends() && local.direction.receives(),
    );
    let mut section = audio_section(local, local.port, direction);
    let pt = format.payload_type;
    add_format(
        &mut section,
        pt,
        codec.encoding(),
        codec.clock_rate(),
        codec.channels(),
        codec.fmtp(),
    );
    let event = if local.telephone_event {
        telephone_event(&formats, codec.clock_rate())
    } else {
        None
    };
    if let Some(ev) = event {
        add_format(
            &mut section,
            ev.payload_type,
            "telephone-event",
            ev.clock_rate,
            1,
            Some("0-15"),
        );
    }
    let negotiated = Negotiated {
        codec,
        send_pt: pt,
        recv_pt: pt,
        remote_fmtp: format.fmtp.clone(),
        telephone_event: event.map(|e| (e.payload_type, e.payload_type)),
        remote_rtp,
        remote_rtcp,
        direction,
        remote_ptime: offer.media[index].ptime,
    };
    Ok((section, negotiated))
}

/// Reads the peer's answer to Hark's offer (offerer side): the answer must
/// have as many `m=` lines as the offer (RFC 3264 §6), accept the audio
/// stream and pick a codec Hark offered.
pub fn accept_answer(
    our_offer: &SessionDescription,
    answer: &SessionDescription,
) -> Result<Negotiated, Refusal> {
    if answer.media.len() != our_offer.media.len() {
        return Err(Refusal::new("answer does not match the offer"));
    }
    // The audio stream the answer took: the first audio stream offered
    // with a port whose answer has one too.
    let is_audio = |m: &MediaDescription| m.port != 0 && m.media.eq_ignore_ascii_case("audio");
    if !our_offer.media.iter().any(is_audio) {
        return Err(Refusal::new("no audio stream"));
    }
    let index = (0..our_offer.media.len())
        .find(|&i| is_audio(&our_offer.media[i]) && is_audio(&answer.media[i]))
        .ok_or_else(|| Refusal::new("audio stream declined"))?;
    let theirs = &answer.media[index];
    let (remote_rtp, remote_rtcp) = remote_addrs(answer, index)?;
    let ours = our_offer.media[index].formats();
    let answered = theirs.formats();
    let (codec, mine, their) = answered
        .iter()
        .find_map(|f| {
            let codec = [Codec::Opus, Codec::G722, Codec::Pcmu, Codec::Pcma]
                .into_iter()
                .find(|c| c.matches(f))?;
            let mine = ours.iter().find(|o| codec.matches(o))?;
            Some((codec, mine, f))
        })
        .ok_or_else(|| Refusal::new("no common codec"))?;
    let rate = codec.clock_rate();
    let event = telephone_event(&answered, rate)
        .zip(telephone_event(&ours, rate))
        .map(|(t, m)| (t.payload_type, m.payload_type));
    let offered = our_offer.direction_for(index);
    let answered_dir = effective_direction(answer, index);
    let direction = Direction::from_parts(
        offered.sends() && answered_dir.receives(),
        offered.receives() && answered_dir.sends(),
    );
    Ok(Negotiated {
        codec,
        send_pt: their.payload_type,
        recv_pt: mine.payload_type,
        remote_fmtp: their.fmtp.clone(),
        telephone_event: event,
        remote_rtp,
        remote_rtcp,
        direction,
        remote_ptime: theirs.ptime,
    })
}

#[cfg(test)]
#[path = "offer_answer_tests.rs"]
mod tests;
