use super::*;

/// RFC 4745 §7 (conditions example).
const RFC4745_EXAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ruleset xmlns="urn:ietf:params:xml:ns:common-policy">
    <rule id="f3g44r1">
        <conditions>
            <sphere value="work"/>
            <identity>
                <one id="sip:alice@example.com"/>
                <one id="tel:+1-212-555-1234" />
                <many domain="example.com"/>
            </identity>
            <validity>
                <from>2003-12-24T17:00:00+01:00</from>
                <until>2003-12-24T19:00:00+01:00</until>
            </validity>
        </conditions>
        <actions/>
        <transformations/>
    </rule>
</ruleset>
"#;

/// RFC 5025 §5 example.
const RFC5025_EXAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<cr:ruleset xmlns="urn:ietf:params:xml:ns:pres-rules"
 xmlns:pr="urn:ietf:params:xml:ns:pres-rules"
 xmlns:cr="urn:ietf:params:xml:ns:common-policy">
 <cr:rule id="a">
  <cr:conditions>
   <cr:identity>
    <cr:one id="sip:user@example.com"/>
   </cr:identity>
  </cr:conditions>
  <cr:actions>
   <pr:sub-handling>allow</pr:sub-handling>
  </cr:actions>
  <cr:transformations>
   <pr:provide-services>
     <pr:service-uri-scheme>sip</pr:service-uri-scheme>
     <pr:service-uri-scheme>mailto</pr:service-uri-scheme>
   </pr:provide-services>
   <pr:provide-persons>
     <pr:all-persons/>
   </pr:provide-persons>
   <pr:provide-activities>true</pr:provide-activities>
   <pr:provide-user-input>bare</pr:provide-user-input>
   <pr:provide-unknown-attribute
      ns="urn:vendor-specific:foo-namespace"
      name="foo">true</pr:provide-unknown-attribute>
  </cr:transformations>
 </cr:rule>
</cr:ruleset>
"#;

/// Rules another client (an OMA-style one) wrote: a domain-wide confirm,
/// a rule with an extra condition and action we do not know.
const FOREIGN: &str = r#"<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"
    xmlns:pr="urn:ietf:params:xml:ns:pres-rules" xmlns:ocp="urn:oma:xml:xdm:common-policy">
  <rule id="wp_prs_unlisted">
    <conditions><ocp:other-identity/></conditions>
    <actions><pr:sub-handling>confirm</pr:sub-handling></actions>
  </rule>
  <rule id="company">
    <conditions><identity><many domain="example.com"/></identity></conditions>
    <actions><pr:sub-handling>allow</pr:sub-handling><ocp:x-flag>1</ocp:x-flag></actions>
    <transformations><pr:provide-persons><pr:all-persons/></pr:provide-persons></transformations>
  </rule>
  <rule id="pals">
    <conditions><identity><one id="sip:bob@example.org"/><one id="sip:dave@example.org"/></identity></conditions>
    <actions><pr:sub-handling>allow</pr:sub-handling></actions>
  </rule>
</ruleset>"#;

/// Kamailio presence_xml get_rule_node + pres_watcher_allowed, reduced to
/// what Hark's rules exercise: rules in document order, the first whose
/// identity matches wins; `<one id>` compared byte for byte; `<many
/// domain>` compared to the domain; `<except id>` never matches (its
/// length check is off by one); a rule without identity is skipped.
fn kamailio_handling(ruleset_xml: &str, user: &str, domain: &str) -> Option<SubHandling> {
    let root = xml::parse(ruleset_xml.as_bytes()).unwrap();
    let w_uri = format!("sip:{user}@{domain}");
    for rule in &root.children {
        let conditions = rule.children.iter().find(|c| c.name == "conditions")?;
        let Some(identity) = conditions.children.iter().find(|c| c.name == "identity") else {
            continue;
        };
        let mut apply = false;
        for one in identity.children.iter().filter(|c| c.name == "one") {
            if one.attr("id") == Some(w_uri.as_str()) {
                apply = true;
            }
        }
        for many in identity.children.iter().filter(|c| c.name == "many") {
            if many.attr("domain").is_none_or(|d| d == domain) {
                let excepted_domain = many.children.iter().any(|e| {
                    e.name == "except" && e.attr("id").is_none() && e.attr("domain") == Some(domain)
                });
                if !excepted_domain {
                    apply = true;
                }
            }
        }
        if apply {
            let actions = rule.children.iter().find(|c| c.name == "actions")?;
            let handling = actions.children.iter().find(|c| c.name == "sub-handling")?;
            // strncmp by prefix: white space around the value would fail.
            return ["block", "confirm", "polite-block", "allow"]
                .iter()
                .find(|v| handling.text.starts_with(**v) && handling.text.len() == v.len())
                .and_then(|v| SubHandling::parse(v));
        }
    }
    None
}

fn rules(text: &str) -> Ruleset {
    parse(text.as_bytes()).unwrap()
}

