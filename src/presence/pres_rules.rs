//! Presence authorisation rules: common-policy (RFC 4745) with the
//! pres-rules extensions (RFC 5025), `application/auth-policy+xml`, stored
//! over XCAP in `pres-rules/users/<xui>/index`.
//!
//! [`parse`]/[`build`] keep every rule, condition, action and
//! transformation Hark does not understand. [`set_watcher`] records the
//! user's decision about one watcher; [`Ruleset::handling_for`] answers
//! what the rules say about a watcher under RFC 4745 combining (the most
//! permissive matching `sub-handling` wins).
//!
//! Written so that Kamailio's presence_xml (xcap_auth.c) enforces the same
//! decision: it takes the *first* rule in document order whose identity
//! matches, compares `<one id>` byte for byte with `sip:user@domain`, needs
//! `<conditions>` in every rule, ignores `<except id>` (length bug) and
//! reads `sub-handling` by prefix. So Hark's own rules carry one `<one>` per
//! watcher, no white space around the sub-handling value, come first in the
//! ruleset, and a watcher moved out of a `<many>` rule gets an `<except>`
//! there as well for standard servers.

use super::xml::{self, Attribute, Element, XmlError};

/// `urn:ietf:params:xml:ns:common-policy`.
pub const COMMON_POLICY_NS: &str = "urn:ietf:params:xml:ns:common-policy";
/// `urn:ietf:params:xml:ns:pres-rules`.
pub const PRES_RULES_NS: &str = "urn:ietf:params:xml:ns:pres-rules";
/// `urn:oma:xml:xdm:common-policy` (OMA extensions, e.g. `<other-identity>`).
pub const OMA_COMMON_POLICY_NS: &str = "urn:oma:xml:xdm:common-policy";
/// MIME type of a pres-rules document.
pub const AUTH_POLICY_MIME: &str = "application/auth-policy+xml";

const CP: &str = COMMON_POLICY_NS;
const PR: &str = PRES_RULES_NS;
const PREFIXES: &[(&str, &str)] = &[(CP, "cp"), (PR, "pr")];

/// What to do with a subscription (RFC 5025 §3.2.1), least permissive
/// first: the derived order is the RFC's combining order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubHandling {
    Block,
    Confirm,
    PoliteBlock,
    Allow,
}

impl SubHandling {
    pub fn as_str(self) -> &'static str {
        match self {
            SubHandling::Block => "block",
            SubHandling::Confirm => "confirm",
            SubHandling::PoliteBlock => "polite-block",
            SubHandling::Allow => "allow",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.trim() {
            "block" => SubHandling::Block,
            "confirm" => SubHandling::Confirm,
            "polite-block" => SubHandling::PoliteBlock,
            "allow" => SubHandling::Allow,
            _ => return None,
        })
    }

    /// Id of the rule Hark keeps for this handling.
    pub fn hark_rule_id(self) -> &'static str {
        match self {
            SubHandling::Block => "hark_block",
            SubHandling::Confirm => "hark_confirm",
            SubHandling::PoliteBlock => "hark_polite_block",
            SubHandling::Allow => "hark_allow",
        }
    }
}

/// `<except id=...>` or `<except domain=...>` inside `<many>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Except {
    Id(String),
    Domain(String),
}

/// `<many>`: everyone, or everyone in `domain`, except some.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Many {
    pub domain: Option<String>,
    pub except: Vec<Except>,
}

/// `<identity>`: matches when any `<one>` or `<many>` matches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identity {
    pub one: Vec<String>,
    pub many: Vec<Many>,
    /// Children other than `<one>` and `<many>`.
    pub others: Vec<Element>,
}

/// A `<from>`/`<until>` pair of `<validity>`, as xs:dateTime text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidityPeriod {
    pub from: String,
    pub until: String,
}

/// `<conditions>`: every present condition must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Conditions {
    /// None: any identity.
    pub identity: Option<Identity>,
    /// Empty: always valid.
    pub validity: Vec<ValidityPeriod>,
    /// `<sphere value=...>`.
    pub sphere: Option<String>,
    pub others: Vec<Element>,
}

/// `<actions>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Actions {
    pub sub_handling: Option<SubHandling>,
    pub others: Vec<Element>,
}

/// One `<rule>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    pub id: String,
    pub conditions: Conditions,
    pub actions: Actions,
    /// Children of `<transformations>` (`provide-*`), kept as they are.
    pub transformations: Vec<Element>,
    pub other_attrs: Vec<Attribute>,
    pub others: Vec<Element>,
}

