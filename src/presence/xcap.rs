//! XCAP (RFC 4825) without I/O: document and node URIs, the MIME type of
//! each application usage, what an error response means for the user, and
//! the conditional-write loop (PUT with If-Match; on 412 GET, re-apply the
//! pending edit, PUT again) as a state machine the engine drives.
//!
//! URI layout, as Kamailio's xcap_server parses it (xcap_misc.c):
//! `<xcap-root>/<auid>/users/<xui>/<document>[/~~/<node selector>]`, e.g.
//! `http://example.com:5060/xcap-root/pres-rules/users/sip:alice@example.com/index`.
//! Kamailio percent-decodes the whole path before splitting it, ends the
//! XUI at the first `/`, keys documents by the decoded path, limits that
//! path to 255 bytes, and answers errors with 500 (never 409) and
//! `GET xcap-caps` with 501 unless the routing script serves it.

use super::xml::{self, XmlError};

/// `urn:ietf:params:xml:ns:xcap-error`.
pub const XCAP_ERROR_NS: &str = "urn:ietf:params:xml:ns:xcap-error";
pub const XCAP_ERROR_MIME: &str = "application/xcap-error+xml";
/// Separator between a document selector and a node selector.
pub const NODE_SELECTOR_SEPARATOR: &str = "~~";

/// The application usages Hark uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Auid {
    ResourceLists,
    RlsServices,
    PresRules,
    /// `org.openmobilealliance.pres-rules` (document name `pres-rules`).
    OmaPresRules,
    XcapCaps,
    PidfManipulation,
}

impl Auid {
    pub fn as_str(self) -> &'static str {
        match self {
            Auid::ResourceLists => "resource-lists",
            Auid::RlsServices => "rls-services",
            Auid::PresRules => "pres-rules",
            Auid::OmaPresRules => "org.openmobilealliance.pres-rules",
            Auid::XcapCaps => "xcap-caps",
            Auid::PidfManipulation => "pidf-manipulation",
        }
    }

    /// MIME type of a whole document of this usage.
    pub fn mime(self) -> &'static str {
        match self {
            Auid::ResourceLists => "application/resource-lists+xml",
            Auid::RlsServices => "application/rls-services+xml",
            Auid::PresRules | Auid::OmaPresRules => "application/auth-policy+xml",
            Auid::XcapCaps => "application/xcap-caps+xml",
            Auid::PidfManipulation => "application/pidf+xml",
        }
    }

    /// The document name clients conventionally use.
    pub fn default_document(self) -> &'static str {
        match self {
            Auid::OmaPresRules => "pres-rules",
            _ => "index",
        }
    }

    /// Whether documents of this usage live in the global tree.
    pub fn is_global(self) -> bool {
        self == Auid::XcapCaps
    }
}

/// MIME type of a node selector's target (RFC 4825 §15.2, §15.3).
pub const XCAP_ELEMENT_MIME: &str = "application/xcap-el+xml";
pub const XCAP_ATTRIBUTE_MIME: &str = "application/xcap-att+xml";

/// Why an XCAP root URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XcapUriError {
    #[error("XCAP root must be an http:// or https:// URL, not {0:?}")]
    NotHttp(String),
}

/// The XCAP root, e.g. `https://xcap.example.com/xcap-root`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XcapRoot(String);

