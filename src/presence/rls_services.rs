//! Resource list services (RFC 4826 §4, `application/rls-services+xml`):
//! the `<service uri=...>` entries a resource list server expands, each
//! pointing to a list in the user's resource-lists document or holding one
//! inline. Unknown elements and attributes are kept, as in
//! [`resource_lists`](super::resource_lists).

use super::resource_lists::{
    attrs_except, list_element, list_from, List, ResourceListsError, PREFIXES, RLS_SERVICES_NS,
};
use super::xml::{self, Attribute, Element};

/// What a `<service>` expands to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceSource {
    /// `<resource-list>`: an HTTP URI of a list in a resource-lists
    /// document (see `xcap::resource_list_reference`).
    ResourceList(String),
    /// An inline `<list>`.
    List(List),
}

/// One `<service uri=...>`: a URI that, when subscribed to, expands to a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub uri: String,
    pub source: ServiceSource,
    /// Event packages, e.g. `presence`. Empty means any.
    pub packages: Vec<String>,
    pub other_attrs: Vec<Attribute>,
    /// Children other than the source and `<packages>`.
    pub others: Vec<Element>,
}

/// A whole `<rls-services>` document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RlsServices {
    pub services: Vec<Service>,
    pub other_attrs: Vec<Attribute>,
    /// Children other than `<service>`.
    pub others: Vec<Element>,
}

impl Service {
    /// A presence service pointing to a list in a resource-lists document.
    pub fn presence_list(service_uri: &str, resource_list_url: &str) -> Self {
        Service {
            uri: service_uri.to_owned(),
            source: ServiceSource::ResourceList(resource_list_url.to_owned()),
            packages: vec!["presence".to_owned()],
            other_attrs: Vec::new(),
            others: Vec::new(),
        }
    }
}

impl RlsServices {
    /// The service for `uri`, if any.
    pub fn service(&self, uri: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.uri == uri)
    }

    /// Replace the service with the same URI, or add it; other services
    /// (other clients', other lists) are kept.
    pub fn upsert(&mut self, service: Service) {
        match self.services.iter_mut().find(|s| s.uri == service.uri) {
            Some(existing) => {
                existing.source = service.source;
                existing.packages = service.packages;
            }
            None => self.services.push(service),
        }
    }
}

/// Parse an rls-services document. A `<service>` without a `uri` or without
/// a list is kept among `others` untouched.
pub fn parse_rls_services(bytes: &[u8]) -> Result<RlsServices, ResourceListsError> {
    let root = xml::parse_root(bytes, RLS_SERVICES_NS, "rls-services")?;
    let mut doc = RlsServices {
        other_attrs: root.attrs.clone(),
        ..Default::default()
    };
    for child in root.children {
        match service_from(&child) {
            Some(service) => doc.services.push(service),
            None => doc.others.push(child),
        }
    }
    Ok(doc)
}

fn service_from(element: &Element) -> Option<Service> {
    if !element.is(RLS_SERVICES_NS, "service") {
        return None;
    }
    let uri = element.attr("uri")?.trim().to_owned();
    let mut source = None;
    let mut packages = Vec::new();
    let mut others = Vec::new();
    for child in &element.children {
        match (child.ns.as_str(), child.name.as_str()) {
            (RLS_SERVICES_NS, "resource-list") if source.is_none() => {
                source = Some(ServiceSource::ResourceList(child.trimmed_text().to_owned()));
            }
            (RLS_SERVICES_NS, "list") if source.is_none() => {
                source = Some(ServiceSource::List(list_from(child)));
            }
            (RLS_SERVICES_NS, "packages") => packages.extend(
                child
                    .children_named(RLS_SERVICES_NS, "package")
                    .map(|p| p.trimmed_text().to_owned()),
            ),
            _ => others.push(child.clone()),
        }
    }
    Some(Service {
        uri,
        source: source?,
        packages,
        other_attrs: attrs_except(element, "uri"),
        others,
    })
}

/// Write an rls-services document.
pub fn build_rls_services(doc: &RlsServices) -> String {
    let mut root = Element::new(RLS_SERVICES_NS, "rls-services");
    root.attrs = doc.other_attrs.clone();
    for service in &doc.services {
        let mut element =
            Element::new(RLS_SERVICES_NS, "service").with_attr("uri", service.uri.clone());
        element.attrs.extend(service.other_attrs.iter().cloned());
        element.push(match &service.source {
            ServiceSource::ResourceList(url) => {
                Element::new(RLS_SERVICES_NS, "resource-list").with_text(url.clone())
            }
            ServiceSource::List(list) => list_element(list, RLS_SERVICES_NS),
        });
        if !service.packages.is_empty() {
            let mut packages = Element::new(RLS_SERVICES_NS, "packages");
            for package in &service.packages {
                packages.push_text_child(RLS_SERVICES_NS, "package", package.clone());
            }
            element.push(packages);
        }
        element.children.extend(service.others.iter().cloned());
        root.push(element);
    }
    root.children.extend(doc.others.iter().cloned());
    xml::to_xml(&root, PREFIXES)
}
