//! Turning stored messages into what front ends see, and addresses and
//! times from the wire into the forms the history keeps.

use crate::engine::api::{ChatMessage, Event};
use crate::store::messages::{Direction, Message};

/// A stored message as front ends see it.
pub(crate) fn chat_message(m: &Message) -> ChatMessage {
    ChatMessage {
        id: m.id,
        peer: m.peer.clone(),
        outgoing: m.direction == Direction::Out,
        sender: m.sender.clone(),
        body: m.body.clone(),
        sent_at: m.sent_at,
        received_at: m.received_at,
        state: m.state,
        failure: m.failure.clone(),
        message_id: m.message_id.clone(),
    }
}

/// The `message` event for a stored message.
pub(crate) fn message_event(account: &str, m: &Message) -> Event {
    Event::Message {
        account: account.to_string(),
        message: Box::new(chat_message(m)),
    }
}

/// A chat's address from a URI as it comes in From or To headers:
/// `sip:user@host[:port]`, without parameters or headers, host in lower
/// case; the URI as it was when it is not of that shape.
pub(crate) fn peer_address(uri: &str) -> String {
    let bare = uri
        .trim()
        .split([';', '?'])
        .next()
        .unwrap_or("")
        .trim_matches(['<', '>']);
    match crate::config::AccountConfig::normalize_address(bare) {
        Ok(a) => match a.split_once('@') {
            Some((user, host)) => format!("{user}@{}", host.to_ascii_lowercase()),
            None => a,
        },
        Err(_) => bare.to_string(),
    }
}

/// Milliseconds since the epoch, now.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// When an incoming message was written: its CPIM DateTime (RFC 3339) or
/// SIP Date (RFC 1123), never later than when it arrived (a sender's clock
/// running ahead must not put it after newer messages).
pub(crate) fn sent_time(datetime: Option<&str>, date: Option<&str>, received: i64) -> i64 {
    let cpim = datetime
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d.trim()).ok())
        .map(|t| t.timestamp_millis());
    let sip = || {
        date.and_then(|d| chrono::DateTime::parse_from_rfc2822(d.trim()).ok())
            .map(|t| t.timestamp_millis())
    };
    cpim.or_else(sip).map_or(received, |t| t.min(received))
}

/// Now as RFC 3339, for CPIM DateTime and IMDN.
pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_state_wire_names_are_the_json_names_and_read_back() {
        use crate::engine::api::ChatState;
        for name in [
            "queued",
            "sending",
            "sent",
            "stored",
            "delivered",
            "displayed",
            "failed",
            "received",
        ] {
            let state = ChatState::parse(name).expect(name);
            assert_eq!(state.as_str(), name);
            assert_eq!(
                serde_json::to_string(&state).unwrap(),
                format!("\"{name}\"")
            );
        }
        assert_eq!(ChatState::parse("lost"), None);
    }

    #[test]
    fn peer_addresses_lose_parameters_and_case() {
        assert_eq!(
            peer_address("sip:bob@Hark.Test;transport=udp"),
            "sip:bob@hark.test"
        );
        assert_eq!(peer_address("<sip:bob@x:5070>"), "sip:bob@x:5070");
        assert_eq!(peer_address("tel:+123"), "tel:+123");
    }

    #[test]
    fn sent_times_from_cpim_or_date_never_in_the_future() {
        let received = 1_800_000_000_000;
        assert_eq!(
            sent_time(Some("2024-05-02T10:00:00Z"), None, received),
            1_714_644_000_000
        );
        assert_eq!(
            sent_time(None, Some("Thu, 02 May 2024 10:00:00 GMT"), received),
            1_714_644_000_000
        );
        assert_eq!(sent_time(Some("garbage"), None, received), received);
        assert_eq!(
            sent_time(Some("2099-01-01T00:00:00Z"), None, received),
            received
        );
    }
}
