//! Safe, namespace-aware XML for presence documents.
//!
//! Every presence document (PIDF, watcherinfo, resource-lists, ...) is read
//! into a small element tree by [`parse`] and written back by [`to_xml`].
//! Elements are identified by namespace URI and local name, never by prefix:
//! servers and clients choose prefixes (or default namespaces) freely.
//!
//! Reading is defensive: no DTD, no entity other than the five predefined
//! ones and character references, bounded size, depth and element count.
//! A hostile document is refused with an [`XmlError`], never expanded.

use quick_xml::events::attributes::Attribute as QAttribute;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

const XML_1_0: quick_xml::XmlVersion = quick_xml::XmlVersion::Implicit1_0;

/// Largest document accepted, in bytes (a 5,000-entry RLMI part fits).
pub const MAX_DOCUMENT_BYTES: usize = 4 << 20;
/// Deepest element nesting accepted.
pub const MAX_DEPTH: usize = 64;
/// Most elements accepted in one document.
pub const MAX_ELEMENTS: usize = 250_000;

/// The `xml:` namespace (for `xml:lang`).
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of `xmlns` declarations; no element or attribute is in it.
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("document is {0} bytes, more than the {MAX_DOCUMENT_BYTES} allowed")]
    TooLarge(usize),
    #[error("document is not UTF-8")]
    NotUtf8,
    #[error("document type declarations (DTD) are refused")]
    Doctype,
    #[error("entity &{0}; refused (only the predefined XML entities are allowed)")]
    Entity(String),
    #[error("elements nested deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("more than {MAX_ELEMENTS} elements")]
    TooManyElements,
    #[error("namespace prefix `{0}` is not declared")]
    UnknownPrefix(String),
    #[error("not well-formed XML: {0}")]
    Syntax(String),
    #[error("no root element")]
    NoRoot,
    #[error("root element is {{{found_ns}}}{found}, expected {{{expected_ns}}}{expected}")]
    WrongRoot {
        expected_ns: String,
        expected: String,
        found_ns: String,
        found: String,
    },
}

/// One attribute: namespace URI ("" for an unprefixed attribute), local name, value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub ns: String,
    pub name: String,
    pub value: String,
}

/// One element: namespace URI ("" when none), local name, attributes,
/// child elements in order, and its own character data concatenated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub ns: String,
    pub name: String,
    pub attrs: Vec<Attribute>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// A new, empty element.
    pub fn new(ns: &str, name: &str) -> Self {
        Element {
            ns: ns.to_owned(),
            name: name.to_owned(),
            ..Default::default()
        }
    }

    /// Whether this element is `{ns}name`.
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    /// Value of an unprefixed attribute.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attr_ns("", name)
    }

    /// Value of an attribute in a namespace.
    pub fn attr_ns(&self, ns: &str, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns == ns && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// The `xml:lang` of this element, if given.
    pub fn lang(&self) -> Option<&str> {
        self.attr_ns(XML_NS, "lang")
    }

    /// First child `{ns}name`.
    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    /// Every child `{ns}name`, in order.
    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    /// Every child in namespace `ns`, in order.
    pub fn children_in<'a>(&'a self, ns: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.ns == ns)
    }

    /// Trimmed text of the first child `{ns}name`, if that child exists.
    pub fn child_text(&self, ns: &str, name: &str) -> Option<&str> {
        self.child(ns, name).map(Element::trimmed_text)
    }

    /// This element's own character data without surrounding white space.
    pub fn trimmed_text(&self) -> &str {
        self.text.trim()
    }

    /// Builder: add an unprefixed attribute.
    pub fn with_attr(mut self, name: &str, value: impl Into<String>) -> Self {
        self.set_attr("", name, value);
        self
    }

    /// Set (replace or add) an attribute.
    pub fn set_attr(&mut self, ns: &str, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.attrs.iter_mut().find(|a| a.ns == ns && a.name == name) {
            Some(a) => a.value = value,
            None => self.attrs.push(Attribute {
                ns: ns.to_owned(),
                name: name.to_owned(),
                value,
            }),
        }
    }

    /// Builder: append a child.
    pub fn with_child(mut self, child: Element) -> Self {
        self.children.push(child);
        self
    }

    /// Builder: set the text.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = text.into();
        self
    }

    /// Append a child.
    pub fn push(&mut self, child: Element) {
        self.children.push(child);
    }

    /// Append `<{ns}name>text</{ns}name>`.
    pub fn push_text_child(&mut self, ns: &str, name: &str, text: impl Into<String>) {
        self.children.push(Element::new(ns, name).with_text(text));
    }
}

