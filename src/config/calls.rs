//! The `[calls]` section: codec order, audio devices, voicemail, call
//! forwarding. Every key is optional; what is absent takes the default.

use serde::{Deserialize, Serialize};

/// Settings of the softphone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallSettings {
    /// Codecs in order of preference, by SDP name (`opus`, `G722`, `PCMU`,
    /// `PCMA`); unknown names are skipped. Default: all, in that order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub codecs: Vec<String>,
    /// The microphone: `default`, a device name, `none`, or for headless
    /// use `tone:<Hz>`, `file:<path.wav>` (once) or `loop:<path.wav>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// The speaker: `default`, a device name, `none` or `file:<path.wav>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// Where incoming calls ring: `default`, a device name or `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ringer: Option<String>,
    /// The voicemail pilot (`sip:voicemail@example.com`), for forwarding a
    /// call to voicemail and calling it from the indicator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voicemail: Option<String>,
    /// Answer every incoming call at once (for bots and tests).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_answer: Option<bool>,
    /// Echo cancellation, noise suppression and gain control on sound
    /// devices (`[calls.audio_processing]`; all on by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_processing: Option<crate::audio::dsp::DspSettings>,
    /// Call forwarding (`[calls.forwarding]`).
    #[serde(skip_serializing_if = "Forwarding::is_off")]
    pub forwarding: Forwarding,
}

/// Where incoming calls go instead of ringing here (answered with a 302
/// to the target, so the caller's phone or server places the new call).
/// Targets are addresses or numbers, as for `call`; empty means off.
/// Do not disturb overrides all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Forwarding {
    /// Every call, at once; the contacts see "Forwarded".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub always: Option<String>,
    /// Calls that come while another call is in progress.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub busy: Option<String>,
    /// Calls not answered within `no_answer_seconds`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_answer: Option<String>,
    /// How long a call rings before it goes to `no_answer` (default 20 s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_answer_seconds: Option<u32>,
}

impl Forwarding {
    /// The default ring time before forwarding on no answer.
    pub const DEFAULT_NO_ANSWER_SECONDS: u32 = 20;

    fn target(t: &Option<String>) -> Option<&str> {
        t.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }

    /// Where every call goes, when unconditional forwarding is on.
    pub fn always(&self) -> Option<&str> {
        Self::target(&self.always)
    }

    /// Where calls go while another call is in progress.
    pub fn busy(&self) -> Option<&str> {
        Self::target(&self.busy)
    }

    /// Where an unanswered call goes, and after how long (1-600 s).
    pub fn no_answer(&self) -> Option<(&str, std::time::Duration)> {
        let secs = self
            .no_answer_seconds
            .unwrap_or(Self::DEFAULT_NO_ANSWER_SECONDS)
            .clamp(1, 600);
        Self::target(&self.no_answer).map(|t| (t, std::time::Duration::from_secs(secs.into())))
    }

    /// Nothing is forwarded.
    pub fn is_off(&self) -> bool {
        self.always().is_none() && self.busy().is_none() && self.no_answer().is_none()
    }
}

impl CallSettings {
    /// The codec order, with the default when none is set or none is known.
    pub fn codec_order(&self) -> Vec<crate::media::offer_answer::Codec> {
        use crate::media::offer_answer::Codec;
        let all = [Codec::Opus, Codec::G722, Codec::Pcmu, Codec::Pcma];
        let mut order: Vec<Codec> = vec![];
        for name in &self.codecs {
            if let Some(c) = all
                .iter()
                .find(|c| c.encoding().eq_ignore_ascii_case(name.trim()))
            {
                if !order.contains(c) {
                    order.push(*c);
                }
            }
        }
        if order.is_empty() {
            order = all.to_vec();
        }
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::offer_answer::Codec;

    #[test]
    fn codec_order_from_names() {
        let mut s = CallSettings::default();
        assert_eq!(s.codec_order().len(), 4);
        s.codecs = vec![
            "pcmu".into(),
            "nonsense".into(),
            "OPUS".into(),
            "PCMU".into(),
        ];
        assert_eq!(s.codec_order(), vec![Codec::Pcmu, Codec::Opus]);
        s.codecs = vec!["nonsense".into()];
        assert_eq!(s.codec_order()[0], Codec::Opus);
    }

    #[test]
    fn parses_from_toml() {
        let s: CallSettings = toml::from_str(
            "codecs = [\"PCMA\"]\ninput = \"tone:440\"\noutput = \"file:/tmp/x.wav\"\nauto_answer = true\n",
        )
        .unwrap();
        assert_eq!(s.input.as_deref(), Some("tone:440"));
        assert_eq!(s.auto_answer, Some(true));
    }

    #[test]
    fn forwarding_targets_ignore_blanks_and_clamp_the_ring_time() {
        let s: CallSettings = toml::from_str(
            "[forwarding]\nalways = \"  \"\nbusy = \"sip:desk@x\"\nno_answer = \"100\"\nno_answer_seconds = 0\n",
        )
        .unwrap();
        let f = &s.forwarding;
        assert_eq!(f.always(), None);
        assert_eq!(f.busy(), Some("sip:desk@x"));
        assert_eq!(
            f.no_answer(),
            Some(("100", std::time::Duration::from_secs(1)))
        );
        assert!(!f.is_off());
        assert!(Forwarding::default().is_off());
        let text = toml::to_string(&CallSettings::default()).unwrap();
        assert!(!text.contains("forwarding"), "{text}");
    }
}