#[test]
fn parses_the_rfc4745_example() {
    let ruleset = rules(RFC4745_EXAMPLE);
    let rule = &ruleset.rules[0];
    assert_eq!(rule.id, "f3g44r1");
    assert_eq!(rule.conditions.sphere.as_deref(), Some("work"));
    let identity = rule.conditions.identity.as_ref().unwrap();
    assert_eq!(
        identity.one,
        ["sip:alice@example.com", "tel:+1-212-555-1234"]
    );
    assert_eq!(identity.many[0].domain.as_deref(), Some("example.com"));
    assert_eq!(
        rule.conditions.validity[0].until,
        "2003-12-24T19:00:00+01:00"
    );
    assert_eq!(rule.actions, Actions::default());
    assert_eq!(rules(&build(&ruleset)), ruleset);
}

#[test]
fn parses_the_rfc5025_example_and_keeps_transformations() {
    let ruleset = rules(RFC5025_EXAMPLE);
    let rule = &ruleset.rules[0];
    assert_eq!(rule.actions.sub_handling, Some(SubHandling::Allow));
    assert_eq!(rule.transformations.len(), 5);
    assert_eq!(
        ruleset.handling_for("sip:user@example.com"),
        Some(SubHandling::Allow)
    );
    assert_eq!(
        ruleset.handling_for("\"User\" <sip:user@example.com;transport=tls>"),
        Some(SubHandling::Allow)
    );
    assert_eq!(ruleset.handling_for("sip:other@example.com"), None);
    let text = build(&ruleset);
    assert!(text.contains("provide-unknown-attribute"));
    assert_eq!(rules(&text), ruleset);
}

#[test]
fn handling_combines_to_the_most_permissive() {
    let ruleset = rules(FOREIGN);
    assert_eq!(
        ruleset.handling_for("sip:carol@example.com"),
        Some(SubHandling::Allow)
    );
    assert_eq!(
        ruleset.handling_for("sip:bob@example.org"),
        Some(SubHandling::Allow)
    );
    // OMA <other-identity>: anyone no rule names.
    assert_eq!(
        ruleset.handling_for("sip:eve@example.net"),
        Some(SubHandling::Confirm)
    );
    // A condition Hark does not know is false.
    let unknown = FOREIGN.replace("ocp:other-identity", "ocp:unheard-of");
    assert_eq!(rules(&unknown).handling_for("sip:eve@example.net"), None);
}

#[test]
fn set_watcher_moves_the_watcher_and_keeps_other_rules() {
    let ruleset = rules(FOREIGN);
    let blocked = set_watcher(&ruleset, "sip:bob@example.org", SubHandling::Block);
    assert_eq!(
        blocked.handling_for("sip:bob@example.org"),
        Some(SubHandling::Block)
    );
    // Bob left "pals", Dave stayed, the foreign rules and their unknown parts are intact.
    let pals = blocked.rule("pals").unwrap();
    assert_eq!(
        pals.conditions.identity.as_ref().unwrap().one,
        ["sip:dave@example.org"]
    );
    assert_eq!(blocked.rules[0].id, "hark_block");
    let text = build(&blocked);
    for kept in ["other-identity", "x-flag", "wp_prs_unlisted", "all-persons"] {
        assert!(text.contains(kept), "{kept} lost: {text}");
    }
    assert_eq!(rules(&text), blocked);

    // Carol is allowed by the domain rule; polite-blocking her adds an except there.
    let polite = set_watcher(&blocked, "sip:carol@example.com", SubHandling::PoliteBlock);
    let company = polite.rule("company").unwrap();
    assert_eq!(
        company.conditions.identity.as_ref().unwrap().many[0].except,
        [Except::Id("sip:carol@example.com".into())]
    );
    assert_eq!(
        polite.handling_for("sip:carol@example.com"),
        Some(SubHandling::PoliteBlock)
    );
    assert_eq!(
        polite.watchers_with(SubHandling::PoliteBlock),
        ["sip:carol@example.com"]
    );
}

#[test]
fn a_rule_only_about_the_watcher_disappears() {
    let single = r#"<ruleset xmlns="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules">
      <rule id="x"><conditions><identity><one id="sip:bob@example.org"/></identity></conditions>
      <actions><pr:sub-handling>block</pr:sub-handling></actions></rule></ruleset>"#;
    let allowed = set_watcher(&rules(single), "sip:bob@example.org", SubHandling::Allow);
    assert!(allowed.rule("x").is_none());
    assert_eq!(allowed.rules.len(), 1);
    let rule = allowed.rule("hark_allow").unwrap();
    assert_eq!(rule.transformations, provide_everything());
}

