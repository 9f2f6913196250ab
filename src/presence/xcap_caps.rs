//! XCAP server capabilities (RFC 4825 §12, `application/xcap-caps+xml`,
//! fetched from `<xcap-root>/xcap-caps/global/index`): which application
//! usages (AUIDs), extensions and namespaces the server supports.
//!
//! Kamailio's xcap_server answers this GET with 501 unless the routing
//! script serves the document itself (its README shows how); a missing
//! document means "unknown", not "nothing supported".

use super::xml::{self, Element, XmlError};

/// `urn:ietf:params:xml:ns:xcap-caps`.
pub const XCAP_CAPS_NS: &str = "urn:ietf:params:xml:ns:xcap-caps";
/// MIME type of an xcap-caps document.
pub const XCAP_CAPS_MIME: &str = "application/xcap-caps+xml";

/// What an XCAP server supports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XcapCaps {
    pub auids: Vec<String>,
    pub extensions: Vec<String>,
    pub namespaces: Vec<String>,
}

/// Why an xcap-caps document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XcapCapsError {
    #[error(transparent)]
    Xml(#[from] XmlError),
}

impl XcapCaps {
    /// Whether the server offers application usage `auid`.
    pub fn supports_auid(&self, auid: &str) -> bool {
        self.auids.iter().any(|a| a == auid)
    }

    /// Whether the server knows namespace `ns`.
    pub fn supports_namespace(&self, ns: &str) -> bool {
        self.namespaces.iter().any(|n| n == ns)
    }
}

/// Parse an xcap-caps document; empty items are skipped.
pub fn parse(bytes: &[u8]) -> Result<XcapCaps, XcapCapsError> {
    let root = xml::parse_root(bytes, XCAP_CAPS_NS, "xcap-caps")?;
    let items = |group: &str, item: &str| -> Vec<String> {
        root.children_named(XCAP_CAPS_NS, group)
            .flat_map(|g| g.children_named(XCAP_CAPS_NS, item))
            .map(|e| e.trimmed_text().to_owned())
            .filter(|text| !text.is_empty())
            .collect()
    };
    Ok(XcapCaps {
        auids: items("auids", "auid"),
        extensions: items("extensions", "extension"),
        namespaces: items("namespaces", "namespace"),
    })
}

/// Write an xcap-caps document (`<auids>` and `<namespaces>` are required
/// by the schema and always written).
pub fn build(caps: &XcapCaps) -> String {
    let group = |name: &str, item: &str, values: &[String]| {
        let mut element = Element::new(XCAP_CAPS_NS, name);
        for value in values {
            element.push_text_child(XCAP_CAPS_NS, item, value.clone());
        }
        element
    };
    let mut root = Element::new(XCAP_CAPS_NS, "xcap-caps");
    root.push(group("auids", "auid", &caps.auids));
    if !caps.extensions.is_empty() {
        root.push(group("extensions", "extension", &caps.extensions));
    }
    root.push(group("namespaces", "namespace", &caps.namespaces));
    xml::to_xml(&root, &[])
}

#[cfg(test)]
#[path = "xcap_caps_tests.rs"]
mod tests;
