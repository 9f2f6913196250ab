//! Group chat over a conference server's rooms (Kamailio imc, SPEC M6):
//! the commands a member sends to a room's address (`#` command lines),
//! and what the room sends back, read from its plain-text bodies: a
//! member's text (`[alice]: hi`), an invitation, the member list, joins and
//! leaves, other notices (`*** ...`). The shapes are those of Kamailio
//! 5.6's imc, captured in `tests/kamailio/README-im.md`.

use crate::engine::RoomAction;

/// The header value by which imc marks its MESSAGEs (`Supported:`).
pub const SUPPORTED_TAG: &str = "kamailio/imc";

/// The command line for `action`, sent as a text MESSAGE to the room.
/// `invited`: we hold an invitation to this room, so joining accepts it.
pub fn command(action: &RoomAction, invited: bool) -> String {
    match action {
        RoomAction::Create => "#create".to_string(),
        RoomAction::Join if invited => "#accept".to_string(),
        RoomAction::Join => "#join".to_string(),
        RoomAction::Leave => "#exit".to_string(),
        RoomAction::Invite { uri } => format!("#invite {}", one_line(uri)),
        RoomAction::Members => "#members".to_string(),
    }
}

/// A value on one line: a URI with a line break must not start a second
/// command.
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

/// What a room's MESSAGE says. Member names are user parts (`alice`), as
/// imc writes them; members are always users of the room's server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomNotice {
    /// A member wrote to the room.
    Text { member: String, body: String },
    /// We are invited (join with `#accept`).
    Invitation { by: String },
    /// The member list (the owner first, as imc keeps it).
    Members(Vec<String>),
    /// Someone joined (possibly us).
    Joined(String),
    /// Someone left (possibly us).
    Left(String),
    /// The room is gone.
    Destroyed,
    /// Any other notice from the server (`*** ...`), as written.
    Notice(String),
}

/// Reads a room's MESSAGE body.
pub fn parse(body: &str) -> RoomNotice {
    let body = body.trim_end_matches(['\r', '\n']);
    if let Some(list) = body.strip_prefix("Members:") {
        let members = list
            .lines()
            .map(|l| l.trim().trim_start_matches(['*', '~']))
            .filter_map(|l| l.strip_prefix('[')?.strip_suffix(']'))
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect();
        return RoomNotice::Members(members);
    }
    if let Some(notice) = body.strip_prefix("*** ") {
        let bracketed = |rest: &str| -> Option<(String, String)> {
            let inner = rest.strip_prefix('[')?;
            let (name, tail) = inner.split_once(']')?;
            Some((name.to_string(), tail.trim().to_string()))
        };
        if let Some((who, tail)) = bracketed(notice) {
            if tail.starts_with("invites you to join the room") {
                return RoomNotice::Invitation { by: who };
            }
            if tail == "has joined the room" {
                return RoomNotice::Joined(who);
            }
            if tail == "has left the room" {
                return RoomNotice::Left(who);
            }
        }
        if notice.trim() == "Room has been destroyed" {
            return RoomNotice::Destroyed;
        }
        return RoomNotice::Notice(notice.to_string());
    }
    if let Some(rest) = body.strip_prefix('[') {
        if let Some((member, text)) = rest.split_once("]: ") {
            if !member.is_empty() && !member.contains(['[', ']', '\n']) {
                return RoomNotice::Text {
                    member: member.to_string(),
                    body: text.to_string(),
                };
            }
        }
    }
    RoomNotice::Notice(body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_single_lines_and_join_accepts_an_invitation() {
        assert_eq!(command(&RoomAction::Create, false), "#create");
        assert_eq!(command(&RoomAction::Join, false), "#join");
        assert_eq!(command(&RoomAction::Join, true), "#accept");
        assert_eq!(command(&RoomAction::Leave, false), "#exit");
        assert_eq!(command(&RoomAction::Members, false), "#members");
        assert_eq!(
            command(
                &RoomAction::Invite {
                    uri: "sip:bob@x\r\n#destroy".into()
                },
                false
            ),
            "#invite sip:bob@x"
        );
    }

    #[test]
    fn room_messages_as_captured_from_kamailio() {
        assert_eq!(
            parse("[alice]: hello team \u{2713}"),
            RoomNotice::Text {
                member: "alice".into(),
                body: "hello team \u{2713}".into()
            }
        );
        assert_eq!(
            parse("[alice]: line one\nline two: [x]"),
            RoomNotice::Text {
                member: "alice".into(),
                body: "line one\nline two: [x]".into()
            }
        );
        assert_eq!(
            parse("*** [alice] invites you to join the room (send '#accept' or '#reject')"),
            RoomNotice::Invitation { by: "alice".into() }
        );
        assert_eq!(
            parse("Members:\n*[alice]\n~[bob]\n[carol]"),
            RoomNotice::Members(vec!["alice".into(), "bob".into(), "carol".into()])
        );
        assert_eq!(
            parse("*** [carol] has joined the room"),
            RoomNotice::Joined("carol".into())
        );
        assert_eq!(
            parse("*** [bob] has left the room\r\n"),
            RoomNotice::Left("bob".into())
        );
        assert_eq!(parse("*** Room has been destroyed"), RoomNotice::Destroyed);
        assert_eq!(
            parse("*** Room was created"),
            RoomNotice::Notice("Room was created".into())
        );
        assert_eq!(parse("odd"), RoomNotice::Notice("odd".into()));
        assert_eq!(parse("[]: x"), RoomNotice::Notice("[]: x".into()));
    }
}
