//! CIPID, Contact Information for PIDF (RFC 4482).
//!
//! Owns the typed form of `<c:card>`, `<c:display-name>`, `<c:homepage>`,
//! `<c:icon>`, `<c:map>` and `<c:sound>`, which appear directly inside a
//! `<dm:person>` or a `<tuple>`: [`Cipid::take`] reads them one child at a
//! time, [`Cipid::write_into`] writes them back.

use super::xml::{Element, XML_NS};

/// The CIPID namespace.
pub const NS: &str = "urn:ietf:params:xml:ns:pidf:cipid";

/// Contact information of a presentity. URIs are kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cipid {
    /// URI of a vCard.
    pub card: Option<String>,
    /// The name the presentity wants shown.
    pub display_name: Option<String>,
    /// `xml:lang` of the display name.
    pub display_name_lang: Option<String>,
    pub homepage: Option<String>,
    /// URI of an image (avatar).
    pub icon: Option<String>,
    pub map: Option<String>,
    pub sound: Option<String>,
}

impl Cipid {
    /// Take `child` if it is a CIPID element; false otherwise. The first
    /// occurrence of each element wins.
    pub fn take(&mut self, child: &Element) -> bool {
        if child.ns != NS {
            return false;
        }
        let text = child.trimmed_text().to_owned();
        let slot = match child.name.as_str() {
            "card" => &mut self.card,
            "display-name" => {
                if self.display_name.is_none() {
                    self.display_name_lang = child.lang().map(str::to_owned);
                }
                &mut self.display_name
            }
            "homepage" => &mut self.homepage,
            "icon" => &mut self.icon,
            "map" => &mut self.map,
            "sound" => &mut self.sound,
            _ => return false,
        };
        if slot.is_none() {
            *slot = Some(text);
        }
        true
    }

    /// Append the elements present to `parent`.
    pub fn write_into(&self, parent: &mut Element) {
        let fields = [
            ("card", &self.card),
            ("display-name", &self.display_name),
            ("homepage", &self.homepage),
            ("icon", &self.icon),
            ("map", &self.map),
            ("sound", &self.sound),
        ];
        for (name, value) in fields {
            if let Some(value) = value {
                let mut element = Element::new(NS, name).with_text(value.clone());
                if name == "display-name" {
                    if let Some(lang) = &self.display_name_lang {
                        element.set_attr(XML_NS, "lang", lang.clone());
                    }
                }
                parent.push(element);
            }
        }
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Cipid::default()
    }
}

#[cfg(test)]
#[path = "cipid_tests.rs"]
mod tests;
