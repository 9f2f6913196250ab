//! The subscriber's side of one subscription dialog (RFC 6665 §4.1): the
//! Call-ID and tags, CSeq, route set and remote target learnt from the 2xx
//! to SUBSCRIBE or from the first NOTIFY, turned into the next SUBSCRIBE.
//! No I/O: requests go out through `request::send`.

use rsipstack::sip::{Header, Headers, Method, Uri};

use super::request::{header, header_values, new_call_id, tag_of, uri_of, RequestSpec};

/// One subscription to one resource for one event package.
#[derive(Debug, Clone)]
pub struct SubscribeDialog {
    /// The resource: a contact's address, a list's URI, our own AoR (winfo).
    pub resource: Uri,
    /// Event package, e.g. `presence`, `presence.winfo`, `dialog`.
    pub event: String,
    /// Accept header value.
    pub accept: String,
    /// Ask for a resource list (RFC 4662 `Supported: eventlist`).
    pub eventlist: bool,
    call_id: String,
    local_tag: String,
    remote_tag: Option<String>,
    cseq: u32,
    route_set: Vec<String>,
    remote_target: Option<Uri>,
}

impl SubscribeDialog {
    pub fn new(resource: Uri, event: &str, accept: &str) -> Self {
        SubscribeDialog {
            resource,
            event: event.to_string(),
            accept: accept.to_string(),
            eventlist: false,
            call_id: new_call_id(),
            local_tag: rsipstack::transaction::make_tag().to_string(),
            remote_tag: None,
            cseq: 1,
            route_set: vec![],
            remote_target: None,
        }
    }

    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// Forget the dialog: the next request starts a new one.
    pub fn restart(&mut self) {
        self.call_id = new_call_id();
        self.local_tag = rsipstack::transaction::make_tag().to_string();
        self.remote_tag = None;
        self.route_set.clear();
        self.remote_target = None;
        self.cseq = 1;
    }

    /// True once the other side's tag is known.
    pub fn is_established(&self) -> bool {
        self.remote_tag.is_some()
    }

    /// The SUBSCRIBE to send now. `fresh`: start a new dialog first.
    pub fn subscribe(&mut self, expires: u32, fresh: bool, contact: &Uri) -> RequestSpec {
        if fresh {
            self.restart();
        }
        let mut spec = RequestSpec::new(Method::Subscribe, self.resource.clone());
        spec.call_id = self.call_id.clone();
        spec.from_tag = self.local_tag.clone();
        spec.to_tag = self.remote_tag.clone();
        spec.cseq = self.cseq;
        if let Some(target) = &self.remote_target {
            spec.uri = target.clone();
        }
        spec.routes = self.route_set.clone();
        spec.headers = vec![
            Header::Event(self.event.clone().into()),
            Header::Expires(expires.into()),
            Header::Accept(self.accept.clone().into()),
            Header::Contact(format!("<{contact}>").into()),
        ];
        if self.eventlist {
            spec.headers
                .push(Header::Supported("eventlist".to_string().into()));
        }
        spec
    }

    /// Take what the request's sending left behind (the CSeq it used).
    pub fn sent(&mut self, spec: &RequestSpec) {
        self.cseq = self.cseq.max(spec.cseq);
    }

    /// Learn the dialog from a 2xx to our SUBSCRIBE (UAC side: the route
    /// set is the Record-Route in reverse).
    pub fn on_success(&mut self, headers: &Headers) {
        if self.remote_tag.is_none() {
            self.remote_tag = header(headers, "To").and_then(|to| tag_of(&to));
            let mut routes = header_values(headers, "Record-Route");
            routes.reverse();
            self.route_set = routes;
        }
        self.learn_target(headers);
    }

    /// Whether an incoming NOTIFY belongs to this subscription: same
    /// Call-ID, our tag in To and, once known, their tag in From.
    pub fn matches(&self, call_id: &str, to_tag: Option<&str>, from_tag: Option<&str>) -> bool {
        if call_id != self.call_id || to_tag != Some(self.local_tag.as_str()) {
            return false;
        }
        match (&self.remote_tag, from_tag) {
            (Some(ours), Some(theirs)) => ours == theirs,
            (None, _) => true,
            (Some(_), None) => false,
        }
    }

