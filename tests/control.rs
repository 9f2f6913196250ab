//! The control protocol (headless stdin/stdout and the local socket) and the
//! subcommands that use it, against the real binary. No server needed.

mod support;

use std::process::Command;
use std::time::Duration;

use support::hark::Hark;

const T: Duration = Duration::from_secs(10);

#[test]
fn bad_json_and_unknown_commands_get_errors_and_the_engine_goes_on() {
    let mut hark = Hark::start("");
    hark.wait_event("started", T);
    hark.send("this is not json");
    let e = hark.wait_event("error", T);
    assert_eq!(e["kind"], "bad_json", "{e}");
    hark.send(r#"{"id":4,"cmd":"teleport"}"#);
    let e = hark.wait_event("error", T);
    assert_eq!(e["kind"], "unknown_command");
    assert_eq!(e["id"], 4);
    assert!(e["message"].as_str().unwrap().contains("teleport"), "{e}");
    hark.send(r#"{"id":5,"cmd":"register","account":"sip:nobody@x.y"}"#);
    let e = hark.wait_event("error", T);
    assert_eq!(e["kind"], "bad_argument");
    hark.send(r#"{"id":6,"cmd":"ping"}"#);
    let e = hark.wait_event("pong", T);
    assert_eq!(e["id"], 6);
    let (status, _) = hark.quit(T);
    assert!(status.success());
}

#[test]
fn status_subcommand_reaches_the_running_instance_and_is_kept() {
    let keep = tempfile::tempdir().unwrap();
    let db = keep.path().join("hark.db");
    let mut hark = Hark::start_with_args("", &["--database", db.to_str().unwrap()]);
    hark.wait_event("started", T);
    let out = Command::new(env!("CARGO_BIN_EXE_hark"))
        .args(["status", "busy", "in", "a", "meeting", "--socket"])
        .arg(hark.socket())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let e = hark.wait_event("own_status", T);
    assert_eq!(e["availability"], "busy");
    assert_eq!(e["note"], "in a meeting");
    // Kept across restarts: a new instance on the same database reports it.
    let (status, _) = hark.quit(T);
    assert!(status.success());
    let mut again = Hark::start_with_args("", &["--database", db.to_str().unwrap()]);
    again.wait_event("started", T);
    again.send(r#"{"cmd":"snapshot"}"#);
    let e = again.wait_event("own_status", T);
    assert_eq!(e["availability"], "busy", "{e}");
    assert_eq!(e["note"], "in a meeting");
    again.quit(T);
}

#[test]
fn subcommand_without_a_running_hark_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hark"))
        .args(["status", "away", "--socket"])
        .arg(dir.path().join("none.sock"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not running"), "{err}");
}

#[test]
fn unknown_status_is_refused_with_the_choices() {
    let out = Command::new(env!("CARGO_BIN_EXE_hark"))
        .args(["status", "sleepy"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("available, away, busy, dnd"), "{err}");
}

#[test]
fn a_broken_config_names_line_and_key_and_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "[[account]]\naddress = \"sip:alice@hark.test\"\nexpires = \"soon\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hark"))
        .arg("--headless")
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3") && err.contains("expires"), "{err}");
}

#[test]
fn socket_clients_get_events_and_their_own_errors() {
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::net::UnixStream;
    let mut hark = Hark::start("");
    hark.wait_event("started", T);
    let mut s = UnixStream::connect(hark.socket()).unwrap();
    s.set_read_timeout(Some(T)).unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    s.write_all(b"{oops\n{\"id\":\"a\",\"cmd\":\"ping\"}\n")
        .unwrap();
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert!(line.contains("bad_json"), "{line}");
    line.clear();
    r.read_line(&mut line).unwrap();
    assert!(line.contains("pong") && line.contains("\"a\""), "{line}");
    // The stdout listener did not get the socket client's protocol error.
    hark.send(r#"{"id":"z","cmd":"ping"}"#);
    hark.wait_for("pong z", T, |e| e["id"] == "z");
    assert!(!hark.seen().iter().any(|e| e["kind"] == "bad_json"));
    hark.quit(T);
}

#[test]
fn second_instance_on_the_same_socket_refuses_to_start() {
    let mut hark = Hark::start("");
    hark.wait_event("started", T);
    let out = Command::new(env!("CARGO_BIN_EXE_hark"))
        .args(["--headless", "--no-keyring", "--socket"])
        .arg(hark.socket())
        .arg("--config")
        .arg(hark.dir().join("none.toml"))
        .arg("--database")
        .arg(hark.dir().join("b.db"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already running"));
    hark.quit(T);
}

#[test]
fn end_of_input_quits_cleanly() {
    let mut hark = Hark::start("");
    hark.wait_event("started", T);
    hark.close_stdin();
    hark.wait_event("stopped", T);
    assert!(hark.wait_exit(T).success());
}

#[test]
fn a_socket_in_an_existing_folder_leaves_that_folder_alone() {
    use std::os::unix::fs::PermissionsExt;
    let shared = tempfile::tempdir().unwrap();
    std::fs::set_permissions(shared.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let sock = shared.path().join("hark.sock");
    let mut hark = Hark::start_with_args("", &["--socket", sock.to_str().unwrap()]);
    hark.wait_event("started", T);
    let mode = std::fs::metadata(shared.path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o1777, "the folder's mode was changed");
    let sock_mode = std::fs::metadata(&sock).unwrap().permissions().mode();
    assert_eq!(sock_mode & 0o777, 0o600, "the socket is private");
    hark.quit(T);
}