/// A whole `<ruleset>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ruleset {
    pub rules: Vec<Rule>,
    pub other_attrs: Vec<Attribute>,
    /// Children other than `<rule>`.
    pub others: Vec<Element>,
}

/// Why a pres-rules document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresRulesError {
    #[error(transparent)]
    Xml(#[from] XmlError),
}

/// Parse a pres-rules (or any common-policy) document.
pub fn parse(bytes: &[u8]) -> Result<Ruleset, PresRulesError> {
    let root = xml::parse_root(bytes, CP, "ruleset")?;
    let mut ruleset = Ruleset {
        other_attrs: root.attrs.clone(),
        ..Default::default()
    };
    for child in root.children {
        if child.is(CP, "rule") {
            ruleset.rules.push(rule_from(&child));
        } else {
            ruleset.others.push(child);
        }
    }
    Ok(ruleset)
}

fn rule_from(element: &Element) -> Rule {
    let mut rule = Rule {
        id: element.attr("id").unwrap_or_default().to_owned(),
        other_attrs: element
            .attrs
            .iter()
            .filter(|a| !(a.ns.is_empty() && a.name == "id"))
            .cloned()
            .collect(),
        ..Default::default()
    };
    let (mut conditions, mut actions, mut transformations) = (false, false, false);
    for child in &element.children {
        match child.name.as_str() {
            "conditions" if child.ns == CP && !conditions => {
                conditions = true;
                rule.conditions = conditions_from(child);
            }
            "actions" if child.ns == CP && !actions => {
                actions = true;
                for action in &child.children {
                    let handling = SubHandling::parse(&action.text);
                    match handling {
                        Some(h)
                            if action.is(PR, "sub-handling")
                                && rule.actions.sub_handling.is_none() =>
                        {
                            rule.actions.sub_handling = Some(h)
                        }
                        _ => rule.actions.others.push(action.clone()),
                    }
                }
            }
            "transformations" if child.ns == CP && !transformations => {
                transformations = true;
                rule.transformations = child.children.clone();
            }
            _ => rule.others.push(child.clone()),
        }
    }
    rule
}

fn conditions_from(element: &Element) -> Conditions {
    let mut conditions = Conditions::default();
    for child in &element.children {
        match (child.ns.as_str(), child.name.as_str()) {
            (CP, "identity") if conditions.identity.is_none() => {
                conditions.identity = Some(identity_from(child));
            }
            (CP, "validity") if conditions.validity.is_empty() => {
                let mut from = None;
                for time in &child.children {
                    if time.is(CP, "from") {
                        from = Some(time.trimmed_text().to_owned());
                    } else if let (true, Some(from)) = (time.is(CP, "until"), from.take()) {
                        conditions.validity.push(ValidityPeriod {
                            from,
                            until: time.trimmed_text().to_owned(),
                        });
                    }
                }
            }
            (CP, "sphere") if conditions.sphere.is_none() && child.attr("value").is_some() => {
                conditions.sphere = child.attr("value").map(str::to_owned);
            }
            _ => conditions.others.push(child.clone()),
        }
    }
    conditions
}

fn identity_from(element: &Element) -> Identity {
    let mut identity = Identity::default();
    for child in &element.children {
        match (child.ns.as_str(), child.name.as_str(), child.attr("id")) {
            (CP, "one", Some(id)) => identity.one.push(id.trim().to_owned()),
            (CP, "many", _) => identity.many.push(Many {
                domain: child.attr("domain").map(|d| d.trim().to_owned()),
                except: child
                    .children_named(CP, "except")
                    .filter_map(|e| match (e.attr("id"), e.attr("domain")) {
                        (Some(id), _) => Some(Except::Id(id.trim().to_owned())),
                        (None, Some(domain)) => Some(Except::Domain(domain.trim().to_owned())),
                        (None, None) => None,
                    })
                    .collect(),
            }),
            _ => identity.others.push(child.clone()),
        }
    }
    identity
}

/// Write a pres-rules document. Every rule gets a `<conditions>` element
/// (Kamailio stops evaluating at a rule without one).
pub fn build(ruleset: &Ruleset) -> String {
    let mut root = Element::new(CP, "ruleset");
    root.attrs = ruleset.other_attrs.clone();
    root.children.extend(ruleset.rules.iter().map(rule_element));
    root.children.extend(ruleset.others.iter().cloned());
    xml::to_xml(&root, PREFIXES)
}

