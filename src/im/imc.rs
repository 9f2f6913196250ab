//! Group chat over a conference server's rooms (Kamailio imc, SPEC M6):
//! the commands a member sends to a room's address, written as the
//! server's `#` command lines.

use crate::engine::RoomAction;

/// The command line for `action`, sent as a text MESSAGE to the room.
pub fn command(action: &RoomAction) -> String {
    match action {
        RoomAction::Create => "#create".to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_single_lines() {
        assert_eq!(command(&RoomAction::Create), "#create");
        assert_eq!(
            command(&RoomAction::Invite {
                uri: "sip:bob@x\r\n#destroy".into()
            }),
            "#invite sip:bob@x"
        );
    }
}