/// Parse a document into its root element.
pub fn parse(bytes: &[u8]) -> Result<Element, XmlError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(XmlError::TooLarge(bytes.len()));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| XmlError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = NsReader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = false;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| XmlError::Syntax(e.to_string()))?;
        let ns = namespace_of(&resolved)?;
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(XmlError::Syntax("content after the root element".into()));
            }
            Event::Start(start) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooManyElements);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                let element = open_element(&reader, ns, &start)?;
                stack.push(element);
            }
            Event::Empty(start) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooManyElements);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                let element = open_element(&reader, ns, &start)?;
                close(&mut stack, &mut root, element);
            }
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| XmlError::Syntax("unexpected end tag".into()))?;
                close(&mut stack, &mut root, element);
            }
            Event::Text(t) => {
                let content = t
                    .xml10_content()
                    .map_err(|e| XmlError::Syntax(e.to_string()))?;
                append_text(&mut stack, &content)?;
            }
            Event::CData(t) => {
                let content = t.decode().map_err(|e| XmlError::Syntax(e.to_string()))?;
                append_text(&mut stack, &content)?;
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| XmlError::Syntax(e.to_string()))?
                        .map(String::from)
                } else {
                    let name = r.decode().map_err(|e| XmlError::Syntax(e.to_string()))?;
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => Some(s.to_owned()),
                        None => return Err(XmlError::Entity(name.into_owned())),
                    }
                };
                let Some(resolved) = resolved else {
                    return Err(XmlError::Syntax("invalid character reference".into()));
                };
                append_text(&mut stack, &resolved)?;
            }
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Syntax(
            "unclosed element at end of document".into(),
        ));
    }
    root.ok_or(XmlError::NoRoot)
}

/// Parse a document and check its root is `{ns}name`.
pub fn parse_root(bytes: &[u8], ns: &str, name: &str) -> Result<Element, XmlError> {
    let root = parse(bytes)?;
    if root.is(ns, name) {
        Ok(root)
    } else {
        Err(XmlError::WrongRoot {
            expected_ns: ns.to_owned(),
            expected: name.to_owned(),
            found_ns: root.ns,
            found: root.name,
        })
    }
}

fn namespace_of(resolved: &ResolveResult<'_>) -> Result<String, XmlError> {
    match resolved {
        ResolveResult::Unbound => Ok(String::new()),
        // quick-xml hands out the raw `xmlns` value: resolve its references
        // and normalise it like any attribute value, so that the URI is the
        // one `to_xml` writes back (escaped) and matching sees `&#58;` as `:`.
        ResolveResult::Bound(ns) => {
            let raw = QAttribute::from((&b"xmlns"[..], ns.as_ref()));
            let ns = attribute_value(&raw)?;
            if ns == XMLNS_NS {
                return Err(XmlError::Syntax(
                    "element or attribute in the xmlns namespace".into(),
                ));
            }
            Ok(ns)
        }
        ResolveResult::Unknown(prefix) => Err(XmlError::UnknownPrefix(
            String::from_utf8_lossy(prefix).into_owned(),
        )),
    }
}

/// An attribute value with its references resolved and white space
/// normalised (XML 1.0 §3.3.3).
fn attribute_value(attr: &QAttribute<'_>) -> Result<String, XmlError> {
    attr.normalized_value(XML_1_0)
        .map(|value| value.into_owned())
        .map_err(|e| match e {
            quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(
                _,
                name,
            )) => XmlError::Entity(name),
            other => XmlError::Syntax(other.to_string()),
        })
}

/// Whether `name` is an XML name without a colon (an NCName of
/// "Namespaces in XML"): quick-xml does not check names, and a tree with
/// an empty or malformed name cannot be written back.
fn is_ncname(name: &str) -> bool {
    let start = |c: char| {
        matches!(c, 'A'..='Z' | 'a'..='z' | '_'
            | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
            | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
            | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
            | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
    };
    let rest = |c: char| {
        start(c)
            || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}'
                | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
    };
    let mut chars = name.chars();
    chars.next().is_some_and(start) && chars.all(rest)
}

/// Check a raw element or attribute name: `prefix:local` or `local`.
fn check_qname(raw: &[u8]) -> Result<(), XmlError> {
    let name = String::from_utf8_lossy(raw);
    let ok = match name.split_once(':') {
        Some((prefix, local)) => is_ncname(prefix) && is_ncname(local),
        None => is_ncname(&name),
    };
    if ok {
        Ok(())
    } else {
        Err(XmlError::Syntax(format!(
            "`{name}` is not a valid XML name"
        )))
    }
}

fn open_element(
    reader: &NsReader<&[u8]>,
    ns: String,
    start: &BytesStart<'_>,
) -> Result<Element, XmlError> {
    check_qname(start.name().as_ref())?;
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let mut element = Element {
        ns,
        name,
        ..Default::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| XmlError::Syntax(e.to_string()))?;
        if is_namespace_declaration(&attr) {
            continue;
        }
        check_qname(attr.key.as_ref())?;
        let (resolved, local) = reader.resolver().resolve_attribute(attr.key);
        let ns = namespace_of(&resolved)?;
        let value = attribute_value(&attr)?;
        let name = String::from_utf8_lossy(local.as_ref()).into_owned();
        // `a:x` and `b:x` with a and b bound to the same URI are the same
        // attribute ("Namespaces in XML" §6.3), which quick-xml cannot see.
        if element.attr_ns(&ns, &name).is_some() {
            return Err(XmlError::Syntax(format!(
                "attribute {{{ns}}}{name} given twice"
            )));
        }
        element.attrs.push(Attribute { ns, name, value });
    }
    Ok(element)
}

