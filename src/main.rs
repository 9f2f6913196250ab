//! The `hark` command: the window by default, `--headless` for the engine
//! alone on stdin/stdout, and subcommands that hand a request to a running
//! Hark through its control socket.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use hark::config;
use hark::control;
use hark::engine::{self, Availability, Command, EngineOptions};

#[derive(Parser, Debug)]
#[command(name = "hark", version, about = "Presence, chat and calls over SIP")]
struct Cli {
    /// Config file (default: $XDG_CONFIG_HOME/hark/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Run without a window: commands as JSON lines on stdin, events on stdout.
    #[arg(long)]
    headless: bool,
    /// Control socket (default: $XDG_RUNTIME_DIR/hark/control.sock, or $HARK_SOCKET).
    #[arg(long, global = true, value_name = "PATH")]
    socket: Option<PathBuf>,
    /// SQLite database (default: $XDG_DATA_HOME/hark/hark.db).
    #[arg(long, value_name = "FILE")]
    database: Option<PathBuf>,
    /// Language of the window, e.g. `de` (default: the system's).
    #[arg(long, value_name = "LANG")]
    lang: Option<String>,
    /// Do not use the OS keyring for passwords.
    #[arg(long)]
    no_keyring: bool,
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(Subcommand, Debug)]
enum Action {
    /// Set your status in the running Hark: available, away, busy, dnd, invisible.
    Status {
        availability: String,
        /// A note shown with your status, e.g. "in a meeting".
        note: Vec<String>,
    },
    /// Open a chat window with someone (starts Hark when it is not running).
    Chat {
        /// Their SIP address, e.g. sip:bob@example.com.
        uri: String,
        /// Chat from this account (default: the first one).
        #[arg(long)]
        account: Option<String>,
    },
    /// Call someone (starts Hark when it is not running): a SIP address,
    /// a tel: number, or a user name or number at the account's domain.
    Call {
        uri: String,
        /// Call from this account (default: the first one).
        #[arg(long)]
        account: Option<String>,
    },
    /// Send one raw JSON command to the running Hark and print the answer.
    Send { json: String },
    /// Check that a Hark is running.
    Ping,
    /// Ask the running Hark to quit.
    Quit,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HARK_LOG")
                .unwrap_or_else(|_| "warn,hark=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut cli = Cli::parse();
    let socket = cli
        .socket
        .clone()
        .unwrap_or_else(hark::paths::default_control_socket);
    match cli.action.take() {
        Some(action @ (Action::Chat { .. } | Action::Call { .. })) => {
            let open = match action {
                Action::Call { uri, account } => Command::Call { account, uri },
                Action::Chat { uri, account } => Command::OpenChat { account, peer: uri },
                _ => unreachable!("matched above"),
            };
            match runtime().block_on(control::client::send(
                &socket,
                open.clone(),
                Duration::from_secs(10),
            )) {
                Ok(_) => ExitCode::SUCCESS,
                Err(control::client::ClientError::NotRunning(_)) => {
                    run_instance(cli, socket, vec![open])
                }
                Err(e) => {
                    eprintln!("hark: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(action) => remote(action, &socket),
        None => run_instance(cli, socket, vec![]),
    }
}

/// Hands one command to a running Hark.
fn remote(action: Action, socket: &std::path::Path) -> ExitCode {
    let command = match action {
        Action::Status { availability, note } => {
            let Some(availability) = Availability::parse(&availability) else {
                eprintln!(
                    "hark: unknown status {availability:?}; use one of: available, away, busy, dnd, invisible"
                );
                return ExitCode::from(2);
            };
            let note = note.join(" ");
            Command::SetStatus {
                availability,
                note: (!note.is_empty()).then_some(note),
            }
        }
        Action::Send { json } => match control::codec::decode(&json) {
            Ok(Some(envelope)) => envelope.command,
            Ok(None) => {
                eprintln!("hark: empty command");
                return ExitCode::from(2);
            }
            Err(event) => {
                eprintln!("hark: {}", control::codec::encode(&event));
                return ExitCode::from(2);
            }
        },
        Action::Chat { uri, account } => Command::OpenChat { account, peer: uri },
        Action::Call { uri, account } => Command::Call { account, uri },
        Action::Ping => Command::Ping,
        Action::Quit => Command::Quit,
    };
    let rt = runtime();
    match rt.block_on(control::client::send(
        socket,
        command,
        Duration::from_secs(10),
    )) {
        Ok(event) => {
            println!("{}", control::codec::encode(&event));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hark: {e}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("hark-engine")
        .build()
        .expect("tokio runtime")
}

/// Runs Hark itself: the engine plus the window or the stdio protocol;
/// `startup` commands go to the engine first (e.g. open a chat).
fn run_instance(cli: Cli, socket: PathBuf, startup: Vec<Command>) -> ExitCode {
    let config_path = cli
        .config
        .clone()
        .unwrap_or_else(hark::paths::default_config_file);
    let loaded = match config::load(&config_path) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("hark: the config file has a problem: {e}");
            return ExitCode::from(78);
        }
    };
    for w in &loaded.warnings {
        eprintln!("hark: warning: {w}");
    }
    let language = cli.lang.clone().or(loaded.config.ui.language.clone());
    let defaults = hark::ui::ChatSettings::default();
    let chat_settings = hark::ui::ChatSettings {
        open_on_message: loaded
            .config
            .ui
            .open_chat_on_message
            .unwrap_or(defaults.open_on_message),
        notify: loaded
            .config
            .ui
            .chat_notifications
            .unwrap_or(defaults.notify),
    };
    let socket = loaded.config.control.socket.clone().unwrap_or(socket);
    let database = cli
        .database
        .clone()
        .or(loaded.config.storage.database.clone())
        .unwrap_or_else(hark::paths::default_database);
    let options = EngineOptions {
        config: loaded.config,
        config_path: Some(config_path),
        database: Some(database),
        warnings: loaded.warnings,
        use_keyring: !cli.no_keyring,
        hold_until_snapshot: !cli.headless,
    };

    let rt = runtime();
    let control = match rt.block_on(control::server::ControlSocket::bind(&socket)) {
        Ok(c) => Some(c),
        Err(e @ control::server::ServeError::AlreadyRunning(_)) => {
            eprintln!("hark: {e}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("hark: warning: {e}; other programs cannot reach this Hark");
            None
        }
    };
    let (handle, join) = rt.block_on(async { engine::start(options) });
    let events = handle.subscribe();
    for command in startup {
        handle.send(command);
    }
    if let Some(control) = control {
        rt.spawn(control.serve(handle.clone()));
    }
    if cli.headless {
        rt.block_on(control::stdio::run(handle, events));
    } else {
        drop(events);
        let i18n = hark::i18n::I18n::new(language.as_deref());
        let ui_handle = handle.clone();
        let result = {
            let _guard = rt.enter();
            hark::ui::run_with(ui_handle, i18n, chat_settings)
        };
        if let Err(e) = result {
            eprintln!("hark: the window could not be shown: {e}");
        }
        // Make sure the engine unregisters even if the window died.
        handle.send(Command::Quit);
    }
    let _ = rt.block_on(async { tokio::time::timeout(Duration::from_secs(6), join).await });
    rt.shutdown_timeout(Duration::from_secs(1));
    ExitCode::SUCCESS
}
