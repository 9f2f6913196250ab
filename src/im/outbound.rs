//! What becomes of a message we sent, decided from the final answer alone
//! (sans-IO). 200 is sent, 202 is stored by the server for an offline
//! peer. Answers that say the peer cannot take it now or at all (404, 480,
//! 486, 408 from the far end, 603...) fail the message, with a reason the
//! user can act on and a retry. When the answer never came, or the server
//! itself is unwell (503, 500), the message goes back in the queue and out
//! again by itself. Outgoing messages keep one Call-ID across retries,
//! derived from their message id, so a peer can tell a repeat.

/// Largest text a user may send over TCP, in bytes of UTF-8: the request
/// must fit the 16 KiB a default Kamailio reads of one SIP message on a
/// stream (a larger one is dropped with the connection).
pub const MAX_TEXT_BYTES: usize = 12_000;
/// Largest text a user may send over UDP: the whole request must fit the
/// 8 KiB a receiver like Hark (rsipstack) reads of a datagram, after the
/// proxy's headers and a CPIM wrapper; longer ones would be cut (and
/// refused 413) on the way. RFC 3428 wants 1300 bytes on paths of unknown
/// MTU; this relies on IP fragmentation, as other clients do.
pub const MAX_UDP_TEXT_BYTES: usize = 6000;

/// Why a message did not go through, as a stable token the window
/// translates (`chat-failure-<token>`), plus the server's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// 404, 604, 484: no such user.
    NotFound,
    /// 480, 410: the peer is not online and the server keeps no messages.
    Offline,
    /// 486, 600: busy / declined for now.
    Busy,
    /// 403, 603: refused.
    Refused,
    /// 408 from the far end: their device did not answer.
    NoAnswer,
    /// 413, 415, 488, 606: their client cannot take this message.
    NotAccepted,
    /// No answer came, or the connection is down.
    Unreachable,
    /// Not registered: waits for the next registration.
    NotRegistered,
    /// The server is unwell (500, 503...).
    ServerError,
    /// Anything else.
    Other,
}

impl FailureKind {
    pub fn token(self) -> &'static str {
        match self {
            FailureKind::NotFound => "not-found",
            FailureKind::Offline => "offline",
            FailureKind::Busy => "busy",
            FailureKind::Refused => "refused",
            FailureKind::NoAnswer => "no-answer",
            FailureKind::NotAccepted => "not-accepted",
            FailureKind::Unreachable => "unreachable",
            FailureKind::NotRegistered => "not-registered",
            FailureKind::ServerError => "server-error",
            FailureKind::Other => "other",
        }
    }
}

/// What to do with a message after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx other than 202: the peer took it.
    Sent,
    /// 202: the server keeps it for the peer (offline delivery).
    Stored,
    /// Failed until the user retries; the stored reason.
    Failed(String),
    /// Back in the queue; goes again by itself later.
    Requeue(String),
}

/// The stored reason: the kind's token, then the server's status line.
pub fn reason(kind: FailureKind, detail: &str) -> String {
    let detail = detail.trim();
    if detail.is_empty() {
        kind.token().to_string()
    } else {
        format!("{}: {detail}", kind.token())
    }
}

/// The failure kind token of a stored reason (what [`reason`] wrote).
pub fn kind_token(reason: &str) -> &str {
    reason.split(':').next().unwrap_or(reason).trim()
}

/// The outcome of a final answer `code` (0: none came) with its reason
/// phrase or error text.
pub fn outcome(code: u16, detail: &str) -> Outcome {
    let status = if code == 0 {
        detail.to_string()
    } else {
        format!("{code} {detail}")
    };
    let failed = |kind| Outcome::Failed(reason(kind, &status));
    match code {
        0 => Outcome::Requeue(reason(FailureKind::Unreachable, &status)),
        202 => Outcome::Stored,
        200..=299 => Outcome::Sent,
        404 | 604 | 484 => failed(FailureKind::NotFound),
        480 | 410 => failed(FailureKind::Offline),
        486 | 600 => failed(FailureKind::Busy),
        403 | 603 => failed(FailureKind::Refused),
        408 => failed(FailureKind::NoAnswer),
        413 | 415 | 488 | 606 => failed(FailureKind::NotAccepted),
        500 | 503 | 504 => Outcome::Requeue(reason(FailureKind::ServerError, &status)),
        _ => failed(FailureKind::Other),
    }
}

/// A new message id: 20 random letters and digits (~119 bits).
pub fn new_message_id() -> String {
    rsipstack::transaction::random_text(20)
}

/// The Call-ID every attempt of a message uses.
pub fn call_id(message_id: &str) -> String {
    format!("{message_id}@{CALL_ID_HOST}")
}

/// Our message id inside one of our Call-IDs (what some peers' delivery
/// notifications name); anything else as it is.
pub fn message_id_of(id: &str) -> &str {
    id.strip_suffix(CALL_ID_HOST)
        .and_then(|rest| rest.strip_suffix('@'))
        .unwrap_or(id)
}

/// The host part of our message Call-IDs, by which a Hark receiver knows a
/// repeat of the same message whatever its CSeq.
pub const CALL_ID_HOST: &str = "msg.hark";

/// The key an incoming MESSAGE is stored under, so a repeat is recognised:
/// our own Call-IDs name the message; other Call-IDs may be reused for
/// several messages, so their CSeq number is added.
pub fn dedup_key(call_id: &str, cseq: u32) -> String {
    if call_id.ends_with(&format!("@{CALL_ID_HOST}")) {
        call_id.to_string()
    } else {
        format!("{call_id} {cseq}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_outcomes() {
        assert_eq!(outcome(200, "OK"), Outcome::Sent);
        assert_eq!(outcome(202, "Accepted"), Outcome::Stored);
        assert_eq!(
            outcome(404, "Not Found"),
            Outcome::Failed("not-found: 404 Not Found".into())
        );
        assert_eq!(
            outcome(480, "Temporarily Unavailable"),
            Outcome::Failed("offline: 480 Temporarily Unavailable".into())
        );
        assert!(matches!(outcome(486, "Busy Here"), Outcome::Failed(r) if r.starts_with("busy")));
        assert!(
            matches!(outcome(408, "Request Timeout"), Outcome::Failed(r) if r.starts_with("no-answer"))
        );
        assert!(
            matches!(outcome(503, "Service Unavailable"), Outcome::Requeue(r) if r.starts_with("server-error"))
        );
        assert!(
            matches!(outcome(0, "timed out"), Outcome::Requeue(r) if r == "unreachable: timed out")
        );
        assert!(matches!(outcome(499, "Odd"), Outcome::Failed(r) if r.starts_with("other")));
    }

    #[test]
    fn reason_tokens_round_trip() {
        let r = reason(FailureKind::Offline, "480 Temporarily Unavailable");
        assert_eq!(kind_token(&r), "offline");
        assert_eq!(kind_token("not-registered"), "not-registered");
    }

    #[test]
    fn message_ids_are_unique_and_call_ids_dedupe() {
        let a = new_message_id();
        let b = new_message_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 20);
        let ours = call_id(&a);
        assert_eq!(message_id_of(&ours), a);
        assert_eq!(message_id_of("1-28713@127.0.0.1"), "1-28713@127.0.0.1");
        assert_eq!(dedup_key(&ours, 1), dedup_key(&ours, 2));
        assert_ne!(dedup_key("x@host", 1), dedup_key("x@host", 2));
    }
}
