//! linphonec 5.1 (Debian `linphone-cli`) as a peer in tests: started
//! with a template rc file, driven through its stdin, read through its log
//! (and liblinphone's debug log for IMDN and isComposing effects).

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use super::free_port;
use super::kamailio::Kamailio;
use super::peers::{read_lossy, stop_group};

/// linphonec registered as `user` with presence publishing on (its model
/// is always plain "open": linphonec 5.1 has no command or rc setting for
/// a status or a note), driven through stdin; what it prints goes to its
/// log.
pub struct Linphonec {
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    dir: tempfile::TempDir,
}

/// How to start linphonec (`Linphonec::start_with_options`).
#[derive(Clone, Debug, Default)]
pub struct LinphonecOptions {
    /// More lines for the rc file's `[sip]` section (see `start_with`).
    pub sip: String,
    /// CPIM in basic (one-to-one) chat rooms: every message it sends is
    /// `message/cpim` with `imdn.Message-ID` and `imdn.Disposition-
    /// Notification: positive-delivery, negative-delivery, display`, and its
    /// delivery IMDNs go out in CPIM.  liblinphone 5.1 reads this from
    /// `[proxy_default_values] cpim_in_basic_chat_rooms_enabled=1`
    /// (`linphone_config_get_default_int`: a plain `[proxy_0]` key is
    /// ignored).
    pub cpim: bool,
    /// liblinphone's own log (`-d 6 -l FILE`): what it does with IMDNs and
    /// isComposing, which linphonec never prints (`debug_log`,
    /// `chat_message_states`).
    pub debug_log: bool,
}

impl Linphonec {
    pub fn start(kam: &Kamailio, user: &str, password: &str) -> Linphonec {
        Self::start_with(kam, user, password, "")
    }

    /// Like `start`, with `sip` added to the rc file's `[sip]` section, e.g.
    /// `supported=replaces, outbound` so that it registers and subscribes
    /// with a plain IP contact instead of a GRUU (`sip:carol@hark.test;gr=…`,
    /// which the test Kamailio cannot send NOTIFYs to: it tries DNS for the
    /// domain).
    pub fn start_with(kam: &Kamailio, user: &str, password: &str, sip: &str) -> Linphonec {
        Self::start_with_options(
            kam,
            user,
            password,
            &LinphonecOptions {
                sip: sip.to_string(),
                ..Default::default()
            },
        )
    }

    /// linphonec set up for chat with IMDN: CPIM in basic chat rooms (so
    /// its messages ask for delivery and display notifications),
    /// `im_notif_policy=all` (send and take isComposing and IMDN; also
    /// liblinphone's default when built with advanced IM, as Debian's is),
    /// and its debug log on.  linphonec itself never sends isComposing (no
    /// console command calls `linphone_chat_room_compose`) nor a "displayed"
    /// IMDN (nothing marks a chat room read); it sends "delivered" IMDNs by
    /// itself.
    pub fn start_with_im(kam: &Kamailio, user: &str, password: &str) -> Linphonec {
        Self::start_with_options(
            kam,
            user,
            password,
            &LinphonecOptions {
                sip: "im_notif_policy=all".to_string(),
                cpim: true,
                debug_log: true,
            },
        )
    }