impl XcapRoot {
    pub fn new(url: &str) -> Result<Self, XcapUriError> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("http://")
            .or_else(|| lower.strip_prefix("https://"));
        match rest {
            Some(rest) if !rest.is_empty() && !rest.starts_with('/') => {
                Ok(XcapRoot(url.trim_end_matches('/').to_owned()))
            }
            _ => Err(XcapUriError::NotHttp(url.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// URL of a whole document.
    pub fn document_url(&self, document: &DocumentSelector) -> String {
        format!("{}/{}", self.0, document.path())
    }

    /// URL of an element or attribute inside a document.
    pub fn node_url(&self, document: &DocumentSelector, node: &NodeSelector) -> String {
        format!("{}/{}", self.document_url(document), node.to_uri_part())
    }

    /// A user's document of `auid` under its conventional name.
    pub fn user_document_url(&self, auid: Auid, xui: &str) -> String {
        self.document_url(&DocumentSelector::user(auid, xui))
    }

    /// `<xcap-root>/xcap-caps/global/index`.
    pub fn caps_url(&self) -> String {
        self.document_url(&DocumentSelector::global(Auid::XcapCaps))
    }
}

/// The URL an rls-services `<resource-list>` uses to point to the list
/// named `list_name` at the top of the user's resource-lists document.
/// Kamailio's rls resolves it locally when the host is one of its own
/// (check_self) and looks the document up by the decoded path.
pub fn resource_list_reference(root: &XcapRoot, xui: &str, list_name: &str) -> String {
    root.node_url(
        &DocumentSelector::user(Auid::ResourceLists, xui),
        &NodeSelector::new()
            .element("resource-lists")
            .element_where("list", "name", list_name),
    )
}

/// Which tree a document is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tree {
    /// `users/<xui>`: the XUI is the user's SIP URI.
    Users(String),
    Global,
}

/// A document selector: `<auid>/users/<xui>/<document>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSelector {
    pub auid: Auid,
    pub tree: Tree,
    pub document: String,
}

impl DocumentSelector {
    /// The user's document under its conventional name.
    pub fn user(auid: Auid, xui: &str) -> Self {
        DocumentSelector {
            auid,
            tree: Tree::Users(xui.to_owned()),
            document: auid.default_document().to_owned(),
        }
    }

    /// The global document of `auid` (`index`).
    pub fn global(auid: Auid) -> Self {
        DocumentSelector {
            auid,
            tree: Tree::Global,
            document: "index".to_owned(),
        }
    }

    /// The selector as a relative, percent-encoded path.
    pub fn path(&self) -> String {
        let tree = match &self.tree {
            Tree::Users(xui) => format!("users/{}", percent_encode(xui, SEGMENT)),
            Tree::Global => "global".to_owned(),
        };
        format!(
            "{}/{}/{}",
            self.auid.as_str(),
            tree,
            percent_encode(&self.document, SEGMENT)
        )
    }
}

/// One step of a node selector.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// `name`, `name[@attr="value"]` or `name[n]`.
    Element {
        name: String,
        predicate: Option<(String, String)>,
        position: Option<usize>,
    },
    /// `@attr` (last step only).
    Attribute(String),
}

/// A node selector (RFC 4825 §6.3), built step by step. Names are written
/// as given: unprefixed names are in the usage's default namespace.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeSelector {
    steps: Vec<Step>,
}

impl NodeSelector {
    pub fn new() -> Self {
        Self::default()
    }

    /// `/name`.
    pub fn element(mut self, name: &str) -> Self {
        self.steps.push(Step::Element {
            name: name.to_owned(),
            predicate: None,
            position: None,
        });
        self
    }

    /// `/name[@attribute="value"]`.
    pub fn element_where(mut self, name: &str, attribute: &str, value: &str) -> Self {
        self.steps.push(Step::Element {
            name: name.to_owned(),
            predicate: Some((attribute.to_owned(), value.to_owned())),
            position: None,
        });
        self
    }

    /// `/name[position]` (1-based).
    pub fn element_at(mut self, name: &str, position: usize) -> Self {
        self.steps.push(Step::Element {
            name: name.to_owned(),
            predicate: None,
            position: Some(position),
        });
        self
    }

    /// `/@attribute`.
    pub fn attribute(mut self, name: &str) -> Self {
        self.steps.push(Step::Attribute(name.to_owned()));
        self
    }

    /// The selector before percent-encoding, e.g.
    /// `resource-lists/list[@name="friends"]`. Values are XML attribute
    /// values in double quotes (`"`, `&`, `<` as character references).
    pub fn to_selector(&self) -> String {
        let mut out = String::new();
        for (i, step) in self.steps.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            match step {
                Step::Element {
                    name,
                    predicate,
                    position,
                } => {
                    out.push_str(name);
                    if let Some((attribute, value)) = predicate {
                        out.push_str(&format!("[@{attribute}=\"{}\"]", escape_value(value)));
                    }
                    if let Some(position) = position {
                        out.push_str(&format!("[{position}]"));
                    }
                }
                Step::Attribute(name) => {
                    out.push('@');
                    out.push_str(name);
                }
            }
        }
        out
    }

    /// `~~/<selector>`, percent-encoded for a URL path.
    pub fn to_uri_part(&self) -> String {
        format!(
            "{NODE_SELECTOR_SEPARATOR}/{}",
            percent_encode(&self.to_selector(), NODE)
        )
    }
}

fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            c => out.push(c),
        }
    }
    out
}

/// Characters kept as they are in a path segment (RFC 3986 pchar without
/// pct-encoded): unreserved, sub-delims, `:` and `@`.
const SEGMENT: &[u8] = b"-._~!$&'()*+,;=:@";
/// In a node selector `/` separates steps and stays.
const NODE: &[u8] = b"-._~!$&'()*+,;=:@/";

/// Percent-encode everything but ASCII letters, digits and `keep`.
pub fn percent_encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || keep.contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The body of a 409 Conflict (RFC 4825 §11): what was wrong with a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictKind {
    NotWellFormed,
    NotUtf8,
    NotXmlFrag,
    NotXmlAttValue,
    SchemaValidationError,
    /// The parent of the node to insert does not exist; `ancestor` is the
    /// closest one that does.
    NoParent {
        ancestor: Option<String>,
    },
    CannotInsert,
    CannotDelete,
    /// A value that must be unique is taken; the server may suggest others.
    UniquenessFailure {
        exists: Vec<UniquenessConflict>,
    },
    ConstraintFailure,
    /// An element of another namespace inside `<extension>`, or an unknown
    /// error element: its local name.
    Other(String),
}

/// One `<exists field=...>` of a uniqueness failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniquenessConflict {
    pub field: String,
    pub alt_values: Vec<String>,
}

/// A parsed `<xcap-error>` document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XcapConflict {
    pub kind: ConflictKind,
    /// The server's `phrase` attribute, if any.
    pub phrase: Option<String>,
}

/// Parse an `application/xcap-error+xml` body.
pub fn parse_xcap_error(bytes: &[u8]) -> Result<XcapConflict, XmlError> {
    let root = xml::parse_root(bytes, XCAP_ERROR_NS, "xcap-error")?;
    let Some(error) = root.children.first() else {
        return Ok(XcapConflict {
            kind: ConflictKind::Other(String::new()),
            phrase: None,
        });
    };
    let kind = if error.ns != XCAP_ERROR_NS {
        ConflictKind::Other(error.name.clone())
    } else {
        match error.name.as_str() {
            "not-well-formed" => ConflictKind::NotWellFormed,
            "not-utf-8" => ConflictKind::NotUtf8,
            "not-xml-frag" => ConflictKind::NotXmlFrag,
            "not-xml-att-value" => ConflictKind::NotXmlAttValue,
            "schema-validation-error" => ConflictKind::SchemaValidationError,
            "no-parent" => ConflictKind::NoParent {
                ancestor: error
                    .child_text(XCAP_ERROR_NS, "ancestor")
                    .map(str::to_owned),
            },
            "cannot-insert" => ConflictKind::CannotInsert,
            "cannot-delete" => ConflictKind::CannotDelete,
            "uniqueness-failure" => ConflictKind::UniquenessFailure {
                exists: error
                    .children_named(XCAP_ERROR_NS, "exists")
                    .map(|e| UniquenessConflict {
                        field: e.attr("field").unwrap_or_default().to_owned(),
                        alt_values: e
                            .children_named(XCAP_ERROR_NS, "alt-value")
                            .map(|v| v.trimmed_text().to_owned())
                            .collect(),
                    })
                    .collect(),
            },
            "constraint-failure" => ConflictKind::ConstraintFailure,
            "extension" => ConflictKind::Other(
                error
                    .children
                    .first()
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
            ),
            other => ConflictKind::Other(other.to_owned()),
        }
    };
    Ok(XcapConflict {
        kind,
        phrase: error.attr("phrase").map(str::to_owned),
    })
}

