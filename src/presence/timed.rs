//! Timed presence status (RFC 4481).
//!
//! Owns `<ts:timed-status from= until=>`, which says what a tuple's basic
//! status or a person's activities will be (or were) during an interval.
//! It appears inside a `<tuple>`, `<dm:person>` or `<dm:device>`; its
//! content is a PIDF `<basic>`, RPID elements, notes, or anything else
//! (kept as extensions).

use super::pidf::{Basic, Note, PIDF_NS};
use super::rpid::Rpid;
use super::xml::Element;

/// The timed-status namespace.
pub const NS: &str = "urn:ietf:params:xml:ns:pidf:timed-status";

/// One `<ts:timed-status>`. Times are kept as written (RFC 3339).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimedStatus {
    /// Start of the interval (required by the RFC; empty when missing).
    pub from: String,
    /// End of the interval; open-ended when absent.
    pub until: Option<String>,
    /// The basic status during the interval (inside a tuple).
    pub basic: Option<Basic>,
    /// RPID elements during the interval (inside a person).
    pub rpid: Rpid,
    /// `<note>` (PIDF namespace) or `<ts:note>`-style notes.
    pub notes: Vec<Note>,
    /// Other content, kept.
    pub extensions: Vec<Element>,
}

impl TimedStatus {
    /// Whether `element` is a `<ts:timed-status>`.
    pub fn is(element: &Element) -> bool {
        element.is(NS, "timed-status")
    }

    /// Read a `<ts:timed-status>` element.
    pub fn parse(element: &Element) -> Self {
        let mut out = TimedStatus {
            from: element.attr("from").unwrap_or_default().to_owned(),
            until: element.attr("until").map(str::to_owned),
            ..Default::default()
        };
        for child in &element.children {
            if child.is(PIDF_NS, "basic") {
                out.basic = Basic::parse(child.trimmed_text());
            } else if child.name == "note" && (child.ns == PIDF_NS || child.ns == NS) {
                out.notes.push(Note::parse(child));
            } else if !out.rpid.take(child) {
                out.extensions.push(child.clone());
            }
        }
        out
    }

    /// Write it.
    pub fn to_element(&self) -> Element {
        let mut element = Element::new(NS, "timed-status").with_attr("from", self.from.clone());
        if let Some(until) = &self.until {
            element.set_attr("", "until", until.clone());
        }
        if let Some(basic) = self.basic {
            element.push_text_child(PIDF_NS, "basic", basic.as_str());
        }
        self.rpid.write_into(&mut element);
        for note in &self.notes {
            element.push(note.to_element(PIDF_NS));
        }
        element.children.extend(self.extensions.iter().cloned());
        element
    }
}

#[cfg(test)]
#[path = "timed_tests.rs"]
mod tests;
