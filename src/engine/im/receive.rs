//! Incoming MESSAGEs of the chat task: text is stored before it is
//! answered 200 (a crash before the answer makes the sender try again, and
//! the repeat is recognised), typing indications and notifications update
//! what the window shows, anything else is refused with the right status.

use std::time::Instant;

use rsipstack::sip::{Header, StatusCode};
use rsipstack::transaction::transaction::Transaction;

use super::send::Outgoing;
use super::{view, ImTask};
use crate::engine::api::Event;
use crate::im::imc::{self, RoomNotice};
use crate::im::imdn::{DeliveryStatus, DisplayStatus, Notification};
use crate::im::inbound::{self, Inbound, Text};
use crate::im::outbound;
use crate::sip::request::{header, leading_number, uri_of};

impl ImTask {
    pub(super) async fn on_message(&mut self, mut tx: Transaction) {
        let headers = &tx.original.headers;
        let Some(from) = header(headers, "From") else {
            return reply(tx, StatusCode::BadRequest, vec![]);
        };
        let peer = view::peer_address(&uri_of(&from));
        let content_type = header(headers, "Content-Type");
        let call_id = header(headers, "Call-ID").unwrap_or_default();
        let cseq = header(headers, "CSeq")
            .and_then(|c| leading_number(&c))
            .unwrap_or(0);
        let date = header(headers, "Date");
        let device = header(headers, "Contact").map(|c| uri_of(&c));
        let from_room = header(headers, "Supported")
            .is_some_and(|v| v.contains(crate::im::imc::SUPPORTED_TAG))
            || self.rooms.contains(&peer);
        let encoding = header(headers, "Content-Encoding");
        let body = std::mem::take(&mut tx.original.body);
        let now = Instant::now();
        let classified = inbound::decode(encoding.as_deref(), &body)
            .and_then(|body| inbound::classify(content_type.as_deref(), &body));
        match classified {
            Err(refusal) => {
                tracing::info!(account = %self.account, %peer, "MESSAGE refused: {refusal}");
                let status = StatusCode::from(refusal.status());
                let extra = match refusal {
                    inbound::Refusal::UnsupportedType(_) => {
                        vec![Header::Other("Accept".into(), inbound::ACCEPT.into())]
                    }
                    _ => vec![],
                };
                reply(tx, status, extra);
            }
            Ok(Inbound::Text(text)) if from_room => {
                let key = outbound::dedup_key(&call_id, cseq);
                let kept = self
                    .on_room_message(&peer, &text.body, &key, date.as_deref())
                    .await;
                reply(tx, answer_for(kept), vec![]);
            }
            Ok(Inbound::Text(text)) => {
                let key = outbound::dedup_key(&call_id, cseq);
                let kept = self.store_text(&peer, &text, &key, date.as_deref()).await;
                reply(tx, answer_for(kept), vec![]);
                if kept == Kept::Failed {
                    return;
                }
                let stored = kept == Kept::New;
                self.routing.on_incoming(&peer, device.as_deref(), now);
                if text.cpim {
                    self.cpim_peers.insert(peer.clone());
                }
                if self
                    .typing_in
                    .get_mut(&peer)
                    .is_some_and(|r| r.on_message(now))
                {
                    self.typing_changed(&peer, false);
                }
                if let Some(request) = text.imdn.filter(|_| stored) {
                    if request.disposition.positive_delivery {
                        let out = Outgoing::notification(
                            &self.identity.aor.to_string(),
                            &peer,
                            &request,
                            Notification::Delivery(DeliveryStatus::Delivered),
                        );
                        self.fire_and_forget(out, "delivery notification");
                    }
                    if request.disposition.display {
                        self.pending_display
                            .entry(peer.clone())
                            .or_default()
                            .push(request);
                    }
                }
            }
            Ok(Inbound::Composing(doc)) => {
                reply(tx, StatusCode::OK, vec![]);
                let receiver = self.typing_in.entry(peer.clone()).or_default();
                if receiver.on_indication(&doc, now) {
                    let typing = receiver.is_typing();
                    self.typing_changed(&peer, typing);
                }
            }
            Ok(Inbound::Notification(imdn)) => {
                reply(tx, StatusCode::OK, vec![]);
                // liblinphone names a plain-text message by its Call-ID,
                // which for ours is the message id and a fixed host.
                let id = outbound::message_id_of(&imdn.message_id).to_string();
                let account = self.account.clone();
                let changed = match imdn.notification {
                    Notification::Delivery(DeliveryStatus::Delivered) => {
                        self.with_store(move |s| s.mark_delivered(&id)).await
                    }
                    Notification::Display(DisplayStatus::Displayed) => {
                        self.with_store(move |s| s.mark_displayed(&id)).await
                    }
                    _ => None,
                };
                if changed == Some(true) {
                    let id = outbound::message_id_of(&imdn.message_id).to_string();
                    if let Some(Some(m)) = self
                        .with_store(move |s| s.outgoing_by_message_id(&account, &id))
                        .await
                    {
                        self.emit(view::message_event(&self.account, &m));
                    }
                }
            }
        }
    }