    /// Learn the dialog from a NOTIFY (which may come before the 2xx; the
    /// route set is then its Record-Route in order, RFC 6665 §4.1.2.4).
    pub fn on_notify(&mut self, headers: &Headers) {
        if self.remote_tag.is_none() {
            self.remote_tag = header(headers, "From").and_then(|f| tag_of(&f));
            self.route_set = header_values(headers, "Record-Route");
        }
        self.learn_target(headers);
    }

    fn learn_target(&mut self, headers: &Headers) {
        if let Some(contact) = header(headers, "Contact") {
            if let Ok(uri) = Uri::try_from(uri_of(&contact).as_str()) {
                self.remote_target = Some(uri);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(lines: &[&str]) -> Headers {
        let raw = format!(
            "SIP/2.0 200 OK\r\n{}\r\nContent-Length: 0\r\n\r\n",
            lines.join("\r\n")
        );
        match rsipstack::sip::SipMessage::try_from(raw.as_str()).expect("parses") {
            rsipstack::sip::SipMessage::Response(r) => r.headers,
            _ => unreachable!(),
        }
    }

    fn contact() -> Uri {
        Uri::try_from("sip:me@127.0.0.1:5099").unwrap()
    }

    #[test]
    fn the_dialog_is_learnt_from_the_2xx_and_used_for_refreshes() {
        let mut d = SubscribeDialog::new(
            Uri::try_from("sip:bob@hark.test").unwrap(),
            "presence",
            "application/pidf+xml",
        );
        let mut first = d.subscribe(600, true, &contact());
        assert_eq!(first.cseq, 1);
        first.cseq += 1; // as request::send does for each request it sends
        d.sent(&first);
        assert_eq!(first.to_tag, None);
        assert_eq!(first.uri.to_string(), "sip:bob@hark.test");
        let call_id = first.call_id.clone();
        d.on_success(&headers(&[
            "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK1",
            &format!("From: <sip:me@hark.test>;tag={}", first.from_tag),
            "To: <sip:bob@hark.test>;tag=srv1",
            &format!("Call-ID: {call_id}"),
            "CSeq: 1 SUBSCRIBE",
            "Record-Route: <sip:127.0.0.1:5060;lr=on;ftag=x>, <sip:10.0.0.1;lr>",
            "Contact: <sip:bob@127.0.0.1:5060;transport=udp>",
        ]));
        assert!(d.is_established());
        let refresh = d.subscribe(600, false, &contact());
        assert_eq!(refresh.call_id, call_id);
        assert_eq!(refresh.to_tag.as_deref(), Some("srv1"));
        assert_eq!(
            refresh.uri.to_string().to_ascii_lowercase(),
            "sip:bob@127.0.0.1:5060;transport=udp"
        );
        assert_eq!(
            refresh.routes,
            vec!["<sip:10.0.0.1;lr>", "<sip:127.0.0.1:5060;lr=on;ftag=x>"]
        );
        assert_eq!(refresh.cseq, 2);
        assert!(d.matches(&call_id, Some(&first.from_tag), Some("srv1")));
        assert!(!d.matches(&call_id, Some(&first.from_tag), Some("other")));
        assert!(!d.matches("nope", Some(&first.from_tag), Some("srv1")));
        // A fresh subscribe forgets it all.
        let again = d.subscribe(600, true, &contact());
        assert_ne!(again.call_id, call_id);
        assert_eq!(again.to_tag, None);
        assert!(again.routes.is_empty());
    }

    #[test]
    fn a_notify_before_the_2xx_establishes_the_dialog() {
        let mut d = SubscribeDialog::new(
            Uri::try_from("sip:bob@hark.test").unwrap(),
            "presence",
            "application/pidf+xml",
        );
        let first = d.subscribe(600, true, &contact());
        assert!(d.matches(&first.call_id, Some(&first.from_tag), Some("n1")));
        d.on_notify(&headers(&[
            "From: <sip:bob@hark.test>;tag=n1",
            "Record-Route: <sip:a;lr>, <sip:b;lr>",
            "Contact: <sip:srv@127.0.0.1>",
        ]));
        let refresh = d.subscribe(600, false, &contact());
        assert_eq!(refresh.to_tag.as_deref(), Some("n1"));
        assert_eq!(refresh.routes, vec!["<sip:a;lr>", "<sip:b;lr>"]);
    }
}
