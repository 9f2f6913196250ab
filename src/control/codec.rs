//! One JSON line to a command envelope, and an event to one JSON line.
//! Bad input becomes an `error` event that names the problem, never a panic.

use serde_json::Value;

use crate::engine::{Command, Envelope, ErrorKind, Event};

/// Longest line we accept; longer ones are refused without being parsed.
pub const MAX_LINE: usize = 64 * 1024;

/// Parses one line. `Ok(None)` for a blank line.
pub fn decode(line: &str) -> Result<Option<Envelope>, Event> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(None);
    }
    if line.len() > MAX_LINE {
        return Err(error(
            None,
            ErrorKind::BadJson,
            format!("line too long ({} bytes, at most {MAX_LINE})", line.len()),
        ));
    }
    let value: Value = serde_json::from_str(line)
        .map_err(|e| error(None, ErrorKind::BadJson, format!("not valid JSON: {e}")))?;
    let Value::Object(mut map) = value else {
        return Err(error(
            None,
            ErrorKind::BadJson,
            "expected a JSON object like {\"cmd\":\"ping\"}".into(),
        ));
    };
    let id = map.remove("id");
    if !map.contains_key("cmd") {
        return Err(error(
            id,
            ErrorKind::UnknownCommand,
            "missing field `cmd` (the command's name)".into(),
        ));
    }
    let command: Command = serde_json::from_value(Value::Object(map.clone())).map_err(|e| {
        error(
            id.clone(),
            ErrorKind::UnknownCommand,
            format!("not a command Hark knows: {e}"),
        )
    })?;
    // serde lets unit variants (`ping`) swallow extra fields: catch them here.
    if let Ok(Value::Object(known)) = serde_json::to_value(&command) {
        if let Some((key, _)) = map
            .iter()
            .find(|(k, v)| !known.contains_key(k.as_str()) && !v.is_null())
        {
            return Err(error(
                id,
                ErrorKind::UnknownCommand,
                format!(
                    "unknown field `{key}` for command `{}`",
                    known["cmd"].as_str().unwrap_or("?")
                ),
            ));
        }
    }
    Ok(Some(Envelope { id, command }))
}

/// Serialises an event as one line (without the newline).
pub fn encode(event: &Event) -> String {
    serde_json::to_string(event).unwrap_or_else(|e| {
        format!(
            "{{\"event\":\"error\",\"kind\":\"failed\",\"message\":\"cannot encode event: {e}\"}}"
        )
    })
}

/// Serialises a command envelope as one line (for clients).
pub fn encode_command(envelope: &Envelope) -> String {
    serde_json::to_string(envelope).expect("commands always serialise")
}

fn error(id: Option<Value>, kind: ErrorKind, message: String) -> Event {
    Event::Error { id, kind, message }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Availability;

    fn err_of(line: &str) -> (ErrorKind, String, Option<Value>) {
        match decode(line) {
            Err(Event::Error { kind, message, id }) => (kind, message, id),
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn decodes_commands_with_and_without_id() {
        let e = decode(r#"{"cmd":"ping"}"#).unwrap().unwrap();
        assert_eq!(e.command, Command::Ping);
        assert_eq!(e.id, None);
        let e =
            decode(r#"{"id":7,"cmd":"set_status","availability":"busy","note":"in a meeting"}"#)
                .unwrap()
                .unwrap();
        assert_eq!(e.id, Some(Value::from(7)));
        assert_eq!(
            e.command,
            Command::SetStatus {
                availability: Availability::Busy,
                note: Some("in a meeting".into())
            }
        );
    }

    #[test]
    fn blank_lines_are_ignored() {
        assert_eq!(decode("   ").unwrap(), None);
    }

    #[test]
    fn bad_json_is_named() {
        let (kind, msg, _) = err_of("{cmd: ping");
        assert_eq!(kind, ErrorKind::BadJson);
        assert!(msg.contains("not valid JSON"), "{msg}");
        let (kind, _, _) = err_of("[1,2]");
        assert_eq!(kind, ErrorKind::BadJson);
    }

    #[test]
    fn unknown_command_is_named_and_id_echoed() {
        let (kind, msg, id) = err_of(r#"{"id":"x","cmd":"fly"}"#);
        assert_eq!(kind, ErrorKind::UnknownCommand);
        assert!(msg.contains("fly"), "{msg}");
        assert_eq!(id, Some(Value::from("x")));
    }

    #[test]
    fn unknown_and_missing_fields_are_named() {
        let (_, msg, _) = err_of(r#"{"cmd":"ping","colour":"red"}"#);
        assert!(msg.contains("colour"), "{msg}");
        let (_, msg, _) = err_of(r#"{"cmd":"register"}"#);
        assert!(msg.contains("account"), "{msg}");
        let (_, msg, _) = err_of(r#"{"cmd":"set_status","availability":"sleepy"}"#);
        assert!(msg.contains("sleepy"), "{msg}");
        let (_, msg, _) = err_of(r#"{"id":1}"#);
        assert!(msg.contains("cmd"), "{msg}");
    }

    #[test]
    fn events_encode_as_tagged_objects() {
        let line = encode(&Event::Pong {
            id: Some(Value::from(1)),
        });
        assert_eq!(line, r#"{"event":"pong","id":1}"#);
        let line = encode(&Event::AccountState {
            account: "sip:a@b".into(),
            state: crate::engine::RegistrationState::Registered { expires: 600 },
        });
        assert_eq!(
            line,
            r#"{"event":"account_state","account":"sip:a@b","state":"registered","expires":600}"#
        );
    }

    #[test]
    fn commands_round_trip() {
        let env = Envelope {
            id: Some(Value::from("c1")),
            command: Command::SetStatus {
                availability: Availability::DoNotDisturb,
                note: None,
            },
        };
        let line = encode_command(&env);
        assert_eq!(decode(&line).unwrap().unwrap(), env);
    }

    #[test]
    fn hostile_input_never_panics() {
        for line in [
            "\u{0}",
            "{\"cmd\":",
            "{\"cmd\":null}",
            "{\"cmd\":\"set_account\",\"account\":{}}",
            "{\"cmd\":\"set_account\",\"account\":{\"address\":5}}",
            "\"just a string\"",
            "1e999999",
            &"[".repeat(10_000),
            &"x".repeat(MAX_LINE + 1),
        ] {
            assert!(decode(line).is_err(), "{line:.40}");
        }
    }
}