    /// Starts linphonec as `user` with `opts` (does not wait for it to
    /// register: `wait_registered`).
    pub fn start_with_options(
        kam: &Kamailio,
        user: &str,
        password: &str,
        opts: &LinphonecOptions,
    ) -> Linphonec {
        let sip = &opts.sip;
        let cpim = if opts.cpim {
            "[proxy_default_values]\ncpim_in_basic_chat_rooms_enabled=1\n"
        } else {
            ""
        };
        let dir = tempfile::Builder::new()
            .prefix("hark-linphonec-")
            .tempdir()
            .unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".local/share/linphone")).unwrap();
        let port = free_port();
        let rc = dir.path().join("linphonerc");
        // audio_rtp_port=-1: a random port; two linphonec in tests that run
        // at once would both take 7078, and one would hear nothing.
        std::fs::write(
            &rc,
            format!(
                "[sip]\n\
                 sip_port={port}\n\
                 sip_tcp_port=-1\n\
                 bind_address=127.0.0.1\n\
                 default_proxy=0\n\
                 {sip}\n\
                 [proxy_0]\n\
                 reg_proxy=<sip:{server}>\n\
                 reg_route=<sip:{server};lr>\n\
                 reg_identity=sip:{user}@{domain}\n\
                 reg_expires=300\n\
                 reg_sendregister=1\n\
                 publish=1\n\
                 publish_expires=300\n\
                 [auth_info_0]\n\
                 username={user}\n\
                 passwd={password}\n\
                 realm={domain}\n\
                 domain={domain}\n\
                 [rtp]\n\
                 audio_rtp_port=-1\n\
                 [sound]\n\
                 playback_dev_id=Files\n\
                 capture_dev_id=Files\n\
                 {cpim}",
                server = kam.server_addr(),
                domain = kam.domain,
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.path().join("linphonec.log")).unwrap();
        // stdbuf: linphonec prints with stdio, block-buffered into a file
        let mut cmd = Command::new("stdbuf");
        cmd.args(["-oL", "-eL", "linphonec", "-c"]).arg(&rc);
        if opts.debug_log {
            cmd.args(["-d", "6", "-l"])
                .arg(dir.path().join("liblinphone.log"));
        }
        let mut child = cmd
            .env("HOME", &home)
            .stdin(Stdio::piped())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run linphonec ({e}): apt-get install linphone-cli"));
        Linphonec {
            stdin: child.stdin.take(),
            child: Some(child),
            dir,
        }
    }

    /// One command line on linphonec's stdin.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("linphonec stdin");
        writeln!(stdin, "{line}").expect("write to linphonec");
        stdin.flush().unwrap();
    }

    /// Everything linphonec printed so far (its stdout and stderr).
    pub fn log(&self) -> String {
        read_lossy(&self.dir.path().join("linphonec.log"))
    }

    /// liblinphone's debug log ("" unless started with `debug_log`).
    pub fn debug_log(&self) -> String {
        read_lossy(&self.dir.path().join("liblinphone.log"))
    }

    /// Waits until the Kamailio `kam` has a contact for `user` (linphonec
    /// prints nothing when it registers).
    pub fn wait_registered(&self, kam: &Kamailio, user: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while kam.contacts_of(user).is_empty() {
            if Instant::now() > deadline {
                panic!(
                    "linphonec did not register as {user} in {limit:?}\n--- linphonec log ---\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends `text` to `to` (a SIP URI): `chat TO TEXT` on its stdin.
    /// One line, under 256 bytes with the command.  It prints nothing; with
    /// `debug_log`, `chat_message_states` follows the message (InProgress,
    /// Delivered on the 200, DeliveredToUser / Displayed on IMDNs).
    /// Without CPIM it sends `text/plain`; with it `message/cpim` asking for
    /// IMDNs.  A new Call-ID per message, a Date header, no Contact.
    pub fn send_message(&mut self, to: &str, text: &str) {
        assert!(
            !text.contains(['\n', '\r']),
            "linphonec reads one line per command: {text:?}"
        );
        self.send(&format!("chat {to} {text}"));
    }

    /// Waits until linphonec prints an incoming chat message from a sender
    /// whose address contains `from` with text containing `text`
    /// ("Message received from sip:alice@hark.test: TEXT"); returns the text
    /// as printed (to the end of its line).  It prints text messages only
    /// (text/plain, or text/plain in CPIM); isComposing and IMDNs are
    /// silent (see `debug_log`).
    pub fn wait_message(&self, from: &str, text: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(shown) = self
                .shown_messages()
                .into_iter()
                .find(|(peer, shown)| peer.contains(from) && shown.contains(text))
                .map(|(_, shown)| shown)
            {
                return shown;
            }
            if Instant::now() > deadline {
                panic!(
                    "linphonec did not show a message from {from} with {text:?} in {limit:?}\n\
                     --- linphonec log ---\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The chat messages linphonec printed, in order: (sender, text to the
    /// end of the line).
    pub fn shown_messages(&self) -> Vec<(String, String)> {
        const MARK: &str = "Message received from ";
        let log = self.log();
        log.match_indices(MARK)
            .filter_map(|(i, _)| {
                let line = log[i + MARK.len()..].lines().next()?;
                let (peer, text) = line.split_once(": ")?;
                Some((peer.to_string(), text.trim_end().to_string()))
            })
            .collect()
    }

    /// The state changes of chat messages in liblinphone's debug log, in
    /// order: (from, to).  A message it sends goes Idle -> InProgress ->
    /// Delivered (the 200) -> DeliveredToUser / Displayed (IMDNs for it);
    /// every MESSAGE it takes, isComposing and IMDNs included, shows as
    /// Idle -> Delivered.  Needs `debug_log`.
    pub fn chat_message_states(&self) -> Vec<(String, String)> {
        let log = self.debug_log();
        log.lines()
            .filter(|l| l.contains("liblinphone") && l.contains("Chat message"))
            .filter_map(|l| {
                let (_, change) = l.rsplit_once(": moving from ")?;
                let (from, to) = change.split_once(" to ")?;
                Some((from.trim().to_string(), to.trim().to_string()))
            })
            .collect()
    }

    /// Waits until a chat message moves to `state` (`chat_message_states`).
    pub fn wait_chat_message_state(&self, state: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !self.chat_message_states().iter().any(|(_, to)| to == state) {
            if Instant::now() > deadline {
                panic!(
                    "no linphonec chat message reached {state} in {limit:?}: {:?}",
                    self.chat_message_states()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until linphonec's log satisfies `pred`; panics with the log.
    pub fn wait_log(&self, limit: Duration, what: &str, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + limit;
        while !pred(&self.log()) {
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}\n--- linphonec log ---\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends `quit` and stops the process group.
    pub fn stop(mut self) {
        self.quit();
    }

    fn quit(&mut self) {
        if let Some(child) = self.child.take() {
            if let Some(mut stdin) = self.stdin.take() {
                let _ = stdin.write_all(b"quit\n");
            }
            stop_group(child, Duration::from_secs(5));
        }
    }
}

impl Drop for Linphonec {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("----- linphonec log -----\n{}", self.log());
            let debug = self.debug_log();
            if !debug.is_empty() {
                let tail: Vec<&str> = debug.lines().rev().take(300).collect();
                eprintln!("----- liblinphone debug log (last 300 lines) -----");
                for l in tail.iter().rev() {
                    eprintln!("{l}");
                }
            }
        }
        self.quit();
    }
}
