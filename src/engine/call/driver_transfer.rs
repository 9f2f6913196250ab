//! Transfers (RFC 3515, RFC 3891). From our side, blind or attended: a
//! REFER asks the peer to call the target (with `Replaces` for attended
//! transfer); its NOTIFYs (`message/sipfrag`) report the new call, and
//! once it is answered this call ends as `transferred`. A refused REFER or
//! a failed new call leaves this call as it was, with the reason shown.
//! From the peer's side: its REFER is accepted (202), the account places
//! the new call, and NOTIFYs tell the peer how it goes.

use rsipstack::sip::{Header, Method as SipMethod};
use rsipstack::transaction::transaction::Transaction;

use super::*;

impl Call {
    /// The user asked to connect this call's peer with the peer of our
    /// call `with`: a REFER whose Refer-To carries Replaces for that call.
    pub(super) fn attended_transfer(&mut self, with: &str) {
        let Some(other) = self.shared.registry.dialog(with) else {
            self.transfer_failed(format!("call {with} is not up"));
            return;
        };
        // RFC 3891: to-tag is the tag of the party the new INVITE goes to
        // (our peer on the other call), from-tag ours.
        let replaces = format!(
            "{};to-tag={};from-tag={}",
            other.call_id, other.remote_tag, other.local_tag
        );
        let target = format!("{}?Replaces={}", other.peer, escape_header_value(&replaces));
        self.transfer(&target);
    }

    /// The user asked to transfer the call to `target`.
    pub(super) fn transfer(&mut self, target: &str) {
        if self.view.phase != CallPhase::Active || self.transfer.is_some() {
            return;
        }
        // The address, with any ?headers (Replaces) kept as they are.
        let (address, headers) = target.split_once('?').unwrap_or((target, ""));
        let Ok(address) = Uri::try_from(address) else {
            self.transfer_failed(format!("not a SIP address: {target}"));
            return;
        };
        let target_uri = if headers.is_empty() {
            address.to_string()
        } else {
            format!("{address}?{headers}")
        };
        let (Some(cseq), Some(dialog)) = (self.machine.next_cseq(), self.machine.dialog().cloned())
        else {
            return;
        };
        let mut spec = call_wire::in_dialog_spec(&dialog, SipMethod::Refer, cseq, &self.peer);
        spec.headers
            .push(Header::Other("Refer-To".into(), format!("<{target_uri}>")));
        spec.headers.push(Header::Other(
            "Referred-By".into(),
            format!("<{}>", self.shared.identity.aor),
        ));
        spec.headers.push(Header::Contact(
            format!("<{}>", self.shared.identity.contact).into(),
        ));
        self.transfer = Some(target_uri);
        driver_sip::refer(self.shared.clone(), spec, self.sip_tx.clone());
    }

    /// The peer answered our REFER.
    pub(super) fn referred(&mut self, code: u16, reason: String) {
        if code >= 300 {
            self.transfer = None;
            self.transfer_failed(format!("{code} {reason}"));
        }
    }

    /// A NOTIFY about the transfer: how the new call is going.
    pub(super) fn transfer_progress(&mut self, mut tx: Transaction) {
        let status = call_wire::sipfrag_status(&tx.original.body);
        let terminated = crate::sip::request::header(&tx.original.headers, "Subscription-State")
            .is_some_and(|s| {
                s.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("terminated")
            });
        tokio::spawn(async move {
            let _ = tx.reply(rsipstack::sip::StatusCode::OK).await;
        });
        if self.transfer.is_none() {
            return;
        }
        match status {
            Some(code) if (200..300).contains(&code) => {
                self.transfer = None;
                self.view.end_reason = Some("transferred".into());
                self.input(Input::Hangup);
            }
            Some(code) if code >= 300 => {
                self.transfer = None;
                self.transfer_failed(format!("the new call failed: {code}"));
            }
            _ if terminated => {
                self.transfer = None;
                self.transfer_failed("the transfer ended without a result".into());
            }
            _ => {}
        }
    }

