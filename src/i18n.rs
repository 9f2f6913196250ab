//! Translations: the Fluent files under `i18n/<lang>/hark.ftl`, embedded in
//! the binary, and the choice of language (explicit request, `HARK_LANG`,
//! system locale, else American English). Every user-facing string goes
//! through [`I18n::tr`] or [`I18n::tr_args`]; a message missing in the chosen
//! language falls back to English, then to its id, and never panics.

use std::sync::Arc;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

pub use fluent_bundle::FluentValue;

/// Environment variable that picks the language when the caller does not.
pub const LANG_ENV: &str = "HARK_LANG";

/// A language Hark ships translations for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    EnUs,
    De,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::EnUs, Language::De];

    /// The BCP 47 tag, also the folder name under `i18n/`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::EnUs => "en-US",
            Language::De => "de",
        }
    }

    /// The embedded Fluent source.
    pub fn source(self) -> &'static str {
        match self {
            Language::EnUs => include_str!("../i18n/en-US/hark.ftl"),
            Language::De => include_str!("../i18n/de/hark.ftl"),
        }
    }

    /// The supported language that fits a tag such as `de`, `de-AT`,
    /// `de_DE.UTF-8` or `en-GB`; `None` for anything else (`C`, `fr`).
    pub fn from_tag(tag: &str) -> Option<Language> {
        let tag = tag.trim();
        let tag = tag
            .split(['.', '@'])
            .next()
            .unwrap_or(tag)
            .replace('_', "-");
        if tag.is_empty() {
            return None;
        }
        let id: LanguageIdentifier = tag.parse().ok()?;
        match id.language.as_str() {
            "en" => Some(Language::EnUs),
            "de" => Some(Language::De),
            _ => None,
        }
    }

    fn identifier(self) -> LanguageIdentifier {
        self.tag().parse().unwrap_or_default()
    }
}

/// The loaded translations; cheap to clone and shareable between threads.
#[derive(Clone)]
pub struct I18n {
    inner: Arc<Inner>,
}

struct Inner {
    language: Language,
    bundle: FluentBundle<FluentResource>,
    /// English, when `bundle` is another language.
    fallback: Option<FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("I18n")
            .field("language", &self.inner.language)
            .finish()
    }
}

impl Default for I18n {
    fn default() -> Self {
        I18n::for_language(Language::EnUs)
    }
}

impl I18n {
    /// Picks the language from, in order: `requested` (typically the config's
    /// `ui.language`), the `HARK_LANG` environment variable, the system
    /// locales; the first one Hark has translations for wins, else en-US.
    pub fn new(requested: Option<&str>) -> I18n {
        let env = std::env::var(LANG_ENV).ok();
        let language = requested
            .into_iter()
            .chain(env.as_deref())
            .find_map(Language::from_tag)
            .or_else(|| sys_locale::get_locales().find_map(|l| Language::from_tag(&l)))
            .unwrap_or_default();
        I18n::for_language(language)
    }

    /// Translations for exactly this language.
    pub fn for_language(language: Language) -> I18n {
        let fallback = (language != Language::EnUs).then(|| bundle(Language::EnUs));
        I18n {
            inner: Arc::new(Inner {
                language,
                bundle: bundle(language),
                fallback,
            }),
        }
    }

    /// The language in use.
    pub fn language(&self) -> Language {
        self.inner.language
    }

    /// The message `id` without arguments.
    pub fn tr(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with named arguments, e.g.
    /// `i18n.tr_args("failure-timeout", &[("account", "alice@example.com".into())])`.
    pub fn tr_args(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        self.format(id, Some(&fluent_args))
    }

    /// True when the chosen language or the English fallback has `id`.
    pub fn has(&self, id: &str) -> bool {
        self.bundles().any(|b| b.has_message(id))
    }

    fn bundles(&self) -> impl Iterator<Item = &FluentBundle<FluentResource>> {
        std::iter::once(&self.inner.bundle).chain(self.inner.fallback.as_ref())
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        for bundle in self.bundles() {
            let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, args, &mut errors);
            if !errors.is_empty() {
                tracing::warn!(id, ?errors, "translation could not be formatted fully");
            }
            return text.into_owned();
        }
        tracing::warn!(id, "no translation for this message id");
        id.to_string()
    }
}

