//! The `[calls]` section: codec order, audio devices, voicemail. Every key
//! is optional; what is absent takes the default.

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
}