#[test]
fn hark_writes_what_kamailio_enforces() {
    let mut ruleset = rules(FOREIGN);
    let decisions = [
        ("sip:bob@example.org", SubHandling::Block),
        ("sip:carol@example.com", SubHandling::PoliteBlock),
        ("sips:erin@example.net", SubHandling::Allow),
        ("sip:bob@example.org", SubHandling::Allow),
        ("<sip:frank@example.com>", SubHandling::Block),
        ("sip:gina@example.com;transport=tcp", SubHandling::Confirm),
        ("sip:carol@example.com", SubHandling::Block),
    ];
    for (uri, handling) in decisions {
        ruleset = set_watcher(&ruleset, uri, handling);
        let text = build(&ruleset);
        for (user, domain) in [
            ("bob", "example.org"),
            ("carol", "example.com"),
            ("erin", "example.net"),
            ("frank", "example.com"),
            ("gina", "example.com"),
            ("dave", "example.org"),
        ] {
            let id = format!("sip:{user}@{domain}");
            let decided = ruleset
                .rules
                .iter()
                .filter(|r| r.id.starts_with("hark_"))
                .any(|r| r.conditions.identity.as_ref().unwrap().one.contains(&id));
            if decided {
                assert_eq!(
                    kamailio_handling(&text, user, domain),
                    ruleset.handling_for(&id),
                    "{id} after {uri} -> {handling:?}\n{text}"
                );
            }
        }
        assert!(text.contains(&format!(
            "<pr:sub-handling>{}</pr:sub-handling>",
            handling.as_str()
        )));
    }
    assert_eq!(
        ruleset.handling_for("sip:bob@example.org"),
        Some(SubHandling::Allow)
    );
    assert_eq!(
        ruleset.handling_for("sip:carol@example.com"),
        Some(SubHandling::Block)
    );
    assert_eq!(
        ruleset.watchers_with(SubHandling::Allow),
        ["sip:erin@example.net", "sip:bob@example.org"]
    );
}

#[test]
fn empty_ruleset_gets_a_complete_allow_rule() {
    let ruleset = set_watcher(
        &Ruleset::default(),
        "sip:bob@example.org",
        SubHandling::Allow,
    );
    let text = build(&ruleset);
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ruleset xmlns=\"urn:ietf:params:xml:ns:common-policy\""));
    for expected in [
        r#"<rule id="hark_allow"><conditions><identity><one id="sip:bob@example.org"/></identity></conditions>"#,
        "<actions><pr:sub-handling>allow</pr:sub-handling></actions>",
        "<pr:provide-services><pr:all-services/></pr:provide-services>",
        "<pr:provide-persons><pr:all-persons/></pr:provide-persons>",
        "<pr:provide-devices><pr:all-devices/></pr:provide-devices>",
        "<pr:provide-all-attributes/>",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    assert_eq!(
        kamailio_handling(&text, "bob", "example.org"),
        Some(SubHandling::Allow)
    );
}

#[test]
fn watcher_ids_are_what_kamailio_compares() {
    assert_eq!(watcher_id("sip:bob@example.org"), "sip:bob@example.org");
    assert_eq!(
        watcher_id("SIPS:bob@example.org;transport=tls"),
        "sip:bob@example.org"
    );
    assert_eq!(
        watcher_id("\"Bob\" <sip:bob@example.org?subject=x>"),
        "sip:bob@example.org"
    );
    assert_eq!(watcher_id("tel:+15551234"), "tel:+15551234");
    assert_eq!(watcher_id(""), "");
    assert_eq!(watcher_id(">weird<"), ">weird<");
}

#[test]
fn prefixes_do_not_matter() {
    let default = r#"<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"><rule id="a"><conditions><identity><one id="sip:a@b"/></identity></conditions><actions><sub-handling xmlns="urn:ietf:params:xml:ns:pres-rules">block</sub-handling></actions></rule></ruleset>"#;
    let prefixed = r#"<x:ruleset xmlns:x="urn:ietf:params:xml:ns:common-policy" xmlns:y="urn:ietf:params:xml:ns:pres-rules"><x:rule id="a"><x:conditions><x:identity><x:one id="sip:a@b"/></x:identity></x:conditions><x:actions><y:sub-handling>block</y:sub-handling></x:actions></x:rule></x:ruleset>"#;
    assert_eq!(rules(default), rules(prefixed));
    assert_eq!(
        rules(default).rules[0].actions.sub_handling,
        Some(SubHandling::Block)
    );
}

#[test]
fn hostile_inputs_never_panic() {
    let inputs: [&[u8]; 6] = [
        b"",
        b"<ruleset",
        br#"<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"><rule/><rule><conditions><identity><one/><many><except/></many></identity><validity><until>x</until><from>y</from></validity><sphere/></conditions><actions><sub-handling>nonsense</sub-handling></actions></rule></ruleset>"#,
        br#"<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"><rule id="hark_allow"><conditions/><actions/></rule><rule id="hark_block"/></ruleset>"#,
        br#"<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"><rule id="r"><conditions><identity><many/></identity></conditions></rule></ruleset>"#,
        b"\xef\xbb\xbf<ruleset xmlns='urn:ietf:params:xml:ns:common-policy'/>",
    ];
    for input in inputs {
        let Ok(ruleset) = parse(input) else { continue };
        for uri in [
            "sip:bob@example.org",
            "",
            "@",
            "sip:@",
            "<>",
            "sip:a@b:5060",
        ] {
            for handling in [
                SubHandling::Allow,
                SubHandling::Block,
                SubHandling::PoliteBlock,
                SubHandling::Confirm,
            ] {
                let next = set_watcher(&ruleset, uri, handling);
                assert_eq!(rules(&build(&next)), next);
                let _ = next.handling_for(uri);
            }
            let _ = remove_watcher(&ruleset, uri);
        }
    }
}