fn bundle(language: Language) -> FluentBundle<FluentResource> {
    let resource = match FluentResource::try_new(language.source().to_string()) {
        Ok(resource) => resource,
        Err((resource, errors)) => {
            tracing::error!(
                lang = language.tag(),
                ?errors,
                "translation file has errors"
            );
            resource
        }
    };
    let mut bundle = FluentBundle::new_concurrent(vec![language.identifier()]);
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(
            lang = language.tag(),
            ?errors,
            "translation file has duplicate ids"
        );
    }
    bundle
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// Message id -> the `$variables` it uses, read from a Fluent source.
    fn messages(source: &str) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut current: Option<String> = None;
        for line in source.lines() {
            let is_id_start = line.starts_with(|c: char| c.is_ascii_alphabetic());
            if is_id_start {
                let id = line.split('=').next().unwrap_or("").trim().to_string();
                assert!(
                    id.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                    "odd message line: {line:?}"
                );
                out.entry(id.clone()).or_default();
                current = Some(id);
            } else if line.starts_with('#') || line.trim().is_empty() {
                current = None;
                continue;
            }
            if let Some(id) = &current {
                let mut rest = line;
                while let Some(pos) = rest.find('$') {
                    let name: String = rest[pos + 1..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect();
                    out.get_mut(id).unwrap().insert(name);
                    rest = &rest[pos + 1..];
                }
            }
        }
        out
    }

    #[test]
    fn every_file_parses() {
        for lang in Language::ALL {
            if let Err((_, errors)) = FluentResource::try_new(lang.source().to_string()) {
                panic!("{}: {errors:?}", lang.tag());
            }
        }
    }

    #[test]
    fn every_language_has_every_english_id_with_the_same_variables() {
        let english = messages(Language::EnUs.source());
        assert!(english.len() > 20, "parser found too few ids");
        for lang in Language::ALL {
            let other = messages(lang.source());
            let i18n = I18n::for_language(lang);
            for (id, vars) in &english {
                assert!(other.contains_key(id), "{} lacks {id}", lang.tag());
                assert!(
                    i18n.inner.bundle.has_message(id),
                    "{} lacks {id}",
                    lang.tag()
                );
                assert_eq!(
                    &other[id],
                    vars,
                    "{}: {id} uses other variables",
                    lang.tag()
                );
            }
            let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(
                extra.is_empty(),
                "{} has ids English lacks: {extra:?}",
                lang.tag()
            );
        }
    }

    #[test]
    fn override_picks_german() {
        let i18n = I18n::new(Some("de"));
        assert_eq!(i18n.language(), Language::De);
        assert_eq!(i18n.tr("main-quit"), "Beenden");
        assert_eq!(I18n::new(Some("de_AT.UTF-8")).language(), Language::De);
    }

    #[test]
    fn parses_tags() {
        assert_eq!(Language::from_tag("en-GB"), Some(Language::EnUs));
        assert_eq!(Language::from_tag("de-CH"), Some(Language::De));
        assert_eq!(Language::from_tag("fr"), None);
        assert_eq!(Language::from_tag("C"), None);
        assert_eq!(Language::from_tag(""), None);
    }

    #[test]
    fn arguments_have_no_isolation_marks() {
        let i18n = I18n::for_language(Language::EnUs);
        let text = i18n.tr_args(
            "failure-wrong-password",
            &[("account", "alice@hark.test".into())],
        );
        assert_eq!(
            text,
            "The server did not accept the password for alice@hark.test. Check the password."
        );
        let text = i18n.tr_args(
            "state-retrying",
            &[("seconds", 8.into()), ("reason", "x".into())],
        );
        assert_eq!(text, "Retrying in 8 s: x");
    }

    #[test]
    fn missing_ids_fall_back_without_panicking() {
        let i18n = I18n::for_language(Language::De);
        assert_eq!(i18n.tr("no-such-message"), "no-such-message");
        assert_eq!(
            i18n.tr_args("no-such-message", &[("x", "y".into())]),
            "no-such-message"
        );
        // A missing argument still gives text.
        assert!(i18n.tr("failure-wrong-password").starts_with("Der Server"));
    }
}