/// What an XCAP error response means for the user and for the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XcapFailure {
    /// 401: the XCAP credentials were refused.
    Unauthorized,
    /// 403: the server does not let this user touch this document.
    Forbidden,
    /// 404: no such document or node (for a GET: nothing stored yet).
    NotFound,
    /// 405: e.g. PUT on xcap-caps.
    MethodNotAllowed,
    /// 409: the document was refused; why, when the server said.
    Conflict(Option<XcapConflict>),
    /// 412: the document changed since we read it (ETag mismatch): read
    /// it again and re-apply the edit.
    PreconditionFailed,
    /// 501: the server does not offer this (Kamailio for xcap-caps).
    NotImplemented,
    /// Any other 5xx.
    Server(u16),
    /// Anything else that is not a success.
    Unexpected(u16),
}

/// Classify a response: None for 2xx and 304, else what went wrong. A 409
/// body is parsed when it is an xcap-error document.
pub fn failure_for(status: u16, body: &[u8]) -> Option<XcapFailure> {
    Some(match status {
        200..=299 | 304 => return None,
        401 | 407 => XcapFailure::Unauthorized,
        403 => XcapFailure::Forbidden,
        404 => XcapFailure::NotFound,
        405 => XcapFailure::MethodNotAllowed,
        409 => XcapFailure::Conflict(parse_xcap_error(body).ok()),
        412 => XcapFailure::PreconditionFailed,
        501 => XcapFailure::NotImplemented,
        500..=599 => XcapFailure::Server(status),
        _ => XcapFailure::Unexpected(status),
    })
}

impl XcapFailure {
    /// A sentence for the user.
    pub fn user_message(&self) -> String {
        match self {
            XcapFailure::Unauthorized => {
                "The XCAP server refused the user name or password.".into()
            }
            XcapFailure::Forbidden => {
                "The XCAP server does not allow this account to change this list.".into()
            }
            XcapFailure::NotFound => "The document does not exist on the XCAP server.".into(),
            XcapFailure::MethodNotAllowed => "The XCAP server does not allow this change.".into(),
            XcapFailure::Conflict(conflict) => {
                let reason = conflict.as_ref().map(XcapConflict::reason);
                match reason {
                    Some(reason) => format!("The XCAP server refused the change: {reason}."),
                    None => "The XCAP server refused the change.".into(),
                }
            }
            XcapFailure::PreconditionFailed => {
                "The list changed on the server in the meantime.".into()
            }
            XcapFailure::NotImplemented => "The XCAP server does not offer this.".into(),
            XcapFailure::Server(code) => format!("The XCAP server failed (error {code})."),
            XcapFailure::Unexpected(code) => format!("Unexpected XCAP response {code}."),
        }
    }
}

impl XcapConflict {
    /// The server's phrase, or a description of the error kind.
    pub fn reason(&self) -> String {
        if let Some(phrase) = self.phrase.as_deref().map(str::trim) {
            if !phrase.is_empty() {
                return phrase.to_owned();
            }
        }
        match &self.kind {
            ConflictKind::NotWellFormed => "the document is not well-formed XML".into(),
            ConflictKind::NotUtf8 => "the document is not UTF-8".into(),
            ConflictKind::NotXmlFrag => "the element is not an XML fragment".into(),
            ConflictKind::NotXmlAttValue => "the attribute value is not valid".into(),
            ConflictKind::SchemaValidationError => "the document does not match its schema".into(),
            ConflictKind::NoParent { .. } => "the parent element does not exist".into(),
            ConflictKind::CannotInsert => "the element cannot be inserted there".into(),
            ConflictKind::CannotDelete => "the element cannot be deleted".into(),
            ConflictKind::UniquenessFailure { exists } => {
                let suggestion = exists.iter().flat_map(|e| &e.alt_values).next();
                match suggestion {
                    Some(alt) => format!("the name is already taken (try {alt})"),
                    None => "the name is already taken".into(),
                }
            }
            ConflictKind::ConstraintFailure => "a constraint of the document is violated".into(),
            ConflictKind::Other(name) if name.is_empty() => "an unspecified conflict".into(),
            ConflictKind::Other(name) => name.clone(),
        }
    }
}

/// A stored document as last read: its ETag header value (quotes kept)
/// and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub etag: Option<String>,
    pub body: Vec<u8>,
}