fn is_namespace_declaration(attr: &QAttribute<'_>) -> bool {
    let key = attr.key.as_ref();
    key == b"xmlns" || key.starts_with(b"xmlns:")
}

fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn append_text(stack: &mut [Element], text: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(parent) => {
            parent.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(XmlError::Syntax("text outside the root element".into())),
    }
}

/// Write a document: XML declaration, then `root` with every namespace
/// declared once on it. `prefixes` suggests a prefix per namespace URI; the
/// root's own namespace becomes the default namespace (no prefix) unless some
/// element has no namespace. Namespaces without a suggestion get `ns1`, `ns2`...
pub fn to_xml(root: &Element, prefixes: &[(&str, &str)]) -> String {
    let mut namespaces: Vec<String> = Vec::new();
    let mut unqualified = false;
    collect_namespaces(root, &mut namespaces, &mut unqualified);

    let default_ns = (!unqualified && !root.ns.is_empty()).then(|| root.ns.clone());
    let mut bindings: Vec<(String, String)> = Vec::new(); // (ns, prefix)
    let mut generated = 0;
    for ns in &namespaces {
        if Some(ns) == default_ns.as_ref() || ns == XML_NS {
            continue;
        }
        let suggested = prefixes
            .iter()
            .find(|(uri, _)| uri == ns)
            .map(|(_, p)| (*p).to_owned())
            .filter(|p| !p.is_empty() && !bindings.iter().any(|(_, q)| q == p));
        let prefix = suggested.unwrap_or_else(|| loop {
            generated += 1;
            let candidate = format!("ns{generated}");
            if !bindings.iter().any(|(_, q)| *q == candidate)
                && !prefixes.iter().any(|(_, q)| *q == candidate)
            {
                break candidate;
            }
        });
        bindings.push((ns.clone(), prefix));
    }

    let mut out = String::with_capacity(256);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let mut declarations = String::new();
    if let Some(ns) = &default_ns {
        declarations.push_str(" xmlns=\"");
        escape_attribute_into(&mut declarations, ns);
        declarations.push('"');
    }
    for (ns, prefix) in &bindings {
        declarations.push_str(" xmlns:");
        declarations.push_str(prefix);
        declarations.push_str("=\"");
        escape_attribute_into(&mut declarations, ns);
        declarations.push('"');
    }
    let writer = Writer {
        default_ns: default_ns.as_deref(),
        bindings: &bindings,
    };
    writer.element(&mut out, root, Some(&declarations));
    out.push('\n');
    out
}

fn collect_namespaces(element: &Element, namespaces: &mut Vec<String>, unqualified: &mut bool) {
    if element.ns.is_empty() {
        *unqualified = true;
    } else if !namespaces.contains(&element.ns) {
        namespaces.push(element.ns.clone());
    }
    for attr in &element.attrs {
        if !attr.ns.is_empty() && !namespaces.contains(&attr.ns) {
            namespaces.push(attr.ns.clone());
        }
    }
    for child in &element.children {
        collect_namespaces(child, namespaces, unqualified);
    }
}

struct Writer<'a> {
    default_ns: Option<&'a str>,
    bindings: &'a [(String, String)],
}

impl Writer<'_> {
    fn qualified(&self, ns: &str, name: &str, attribute: bool) -> String {
        if ns.is_empty() || (!attribute && Some(ns) == self.default_ns) {
            return name.to_owned();
        }
        if ns == XML_NS {
            return format!("xml:{name}");
        }
        let prefix = self
            .bindings
            .iter()
            .find(|(uri, _)| uri == ns)
            .map(|(_, p)| p.as_str())
            .unwrap_or("ns0");
        format!("{prefix}:{name}")
    }

    fn element(&self, out: &mut String, element: &Element, declarations: Option<&str>) {
        let tag = self.qualified(&element.ns, &element.name, false);
        out.push('<');
        out.push_str(&tag);
        if let Some(declarations) = declarations {
            out.push_str(declarations);
        }
        for attr in &element.attrs {
            out.push(' ');
            out.push_str(&self.qualified(&attr.ns, &attr.name, true));
            out.push_str("=\"");
            escape_attribute_into(out, &attr.value);
            out.push('"');
        }
        if element.children.is_empty() && element.text.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        escape_into(out, &element.text);
        for child in &element.children {
            self.element(out, child, None);
        }
        out.push_str("</");
        out.push_str(&tag);
        out.push('>');
    }
}

/// Like [`escape_into`], and also tab and line feed, which a reader would
/// otherwise normalise to spaces in an attribute value.
fn escape_attribute_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            c => escape_into(out, c.encode_utf8(&mut [0; 4])),
        }
    }
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
#[path = "xml_tests.rs"]
mod tests;