fn rule_element(rule: &Rule) -> Element {
    let mut element = Element::new(CP, "rule").with_attr("id", rule.id.clone());
    element.attrs.extend(rule.other_attrs.iter().cloned());
    element.push(conditions_element(&rule.conditions));
    let mut actions = Element::new(CP, "actions");
    if let Some(handling) = rule.actions.sub_handling {
        actions.push_text_child(PR, "sub-handling", handling.as_str());
    }
    actions.children.extend(rule.actions.others.iter().cloned());
    element.push(actions);
    if !rule.transformations.is_empty() {
        let mut transformations = Element::new(CP, "transformations");
        transformations.children = rule.transformations.clone();
        element.push(transformations);
    }
    element.children.extend(rule.others.iter().cloned());
    element
}

fn conditions_element(conditions: &Conditions) -> Element {
    let mut element = Element::new(CP, "conditions");
    if let Some(identity) = &conditions.identity {
        let mut identity_element = Element::new(CP, "identity");
        for id in &identity.one {
            identity_element.push(Element::new(CP, "one").with_attr("id", id.clone()));
        }
        for many in &identity.many {
            let mut many_element = Element::new(CP, "many");
            if let Some(domain) = &many.domain {
                many_element.set_attr("", "domain", domain.clone());
            }
            for except in &many.except {
                many_element.push(match except {
                    Except::Id(id) => Element::new(CP, "except").with_attr("id", id.clone()),
                    Except::Domain(d) => Element::new(CP, "except").with_attr("domain", d.clone()),
                });
            }
            identity_element.push(many_element);
        }
        identity_element
            .children
            .extend(identity.others.iter().cloned());
        element.push(identity_element);
    }
    if let Some(sphere) = &conditions.sphere {
        element.push(Element::new(CP, "sphere").with_attr("value", sphere.clone()));
    }
    if !conditions.validity.is_empty() {
        let mut validity = Element::new(CP, "validity");
        for period in &conditions.validity {
            validity.push_text_child(CP, "from", period.from.clone());
            validity.push_text_child(CP, "until", period.until.clone());
        }
        element.push(validity);
    }
    element.children.extend(conditions.others.iter().cloned());
    element
}

/// The form Kamailio compares `<one id>` against: `sip:user@host`, without
/// display name, angle brackets, parameters or headers; `sips:` becomes
/// `sip:` (Kamailio rebuilds the watcher URI as `sip:` + user + `@` + domain).
pub fn watcher_id(uri: &str) -> String {
    let uri = uri.trim();
    let uri = match (uri.find('<'), uri.rfind('>')) {
        (Some(start), Some(end)) if start < end => &uri[start + 1..end],
        _ => uri,
    };
    let uri = uri.split([';', '?']).next().unwrap_or_default().trim();
    let lower = uri.to_ascii_lowercase();
    if lower.starts_with("sips:") {
        format!("sip:{}", &uri[5..])
    } else if lower.starts_with("sip:") {
        format!("sip:{}", &uri[4..])
    } else {
        uri.to_owned()
    }
}

fn domain_of(id: &str) -> &str {
    let host = id.rsplit_once('@').map_or("", |(_, host)| host);
    host.split(':').next().unwrap_or_default()
}

impl Identity {
    /// RFC 4745 §7.1: does `id` (a [`watcher_id`]) match?
    pub fn matches(&self, id: &str) -> bool {
        self.one.iter().any(|one| watcher_id(one) == id)
            || self.many.iter().any(|many| many.matches(id))
    }
}

impl Many {
    pub fn matches(&self, id: &str) -> bool {
        let domain = domain_of(id);
        let in_domain = self
            .domain
            .as_deref()
            .is_none_or(|d| d.eq_ignore_ascii_case(domain));
        in_domain
            && !self.except.iter().any(|except| match except {
                Except::Id(except_id) => watcher_id(except_id) == id,
                Except::Domain(d) => d.eq_ignore_ascii_case(domain),
            })
    }
}