/// The next HTTP request of a conditional write, or its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteStep {
    /// GET the document (to learn its content and ETag).
    Get {
        url: String,
    },
    /// PUT `body`. `if_match`: send `If-Match`; `create_only`: send
    /// `If-None-Match: *` (the document did not exist when read).
    Put {
        url: String,
        content_type: &'static str,
        body: String,
        if_match: Option<String>,
        create_only: bool,
    },
    /// Written; the new ETag if the server sent one.
    Done {
        etag: Option<String>,
    },
    Failed(WriteFailure),
}

/// Why a conditional write ended without writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteFailure {
    Xcap(XcapFailure),
    /// The pending edit cannot be applied to the current document.
    Edit(String),
    /// The document kept changing under us.
    TooManyConflicts {
        attempts: u32,
    },
    /// `on_response` called while no request was outstanding.
    OutOfOrder,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Awaiting {
    Nothing,
    Get,
    Put,
}

/// One edit written with optimistic concurrency: PUT with If-Match on the
/// ETag read; on 412, GET again, re-apply the edit to what is there now,
/// PUT again (at most `max_attempts` PUTs). `edit` maps the current body
/// (None: no document yet) to the new one.
pub struct ConditionalWrite<F> {
    url: String,
    content_type: &'static str,
    edit: F,
    max_attempts: u32,
    attempts: u32,
    awaiting: Awaiting,
}

impl<F> ConditionalWrite<F>
where
    F: Fn(Option<&[u8]>) -> Result<String, String>,
{
    pub fn new(url: String, content_type: &'static str, edit: F, max_attempts: u32) -> Self {
        ConditionalWrite {
            url,
            content_type,
            edit,
            max_attempts: max_attempts.max(1),
            attempts: 0,
            awaiting: Awaiting::Nothing,
        }
    }

    /// First step: PUT over `cached` when we have it, else GET.
    pub fn start(&mut self, cached: Option<&Document>) -> WriteStep {
        match cached {
            Some(document) => self.put_over(Some(document)),
            None => self.get(),
        }
    }

    /// Feed the response to the last step; returns the next one.
    pub fn on_response(&mut self, status: u16, etag: Option<&str>, body: &[u8]) -> WriteStep {
        let awaiting = std::mem::replace(&mut self.awaiting, Awaiting::Nothing);
        match (awaiting, failure_for(status, body)) {
            (Awaiting::Nothing, _) => WriteStep::Failed(WriteFailure::OutOfOrder),
            (Awaiting::Get, None) => self.put_over(Some(&Document {
                etag: etag.map(str::to_owned),
                body: body.to_vec(),
            })),
            (Awaiting::Get, Some(XcapFailure::NotFound)) => self.put_over(None),
            (Awaiting::Put, None) => WriteStep::Done {
                etag: etag.map(str::to_owned),
            },
            (Awaiting::Put, Some(XcapFailure::PreconditionFailed)) => {
                if self.attempts >= self.max_attempts {
                    WriteStep::Failed(WriteFailure::TooManyConflicts {
                        attempts: self.attempts,
                    })
                } else {
                    self.get()
                }
            }
            (_, Some(failure)) => WriteStep::Failed(WriteFailure::Xcap(failure)),
        }
    }

    fn get(&mut self) -> WriteStep {
        self.awaiting = Awaiting::Get;
        WriteStep::Get {
            url: self.url.clone(),
        }
    }

    fn put_over(&mut self, current: Option<&Document>) -> WriteStep {
        let body = match (self.edit)(current.map(|d| d.body.as_slice())) {
            Ok(body) => body,
            Err(why) => return WriteStep::Failed(WriteFailure::Edit(why)),
        };
        self.attempts += 1;
        self.awaiting = Awaiting::Put;
        WriteStep::Put {
            url: self.url.clone(),
            content_type: self.content_type,
            body,
            if_match: current.and_then(|d| d.etag.as_deref()).map(quoted_etag),
            create_only: current.is_none(),
        }
    }
}

/// An entity tag as If-Match wants it: quoted (Kamailio compares the
/// quotes too), weak tags and `*` as they are.
pub fn quoted_etag(etag: &str) -> String {
    let etag = etag.trim();
    if etag.starts_with('"') || etag.starts_with("W/") || etag == "*" {
        etag.to_owned()
    } else {
        format!("\"{etag}\"")
    }
}

#[cfg(test)]
#[path = "xcap_tests.rs"]
mod tests;