    /// A MESSAGE from a group-chat room: a member's text, an invitation,
    /// the member list, or a notice (joins and leaves refresh the list).
    async fn on_room_message(
        &mut self,
        room: &str,
        body: &str,
        key: &str,
        date: Option<&str>,
    ) -> Kept {
        let (sender, text) = match imc::parse(body) {
            RoomNotice::Text { member, body } => (self.member_address(&member), body),
            RoomNotice::Invitation { by } => {
                self.invited.insert(room.to_string());
                self.emit(Event::RoomInvitation {
                    account: self.account.clone(),
                    room: room.to_string(),
                    by: Some(self.member_address(&by)),
                });
                return Kept::New;
            }
            RoomNotice::Members(members) => {
                self.rooms.insert(room.to_string());
                self.emit(Event::RoomMembers {
                    account: self.account.clone(),
                    room: room.to_string(),
                    members: members.iter().map(|m| self.member_address(m)).collect(),
                });
                return Kept::New;
            }
            RoomNotice::Joined(_) | RoomNotice::Left(_) => {
                self.rooms.insert(room.to_string());
                self.room(room, &crate::engine::api::RoomAction::Members, false);
                (room.to_string(), body.trim_end().to_string())
            }
            RoomNotice::Destroyed | RoomNotice::Notice(_) => {
                (room.to_string(), body.trim_end().to_string())
            }
        };
        let text = Text {
            body: text,
            datetime: None,
            imdn: None,
            cpim: false,
            cpim_from: None,
        };
        self.store_text_from(room, &sender, &text, key, date).await
    }

    /// `sip:user@our-domain` for a room member named by user part.
    fn member_address(&self, user: &str) -> String {
        let domain = self.account.rsplit_once('@').map_or("", |(_, d)| d);
        format!("sip:{user}@{domain}")
    }

    /// Keeps a received text.
    async fn store_text(&self, peer: &str, text: &Text, key: &str, date: Option<&str>) -> Kept {
        let sender = text
            .cpim_from
            .as_deref()
            .map(view::peer_address)
            .unwrap_or_else(|| peer.to_string());
        self.store_text_from(peer, &sender, text, key, date).await
    }

    /// Keeps a received text in the chat `peer`, written by `sender`.
    async fn store_text_from(
        &self,
        peer: &str,
        sender: &str,
        text: &Text,
        key: &str,
        date: Option<&str>,
    ) -> Kept {
        if text.body.trim().is_empty() {
            return Kept::Repeat;
        }
        let received = view::now_ms();
        let sent = view::sent_time(text.datetime.as_deref(), date, received);
        let writer = sender.to_string();
        let (account, peer_owned, body) =
            (self.account.clone(), peer.to_string(), text.body.clone());
        let message_id = text.imdn.as_ref().map(|r| r.message_id.clone());
        let key_owned = key.to_string();
        let stored = self
            .with_store(move |s| {
                let Some(id) = s.store_incoming(
                    &account,
                    &peer_owned,
                    &writer,
                    &body,
                    "text/plain",
                    message_id.as_deref(),
                    Some(&key_owned),
                    sent,
                    received,
                )?
                else {
                    return Ok(None);
                };
                s.message(id)
            })
            .await;
        match stored {
            Some(Some(m)) => {
                self.emit(view::message_event(&self.account, &m));
                Kept::New
            }
            Some(None) => Kept::Repeat,
            // The store is there but failed (disk full...): answered 500 so
            // the sender keeps it and tries again.
            None if self.store.is_some() => Kept::Failed,
            None => {
                // No store: still shown, never silently dropped.
                self.emit(Event::Message {
                    account: self.account.clone(),
                    message: Box::new(crate::engine::api::ChatMessage {
                        id: 0,
                        peer: peer.to_string(),
                        outgoing: false,
                        sender: sender.to_string(),
                        body: text.body.clone(),
                        sent_at: sent,
                        received_at: Some(received),
                        state: crate::engine::api::ChatState::Received,
                        failure: None,
                        message_id: None,
                    }),
                });
                Kept::New
            }
        }
    }

    fn typing_changed(&self, peer: &str, typing: bool) {
        self.emit(Event::Typing {
            account: self.account.clone(),
            peer: peer.to_string(),
            typing,
        });
    }
}

/// What became of a received text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kept {
    /// Stored (or shown, without a store) for the first time.
    New,
    /// Seen before (or empty): answered 200, nothing more.
    Repeat,
    /// Could not be stored: answered 500 so the sender tries again.
    Failed,
}

fn answer_for(kept: Kept) -> StatusCode {
    match kept {
        Kept::Failed => StatusCode::ServerInternalError,
        Kept::New | Kept::Repeat => StatusCode::OK,
    }
}

fn reply(mut tx: Transaction, status: StatusCode, headers: Vec<Header>) {
    tokio::spawn(async move {
        if let Err(e) = tx.reply_with(status, headers, None).await {
            tracing::debug!("MESSAGE reply failed: {e}");
        }
    });
}