impl Ruleset {
    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// What the rules say about `watcher_uri`: the most permissive
    /// sub-handling of the matching rules (RFC 4745 §10). A condition Hark
    /// does not know is false (RFC 4745 §9), except OMA's
    /// `<other-identity>`, true when no rule's identity names the watcher.
    /// Validity and sphere are taken as true (they need the clock and the
    /// server's sphere). None when no matching rule has a sub-handling.
    pub fn handling_for(&self, watcher_uri: &str) -> Option<SubHandling> {
        let id = watcher_id(watcher_uri);
        let named = self.rules.iter().any(|rule| {
            rule.conditions
                .identity
                .as_ref()
                .is_some_and(|identity| identity.matches(&id))
        });
        self.rules
            .iter()
            .filter(|rule| {
                let conditions = &rule.conditions;
                conditions
                    .identity
                    .as_ref()
                    .is_none_or(|identity| identity.matches(&id))
                    && conditions
                        .others
                        .iter()
                        .all(|c| c.is(OMA_COMMON_POLICY_NS, "other-identity") && !named)
            })
            .filter_map(|rule| rule.actions.sub_handling)
            .max()
    }

    /// Watchers named one by one in Hark's rule for `handling`.
    pub fn watchers_with(&self, handling: SubHandling) -> Vec<&str> {
        self.rule(handling.hark_rule_id())
            .and_then(|r| r.conditions.identity.as_ref())
            .map(|i| i.one.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }
}

/// The transformations Hark puts on its allow rule: everything (RFC 5025
/// servers provide nothing without them; Kamailio keeps every tuple,
/// person and device when the matching `all-*` is present).
pub fn provide_everything() -> Vec<Element> {
    vec![
        Element::new(PR, "provide-services").with_child(Element::new(PR, "all-services")),
        Element::new(PR, "provide-persons").with_child(Element::new(PR, "all-persons")),
        Element::new(PR, "provide-devices").with_child(Element::new(PR, "all-devices")),
        Element::new(PR, "provide-all-attributes"),
    ]
}

/// Take `watcher_uri` out of every rule: its `<one>` entries go (a rule
/// left with an empty identity goes too, it was about this watcher
/// only), and every `<many>` that covers it gets an `<except id>`.
pub fn remove_watcher(ruleset: &Ruleset, watcher_uri: &str) -> Ruleset {
    let id = watcher_id(watcher_uri);
    let mut ruleset = ruleset.clone();
    ruleset.rules.retain_mut(|rule| {
        let Some(identity) = rule.conditions.identity.as_mut() else {
            return true;
        };
        let before = identity.one.len();
        identity.one.retain(|one| watcher_id(one) != id);
        let removed_one = before != identity.one.len();
        for many in identity.many.iter_mut().filter(|m| m.matches(&id)) {
            many.except.push(Except::Id(id.clone()));
        }
        !(removed_one
            && identity.one.is_empty()
            && identity.many.is_empty()
            && identity.others.is_empty())
    });
    ruleset
}

/// Record the user's decision about one watcher: it leaves every other
/// rule ([`remove_watcher`]) and is named in Hark's rule for `handling`,
/// which is created first in the ruleset when missing.
pub fn set_watcher(ruleset: &Ruleset, watcher_uri: &str, handling: SubHandling) -> Ruleset {
    let id = watcher_id(watcher_uri);
    let mut ruleset = remove_watcher(ruleset, &id);
    let rule_id = handling.hark_rule_id();
    let index = match ruleset.rules.iter().position(|r| r.id == rule_id) {
        Some(index) => index,
        None => {
            let leading_hark_rules = ruleset
                .rules
                .iter()
                .take_while(|r| r.id.starts_with("hark_"))
                .count();
            ruleset
                .rules
                .insert(leading_hark_rules, hark_rule(handling));
            leading_hark_rules
        }
    };
    let rule = &mut ruleset.rules[index];
    rule.actions.sub_handling = Some(handling);
    let identity = rule
        .conditions
        .identity
        .get_or_insert_with(Identity::default);
    // Undo the <except> remove_watcher put on a <many> of this very rule.
    for many in &mut identity.many {
        many.except.retain(|e| *e != Except::Id(id.clone()));
    }
    identity.one.push(id);
    // Kamailio applies the first matching rule: Hark's go first (the
    // relative order of the others is kept).
    ruleset
        .rules
        .sort_by_key(|rule| !rule.id.starts_with("hark_"));
    ruleset
}

fn hark_rule(handling: SubHandling) -> Rule {
    Rule {
        id: handling.hark_rule_id().to_owned(),
        actions: Actions {
            sub_handling: Some(handling),
            others: Vec::new(),
        },
        transformations: if handling == SubHandling::Allow {
            provide_everything()
        } else {
            Vec::new()
        },
        ..Default::default()
    }
}

#[cfg(test)]
#[path = "pres_rules_tests.rs"]
mod tests;