    /// The peer asks us to call someone (we are being transferred).
    pub(super) fn refer_in(&mut self, mut tx: Transaction) {
        let refer_to = crate::sip::request::header(&tx.original.headers, "Refer-To")
            .map(|v| crate::sip::request::uri_of(&v));
        let referred_by = crate::sip::request::header(&tx.original.headers, "Referred-By");
        let target = refer_to.and_then(|t| {
            let (address, headers) = t.split_once('?').unwrap_or((&t, ""));
            let address = Uri::try_from(address).ok()?.to_string();
            let replaces = headers.split('&').find_map(|h| {
                let (name, value) = h.split_once('=')?;
                name.eq_ignore_ascii_case("Replaces")
                    .then(|| unescape(value))
            });
            Some((address, replaces))
        });
        let busy = self.view.phase != CallPhase::Active || self.refer_subscription.is_some();
        let status: u16 = match (&target, busy) {
            (None, _) => 400,
            (_, true) => 491,
            _ => 202,
        };
        tokio::spawn(async move {
            let _ = tx.reply(status.into()).await;
        });
        let Some((target, replaces)) = target.filter(|_| status == 202) else {
            return;
        };
        tracing::info!(call = %self.view.id, %target, attended = replaces.is_some(), "transferred by the peer");
        self.notify_refer(100, "Trying", false);
        let _ = self.shared.refers.send(super::super::ReferRequest {
            from_call: self.view.id.clone(),
            target,
            replaces,
            referred_by,
        });
    }

    /// The account placed the call the peer's REFER asked for.
    pub(super) fn refer_placed(&mut self, report: tokio::sync::mpsc::UnboundedReceiver<u16>) {
        self.refer_subscription = Some(ReferSubscription { report });
    }

    /// The new call was answered (200) or failed: the peer learns it.
    pub(super) fn refer_outcome(&mut self, code: u16) {
        self.refer_subscription = None;
        let reason = rsipstack::sip::StatusCode::from(code).text().to_string();
        self.notify_refer(code, &reason, true);
    }

    /// A NOTIFY of the REFER's implicit subscription with a sipfrag status.
    fn notify_refer(&mut self, code: u16, reason: &str, last: bool) {
        let (Some(cseq), Some(dialog)) = (self.machine.next_cseq(), self.machine.dialog().cloned())
        else {
            return;
        };
        let mut spec = call_wire::in_dialog_spec(&dialog, SipMethod::Notify, cseq, &self.peer);
        let state = if last {
            "terminated;reason=noresource"
        } else {
            "active;expires=60"
        };
        spec.headers.push(Header::Event("refer".to_string().into()));
        spec.headers
            .push(Header::Other("Subscription-State".into(), state.into()));
        spec.headers.push(Header::Contact(
            format!("<{}>", self.shared.identity.contact).into(),
        ));
        spec.content_type = Some("message/sipfrag;version=2.0".into());
        spec.body = format!("SIP/2.0 {code} {reason}\r\n").into_bytes();
        let shared = self.shared.clone();
        tokio::spawn(async move {
            let _ = crate::sip::request::send(&shared.endpoint, &shared.identity, &mut spec).await;
        });
    }

    fn transfer_failed(&mut self, why: String) {
        tracing::info!(call = %self.view.id, "transfer failed: {why}");
        let _ = self.shared.events.send(Event::Warning {
            message: format!("transfer of {} failed: {why}", self.view.peer),
        });
    }
}

/// Undoes percent-encoding (`%3B` → `;`); bad escapes stay as they are.
fn unescape(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a header value for a URI's `?headers` (RFC 3261 §19.1.1):
/// everything but unreserved characters.
pub(super) fn escape_header_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_is_escaped_for_refer_to_and_back() {
        let replaces = "a1@host;to-tag=x;from-tag=y";
        let escaped = super::escape_header_value(replaces);
        assert_eq!(escaped, "a1%40host%3Bto-tag%3Dx%3Bfrom-tag%3Dy");
        assert_eq!(super::unescape(&escaped), replaces);
        assert_eq!(super::unescape("100%"), "100%");
        assert_eq!(super::unescape("%zz%4"), "%zz%4");
    }
}
