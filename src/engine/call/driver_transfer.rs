//! Blind transfer (RFC 3515) from our side: a REFER asks the peer to call
//! the target; its NOTIFYs (`message/sipfrag`) report the new call, and
//! once it is answered this call ends as `transferred`. A refused REFER or
//! a failed new call leaves this call as it was, with the reason shown.

use rsipstack::sip::{Header, Method as SipMethod};
use rsipstack::transaction::transaction::Transaction;

use super::*;

impl Call {
    /// The user asked to transfer the call to `target`.
    pub(super) fn transfer(&mut self, target: &str) {
        if self.view.phase != CallPhase::Active || self.transfer.is_some() {
            return;
        }
        let Ok(target_uri) = Uri::try_from(target) else {
            self.transfer_failed(format!("not a SIP address: {target}"));
            return;
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
        self.transfer = Some(target_uri.to_string());
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

    fn transfer_failed(&mut self, why: String) {
        tracing::info!(call = %self.view.id, "transfer failed: {why}");
        let _ = self.shared.events.send(Event::Warning {
            message: format!("transfer of {} failed: {why}", self.view.peer),
        });
    }
}
